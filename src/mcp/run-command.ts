import {spawn, type ChildProcess} from 'node:child_process'
import path from 'node:path'

import {parsed, type CommandRun, type RunOptions} from './command-run.js'
import {Resident, residentBound} from './resident.js'

/**
 * Runs `ameide <id> <argv>` (argv ends with `--json`) as the CLI runs it: bin/run.js in its own process, so the
 * JSON document is exactly what `--json` prints, nothing it writes can reach the server's stdout, and a cancelled
 * call stops that process alone. The process gets an IPC channel: its progress reporter sends its lines there
 * (src/core/output/progress.ts), and on SIGTERM it finishes the synchronous step it is in (a set of renames) before
 * it exits; scaffold rolls back what it wrote.
 *
 * Each call's process is started ahead, after the call before it, while the agent thinks: Node and oclif loaded, and after a call that rendered,
 * the render module compiled and its Go runtime initialised (bin/run.js `preforked`). The call then only hands it
 * its argv and folder. AMEIDE_MCP_AHEAD=0 starts each process at its call instead.
 *
 * The GitOps readers' calls (`resident`: they only read) run one after another in one resident process (./resident.ts),
 * so what one call kept in memory serves the next; every other call is one process, and nothing it leaves in memory
 * reaches the next. AMEIDE_MCP_RESIDENT=0 runs every call in a process of its own.
 */
export class CommandRunner {
  private ahead: ChildProcess | undefined
  private readonly enabled = process.env.AMEIDE_MCP_AHEAD !== '0'
  private readonly resident =
    process.env.AMEIDE_MCP_RESIDENT === '0'
      ? undefined
      : new Resident(residentBound(), (chunk) => process.stderr.write(chunk))
  private closed = false

  constructor(private readonly packageRoot: string) {}

  /** The resident process's pid, when there is one (tests). */
  get residentPid(): number | undefined {
    return this.resident?.pid
  }

  /** Starts the first call's process (at tools/list: an agent lists the tools, then calls them). */
  prepare(): void {
    if (this.ahead === undefined) this.startAhead(false)
  }

  /** Runs a call; `reader`: a GitOps reader's (resident, and it renders). */
  run(id: string, argv: readonly string[], options: RunOptions, reader: boolean): Promise<CommandRun> {
    const call = [...id.split(':'), ...argv]
    if (reader && this.resident?.idle) {
      // A process for the resident's first call: the one started ahead, else one that waits for its call. The next
      // reader's call comes back here: the process started ahead is for the other tools.
      const start = () => this.takeAhead() ?? this.spawn([], process.cwd(), {AMEIDE_MCP_PREFORK: '1'})
      return this.resident.run(call, options, start).finally(() => this.next(false))
    }
    const started = this.takeAhead()
    const child = started ?? this.spawn(call, options.cwd)
    if (started) child.send({argv: call, cwd: options.cwd})
    return collect(child, options).finally(() => this.next(reader))
  }

  /** The next call's process, started once this call has ended: not competing with it for the cores. */
  private next(renders: boolean): void {
    if (this.ahead === undefined && !this.closed) this.startAhead(renders)
  }

  /** Ends the process waiting for a call that will not come (the server is closing). */
  close(): void {
    this.closed = true
    this.resident?.retire()
    this.ahead?.kill()
    this.ahead = undefined
  }

  private takeAhead(): ChildProcess | undefined {
    const child = this.ahead
    this.ahead = undefined
    return child && child.exitCode === null && child.signalCode === null && child.connected ? child : undefined
  }

  private startAhead(renders: boolean): void {
    if (!this.enabled) return
    const child = this.spawn([], process.cwd(), {AMEIDE_MCP_PREFORK: renders ? 'render' : '1'})
    child.on('error', () => undefined) // a process that could not start is not taken (takeAhead checks it)
    this.ahead = child
  }

  private spawn(argv: readonly string[], cwd: string, env: Record<string, string> = {}): ChildProcess {
    return spawn(process.execPath, [path.join(this.packageRoot, 'bin', 'run.js'), ...argv], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {...process.env, NO_COLOR: '1', ...env},
    })
  }
}

/** The call's JSON document, its progress relayed, its stderr to the server's, and how it ended. */
function collect(child: ChildProcess, options: RunOptions): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = []
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk))
    // The command's stderr (warnings, tool output it relays, redacted) is the server's log: stderr.
    child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk))
    child.on('message', (message: unknown) => {
      const text = (message as {progress?: unknown} | null)?.progress
      if (typeof text === 'string') options.onProgress?.(text)
    })
    const abort = () => child.kill('SIGTERM')
    if (options.signal?.aborted) abort()
    options.signal?.addEventListener('abort', abort, {once: true})
    child.on('error', reject)
    child.on('close', (exitCode, signal) => {
      options.signal?.removeEventListener('abort', abort)
      resolve({...parsed(Buffer.concat(out).toString('utf8')), exitCode, signal})
    })
  })
}
