/**
 * The native helper's bytes are checked once, and a check is trusted — by a thread of the process, or by a later run
 * through the user's cache — only while the file still has the identity it had then
 * (src/effects/render-module/helper-check.ts): a helper changed since is read and hashed again, and refused.
 */
import {createHash} from 'node:crypto'
import {mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'

type Check = typeof import('../../../src/effects/render-module/helper-check.js')
/** A fresh module: the checks of one thread (a worker starts with none). */
const thread = async (): Promise<Check> => {
  vi.resetModules()
  return import('../../../src/effects/render-module/helper-check.js')
}
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

let file: string
let records: string
beforeEach(() => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ameide-helper-check-'))
  file = path.join(dir, 'helper')
  writeFileSync(file, 'the helper')
  vi.stubEnv('XDG_CACHE_HOME', path.join(dir, 'cache'))
  records = path.join(dir, 'cache', 'ameide', 'native-helper')
})
afterEach(() => vi.unstubAllEnvs())

describe('the native helper’s check', () => {
  it('passes the recorded bytes and refuses others, naming both digests', async () => {
    const main = await thread()
    await expect(main.checkOnce(file, sha256('the helper'))).resolves.toBeUndefined()
    expect(main.checkedFiles()).toEqual([expect.objectContaining({file, sha256: sha256('the helper')})])
    await expect(main.checkOnce(file, sha256('another'))).rejects.toThrow(
      `the native helper's sha256 is ${sha256('the helper').slice(0, 12)}…, the build recorded ${sha256('another').slice(0, 12)}…`,
    )
  })

  it('a thread trusts its process’s check of the unchanged file, without reading it', async () => {
    const main = await thread()
    await main.checkOnce(file, sha256('the helper'))
    // What the thread is handed says the file had another digest: trusted, so this file was not hashed again.
    const handed = main.checkedFiles().map((c) => ({...c, sha256: sha256('said')}))
    const worker = await thread()
    worker.trustChecked(handed)
    await expect(worker.checkOnce(file, sha256('said'))).resolves.toBeUndefined()
  })

  it('a file written since the check is read and hashed again by the thread, and refused', async () => {
    const main = await thread()
    await main.checkOnce(file, sha256('the helper'))
    const handed = main.checkedFiles()
    // The same length, the modification time set back: only the change time tells.
    const {mtime} = statSync(file)
    writeFileSync(file, 'the hElper')
    utimesSync(file, mtime, mtime)
    const worker = await thread()
    worker.trustChecked(handed)
    await expect(worker.checkOnce(file, sha256('the helper'))).rejects.toThrow(/the native helper's sha256 is/)
  })

  it('a check handed for a file that is gone is not trusted', async () => {
    const main = await thread()
    await main.checkOnce(file, sha256('the helper'))
    const handed = main.checkedFiles().map((c) => ({...c, file: `${file}-gone`}))
    const worker = await thread()
    worker.trustChecked(handed)
    await expect(worker.checkOnce(`${file}-gone`, sha256('the helper'))).rejects.toThrow(/ENOENT/)
  })

  it('a later run trusts the check kept in the user’s cache while the file is unchanged, and only then', async () => {
    await (await thread()).checkOnce(file, sha256('the helper'))
    const [record] = readdirSync(records)
    expect(record).toMatch(new RegExp(`^${sha256('the helper')}-[0-9a-f]{16}$`))
    // A record that says this very file had another digest: trusted, so the file was not hashed.
    const said = record.replace(sha256('the helper'), sha256('said'))
    writeFileSync(path.join(records, said), readFileSync(path.join(records, record)))
    await expect((await thread()).checkOnce(file, sha256('said'))).resolves.toBeUndefined()
    // Once the file is written, the record no longer matches it: hashed, and refused.
    writeFileSync(file, 'the helper')
    await expect((await thread()).checkOnce(file, sha256('said'))).rejects.toThrow(/the native helper's sha256 is/)
  })

  it('a cache that cannot be written costs nothing but the hash', async () => {
    vi.stubEnv('XDG_CACHE_HOME', file) // a file, not a folder
    await expect((await thread()).checkOnce(file, sha256('the helper'))).resolves.toBeUndefined()
    await expect((await thread()).checkOnce(file, sha256('the helper'))).resolves.toBeUndefined()
  })
})
