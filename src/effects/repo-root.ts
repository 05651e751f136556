/**
 * The one root resolver: the checkout a command works in, from the flag that names it (a directory, exit 2
 * REPO_ROOT_NOT_FOUND) or else the git top-level of the current directory (exit 3 NOT_A_GIT_REPOSITORY when
 * required). Told which flag and which repository it resolves, so every failure names the right ones.
 */
import {stat} from 'node:fs/promises'
import path from 'node:path'

import {prerequisiteError, usageError} from '../core/errors.js'
import {gitTopLevel} from './git.js'

/** Which checkout a command resolves, and by which flag. */
export interface RootTarget {
  flag: '--repo-root' | '--root'
  /** e.g. "monorepo checkout" */
  repository: string
  /** What the folder holds, e.g. "primitives/". */
  holds: string
}

/** The monorepo (primitive scaffold, verify, publish, and the gitops: settings of the dispatch commands). */
export const MONOREPO_ROOT: RootTarget = {flag: '--repo-root', repository: 'monorepo checkout', holds: 'primitives/'}
/** The GitOps repository (gitops verify, set-image, promote). */
export const GITOPS_ROOT: RootTarget = {flag: '--root', repository: 'GitOps checkout', holds: 'sources/values/'}

/** The root: `value` when given (it must be a directory), else the git top-level of `cwd` (exit 3 when none). */
export async function resolveRoot(value: string | undefined, target: RootTarget, cwd = process.cwd()): Promise<string> {
  const found = await resolveRootMaybe(value, target, cwd)
  if (found === null) {
    throw prerequisiteError('NOT_A_GIT_REPOSITORY', `${cwd} is not inside a git repository.`, [
      `Run the command inside the ${target.repository}, or pass ${target.flag} DIR.`,
    ])
  }
  return found
}

/** As resolveRoot, but null (not an error) when no flag is given and `cwd` is outside a repository. */
export async function resolveRootMaybe(
  value: string | undefined,
  target: RootTarget,
  cwd = process.cwd(),
): Promise<string | null> {
  if (value === undefined) return gitTopLevel(cwd)
  const dir = path.resolve(cwd, value)
  const info = await stat(dir).catch(() => null)
  if (!info?.isDirectory()) {
    throw usageError('REPO_ROOT_NOT_FOUND', `${target.flag} ${value} is not a directory.`, [
      `Pass the path of the ${target.repository} (the folder that holds ${target.holds}).`,
    ])
  }
  return dir
}
