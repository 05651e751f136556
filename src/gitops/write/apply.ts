import {accessSync, constants, lstatSync, readFileSync, realpathSync, renameSync} from 'node:fs'
import {open, realpath, unlink, writeFile} from 'node:fs/promises'
import path from 'node:path'

import {mapConcurrent, type Settled} from '../../core/concurrency.js'
import {failureError, prerequisiteError} from '../../core/errors.js'
import type {FileEdit} from './plan.js'

/** Files checked and written at once: enough to keep the file system busy, few enough for the fd limit. */
const IO_WIDTH = 32

interface Target {
  edit: FileEdit
  abs: string
  temp: string
  mode: number
}

/**
 * Writes every edit or none, durably. First every target is checked (inside the repository once symlinks are
 * resolved, a regular file, writable, its directory writable, unchanged since it was read); then each new text goes
 * to a temporary sibling, fsynced; then the siblings are renamed over the targets (atomic per file, in path order)
 * and each folder touched is fsynced, so the renames survive a crash. A failure before the renames removes the
 * temporaries; a failed rename puts back the files already replaced. Checks and renames run one after the other
 * (synchronous: cached metadata), temporary writes and their fsyncs up to IO_WIDTH at once; when several targets
 * fail a check, the first in edit order is reported.
 */
export async function applyEdits(root: string, edits: FileEdit[]): Promise<void> {
  const realRoot = await realpath(root)
  // The checks one after the other, synchronously: each is a few system calls on cached metadata, cheaper than a
  // round trip through the thread pool; the first failure in edit order is the one reported.
  const targets = edits.map((edit) => checkTarget(root, realRoot, edit))
  const written = await mapConcurrent(targets, IO_WIDTH, async (t) => {
    const handle = await open(t.temp, 'wx', t.mode & 0o7777)
    try {
      await handle.writeFile(t.edit.after, 'utf8')
      await handle.chmod(t.mode & 0o7777) // the umask may have narrowed open's mode
      await handle.sync()
    } finally {
      await handle.close()
    }
  })
  if (written.some((w) => !w.ok)) {
    // Only this run's temporaries: one that failed with EEXIST is someone else's.
    await Promise.all(targets.map((t, i) => (isExists(written[i]) ? undefined : unlink(t.temp).catch(() => undefined))))
    firstFailure(written)
  }
  const done: Target[] = []
  try {
    for (const t of targets) {
      renameSync(t.temp, t.abs)
      done.push(t)
    }
  } catch (error) {
    for (const t of done.reverse()) await writeFile(t.abs, t.edit.before).catch(() => undefined)
    await Promise.all(targets.map((t) => unlink(t.temp).catch(() => undefined)))
    throw error
  }
  await mapConcurrent([...new Set(targets.map((t) => path.dirname(t.abs)))], IO_WIDTH, syncDirectory)
}

function checkTarget(root: string, realRoot: string, edit: FileEdit): Target {
  const abs = path.join(root, edit.file)
  const info = lstatSync(abs)
  const real = realpathSync(abs)
  if (info.isSymbolicLink() || !real.startsWith(realRoot + path.sep)) {
    throw failureError(
      'UNSAFE_PATH',
      `${edit.file} is a symbolic link or lies outside the repository; nothing was written.`,
    )
  }
  try {
    accessSync(abs, constants.W_OK)
    accessSync(path.dirname(abs), constants.W_OK)
  } catch {
    throw prerequisiteError('FILE_NOT_WRITABLE', `${edit.file} (or its folder) is not writable; nothing was written.`)
  }
  if (readFileSync(abs, 'utf8') !== edit.before) {
    throw failureError('FILE_CHANGED', `${edit.file} changed while the edit was planned; nothing was written.`, [
      'Rerun the command.',
    ])
  }
  return {
    edit,
    abs,
    temp: path.join(path.dirname(abs), `.${path.basename(abs)}.ameide-${process.pid}.tmp`),
    mode: info.mode,
  }
}

/** The values, or the first error in input order. */
function firstFailure<T>(settled: Settled<T>[]): T[] {
  for (const s of settled) if (!s.ok) throw s.error
  return settled.map((s) => (s as {ok: true; value: T}).value)
}

const isExists = (s: Settled<unknown>) => !s.ok && (s.error as NodeJS.ErrnoException).code === 'EEXIST'

/** fsync of a folder, so the renames in it are on disk; file systems that cannot sync a folder are skipped. */
async function syncDirectory(dir: string): Promise<void> {
  let handle
  try {
    handle = await open(dir, 'r')
    await handle.sync()
  } catch {
    // EISDIR/EINVAL/EPERM on platforms or file systems without directory fsync
  } finally {
    await handle?.close()
  }
}

/** The unified diff of the edits (what `--dry-run` prints), file by file in path order. */
export async function unifiedDiff(edits: FileEdit[]): Promise<string> {
  const {createTwoFilesPatch} = await import('diff')
  return edits
    .map((e) =>
      createTwoFilesPatch(`a/${e.file}`, `b/${e.file}`, e.before, e.after, undefined, undefined, {context: 3}),
    )
    .map((patch) => patch.replace(/^=+\n/m, ''))
    .join('')
}
