/**
 * How set-image and promote pin one image (the "convention" each change names, with why). A string reference and a
 * kustomize entry have one form each. An image map keeps its own form when it shows one (a `digest` key, a tag that
 * carries the digest, Argo CD `helm.parameters` where no key can be added); otherwise evidence decides, in this
 * order: the local chart's templates (a chart that never reads `.digest` renders `repository:tag`); the pinned
 * sibling maps of the same file, the same release (the file's folder), the same repository; only then
 * `gitopsPolicy.mapDigest`.
 */
import type {LocalChart} from '../facts/local-charts.js'
import {DIGEST_IN_TAG, type ImageMap} from '../facts/index.js'

/** `digest-field`: `tag: <tag>` + `digest: sha256:…`; `digest-in-tag`: `tag: <tag>@sha256:…`. */
export type ChangeForm = 'reference' | 'kustomize' | 'digest-field' | 'digest-in-tag'
export type ConventionEvidence =
  'reference' | 'kustomize' | 'map' | 'parameters' | 'chart' | 'file' | 'release' | 'repository' | 'policy'

export interface Convention {
  form: ChangeForm
  evidence: ConventionEvidence
  why: string
}

export const REFERENCE_CONVENTION: Convention = {
  form: 'reference',
  evidence: 'reference',
  why: 'a one-string reference takes the whole ref',
}
export const KUSTOMIZE_CONVENTION: Convention = {
  form: 'kustomize',
  evidence: 'kustomize',
  why: 'a kustomize images entry takes newTag and digest, as kustomize edit set image writes them',
}

/** The scopes of sibling maps, narrowest first; `maps()` is called only when the narrower scopes did not decide. */
export interface SiblingScope {
  scope: 'file' | 'release' | 'repository'
  /** How the reason names the scope: `this file`, `the folder apps/web/`, `the repository`. */
  label: string
  maps(): readonly ImageMap[]
}

export interface MapEvidence {
  chart: LocalChart | undefined
  siblings: readonly SiblingScope[]
  mapDigest: 'field' | 'tag'
}

/** How a pinned map pins: a digest key, or the digest in its tag; undefined when it pins neither way. */
export function pinFormOf(map: ImageMap): 'digest-field' | 'digest-in-tag' | undefined {
  if (map.fields.ref) return undefined
  if (map.fields.digest?.value) return 'digest-field'
  return DIGEST_IN_TAG.test(map.fields.tag?.value ?? '') ? 'digest-in-tag' : undefined
}

/** The convention a pin of `map` follows, and the evidence that chose it. */
export function mapConvention(map: ImageMap, evidence: MapEvidence): Convention {
  if (map.fields.digest) return {form: 'digest-field', evidence: 'map', why: 'the map has a digest key'}
  if (DIGEST_IN_TAG.test(map.fields.tag?.value ?? '')) {
    return {form: 'digest-in-tag', evidence: 'map', why: 'the map’s tag already carries the digest'}
  }
  if (!map.geometry) {
    return {form: 'digest-in-tag', evidence: 'parameters', why: 'Argo CD helm.parameters has no digest entry to write'}
  }
  const {chart} = evidence
  if (chart) {
    return chart.readsDigest
      ? {form: 'digest-field', evidence: 'chart', why: `the chart ${chart.dir}/ reads a digest value in its templates`}
      : {
          form: 'digest-in-tag',
          evidence: 'chart',
          why: `the chart ${chart.dir}/ never reads a digest value: it renders repository:tag`,
        }
  }
  for (const {scope, label, maps} of evidence.siblings) {
    let field = 0
    let tag = 0
    for (const m of maps()) {
      if (m === map) continue
      const form = pinFormOf(m)
      if (form === 'digest-field') field++
      else if (form === 'digest-in-tag') tag++
    }
    if (field === tag) continue
    const form = field > tag ? 'digest-field' : 'digest-in-tag'
    const counts = `${Math.max(field, tag)} of ${field + tag} pinned maps`
    const how = form === 'digest-field' ? 'with a digest key' : 'with the digest in the tag'
    return {form, evidence: scope, why: `${counts} in ${label} pin ${how}`}
  }
  return evidence.mapDigest === 'tag'
    ? {form: 'digest-in-tag', evidence: 'policy', why: 'gitopsPolicy.mapDigest: tag (no chart or pinned sibling map)'}
    : {form: 'digest-field', evidence: 'policy', why: 'gitopsPolicy.mapDigest: field (no chart or pinned sibling map)'}
}
