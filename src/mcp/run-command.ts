import {spawn} from 'node:child_process'
import path from 'node:path'

/** What a command printed with `--json`, and how it ended. */
export interface CommandRun {
  /** The one JSON document on stdout, or undefined when there was none (the process died). */
  document: unknown
  exitCode: number | null
  signal: NodeJS.Signals | null
}

export interface RunOptions {
  packageRoot: string
  cwd: string
  /** `primitive publish`'s progress lines, relayed from the command's own progress reporter. */
  onProgress?: (text: string) => void
  /** Cancellation: the command is sent SIGTERM and the call waits for it to stop. */
  signal?: AbortSignal
}

/**
 * Runs `ameide <id> <argv>` (argv ends with `--json`) as the CLI runs it: bin/run.js in its own process, so the
 * JSON document is exactly what `--json` prints, nothing it writes can reach the server's stdout, and a cancelled
 * call stops that process alone. The process gets an IPC channel: its progress reporter sends its lines there
 * (src/core/output/progress.ts), and on SIGTERM it finishes the synchronous step it is in (a set of renames) before
 * it exits; scaffold rolls back what it wrote.
 */
export function runCommand(id: string, argv: readonly string[], options: RunOptions): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(options.packageRoot, 'bin', 'run.js'), ...id.split(':'), ...argv],
      {
        cwd: options.cwd,
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        env: {...process.env, NO_COLOR: '1'},
      },
    )
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
      const text = Buffer.concat(out).toString('utf8').trim()
      let document: unknown
      try {
        document = text === '' ? undefined : JSON.parse(text)
      } catch {
        document = undefined
      }
      resolve({document, exitCode, signal})
    })
  })
}
