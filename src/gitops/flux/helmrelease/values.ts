/**
 * A Flux HelmRelease's values as helm-controller v1.6.3 composes them (fluxcd/pkg chartutil v1.27.1
 * ChartValuesFromReferences): `valuesFrom` ConfigMaps and Secrets of the repository in order, `spec.values` on top.
 * Held to chartutil run natively by test/gitops/flux/helmrelease/flux-helmrelease-fields.test.ts.
 */
import type {Pin} from '../../revision/pinned.js'
import type {DeployablesContext} from '../../model/context.js'
import type {Manifest} from '../../kubernetes/manifests.js'
import {leaves, mergeValues, parseSetName, type Unrenderable, type ValueLayer} from '../../model/model.js'
import {linedDocuments} from '../../kubernetes/yaml-lines.js'

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** The outcome for a HelmRelease that is not rendered: why, where, and what it reads. */
export type Unavailable = {unrenderable: Unrenderable}

/** A HelmRelease being read: its spec, where it deploys, where its fields lie, and how a refusal is given. */
export interface ReleaseRead {
  hr: Manifest
  spec: Record<string, unknown>
  ns: string
  /** `namespace/name`: the deployable's name. */
  id: string
  environment: string | null
  ctx: DeployablesContext
  lineAt: (...p: Array<string | number>) => number
  /** The ConfigMap or Secret of the HelmRelease's namespace a `valuesFrom` entry names. */
  holderOf: (ref: Record<string, unknown>) => Manifest | undefined
  /** `pin`: the revision a pinned source fetches, an input of the release not rendered (a moved ref touches it). */
  unavailable: (line: number, message: string, status?: Unrenderable['status'], pin?: Pin) => Unavailable
}

/**
 * The release's values in fluxcd/pkg chartutil v1.27.1's order (ChartValuesFromReferences, helm-controller v1.6.3):
 * each `valuesFrom` merged in turn — a `targetPath` one set into the values after `spec.values` is merged in, which
 * then shares its maps (a value set at a path `spec.values` also sets wins, as there) — then `spec.values` on top;
 * with a layer for each and the ConfigMaps and Secrets read; or why a `valuesFrom` is not read.
 */
export function releaseValues(r: ReleaseRead): {merged: unknown; layers: ValueLayer[]; reads: string[]} | Unavailable {
  const {hr, spec, ns, ctx, lineAt} = r
  // A copy: the spec's maps are shared and set into below, as chartutil's are (obj.GetValues() decodes a fresh map).
  const values = isMap(spec.values) ? (structuredClone(spec.values) as Record<string, unknown>) : {}
  let merged: unknown = {}
  const layers: ValueLayer[] = []
  const reads: string[] = []
  for (const [i, ref] of (Array.isArray(spec.valuesFrom) ? spec.valuesFrom : []).entries()) {
    if (!isMap(ref)) continue
    const kind = str(ref.kind) ?? ''
    const name = str(ref.name) ?? ''
    const key = str(ref.valuesKey) ?? 'values.yaml'
    const holder = r.holderOf(ref)
    const found = holder ? dataOf(holder, key) : undefined
    if (!holder || found === undefined) {
      if (ref.optional === true) continue
      return r.unavailable(
        lineAt('valuesFrom', i),
        `valuesFrom ${kind} ${ns}/${name} (key ${key}) is not defined in this repository: the values it gives on the cluster are unknown here, so this release is not rendered.`,
      )
    }
    reads.push(holder.file)
    const layer = valuesFromLayer(ctx, ref, holder, found)
    const fail = (p: {problem: string; status?: Unrenderable['status']}) =>
      r.unavailable(lineAt('valuesFrom', i), `valuesFrom ${kind} ${ns}/${name} (key ${key}): ${p.problem}`, p.status)
    if ('problem' in layer) return fail(layer)
    if ('targetPath' in layer) {
      merged = mergeValues(merged, values)
      const problem = setPath(merged, layer)
      if (problem) return fail(problem)
    } else merged = mergeValues(merged, layer.values)
    layers.push(layer.layer)
  }
  merged = mergeValues(merged, values)
  if (isMap(spec.values))
    layers.push({
      file: hr.file,
      what: 'values',
      entries: leaves(spec.values, (p) => hr.lineOf(['spec', 'values', ...p]), lineAt('values')),
    })
  return {merged, layers, reads}
}

/**
 * strvals' set of a string at a key path, into the maps as they are (a map on the way taken as it is, a missing one
 * made); a value that is not a map on the way fails, as helm's parser fails on it.
 */
function setPath(
  values: unknown,
  {targetPath, keyPath, value}: {targetPath: string; keyPath: string[]; value: unknown},
): {problem: string; status: Unrenderable['status']} | undefined {
  if (keyPath.some((k) => k === '__proto__'))
    return {problem: `targetPath ${targetPath} names __proto__: it is not set.`, status: 'refused'}
  let m = values as Record<string, unknown>
  for (const k of keyPath.slice(0, -1)) {
    if (!Object.hasOwn(m, k)) m[k] = {}
    const next = m[k]
    if (!isMap(next))
      return {
        problem: `targetPath ${targetPath} goes through ${k}, which is not a map: helm-controller fails.`,
        status: 'failed',
      }
    m = next
  }
  m[keyPath.at(-1)!] = value
  return undefined
}

/**
 * What one `valuesFrom` entry gives, as fluxcd/pkg chartutil v1.27.1 (helm-controller v1.6.3) reads it: the text
 * under its key set at `targetPath` — verbatim with `literal` (ReplacePathLiteralValue), else as `helm --set` parses
 * it (ReplacePathValue), which the gate follows only for a plain string (no types, commas, lists or quotes to parse);
 * or the values it holds as YAML (none: an empty map; not a map: helm-controller fails), with their layer.
 */
function valuesFromLayer(
  ctx: DeployablesContext,
  ref: Record<string, unknown>,
  holder: Manifest,
  found: {text: string; line: number; block: boolean},
):
  | {values: unknown; layer: ValueLayer}
  | {targetPath: string; keyPath: string[]; value: unknown; layer: ValueLayer}
  | {problem: string; status?: Unrenderable['status']} {
  const what = `${str(ref.kind) ?? ''} ${str(ref.name) ?? ''}`
  const targetPath = str(ref.targetPath)
  if (targetPath) {
    const keyPath = parseSetName(targetPath)
    const value = ref.literal === true ? found.text : setValue(found.text)
    if (targetPath.includes('[') || keyPath.length === 0 || value === undefined)
      return {
        problem: `targetPath ${targetPath}${targetPath.includes('[') ? ' (a list index)' : `: its value is parsed as helm --set parses one, which the gate does not model for a value like ${JSON.stringify(found.text.slice(0, 40))} (commas, lists, escapes; literal: true takes it verbatim)`}, so this release is not rendered.`,
      }
    return {
      targetPath,
      keyPath,
      value,
      layer: {file: holder.file, what, entries: [{path: keyPath, value: found.text, line: found.line}]},
    }
  }
  const doc = linedDocuments(ctx.yaml, found.text)[0]
  const value = doc?.value ?? {}
  if (!isMap(value))
    return {problem: 'the values it holds are not a map: helm-controller fails to read them.', status: 'failed'}
  const offset = found.line
  return {
    values: value,
    layer: {
      file: holder.file,
      what,
      entries: doc ? leaves(value, (p) => (found.block ? (doc.lineOf(p) ?? 0) + offset : offset), offset) : [],
    },
  }
}

/**
 * What chartutil's ReplacePathValue sets for a value: quoted (`'…'` or `"…"`) the text without its quotes
 * (strvals.ParseIntoString), else strvals' typed value — `true`/`false`/`null` in any case, an integer not written
 * with a leading zero — or the text. Undefined where strvals would read syntax in it (`,` `\` `[` `]` `{` `}`) or an
 * integer past what a JSON number holds exactly: not modelled.
 */
function setValue(v: string): unknown {
  if (/[,\\[\]{}]/.test(v)) return undefined
  if ((v.startsWith("'") && v.endsWith("'")) || (v.startsWith('"') && v.endsWith('"')))
    return v.replace(/^['"]+|['"]+$/g, '')
  if (/^(true|false)$/i.test(v)) return v.toLowerCase() === 'true'
  if (/^null$/i.test(v)) return null
  if (v === '0' || (/^[+-]?\d+$/.test(v) && !v.startsWith('0'))) {
    const n = Number(v)
    return Number.isSafeInteger(n) ? n : undefined
  }
  return v
}

/** The text under `key` of a ConfigMap's data or a Secret's stringData/data (base64), with its line. */
function dataOf(m: Manifest, key: string): {text: string; line: number; block: boolean} | undefined {
  for (const field of m.kind === 'Secret' ? ['stringData', 'data'] : ['data']) {
    const data = m.doc[field]
    if (!isMap(data) || typeof data[key] !== 'string') continue
    const raw = data[key]
    const text = field === 'data' && m.kind === 'Secret' ? Buffer.from(raw, 'base64').toString('utf8') : raw
    const line = m.lineOf([field, key]) ?? m.line
    // A block scalar's text starts on the line after the key; a base64 value has no lines of its own.
    return {text, line, block: !(field === 'data' && m.kind === 'Secret')}
  }
  return undefined
}
