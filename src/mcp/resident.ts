import type {ChildProcess} from 'node:child_process'

import {parsed, type CommandRun, type RunOptions} from './command-run.js'

/** What the resident process answers for a call (bin/run.js `resident`): the call's stdout and exit code, its memory. */
interface Answer {
  stdout: string
  exitCode: number
  /** The process's resident set after the call, bytes. */
  rss: number
}

/** The memory a resident process may hold after a call before it is retired: AMEIDE_MCP_RESIDENT_MB, default 1024. */
export function residentBound(env: NodeJS.ProcessEnv = process.env): number {
  const mb = Number(env.AMEIDE_MCP_RESIDENT_MB)
  return (Number.isInteger(mb) && mb > 0 ? mb : 1024) * 1024 * 1024
}

/**
 * The process that runs the GitOps readers' calls one after another (`gitops verify`, `diff`, `preview`: they only
 * read), so what a call loaded and kept serves the next: the modules compiled and optimised, the render module
 * started, the kept steps and parsed texts in memory (src/gitops/memo/steps.ts, bounded) — an agent's second question
 * costs what changed. Each call is still run as the CLI runs it (bin/run.js `resident`): its stdout is the document,
 * its exit code is the call's. The process is retired after a call that leaves it holding more than `bound` bytes,
 * when a call is cancelled (SIGTERM ends it, as it ends a call's own process), or when it dies; the next reader's call
 * then makes a new one. One call at a time: a call that comes while it is busy runs in a process of its own.
 */
export class Resident {
  private child: ChildProcess | undefined
  private busy = false

  constructor(
    private readonly bound: number,
    private readonly relayStderr: (chunk: Buffer) => void,
  ) {}

  /** Whether a call can be handed to the resident process now (one is alive and idle, or none is yet). */
  get idle(): boolean {
    return !this.busy
  }

  /** The resident process's pid, or undefined when there is none (tests). */
  get pid(): number | undefined {
    return this.child?.pid
  }

  /** Runs a call in the resident process; `start` gives a process ready for a call when there is none. */
  run(call: readonly string[], options: RunOptions, start: () => ChildProcess): Promise<CommandRun> {
    const child = this.alive() ?? this.adopt(start())
    this.busy = true
    child.send({argv: call, cwd: options.cwd, resident: true})
    return answerOf(child, options).then((run) => {
      this.busy = false
      if (run.signal !== null || run.exitCode === null || run.rss === undefined || run.rss > this.bound) this.retire()
      return {document: run.document, exitCode: run.exitCode, signal: run.signal}
    })
  }

  /** Ends the resident process (the server is closing, or it holds too much). */
  retire(): void {
    this.child?.kill()
    this.child = undefined
  }

  private alive(): ChildProcess | undefined {
    const child = this.child
    return child && child.exitCode === null && child.signalCode === null && child.connected ? child : undefined
  }

  private adopt(child: ChildProcess): ChildProcess {
    this.retire()
    child.stderr?.on('data', this.relayStderr)
    child.stdout?.resume() // a resident call's document comes as a message; stray bytes are dropped, never mixed in
    child.on('error', () => undefined) // a process that could not start ends the call (answerOf: 'close')
    this.child = child
    return child
  }
}

/** The call's answer from the resident process, its progress relayed; or how the process ended before answering. */
function answerOf(child: ChildProcess, options: RunOptions): Promise<CommandRun & {rss?: number}> {
  return new Promise((resolve) => {
    const abort = () => child.kill('SIGTERM')
    const done = (run: CommandRun & {rss?: number}) => {
      child.off('message', onMessage)
      child.off('close', onClose)
      options.signal?.removeEventListener('abort', abort)
      resolve(run)
    }
    const onMessage = (message: unknown) => {
      const {progress, answer} = (message ?? {}) as {progress?: unknown; answer?: Answer}
      if (typeof progress === 'string') options.onProgress?.(progress)
      if (answer !== undefined)
        done({...parsed(answer.stdout), exitCode: answer.exitCode, signal: null, rss: answer.rss})
    }
    const onClose = (exitCode: number | null, signal: NodeJS.Signals | null) =>
      done({document: undefined, exitCode, signal})
    child.on('message', onMessage)
    child.on('close', onClose)
    if (options.signal?.aborted) abort()
    options.signal?.addEventListener('abort', abort, {once: true})
  })
}
