/**
 * The field table (./model.ts): the rules of each pinned CRD, the walk of a CRD's spec schema into its fields,
 * and a field's rule (the most specific: the path itself, else the longest `prefix.**`).
 */
import {applicationSetRules} from '../argocd/applicationset/fields.js'
import type {Rule, Rules} from '../fields/model.js'
import {CHECKED, type CrdKind} from '../fields/table.js'

export type {CrdKind}

export const TABLE: Readonly<Record<CrdKind, Rules>> = {
  Application: CHECKED.Application,
  ApplicationSet: applicationSetRules,
  HelmRelease: CHECKED.HelmRelease,
  Kustomization: CHECKED.Kustomization,
  GitRepository: CHECKED.GitRepository,
  HelmRepository: CHECKED.HelmRepository,
  OCIRepository: CHECKED.OCIRepository,
  HelmChart: CHECKED.HelmChart,
}

/** The shape of a schema as ./crds/ pins it. */
export interface Shape {
  type?: string
  properties?: Record<string, Shape>
  items?: Shape
  additionalProperties?: Shape | true
}

/** Every field of a spec schema: objects' properties, arrays' items (`[]`); a map or an open object is one field. */
export function leaves(shape: Shape, at = 'spec'): string[] {
  if (shape.properties) return Object.entries(shape.properties).flatMap(([k, s]) => leaves(s, `${at}.${k}`))
  if (shape.items) return leaves(shape.items, `${at}[]`)
  return [at]
}

/**
 * The field a concrete path is classified as: `spec.sources[]` as `spec.source`; in an ApplicationSet, a nested
 * generator as the same generator at the top, a generator's template as `spec.template`. `crd` is the table the
 * result is read from (an ApplicationSet's `spec.template.spec.*` is an Application's `spec.*`).
 */
export function canonical(kind: CrdKind, concrete: string): {crd: CrdKind; path: string} {
  if (kind === 'Application') return {crd: kind, path: concrete.replace(/^spec\.sources\[\]\./, 'spec.source.')}
  if (kind !== 'ApplicationSet') return {crd: kind, path: concrete}
  let p = concrete
  while (/\.(matrix|merge)\.generators\[\](?=\.)/.test(p)) p = p.replace(/\.(matrix|merge)\.generators\[\](?=\.)/, '')
  p = p.replace(/^spec\.generators\[\]\.\w+\.template\./, 'spec.template.')
  if (p.startsWith('spec.template.spec.')) return canonical('Application', p.slice('spec.template.'.length))
  return {crd: kind, path: p}
}

/** The rule of a canonical field, and the key it is written under in the table; undefined: not classified. */
export function ruleOf(crd: CrdKind, path: string): {key: string; rule: Rule} | undefined {
  const rules = TABLE[crd]
  if (rules[path]) return {key: path, rule: rules[path]}
  const parts = path.split('.')
  for (let n = parts.length - 1; n > 0; n--) {
    const key = `${parts.slice(0, n).join('.')}.**`
    if (rules[key]) return {key, rule: rules[key]}
  }
  return undefined
}
