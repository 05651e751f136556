/** A chart an Argo CD source takes from a chart repository (https or OCI): where it is fetched, by name and version. */
import type {RemoteChart} from '../../model/model.js'
import type {ArgoApplication} from '../../model/types.js'
import {clean, str} from '../../model/source-helpers.js'

/**
 * A source whose chart comes from a chart repository, as the repo-server pulls it: `chart` from a Helm repository
 * (`repoURL` https) or an OCI one (`oci://…` or a scheme-less registry address), or an `oci://` repoURL that is the
 * chart itself; `targetRevision` the version or range. Undefined: a source of a git repository.
 */
export function remoteChartOf(
  source: Record<string, unknown>,
  chart: string | undefined,
  app: ArgoApplication,
): RemoteChart | {problem: string} | undefined {
  const repoURL = str(source.repoURL) ?? ''
  const version = str(source.targetRevision) ?? ''
  const via = `Application ${app.name}`
  if (chart === undefined) {
    if (!repoURL.startsWith('oci://')) return undefined
    const p = clean(str(source.path) ?? '')
    const repository = repoURL.slice('oci://'.length).replace(/\/+$/, '')
    if (p !== '')
      return {
        problem: `source ${repoURL} path ${p}: the gate renders only the root of an OCI chart, so it is not rendered.`,
      }
    return ociChart(repoURL, repository, version, via)
  }
  if (/^https?:\/\//.test(repoURL))
    return {type: 'http', source: repoURL, repository: repoURL, name: chart, version: version || '*', via}
  if (repoURL === '') return {problem: `chart ${chart} names no repoURL: the gate does not know where to fetch it.`}
  const base = repoURL.replace(/^oci:\/\//, '').replace(/\/+$/, '')
  return ociChart(repoURL, `${base}/${chart}`, version, via)
}

export function ociChart(source: string, repository: string, written: string, via: string): RemoteChart {
  const [tag, digest] = written.split('@')
  const pinned = digest ?? (tag.startsWith('sha256:') ? tag : undefined)
  return {
    type: 'oci',
    source,
    repository,
    name: repository.split('/').at(-1) ?? '',
    version: pinned === tag ? '' : tag,
    ...(pinned ? {digest: pinned} : {}),
    via,
  }
}
