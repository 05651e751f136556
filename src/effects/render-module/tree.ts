/**
 * The folders a render may read, as the render module's thread takes them (./worker.ts): a tree mounted in memory
 * (core/memory-fs: a revision, a render's scratch folder) whole, as it is held; a folder of the host walked, every
 * regular file and folder under it at its absolute path and the links that stay inside what the request may read,
 * nothing outside ever read. A thread keeps a revision's tree for as long as it is mounted: it is sent once.
 */
import {lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync} from 'node:fs'
import path from 'node:path'

import {inMemory, isMounted, MEMORY_ROOT, mountOf, snapshotOf as heldTree} from '../../core/memory-fs/index.js'
import type {Snapshot} from './memfs.js'

/** One folder of a request, as it crosses to the thread: its snapshot left out when the thread keeps it already. */
export interface RequestTree {
  key: string
  /** Kept by the thread (a revision) until a request's `drop` names it; else for this request only. */
  keep: boolean
  snapshot?: Snapshot
}

/**
 * The trees of a request over `roots` (kept) and `transient` folders, for a thread that keeps `held` (updated):
 * and the kept trees it may drop, their mounts gone.
 */
export function requestTrees(
  request: {roots: readonly string[]; transient?: readonly string[]},
  held: Set<string>,
): {trees: RequestTree[]; drop: string[]} {
  const drop = [...held].filter((k) => k.startsWith(`${MEMORY_ROOT}/`) && !isMounted(k))
  for (const k of drop) held.delete(k)
  const transient = request.transient ?? []
  const allowed = [...request.roots, ...transient].filter((r) => !inMemory(r)).map((r) => realpathSync(r))
  const tree = (root: string, keep: boolean): RequestTree => {
    const mounted = inMemory(root) ? mountOf(root) : undefined
    if (inMemory(root) && mounted === undefined) throw new Error(`${root} is not held in memory any more`)
    const key = mounted ?? `${root}\0${allowed.join('\0')}`
    if (keep && held.has(key)) return {key, keep}
    if (keep) held.add(key)
    return {key, keep, snapshot: mounted ? withinLimits(mounted, heldTree(mounted)) : snapshotOf(root, allowed)}
  }
  return {trees: [...request.roots.map((r) => tree(r, true)), ...transient.map((r) => tree(r, false))], drop}
}

/** What one snapshot may hold: past either, the render is a limit breach, not a partial view. */
export const SNAPSHOT_LIMITS = {files: 100_000, bytes: 512 * 1024 * 1024}

export class SnapshotTooLarge extends Error {}

const tooLarge = (root: string) =>
  new SnapshotTooLarge(
    `${root} holds more than ${SNAPSHOT_LIMITS.files} files or ${SNAPSHOT_LIMITS.bytes / 2 ** 20} MiB`,
  )

/** A tree held in memory, refused past SNAPSHOT_LIMITS as a walked one is. */
function withinLimits(root: string, snapshot: Snapshot): Snapshot {
  if (snapshot.files.size > SNAPSHOT_LIMITS.files) throw tooLarge(root)
  let bytes = 0
  for (const data of snapshot.files.values())
    if ((bytes += data.byteLength) > SNAPSHOT_LIMITS.bytes) throw tooLarge(root)
  return snapshot
}

/**
 * `root` in memory, at its real path. Links stay links, with what they say, when their target (after every link) lies
 * inside `root` or one of `allowed` (real paths); a link elsewhere, or dangling, is left out. When `root` is reached
 * through links itself, its given path is a link to the real one.
 */
export function snapshotOf(root: string, allowed: readonly string[] = []): Snapshot {
  const real = realpathSync(root)
  const files = new Map<string, Uint8Array>()
  const dirs = new Set<string>()
  const links = new Map<string, string>()
  let bytes = 0
  const within = (p: string) => [real, ...allowed].some((a) => p === a || p.startsWith(`${a}${path.sep}`))
  const walk = (dir: string) => {
    dirs.add(toSlash(dir))
    for (const name of readdirSync(dir)) {
      const at = path.join(dir, name)
      const stat = lstatSync(at)
      if (stat.isSymbolicLink()) {
        let target: string
        try {
          target = realpathSync(at)
        } catch {
          continue // dangling
        }
        if (within(target)) links.set(toSlash(at), readlinkSync(at))
      } else if (stat.isDirectory()) walk(at)
      else if (stat.isFile()) {
        bytes += stat.size
        if (files.size >= SNAPSHOT_LIMITS.files || bytes > SNAPSHOT_LIMITS.bytes) throw tooLarge(root)
        files.set(toSlash(at), readFileSync(at))
      }
    }
  }
  walk(real)
  const given = path.resolve(root)
  if (given !== real) links.set(toSlash(given), real)
  return {files, dirs, links}
}

const toSlash = (p: string) => p.split(path.sep).join('/')
