/**
 * The native helper of a render package, unpacked. The package carries it brotli-compressed (render-native.br: 11 MB
 * instead of 37, so the install a Linux user makes stays small and quick: docs/performance.md); the first render
 * unpacks it once into the user's cache, <cache>/ameide/native-helper/render-native-<sha256>, executable, through a
 * temporary file renamed into place (a crash or a concurrent unpack never leaves part of one under that name). The
 * bytes are checked against the build's record before they are written, and the written file again before it starts
 * (./helper-check.ts); a copy that fails the check is unpacked again. Where the cache cannot be written, the
 * system's temporary folder holds it instead (/tmp/ameide-<uid>); where neither can, the helper does not start (and the
 * engine says why). Either folder is used only while it is this user's alone to write (`ownFolder`).
 */
import {webcrypto} from 'node:crypto'
import {existsSync, lstatSync, mkdirSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import {tmpdir, userInfo} from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'
import {brotliDecompress} from 'node:zlib'

import {userCacheDir} from '../../../scripts/user-cache.mjs'
import {replaceFile} from '../../cache/store.js'
import {checkAgain, checkOnce} from './helper-check.js'

/** The executable unpacked from `packed` whose sha256 is `sha256`, checked; throws with the reason otherwise. */
export async function unpackedHelper(packed: string, sha256: string): Promise<string> {
  const name = `render-native-${sha256}`
  const places = [path.join(userCacheDir(), 'native-helper'), path.join(tmpdir(), `ameide-${userInfo().uid}`)]
  for (const dir of places) {
    const file = path.join(dir, name)
    if (ownFolder(dir, false) && existsSync(file) && (await passes(() => checkOnce(file, sha256)))) return file
  }
  const bytes = await promisify(brotliDecompress)(await readFile(packed))
  const digest = Buffer.from(await webcrypto.subtle.digest('SHA-256', bytes)).toString('hex')
  if (digest !== sha256) throw new Error(`${packed} is not the native helper the build recorded: reinstall ameide`)
  for (const dir of places) {
    const file = path.join(dir, name)
    if (!ownFolder(dir)) continue
    if (replaceFile(file, bytes, 0o755) && (await passes(() => checkAgain(file, sha256)))) return file
  }
  throw new Error(`the native helper could not be unpacked into ${places.join(' or ')}`)
}

/**
 * The folder is ours alone to write (made, 0700, where it is not there and `make`): a folder, not a link, owned by
 * this user, writable by no one else. Else another user who can write it could swap the helper between its check and
 * its start (a shared temporary folder: /tmp/ameide-<uid> made first by someone else).
 */
function ownFolder(dir: string, make = true): boolean {
  try {
    if (make) mkdirSync(dir, {recursive: true, mode: 0o700})
    const s = lstatSync(dir)
    return s.isDirectory() && s.uid === process.getuid?.() && (s.mode & 0o022) === 0
  } catch {
    return false
  }
}

const passes = (check: () => Promise<void>) =>
  check().then(
    () => true,
    () => false,
  )
