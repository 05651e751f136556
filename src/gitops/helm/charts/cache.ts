/**
 * Where chart archives are kept between runs: `<git dir>/ameide/cache/charts/`, beside the render cache (each archive
 * named by its sha256 and hashed again when read; `refs.json` maps an exact version to its digest). Undefined
 * outside a git work tree: the charts are then kept for the run only.
 */
import path from 'node:path'

import {gitDirOf} from '../../../cache/store.js'

export function chartCacheDir(repoRoot: string): string | undefined {
  const gitDir = gitDirOf(repoRoot)
  return gitDir === null ? undefined : path.join(gitDir, 'ameide', 'cache', 'charts')
}
