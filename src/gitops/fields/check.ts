/**
 * The product side of the field table: the first field an object sets that the table classifies `unsupported`
 * (render-relevant, checked by the product, not already reported with its own message), so its render is named
 * render-unavailable with the table's message instead of rendering something else.
 */
import {isSet} from './model.js'
import {CHECKED, type CheckedKind} from './table.js'

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

/** The values at `segments` under `v` (`name[]` each item of a list; a trailing `**` the value itself). */
function valuesAt(v: unknown, segments: readonly string[]): unknown[] {
  if (segments.length === 0 || segments[0] === '**') return [v]
  if (!isMap(v)) return []
  const [head, ...rest] = segments
  const list = head.endsWith('[]')
  const child = v[list ? head.slice(0, -2) : head]
  if (!list) return valuesAt(child, rest)
  if (!Array.isArray(child)) return []
  return rest.length === 0 ? child : child.flatMap((item) => valuesAt(item, rest))
}

export interface UnsupportedField {
  /** The field, relative to `root` (e.g. `helm.namespace`). */
  field: string
  message: string
}

/**
 * The first unsupported field that `root` sets; `at` is the canonical path `root` is at (`spec` for a HelmRelease,
 * `spec.source` for one source of an Application); fields under `except` (one path or several) are left to another
 * call.
 */
export function unsupportedField(
  kind: CheckedKind,
  at: string,
  root: unknown,
  except: string | readonly string[] = [],
): UnsupportedField | undefined {
  if (!isMap(root)) return undefined
  const left = typeof except === 'string' ? [except] : except
  for (const {key, field, segments, rule} of checkedUnder(kind, at)) {
    if (left.some((e) => key.startsWith(`${e}.`))) continue
    const values = valuesAt(root, segments).filter(isSet)
    if (values.length === 0) continue
    if (rule.when && !rule.when(values, root)) continue
    return {field: field.replace(/\.\*\*$/, ''), message: rule.message ?? ''}
  }
  return undefined
}

type Rule = (typeof CHECKED)[CheckedKind][string]

/** The table's rows `unsupportedField` checks under `at`, in the table's order: chosen once per kind and place. */
const checked = new Map<string, Array<{key: string; field: string; segments: string[]; rule: Rule}>>()

function checkedUnder(kind: CheckedKind, at: string) {
  const id = `${kind}\0${at}`
  let rows = checked.get(id)
  if (!rows) {
    rows = Object.entries(CHECKED[kind])
      .filter(([, rule]) => rule.class === 'unsupported' && rule.check !== false && !rule.reportedBy)
      .filter(([key]) => key.startsWith(`${at}.`))
      .map(([key, rule]) => ({
        key,
        field: key.slice(at.length + 1),
        segments: key.slice(at.length + 1).split('.'),
        rule,
      }))
    checked.set(id, rows)
  }
  return rows
}

/**
 * What the user is told: the field where the object sets it (`full`, e.g. `spec.sources[1].helm.namespace`) and the
 * table's message (which names the field first as `field.field` does, without its `[]`), then where the table is.
 */
export function fieldMessage(full: string, {field, message}: UnsupportedField, controller: string): string {
  const short = field.replace(/\[\]/g, '')
  const text = message.startsWith(`${short}`) ? message.slice(short.length).replace(/^:?\s*/, '') : message
  return `${full}: ${text} (docs/gitops-fields.md lists what is rendered as ${controller} renders it.)`
}

/**
 * What of `root` (at the canonical path `at`, e.g. `spec`) the controller builds from: a copy without the fields the
 * table classifies `not-rendering` (a Flux Kustomization's interval, timeout, prune, wait, dependsOn, health checks…),
 * so a change to those alone never touches what a render-relevant key is made of.
 */
export function renderingPart(kind: CheckedKind, at: string, root: unknown): unknown {
  if (!isMap(root)) return root
  const copy = structuredClone(root)
  for (const [key, rule] of Object.entries(CHECKED[kind])) {
    if (rule.class !== 'not-rendering' || !key.startsWith(`${at}.`)) continue
    const segments = key
      .slice(at.length + 1)
      .replace(/(\[\])?(\.\*\*)?$/, '')
      .split('.')
    // Only plain paths (no list in the middle): `interval`, `dependsOn[].**`, `kubeConfig.**`, `sourceRef.apiVersion`.
    if (segments.some((s) => s.endsWith('[]') || s === '**')) continue
    const parent = segments.slice(0, -1).reduce<unknown>((v, s) => (isMap(v) ? v[s] : undefined), copy)
    if (isMap(parent)) delete parent[segments[segments.length - 1]]
  }
  return copy
}
