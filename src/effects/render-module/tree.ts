/**
 * A folder of the host taken into memory for the render module: every regular file under it, at its absolute path,
 * and every folder. A link is followed only when its target, after every link, lies inside the folder (then the
 * module sees a plain copy); any other link is left out, so nothing outside the folder is ever read. The host takes
 * the revision this way once per process (a revision's folder does not change while it lives).
 */
import {lstatSync, readdirSync, readFileSync, realpathSync, statSync} from 'node:fs'
import path from 'node:path'

import type {Snapshot} from './memfs.js'

/** What one snapshot may hold: past either, the render is a limit breach, not a partial view. */
export const SNAPSHOT_LIMITS = {files: 100_000, bytes: 512 * 1024 * 1024}

export class SnapshotTooLarge extends Error {}

export function snapshotOf(root: string): Snapshot {
  const real = realpathSync(root)
  const files = new Map<string, Uint8Array>()
  const dirs = new Set<string>()
  let bytes = 0
  const inside = (p: string) => p === real || p.startsWith(`${real}${path.sep}`)
  const walk = (dir: string, shown: string, seen: ReadonlySet<string>) => {
    dirs.add(shown)
    for (const name of readdirSync(dir)) {
      const at = path.join(dir, name)
      const as = path.posix.join(shown, name)
      const stat = lstatSync(at)
      let target = at
      if (stat.isSymbolicLink()) {
        try {
          target = realpathSync(at)
        } catch {
          continue // dangling
        }
        if (!inside(target)) continue
      }
      const kind = stat.isSymbolicLink() ? statSync(target) : stat
      if (kind.isDirectory()) {
        if (seen.has(target)) continue // a loop of links
        walk(target, as, new Set([...seen, target]))
      } else if (kind.isFile()) {
        bytes += kind.size
        if (files.size >= SNAPSHOT_LIMITS.files || bytes > SNAPSHOT_LIMITS.bytes)
          throw new SnapshotTooLarge(
            `${root} holds more than ${SNAPSHOT_LIMITS.files} files or ${SNAPSHOT_LIMITS.bytes / 2 ** 20} MiB`,
          )
        files.set(as, readFileSync(target))
      }
    }
  }
  walk(real, toSlash(path.resolve(root)), new Set([real]))
  return {files, dirs}
}

const toSlash = (p: string) => p.split(path.sep).join('/')
