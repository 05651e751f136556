/**
 * The native helper's bytes checked against the build's record once — not once a process and once a thread (25 MB
 * read and hashed: ≈ 60 ms of CPU each, on the path of the first render and of the template engine's start). A check
 * that passed is recorded with the file's identity when it began (device, inode, size, modification and change times,
 * as git's index keeps them): in this process, handed to a thread (the template engine's, ../gotemplate/worker.ts),
 * and in the user's cache (<cache>/ameide/native-helper/<sha256>-<its path's hash>), so later runs trust it while the
 * file still shows that identity. Any write to the file changes its change time, which no one can set back, so a file
 * changed since is read and hashed again. Whoever could write both the helper and that record can write this host's
 * own code beside the helper too. A cache that cannot be written costs a hash a run, nothing else.
 */
import {createHash, webcrypto} from 'node:crypto'
import {readFileSync, statSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import path from 'node:path'

import {userCacheDir} from '../../../scripts/user-cache.mjs'
import {replaceFile} from '../../cache/store.js'

/** A check that passed: the file, the sha256 it had, and its identity when it was read. */
export interface CheckedFile {
  file: string
  sha256: string
  identity: string
}

/** The checks of this process (or trusted from its parent thread), by file and recorded sha256. */
const checks = new Map<string, Promise<string>>()
const passed: CheckedFile[] = []

const keyOf = (file: string, sha256: string) => `${file}\0${sha256}`

/** The file's identity now; a file that cannot be read has none. */
function identityOf(file: string): string | undefined {
  try {
    const s = statSync(file, {bigint: true})
    return [s.dev, s.ino, s.size, s.mtimeNs, s.ctimeNs].join(':')
  } catch {
    return undefined
  }
}

/** Throws unless `file`'s sha256 is `recorded`; each file is read and hashed once (WebCrypto: off the main thread). */
export async function checkOnce(file: string, recorded: string): Promise<void> {
  const key = keyOf(file, recorded)
  if (!checks.has(key)) checks.set(key, hashChecked(file, recorded))
  await checks.get(key)
}

/** {@link checkOnce}, forgetting an earlier answer for the file (it was just written again). */
export async function checkAgain(file: string, recorded: string): Promise<void> {
  checks.delete(keyOf(file, recorded))
  await checkOnce(file, recorded)
}

async function hashChecked(file: string, recorded: string): Promise<string> {
  const identity = identityOf(file) ?? ''
  if (identity !== '' && kept(file, recorded) === identity) {
    passed.push({file, sha256: recorded, identity})
    return identity
  }
  const digest = await webcrypto.subtle.digest('SHA-256', await readFile(file))
  const sha256 = Buffer.from(digest).toString('hex')
  if (sha256 !== recorded)
    throw new Error(
      `the native helper's sha256 is ${sha256.slice(0, 12)}…, the build recorded ${recorded.slice(0, 12)}…`,
    )
  passed.push({file, sha256, identity})
  if (identity !== '') keep(file, recorded, identity)
  return identity
}

/** Where a passed check of `file` with the sha256 `sha256` is kept between runs (a few dozen bytes: never pruned). */
const recordOf = (file: string, sha256: string) =>
  path.join(
    userCacheDir(),
    'native-helper',
    `${sha256}-${createHash('sha256').update(file).digest('hex').slice(0, 16)}`,
  )

/** The identity a passed check of `file` kept for `sha256`, or undefined. */
function kept(file: string, sha256: string): string | undefined {
  try {
    return readFileSync(recordOf(file, sha256), 'utf8')
  } catch {
    return undefined
  }
}

/** Keeps a passed check (../../cache/store.ts replaceFile: never a partial record); a failure keeps nothing. */
function keep(file: string, sha256: string, identity: string): void {
  replaceFile(recordOf(file, sha256), identity)
}

/** The checks that have passed so far, to hand to a thread. */
export const checkedFiles = (): CheckedFile[] => [...passed]

/** Checks passed elsewhere in this process, trusted where the file still has the identity it had then. */
export function trustChecked(files: readonly CheckedFile[]): void {
  for (const c of files)
    if (c.identity !== '' && identityOf(c.file) === c.identity && !checks.has(keyOf(c.file, c.sha256)))
      checks.set(keyOf(c.file, c.sha256), Promise.resolve(c.identity))
}
