/**
 * The `clusters` generator as Argo CD v3.5.1's controller evaluates it (applicationset/generators/cluster.go), over
 * the clusters Argo CD's API lists (ExpansionContext.clusters): the cluster Secrets its `selector` selects (with
 * `argocd.argoproj.io/secret-type: cluster` added to matchLabels, as getSecretsByClusterName does), one per cluster
 * name; for each `name`, `nameNormalized` (SanitizeName), `server`, `project` and the Secret's labels and annotations
 * (`metadata` in goTemplate, `metadata.labels.<k>` / `metadata.annotations.<k>` in fasttemplate), then its `values`
 * rendered with those (value_interpolation.go); the local cluster (`in-cluster`, no metadata) last, only without a
 * selector and when no selected Secret names `https://kubernetes.default.svc`; `flatList`: one set `{clusters: [...]}`.
 */
import type {RegisteredCluster, RegisteredClusters} from '../../model/types.js'
import {GenerationError, type Path} from './errors.js'
import {withValues} from './git.js'
import {parseLabelSelector, selects} from './label-selector.js'
import {isObject, type JsonObject} from './merge.js'
import type {Params, Templating} from './templating.js'

/** common.LabelKeySecretType / LabelValueSecretTypeCluster: the label every cluster Secret carries. */
const SECRET_TYPE_LABEL = 'argocd.argoproj.io/secret-type'
/** v1alpha1.KubernetesInClusterName / KubernetesInternalAPIServerAddr. */
export const IN_CLUSTER = {name: 'in-cluster', server: 'https://kubernetes.default.svc'} as const

export function clusterParams(spec: JsonObject, given: RegisteredClusters, t: Templating, path: Path): Params[] {
  // GenerateParams: a failed List is `error getting cluster secrets: …`, and nothing is generated.
  if ('unreadable' in given) throw new GenerationError(`error getting cluster secrets: ${given.unreadable}`, path)
  const selector = spec.selector === undefined || spec.selector === null ? {} : spec.selector
  if (!isObject(selector))
    throw new GenerationError('error getting cluster secrets: error converting label selector: not a map', [
      ...path,
      'selector',
    ])
  const nonEmpty = (v: unknown) => (Array.isArray(v) ? v.length > 0 : isObject(v) && Object.keys(v).length > 0)
  // A selector that selects anything leaves the local cluster out: it has no Secret, so no labels to match.
  const ignoreLocal = nonEmpty(selector.matchExpressions) || nonEmpty(selector.matchLabels)
  const requirements = secretsSelector(selector, [...path, 'selector'])
  const values = spec.values === undefined || spec.values === null ? {} : spec.values
  if (!isObject(values)) throw new GenerationError('values must be a map of strings', [...path, 'values'])
  // getSecretsByClusterName: one Secret per cluster name (a later one replaces an earlier one).
  const byName = new Map<string, RegisteredCluster>()
  for (const c of given.clusters) {
    if (!c.secret || !selects(requirements, secretLabels(c))) continue
    byName.delete(c.name)
    byName.set(c.name, c)
  }
  const selected = [...byName.values()]
  const normalized = t.engine.sanitize(selected.map((c) => c.name))
  const sets = withValues(
    t,
    selected.map((c, i) => secretParams(c, normalized[i], t.goTemplate)),
    values,
    [...path, 'values'],
    'error appending templated values for cluster: failed to replace templated string',
  )
  if (!ignoreLocal && !selected.some((c) => c.server === IN_CLUSTER.server)) {
    const local = {name: IN_CLUSTER.name, nameNormalized: IN_CLUSTER.name, server: IN_CLUSTER.server, project: ''}
    sets.push(
      ...withValues(
        t,
        [local],
        values,
        [...path, 'values'],
        'error appending templated values for local cluster: failed to replace templated string',
      ),
    )
  }
  return spec.flatList === true ? [{clusters: sets}] : sets
}

/** The Secret's labels: what the API lists, with the secret-type label it leaves out. */
function secretLabels(c: RegisteredCluster): Record<string, string> {
  return {...c.labels, [SECRET_TYPE_LABEL]: 'cluster'}
}

/** getClusterParameters. */
function secretParams(c: RegisteredCluster, nameNormalized: string, goTemplate: boolean): Params {
  const params: Params = {name: c.name, nameNormalized, server: c.server, project: c.project}
  const labels = secretLabels(c)
  if (goTemplate) {
    const metadata: Record<string, unknown> = {}
    if (Object.keys(c.annotations).length > 0) metadata.annotations = {...c.annotations}
    metadata.labels = labels
    params.metadata = metadata
    return params
  }
  for (const [k, v] of Object.entries(c.annotations)) params[`metadata.annotations.${k}`] = v
  for (const [k, v] of Object.entries(labels)) params[`metadata.labels.${k}`] = v
  return params
}

/** getSecretsByClusterName's selector: a selector it cannot convert is `error getting cluster secrets: …` too. */
function secretsSelector(selector: JsonObject, path: Path) {
  try {
    return parseLabelSelector(selector, {[SECRET_TYPE_LABEL]: 'cluster'}, path)
  } catch (e) {
    if (e instanceof GenerationError) throw new GenerationError(`error getting cluster secrets: ${e.message}`, e.path)
    throw e
  }
}
