/**
 * A folder of the host taken into memory for the render module: every regular file and folder under it, at its
 * absolute path, and the links that stay inside what the request may read; nothing outside is ever read. A
 * revision is taken once per thread (a materialised revision does not change while it lives).
 */
import {lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync} from 'node:fs'
import path from 'node:path'

import type {Snapshot} from './memfs.js'

/** What one snapshot may hold: past either, the render is a limit breach, not a partial view. */
export const SNAPSHOT_LIMITS = {files: 100_000, bytes: 512 * 1024 * 1024}

export class SnapshotTooLarge extends Error {}

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
        if (files.size >= SNAPSHOT_LIMITS.files || bytes > SNAPSHOT_LIMITS.bytes)
          throw new SnapshotTooLarge(
            `${root} holds more than ${SNAPSHOT_LIMITS.files} files or ${SNAPSHOT_LIMITS.bytes / 2 ** 20} MiB`,
          )
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
