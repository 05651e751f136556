import {realpathSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {usageError, type AmeideError} from '../core/errors.js'

/**
 * A path with every symbolic link resolved, also when its last parts do not exist yet (a file to be written):
 * the deepest existing ancestor is resolved and the rest appended. So a link inside a root that points outside it
 * is judged by where it points.
 */
export function realPath(p: string): string {
  try {
    return realpathSync.native(p)
  } catch {
    const parent = path.dirname(p)
    return parent === p ? p : path.join(realPath(parent), path.basename(p))
  }
}

/** The client's roots (`file://` URIs) as real directories; other schemes are not places on this machine. */
export function rootsFromUris(uris: readonly string[]): string[] {
  return uris.filter((u) => u.startsWith('file:')).map((u) => realPath(fileURLToPath(u)))
}

export const isInside = (dir: string, p: string): boolean => {
  const rel = path.relative(dir, p)
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel))
}

/**
 * Where a call works: its `root` argument (default the first root; relative to the first root) and its path
 * arguments (relative to that root), each resolved to a real path and confined to the roots. Refused with
 * ROOT_OUTSIDE_ROOTS before the command runs, so nothing outside is read or written.
 */
export function confine(
  roots: readonly string[],
  root: string | undefined,
  paths: Readonly<Record<string, string>>,
): {root: string; paths: Record<string, string>} | AmeideError {
  const refuse = (what: string, p: string) =>
    usageError('ROOT_OUTSIDE_ROOTS', `${what} ${p} is outside the client's roots.`, [
      roots.length === 0
        ? 'The client declared no usable file:// root.'
        : `Roots: ${roots.join(', ')}. Pass a path inside one of them, or add a root in the client.`,
    ])
  if (roots.length === 0) return refuse('root', root ?? '(none)')
  const dir = realPath(path.resolve(roots[0], root ?? '.'))
  if (!roots.some((r) => isInside(r, dir))) return refuse('root', root ?? dir)
  const resolved: Record<string, string> = {}
  for (const [name, p] of Object.entries(paths)) {
    const full = realPath(path.resolve(dir, p))
    if (!roots.some((r) => isInside(r, full))) return refuse(name, p)
    resolved[name] = full
  }
  return {root: dir, paths: resolved}
}
