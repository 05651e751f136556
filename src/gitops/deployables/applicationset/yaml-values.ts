/**
 * YAML read as Argo CD's ApplicationSet controller reads it (sigs.k8s.io/yaml: go-yaml v2 resolution, then JSON):
 * YAML 1.1 scalars (`yes`/`on` are booleans, `0777` is octal), timestamps stay strings, no sexagesimal numbers;
 * numbers become float64 (plain JS numbers here).
 */
import {parseAllDocuments, parse, type Tags} from 'yaml'

const customTags = (tags: Tags): Tags =>
  tags.filter((t) => {
    if (typeof t !== 'object') return true
    if (t.tag === 'tag:yaml.org,2002:timestamp') return false
    if (['tag:yaml.org,2002:omap', 'tag:yaml.org,2002:pairs', 'tag:yaml.org,2002:set'].includes(t.tag)) return false
    return !('format' in t && t.format === 'TIME')
  })

const OPTIONS = {version: '1.1' as const, customTags, merge: true, maxAliasCount: 100}

/** The value of the first YAML document of `text` (undefined for an empty text); throws on a YAML error. */
export function parseYamlValue(text: string): unknown {
  const docs = parseAllDocuments(text, OPTIONS)
  if (!Array.isArray(docs)) return undefined
  const first = docs[0]
  if (!first) return undefined
  if (first.errors.length > 0) throw new Error(first.errors[0].message)
  return jsonish(first.toJS({maxAliasCount: 100}))
}

/** One YAML text as JSON (for templatePatch, elementsYaml): the single document, throws on errors. */
export function parseYamlText(text: string): unknown {
  return jsonish(parse(text, OPTIONS))
}

/** What JSON keeps: map keys as strings, no undefined, Uint8Array (binary) as base64. */
function jsonish(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(jsonish)
  if (v instanceof Map) {
    const out: Record<string, unknown> = {}
    for (const [k, e] of v) out[String(k)] = jsonish(e)
    return out
  }
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64')
  if (typeof v === 'bigint') return Number(v)
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, e] of Object.entries(v)) if (e !== undefined) out[k] = jsonish(e)
    return out
  }
  return v
}
