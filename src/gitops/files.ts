import {lstat, readdir} from 'node:fs/promises'
import path from 'node:path'

/** Repo-relative paths of regular files, sorted; `.git`, `.github` and `node_modules` are never entered, symlinks never followed. */
export async function listFiles(root: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(path.join(root, rel), {withFileTypes: true})
    for (const e of entries) {
      const child = rel === '' ? e.name : `${rel}/${e.name}`
      if (e.isDirectory()) {
        if (rel === '' && (e.name === '.git' || e.name === '.github')) continue
        if (e.name === 'node_modules') continue
        await walk(child)
      } else if (e.isFile()) {
        out.push(child)
      }
    }
  }
  const info = await lstat(root)
  if (info.isDirectory()) await walk('')
  return out.sort()
}
