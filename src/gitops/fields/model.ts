/**
 * The field table's model: every field of the pinned CRDs (./crds/, see ./crds/README.md) is `exact` (a test of
 * test/ proves its render against the real tool or the controller's own code), `unsupported` (what the user is told;
 * the object is render-unavailable when it sets the field, unless `check` is false because the wrong case cannot be
 * told from the field's value), `untested` (read and rendered, no test proves it yet) or `not-rendering` (sync,
 * health, retries, auth: nothing of what is rendered). docs/gitops-fields.md is generated from it
 * (scripts/gitops-fields.ts); test/gitops/fields/field-table.unit.test.ts holds it to the CRDs.
 */
export type FieldClass = 'exact' | 'unsupported' | 'untested' | 'not-rendering'

export interface TestRef {
  /** Under test/, e.g. `gitops/render/render-helm.test.ts`. */
  file: string
  /** The title of an `it(...)` in that file. */
  title: string
}

export interface Rule {
  class: FieldClass
  /** exact: the test that proves it; unsupported: the test that proves the cases it renders, when there is one. */
  test?: TestRef
  /** unsupported: what the user sees; others: an optional note for the table. */
  message?: string
  /**
   * unsupported: the case that is wrong, from the values the field holds and the object they are read from
   * (the source for an Argo CD source field, the spec otherwise); absent: any value set.
   */
  when?: (values: readonly unknown[], root: Record<string, unknown>) => boolean
  /** unsupported: false when the product cannot tell the wrong case from the field (named in the table only). */
  check?: false
  /** unsupported: the product already reports the field as unavailable, with its own message. */
  reportedBy?: string
}

/** Canonical field path (`spec.a.b[]`, a subtree `spec.a.**`) → its rule. */
export type Rules = Readonly<Record<string, Rule>>

export const exact = (file: string, title: string, message?: string): Rule => ({
  class: 'exact',
  test: {file, title},
  ...(message ? {message} : {}),
})
export const notRendering = (message?: string): Rule => ({class: 'not-rendering', ...(message ? {message} : {})})
export const untested = (message: string): Rule => ({class: 'untested', message})
export const unsupported = (message: string, more: Omit<Rule, 'class' | 'message'> = {}): Rule => ({
  class: 'unsupported',
  message,
  ...more,
})

/** Values hold something: not absent, null, false, '' nor an empty list or map. */
export const isSet = (v: unknown): boolean =>
  v !== undefined &&
  v !== null &&
  v !== false &&
  v !== '' &&
  !(Array.isArray(v) && v.length === 0) &&
  !(typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0)
