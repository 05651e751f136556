/**
 * An object as the diff shows it: its keys in a stable (sorted) order, as YAML, and the unified diff of two of them.
 * The data of a Secret — and of every kind `gitopsPolicy.diff.maskKinds` names — is masked: every value but the
 * object's identity (apiVersion, kind, type, metadata.name, namespace, labels) becomes `<masked>`, or
 * `<masked (changed)>` on the head side where it differs from the base's, so a reviewer sees that a value changed,
 * never the value.
 */
import type {Doc} from '../render/objects.js'

export const MASKED = '<masked>'
export const MASKED_CHANGED = '<masked (changed)>'

/** Kinds always masked. */
export const ALWAYS_MASKED = ['Secret']

const isDoc = (v: unknown): v is Doc => v !== null && typeof v === 'object' && !Array.isArray(v)

export function masks(kind: string, maskKinds: readonly string[]): boolean {
  return ALWAYS_MASKED.includes(kind) || maskKinds.includes(kind)
}

/** `value` with every leaf masked; `other`: the same place on the other side (a leaf that differs is `changed`). */
function maskValue(value: unknown, other: unknown, markChanged: boolean): unknown {
  if (Array.isArray(value))
    return value.map((v, i) => maskValue(v, Array.isArray(other) ? other[i] : undefined, markChanged))
  if (isDoc(value)) {
    const out: Doc = {}
    for (const [k, v] of Object.entries(value)) out[k] = maskValue(v, isDoc(other) ? other[k] : undefined, markChanged)
    return out
  }
  if (!markChanged || other === undefined) return MASKED
  return JSON.stringify(value) === JSON.stringify(other) ? MASKED : MASKED_CHANGED
}

const KEPT = new Set(['apiVersion', 'kind', 'type'])
const KEPT_METADATA = new Set(['name', 'namespace', 'labels'])

/** The body masked; `other`: the other revision's body (the head marks what changed against the base). */
export function maskBody(body: Doc, other: Doc | undefined, markChanged: boolean): Doc {
  const out: Doc = {}
  for (const [k, v] of Object.entries(body)) {
    const o = other?.[k]
    if (KEPT.has(k)) out[k] = v
    else if (k === 'metadata' && isDoc(v)) {
      const m: Doc = {}
      for (const [mk, mv] of Object.entries(v)) {
        m[mk] = KEPT_METADATA.has(mk) ? mv : maskValue(mv, isDoc(o) ? o[mk] : undefined, markChanged)
      }
      out[k] = m
    } else out[k] = maskValue(v, o, markChanged)
  }
  return out
}

/** The object as YAML with its keys sorted at every level. */
export function stableYaml(yaml: typeof import('yaml'), body: Doc | undefined): string {
  if (body === undefined) return ''
  return yaml.stringify(body, {sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false})
}

/** The unified diff (3 lines of context) of an object's two texts, headed `--- a/<name>` / `+++ b/<name>`. */
export async function unifiedDiff(name: string, before: string, after: string, absent: {base: boolean; head: boolean}) {
  const {createTwoFilesPatch} = await import('diff')
  const patch = createTwoFilesPatch(
    absent.base ? '/dev/null' : `a/${name}`,
    absent.head ? '/dev/null' : `b/${name}`,
    before,
    after,
    undefined,
    undefined,
    {context: 3},
  )
  // The leading `Index:`/`===` lines createTwoFilesPatch writes are not part of a unified diff's hunks.
  const start = patch.indexOf('--- ')
  return start < 0 ? patch : patch.slice(start)
}
