/**
 * The bounds of one renderer run on a revision: what a pull request can make helm or kustomize spend, and what
 * ameide reads back. The kernel keeps the first three (prlimit around the sandbox: address space, CPU seconds, the
 * largest file written); ameide keeps the rest (a time-out, the bytes read from the tool, the objects it will parse).
 * A breach is a `render-limit` finding naming the limit, never a crash or an out-of-memory ameide.
 */
import {existsSync} from 'node:fs'

export interface ToolLimits {
  /** Wall-clock time of one run (the render module's: a backstop behind its CPU limit). */
  timeoutMs: number
  /** CPU seconds of one run: every thread counted (RLIMIT_CPU), or the render module's thread alone. */
  cpuSeconds: number
  /** Address space of the tool (RLIMIT_AS): Go reserves some at start, so this is above what a render needs. */
  memoryBytes: number
  /** The largest file the tool may write (RLIMIT_FSIZE): its private home only. */
  fileBytes: number
  /** Bytes of output read back (stdout): past this the tool is stopped. */
  outputBytes: number
  /** YAML documents in the output: past this nothing of it is parsed. */
  objects: number
}

const MiB = 1024 * 1024

/** The limits of every helm and kustomize run on a revision (docs/security.md states them). */
export const RENDER_LIMITS: ToolLimits = {
  timeoutMs: 60_000,
  cpuSeconds: 60,
  memoryBytes: 4096 * MiB,
  fileBytes: 256 * MiB,
  outputBytes: 32 * MiB,
  objects: 20_000,
}

/**
 * The render module's limits (effects/render-module): its memory is the WebAssembly instance's linear memory — the
 * heap itself, not address space that Go only reserves — so half the binaries' address-space bound holds more. Its
 * time is the CPU time of the thread doing the render (effects/render-module/thread-cpu.ts), so a busy machine slows
 * a render without bringing it nearer its limit; the wall-clock time is only a backstop, ten times as long, for a
 * render that would hang without computing.
 */
export const MODULE_LIMITS: ToolLimits = {
  ...RENDER_LIMITS,
  timeoutMs: 10 * RENDER_LIMITS.cpuSeconds * 1000,
  memoryBytes: 2048 * MiB,
}

/** Which limit a run reached. */
export type LimitBreach = 'time' | 'cpu' | 'memory' | 'output' | 'objects'

/** One line a person reads: which limit, and its value. */
export function describeBreach(breach: LimitBreach, limits: ToolLimits = RENDER_LIMITS): string {
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

/** `prlimit`'s arguments that put the kernel's share of `limits` on a command (none where prlimit is missing). */
export function kernelLimits(limits: ToolLimits): string[] {
  const prlimit = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => existsSync(p))
  if (!prlimit) return []
  // Soft CPU limit first (SIGXCPU), the hard one a little later (SIGKILL) for a tool that ignores the first.
  return [
    prlimit,
    `--as=${limits.memoryBytes}`,
    `--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + 5}`,
    `--fsize=${limits.fileBytes}`,
    '--core=0',
    '--',
  ]
}

/** The breach a finished run shows: killed by the CPU limit, or the Go runtime's out-of-memory. */
export function breachOf(result: {exitCode: number; stderr: string; signal?: string}): LimitBreach | undefined {
  if (result.signal === 'SIGXCPU' || result.exitCode === 128 + 24) return 'cpu'
  if (result.signal === 'SIGKILL' || result.exitCode === 128 + 9) return 'cpu'
  if (
    /fatal error: (runtime: )?out of memory|failed to reserve page summary memory|cannot allocate memory/i.test(
      result.stderr,
    )
  )
    return 'memory'
  return undefined
}

/** More YAML documents in `text` than `max`: counted by separator lines, before anything is parsed. */
export function overObjects(text: string, max: number): boolean {
  let count = 0
  const separator = /^---[ \t]*$/gm
  while (separator.exec(text) !== null) if (++count > max) return true
  return false
}
