/**
 * The ApplicationSet template engine: Argo CD's own Render.Replace — Go's text/template with sprig, gosimple/slug,
 * fasttemplate and sigs.k8s.io/yaml (./go/engine) — run from a worker thread: natively, by the render helper that
 * links it and confines itself (../render-module/native.ts, Linux), else compiled to WebAssembly (./go, built by
 * scripts/build-wasm.mjs into dist/engine/). Calls are synchronous: the caller posts a request and waits on a
 * shared flag (Atomics.wait) for the answer, so the ApplicationSet evaluation stays a plain function. The engine
 * starts on first use (≈ 0.1 s), never for a run without ApplicationSets; a call that runs past its time limit ends
 * the thread and is an error (the next call starts a fresh one). {@link templateEngineInUse} says which engine.
 */
import {existsSync, readFileSync} from 'node:fs'
import {availableParallelism} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {MessageChannel, receiveMessageOnPort, Worker, type MessagePort} from 'node:worker_threads'

import {FROM_SOURCES, packagePath, workerEntry} from '../../core/package-root.js'
import {checkedFiles} from '../render-module/helper-check.js'
import {installedWasm, WASM_PACKAGES} from '../render-module/installed.js'
import {installedNative, nativeUnavailable} from '../render-module/native.js'
import {answersKnown, memoized} from './memo.js'
import type {RenderResult, TemplateEngine} from './types.js'
import type {EngineCall, EngineReply} from './worker.js'

export type {MatchResult, Params, TemplateEngine} from './types.js'

/** What the build recorded of the engine (dist/engine/engine.json), for doctor and docs. */
export interface EngineBuild {
  engine: string
  /** The Go release that compiled it, e.g. `go1.26.8` (src/effects/go.work's toolchain). */
  go: string
  target: string
  /** The sha256 of gotemplate.wasm as built. */
  sha256?: string
  /** Each Go module linked in (src/effects/gotemplate/go/go.mod in the workspace): its version and go.sum hash. */
  modules?: Record<string, {version: string; sum: string}>
}

/** The engine cannot run here: why, and how to get it. */
export class TemplateEngineUnavailable extends Error {
  readonly hint =
    "The Go template engine is built by `npm run build` (the Go module proxy reachable: the workspace's Go release, through the Go on PATH or taken itself where none can, and the libraries); a packed release and the GitHub Action ship it. `ameide doctor` says how this installation gets it."
}

/** A call the engine could not answer (it timed out or stopped). */
export class TemplateEngineFailure extends Error {}

export const ENGINE_PROTOCOL = 'ameide-gotemplate/2'

/**
 * The engine's files. The module: gotemplate.wasm of a build, else the gotemplate.wasm.gz of a WebAssembly render
 * package (../render-module/installed.ts), else none — where the native helper answers, a release installs none.
 */
const files = () => {
  const built = process.env.AMEIDE_GOTEMPLATE_WASM ?? packagePath('dist/engine/gotemplate.wasm')
  return {
    built,
    wasm: installedWasm(built, 'gotemplate.wasm.gz')?.file,
    glue: process.env.AMEIDE_GOTEMPLATE_GLUE ?? packagePath('dist/engine/wasm_exec.js'),
    record: packagePath('dist/engine/engine.json'),
  }
}

/** The engine can run here: its glue, and its module or this platform's native helper (which links the engine). */
const runnable = ({wasm, glue}: ReturnType<typeof files>) =>
  existsSync(glue) && (wasm !== undefined || installedNative() !== undefined)

/** The build's record of the engine, or undefined when it was not built. */
export function engineBuild(): EngineBuild | undefined {
  const found = files()
  if (!runnable(found)) return undefined
  const {record} = found
  try {
    return JSON.parse(readFileSync(record, 'utf8')) as EngineBuild
  } catch {
    return {engine: ENGINE_PROTOCOL, go: 'unknown', target: 'js/wasm'}
  }
}

export interface EngineOptions {
  /**
   * Warm gosimple/slug as the threads start (its transliteration table is decoded on first use, ≈ 0.3 s): for a
   * caller that will slug (the pull-request generator), so the cost is paid while it reads the checkout.
   */
  warmSlug?: boolean
}

/** One call's time limit (AMEIDE_GOTEMPLATE_TIMEOUT_MS): a runaway template fails instead of hanging the gate. */
const callTimeout = () => Number(process.env.AMEIDE_GOTEMPLATE_TIMEOUT_MS) || 20_000

/**
 * The engine's threads, and a call of several requests at once, one per thread. One thread starts now and is waited
 * for at its first request, so it starts and warms while the caller reads the checkout; a second one starts for the
 * first render large enough to split (each has its own Go runtime; V8 compiles the module once per process), so a
 * small ApplicationSet never costs a second core.
 */
function threadPool(start: ThreadStart): <T>(requests: object[]) => T[] {
  const threads: Array<Thread | undefined> = [spawnThread(start)]
  // Threads idle past IDLE_MS end (their Go heaps freed while the renders run); the next call starts them again.
  let idle: NodeJS.Timeout | undefined
  const rest = () => {
    clearTimeout(idle)
    idle = setTimeout(() => threads.splice(0).forEach((t) => t?.stop()), IDLE_MS).unref()
  }
  return <T>(requests: object[]): T[] => {
    rest()
    const used = requests.map((_, i) => (threads[i] ??= spawnThread(start)))
    const answers = used.map((thread, i) => {
      thread.ready()
      thread.post({request: JSON.stringify(requests[i]), timeoutMs: callTimeout()})
      return thread
    })
    return answers.map((thread) => {
      const answer = thread.wait(callTimeout())
      if ('error' in answer) {
        for (const [k, t] of threads.entries()) {
          t?.stop()
          threads[k] = undefined
        }
        throw new TemplateEngineFailure(answer.error)
      }
      const parsed = JSON.parse(answer.ok) as T & {error?: string}
      if (parsed.error) throw new TemplateEngineFailure(parsed.error)
      return parsed
    })
  }
}

/**
 * The engine: its threads start now, in the background; the first call waits for them. Throws
 * {@link TemplateEngineUnavailable} when the engine is not built (or, at a call, when it does not start).
 */
export function openTemplateEngine(options: EngineOptions = {}): TemplateEngine {
  const found = files()
  const {wasm, glue} = found
  if (!runnable(found))
    throw new TemplateEngineUnavailable(
      `the Go template engine is not built (${path.relative(process.cwd(), found.built)} is missing)`,
    )
  const module = wasm ?? {
    missing: `the WebAssembly template engine is not installed here (${WASM_PACKAGES.join(' or ')})`,
  }
  const sha256 = engineBuild()?.sha256
  const width = Math.min(2, availableParallelism())
  // From TypeScript sources (tests) the worker cannot load the helper's host: WebAssembly, as it says.
  const notNative = FROM_SOURCES ? 'the engine runs from TypeScript sources' : nativeUnavailable()
  const callAll = threadPool({wasm: module, sha256, glue, warm: options.warmSlug ? ['slug'] : [], notNative})
  const call = <T>(request: object): T => callAll<T>([request])[0]
  return {
    render(request) {
      if (request.templates.length === 0 || request.params.length === 0)
        return {results: request.params.map(() => []), failures: []}
      const parts =
        width > 1 && request.templates.length * request.params.length >= SPLIT_AT
          ? halves(request.params)
          : [request.params]
      const answers = callAll<{results?: string[][]; failures?: RenderResult['failures']}>(
        parts.map((params) => ({op: 'render', ...request, params})),
      )
      const out: RenderResult = {results: [], failures: []}
      for (const a of answers) {
        const offset = out.results.length
        out.failures.push(...(a.failures ?? []).map((f) => ({...f, set: f.set + offset})))
        out.results.push(...(a.results ?? []))
      }
      return out
    },
    yaml(texts) {
      if (texts.length === 0) return []
      const r = call<{yaml: Array<{json?: string; error?: string}>}>({op: 'yaml', texts})
      return r.yaml.map((y) => (y.error !== undefined ? {error: y.error} : {value: JSON.parse(y.json ?? 'null')}))
    },
    sanitize(names) {
      return names.length === 0 ? [] : call<{strings: string[]}>({op: 'sanitize', texts: names}).strings
    },
    sprint(values) {
      return values.length === 0 ? [] : call<{strings: string[]}>({op: 'sprint', values}).strings
    },
    slug(names) {
      return names.length === 0 ? [] : call<{strings: string[]}>({op: 'slug', texts: names}).strings
    },
    match(pairs) {
      if (pairs.length === 0) return []
      const r = call<{matches: Array<{matched?: boolean; error?: string}>}>({op: 'match', matches: pairs})
      return r.matches.map((m) => (m.error !== undefined ? {error: m.error} : {matched: m.matched === true}))
    },
    paths(paths) {
      if (paths.length === 0) return []
      return call<{paths: Array<[string, string, string]>}>({op: 'paths', texts: paths}).paths.map(
        ([dir, base, normalized]) => ({dir, base, normalized}),
      )
    },
  }
}

let inUse: string | undefined

/**
 * The engine the last thread started with: `native (seccomp)`, or `wasm: <why not native>`; undefined before one has.
 */
export const templateEngineInUse = (): string | undefined => inUse

const killQuietly = (pid: number) => {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // it has ended
  }
}

let shared: TemplateEngine | undefined
let unavailable: TemplateEngineUnavailable | undefined

/**
 * The process's one engine, its answers remembered (./memo.ts). Its threads start on the first call, so they start
 * while other work goes on — unless an attached store of kept answers (./answers.ts) may answer everything: then only
 * at the first answer it lacks, and a warm run never starts them. A missing engine is remembered: asked once. The
 * options count only on the first call.
 */
export function sharedTemplateEngine(options?: EngineOptions): TemplateEngine {
  if (unavailable) throw unavailable
  const open = () => {
    if (unavailable) throw unavailable
    try {
      return openTemplateEngine(options)
    } catch (e) {
      if (e instanceof TemplateEngineUnavailable) unavailable = e
      throw e
    }
  }
  if (!shared) {
    let opened: TemplateEngine | undefined
    if (!answersKnown()) opened = open()
    shared = memoized(() => (opened ??= open()))
  }
  return shared
}

/**
 * Template executions (strings × parameter sets) from which a render is split over two threads: a second thread's
 * start (its own Go runtime, ≈ 0.4 s of CPU and 70 MB) pays only for a render far longer than that.
 */
const SPLIT_AT = 20_000

/** How long the threads stay without a call before they end. */
const IDLE_MS = 1500

const halves = <T>(items: readonly T[]): T[][] => {
  const mid = Math.ceil(items.length / 2)
  return [items.slice(0, mid), items.slice(mid)]
}

interface Thread {
  /** Waits (once) for the thread's answer that it started and speaks this protocol. */
  ready(): void
  post(call: Omit<EngineCall, 'id'>): void
  wait(timeoutMs: number): EngineReply
  stop(): void
}

/** What a thread starts with (./worker.ts): the module, Go's glue, what to warm, why not natively (or undefined). */
interface ThreadStart {
  wasm: string | {missing: string}
  sha256: string | undefined
  glue: string
  warm: string[]
  notNative: string | undefined
}

/** Starts the worker; {@link Thread.ready} waits (synchronously) for its first answer, which names its protocol. */
function spawnThread({wasm, sha256, glue, warm, notNative}: ThreadStart): Thread {
  const flag = new SharedArrayBuffer(4)
  const signal = new Int32Array(flag)
  const {port1, port2} = new MessageChannel()
  const here = fileURLToPath(import.meta.url)
  const worker = new Worker(workerEntry('gotemplate', new URL(`./worker${path.extname(here)}`, import.meta.url)), {
    workerData: {flag, port: port2, wasm, sha256, glue, warm, notNative, checked: checkedFiles()},
    transferList: [port2 as MessagePort],
  })
  worker.unref()
  port1.unref()
  let sent = 0
  // The answer to the last call (or one of the thread's own failures, which name none): an answer to a call given up
  // on is passed over. The flag is lowered before the queue is read, so an answer posted after the read raises it.
  const wait = (timeoutMs: number): EngineReply => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      Atomics.store(signal, 0, 0)
      let message: EngineReply | undefined
      while ((message = receiveMessageOnPort(port1)?.message as EngineReply | undefined))
        if (message.id === undefined || message.id === sent) return message
      const left = deadline - Date.now()
      if (left <= 0) return {error: `no answer within ${timeoutMs} ms`}
      Atomics.wait(signal, 0, 0, left)
    }
  }
  let helper: number | undefined
  const stop = () => {
    port1.close()
    void worker.terminate()
    // The native helper may be busy with the call given up on: it ends with the thread.
    if (helper !== undefined) killQuietly(helper)
  }
  let started = false
  return {
    ready() {
      if (started) return
      const answer = wait(30_000)
      if ('error' in answer) {
        stop()
        throw new TemplateEngineUnavailable(answer.error)
      }
      const version = (JSON.parse(answer.ok) as {version?: string}).version
      helper = answer.helper
      inUse = answer.engine
      if (version !== ENGINE_PROTOCOL) {
        stop()
        throw new TemplateEngineUnavailable(
          `the Go template engine speaks ${version ?? 'nothing'}, not ${ENGINE_PROTOCOL}: rebuild it (npm run build)`,
        )
      }
      started = true
    },
    post: (call) => port1.postMessage({...call, id: ++sent}),
    wait,
    stop,
  }
}
