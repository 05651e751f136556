/** A command run for a tool call: what it is given and what it answered (./run-command.ts, ./resident.ts). */

/** What a command printed with `--json`, and how it ended. */
export interface CommandRun {
  /** The one JSON document on stdout, or undefined when there was none (the process died). */
  document: unknown
  exitCode: number | null
  signal: NodeJS.Signals | null
}

export interface RunOptions {
  cwd: string
  /** `primitive publish`'s progress lines, relayed from the command's own progress reporter. */
  onProgress?: (text: string) => void
  /** Cancellation: the command is sent SIGTERM and the call waits for it to stop. */
  signal?: AbortSignal
}

/** The one JSON document a call printed, or undefined where there is none. */
export function parsed(stdout: string): {document: unknown} {
  const text = stdout.trim()
  try {
    return {document: text === '' ? undefined : JSON.parse(text)}
  } catch {
    return {document: undefined}
  }
}
