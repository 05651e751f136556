/**
 * The template engine's thread: Go's `wasm_exec.js` glue (of the Go release that built the module) and the
 * WebAssembly module, started once; each request is answered on the port, then the shared flag is raised so the
 * caller's Atomics.wait returns. Self-contained (node: modules only): it runs as TypeScript sources, from tsc's
 * dist/ and from the bundle alike.
 */
import {readFileSync} from 'node:fs'
import {runInThisContext} from 'node:vm'
import {workerData, type MessagePort} from 'node:worker_threads'

interface Data {
  flag: SharedArrayBuffer
  port: MessagePort
  wasm: string
  glue: string
  /** Warmed too before the first answer: `slug` (its transliteration table, decoded on first use). */
  warm: string[]
}

type Handler = (request: string) => string
/** Go's runtime from wasm_exec.js, and the part of the WebAssembly API used here (not in the ES2023 lib). */
interface GoRuntime {
  importObject: object
  run(instance: object): Promise<void>
}
interface Wasm {
  instantiate(bytes: Uint8Array, imports: object): Promise<{instance: object}>
}

const {flag, port, wasm, glue, warm} = workerData as Data
const signal = new Int32Array(flag)
const global = globalThis as unknown as {Go: new () => GoRuntime; WebAssembly: Wasm; ameideGoTemplate?: Handler}

function reply(message: {ok: string} | {error: string}): void {
  port.postMessage(message)
  Atomics.store(signal, 0, 1)
  Atomics.notify(signal, 0)
}

let exited = false
process.on('uncaughtException', (e) => reply({error: `the template engine failed: ${e.message}`}))

try {
  runInThisContext(readFileSync(glue, 'utf8'), {filename: glue})
  const go = new global.Go()
  const {instance} = await global.WebAssembly.instantiate(readFileSync(wasm), go.importObject)
  // Go's main registers ameideGoTemplate, then blocks (select{}): run returns to JS with the handler set.
  void go.run(instance).then(() => {
    exited = true
    reply({error: 'the template engine exited (out of memory?)'})
  })
  const handler = global.ameideGoTemplate
  if (!handler) throw new Error('the module did not register its handler')
  port.on('message', (request: string) => {
    if (exited) return reply({error: 'the template engine has exited'})
    try {
      reply({ok: handler(request)})
    } catch (e) {
      reply({error: `the template engine failed: ${(e as Error).message}`})
    }
  })
  // Warm before answering: a thread started ahead of its first request (openTemplateEngine) warms meanwhile.
  handler('{"op":"warm"}')
  if (warm.includes('slug')) handler('{"op":"warm-slug"}')
  reply({ok: handler('{"op":"version"}')})
} catch (e) {
  reply({error: `the template engine did not start: ${(e as Error).message}`})
}
