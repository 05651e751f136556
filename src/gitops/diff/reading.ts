/**
 * What `gitops diff` asks of git before it models anything, asked at once: both revisions read into memory
 * (src/gitops/revision: the blobs they share read once) and what the clone says of itself (its origin, its refs). The
 * caller's own work meanwhile (its caches opened) waits on none of it.
 */
import {repositoryUrls} from '../model/context.js'
import {readRevisions, type Revision} from '../revision/index.js'
import {pinnedRevisions, type Pinned} from '../revision/pinned.js'
import type {DiffRevision} from './types.js'

export interface Reading {
  /** Both trees listed (or the read failed): git reads their blobs, and the caller's work no longer holds up a listing. */
  listed: Promise<void>
  /** Both revisions, each pushed on the caller's `trees` once read (the caller removes them). */
  revisions: Promise<[Revision, Revision]>
  /** The clone's own URL (its origin remote, credentials left out) and its refs (what is pinned). */
  clone: Promise<[string[], Pinned]>
  /** Waits for every answer, whatever it was. */
  done(): Promise<unknown>
}

interface ReadingInput {
  root: string
  baseRef?: string
  reviewed?: readonly string[]
}

const noop = () => undefined

/** Starts reading both revisions and asking the clone of itself; a rejection is handled until it is awaited. */
export function startReading(
  input: ReadingInput,
  revisions: {base: DiffRevision; head: DiffRevision},
  trees: Revision[],
): Reading {
  let told: () => void = noop
  const treesListed = new Promise<void>((resolve) => (told = resolve))
  const read = settle(readBoth(input.root, revisions, trees, told))
  const clone = settle(askClone(input, revisions))
  return {
    listed: Promise.race([treesListed, read.then(noop, noop)]),
    revisions: read,
    clone,
    done: () => Promise.allSettled([read, clone]),
  }
}

/** `promise`, its rejection handled until it is awaited (a step before it may throw first). */
export function settle<T>(promise: Promise<T>): Promise<T> {
  promise.catch(noop)
  return promise
}

/** Both revisions, pushed on `trees`; `listed`: told when git has listed both trees. */
async function readBoth(
  root: string,
  revisions: {base: DiffRevision; head: DiffRevision},
  trees: Revision[],
  listed: () => void,
): Promise<[Revision, Revision]> {
  const [base, head] = await readRevisions(
    root,
    [
      {commit: revisions.base.commit, label: 'diff-base'},
      {commit: revisions.head.commit, label: 'diff-head'},
    ],
    listed,
  )
  trees.push(base, head)
  return [base, head]
}

/** The clone's own URL and its refs, asked of git at once (each answer is a process to wait for). */
function askClone(input: ReadingInput, revisions: {base: DiffRevision; head: DiffRevision}) {
  // What the pull request merges into and comes from are the revision under review; any other ref is pinned.
  return Promise.all([
    repositoryUrls(input.root, []),
    pinnedRevisions(input.root, [
      revisions.base.revision,
      revisions.head.commit ? revisions.head.revision : undefined,
      input.baseRef,
      ...(input.reviewed ?? []),
    ]),
  ])
}
