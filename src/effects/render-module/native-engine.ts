/**
 * Which engine renders: the native helper (./native.ts) while it starts confined and keeps working,
 * else WebAssembly, and why (`engine`). AMEIDE_RENDER_ENGINE: `wasm` never starts the helper; `native` makes a helper
 * that cannot start, or fails, an error instead of a fall-back. Never native unconfined: ./native.ts checks first.
 */
import {availableParallelism} from 'node:os'

import {MODULE_LIMITS, type ToolLimits} from '../limits.js'
import {NATIVE_ENGINE, nativeUnavailable, startNative, type Engine, type NativeThread} from './native.js'
import {Pool} from './pool.js'
import {askThread, type ModuleRun, type RenderRequest} from './requests.js'

export class NativeEngine {
  /** The engine that renders, once decided: native, or WebAssembly and why. */
  engine: Engine | undefined
  private natives: Pool<NativeThread> | undefined
  private readonly forced: boolean

  constructor(private readonly choice: string | undefined) {
    this.forced = choice === 'native'
  }

  /** The request's answer from a native helper, or undefined: WebAssembly renders it (engine says why). */
  async run(request: RenderRequest, limits: ToolLimits): Promise<ModuleRun | undefined> {
    let natives: Pool<NativeThread> | undefined
    let thread: NativeThread | undefined
    try {
      natives = this.pool()
      if (!natives) return undefined
      thread = await this.thread(natives, request.affinity)
    } catch (e) {
      return {ok: false, message: `the native render helper did not start: ${(e as Error).message}`}
    }
    if (!thread) return undefined
    try {
      const run = await askThread(thread, request, limits)
      if (run.ok || !('failed' in run) || !run.failed) return run
      // The helper itself failed (not the render): WebAssembly renders from now on, and says why.
      if (this.forced) return {ok: false, message: `the native render helper failed: ${run.message}`}
      this.engine = `wasm: the native helper failed: ${run.message}`
      return undefined
    } finally {
      natives.give(thread)
    }
  }

  /** The engine `helm template` would render with, a helper started to know it. */
  async probe(): Promise<Engine> {
    try {
      const natives = this.pool()
      const thread = natives && (await this.thread(natives))
      if (thread) natives.give(thread)
    } catch (e) {
      return `wasm: ${(e as Error).message}`
    }
    return this.engine!
  }

  /** The trees of `roots` sent to a helper started, or starting (none is started for it): its next requests name them. */
  async hold(roots: readonly string[]): Promise<void> {
    const natives = this.natives
    if (!natives || (this.engine !== undefined && this.engine !== NATIVE_ENGINE)) return
    const thread = await natives.take().catch(() => undefined)
    if (!thread) return
    try {
      await askThread(thread, {roots: [...roots], files: {}, cwd: '/', commands: []}, MODULE_LIMITS)
    } finally {
      natives.give(thread)
    }
  }

  /** A helper started ahead; false when `helm template` will render in WebAssembly. */
  async warm(): Promise<boolean> {
    let natives: Pool<NativeThread> | undefined
    try {
      natives = this.pool()
    } catch {
      return false
    }
    const thread = natives && (await this.thread(natives).catch(() => undefined))
    if (!natives || !thread) return false
    natives.give(thread)
    return true
  }

  /** The native helpers' pool while `helm template` may render natively, else undefined (engine says why). */
  private pool(): Pool<NativeThread> | undefined {
    if (this.engine !== undefined && this.engine !== NATIVE_ENGINE) return undefined
    const why = nativeUnavailable(this.choice)
    if (why && this.forced) throw new Error(why)
    if (why) {
      this.engine = `wasm: ${why}`
      return undefined
    }
    return (this.natives ??= new Pool<NativeThread>(Math.min(2, availableParallelism()), () =>
      startNative(MODULE_LIMITS.memoryBytes),
    ))
  }

  /** A native thread, or undefined with the engine set to WebAssembly and why (an error when forced). */
  private async thread(pool: Pool<NativeThread>, affinity?: string): Promise<NativeThread | undefined> {
    try {
      const thread = await pool.take(affinity)
      this.engine = NATIVE_ENGINE
      return thread
    } catch (e) {
      if (this.forced) throw e
      this.engine = `wasm: ${(e as Error).message}`
      return undefined
    }
  }
}
