// A file's stat as a stand-in for its content, the way git's index uses it: size, mtime, ctime and inode unchanged
// since a run that read the file mean the same content, unless the file changed so close to that run that a later
// write could keep the same timestamps (racily clean): such a file gets no stamp and is read again.
import {statSync} from 'node:fs'

/** size, mtime (ms, fractional), ctime, inode; null when the file changed too close to the run to be trusted. */
export type FileStamp = [number, number, number, number] | null

/** A file changed within this long before the run started is read again on the next run (timestamp granularity). */
const RACY_MS = 2000

/** The stamp of the file at `abs` for a run that started at `startedAt` (ms). Throws as statSync does. */
export function stampOf(abs: string, startedAt: number): FileStamp {
  const s = statSync(abs)
  if (Math.max(s.mtimeMs, s.ctimeMs) >= startedAt - RACY_MS) return null
  return [s.size, s.mtimeMs, s.ctimeMs, s.ino]
}

/** Both stamps exist and are equal (a stored value of any other shape never matches). */
export function sameStamp(a: unknown, b: FileStamp): boolean {
  return (
    Array.isArray(a) && a.length === 4 && b !== null && a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3]
  )
}
