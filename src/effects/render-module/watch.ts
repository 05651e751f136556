/** A render's CPU and wall-clock limits, watched while it runs (./host.ts, ./native.ts). */
import type {ToolLimits} from '../limits.js'

/** Why a render was stopped. */
export interface LimitStop {
  ok: false
  limit: 'cpu' | 'time'
  message: string
}

/**
 * Watches one render (on a WebAssembly thread or in the native helper): past `limits.cpuSeconds` of CPU on `clock`
 * (milliseconds) since `start` it is stopped as a `cpu` breach; past `limits.timeoutMs` of wall-clock time — a
 * backstop that only a render waiting on nothing reaches — as a `time` breach.
 */
export function watchRender(
  clock: () => number,
  limits: ToolLimits,
  breach: (why: LimitStop) => void,
  start = clock(),
) {
  const used = () => clock() - start
  const cpuMs = limits.cpuSeconds * 1000
  const poll = setInterval(
    () => {
      if (used() > cpuMs) breach({ok: false, limit: 'cpu', message: `stopped after ${limits.cpuSeconds} s of CPU`})
    },
    Math.min(500, Math.max(20, cpuMs / 50)),
  )
  const backstop = setTimeout(
    () => breach({ok: false, limit: 'time', message: `stopped after ${limits.timeoutMs / 1000} s`}),
    limits.timeoutMs,
  )
  return {
    used,
    stop() {
      clearInterval(poll)
      clearTimeout(backstop)
    },
  }
}
