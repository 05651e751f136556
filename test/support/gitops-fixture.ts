import {cp} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {commitAll, git, initGitRepo, makeTempDir, writeFiles} from './tmp.js'

/** The checked-in GitOps repository fixture (seed 000's layout), shared by the gitops command tests. */
export const GITOPS_FIXTURE = fileURLToPath(new URL('../fixtures/gitops-repo/', import.meta.url))

/**
 * A fresh git repository holding a copy of the GitOps fixture (one commit on `main`), byte for byte: CRLF files
 * and files without a final newline stay as they are. Removed by runCleanups().
 */
export async function gitopsRepo(): Promise<string> {
  const dir = path.join(await makeTempDir('ameide-gitops-'), 'gitops')
  await cp(GITOPS_FIXTURE, dir, {recursive: true})
  await initGitRepo(dir)
  await git(dir, ['config', 'core.autocrlf', 'false'])
  await commitAll(dir, 'GitOps fixture')
  return dir
}

/** A fresh git repository made of the given files (paths relative to its root), one commit. Removed by runCleanups(). */
export async function gitopsTree(files: Record<string, string>): Promise<string> {
  const dir = await makeTempDir('ameide-gitops-case-')
  await initGitRepo(dir)
  await writeFiles(dir, files)
  await commitAll(dir, 'case')
  return dir
}
