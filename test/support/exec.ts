/**
 * A program run to its end without blocking the test worker: vitest's worker answers its host over RPC with a fixed
 * 60 s timeout, so a synchronous build past a minute (a Go program compiled on a loaded machine, a fresh module cache)
 * fails a run whose every test passed ("Timeout calling onTaskUpdate"). Builds and long tools go through here.
 */
import {spawn} from 'node:child_process'

export interface RunOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Written to its stdin. */
  input?: string
  /** Its stderr shown as it comes (a build's progress), besides being kept for the error. */
  showStderr?: boolean
}

/** Its stdout, once it exited 0; else an error with its exit and stderr. */
export function runToEnd(file: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe']})
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => {
      err.push(chunk)
      if (options.showStderr) process.stderr.write(chunk)
    })
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'))
      else
        reject(
          new Error(
            `${file} ${args.join(' ')} ended ${signal ?? `with ${code}`}: ${Buffer.concat(err).toString('utf8')}`,
          ),
        )
    })
    child.stdin.end(options.input ?? '')
  })
}
