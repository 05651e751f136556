/**
 * The files a kustomization names as patches (`patches[].path`, `patchesStrategicMerge` entries,
 * `patchesJson6902[].path`): inputs of its build, never objects of their own — a patch file that looks like an
 * Argo CD ApplicationSet (a list overlay's elements) is only the part of one that the build merges.
 */
import path from 'node:path'

import type {YamlModule} from '../../images/yaml/index.js'

/** The kustomization keys whose entries name patch files. */
export const PATCH_KEYS = ['patches', 'patchesStrategicMerge', 'patchesJson6902']

/** The repo-relative files of the revision `value` (a patch list of the kustomization in `dir`) names. */
export function patchPaths(yaml: YamlModule, value: unknown, dir: string, files: ReadonlySet<string>): string[] {
  if (!yaml.isSeq(value)) return []
  const out: string[] = []
  for (const item of value.items) {
    // A strategic-merge entry is a path or an inline patch; the other lists' entries are maps with `path`.
    const entry = yaml.isScalar(item) ? item.value : yaml.isMap(item) ? item.get('path') : undefined
    if (typeof entry !== 'string' || entry.includes('\n')) continue
    const file = path.posix.normalize(path.posix.join(dir, entry))
    if (files.has(file)) out.push(file)
  }
  return out
}
