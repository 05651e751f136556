/** A write's byte-preserving splices, and the read-back that checks the edited text before anything is written. */
import {failureError} from '../../core/errors.js'
import {findImages, type MapGeometry, type MapValue} from '../facts/index.js'

/** A byte range of the file and its new text. */
export interface Splice {
  start: number
  end: number
  text: string
}

/** What must read back after the edit: a site's value, or the named fields of a map or kustomize entry. */
export type ReadBack =
  | {kind: 'site' | 'map'; index: number; line: number; want: Record<string, string>}
  | {kind: 'kustomize'; path: string; line: number; want: Record<string, string>}

/**
 * Byte-preserving splices that give a map (image map or kustomize entry) the `target` values: a present value
 * replaced in place (quotes stay; a plain scalar that would not read as a string is double-quoted), a missing key
 * added after the map's last pair in its own style (`, key: value` in a flow map, a new line at the map's indentation
 * in a block map, with the file's line ending).
 */
export function pairSplices(
  yaml: typeof import('yaml'),
  text: string,
  fields: Partial<Record<string, MapValue>>,
  geometry: MapGeometry | undefined,
  target: Array<[string, string]>,
  notVerbatim: (line: number) => Error,
): Splice[] {
  const out: Splice[] = []
  const missing: string[] = []
  const plain = (value: string) => {
    let parsed: unknown
    try {
      parsed = yaml.parse(value)
    } catch {
      parsed = undefined
    }
    return parsed === value ? value : JSON.stringify(value)
  }
  for (const [key, value] of target) {
    const field = fields[key]
    if (!field) {
      missing.push(`${key}: ${plain(value)}`)
      continue
    }
    if (field.value === value) continue
    if (!field.verbatim || field.style === 'block') throw notVerbatim(field.line)
    out.push({start: field.start, end: field.end, text: field.style === 'plain' ? plain(value) : value})
  }
  if (missing.length > 0 && geometry) {
    const eol = text[geometry.insertAt] === '\r' ? '\r\n' : '\n'
    const sep = geometry.flow ? ', ' : `${eol}${' '.repeat(geometry.indent)}`
    out.push({start: geometry.insertAt, end: geometry.insertAt, text: missing.map((m) => sep + m).join('')})
  }
  return out
}

/** The edited text must parse and hold exactly the new values where the old ones were: else stop, nothing written. */
export function assertRewritten(yaml: typeof import('yaml'), file: string, after: string, checks: ReadBack[]): void {
  const found = findImages(yaml, after)
  const entries = new Map(found.kustomizeImages.map((k) => [k.path, k]))
  for (const check of checks) {
    let now: Record<string, {value: string} | undefined> | undefined
    if (check.kind === 'kustomize') now = entries.get(check.path)?.fields
    else if (check.kind === 'map') now = found.imageMaps[check.index]?.fields
    else now = {value: found.images[check.index]}
    const ok = !found.skipped && now && Object.entries(check.want).every(([k, v]) => now[k]?.value === v)
    if (!ok) {
      throw failureError(
        'REWRITE_CHECK_FAILED',
        `${file}:${check.line}: the rewritten file does not read back; nothing was written.`,
      )
    }
  }
}
