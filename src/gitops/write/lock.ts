import {randomBytes} from 'node:crypto'
import {linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync} from 'node:fs'
import {hostname} from 'node:os'
import path from 'node:path'

import {remoteError} from '../../core/errors.js'

/** How long a writer waits for another one on the same checkout before it gives up (exit 4 CHECKOUT_LOCKED). */
export const LOCK_WAIT_MS = 30_000
const POLL_MS = 50

/** What the lock file holds: who writes, so a later writer can tell a live holder from a dead one. */
interface Owner {
  pid: number
  host: string
  /** The process's start time (field 22 of /proc/<pid>/stat), so a reused pid is not mistaken for the holder. */
  start: string | null
  since: string
  /** Unique per acquisition: releasing or breaking removes only the lock that was seen. */
  nonce: string
}

/**
 * One writer per checkout: `<state dir>/lock`, made by a hard link of a complete file (never seen half-written),
 * so two writers cannot both hold it. A second writer waits (polling) until the holder is done, then plans on what
 * the first left; after `waitMs` it stops with exit 4 CHECKOUT_LOCKED. A lock whose holder is dead (no such pid on
 * this host, or the pid now names a process started at another time) is broken at once: renamed aside, checked to
 * be the one seen, removed. Returns the release function (removes the lock only if it is still this one's).
 */
export async function acquireLock(stateDir: string, waitMs = LOCK_WAIT_MS): Promise<() => void> {
  mkdirSync(stateDir, {recursive: true})
  const lock = path.join(stateDir, 'lock')
  const owner: Owner = {
    pid: process.pid,
    host: hostname(),
    start: startTime(process.pid),
    since: new Date().toISOString(),
    nonce: randomBytes(8).toString('hex'),
  }
  const body = JSON.stringify(owner)
  const mine = path.join(stateDir, `lock.${owner.nonce}`)
  writeFileSync(mine, body)
  const deadline = Date.now() + waitMs
  try {
    for (;;) {
      try {
        linkSync(mine, lock)
        return () => release(lock, body)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      }
      const seen = readMaybe(lock)
      if (seen === null) continue // released between the link and the read
      const holder = parseOwner(seen)
      if (holder === null || !isAlive(holder)) {
        breakStale(lock, seen)
        continue
      }
      if (Date.now() >= deadline) {
        throw remoteError(
          'CHECKOUT_LOCKED',
          `Another ameide writer (pid ${holder.pid} on ${holder.host}, since ${holder.since}) is writing this ` +
            `checkout; waited ${Math.round(waitMs / 1000)} s. Nothing was written.`,
          [
            'Rerun when it has finished.',
            `If no ameide process ${holder.pid} runs on ${holder.host}, remove ${lock} and rerun.`,
          ],
        )
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    }
  } finally {
    unlinkMaybe(mine)
  }
}

function release(lock: string, body: string): void {
  if (readMaybe(lock) === body) unlinkMaybe(lock)
}

/** Renames the lock aside and removes it if it is the one judged dead; a live one taken by mistake is put back. */
function breakStale(lock: string, seen: string): void {
  const aside = `${lock}.stale.${process.pid}.${randomBytes(4).toString('hex')}`
  try {
    renameSync(lock, aside)
  } catch {
    return // someone else broke or released it
  }
  if (readMaybe(aside) !== seen) {
    try {
      linkSync(aside, lock) // a new holder's lock: back where it was (EEXIST: a third writer holds it now)
    } catch {
      // the lock is held by another writer; the new holder's file is released by its owner as usual
    }
  }
  unlinkMaybe(aside)
}

function parseOwner(text: string): Owner | null {
  try {
    const doc = JSON.parse(text) as Partial<Owner>
    return typeof doc.pid === 'number' && typeof doc.host === 'string' ? (doc as Owner) : null
  } catch {
    return null
  }
}

/** Alive unless proven dead: a lock from another host is never broken (its pid means nothing here). */
function isAlive(holder: Owner): boolean {
  if (holder.host !== hostname()) return true
  try {
    process.kill(holder.pid, 0)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false
  }
  const start = startTime(holder.pid)
  return !(holder.start && start && start !== holder.start)
}

/** A process's start time in clock ticks since boot (Linux), or null where /proc is not there. */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null
  } catch {
    return null
  }
}

function readMaybe(file: string): string | null {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return null
  }
}

function unlinkMaybe(file: string): void {
  try {
    unlinkSync(file)
  } catch {
    // already gone
  }
}
