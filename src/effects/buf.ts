import {access, constants} from 'node:fs/promises'
import path from 'node:path'

/**
 * `buf`, as an external process: every buf call ameide makes goes through this module. `verify` spawns
 * it only for primitives that have generated code.
 */
export interface BufRunResult {
  ok: boolean
  output: string
}

/** PATH for buf and its plugins: the user's PATH, then the repository's node_modules/.bin (npm @bufbuild/buf). */
export function toolPath(repoRoot: string, envPath = process.env.PATH ?? ''): string {
  return [envPath, path.join(repoRoot, 'node_modules', '.bin')].filter(Boolean).join(path.delimiter)
}

/** Absolute path of an executable found on `searchPath`, or null. */
export async function findExecutable(name: string, searchPath: string): Promise<string | null> {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue
    const candidate = path.join(dir, name)
    const ok = await access(candidate, constants.X_OK).then(
      () => true,
      () => false,
    )
    if (ok) return candidate
  }
  return null
}

/** `buf generate [input] --template T --output OUT`, run in `cwd`. Never throws on a non-zero exit. */
export async function bufGenerate(opts: {
  buf: string
  cwd: string
  template: string
  input: string | null
  output: string
  searchPath: string
}): Promise<BufRunResult> {
  const {execa} = await import('execa')
  const args = ['generate', ...(opts.input ? [opts.input] : []), '--template', opts.template, '--output', opts.output]
  const result = await execa(opts.buf, args, {
    cwd: opts.cwd,
    env: {PATH: opts.searchPath, BUF_CACHE_DIR: process.env.BUF_CACHE_DIR},
    extendEnv: true,
    reject: false,
    timeout: 180_000,
    all: true,
  })
  return {ok: result.exitCode === 0, output: String(result.all ?? '').trim()}
}
