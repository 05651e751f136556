/**
 * The bounds of one render of a revision: what a pull request can make Helm or kustomize spend in the render module
 * (./render-module), and what ameide reads back (the bytes of output, the objects it will parse). A breach is a
 * `render-limit` finding naming the limit, never a crash or an out-of-memory ameide.
 */

export interface ToolLimits {
  /** Wall-clock time of one run (the render module's: a backstop behind its CPU limit). */
  timeoutMs: number
  /** CPU seconds of one run: the render module's thread doing it. */
  cpuSeconds: number
  /** The module's memory (its WebAssembly linear memory). */
  memoryBytes: number
  /** Bytes of output read back (stdout): past this the tool is stopped. */
  outputBytes: number
  /** YAML documents in the output: past this nothing of it is parsed. */
  objects: number
}

const MiB = 1024 * 1024

/**
 * The render module's limits (effects/render-module; docs/security.md states them): its memory is the WebAssembly
 * instance's linear memory — the heap itself, not address space that Go only reserves. Its time is the CPU time of
 * the thread doing the render (effects/render-module/thread-cpu.ts), so a busy machine slows a render without
 * bringing it nearer its limit; the wall-clock time is only a backstop, ten times as long, for a render that would
 * hang without computing.
 */
export const MODULE_LIMITS: ToolLimits = {
  timeoutMs: 10 * 60 * 1000,
  cpuSeconds: 60,
  memoryBytes: 2048 * MiB,
  outputBytes: 32 * MiB,
  objects: 20_000,
}

/** Which limit a run reached. */
export type LimitBreach = 'time' | 'cpu' | 'memory' | 'output' | 'objects'

/** One line a person reads: which limit, and its value. */
export function describeBreach(breach: LimitBreach, limits: ToolLimits = MODULE_LIMITS): string {
  switch (breach) {
    case 'time':
      return `it ran longer than ${limits.timeoutMs / 1000} s and was stopped`
    case 'cpu':
      return `it used more than ${limits.cpuSeconds} s of CPU and was stopped`
    case 'memory':
      return `it ran out of its ${limits.memoryBytes / MiB} MiB of memory`
    case 'output':
      return `it printed more than ${limits.outputBytes / MiB} MiB and was stopped`
    case 'objects':
      return `it rendered more than ${limits.objects.toLocaleString('en-US')} objects`
  }
}

/** More YAML documents in `text` than `max`: counted by separator lines, before anything is parsed. */
export function overObjects(text: string, max: number): boolean {
  let count = 0
  const separator = /^---[ \t]*$/gm
  while (separator.exec(text) !== null) if (++count > max) return true
  return false
}
