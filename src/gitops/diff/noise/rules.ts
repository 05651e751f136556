/**
 * The ignore rules of one diff, from the BASE revision only (a pull request cannot loosen its own review): those of
 * `gitopsPolicy.diff.ignore` in the base's ameide.yaml, and each base Application's `spec.ignoreDifferences` (for the
 * objects that Application deploys). What a rule names is matched as Argo CD matches it: `group` and `kind` as globs
 * (`*`), `name` and `namespace` exactly; an Application's rule with no group names the core group, a rule of
 * ameide.yaml with none any group. A part of a rule that cannot be applied offline is named (`notApplied`), never
 * silently dropped: `managedFieldsManagers` (it ignores the fields a field manager owns in the LIVE object; a
 * rendered revision has no managed fields, so offline it ignores nothing) and a jq expression outside the subset.
 */
import type {DiffIgnoreRule} from '../../../core/diff-policy.js'
import {parseJqPath} from './paths.js'

export interface IgnoreRule {
  /** Where it was written: `ameide.yaml gitopsPolicy.diff.ignore[0]`, `Application web-dev ignoreDifferences[1]`. */
  source: string
  /** Only the objects this Application deploys (an Application's own rule). */
  application?: string
  group?: string
  kind?: string
  name?: string
  namespace?: string
  jsonPointers: string[]
  jq: Array<Exclude<ReturnType<typeof parseJqPath>, {error: string}>>
  /** Lines of the object's YAML: removed from both sides before they are compared. */
  lines: RegExp[]
}

export interface NotApplied {
  source: string
  what: string
  why: string
}

export interface NoisePolicy {
  /** Fold objects whose only change is chart-bump metadata (gitopsPolicy.diff.foldChartMetadata, default true). */
  foldChartMetadata: boolean
  rules: IgnoreRule[]
  notApplied: NotApplied[]
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s) => typeof s === 'string') : [])

const MANAGED_FIELDS_WHY =
  'managedFieldsManagers ignores the fields these managers own in the live object; a rendered revision has no managed fields, so offline it ignores nothing'

/** Parsed jq expressions; those outside the subset recorded as not applied. */
function jqOf(source: string, exprs: string[], notApplied: NotApplied[]): IgnoreRule['jq'] {
  const out: IgnoreRule['jq'] = []
  for (const expr of exprs) {
    const parsed = parseJqPath(expr)
    if ('error' in parsed) notApplied.push({source, what: `jqPathExpressions ${expr}`, why: parsed.error})
    else out.push(parsed)
  }
  return out
}

/** The rules of the base's ameide.yaml (their regular expressions were checked when it was loaded). */
export function policyRules(ignore: readonly DiffIgnoreRule[], notApplied: NotApplied[]): IgnoreRule[] {
  return ignore.map((r, i) => {
    const source = `ameide.yaml gitopsPolicy.diff.ignore[${i}]`
    return {
      source,
      ...(r.group !== undefined ? {group: r.group} : {}),
      ...(r.kind !== undefined ? {kind: r.kind} : {}),
      ...(r.name !== undefined ? {name: r.name} : {}),
      ...(r.namespace !== undefined ? {namespace: r.namespace} : {}),
      jsonPointers: r.jsonPointers ?? [],
      jq: jqOf(source, r.jqPathExpressions ?? [], notApplied),
      lines: (r.lines ?? []).map((l) => new RegExp(l)),
    }
  })
}

/** The rules of an Application's `spec.ignoreDifferences`, as written in the base. */
export function applicationRules(application: string, ignoreDifferences: unknown, notApplied: NotApplied[]) {
  const out: IgnoreRule[] = []
  if (!Array.isArray(ignoreDifferences)) return out
  ignoreDifferences.forEach((entry, i) => {
    if (!isMap(entry)) return
    const source = `Application ${application} ignoreDifferences[${i}]`
    const managers = strings(entry.managedFieldsManagers)
    if (managers.length > 0)
      notApplied.push({source, what: `managedFieldsManagers ${managers.join(', ')}`, why: MANAGED_FIELDS_WHY})
    out.push({
      source,
      application,
      group: typeof entry.group === 'string' ? entry.group : '',
      ...(typeof entry.kind === 'string' ? {kind: entry.kind} : {}),
      ...(typeof entry.name === 'string' && entry.name !== '' ? {name: entry.name} : {}),
      ...(typeof entry.namespace === 'string' && entry.namespace !== '' ? {namespace: entry.namespace} : {}),
      jsonPointers: strings(entry.jsonPointers),
      jq: jqOf(source, strings(entry.jqPathExpressions), notApplied),
      lines: [],
    })
  })
  return out
}

const glob = (pattern: string, value: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`).test(value)

export interface NoiseTarget {
  application?: string
  apiVersion: string
  kind: string
  namespace?: string
  name: string
}

/** Does `rule` name this object of this deployable. */
export function ruleMatches(rule: IgnoreRule, o: NoiseTarget): boolean {
  if (rule.application !== undefined && rule.application !== o.application) return false
  const group = o.apiVersion.includes('/') ? o.apiVersion.slice(0, o.apiVersion.indexOf('/')) : ''
  if (rule.group !== undefined && !glob(rule.group, group)) return false
  if (rule.kind !== undefined && !glob(rule.kind, o.kind)) return false
  if (rule.name !== undefined && rule.name !== o.name) return false
  if (rule.namespace !== undefined && rule.namespace !== (o.namespace ?? '')) return false
  return true
}
