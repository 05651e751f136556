/**
 * helm splits what a flag names: `--values` is a string slice read as CSV (`,` separates two files, `"` quotes), and
 * `--set-file name=path` is parsed like `--set` (`,` starts another `name=path`, `\` escapes the next character). A
 * value file `vals/x,/home/runner/.docker/config.json`, judged as one in-tree path, would have helm read the second
 * half. So no path that holds anything but plain characters reaches helm: such a file (already confined to the
 * revision) is copied under a plain name into a scratch folder in memory, the copy is what helm reads, and helm's messages
 * name the file as the revision does. A file that cannot be copied is refused, never passed as it is written.
 */
import path from 'node:path'

import {copyFileSync, rmSync, scratchFolder, statSync} from '../../core/memory-fs/index.js'
import type {HelmResult, HelmTemplateRequest} from '../../effects/helm.js'

/** What helm reads as one path in `--values` and `--set-file`: nothing it splits, quotes or escapes on. */
const PLAIN = /^[\w./@+~ -]*$/

export const isPlainPath = (p: string): boolean => PLAIN.test(p)

/**
 * Runs `template` on `request` with every value file and `--set-file` path that is not plain replaced by a plain
 * copy (`root`: the revision, to name files in messages). The copies are removed when it returns.
 */
export async function withPlainPaths(
  request: HelmTemplateRequest,
  root: string,
  template: (request: HelmTemplateRequest) => Promise<HelmResult>,
): Promise<HelmResult> {
  const setFile = request.setFile ?? []
  if (request.valueFiles.every(isPlainPath) && setFile.every((s) => isPlainPath(s.path))) return template(request)
  const dir = scratchFolder('helm-paths')
  const named = new Map<string, string>() // copy → repo-relative original
  const rel = (p: string) => path.relative(root, p).split(path.sep).join('/')
  try {
    let n = 0
    const plain = (p: string, ext: string): string | {refused: string} => {
      if (isPlainPath(p)) return p
      const copy = path.join(dir, `${n++}${ext}`)
      if (!isPlainPath(copy)) return {refused: "the temporary folder's own path is not plain"}
      try {
        if (!statSync(p).isFile()) return {refused: 'it is not a file'}
        copyFileSync(p, copy)
      } catch {
        return {refused: 'it cannot be read'}
      }
      named.set(copy, rel(p))
      return copy
    }
    const valueFiles: string[] = []
    for (const f of request.valueFiles) {
      const p = plain(f, '.yaml')
      if (typeof p !== 'string') return refusedPath(rel(f), p.refused)
      valueFiles.push(p)
    }
    const files: Array<{name: string; path: string}> = []
    for (const s of setFile) {
      const p = plain(s.path, '')
      if (typeof p !== 'string') return refusedPath(rel(s.path), p.refused)
      files.push({name: s.name, path: p})
    }
    const result = await template({...request, valueFiles, setFile: files})
    if (result.ok) return result
    let message = result.message
    for (const [copy, original] of named) message = message.replaceAll(copy, original)
    return {...result, message: message.replaceAll(dir, '<helm>')}
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

const refusedPath = (file: string, why: string): HelmResult => ({
  ok: false,
  refused: true,
  message: `${JSON.stringify(file)} holds a character helm splits or escapes a path on (a comma, a quote, a backslash…) and ${why}: it is not passed to helm, so nothing is rendered.`,
})
