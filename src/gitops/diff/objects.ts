/**
 * An object as the diff shows it: its keys in a stable (sorted) order, as YAML, and the unified diff of two of them.
 * The data of a Secret — and of every kind `gitopsPolicy.diff.maskKinds` names — is masked: every value but the
 * object's identity (apiVersion, kind, type, metadata.name, namespace, labels) becomes `<masked>`, or
 * `<masked (changed)>` on the head side where it differs from the base's, so a reviewer sees that a value changed,
 * never the value. That covers `data`, `stringData` and every annotation — the
 * `kubectl.kubernetes.io/last-applied-configuration` that repeats a Secret's whole body included (replaced whole, as
 * gitops-engine's HideSecretData does when it cannot parse it). Unlike Argo CD, which masks only the core `v1`
 * Secret, a kind is matched whatever its apiVersion and letter case (`secret`, `SECRET`: a spelling that skipped the
 * mask would print the values), and the Secrets among a `List`'s items are masked too. A Secret's `stringData` is
 * folded into `data` first (base64, as the API server stores it), so moving a value from one to the other is no
 * change.
 */
import type {Doc} from '../kubernetes/objects.js'
import {plainYaml} from './plain-yaml.js'

export const MASKED = '<masked>'
export const MASKED_CHANGED = '<masked (changed)>'

/** Kinds always masked. */
export const ALWAYS_MASKED = ['Secret']

const isDoc = (v: unknown): v is Doc => v !== null && typeof v === 'object' && !Array.isArray(v)

const normal = (kind: unknown) => (typeof kind === 'string' ? kind.trim().toLowerCase() : '')

/** Is an object of this kind masked: a Secret or a kind of `maskKinds`, in any letter case. */
export function masks(kind: unknown, maskKinds: readonly string[]): boolean {
  const k = normal(kind)
  return k !== '' && [...ALWAYS_MASKED, ...maskKinds].some((m) => normal(m) === k)
}

/** A Secret's `stringData` folded into `data` (base64; a `stringData` key wins, as the API server does). */
function folded(body: Doc): Doc {
  if (normal(body.kind) !== 'secret' || !isDoc(body.stringData)) return body
  const data: Doc = isDoc(body.data) ? {...body.data} : {}
  for (const [k, v] of Object.entries(body.stringData))
    data[k] = Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64')
  const {stringData: _, ...rest} = body
  return {...rest, data}
}

/** A `List` (kind `List` or `…List`) and its items. */
const listItems = (body: Doc): unknown[] | undefined =>
  normal(body.kind).endsWith('list') && Array.isArray(body.items) ? body.items : undefined

/**
 * The body as the diff shows it, and whether anything in it was masked: a masked kind masked whole (its Secret
 * data folded first), a List's items each so.
 */
export function shownBody(
  body: Doc,
  other: Doc | undefined,
  markChanged: boolean,
  maskKinds: readonly string[],
): {body: Doc; masked: boolean} {
  if (masks(body.kind, maskKinds)) {
    return {body: maskBody(folded(body), other && folded(other), markChanged), masked: true}
  }
  const items = listItems(body)
  if (!items) return {body, masked: false}
  const others = other && listItems(other)
  // A typed list's items may leave their kind out (a SecretList's are Secrets).
  const itemKind = String(body.kind).trim().slice(0, -'List'.length)
  let masked = false
  const shown = items.map((item, i) => {
    if (!isDoc(item)) return item
    const o = others?.[i]
    const kind = item.kind ?? itemKind
    const s = shownBody(
      {...item, kind},
      isDoc(o) ? {...o, kind: o.kind ?? itemKind} : undefined,
      markChanged,
      maskKinds,
    )
    masked ||= s.masked
    if (!s.masked) return item
    const {kind: _, ...rest} = s.body
    return item.kind === undefined ? rest : s.body
  })
  return {body: {...body, items: shown}, masked}
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
function maskBody(body: Doc, other: Doc | undefined, markChanged: boolean): Doc {
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

/**
 * Whether two bodies hold the same data — plain objects with the same keys, arrays, and leaves that are the same value
 * (Object.is: -0 is not 0) — so that their stable YAML is the same text. Anything else (another class of object)
 * is not decided here: false, and the texts are compared.
 */
export function sameData(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!sameData(a[i], b[i])) return false
    return true
  }
  if (!isPlain(a) || !isPlain(b)) return false
  const keys = Object.keys(a)
  const other = b as Record<string, unknown>
  return (
    keys.length === Object.keys(b).length &&
    keys.every((k) => Object.hasOwn(other, k) && sameData((a as Record<string, unknown>)[k], other[k]))
  )
}

const isPlain = (o: object) => [Object.prototype, null].includes(Object.getPrototypeOf(o))

/** The object as YAML with its keys sorted at every level (most objects written directly: ./plain-yaml.ts). */
export function stableYaml(yaml: typeof import('yaml'), body: Doc | undefined): string {
  if (body === undefined) return ''
  return plainYaml(body) ?? yaml.stringify(body, STABLE)
}

/** How stableYaml asks the library: ./plain-yaml.ts writes what these options give. */
export const STABLE = {sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false} as const

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
