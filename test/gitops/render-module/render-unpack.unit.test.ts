/**
 * A render package's native helper, unpacked (src/effects/render-module/unpack.ts): brotli bytes unpacked once into
 * the user's cache, executable, checked against the recorded sha256 before they are written; a cached copy with other
 * bytes unpacked again; a package whose bytes are not the recorded ones refused, nothing written; a cache that cannot
 * be written replaced by the temporary folder.
 */
import {createHash} from 'node:crypto'
import {existsSync} from 'node:fs'
import {chmod, mkdir, readdir, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir, userInfo} from 'node:os'
import path from 'node:path'
import {brotliCompressSync} from 'node:zlib'
import {afterAll, beforeEach, describe, expect, it} from 'vitest'

import {unpackedHelper} from '../../../src/effects/render-module/unpack.js'
import {makeTempDir, runCleanups} from '../../support/tmp.js'

afterAll(runCleanups)

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')
let cache: string

beforeEach(async () => {
  cache = await makeTempDir('ameide-unpack-cache-')
  process.env.XDG_CACHE_HOME = cache
  // The temporary folder of this test alone (os.tmpdir() reads TMPDIR).
  process.env.TMPDIR = await makeTempDir('ameide-unpack-tmp-')
})

/** A package's render-native.br of `bytes` (unique per test: the process keeps passed checks by file). */
async function packed(bytes: Buffer): Promise<string> {
  const file = path.join(await makeTempDir('ameide-unpack-pkg-'), 'render-native.br')
  await writeFile(file, brotliCompressSync(bytes))
  return file
}

describe('the native helper of a render package', () => {
  it('is unpacked once into the user cache, executable, the recorded bytes', async () => {
    const helper = Buffer.from(`#!/bin/sh\n# ${Math.random()}\n`)
    const file = await unpackedHelper(await packed(helper), sha(helper))
    expect(file).toBe(path.join(cache, 'ameide', 'native-helper', `render-native-${sha(helper)}`))
    expect((await readFile(file)).equals(helper)).toBe(true)
    expect((await stat(file)).mode & 0o111).toBe(0o111)
    const written = (await stat(file)).mtimeMs
    expect(await unpackedHelper(await packed(helper), sha(helper))).toBe(file)
    expect((await stat(file)).mtimeMs).toBe(written)
  })

  it('unpacks again over a cached copy with other bytes', async () => {
    const helper = Buffer.from(`#!/bin/sh\n# ${Math.random()}\n`)
    const target = path.join(cache, 'ameide', 'native-helper', `render-native-${sha(helper)}`)
    await mkdir(path.dirname(target), {recursive: true})
    await writeFile(target, 'not the helper')
    expect(await unpackedHelper(await packed(helper), sha(helper))).toBe(target)
    expect((await readFile(target)).equals(helper)).toBe(true)
  })

  it('refuses a package whose bytes are not the recorded ones, writing nothing', async () => {
    const helper = Buffer.from(`#!/bin/sh\n# ${Math.random()}\n`)
    const other = sha(Buffer.from('another build'))
    await expect(unpackedHelper(await packed(helper), other)).rejects.toThrow(
      /render-native\.br is not the native helper the build recorded: reinstall ameide/,
    )
    expect(existsSync(path.join(cache, 'ameide'))).toBe(false)
  })

  it('goes to the temporary folder where the cache cannot be written', async () => {
    // A file where the cache's folder should be: permissions would not stop root.
    await writeFile(path.join(cache, 'ameide'), '')
    const helper = Buffer.from(`#!/bin/sh\n# ${Math.random()}\n`)
    const file = await unpackedHelper(await packed(helper), sha(helper))
    expect(file).toBe(path.join(tmpdir(), `ameide-${userInfo().uid}`, `render-native-${sha(helper)}`))
    expect((await readFile(file)).equals(helper)).toBe(true)
    await rm(file)
  })

  it('uses no folder another user could write: a temporary folder open to others is passed over', async () => {
    await writeFile(path.join(cache, 'ameide'), '')
    const shared = path.join(tmpdir(), `ameide-${userInfo().uid}`)
    await mkdir(shared)
    await chmod(shared, 0o777)
    const helper = Buffer.from(`#!/bin/sh\n# ${Math.random()}\n`)
    await expect(unpackedHelper(await packed(helper), sha(helper))).rejects.toThrow(/could not be unpacked/)
    expect(await readdir(shared)).toEqual([])
    // Ours alone again: used.
    await chmod(shared, 0o700)
    expect(await unpackedHelper(await packed(helper), sha(helper))).toBe(
      path.join(shared, `render-native-${sha(helper)}`),
    )
  })
})
