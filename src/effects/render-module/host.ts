/**
 * The render module's host: Helm's, kustomize's and go-jsonnet's own Go code compiled to WebAssembly (./go, built by
 * scripts/build-wasm.mjs into dist/render-module/), run on worker threads over the revision in memory.
 * Confinement does not depend on the operating system: the module has no file, process, environment or socket but
 * what ./worker.ts hands it. The limits of effects/limits.ts hold here too: the CPU time of the render's own thread
 * (./thread-cpu.ts; the thread is ended) with a wall-clock backstop ten times longer, the output (the module stops
 * printing), the memory (the instance's linear memory; Go's out-of-memory ends the thread), the objects (counted by
 * the renderers' callers). The module is compiled once per process, on the first
 * render, from bytes checked against the build's record (./bytes.ts: render.wasm, or the release's render.wasm.gz
 * unzipped into the user's cache): `ameide --version` and runs that render nothing never load it nor touch the cache.
 */
import {existsSync, readFileSync} from 'node:fs'
import {availableParallelism} from 'node:os'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {setFlagsFromString} from 'node:v8'
import {Worker} from 'node:worker_threads'

import {packagePath, workerEntry} from '../../core/package-root.js'
import {MODULE_LIMITS, type ToolLimits} from '../limits.js'
import {compileRecorded, hasModuleBytes, type ModuleFiles} from './bytes.js'
import {builtModulePath, installedModule, WASM_PACKAGES} from './installed.js'
import {installedNative, nativeCommands, type Engine} from './native.js'
import {NativeEngine} from './native-engine.js'
import {Pool} from './pool.js'
import {threadCpuMs} from './thread-cpu.js'
import {askThread, type ModuleRun, type RenderRequest} from './requests.js'
import {watchRender} from './watch.js'
import type {ModuleAnswer, ModuleRequest} from './worker.js'

export type {CommandResult} from './worker.js'

/** What the build recorded (dist/render-module/render-module.json). */
export interface RenderModuleBuild {
  protocol: string
  /** `helm version --short` of the Helm inside, e.g. `v4.1.4+g05fa379`. */
  helm: string
  /** The kustomize release inside, e.g. `v5.8.1`. */
  kustomize: string
  /** The go-jsonnet release inside, e.g. `v0.22.0` (absent from a build that predates it: no jsonnet). */
  jsonnet?: string
  /** The fluxcd/pkg envsubst release inside, e.g. `v1.8.0` (absent from a build that predates it: no Flux post-build). */
  envsubst?: string
  /** The Go release that compiled it. */
  go: string
  /** The sha256 of render.wasm. */
  sha256: string
  /** Its size in bytes. */
  bytes: number
}

/** A compiled WebAssembly module (the part of the WebAssembly API used here: not in the ES2023 lib). */
export type WasmModule = object
const webAssembly = (globalThis as unknown as {WebAssembly: {compile(bytes: Uint8Array): Promise<WasmModule>}})
  .WebAssembly

export const RENDER_MODULE_PROTOCOL = 'ameide-render/5'

/**
 * V8's flags for the module, set before its first compile. Its tiering budget, 30 times V8's default (13,000,000):
 * a function runs in the baseline compiler's code (Liftoff) that much longer before the optimising compiler
 * (TurboFan) compiles it again. At start, Go's package inits and the first renders run code once or a few times,
 * which V8 otherwise spends most of the start's CPU optimising; a render's hot loops still get optimised
 * (docs/performance.md, the module's start: −50 % of its CPU, renders after it as fast).
 */
export const MODULE_V8_FLAGS: readonly string[] = ['--wasm-tiering-budget=390000000']

export type {ModuleRun, RenderRequest} from './requests.js'

export interface RenderModule {
  readonly build: RenderModuleBuild
  /** Runs the commands of one request; each runs only if the one before succeeded. */
  run(request: RenderRequest, limits?: ToolLimits): Promise<ModuleRun>
  /**
   * Starts a thread ahead of the first render (compiled, instantiated, Go's runtime initialised; or the native helper,
   * confined and checked, where `helm template` renders natively); idle after.
   */
  warm(): Promise<void>
  /**
   * Sends the trees of `roots` (revisions held in memory) to the native helper {@link warm} started, so that it takes
   * them in while the host reads the revisions' models, and the first render's request only names them. Nothing where
   * no helper was started, or WebAssembly renders.
   */
  hold(roots: readonly string[]): Promise<void>
  /**
   * The engine that renders (./native.ts): `native (seccomp)` or `wasm: <why>`; undefined until a render request (or
   * {@link probeEngine}) decided it.
   */
  engine(): Engine | undefined
  /** Decides the engine now (starts a native helper, checked, if none runs yet): what `ameide doctor` tells. */
  probeEngine(): Promise<Engine>
  /**
   * Whether anything renders here: the WebAssembly module is installed, or the engine is (or, undecided, may be) the
   * native helper. False: every render is unavailable (`AMEIDE_RENDER_ENGINE=wasm`, or a helper that did not start,
   * with no module installed), which the gate must fail on, as without the module.
   */
  rendersHere(): boolean
}

/** The module's files: render.wasm (a build), else the .gz of the build or of a render package (./installed.ts). */
const files = (): ModuleFiles & {glue: string; record: string} => {
  const wasm = builtModulePath()
  const found = installedModule(wasm)?.file
  return {
    wasm,
    gz: found?.endsWith('.gz') ? found : `${wasm}.gz`,
    glue: packagePath('dist/render-module/wasm_exec.js'),
    record: packagePath('dist/render-module/render-module.json'),
  }
}

/**
 * The build's record, or undefined when nothing can render: the module is not built, or this installation has
 * neither the WebAssembly module nor this platform's native helper (./installed.ts).
 */
export function renderModuleBuild(): RenderModuleBuild | undefined {
  const {glue, record, ...bytes} = files()
  if (!existsSync(glue) || !existsSync(record)) return undefined
  if (!hasModuleBytes(bytes) && !installedNative()) return undefined
  try {
    const build = JSON.parse(readFileSync(record, 'utf8')) as RenderModuleBuild
    return build.protocol === RENDER_MODULE_PROTOCOL ? build : undefined
  } catch {
    return undefined
  }
}

/**
 * Where the process keeps its one render module: on the global object, not in this module, because the bundle holds
 * this module more than once — in the start path's build, which warms it in the process `ameide mcp` starts ahead of
 * a call (bin/run.js), and in each command's own build (scripts/bundle.mjs) — and the command must find the module
 * the start path warmed.
 */
const SHARED = Symbol.for('ameide.render-module')
const processWide = globalThis as {[SHARED]?: RenderModule}

/** The process's one render module, or undefined when it is not built. Nothing starts until its first run. */
export function sharedRenderModule(): RenderModule | undefined {
  if (processWide[SHARED]) return processWide[SHARED]
  const build = renderModuleBuild()
  if (!build) return undefined
  processWide[SHARED] = openRenderModule(build)
  return processWide[SHARED]
}

/**
 * A render module of its own (tests, benches: the process's is {@link sharedRenderModule}); `engine` as
 * AMEIDE_RENDER_ENGINE says it (`wasm`: WebAssembly only; `native`: a native helper that cannot start is an error).
 */
export function openRenderModule(
  build: RenderModuleBuild,
  choice: string | undefined = process.env.AMEIDE_RENDER_ENGINE,
): RenderModule {
  const {glue, ...bytes} = files()
  let compiled: Promise<WasmModule> | undefined
  const compile = () =>
    (compiled ??= (async () => {
      // The instance's memory is the memory limit: V8 refuses to grow it past this, and Go's runtime then ends
      // (its out-of-memory). Process-wide, set before the first compile; the template engine stays far below it.
      setFlagsFromString(`--wasm-max-mem-pages=${Math.floor(MODULE_LIMITS.memoryBytes / 65536)}`)
      for (const flag of MODULE_V8_FLAGS) setFlagsFromString(flag)
      return compileRecorded(bytes, build.sha256, (b) => webAssembly.compile(b))
    })())
  const pool = new Pool<Thread>(Math.min(2, availableParallelism()), async () => spawn(await compile(), glue))
  const native = new NativeEngine(choice)
  return {
    build,
    engine: () => native.engine,
    probeEngine: () => native.probe(),
    rendersHere: () =>
      hasModuleBytes(bytes) || !(native.engine ?? (choice === 'wasm' ? 'wasm' : 'native')).startsWith('wasm'),
    async warm() {
      // Where the native helper renders, WebAssembly is not compiled at all.
      if ((await native.warm()) || !hasModuleBytes(bytes)) return
      pool.give(await pool.take())
    },
    hold: (roots) => native.hold(roots),
    async run(request, limits = MODULE_LIMITS) {
      if (nativeCommands(request.commands)) {
        const ran = await native.run(request, limits)
        if (ran) return ran
      }
      if (!hasModuleBytes(bytes)) return {ok: false, unavailable: true, message: noFallback(native.engine)}
      const thread = await pool.take(request.affinity)
      try {
        return await askThread(thread, request, limits)
      } finally {
        pool.give(thread)
      }
    },
  }
}

/** Why a request has no answer where WebAssembly would render it but this installation has no module. */
const noFallback = (engine: Engine | undefined) =>
  `nothing renders this here: ${engine?.startsWith('wasm: ') ? `${engine.slice(6)}, and ` : ''}the WebAssembly module is not installed (the package ${WASM_PACKAGES[0]}, or ${WASM_PACKAGES[1]} on Linux)`

export interface Thread {
  ask(request: ModuleRequest, limits: ToolLimits): Promise<ModuleRun>
  /** The trees it keeps (./tree.ts). */
  readonly held: Set<string>
  /** The affinities of the requests it ran (RenderRequest.affinity). */
  readonly ran: Set<string>
  /** Ended (a time-out, the module's exit): not given back to the pool. */
  readonly dead: boolean
}

/**
 * The thread's entry: the bundle's (dist/cli/workers/render-module.js), which the build makes with the module, also
 * when this host runs from the sources (the worker imports its siblings, which plain Node cannot load as TypeScript).
 */
function workerFile(): URL {
  const bundled = packagePath('dist/cli/workers/render-module.js')
  if (existsSync(bundled)) return pathToFileURL(bundled)
  const here = fileURLToPath(import.meta.url)
  return workerEntry('render-module', new URL(`./worker${path.extname(here)}`, import.meta.url))
}

async function spawn(module: WasmModule, glue: string): Promise<Thread> {
  const worker = new Worker(workerFile(), {
    workerData: {module, glue},
    // The thread's own JavaScript is a request in, an answer out: a young generation of V8's default size (tens of
    // MB per thread) only holds garbage longer (bench/gitops-diff-scale.mjs: −46 MB peak for two threads, the same CPU).
    resourceLimits: {maxYoungGenerationSizeMb: 4},
    // The host's environment stays on this side: the thread's process.env is empty.
    env: {},
    stdout: true,
    stderr: true,
  })
  worker.unref()
  let dead = false
  const end = () => {
    dead = true
    void worker.terminate()
  }
  const tid = await new Promise<number | undefined>((resolve, reject) => {
    worker.once('message', (ready: {tid?: number}) => resolve(ready.tid))
    worker.once('error', (e) => reject(new Error(`the render module did not start: ${e.message}`)))
  })
  const clock = cpuClock(tid)
  return {
    held: new Set(),
    ran: new Set(),
    get dead() {
      return dead
    },
    ask(request, limits) {
      return new Promise<ModuleRun>((resolve) => {
        const watch = watchRender(clock, limits, (breach) => {
          end()
          settle(breach)
        })
        const settle = (run: ModuleRun) => {
          watch.stop()
          worker.off('message', onMessage)
          worker.off('error', onError)
          resolve(run)
        }
        const onMessage = (answer: ModuleAnswer) => {
          if ('results' in answer) return settle({ok: true, results: answer.results, cpuMs: watch.used()})
          if (/exited|stopped/.test(answer.error)) end()
          settle(
            /out of memory/i.test(answer.error)
              ? {ok: false, limit: 'memory', message: answer.error}
              : {ok: false, message: answer.error},
          )
        }
        const onError = (e: Error) => {
          end()
          settle(
            /memory|Maximum call stack/i.test(e.message)
              ? {ok: false, limit: 'memory', message: e.message}
              : {ok: false, message: `the render module failed: ${e.message}`},
          )
        }
        worker.on('message', onMessage)
        worker.once('error', onError)
        worker.postMessage(request)
      })
    },
  }
}

/**
 * The CPU clock a render is judged by, in milliseconds: its thread's (Linux), else the whole process's — which counts
 * the other render thread and the host too, so it stops a render no later; the machine's load counts in neither.
 */
function cpuClock(tid: number | undefined): () => number {
  const processCpu = () => {
    const {user, system} = process.cpuUsage()
    return (user + system) / 1000
  }
  if (tid === undefined || threadCpuMs(tid) === undefined) return processCpu
  let last = 0
  return () => (last = threadCpuMs(tid) ?? last)
}
