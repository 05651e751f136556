import {lstatSync, readdirSync, statSync} from '../../core/memory-fs/index.js'
import path from 'node:path'

/** What the walk met but could not list as a regular file: a folder it could not open, a link, a FIFO, a device. */
export interface OddEntry {
  /** Repo-relative path; a folder's (one that could not be listed, or a link to one) ends with `/`. */
  path: string
  /** `unlisted`: a folder readdir refused; `folder-link`: a symbolic link to a folder; `other`: not a regular file. */
  kind: 'unlisted' | 'folder-link' | 'other'
  reason: string
}

/**
 * Repo-relative paths of regular files, sorted; `.git`, `.github` and `node_modules` are never entered, symlinks never
 * followed (so a link loop cannot hang the walk). Synchronous inside: one readdir per folder in a row beats thousands
 * of round trips through the thread pool.
 */
export async function listFiles(root: string): Promise<string[]> {
  return listTree(root).files
}

/** {@link listFiles}, and every entry that is not a regular file or folder, or a folder that could not be read. */
export function listTree(root: string): {files: string[]; odd: OddEntry[]} {
  const out: string[] = []
  const odd: OddEntry[] = []
  const walk = (rel: string): void => {
    let entries
    try {
      entries = readdirSync(path.join(root, rel), {withFileTypes: true})
    } catch (error) {
      if (rel === '') throw error
      odd.push({
        path: `${rel}/`,
        kind: 'unlisted',
        reason: `the folder could not be listed (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      })
      return
    }
    for (const e of entries) {
      const child = rel === '' ? e.name : `${rel}/${e.name}`
      if (e.isDirectory()) {
        if (rel === '' && (e.name === '.git' || e.name === '.github')) continue
        if (e.name === 'node_modules') continue
        walk(child)
      } else if (e.isFile()) {
        out.push(child)
      } else if (e.isSymbolicLink() && linksToFolder(path.join(root, child))) {
        odd.push({
          path: `${child}/`,
          kind: 'folder-link',
          reason: 'it is a symbolic link to a folder, which the gate does not follow',
        })
      } else {
        odd.push({path: child, kind: 'other', reason: `it is ${kindOf(e)}, which the gate does not follow or read`})
      }
    }
  }
  if (lstatSync(root).isDirectory()) walk('')
  return {files: out.sort(), odd: odd.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))}
}

/** The link resolves to a folder (a loop or a dangling link does not). */
const linksToFolder = (abs: string): boolean => {
  try {
    return statSync(abs).isDirectory()
  } catch {
    return false
  }
}

const kindOf = (e: import('node:fs').Dirent): string =>
  e.isSymbolicLink()
    ? 'a symbolic link'
    : e.isFIFO()
      ? 'a FIFO'
      : e.isSocket()
        ? 'a socket'
        : e.isBlockDevice() || e.isCharacterDevice()
          ? 'a device'
          : 'not a regular file'

/**
 * Whether a file is a Helm chart's template (under `templates/` of a folder holding a Chart.yaml): Go template text,
 * never read as YAML (helm renders it; what it renders is read).
 */
export function chartTemplateTest(files: readonly string[]): (file: string) => boolean {
  const charts = new Set(files.filter((f) => path.posix.basename(f) === 'Chart.yaml').map((f) => path.posix.dirname(f)))
  return (file) => {
    const parts = file.split('/')
    return parts.some((p, i) => p === 'templates' && charts.has(parts.slice(0, i).join('/') || '.'))
  }
}
