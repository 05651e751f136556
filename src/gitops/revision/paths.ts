/**
 * Paths inside a revision (held in memory): the one confinement of every path a deployable names, and what in-bounds
 * links resolve to (inputs of the render-cache keys). Pure: reads the file system, raises nothing.
 */
import {isLinkFree, realpathSync} from '../../core/memory-fs/index.js'
import path from 'node:path'

/**
 * The repo-relative path `p` (relative to the revision's root) resolves to after symlinks, or undefined when it
 * leaves the revision; a missing path is returned normalised (its reader says it is missing). The one confinement
 * of every path a deployable names.
 */
export function confinedPath(root: string, p: string): string | undefined {
  const normal = path.posix.normalize(p)
  if (normal === '..' || normal.startsWith('../') || path.posix.isAbsolute(normal)) return undefined
  // A revision without links: nothing to follow, the path is where it leads.
  if (!normal.endsWith('/') && isLinkFree(root)) return normal === '.' ? '' : normal
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

/** A list of files in sorted order: itself when it is sorted, else a sorted copy with each file's place in it. */
interface SortedView {
  length: number
  sorted: readonly string[]
  /** Index in the list of each file of `sorted` (none when the list is sorted). */
  order?: number[]
}
const views = new WeakMap<readonly string[], SortedView>()

function sortedView(files: readonly string[]): SortedView {
  const known = views.get(files)
  if (known?.length === files.length) return known
  let isSorted = true
  for (let i = 1; i < files.length && isSorted; i++) isSorted = files[i - 1] <= files[i]
  let view: SortedView = {length: files.length, sorted: files}
  if (!isSorted) {
    const order = files.map((_, i) => i).sort((a, b) => (files[a] < files[b] ? -1 : files[a] > files[b] ? 1 : a - b))
    view = {length: files.length, sorted: order.map((i) => files[i]), order}
  }
  views.set(files, view)
  return view
}

/**
 * `files.filter((f) => f.startsWith(prefix))`, in the list's order, without reading every file: the files under a
 * prefix are one run of the sorted list, found by bisection (each list sorted once, remembered while it lives).
 */
export function filesWithPrefix(files: readonly string[], prefix: string): string[] {
  if (prefix === '') return [...files]
  const {sorted, order} = sortedView(files)
  const lo = firstAtLeast(sorted, prefix)
  let end = lo
  while (end < sorted.length && sorted[end].startsWith(prefix)) end++
  if (!order) return sorted.slice(lo, end)
  return order
    .slice(lo, end)
    .sort((a, b) => a - b)
    .map((i) => files[i])
}

/** `files.includes(file)`, by bisection of the list sorted once. */
export function hasFile(files: readonly string[], file: string): boolean {
  const {sorted} = sortedView(files)
  return sorted[firstAtLeast(sorted, file)] === file
}

/** The index of the first of `sorted` that is not before `s`. */
function firstAtLeast(sorted: readonly string[], s: string): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid] < s) lo = mid + 1
    else hi = mid
  }
  return lo
}
