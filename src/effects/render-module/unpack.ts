/**
 * The native helper of a render package, unpacked. The package carries it brotli-compressed (render-native.br: 11 MB
 * instead of 37, so the install a Linux user makes stays small and quick: docs/performance.md); the first render
 * unpacks it once into the user's cache, <cache>/ameide/native-helper/render-native-<sha256>, executable, through a
 * temporary file renamed into place (a crash or a concurrent unpack never leaves part of one under that name). The
 * bytes are checked against the build's record before they are written, and the written file again before it starts
 * (./helper-check.ts); a copy that fails the check is unpacked again. Where the cache cannot be written, the
 * system's temporary folder holds it instead; where neither can, the helper does not start (and the engine says why).
 */
import {webcrypto} from 'node:crypto'
import {existsSync} from 'node:fs'
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
    if (existsSync(file) && (await passes(() => checkOnce(file, sha256)))) return file
  }
  const bytes = await promisify(brotliDecompress)(await readFile(packed))
  const digest = Buffer.from(await webcrypto.subtle.digest('SHA-256', bytes)).toString('hex')
  if (digest !== sha256) throw new Error(`${packed} is not the native helper the build recorded: reinstall ameide`)
  for (const dir of places) {
    const file = path.join(dir, name)
    if (replaceFile(file, bytes, 0o755) && (await passes(() => checkAgain(file, sha256)))) return file
  }
  throw new Error(`the native helper could not be unpacked into ${places.join(' or ')}`)
}

const passes = (check: () => Promise<void>) =>
  check().then(
    () => true,
    () => false,
  )
