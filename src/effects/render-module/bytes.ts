/**
 * Where the render module's bytes come from. A checkout's build (and `npm pack`) has dist/render-module/render.wasm;
 * the release tarball carries render.wasm.gz instead — npm inflates a tarball's contents three times while installing
 * it, so 15 MB of gzip instead of 88 MB of WebAssembly made the install ≈ 1.5 s faster (docs/performance.md; 10 and
 * 46 MB since Helm's overlay) — and
 * the first render unzips it once into the user's cache, <cache>/ameide/render-module/<sha256>.wasm. Whatever the
 * source, the bytes are checked against the sha256 the build recorded before the module is used: a corrupted or
 * tampered cache file is replaced from the .gz.
 */
import {webcrypto} from 'node:crypto'
import {existsSync, readdirSync, rmSync, statSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {promisify} from 'node:util'
import {gunzip} from 'node:zlib'

import {userCacheDir} from '../../../scripts/user-cache.mjs'
import {replaceFile} from '../../cache/store.js'

export interface ModuleFiles {
  /** render.wasm: used as it is when present. */
  wasm: string
  /** render.wasm.gz (the release's): unzipped into `cache` when render.wasm is absent. */
  gz: string
  /** The unzipped copies' folder; by default {@link moduleCacheDir}. */
  cache?: string
}

/** The user's cache directory (the one the engine's tools use, scripts/user-cache.mjs) + render-module. */
export const moduleCacheDir = (env: NodeJS.ProcessEnv = process.env) => path.join(userCacheDir(env), 'render-module')

/** The package carries the module, as render.wasm or render.wasm.gz. Reads no bytes and touches no cache. */
export const hasModuleBytes = (files: ModuleFiles) => existsSync(files.wasm) || existsSync(files.gz)

/** The sha256 of `bytes`, hashed off this thread (WebCrypto's digest runs in libuv's pool): 46 MB are ≈ 70 ms. */
const digest = async (bytes: Uint8Array) => Buffer.from(await webcrypto.subtle.digest('SHA-256', bytes)).toString('hex')

/**
 * The module compiled from bytes whose sha256 is `sha256`: render.wasm, else the cached unzip, else the .gz, unzipped
 * and cached. The bytes are hashed while V8 compiles them on its own threads (no slower than compiling alone); bytes
 * that fail the hash are dropped with their compilation, never instantiated.
 */
export async function compileRecorded<M>(
  files: ModuleFiles,
  sha256: string,
  compile: (bytes: Uint8Array) => Promise<M>,
): Promise<M> {
  if (existsSync(files.wasm)) {
    const module = await checked(await readFile(files.wasm), sha256, compile)
    if (!module) throw new Error(`${files.wasm} is not the module the build recorded: rebuild (npm run build)`)
    return module
  }
  const cached = path.join(files.cache ?? moduleCacheDir(), `${sha256}.wasm`)
  const copy = await readIfThere(cached)
  const hit = copy && (await checked(copy, sha256, compile))
  if (hit) return hit
  const bytes = await promisify(gunzip)(await readFile(files.gz))
  if ((await digest(bytes)) !== sha256)
    throw new Error(`${files.gz} is not the module the build recorded: reinstall ameide`)
  const module = compile(bytes)
  store(cached, bytes)
  return module
}

/** The file's bytes, or undefined when it is not there (never written, or just pruned by another release). */
async function readIfThere(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file)
  } catch {
    return undefined
  }
}

/** The compilation of `bytes` when their sha256 is `sha256`, else undefined (the compilation is abandoned). */
async function checked<M>(
  bytes: Buffer,
  sha256: string,
  compile: (bytes: Uint8Array) => Promise<M>,
): Promise<M | undefined> {
  const module = compile(bytes)
  // Handled at once: a compilation that fails while the bytes are hashed is no one's rejection when they fail too.
  module.catch(() => undefined)
  return (await digest(bytes)) === sha256 ? module : undefined
}

/**
 * Writes the unzipped module under a temporary name and renames it into place: a crash or another process unzipping
 * at the same time never leaves a partial file under the real name (and whatever is there is hashed before use).
 * When the cache cannot be written (a read-only home), the module stays in this process's memory: each run then
 * unzips it again (≈ 1 s).
 */
function store(file: string, bytes: Buffer): void {
  if (!replaceFile(file, bytes)) return
  try {
    prune(file)
  } catch {}
}

/** Drops other builds' copies (46–88 MB each, left by earlier releases) and temporary files older than an hour. */
function prune(kept: string): void {
  const dir = path.dirname(kept)
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name)
    const old = (ms: number) => Date.now() - (statSync(file, {throwIfNoEntry: false})?.mtimeMs ?? Date.now()) > ms
    const stale = /^[0-9a-f]{64}\.wasm$/.test(name) ? file !== kept : name.endsWith('.tmp') && old(3_600_000)
    if (stale) rmSync(file, {force: true})
  }
}
