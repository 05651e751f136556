import {createHash} from 'node:crypto'
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import path from 'node:path'

import {gitDirOf} from '../../cache/store.js'
import {failureError} from '../../core/errors.js'

const FORMAT = 'ameide-write-journal/1'

/**
 * Where a writer keeps its lock, journal and temporaries: `<git dir>/ameide/write/` of the checkout holding `root`
 * (found from `root` upwards; a worktree has its own git dir), where `git add -A` never looks. Outside a git
 * checkout: `<root>/.ameide/write/`, removed again when a run leaves it empty.
 */
export interface WriteState {
  dir: string
  /** The temporaries (same file system as the checkout, so a rename over a target is atomic). */
  tmp: string
  journal: string
  /** Outside a git checkout: the folders to remove when empty, innermost first. */
  prune: string[]
}

export function writeState(root: string): WriteState {
  const gitDir = findGitDir(root)
  const dir = gitDir ? path.join(gitDir, 'ameide', 'write') : path.join(root, '.ameide', 'write')
  return {
    dir,
    tmp: path.join(dir, 'tmp'),
    journal: path.join(dir, 'journal.json'),
    prune: gitDir ? [] : [path.join(dir, 'tmp'), dir, path.dirname(dir)],
  }
}

function findGitDir(root: string): string | null {
  for (let dir = path.resolve(root); ; dir = path.dirname(dir)) {
    const found = gitDirOf(dir)
    if (found) return found
    if (path.dirname(dir) === dir) return null
  }
}

/** One planned rename: the temporary holding `after`, and the target holding `before` until then. */
export interface JournalEntry {
  /** Paths relative to the state folder, so the journal stays right when the checkout is moved. */
  target: string
  temp: string
  before: string
  after: string
}

/**
 * `writing`: the temporaries are being written, no target has been touched (recovery rolls back: removes them);
 * `renaming`: every temporary is complete and on disk, renames may have begun (recovery rolls forward).
 */
export interface Journal {
  format: typeof FORMAT
  pid: number
  state: 'writing' | 'renaming'
  entries: JournalEntry[]
}

export const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex')

/** Replaces the journal atomically and durably: a temporary fsynced, renamed, the folder fsynced. */
export function writeJournal(state: WriteState, journal: Journal): void {
  mkdirSync(state.dir, {recursive: true})
  const temp = `${state.journal}.${process.pid}.tmp`
  const fd = openSync(temp, 'w', 0o644)
  try {
    writeSync(fd, JSON.stringify(journal))
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(temp, state.journal)
  syncDirectory(state.dir)
}

/** Removes the journal (the apply is over) durably, and the folders an outside-git run made. */
export function closeJournal(state: WriteState): void {
  unlinkMaybe(state.journal)
  syncDirectory(state.dir)
}

/** Removes the state folders of a run outside git when they are empty (never a user's folder). */
export function pruneState(state: WriteState): void {
  for (const dir of state.prune) {
    try {
      rmdirSync(dir)
    } catch {
      return // not empty (a lock or journal of another run) or already gone
    }
  }
}

/** What a writer found and did before planning; absent from the result when there was nothing to recover. */
export interface Recovery {
  /** rolled-forward: the interrupted apply finished; rolled-back: its temporaries removed, no target touched. */
  action: 'rolled-forward' | 'rolled-back'
  /** The process whose apply was interrupted. */
  pid: number | null
  /** Files the recovery wrote (rolled forward), relative to the root. */
  files: string[]
  /** Temporaries (and journal leftovers) removed without being used. */
  removed: number
}

/**
 * Finishes or undoes an apply that was interrupted (a crash, SIGKILL, power loss), under the writer's lock. A
 * complete journal (`renaming`) is rolled forward: each temporary still there is renamed over its target, then the
 * journal goes; an incomplete one (`writing`) is rolled back: its temporaries are removed, the targets were never
 * touched. Roll-forward first checks every target holds its old or its new bytes: one that holds neither was edited
 * since the crash, and recovery stops (exit 1 INTERRUPTED_WRITE_CONFLICT) with nothing changed.
 */
export function recoverInterrupted(state: WriteState, root: string): Recovery | undefined {
  const leftovers = listMaybe(state.tmp)
    .map((name) => path.join(state.tmp, name))
    .concat(
      listMaybe(state.dir)
        .filter((n) => /^journal\.json\.\d+\.tmp$/.test(n))
        .map((n) => path.join(state.dir, n)),
    )
  const journal = readJournal(state)
  if (!journal) {
    leftovers.forEach(unlinkMaybe)
    return leftovers.length > 0 ? {action: 'rolled-back', pid: null, files: [], removed: leftovers.length} : undefined
  }
  const abs = (p: string) => path.resolve(state.dir, p)
  const rel = (p: string) => path.relative(root, abs(p)).split(path.sep).join('/')
  if (journal.state === 'writing') {
    const temps = new Set([...leftovers, ...journal.entries.map((e) => abs(e.temp))].filter((p) => existsSync(p)))
    temps.forEach(unlinkMaybe)
    closeJournal(state)
    return {action: 'rolled-back', pid: journal.pid, files: [], removed: temps.size}
  }
  const pending = journal.entries.filter((e) => existsSync(abs(e.temp)))
  const conflicts = journal.entries.filter((e) => {
    const now = hashMaybe(abs(e.target))
    if (!pending.includes(e)) return now !== e.after
    // The temporary was fsynced before the journal said `renaming`: anything but the new text is not ours to rename.
    return (now !== e.before && now !== e.after) || hashMaybe(abs(e.temp)) !== e.after
  })
  if (conflicts.length > 0) {
    throw failureError(
      'INTERRUPTED_WRITE_CONFLICT',
      `An interrupted write (pid ${journal.pid}) cannot be finished: ${conflicts.map((e) => rel(e.target)).join(', ')} ` +
        'holds neither its old nor its new text (edited since?), or its temporary is not the planned text. ' +
        'Nothing was written.',
      [
        'Put each file back to its committed version (git checkout -- FILE) and rerun, which finishes the write.',
        `Or keep your edits: remove ${state.journal} and ${state.tmp}, then rerun.`,
      ],
    )
  }
  for (const e of pending) renameSync(abs(e.temp), abs(e.target))
  for (const dir of new Set(pending.map((e) => path.dirname(abs(e.target))))) syncDirectory(dir)
  const stray = leftovers.filter((p) => existsSync(p))
  stray.forEach(unlinkMaybe)
  closeJournal(state)
  return {action: 'rolled-forward', pid: journal.pid, files: pending.map((e) => rel(e.target)), removed: stray.length}
}

function readJournal(state: WriteState): Journal | null {
  let text: string
  try {
    text = readFileSync(state.journal, 'utf8')
  } catch {
    return null
  }
  try {
    const doc = JSON.parse(text) as Journal
    if (doc.format === FORMAT && Array.isArray(doc.entries)) return doc
  } catch {
    // below
  }
  // Written atomically, so never torn: a journal that does not read is not ours to interpret.
  throw failureError('INTERRUPTED_WRITE_CONFLICT', `${state.journal} is not a journal this ameide can read.`, [
    `Check the files it names against git, then remove ${state.journal} and ${state.tmp} and rerun.`,
  ])
}

function hashMaybe(file: string): string | null {
  try {
    return sha256(readFileSync(file, 'utf8')) // as the plan read it
  } catch {
    return null
  }
}

function listMaybe(dir: string): string[] {
  try {
    return readdirSync(dir).sort()
  } catch {
    return []
  }
}

function unlinkMaybe(file: string): void {
  try {
    unlinkSync(file)
  } catch {
    // already gone
  }
}

/** fsync of a folder, so the renames in it are on disk; file systems that cannot sync a folder are skipped. */
export function syncDirectory(dir: string): void {
  let fd: number | undefined
  try {
    fd = openSync(dir, 'r')
    fsyncSync(fd)
  } catch {
    // EISDIR/EINVAL/EPERM on platforms or file systems without directory fsync
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}
