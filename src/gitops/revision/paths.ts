/**
 * Paths inside a revision (held in memory): the one confinement of every path a deployable names, and what in-bounds
 * links resolve to (inputs of the render-cache keys). Pure: reads the file system, raises nothing.
 */
import {realpathSync} from '../../core/memory-fs/index.js'
import path from 'node:path'

/**
 * The repo-relative path `p` (relative to the revision's root) resolves to after symlinks, or undefined when it
 * leaves the revision; a missing path is returned normalised (its reader says it is missing). The one confinement
 * of every path a deployable names.
 */
export function confinedPath(root: string, p: string): string | undefined {
  const normal = path.posix.normalize(p)
  if (normal === '..' || normal.startsWith('../') || path.posix.isAbsolute(normal)) return undefined
  let realRoot: string
  let real: string
  try {
    realRoot = realpathSync(root)
  } catch {
    realRoot = path.resolve(root)
  }
  try {
    real = realpathSync(path.join(root, normal))
  } catch {
    return normal.replace(/^\.\//, '').replace(/^\.$/, '')
  }
  if (real === realRoot) return ''
  const rel = path.relative(realRoot, real)
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined
  return rel.split(path.sep).join('/')
}

/** The files an in-bounds link under one of `dirs` (repo-relative folders or files) resolves to: render-cache inputs. */
export function linkedInputs(
  revision: {files: readonly string[]; links: ReadonlyMap<string, string>},
  dirs: readonly string[],
): string[] {
  if (revision.links.size === 0) return []
  const out: string[] = []
  for (const [link, to] of revision.links) {
    if (!dirs.some((d) => d === '' || link === d || link.startsWith(`${d}/`))) continue
    out.push(`${link}\0${to}`)
    for (const f of revision.files) if (to === '' || f === to || f.startsWith(`${to}/`)) out.push(f)
  }
  return out
}

/**
 * `text` (a renderer's message) with every spelling of the revision's folder `root` — as given and resolved — made
 * repository-relative: what is cached and printed never names a temporary folder, on this run or a replay.
 */
export function repoRelative(text: string, root: string): string {
  let real = root
  try {
    real = realpathSync(root)
  } catch {
    // gone already: the spelling given
  }
  const spellings = [...new Set([root, real, path.resolve(root)])].sort((a, b) => b.length - a.length)
  let out = text
  for (const s of spellings) out = out.replaceAll(`${s}/`, '').replaceAll(s, '.')
  return out
}
