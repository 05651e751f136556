import {execa} from 'execa'
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'

type Cleanup = () => Promise<void> | void

const cleanups: Cleanup[] = []

/** Registers work for runCleanups() (LIFO). Call `afterAll(runCleanups)` in each test file that uses these helpers. */
export function registerCleanup(fn: Cleanup): void {
  cleanups.push(fn)
}

/** Runs and forgets every registered cleanup, newest first; collects errors and throws them together at the end. */
export async function runCleanups(): Promise<void> {
  const errors: unknown[] = []
  while (cleanups.length > 0) {
    const fn = cleanups.pop()!
    try {
      await fn()
    } catch (error) {
      errors.push(error)
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, `${errors.length} test cleanup(s) failed`)
}

/** Set AMEIDE_KEEP_TMP=1 to keep temp dirs for debugging. */
const keepTemp = process.env.AMEIDE_KEEP_TMP === '1'

/** A fresh directory under the OS temp dir, removed by runCleanups() (unless AMEIDE_KEEP_TMP=1). */
export async function makeTempDir(prefix = 'ameide-test-'): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix))
  registerCleanup(async () => {
    if (!keepTemp) await rm(dir, {recursive: true, force: true, maxRetries: 3})
  })
  return dir
}

const GIT_IDENTITY = {name: 'Ameide Test', email: 'ameide-test@example.invalid'}

/** Runs git in `dir` with a deterministic environment (no system config, no pager, no prompts). */
export async function git(dir: string, args: string[]): Promise<string> {
  const result = await execa('git', args, {
    cwd: dir,
    env: {GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', LC_ALL: 'C'},
  })
  return result.stdout.trim()
}

/** `git init` on branch main with a local identity (no global config needed) and signing off. */
export async function initGitRepo(dir: string): Promise<void> {
  await git(dir, ['init', '-q', '-b', 'main'])
  await git(dir, ['config', 'user.name', GIT_IDENTITY.name])
  await git(dir, ['config', 'user.email', GIT_IDENTITY.email])
  await git(dir, ['config', 'commit.gpgsign', 'false'])
}

/** Stages everything and commits (allowing an empty commit); returns the 40-hex commit sha. */
export async function commitAll(dir: string, message: string): Promise<string> {
  await git(dir, ['add', '-A'])
  await git(dir, ['commit', '-q', '--allow-empty', '--no-verify', '-m', message])
  return git(dir, ['rev-parse', 'HEAD'])
}

/** Writes `files` (path relative to `dir` → text) under `dir`, making their folders. */
export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), {recursive: true})
    await writeFile(path.join(dir, file), text)
  }
}
