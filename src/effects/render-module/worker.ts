/**
 * One render-module thread. Go's runtime (wasm_exec.js of the Go release that built the module) runs in a fresh V8
 * context whose global object holds only what is handed to it: an in-memory file system (./memfs.ts) and its
 * process (a working folder, no environment, no arguments), random numbers, a clock, text codecs and timers. No
 * `require`, no `fetch`, no host `fs`, no `process.env`: Go's os, net and exec packages have nothing to reach.
 * Each request is one or more commands over its own file system, built from the trees it carries (./tree.ts: a
 * revision's kept by the thread until a request drops it, sent once) plus its files. Self-contained (node: modules and
 * siblings only): it runs from the sources, tsc's dist/ and the bundle alike. It tells the host its OS thread's id
 * when ready: the render limit counts that thread's CPU time.
 */
import {readFileSync} from 'node:fs'
import {createContext, runInContext} from 'node:vm'
import {parentPort, workerData} from 'node:worker_threads'
import {webcrypto} from 'node:crypto'

import type {ModuleCommand} from './commands.js'
import type {MemoryTree} from '../../core/memory-fs/tree.js'
import {baseTree, MemFs, type Snapshot} from './memfs.js'
import {ownThreadId} from './thread-cpu.js'
import type {RequestTree} from './tree.js'

export interface ModuleRequest {
  id: number
  /** The folders the commands may read (./tree.ts requestTrees). */
  trees: RequestTree[]
  /** Kept trees the thread lets go (their revisions are gone). */
  drop: string[]
  /** Extra files (absolute path → text), e.g. an Application's inline values. */
  files: Record<string, string>
  cwd: string
  /** The commands (./commands.ts); the next runs only if this one succeeded. */
  commands: ModuleCommand[]
  outputLimit: number
  objectLimit: number
}

/** A failed command's error's code (go/errors.go classify), decided in Go from the error's type. */
export type ModuleErrorCode =
  | 'missing-dependency'
  | 'template'
  | 'values-schema'
  | 'yaml'
  | 'jsonnet'
  | 'unknown-variable'
  | 'kustomize'
  | 'substitute'
  | 'usage'
  | 'panic'
  | 'error'

/** go/errors.go ErrorInfo. */
export interface ModuleError {
  code: ModuleErrorCode
  /** The error as the tool's CLI prints it after `Error: `. */
  message: string
  /** Where it is, when the error names a place: a template as Helm names it, a values or jsonnet file. */
  file?: string
  line?: number
  /** unknown-variable's variable, without its `$`. */
  variable?: string
}

export interface CommandResult {
  exit: number
  stdout: string
  /** What Helm and kustomize logged (one entry per record). */
  warnings: string[]
  /** What Go's runtime itself printed (a fatal error, a panic's stack): no part of the command's answer. */
  stderr: string
  /** The limit the command reached. */
  limit?: 'output' | 'objects'
  /** Set exactly when the command failed (exit ≠ 0) without reaching a limit. */
  error?: ModuleError
  /**
   * Asked for and succeeded: `stdout`'s documents as go-yaml v2 (sigs.k8s.io/yaml's parser) reads them, a JSON array
   * with an entry per chunk of stdout split at `---` lines — the chunk's document, null (none), or false (the host
   * reads that chunk) — or absent where the host reads it all (go/documents.go).
   */
  documents?: string
}

export type ModuleAnswer = {id: number; results: CommandResult[]} | {id: number; error: string}

interface GoRuntime {
  argv: string[]
  env: Record<string, string>
  importObject: object
  run(instance: object): Promise<void>
}

const {module, glue} = workerData as {module: object; glue: string}
const snapshots = new Map<string, Snapshot>()
let current: MemFs = new MemFs([], () => undefined)

/** Each object's methods bound to it, once: Go asks for `fs.ameideCall` at every file-system call. */
const bound = new WeakMap<object, Map<string | symbol, unknown>>()

/** A stable object whose members are the current request's: Go keeps the references it took at start. */
const delegate = <K extends 'fs' | 'process' | 'path'>(key: K) =>
  new Proxy(
    {},
    {
      get(_, name) {
        const target = (key === 'fs' ? current : current[key as 'process' | 'path']) as unknown as Record<
          string | symbol,
          unknown
        >
        const value = target[name]
        if (typeof value !== 'function') return value
        let methods = bound.get(target)
        if (!methods) bound.set(target, (methods = new Map()))
        if (!methods.has(name)) methods.set(name, (value as (...a: unknown[]) => unknown).bind(target))
        return methods.get(name)
      },
    },
  )

const context = createContext({
  fs: delegate('fs'),
  process: delegate('process'),
  path: delegate('path'),
  crypto: {getRandomValues: (array: Uint8Array) => webcrypto.getRandomValues(array)},
  performance: {now: () => performance.now()},
  TextEncoder,
  TextDecoder,
  setTimeout,
  clearTimeout,
})
runInContext(readFileSync(glue, 'utf8'), context, {filename: glue})

// Instantiated inside the context: wasm_exec.js checks the instance against the context's own WebAssembly.
;(context as {module?: object}).module = module
const go = runInContext(`const go = new Go(); go.argv = ['render-module']; go.env = {}; go`, context) as GoRuntime
const instance = (await runInContext('WebAssembly.instantiate(module, go.importObject)', context)) as object
delete (context as {module?: object}).module
let exited: string | undefined
void go.run(instance).then(
  () => (exited = 'the render module exited (out of memory?)'),
  (e: Error) => (exited = `the render module stopped: ${e.message}`),
)
// Go's main registers ameideRender once every package's init has run; those may yield to this thread's event loop.
let handler: ((request: string) => string) | undefined
for (let turn = 0; !handler && !exited && turn < 10_000; turn++) {
  handler = runInContext('globalThis.ameideRender', context) as typeof handler
  if (!handler) await new Promise((resolve) => setTimeout(resolve, 1))
}
if (!handler) throw new Error(exited ?? 'the render module did not register its handler')

/** The kept trees of recent requests as one frozen tree each (./memfs.ts baseTree), by their keys. */
const bases = new Map<string, {keys: string[]; tree: MemoryTree}>()
const BASES = 8

/**
 * The request's file system: over the frozen tree of its kept trees (made once for every request over the same
 * ones: a revision is not put in a tree again per render), else, with trees of its own, made whole.
 */
function fileSystem(request: ModuleRequest, output: (fd: number, bytes: Uint8Array) => void): MemFs {
  for (const key of request.drop) {
    snapshots.delete(key)
    for (const [id, b] of bases) if (b.keys.includes(key)) bases.delete(id)
  }
  const take = ({key, keep, snapshot}: RequestTree): Snapshot => {
    if (snapshot && keep) snapshots.set(key, snapshot)
    const taken = snapshot ?? snapshots.get(key)
    if (!taken) throw new Error(`the render module's thread does not hold ${key}`)
    return taken
  }
  if (request.trees.some((t) => !t.keep)) return new MemFs(request.trees.map(take), output)
  const keys = request.trees.map((t) => t.key)
  const id = JSON.stringify(keys)
  let base = bases.get(id)
  // A tree sent again (the thread had let it go) makes its base anew.
  if (!base || request.trees.some((t) => t.snapshot)) {
    if (bases.size >= BASES) bases.clear()
    base = {keys, tree: baseTree(request.trees.map(take))}
    bases.set(id, base)
  }
  return new MemFs([], output, base.tree)
}

function run(request: ModuleRequest): CommandResult[] {
  const streams: Record<number, string> = {1: '', 2: ''}
  const decoder = new TextDecoder()
  current = fileSystem(request, (fd, bytes) => (streams[fd === 1 ? 1 : 2] += decoder.decode(bytes)))
  const encoder = new TextEncoder()
  for (const [p, text] of Object.entries(request.files)) current.addFile(p, encoder.encode(text))
  current.process.chdir(request.cwd)
  const results: CommandResult[] = []
  for (const command of request.commands) {
    if (exited) throw new Error(exited)
    const limits = {outputLimit: request.outputLimit, objectLimit: request.objectLimit}
    let raw: unknown
    try {
      raw = handler!(JSON.stringify({...(Array.isArray(command) ? {args: command} : command), ...limits}))
    } catch (e) {
      raw = e
    }
    if (typeof raw !== 'string') {
      // Go's runtime ended mid-command (its out-of-memory is a fatal error): what it printed says why.
      const said = streams[2].split('\n').find((l) => /fatal error|out of memory|panic/.test(l))
      throw new Error(`the render module exited: ${said ?? exited ?? String(raw)}`)
    }
    const result = {...(JSON.parse(raw) as Omit<CommandResult, 'stderr'>), stderr: streams[2]}
    streams[1] = streams[2] = ''
    results.push(result)
    if (result.exit !== 0) break
  }
  return results
}

parentPort!.on('message', (request: ModuleRequest) => {
  let answer: ModuleAnswer
  try {
    answer = {id: request.id, results: run(request)}
  } catch (e) {
    answer = {id: request.id, error: (e as Error).message}
  }
  current = new MemFs([], () => undefined)
  parentPort!.postMessage(answer)
})
// Its OS thread's id: the host reads that thread's CPU clock while it renders (./thread-cpu.ts).
parentPort!.postMessage({ready: true, tid: ownThreadId()})
