import {execFile} from 'node:child_process'

/**
 * Git, as an external process. Every git call ameide makes goes through this module. It uses
 * node:child_process directly: importing execa alone costs ≈ 50–75 ms, a tenth of a retag-only publish.
 */
export interface GitResult {
  /** Exit code 0. */
  ok: boolean
  stdout: string
  stderr: string
}

/** Large change sets list many paths; the same ceiling as execa's default. */
const MAX_BUFFER = 100 * 1024 * 1024

/**
 * Runs git in `cwd` (`env`: variables added to the process's, e.g. a temporary `GIT_INDEX_FILE`); never rejects (a
 * missing git binary is `ok: false` with the spawn error in `stderr`).
 */
export function gitMaybe(cwd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<GitResult> {
  return new Promise((resolve) => {
    const options = {
      cwd,
      encoding: 'utf8' as const,
      maxBuffer: MAX_BUFFER,
      ...(env ? {env: {...process.env, ...env}} : {}),
    }
    execFile('git', args, options, (error, stdout, stderr) => {
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

/** The URL of remote `name` of the repository at `cwd`, or null when there is none. */
export async function gitRemoteUrl(cwd: string, name = 'origin'): Promise<string | null> {
  const result = await gitMaybe(cwd, ['remote', 'get-url', name])
  const url = result.stdout.trim()
  return result.ok && url !== '' ? url : null
}
