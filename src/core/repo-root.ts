import {stat} from 'node:fs/promises'
import path from 'node:path'

import {prerequisiteError, usageError} from './errors.js'
import {gitTopLevel} from '../effects/git.js'

/**
 * The repository root every command works in: `--repo-root DIR` when given (it must be a
 * directory), else the git top-level of the current directory (exit 3 when there is none).
 */
export async function resolveRepoRoot(flag: string | undefined, cwd = process.cwd()): Promise<string> {
  if (flag !== undefined) {
    const dir = path.resolve(cwd, flag)
    const info = await stat(dir).catch(() => null)
    if (!info?.isDirectory()) {
      throw usageError('REPO_ROOT_NOT_FOUND', `--repo-root ${flag} is not a directory.`, [
        'Pass the path of the monorepo checkout (the folder that holds primitives/).',
      ])
    }
    return dir
  }

  const top = await gitTopLevel(cwd)
  if (!top) {
    throw prerequisiteError('NOT_A_GIT_REPOSITORY', `${cwd} is not inside a git repository.`, [
      'Run the command inside the monorepo checkout, or pass --repo-root DIR.',
    ])
  }
  return top
}
