import {execFile} from 'node:child_process'

/**
 * Git for the publish path, as `effects/git.ts`'s `gitMaybe` (same result shape, same semantics: never rejects,
 * `ok` is exit code 0) but through node:child_process: `effects/git.ts` goes through execa, whose import alone
 * costs ≈ 50–75 ms of a ≈ 0.5 s retag-only publish (measured with `bench/publish`), and each call ≈ 1 ms more.
 * Output is read as UTF-8 with the same 100 MB ceiling as execa's default (large change sets).
 */
export interface GitResult {
  ok: boolean
  stdout: string
  stderr: string
}

const MAX_BUFFER = 100 * 1024 * 1024

export function gitMaybe(cwd: string, args: string[]): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile('git', args, {cwd, encoding: 'utf8', maxBuffer: MAX_BUFFER}, (error, stdout, stderr) => {
      // no git at all: its spawn error is the message (execa's exit code is then absent too: not ok)
      const spawnFailed = error && typeof (error as {code?: unknown}).code === 'string'
      resolve({ok: !error, stdout: String(stdout ?? ''), stderr: String(stderr || (spawnFailed ? error.message : ''))})
    })
  })
}

/** `git rev-parse --show-toplevel` of `cwd`, or null outside a repository (or without git). */
export async function gitTopLevel(cwd: string): Promise<string | null> {
  const result = await gitMaybe(cwd, ['rev-parse', '--show-toplevel'])
  return result.ok ? result.stdout.trim() : null
}
