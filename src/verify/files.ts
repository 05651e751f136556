import type {Hash} from 'node:crypto'
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
  // `dir` is normalized and `rel` is readdir names joined by `/`: on POSIX the same as path.join, without its cost.
  const posix = path.sep === '/'
  const walk = (rel: string): void => {
    const folder = rel === '' ? dir : posix ? `${dir}/${rel}` : path.join(dir, rel)
    const entries = readdirSync(folder, {withFileTypes: true})
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

/** The file's bytes (a view of the shared buffer, valid until the next call) and its size; one read for most. */
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
      const room = readBuffer.length - n
      const k = readSync(fd, readBuffer, n, room, null)
      n += k
      // A regular file's short read is its end: no read more to see an empty one.
      if (k < room) return {bytes: readBuffer.subarray(0, n), size: n}
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
 *
 * `options.rels` reads these files (a listing taken before) instead of listing the folder; `options.hash` is fed,
 * per file, exactly what the checks see of it: its path, its size, and its bytes when it is read as text.
 */
export function readPrimitiveFiles(
  repoRoot: string,
  primitivePath: string,
  options: {rels?: string[]; hash?: Hash} = {},
): SourceFile[] {
  const dir = path.join(repoRoot, primitivePath)
  // `dir` is normalized and `rel` is readdir names joined by `/`: the same as path.join, without its cost.
  const posix = path.sep === '/'
  const hash = options.hash
  return (options.rels ?? listFilesSync(dir)).map((rel) => {
    const abs = posix ? `${dir}/${rel}` : path.join(dir, rel)
    const {bytes, size} = readShared(abs)
    const isText = !(size > MAX_TEXT_BYTES || isBinaryStart(bytes))
    if (hash) {
      // A large text file is scanned for secrets in pieces: its digest covers every byte too.
      const large = !isText && !isBinaryStart(bytes)
      hash.update(`${rel}\0${size}\0${isText ? 'T' : large ? 'L' : 'B'}`)
      if (isText) hash.update(bytes)
      else if (large) hashFile(hash, abs)
      hash.update('\0')
    }
    return {rel, repoPath: `${primitivePath}/${rel}`, abs, size, text: isText ? bytes.toString('utf8') : null}
  })
}

/** Feeds every byte of the file at `abs` to `hash`, a piece at a time. */
function hashFile(hash: Hash, abs: string): void {
  const fd = openSync(abs, 'r')
  try {
    const buffer = Buffer.allocUnsafe(1024 * 1024)
    for (
      let n = readSync(fd, buffer, 0, buffer.length, null);
      n > 0;
      n = readSync(fd, buffer, 0, buffer.length, null)
    ) {
      hash.update(buffer.subarray(0, n))
    }
  } finally {
    closeSync(fd)
  }
}

/** {@link listFiles}, synchronously. */
export function listFilesNow(dir: string): string[] {
  return listFilesSync(dir)
}

/**
 * The files of a primitive as {@link readPrimitiveFiles} gives them, without reading any: each file's text is read
 * on first access (then kept). For checks that look at a few files only, when the others' results come from a cache.
 */
export function lazyPrimitiveFiles(
  repoRoot: string,
  primitivePath: string,
  rels: string[],
  sizes: number[],
): SourceFile[] {
  const dir = path.join(repoRoot, primitivePath)
  const posix = path.sep === '/'
  return rels.map((rel, i) => {
    const abs = posix ? `${dir}/${rel}` : path.join(dir, rel)
    let text: string | null | undefined
    return {
      rel,
      repoPath: `${primitivePath}/${rel}`,
      abs,
      size: sizes[i],
      get text(): string | null {
        if (text === undefined) {
          const {bytes, size} = readShared(abs)
          text = size > MAX_TEXT_BYTES || bytes.subarray(0, 8192).includes(0) ? null : bytes.toString('utf8')
        }
        return text
      },
    }
  })
}

/** A file is binary when its first 8 KiB hold a NUL byte (as git decides). */
export const isBinaryStart = (bytes: Uint8Array): boolean => bytes.subarray(0, 8192).includes(0)

/** A file over MAX_TEXT_BYTES (so `text: null`) that is text, not binary: read it in pieces with readTextPieces. */
export function isLargeText(file: Pick<SourceFile, 'abs' | 'size' | 'text'>): boolean {
  if (file.text !== null || file.size <= MAX_TEXT_BYTES) return false
  const fd = openSync(file.abs, 'r')
  try {
    const head = Buffer.alloc(8192)
    return !isBinaryStart(head.subarray(0, readSync(fd, head, 0, head.length, 0)))
  } finally {
    closeSync(fd)
  }
}

/**
 * A large file's text in pieces of about `pieceBytes` (UTF-8 decoded as a stream: a character split between two
 * reads is whole in the next piece), so memory stays bounded whatever the file's size.
 */
export function* readTextPieces(abs: string, pieceBytes = 1024 * 1024): Generator<string> {
  const fd = openSync(abs, 'r')
  try {
    const decoder = new TextDecoder('utf-8')
    const buffer = Buffer.allocUnsafe(pieceBytes)
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null)
      if (n === 0) break
      yield decoder.decode(buffer.subarray(0, n), {stream: true})
    }
    const rest = decoder.decode()
    if (rest !== '') yield rest
  } finally {
    closeSync(fd)
  }
}
