/**
 * The cheap read layout detection makes of a checkout: per YAML file only its top-level `apiVersion:`/`kind:` lines
 * (every document of it) and the child keys of its `image:` maps, by lines, never parsed.
 */
import {readFileSync, statSync} from '../../core/memory-fs/index.js'
import path from 'node:path'

/** What one YAML file says about the layout. */
export interface FileSignals {
  file: string
  /** `apiVersion/kind` of every document that names both at the top level. */
  objects: Array<{apiVersion: string; kind: string}>
  /** `image:` maps with a `ref` key (the design documents' contract); maps with `repository` and `tag` (Helm's). */
  refMaps: number
  splitMaps: number
}

const YAML_FILE = /\.ya?ml$/i
// Only what a Kubernetes apiVersion and kind can be: nothing else of a file is ever repeated in the output.
const TOP_LEVEL = /^(apiVersion|kind):[ \t]*["']?([A-Za-z0-9][A-Za-z0-9./-]{0,99})["']?[ \t]*(?:#.*)?$/
const MAP_KEY = /^(\s*)(-\s+)?([A-Za-z0-9_]+):[ \t]*(?:#.*)?$/
const CHILD_KEY = /^(\s*)(?:-\s+)?([A-Za-z]+):/

/** A file larger than this is not read for detection (its zone is still judged by path). */
const MAX_DETECTION_BYTES = 1024 * 1024

/** Paths detection looks at: YAML files outside dot-folders (CI, editor and forge configuration). */
export const detectable = (file: string) => YAML_FILE.test(file) && !file.split('/').some((s) => s.startsWith('.'))

/** Reads the signals of each detectable file; a file that cannot be read gives none (the gate reports it later). */
export function scanSignals(root: string, files: string[]): FileSignals[] {
  const out: FileSignals[] = []
  for (const file of files) {
    if (!detectable(file)) continue
    let text: string
    try {
      const full = path.join(root, file)
      if (statSync(full).size > MAX_DETECTION_BYTES) continue
      text = readFileSync(full, 'utf8')
    } catch {
      continue
    }
    out.push(signalsOf(file, text))
  }
  return out
}

export function signalsOf(file: string, text: string): FileSignals {
  const signals: FileSignals = {file, objects: [], refMaps: 0, splitMaps: 0}
  const lines = text.split('\n')
  let apiVersion: string | undefined
  let kind: string | undefined
  const flush = () => {
    if (apiVersion && kind) signals.objects.push({apiVersion, kind})
    apiVersion = kind = undefined
  }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (line.startsWith('---')) flush()
    const top = TOP_LEVEL.exec(line)
    if (top) {
      if (top[1] === 'apiVersion') apiVersion = top[2]
      else kind = top[2]
      continue
    }
    const map = MAP_KEY.exec(line)
    if (map) {
      const image = map[3] === 'image'
      const keys = childKeys(lines, i + 1, map[1].length + (map[2]?.length ?? 0))
      if (image && keys.has('ref')) signals.refMaps++
      // Helm's shape, under any key (`redis: {repository, tag}`), as the gate's own image maps are found by shape.
      else if (keys.has('repository') && (keys.has('tag') || keys.has('digest'))) signals.splitMaps++
      else if (image && (keys.has('repository') || keys.has('tag'))) signals.splitMaps++
    }
  }
  flush()
  return signals
}

/** The keys one level below a map whose key sits at `indent`. */
function childKeys(lines: string[], from: number, indent: number): Set<string> {
  const keys = new Set<string>()
  let childIndent: number | undefined
  for (let i = from; i < lines.length && i < from + 40; i++) {
    if (lines[i].trim() === '' || lines[i].trimStart().startsWith('#')) continue
    const m = CHILD_KEY.exec(lines[i])
    const at = lines[i].length - lines[i].trimStart().length
    if (at <= indent) break
    childIndent ??= at
    if (m && at === childIndent) keys.add(m[2])
  }
  return keys
}
