/**
 * The template engine's thread: each request is answered on the port, then the shared flag is raised so the caller's
 * Atomics.wait returns. The engine is the native render helper where it starts confined (../render-module/native.ts:
 * Linux, its bytes and its seccomp filter checked; it links the same Go engine), else Go's `wasm_exec.js` glue (of the
 * Go release that built the module) and the WebAssembly module, started once. A helper that fails mid-run hands the
 * request, and every later one, to WebAssembly. The first answer names the protocol, the engine and the helper's pid.
 * Run as TypeScript sources (tests, where Node strips the types and resolves no `.js` import to its `.ts` file) it
 * imports nothing of ours: the helper's host is imported only where the caller asks for it, from the bundle.
 */
import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {runInThisContext} from 'node:vm'
import {gunzipSync} from 'node:zlib'
import {workerData, type MessagePort} from 'node:worker_threads'

import type {CheckedFile} from '../render-module/helper-check.js'

interface Data {
  flag: SharedArrayBuffer
  port: MessagePort
  /** The module: gotemplate.wasm (a build), or the gotemplate.wasm.gz of a WebAssembly render package; or why none. */
  wasm: string | {missing: string}
  /** The sha256 the build recorded of gotemplate.wasm: what a .gz from a package must unzip to. */
  sha256?: string
  glue: string
  /** Warmed too before the first answer: `slug` (its transliteration table, decoded on first use). */
  warm: string[]
  /** Why the native helper is not tried (AMEIDE_RENDER_ENGINE=wasm, the platform), or undefined: it is. */
  notNative?: string
  /** The helper checks the process had passed when the thread started (../render-module/helper-check.ts). */
  checked: CheckedFile[]
}

/** A request, how long its caller waits for the answer, and its number (the answer names it; 0: the first answer). */
export interface EngineCall {
  request: string
  timeoutMs: number
  id: number
}

/** An answer, naming the call's number; one without (a failure of the thread itself) answers whatever is waited for. */
export type EngineReply = ({ok: string; engine?: string; helper?: number} | {error: string}) & {id?: number}

type Handler = (call: EngineCall) => string | Promise<string>
/** Go's runtime from wasm_exec.js, and the part of the WebAssembly API used here (not in the ES2023 lib). */
interface GoRuntime {
  importObject: object
  run(instance: object): Promise<void>
}
interface Wasm {
  instantiate(bytes: Uint8Array, imports: object): Promise<{instance: object}>
}

const {flag, port, wasm, sha256, glue, warm, notNative, checked} = workerData as Data
const signal = new Int32Array(flag)
const global = globalThis as unknown as {Go: new () => GoRuntime; WebAssembly: Wasm; ameideGoTemplate?: Handler}

function reply(message: EngineReply): void {
  port.postMessage(message)
  Atomics.store(signal, 0, 1)
  Atomics.notify(signal, 0)
}

/** The helper failed (not the template): WebAssembly answers instead. */
class HelperFailed extends Error {}

let exited = false
process.on('uncaughtException', (e) => reply({error: `the template engine failed: ${e.message}`}))

/** The WebAssembly module, started: Go's main registers ameideGoTemplate, then blocks (select{}). */
async function wasmEngine(): Promise<Handler> {
  runInThisContext(readFileSync(glue, 'utf8'), {filename: glue})
  const go = new global.Go()
  const {instance} = await global.WebAssembly.instantiate(moduleBytes(), go.importObject)
  void go.run(instance).then(() => {
    exited = true
    reply({error: 'the template engine exited (out of memory?)'})
  })
  const handler = global.ameideGoTemplate as unknown as ((request: string) => string) | undefined
  if (!handler) throw new Error('the module did not register its handler')
  return ({request}) => {
    if (exited) throw new Error('the template engine has exited')
    return handler(request)
  }
}

/** The module's bytes: gotemplate.wasm as it is, or a package's .gz unzipped and checked against the build's record. */
function moduleBytes(): Uint8Array {
  if (typeof wasm !== 'string') throw new Error(wasm.missing)
  const bytes = readFileSync(wasm)
  if (!wasm.endsWith('.gz')) return bytes
  const unzipped = gunzipSync(bytes)
  if (createHash('sha256').update(unzipped).digest('hex') !== sha256)
    throw new Error(`${wasm} is not the template engine the build recorded: reinstall ameide`)
  return unzipped
}

/** The native helper, confined; its pid beside. A call ends the helper past the caller's wait, less a margin. */
async function nativeEngine(): Promise<{handler: Handler; pid: number; engine: string}> {
  const [{MODULE_LIMITS}, {NATIVE_ENGINE, startNative}, {trustChecked}] = await Promise.all([
    import('../limits.js'),
    import('../render-module/native.js'),
    import('../render-module/helper-check.js'),
  ])
  trustChecked(checked)
  const thread = await startNative(MODULE_LIMITS.memoryBytes)
  const handler: Handler = async ({request, timeoutMs}) => {
    const within = Math.max(100, timeoutMs - 200)
    const run = await thread.askTemplate(request, {...MODULE_LIMITS, timeoutMs: within, cpuSeconds: within / 1000})
    if (run.ok) return run.answer
    if ('failed' in run && run.failed) throw new HelperFailed(run.message)
    if ('limit' in run && run.limit === 'memory')
      throw new Error(`the template engine ran out of memory: ${run.message}`)
    throw new Error(`no answer within ${timeoutMs} ms: ${run.message}`)
  }
  return {handler, pid: thread.pid, engine: NATIVE_ENGINE}
}

let engine = `wasm: ${notNative}`
let helper: number | undefined
let handle: Handler | undefined

/** Answers `call` with the engine in use; a helper that fails hands this call and the next ones to WebAssembly. */
async function answer(call: EngineCall): Promise<string> {
  try {
    return await handle!(call)
  } catch (e) {
    if (!(e instanceof HelperFailed)) throw e
    engine = `wasm: the native helper failed: ${e.message}`
    helper = undefined
    handle = await wasmEngine()
    return handle(call)
  }
}

try {
  if (notNative === undefined) {
    try {
      const native = await nativeEngine()
      ;[handle, helper, engine] = [native.handler, native.pid, native.engine]
    } catch (e) {
      engine = `wasm: ${(e as Error).message}`
    }
  }
  handle ??= await wasmEngine()
  let queue = Promise.resolve()
  port.on('message', (call: EngineCall) => {
    queue = queue.then(() =>
      answer(call).then(
        (ok) => reply({ok, id: call.id}),
        (e: Error) => {
          const error = e.message.startsWith('no answer') ? e.message : `the template engine failed: ${e.message}`
          reply({error, id: call.id})
        },
      ),
    )
  })
  // Warm before answering: a thread started ahead of its first request (openTemplateEngine) warms meanwhile.
  const ahead = {timeoutMs: 30_000, id: 0}
  await answer({...ahead, request: '{"op":"warm"}'})
  if (warm.includes('slug')) await answer({...ahead, request: '{"op":"warm-slug"}'})
  reply({ok: await answer({...ahead, request: '{"op":"version"}'}), engine, helper, id: 0})
} catch (e) {
  reply({error: `the template engine did not start: ${(e as Error).message}`})
}
