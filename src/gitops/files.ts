import {lstatSync, readdirSync} from 'node:fs'
import path from 'node:path'

/**
 * Repo-relative paths of regular files, sorted; `.git`, `.github` and `node_modules` are never entered, symlinks never
 * followed. Synchronous inside: one readdir per folder in a row beats thousands of round trips through the thread pool.
 */
export async function listFiles(root: string): Promise<string[]> {
  const out: string[] = []
  const walk = (rel: string): void => {
    const entries = readdirSync(path.join(root, rel), {withFileTypes: true})
    for (const e of entries) {
      const child = rel === '' ? e.name : `${rel}/${e.name}`
      if (e.isDirectory()) {
        if (rel === '' && (e.name === '.git' || e.name === '.github')) continue
        if (e.name === 'node_modules') continue
        walk(child)
      } else if (e.isFile()) {
        out.push(child)
      }
    }
  }
  if (lstatSync(root).isDirectory()) walk('')
  return out.sort()
}
