/**
 * Chart.lock checked as `helm dependency build` checks it (Helm's pkg/downloader Manager.Build): the lock's `digest`
 * must be Helm's hash of Chart.yaml's dependencies and the lock's (internal/resolver HashReq) — `sha256:` and the hex
 * sha256 of Go's `json.Marshal([2][]*chart.Dependency{req, lock})`. A chart of `apiVersion: v1` (requirements.yaml,
 * requirements.lock) may also hold Helm 2's hash (HashV2Req: `{"dependencies": req}`). Any other digest is out of
 * sync, and helm then refuses to build: so does the gate, in helm's words.
 *
 * The JSON is Go's: a Dependency's fields in its struct's order — name, version (omitted when empty), repository,
 * condition, tags, enabled, import-values, alias (each omitted when empty) — strings escaped as encoding/json does
 * (`<`, `>`, `&`, U+2028 and U+2029 as `\u00XX`/`\u20XX`), maps of import-values with their keys sorted. Chart.yaml's
 * strings are first sanitized as Helm's loader does (Dependency.Validate: whitespace to a space, unprintable
 * characters dropped); the lock's are hashed as written.
 *
 * Both files are read as Helm reads them (sigs.k8s.io/yaml: YAML 1.1 into Go's types): a string field holds the
 * scalar as written (`version: 1.10` is "1.10"), `enabled` is YAML 1.1's boolean (`yes`, `on`), and import-values,
 * typed `any`, hold YAML 1.1's values (`parent: y` is the boolean true).
 */
import {createHash} from 'node:crypto'

import type {YamlModule} from '../../../images/yaml/index.js'

export const LOCK_OUT_OF_SYNC =
  "the lock file (Chart.lock) is out of sync with the dependencies file (Chart.yaml). Please update the dependencies with 'helm dependency update'"
export const V1_LOCK_OUT_OF_SYNC =
  'the lock file (requirements.lock) is out of sync with the dependencies file (requirements.yaml). Please update the dependencies'

type Dep = Record<string, unknown>

/** Helm's HashReq of `req` (Chart.yaml's dependencies) and `lock` (the lock's). */
export function hashReq(req: readonly Dep[], lock: readonly Dep[]): string {
  return digest(`[${list(req.map((d) => sanitized(d)))},${list(lock)}]`)
}

/** Helm 2's hash (HashV2Req), still accepted for an `apiVersion: v1` chart. */
export function hashV2Req(req: readonly Dep[]): string {
  return digest(`{"dependencies":${list(req.map((d) => sanitized(d)))}}`)
}

/**
 * Why `helm dependency build` would refuse the lock, in its words; undefined when its digest matches. `apiVersion`
 * is Chart.yaml's (none is v1); `depsText` the file holding the dependencies (Chart.yaml, or requirements.yaml),
 * `lockText` the lock's.
 */
export function lockProblem(
  yaml: YamlModule,
  apiVersion: unknown,
  depsText: string,
  lockText: string,
): string | undefined {
  const req = dependenciesIn(yaml, depsText)
  const lockDoc = asHelm(yaml, lockText)
  const written = typeof lockDoc.literal.digest === 'string' ? lockDoc.literal.digest : ''
  if (hashReq(req, dependenciesIn(yaml, lockText)) === written) return undefined
  if (apiVersion !== 'v1') return LOCK_OUT_OF_SYNC
  return hashV2Req(req) === written ? undefined : V1_LOCK_OUT_OF_SYNC
}

/** The `dependencies` of a Chart.yaml, requirements.yaml or lock, each field typed as Helm's Dependency types it. */
function dependenciesIn(yaml: YamlModule, text: string): Dep[] {
  const {literal, typed} = asHelm(yaml, text)
  if (!Array.isArray(literal.dependencies)) return []
  const typedDeps = Array.isArray(typed.dependencies) ? typed.dependencies : []
  return literal.dependencies.map((d: unknown, i: number) => {
    if (!isMap(d)) return d as Dep
    const t = isMap(typedDeps[i]) ? (typedDeps[i] as Dep) : {}
    return {...d, enabled: t.enabled, 'import-values': t['import-values']}
  })
}

/** A YAML document twice: every scalar as written (failsafe), and as YAML 1.1 types it. */
function asHelm(yaml: YamlModule, text: string): {literal: Record<string, unknown>; typed: Record<string, unknown>} {
  const literal: unknown = yaml.parse(text, {schema: 'failsafe', maxAliasCount: 100})
  const typed: unknown = yaml.parse(text, {version: '1.1', maxAliasCount: 100})
  return {literal: isMap(literal) ? literal : {}, typed: isMap(typed) ? typed : {}}
}

const digest = (json: string) => `sha256:${createHash('sha256').update(json, 'utf8').digest('hex')}`

/** A Go `[]*chart.Dependency` (a nil or absent list is `null`). */
function list(deps: readonly Dep[] | undefined): string {
  if (!Array.isArray(deps)) return 'null'
  return `[${deps.map((d) => (isMap(d) ? dependency(d) : 'null')).join(',')}]`
}

/** One `chart.Dependency`, its fields in the struct's order with its `omitempty`s. */
function dependency(d: Dep): string {
  const out: string[] = [`"name":${goString(str(d.name))}`]
  const version = str(d.version)
  if (version !== '') out.push(`"version":${goString(version)}`)
  out.push(`"repository":${goString(str(d.repository))}`)
  const condition = str(d.condition)
  if (condition !== '') out.push(`"condition":${goString(condition)}`)
  const tags = Array.isArray(d.tags) ? d.tags.map(str) : []
  if (tags.length > 0) out.push(`"tags":[${tags.map(goString).join(',')}]`)
  if (d.enabled === true) out.push('"enabled":true')
  const imports = Array.isArray(d['import-values']) ? (d['import-values'] as unknown[]) : []
  if (imports.length > 0) out.push(`"import-values":${goJson(imports)}`)
  const alias = str(d.alias)
  if (alias !== '') out.push(`"alias":${goString(alias)}`)
  return `{${out.join(',')}}`
}

/** A Chart.yaml dependency as Helm's loader leaves it (Dependency.Validate's sanitizeString). */
function sanitized(d: Dep): Dep {
  if (!isMap(d)) return d
  const clean = (v: unknown) => sanitize(str(v))
  return {
    ...d,
    name: clean(d.name),
    version: clean(d.version),
    repository: clean(d.repository),
    condition: clean(d.condition),
    ...(Array.isArray(d.tags) ? {tags: d.tags.map(clean)} : {}),
  }
}

/** Go's unicode.IsSpace to ' ', unprintable characters (not unicode.IsPrint) dropped. */
function sanitize(s: string): string {
  let out = ''
  for (const ch of s) {
    if (/^[\t\n\v\f\r \u0085\u00a0\p{Zs}\u2028\u2029]$/u.test(ch)) out += ' '
    else if (/^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch)) out += ch
  }
  return out
}

/** A YAML scalar as the string Helm reads into a string field (sigs.k8s.io/yaml: numbers and booleans as written). */
function str(v: unknown): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return ''
}

/** encoding/json's string: JSON's, plus `<`, `>`, `&`, U+2028 and U+2029 escaped. */
function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** encoding/json of what YAML decoded into `any`: maps with their keys sorted. */
function goJson(v: unknown): string {
  if (typeof v === 'string') return goString(v)
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`
  if (isMap(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${goString(k)}:${goJson(v[k])}`)
      .join(',')}}`
  if (v === undefined) return 'null'
  return JSON.stringify(v)
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
