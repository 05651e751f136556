/**
 * Commits' revisions kept by a process that runs command after command (`ameide mcp`'s resident process, which
 * bin/run.js marks): what a commit id names never changes, so its tree — held in memory, frozen, its links checked —
 * is read from git once and mounted again for each command that reads that commit, without spawning git for it.
 * Process-wide, on the global object (each command's build holds its own copy of this module), at most
 * {@link KEPT_COMMITS} commits and {@link KEPT_BYTES} of their files, the least recently read going first. A process
 * that runs one command keeps nothing.
 */
import type {MemoryTree} from '../../core/memory-fs/index.js'
import type {Revision} from './model.js'

/** What a revision's tree says of it, apart from where it is mounted. */
export type HeldValue = Omit<Revision, 'dir' | 'commit' | 'remove'>

export interface KeptCommit {
  tree: MemoryTree
  value: HeldValue
  /** Its files' bytes. */
  bytes: number
}

export const KEPT_COMMITS = 8
export const KEPT_BYTES = 256 * 1024 * 1024

const SHARED = Symbol.for('ameide.kept-commits')
const RESIDENT = Symbol.for('ameide.resident')
const processWide = globalThis as {[SHARED]?: Map<string, KeptCommit>; [RESIDENT]?: boolean}

/** The revision of `commit` the process kept, or undefined. */
export function keptCommit(commit: string): KeptCommit | undefined {
  const kept = processWide[SHARED]
  const found = kept?.get(commit)
  if (found === undefined) return undefined
  kept!.delete(commit)
  kept!.set(commit, found) // the most recently read last
  return found
}

/**
 * Keeps the revision of `commit` (a full object id; its tree frozen) where the process runs command after command;
 * its lists are frozen, since every later command shares them.
 */
export function keepCommit(commit: string, kept: KeptCommit): void {
  if (processWide[RESIDENT] !== true || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit)) return
  Object.freeze(kept.value.files)
  Object.freeze(kept.value.tracked)
  Object.freeze(kept.value.refused)
  const commits = (processWide[SHARED] ??= new Map())
  commits.set(commit, kept)
  let bytes = [...commits.values()].reduce((n, k) => n + k.bytes, 0)
  for (const [id, k] of commits) {
    if (commits.size <= KEPT_COMMITS && bytes <= KEPT_BYTES) break
    commits.delete(id)
    bytes -= k.bytes
  }
}
