import {accessSync, constants, lstatSync, mkdirSync, readFileSync, realpathSync, renameSync, statSync} from 'node:fs'
import {open, realpath, unlink, writeFile} from 'node:fs/promises'
import path from 'node:path'

import {mapConcurrent, type Settled} from '../../core/concurrency.js'
import {failureError, prerequisiteError} from '../../core/errors.js'
import {closeJournal, sha256, syncDirectory, writeJournal, writeState, type Journal} from './journal.js'
import type {FileEdit} from './plan.js'

/** Files checked and written at once: enough to keep the file system busy, few enough for the fd limit. */
const IO_WIDTH = 32

/**
 * TEST-ONLY fault hook, read here and nowhere else (docs/conventions.md): `AMEIDE_TEST_KILL_AFTER_RENAMES=N` makes
 * the writer SIGKILL itself right after its N-th rename (0: once the journal is complete, before the first rename);
 * `=temporaries` once the temporaries are written, before the journal says so. Unset, nothing changes.
 */
const KILL_AT = process.env.AMEIDE_TEST_KILL_AFTER_RENAMES

function faultPoint(point: string): void {
  if (KILL_AT !== undefined && KILL_AT === point) process.kill(process.pid, 'SIGKILL')
}

interface Target {
  edit: FileEdit
  abs: string
  temp: string
  mode: number
}

/**
 * Writes every edit or none, durably, and recoverably after a crash. First every target is checked (inside the
 * repository once symlinks are resolved, a regular file, writable, its directory writable, unchanged since it was
 * read). Then a journal of the planned renames is written (state `writing`, fsynced with its folder); each new text
 * goes to a temporary in the state folder (`<git dir>/ameide/write/tmp/`, where `git add -A` never looks; beside the
 * target only when that folder is on another file system), fsynced; the journal becomes `renaming` (fsynced); the
 * temporaries are renamed over the targets (atomic per file, in path order); each folder touched is fsynced; the
 * journal is removed. A crash before `renaming` leaves every target as it was (the next writer removes the
 * temporaries); a crash after it leaves each target old or new, and the next writer finishes the renames
 * (journal.ts). A failure before the renames removes the temporaries; a failed rename puts back the files already
 * replaced. Checks and renames run one after the other (synchronous: cached metadata), temporary writes and their
 * fsyncs up to IO_WIDTH at once; when several targets fail a check, the first in edit order is reported.
 */
export async function applyEdits(root: string, edits: FileEdit[], state = writeState(root)): Promise<void> {
  const realRoot = await realpath(root)
  // The checks one after the other, synchronously: each is a few system calls on cached metadata, cheaper than a
  // round trip through the thread pool; the first failure in edit order is the one reported.
  const realDirs = new Map<string, string>()
  const checked = edits.map((edit) => checkTarget(root, realRoot, edit, realDirs))
  mkdirSync(state.tmp, {recursive: true})
  const tmpDevice = statSync(state.tmp).dev
  const sameDevice = new Map<string, boolean>() // per target folder
  const targets = checked.map((t, i) => {
    const dir = path.dirname(t.abs)
    if (!sameDevice.has(dir)) sameDevice.set(dir, statSync(dir).dev === tmpDevice)
    const temp = sameDevice.get(dir)
      ? path.join(state.tmp, `${i}.${process.pid}.tmp`)
      : path.join(dir, `.${path.basename(t.abs)}.ameide-${process.pid}.tmp`)
    return {...t, temp}
  })
  const entries = targets.map((t) => ({
    target: path.relative(state.dir, t.abs),
    temp: path.relative(state.dir, t.temp),
    before: sha256(t.edit.before),
    after: sha256(t.edit.after),
  }))
  const journal = (phase: Journal['state']): Journal => ({
    format: 'ameide-write-journal/1',
    pid: process.pid,
    state: phase,
    entries,
  })
  writeJournal(state, journal('writing'))
  const written = await mapConcurrent(targets, IO_WIDTH, async (t) => {
    const mode = t.mode & 0o7777
    const handle = await open(t.temp, 'wx', mode)
    try {
      await handle.writeFile(t.edit.after, 'utf8')
      if (narrowed(mode)) await handle.chmod(mode)
      await handle.sync()
    } finally {
      await handle.close()
    }
  })
  if (written.some((w) => !w.ok)) {
    // Only this run's temporaries: one that failed with EEXIST is someone else's.
    await Promise.all(targets.map((t, i) => (isExists(written[i]) ? undefined : unlink(t.temp).catch(() => undefined))))
    closeJournal(state)
    firstFailure(written)
  }
  // The temporaries' names on disk before the journal says they are complete.
  for (const dir of new Set(targets.map((t) => path.dirname(t.temp)))) syncDirectory(dir)
  faultPoint('temporaries')
  writeJournal(state, journal('renaming'))
  faultPoint('0')
  const done: Target[] = []
  try {
    for (const t of targets) {
      renameSync(t.temp, t.abs)
      done.push(t)
      faultPoint(String(done.length))
    }
  } catch (error) {
    for (const t of done.reverse()) await writeFile(t.abs, t.edit.before).catch(() => undefined)
    await Promise.all(targets.map((t) => unlink(t.temp).catch(() => undefined)))
    closeJournal(state)
    throw error
  }
  await mapConcurrent([...new Set(targets.map((t) => path.dirname(t.abs)))], IO_WIDTH, async (dir) =>
    syncDirectory(dir),
  )
  closeJournal(state)
}

/** `realDirs`: each folder's real path, resolved once (a target that is no symbolic link lies in its folder's). */
function checkTarget(root: string, realRoot: string, edit: FileEdit, realDirs: Map<string, string>): Target {
  const abs = path.join(root, edit.file)
  const info = lstatSync(abs)
  const dir = path.dirname(abs)
  let realDir = realDirs.get(dir)
  if (realDir === undefined) realDirs.set(dir, (realDir = realpathSync(dir)))
  if (info.isSymbolicLink() || !path.join(realDir, path.basename(abs)).startsWith(realRoot + path.sep)) {
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
  return {edit, abs, temp: '', mode: info.mode}
}

/** The umask, read once (reading it sets it and puts it back). */
let umask: number | undefined

/** Whether `open(…, mode)` may leave a mode other than `mode`: the umask clears some of its bits, or it has special bits. */
function narrowed(mode: number): boolean {
  umask ??= process.umask()
  return (mode & umask) !== 0 || (mode & 0o7000) !== 0
}

/** The values, or the first error in input order. */
function firstFailure<T>(settled: Settled<T>[]): T[] {
  for (const s of settled) if (!s.ok) throw s.error
  return settled.map((s) => (s as {ok: true; value: T}).value)
}

const isExists = (s: Settled<unknown>) => !s.ok && (s.error as NodeJS.ErrnoException).code === 'EEXIST'

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
