import {lstatSync, readFileSync, realpathSync, statSync, type Stats} from 'node:fs'
import path from 'node:path'

import {allowListedEnv} from './isolated-env.js'

/** node:child_process, loaded at its first use: most starts find the work tree without git (plainTopLevel) (docs/performance.md, the fixed cost). */
const childProcess = () => process.getBuiltinModule('node:child_process')

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
    childProcess().execFile('git', args, options, (error, stdout, stderr) => {
      const spawnFailed = error && typeof (error as {code?: unknown}).code === 'string'
      resolve({ok: !error, stdout: String(stdout ?? ''), stderr: String(stderr || (spawnFailed ? error.message : ''))})
    })
  })
}

/** `git rev-parse --show-toplevel` of `cwd`, or null outside a repository (or without git). */
export async function gitTopLevel(cwd: string): Promise<string | null> {
  const plain = plainTopLevel(cwd)
  if (plain !== undefined) return plain
  const result = await gitMaybe(cwd, ['rev-parse', '--show-toplevel'])
  return result.ok ? result.stdout.trim() : null
}

/**
 * What `git rev-parse --show-toplevel` prints, found without starting git (a process costs ≈ 12 ms of CPU, every
 * command's start pays it) in the plain case only: no variable that changes git's discovery (DISCOVERY_ENV),
 * `cwd`'s real path outside any `.git` folder, and in it or a folder above on the same file system a `.git` folder with a HEAD, owned (with the
 * folder holding it) by this user, whose config names no worktree and no bare repository. Anything else (a linked
 * worktree's `.git` file, no repository found, another owner) is undefined: git decides.
 */
const DISCOVERY_ENV =
  /^(GIT_(DIR|WORK_TREE|COMMON_DIR|CEILING_DIRECTORIES|DISCOVERY_ACROSS_FILESYSTEM|CONFIG.*|TEST_.*)|SUDO_UID)$/

export function plainTopLevel(cwd: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (Object.keys(env).some((k) => DISCOVERY_ENV.test(k))) return undefined
  const uid = process.getuid?.()
  try {
    let dir = realpathSync.native(cwd)
    if (uid === undefined || dir.split(path.sep).includes('.git')) return undefined
    const device = statSync(dir).dev
    for (;;) {
      const dotGit = lstatOrNull(path.join(dir, '.git'))
      if (dotGit) {
        if (!dotGit.isDirectory() || dotGit.uid !== uid || statSync(dir).uid !== uid) return undefined
        if (!statSync(path.join(dir, '.git', 'HEAD')).isFile()) return undefined
        const config = readFileSync(path.join(dir, '.git', 'config'), 'utf8')
        return /^\s*(worktree|bare\s*=\s*true)/im.test(config) ? undefined : dir
      }
      const up = path.dirname(dir)
      if (up === dir || statSync(up).dev !== device) return undefined
      dir = up
    }
  } catch {
    return undefined
  }
}

function lstatOrNull(file: string): Stats | null {
  try {
    return lstatSync(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

/** The URL of remote `name` of the repository at `cwd`, or null when there is none. */
export async function gitRemoteUrl(cwd: string, name = 'origin'): Promise<string | null> {
  const result = await gitMaybe(cwd, ['remote', 'get-url', name])
  const url = result.stdout.trim()
  return result.ok && url !== '' ? url : null
}

const NO_HOME = '/dev/null'

/** The flags and environment of git reading a revision (see gitRevisionRead). */
function revisionReadSettings(): {safe: string[]; env: NodeJS.ProcessEnv} {
  const safe = ['-c', 'core.fsmonitor=false', '-c', 'core.hooksPath=/dev/null', '-c', 'safe.directory=*']
  // No HOME to read: git takes a configuration under /dev/null (not a folder) as absent, and writes nothing here.
  const env = {
    ...allowListedEnv(NO_HOME),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
  }
  return {safe, env}
}

/**
 * gitRevisionRead, synchronous: a repository mapped with --source-repo is read when a source first names it, while
 * the deployables are read (synchronously). Never throws.
 */
export function gitRevisionReadSync(
  cwd: string,
  args: string[],
  input?: string,
): {ok: boolean; stdout: Buffer; stderr: string} {
  const {safe, env} = revisionReadSettings()
  const r = childProcess().spawnSync('git', [...safe, ...args], {cwd, env, input: input ?? '', maxBuffer: 2 ** 31 - 1})
  if (r.error) return {ok: false, stdout: Buffer.alloc(0), stderr: r.error.message}
  return {ok: r.status === 0, stdout: r.stdout, stderr: r.stderr.toString('utf8')}
}

/**
 * Git reading an untrusted revision (`git ls-tree`, `git cat-file --batch`, `git ls-files`): no fsmonitor, no hooks,
 * no system or user configuration, an allow-listed environment (./isolated-env.ts) whose HOME is no folder: no
 * credential, no proxy, none of the job's variables. `input` is written to its stdin. stdout as bytes. Never rejects.
 */
export async function gitRevisionRead(
  cwd: string,
  args: string[],
  input?: string,
): Promise<{ok: boolean; stdout: Buffer; stderr: string}> {
  const {safe, env} = revisionReadSettings()
  return new Promise((resolve) => {
    const child = childProcess().spawn('git', [...safe, ...args], {cwd, env, stdio: ['pipe', 'pipe', 'pipe']})
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.stderr.on('data', (b: Buffer) => err.push(b))
    child.on('error', (e) => resolve({ok: false, stdout: Buffer.alloc(0), stderr: e.message}))
    child.on('close', (code) =>
      resolve({ok: code === 0, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8')}),
    )
    child.stdin.on('error', () => undefined) // git may stop reading early: its exit code says why
    child.stdin.end(input ?? '')
  })
}
