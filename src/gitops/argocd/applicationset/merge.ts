/** The merges the ApplicationSet controller applies to plain JSON (mergo, strategic merge patch), and their helpers. */

export type Json = null | boolean | number | string | Json[] | {[k: string]: Json}
export type JsonObject = {[k: string]: Json}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Go's zero value test as mergo applies it: "", 0, false, nil, an empty list or map. */
function isEmptyValue(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return true
  if (Array.isArray(v)) return v.length === 0
  if (isObject(v)) return Object.keys(v).length === 0
  return false
}

/**
 * mergo.Merge(dst, src) without override, as `mergeGeneratorTemplate` merges `spec.template` (src) under a
 * generator's own `template` (dst): a field dst leaves empty is taken from src, maps recursively; dst wins otherwise.
 */
export function fillEmpty(dst: unknown, src: unknown): unknown {
  if (isObject(dst) && isObject(src)) {
    const out: JsonObject = {...dst}
    for (const [k, v] of Object.entries(src)) out[k] = fillEmpty(dst[k], v) as Json
    return out
  }
  return isEmptyValue(dst) ? src : dst
}

/**
 * mergo.Merge(dst, src, WithOverride) on parameter maps (goTemplate matrix and merge generators): src's keys win,
 * nested maps merge key by key, lists are replaced.
 */
export function mergeOverride(dst: JsonObject, src: JsonObject): JsonObject {
  const out: JsonObject = {...dst}
  for (const [k, v] of Object.entries(src)) {
    out[k] = isObject(v) && isObject(out[k]) ? mergeOverride(out[k] as JsonObject, v) : v
  }
  return out
}

/**
 * A strategic merge patch on an Application (k8s strategicpatch with the Application type, which declares no merge
 * keys): maps merge recursively, `null` deletes a key, lists (`valueFiles`, `sources`) are replaced whole, and the
 * directive keys `$patch`/`$retainKeys`/`$setElementOrder`/`$deleteFromPrimitiveList` are not supported.
 */
export function strategicMerge(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch
  if (!isObject(target)) target = {}
  const out: JsonObject = {...target}
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) throw new Error(`the strategic merge directive ${k} is not supported offline`)
    if (v === null) delete out[k]
    else out[k] = isObject(v) ? strategicMerge(out[k] ?? null, v) : v
  }
  return out
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((e, i) => deepEqual(e, b[i]))
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a)
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]))
  }
  return false
}

/** The paths under which `after` differs from `before` (a changed subtree is one path). */
export function changedPaths(
  before: unknown,
  after: unknown,
  prefix: Array<string | number> = [],
): Array<Array<string | number>> {
  if (deepEqual(before, after)) return []
  if (isObject(before) && isObject(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)])
    return [...keys].flatMap((k) => changedPaths(before[k], after[k], [...prefix, k]))
  }
  return [prefix]
}

/** jeremywohl/flatten DotStyle, as Argo CD flattens params (fasttemplate, selectors): each leaf by its dotted key. */
export function flattenParams(value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const walk = (v: unknown, key: string) => {
    if (Array.isArray(v)) v.forEach((e, i) => walk(e, key === '' ? String(i) : `${key}.${i}`))
    else if (isObject(v)) for (const [k, e] of Object.entries(v)) walk(e, key === '' ? k : `${key}.${k}`)
    else out[key] = v
  }
  if (isObject(value)) walk(value, '')
  return out
}
