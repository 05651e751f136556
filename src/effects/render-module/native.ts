/**
 * The native render helper's host (docs/security.md, "the native render helper"): the render module's Go built for
 * this machine (./go with the `ameide_helper` tag, scripts/build-native.mjs) answers every render request
 * (./commands.ts) at native speed, confined by the operating system instead of by WebAssembly. Never unconfined: before one byte of a revision
 * crosses, the host has
 *   1. checked the helper's sha256 against the build's record (dist/render-module/native.json; ./helper-check.ts: once,
 *      then trusted while the file is unchanged),
 *   2. started it with an empty environment, `/` as its folder and only stdin, stdout and stderr,
 *   3. read its handshake: it confined itself (foreign descriptors closed, rlimits, no_new_privs, a seccomp filter on
 *      every thread) and its self-test passed (open, socket and exec refused; PR_GET_SECCOMP = 2),
 *   4. read, itself, /proc/<pid>/task/<tid>/status of every thread: `Seccomp: 2` and `NoNewPrivs: 1` on each.
 * Any of it failing — or a platform with no confinement proven (not Linux x64/arm64), or AMEIDE_RENDER_ENGINE=wasm —
 * and the WebAssembly module renders; the reason is kept and told (`ameide doctor`, `--json`'s `engine`).
 * AMEIDE_RENDER_ENGINE=native makes a failed start an error instead (tests). The limits are the WebAssembly path's:
 * the helper's CPU time (read from /proc, the process ended past it), the output (Go stops printing), the memory
 * (RLIMIT_AS, set by the helper before its filter: Go's out-of-memory ends it) and a wall-clock backstop.
 * Requests are the worker's (./worker.ts ModuleRequest), one JSON line each way; the helper keeps trees as a worker does.
 */
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'
import {existsSync, readdirSync, readFileSync} from 'node:fs'

import {packagePath} from '../../core/package-root.js'
import type {ToolLimits} from '../limits.js'
import {lines} from './child-lines.js'
import {installedHelper, nativePackage, type Installed} from './installed.js'
import {unpackedHelper} from './unpack.js'
import {checkOnce} from './helper-check.js'
import {watchRender} from './watch.js'
import type {ModuleCommand} from './commands.js'
import type {Snapshot} from './memfs.js'
import type {RequestTree} from './tree.js'
import type {CommandResult, ModuleAnswer, ModuleRequest} from './worker.js'

export const NATIVE_PROTOCOL = 'ameide-render-native/1'

/** What the native build recorded (dist/render-module/native.json). */
export interface NativeBuild {
  protocol: string
  /** The k8s.io/apiextensions-apiserver release the helpers validate custom resources with (absent: an older build). */
  apiextensions?: string
  /** By platform (`linux-x64`, `linux-arm64`): the helper's file (under dist/render-module/), its sha256 and size. */
  helpers: Record<string, {file: string; sha256: string; bytes: number}>
}

/** The engine that renders: `native (seccomp)`, or `wasm: <why not native>`. */
export type Engine = 'native (seccomp)' | `wasm: ${string}`
export const NATIVE_ENGINE: Engine = 'native (seccomp)'

/**
 * What confined the renders of `engine` built by `go`: `seccomp: the native helper (go…)`, or `webassembly (go…)`
 * (WebAssembly, and before any render decided the engine: what confines where the helper does not run).
 */
export const sandboxOf = (engine: Engine | undefined, go: string) =>
  engine === NATIVE_ENGINE ? `seccomp: the native helper (${go})` : `webassembly (${go})`

/** Go's own reservations beyond the heap (arenas' index, stacks, the binary): added to the memory limit for RLIMIT_AS. */
const ADDRESS_SPACE_OVERHEAD = 1024 * 2 ** 20
/** How long a helper may take to confine itself and say so. */
const HANDSHAKE_MS = 10_000

export interface NativeThread {
  ask(request: ModuleRequest, limits: ToolLimits): Promise<NativeRun>
  /** A request of the ApplicationSet template engine (its JSON text), answered as that engine's JSON text. */
  askTemplate(request: string, limits: ToolLimits): Promise<NativeTemplateAnswer>
  readonly held: Set<string>
  readonly ran: Set<string>
  readonly dead: boolean
  readonly pid: number
}

/** Why a request has no answer: a limit, or the helper itself failed (not the render: it may go to WebAssembly). */
export type NativeFailure =
  {ok: false; limit: 'cpu' | 'time' | 'memory'; message: string} | {ok: false; message: string; failed?: boolean}

export type NativeRun = {ok: true; results: CommandResult[]; cpuMs: number} | NativeFailure

/** The template engine's answer: its JSON text. */
export type NativeTemplateAnswer = {ok: true; answer: string} | NativeFailure

/** One request's answer line and the helper CPU it took. */
type Exchanged = {ok: true; line: string; cpuMs: number} | NativeFailure

/** Why the native engine is not used here, before anything starts (undefined: it may be). */
export function nativeUnavailable(choice = process.env.AMEIDE_RENDER_ENGINE): string | undefined {
  if (choice === 'wasm') return 'AMEIDE_RENDER_ENGINE=wasm'
  return platformUnavailable()
}

function platformUnavailable(): string | undefined {
  const platform = `${process.platform}-${process.arch}`
  if (process.platform !== 'linux') return `no confinement proven on ${platform} (seccomp is Linux's)`
  const build = nativeBuild()
  if (!build) return 'the native helper is not built (scripts/build-native.mjs)'
  if (!build.helpers[platform]) return `no native helper for ${platform}`
  if (!installedNative() && process.env.AMEIDE_RENDER_NATIVE === undefined)
    return `the native helper is not installed (the package ${nativePackage(platform)})`
  return undefined
}

/** This platform's native helper, as this installation has it (./installed.ts), or undefined. */
export function installedNative(): Installed | undefined {
  const platform = `${process.platform}-${process.arch}`
  const helper = nativeBuild()?.helpers[platform]
  return helper && installedHelper(platform, helper.file)
}

/**
 * Every command runs natively: `helm template`, `helm dependency build`, `kustomize build`, Argo CD's `kustomize edit`,
 * Flux's artifact and generated kustomization, jsonnet and `flux substitute` read and write the revision through the
 * helper's memory, and `kube validate` runs only there (the API server's validation is not linked into WebAssembly:
 * ./kube-validate.ts). WebAssembly renders where the helper cannot (./native-engine.ts says why).
 */
export const nativeCommands = (commands: readonly ModuleCommand[]): boolean =>
  commands.length > 0 && commands.every((c) => (Array.isArray(c) ? NATIVE_ARGV.has(argvName(c)) : true))

/** The argv commands the helper runs (go/main_helper.go runsHere). */
const NATIVE_ARGV = new Set([
  'kube validate',
  'jsonnet',
  'flux substitute',
  'flux generate',
  'flux artifact',
  'argocd kustomize-edit',
  'helm dependency',
])
const argvName = (argv: readonly string[]): string => (argv[0] === 'jsonnet' ? 'jsonnet' : argv.slice(0, 2).join(' '))

const recordFile = () => packagePath('dist/render-module/native.json')

let recorded: {record?: NativeBuild} | undefined

/** The build's record of its helpers (read once a process), or undefined: none, or of another protocol. */
export function nativeBuild(): NativeBuild | undefined {
  recorded ??= {record: readRecord()}
  return recorded.record
}

function readRecord(): NativeBuild | undefined {
  try {
    const record = JSON.parse(readFileSync(recordFile(), 'utf8')) as NativeBuild
    return record.protocol === NATIVE_PROTOCOL ? record : undefined
  } catch {
    return undefined
  }
}

/**
 * The helper of this platform, its bytes checked against the record (once a process: each helper of the pool starts
 * from the same file); throws with the reason otherwise.
 */
async function checkedHelper(): Promise<string> {
  const why = platformUnavailable()
  if (why) throw new Error(why)
  const helper = nativeBuild()!.helpers[`${process.platform}-${process.arch}`]!
  const installed = process.env.AMEIDE_RENDER_NATIVE ?? installedNative()!.file
  if (!existsSync(installed)) throw new Error(`the native helper is missing: ${installed}`)
  // A render package's helper is compressed: unpacked once into the user's cache (./unpack.ts).
  const file = installed.endsWith('.br') ? await unpackedHelper(installed, helper.sha256) : installed
  await checkOnce(file, helper.sha256)
  return file
}

interface Handshake {
  ready: string
  protocol: string
  pid: number
  /** landlock: the ABI of the Landlock ruleset the helper restricted itself to (0: the kernel has none). */
  selfTest: {open: string; socket: string; exec: string; seccomp: number; landlock: number; passed: boolean}
  error?: string
}

/**
 * Why the helper's first line (`first`; undefined: it ended or said nothing in time) is not the handshake of a
 * confined helper whose pid is `pid`, or undefined when it is. `stderr`: what it printed there so far.
 */
export function handshakeRefusal(
  first: string | undefined,
  pid: number | undefined,
  stderr: string,
): string | undefined {
  if (first === undefined)
    return `the native helper did not say it is confined${stderr ? `: ${stderr.trim().split('\n')[0]}` : ''}`
  let hello: Handshake
  try {
    hello = JSON.parse(first) as Handshake
  } catch {
    return 'the native helper answered no handshake'
  }
  if (hello.ready !== NATIVE_PROTOCOL) return `the native helper speaks ${hello.ready}, not ${NATIVE_PROTOCOL}`
  if (hello.error) return `the native helper could not confine itself: ${hello.error}`
  const t = hello.selfTest
  if (!t?.passed || t.seccomp !== 2)
    return `the native helper's self-test failed (open: ${t?.open}, socket: ${t?.socket}, exec: ${t?.exec}, seccomp: ${t?.seccomp})`
  if (pid === undefined || hello.pid !== pid) return `the native helper's pid is not the one started`
  return undefined
}

/** Every thread of `pid` is in seccomp filter mode with no_new_privs, as the kernel tells it; else the first that is not. */
export function confinementOf(pid: number): string | undefined {
  let tasks: string[]
  try {
    tasks = readdirSync(`/proc/${pid}/task`)
  } catch (e) {
    return `/proc/${pid}/task cannot be read: ${(e as Error).message}`
  }
  if (tasks.length === 0) return `/proc/${pid}/task lists no thread`
  for (const tid of tasks) {
    let status: string
    try {
      status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8')
    } catch (e) {
      return `/proc/${pid}/task/${tid}/status cannot be read: ${(e as Error).message}`
    }
    const field = (name: string) => new RegExp(`^${name}:\\s*(\\d+)`, 'm').exec(status)?.[1]
    if (field('Seccomp') !== '2') return `thread ${tid} is not in seccomp filter mode (Seccomp: ${field('Seccomp')})`
    if (field('NoNewPrivs') !== '1') return `thread ${tid} has no no_new_privs (NoNewPrivs: ${field('NoNewPrivs')})`
  }
  return undefined
}

/** Why the helper gave no answer (it ended): what it said on stderr, read once every stream closed (`closed`). */
async function whyEnded(closed: Promise<void>, after: () => {stderr: string; exited: boolean}): Promise<NativeFailure> {
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000))])
  const {stderr, exited} = after()
  const said = stderr
    .split('\n')
    .find((l) => /fatal error|out of memory|cannot allocate memory|panic|SIGSEGV|SIGBUS|SIGSYS/.test(l))
  // Go's runtime past RLIMIT_AS: "out of memory", or "cannot allocate memory" (ENOMEM from mmap). It may also
  // crash otherwise there (a SIGSEGV in its collector): a helper failure, so the request goes to WebAssembly,
  // whose memory limit then stops it.
  if (/out of memory|cannot allocate memory/i.test(said ?? '')) return {ok: false, limit: 'memory', message: said!}
  return {ok: false, message: `the native helper ended: ${said ?? (exited ? 'it exited' : 'no answer')}`, failed: true}
}

/** The process's CPU time in milliseconds (utime + stime, ticks of USER_HZ = 100), or undefined once it is gone. */
function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return undefined
  }
}

const encode = (s: Snapshot) => ({
  files: Object.fromEntries(
    [...s.files].map(([p, d]) => [p, Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString('base64')]),
  ),
  dirs: [...s.dirs],
  links: Object.fromEntries(s.links),
})

/** The request as the helper reads it: the trees' bytes in base64. */
export const wire = (request: ModuleRequest): string =>
  JSON.stringify({
    ...request,
    trees: request.trees.map((t: RequestTree) => ({
      key: t.key,
      keep: t.keep,
      ...(t.snapshot ? {snapshot: encode(t.snapshot)} : {}),
    })),
  })

/**
 * A confined helper, ready for requests; throws (the helper ended) with why it is not. `memoryBytes`: the memory limit.
 */
export async function startNative(memoryBytes: number): Promise<NativeThread> {
  const file = await checkedHelper()
  const child = spawn(file, [String(memoryBytes + ADDRESS_SPACE_OVERHEAD)], {
    env: {},
    cwd: '/',
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (s: string) => {
    if (stderr.length < 64 * 1024) stderr += s
  })
  child.on('error', () => undefined)
  const out = lines(child)
  const refuse = (why: string): never => {
    child.kill('SIGKILL')
    throw new Error(why)
  }
  const timer = setTimeout(() => out.cancel(), HANDSHAKE_MS)
  const first = await out.next()
  clearTimeout(timer)
  const refused = handshakeRefusal(first, child.pid, stderr)
  if (refused) refuse(refused)
  const unconfined = confinementOf(child.pid!)
  if (unconfined) refuse(`the kernel does not show the native helper confined: ${unconfined}`)
  child.unref()
  for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as {unref?: () => void}).unref?.()
  return nativeThread(child, out, () => stderr)
}

function nativeThread(
  child: ChildProcessWithoutNullStreams,
  out: ReturnType<typeof lines>,
  stderr: () => string,
): NativeThread {
  const pid = child.pid!
  let dead = false
  let exited = false
  child.on('exit', () => {
    exited = true
    dead = true
  })
  // Every stream of the helper closed: what it printed on stderr before it ended has been read.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()))
  const end = () => {
    dead = true
    child.kill('SIGKILL')
  }
  // The helper's CPU time when its last exchange ended: the next one's start, as it idles in between (one read of
  // /proc a request instead of two).
  let seen: number | undefined
  /** One request line, its answer line: within the limits (the helper's CPU time from /proc, a wall-clock backstop). */
  const exchange = async (line: string, limits: ToolLimits): Promise<Exchanged> => {
    if (dead) return {ok: false, message: 'the native helper has ended', failed: true}
    let breach: NativeFailure | undefined
    let last = seen ?? 0
    const clock = () => (last = processCpuMs(pid) ?? last)
    const stop = (why: NativeFailure) => {
      breach ??= why
      end()
    }
    const watch = watchRender(clock, limits, stop, seen ?? clock())
    try {
      child.stdin.write(`${line}\n`)
      const answer = await out.next()
      const cpuMs = watch.used()
      seen = last
      if (breach) return breach
      if (answer === undefined) {
        dead = true
        return await whyEnded(closed, () => ({stderr: stderr(), exited}))
      }
      return {ok: true, line: answer, cpuMs}
    } finally {
      watch.stop()
    }
  }
  return {
    pid,
    held: new Set(),
    ran: new Set(),
    get dead() {
      return dead
    },
    async ask(request, limits) {
      const answered = await exchange(wire(request), limits)
      if (!answered.ok) return answered
      const answer = JSON.parse(answered.line) as ModuleAnswer
      if ('error' in answer) return {ok: false, message: answer.error, failed: true}
      // A request of no commands (trees sent ahead, NativeEngine.hold) is answered with none (Go omits an empty list).
      const results = (answer.results ?? []).map((r) => ({...r, stderr: r.stderr ?? ''}))
      return {ok: true, results, cpuMs: answered.cpuMs}
    },
    async askTemplate(request, limits) {
      const answered = await exchange(JSON.stringify({id: 0, template: request}), limits)
      if (!answered.ok) return answered
      const answer = JSON.parse(answered.line) as {template?: string; error?: string}
      if (answer.template === undefined)
        return {ok: false, message: answer.error ?? 'the native helper gave no template answer', failed: true}
      return {ok: true, answer: answer.template}
    },
  }
}
