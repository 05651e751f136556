import {readdirSync, readFileSync} from 'node:fs'
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

/**
 * Reads every file of a primitive once. Text is shared by all checks; binary files (a NUL byte in
 * the first 8 KiB) and files over MAX_TEXT_BYTES get `text: null`. Reads only.
 *
 * Synchronous on purpose: for thousands of small files in the page cache, one blocking read each is
 * several times faster than the open/stat/read/close round-trips of fs/promises (see bench/verify).
 */
export async function readPrimitiveFiles(repoRoot: string, primitivePath: string): Promise<SourceFile[]> {
  const dir = path.join(repoRoot, primitivePath)
  return listFilesSync(dir).map((rel) => {
    const abs = path.join(dir, rel)
    const buffer = readFileSync(abs)
    const size = buffer.length
    const binary = size > MAX_TEXT_BYTES || buffer.subarray(0, 8192).includes(0)
    return {rel, repoPath: `${primitivePath}/${rel}`, abs, size, text: binary ? null : buffer.toString('utf8')}
  })
}

/** Maps with at most `limit` promises in flight; keeps the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
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
