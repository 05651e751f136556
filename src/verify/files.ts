import {closeSync, fstatSync, openSync, readdirSync, readSync} from 'node:fs'
import path from 'node:path'

import type {SourceFile} from './types.js'

/** Folders that hold installed dependencies or tool caches, never the primitive's own files. */
export const IGNORED_DIRS = new Set([
  '.git',
  'node_modules',
  '.venv',
  'venv',
  '__pycache__',
  '.pytest_cache',
  '.mypy_cache',
  '.ruff_cache',
  '.next',
  '.turbo',
])

/** Files larger than this are not read as text (they are still listed, for shape and tests). */
export const MAX_TEXT_BYTES = 4 * 1024 * 1024

/** Lists every regular file under `dir` (ignoring IGNORED_DIRS), relative paths with forward slashes, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  return listFilesSync(dir)
}

function listFilesSync(dir: string): string[] {
  const out: string[] = []
  const walk = (rel: string): void => {
    const entries = readdirSync(rel === '' ? dir : path.join(dir, rel), {withFileTypes: true})
    for (const entry of entries) {
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`
      if (entry.isDirectory()) {
        if (!IGNORED_DIRS.has(entry.name)) walk(childRel)
      } else if (entry.isFile()) {
        out.push(childRel)
      }
    }
  }
  walk('')
  return out.sort()
}

/** Reused read buffer (one per thread): no per-file allocation and no fstat for the size. */
let readBuffer = Buffer.allocUnsafe(256 * 1024)

/** The file's bytes (a view of the shared buffer, valid until the next call) and its size. */
function readShared(abs: string): {bytes: Buffer; size: number} {
  const fd = openSync(abs, 'r')
  try {
    let n = 0
    for (;;) {
      if (n === readBuffer.length) {
        if (n > MAX_TEXT_BYTES) return {bytes: readBuffer.subarray(0, n), size: fstatSync(fd).size}
        const bigger = Buffer.allocUnsafe(readBuffer.length * 2)
        readBuffer.copy(bigger, 0, 0, n)
        readBuffer = bigger
      }
      const k = readSync(fd, readBuffer, n, readBuffer.length - n, null)
      if (k === 0) return {bytes: readBuffer.subarray(0, n), size: n}
      n += k
    }
  } finally {
    closeSync(fd)
  }
}

/**
 * Reads every file of a primitive once. Text is shared by all checks; binary files (a NUL byte in
 * the first 8 KiB) and files over MAX_TEXT_BYTES get `text: null`. Reads only.
 *
 * Synchronous on purpose: for thousands of small files in the page cache, one blocking read each is
 * several times faster than the open/stat/read/close round-trips of fs/promises (see bench/verify).
 */
export function readPrimitiveFiles(repoRoot: string, primitivePath: string): SourceFile[] {
  return unpackPrimitiveFiles(repoRoot, primitivePath, packPrimitiveFiles(repoRoot, primitivePath))
}

/**
 * A primitive's files as one transferable block (what the read-ahead worker sends): the bytes of every
 * text file back to back, with per-file offsets; `length` -1 marks a binary or oversized file.
 */
export interface PackedFiles {
  rels: string[]
  sizes: number[]
  offsets: number[]
  lengths: number[]
  bytes: ArrayBuffer
}

let packBuffer = Buffer.allocUnsafeSlow(1024 * 1024)

/** Lists and reads a primitive's files into a PackedFiles (its `bytes` is a fresh, transferable buffer). */
export function packPrimitiveFiles(repoRoot: string, primitivePath: string): PackedFiles {
  const dir = path.join(repoRoot, primitivePath)
  const rels = listFilesSync(dir)
  const sizes: number[] = []
  const offsets: number[] = []
  const lengths: number[] = []
  let used = 0
  for (const rel of rels) {
    const {bytes, size} = readShared(path.join(dir, rel))
    sizes.push(size)
    offsets.push(used)
    if (size > MAX_TEXT_BYTES || bytes.subarray(0, 8192).includes(0)) {
      lengths.push(-1)
      continue
    }
    if (used + bytes.length > packBuffer.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(packBuffer.length * 2, used + bytes.length))
      packBuffer.copy(bigger, 0, 0, used)
      packBuffer = bigger
    }
    bytes.copy(packBuffer, used)
    lengths.push(bytes.length)
    used += bytes.length
  }
  const out = new Uint8Array(used)
  out.set(packBuffer.subarray(0, used))
  return {rels, sizes, offsets, lengths, bytes: out.buffer}
}

/** The SourceFiles of a PackedFiles (texts decoded as UTF-8, as readFileSync would). */
export function unpackPrimitiveFiles(repoRoot: string, primitivePath: string, packed: PackedFiles): SourceFile[] {
  const dir = path.join(repoRoot, primitivePath)
  // `dir` is normalized and `rel` is readdir names joined by `/`: the same as path.join, without its cost.
  const posix = path.sep === '/'
  const all = Buffer.from(packed.bytes)
  return packed.rels.map((rel, k) => {
    const length = packed.lengths[k]
    const text = length < 0 ? null : all.toString('utf8', packed.offsets[k], packed.offsets[k] + length)
    return {
      rel,
      repoPath: `${primitivePath}/${rel}`,
      abs: posix ? `${dir}/${rel}` : path.join(dir, rel),
      size: packed.sizes[k],
      text,
    }
  })
}

/** Maps with at most `limit` promises in flight; keeps the input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await fn(items[i], i)
    }
  }
  await Promise.all(Array.from({length: Math.min(limit, items.length)}, worker))
  return results
}
