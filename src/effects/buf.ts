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

/** buf in `cwd` with PATH `searchPath` (its plugins) and the shared cache; never rejects on a non-zero exit. */
async function runBuf(buf: string, args: string[], cwd: string, searchPath: string) {
  const {execa} = await import('execa')
  return execa(buf, args, {
    cwd,
    env: {PATH: searchPath, BUF_CACHE_DIR: process.env.BUF_CACHE_DIR},
    extendEnv: true,
    reject: false,
    timeout: 180_000,
    all: true,
  })
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
  const args = ['generate', ...(opts.input ? [opts.input] : []), '--template', opts.template, '--output', opts.output]
  const result = await runBuf(opts.buf, args, opts.cwd, opts.searchPath)
  return {ok: result.exitCode === 0, output: String(result.all ?? '').trim()}
}

/** One problem `buf lint` / `buf breaking` reports (`--error-format json`), path relative to the module. */
export interface BufIssue {
  path: string
  line: number
  column: number
  type: string
  message: string
}

/**
 * `buf lint` or `buf breaking --against AGAINST` on the module in `moduleDir`, with the module's own buf.yaml.
 * Exit 100 means issues (returned); any other non-zero exit is a failure of buf itself (`failure` set).
 */
export async function bufCheck(opts: {
  buf: string
  moduleDir: string
  command: 'lint' | 'breaking'
  against?: string
  searchPath: string
}): Promise<{issues: BufIssue[]; failure?: string}> {
  const args = [opts.command, ...(opts.against ? ['--against', opts.against] : []), '--error-format', 'json']
  const result = await runBuf(opts.buf, args, opts.moduleDir, opts.searchPath)
  if (result.exitCode === 0) return {issues: []}
  const issues: BufIssue[] = []
  for (const line of String(result.stdout).split('\n')) {
    if (!line.trim().startsWith('{')) continue
    const raw = JSON.parse(line) as {
      path?: string
      start_line?: number
      start_column?: number
      type?: string
      message?: string
    }
    issues.push({
      path: raw.path ?? '',
      line: raw.start_line ?? 0,
      column: raw.start_column ?? 0,
      type: raw.type ?? 'BUF',
      message: raw.message ?? '',
    })
  }
  if (result.exitCode === 100 && issues.length > 0) return {issues}
  return {
    issues,
    failure: `${String(result.stderr).trim() || String(result.stdout).trim()}`.split('\n').slice(0, 5).join(' | '),
  }
}
