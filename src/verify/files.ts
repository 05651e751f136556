import {open, readdir} from 'node:fs/promises'
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
  const out: string[] = []
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(path.join(dir, rel), {withFileTypes: true})
    const subdirs: Promise<void>[] = []
    for (const entry of entries) {
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`
      if (entry.isDirectory()) {
        if (!IGNORED_DIRS.has(entry.name)) subdirs.push(walk(childRel))
      } else if (entry.isFile()) {
        out.push(childRel)
      }
    }
    await Promise.all(subdirs)
  }
  await walk('')
  return out.sort()
}

/**
 * Reads every file of a primitive once. Text is shared by all checks; binary files (a NUL byte in
 * the first 8 KiB) and files over MAX_TEXT_BYTES get `text: null`. Reads only.
 */
export async function readPrimitiveFiles(repoRoot: string, primitivePath: string): Promise<SourceFile[]> {
  const dir = path.join(repoRoot, primitivePath)
  const rels = await listFiles(dir)
  return mapLimit(rels, 64, async (rel) => {
    const abs = path.join(dir, rel)
    const {size, text} = await readText(abs)
    return {rel, repoPath: `${primitivePath}/${rel}`, abs, size, text}
  })
}

async function readText(abs: string): Promise<{size: number; text: string | null}> {
  const handle = await open(abs, 'r')
  try {
    const {size} = await handle.stat()
    if (size > MAX_TEXT_BYTES) return {size, text: null}
    const buffer = await handle.readFile()
    const probe = buffer.subarray(0, 8192)
    if (probe.includes(0)) return {size, text: null}
    return {size, text: buffer.toString('utf8')}
  } finally {
    await handle.close()
  }
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
