/**
 * Where the render module's bytes come from (src/effects/render-module/bytes.ts), with two small real WebAssembly
 * modules standing in for it: render.wasm used as it is; the release's render.wasm.gz unzipped once into the cache,
 * reused, replaced when the cached copy is not the recorded module, kept in memory when the cache cannot be written.
 * Which module a call compiled is told by its one export's name.
 */
import {createHash} from 'node:crypto'
import {existsSync} from 'node:fs'
import {mkdir, readdir, readFile, rm, utimes, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {gzipSync} from 'node:zlib'
import {afterAll, describe, expect, it} from 'vitest'

import {compileRecorded, hasModuleBytes, moduleCacheDir} from '../../../src/effects/render-module/bytes.js'
import {makeTempDir, runCleanups} from '../../support/tmp.js'

afterAll(runCleanups)

type Module = object
const wasmApi = (
  globalThis as unknown as {
    WebAssembly: {compile(b: Uint8Array): Promise<Module>; Module: {exports(m: Module): Array<{name: string}>}}
  }
).WebAssembly

/** A module with one function exported as `name` (ASCII). */
function moduleExporting(name: string): Buffer {
  const n = Buffer.from(name)
  const section = (id: number, body: number[]) => [id, body.length, ...body]
  return Buffer.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, 0, 0]),
    ...section(3, [1, 0]),
    ...section(7, [1, n.length, ...n, 0, 0]),
    ...section(10, [1, 2, 0, 0x0b]),
  ])
}

const GOOD = moduleExporting('good')
const BAD = moduleExporting('bad')
const SHA = createHash('sha256').update(GOOD).digest('hex')

let compiled: string[]
/** WebAssembly.compile, noting which module each call was given. */
const compile = (bytes: Uint8Array) => {
  compiled.push(Buffer.from(bytes).equals(GOOD) ? 'good' : 'bad')
  return wasmApi.compile(bytes)
}
const exportOf = (m: Module) => wasmApi.Module.exports(m).map((e) => e.name)

/** A package folder holding render.wasm.gz of `bytes` (and render.wasm too when `plain`), and an empty cache. */
async function setUp(bytes = GOOD, plain = false) {
  compiled = []
  const dir = await makeTempDir('ameide-module-bytes-')
  const files = {wasm: path.join(dir, 'pkg/render.wasm'), gz: path.join(dir, 'pkg/render.wasm.gz'), cache: ''}
  files.cache = path.join(dir, 'cache/ameide/render-module')
  await mkdir(path.dirname(files.wasm), {recursive: true})
  await writeFile(files.gz, gzipSync(bytes))
  if (plain) await writeFile(files.wasm, bytes)
  return {dir, files, cached: path.join(files.cache, `${SHA}.wasm`)}
}

describe('the render module bytes', () => {
  it('are render.wasm when the package has it: checked, compiled, no cache written', async () => {
    const {files} = await setUp(GOOD, true)
    expect(hasModuleBytes(files)).toBe(true)
    expect(exportOf(await compileRecorded(files, SHA, compile))).toEqual(['good'])
    expect(existsSync(files.cache)).toBe(false)
    await writeFile(files.wasm, BAD)
    await expect(compileRecorded(files, SHA, compile)).rejects.toThrow(/is not the module the build recorded: rebuild/)
  })

  it('are present with render.wasm.gz alone, and absent with neither; asking touches no cache', async () => {
    const {files} = await setUp()
    expect(hasModuleBytes(files)).toBe(true)
    await rm(files.gz)
    expect(hasModuleBytes(files)).toBe(false)
    expect(existsSync(path.dirname(files.cache))).toBe(false)
  })

  it('are unzipped from render.wasm.gz once into <cache>/<sha256>.wasm, then read from there', async () => {
    const {files, cached} = await setUp()
    expect(exportOf(await compileRecorded(files, SHA, compile))).toEqual(['good'])
    expect((await readFile(cached)).equals(GOOD)).toBe(true)
    expect(await readdir(files.cache)).toEqual([`${SHA}.wasm`]) // no temporary file left
    // The second run needs no .gz: the cached copy is used.
    await rm(files.gz)
    expect(exportOf(await compileRecorded(files, SHA, compile))).toEqual(['good'])
  })

  it('replace a cached copy that is not the recorded module; it is never what a call returns', async () => {
    for (const wrong of [BAD, GOOD.subarray(0, 10), Buffer.alloc(0)]) {
      const {files, cached} = await setUp()
      await mkdir(files.cache, {recursive: true})
      await writeFile(cached, wrong)
      expect(exportOf(await compileRecorded(files, SHA, compile))).toEqual(['good'])
      expect((await readFile(cached)).equals(GOOD)).toBe(true)
    }
  })

  it('refuse a render.wasm.gz that is not the recorded module, writing nothing', async () => {
    const {files} = await setUp(BAD)
    await expect(compileRecorded(files, SHA, compile)).rejects.toThrow(
      /render\.wasm\.gz is not the module the build recorded: reinstall/,
    )
    expect(compiled).toEqual([])
    expect(existsSync(files.cache)).toBe(false)
  })

  it('stay in memory when the cache cannot be written, every run', async () => {
    const {dir, files} = await setUp()
    // A file where the cache folder should be (permissions would not stop root).
    files.cache = path.join(dir, 'not-a-folder/render-module')
    await writeFile(path.join(dir, 'not-a-folder'), 'x')
    for (let run = 0; run < 2; run++) expect(exportOf(await compileRecorded(files, SHA, compile))).toEqual(['good'])
    expect(await readFile(path.join(dir, 'not-a-folder'), 'utf8')).toBe('x')
  })

  it("ignore another writer's partial temporary file, and drop other builds' copies and old temporary files", async () => {
    const {files, cached} = await setUp()
    await mkdir(files.cache, {recursive: true})
    const [partial, old, otherBuild] = [`${cached}.999-0000.tmp`, `${cached}.998-0000.tmp`, `${'0'.repeat(64)}.wasm`]
    await writeFile(partial, GOOD.subarray(0, 5))
    await writeFile(old, GOOD.subarray(0, 5))
    await utimes(old, new Date(Date.now() - 7_200_000), new Date(Date.now() - 7_200_000))
    await writeFile(path.join(files.cache, otherBuild), BAD)
    expect(exportOf(await compileRecorded(files, SHA, compile))).toEqual(['good'])
    expect((await readFile(cached)).equals(GOOD)).toBe(true)
    expect((await readdir(files.cache)).sort()).toEqual([`${SHA}.wasm`, path.basename(partial)])
  })

  it("live in the user's cache directory, the engine's: XDG_CACHE_HOME, else ~/.cache", () => {
    expect(moduleCacheDir({XDG_CACHE_HOME: '/x', HOME: '/h'})).toBe('/x/ameide/render-module')
    if (process.platform === 'linux') expect(moduleCacheDir({HOME: '/h'})).toBe('/h/.cache/ameide/render-module')
  })
})
