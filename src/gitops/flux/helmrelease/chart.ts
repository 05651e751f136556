/**
 * Where a Flux HelmRelease's chart comes from, as source-controller reads it (./helmrelease.ts reads the rest): a
 * folder of this repository (a GitRepository that is this repository), a chart of a HelmRepository (https index or
 * `type: oci`) or an OCIRepository (`chartRef`) — a `remote` chart, with Flux's `verify` of it. A `chartRef` to a
 * HelmChart is the HelmChart helm-controller would make from a `chart.spec`: read through the same path.
 */
import type {DeployablesContext} from '../../model/context.js'
import type {Manifest} from '../../kubernetes/manifests.js'
import type {ChartVerification, OciArtifact, RemoteChart, Unrenderable} from '../../model/model.js'
import {clean, isMap, str} from '../../model/source-helpers.js'
import {describePin, fluxPin, type Pin} from '../../revision/pinned.js'
import type {MappedSource} from '../../revision/source-repos.js'

/**
 * A folder of this repository (`tree`: of the commit a pinned GitRepository fetches, when not the revision under
 * review), a chart of a chart repository, or why it is not rendered (`pin`: the ref that decides it, an input).
 */
export type ChartChoice =
  | {dir: string; remote?: undefined; tree?: MappedSource}
  | {dir: ''; remote: RemoteChart}
  | {problem: string; at: Array<string | number>; status?: Unrenderable['status']; pin?: Pin}

const isSource = (m: Manifest, kind: string, name: string, namespace: string) =>
  m.kind === kind &&
  m.apiVersion.startsWith('source.toolkit.fluxcd.io/') &&
  m.name === name &&
  (m.namespace ?? 'default') === namespace

/**
 * Where its chart comes from, as source-controller reads it: a folder of this repository (a GitRepository that is
 * this repository), a chart of a HelmRepository (https index or `type: oci`), or an OCIRepository (`chartRef`).
 */
export function chartOf(
  spec: Record<string, unknown>,
  template: ChartTemplate,
  manifests: readonly Manifest[],
  ns: string,
  ctx: DeployablesContext,
): ChartChoice {
  if (isMap(spec.chartRef) && !template.helmChart) return chartRefOf(spec.chartRef, manifests, ns)
  const {chartSpec} = template
  const sourceRef = isMap(chartSpec.sourceRef) ? chartSpec.sourceRef : {}
  const source: SourceRef = {
    kind: str(sourceRef.kind) ?? '',
    name: str(sourceRef.name) ?? '',
    namespace: str(sourceRef.namespace) ?? ns,
  }
  const chart = str(chartSpec.chart) ?? ''
  if (source.kind === 'HelmRepository')
    return helmRepositoryChart(chartSpec, chart, source, manifests, template.helmChart?.via ?? ns)
  if (source.kind !== 'GitRepository')
    return {
      problem: `chart ${chart} comes from ${source.kind} ${source.name}, outside the checkout: the gate does not fetch it, so what it renders is not judged (its values here are still checked as source).`,
      at: ['chart', 'spec', 'sourceRef'],
    }
  return gitRepositoryChart(chart, source, manifests, ctx)
}

/**
 * The chart template helm-controller reads (v1.6.3 getSource): `chart.spec`, from which it makes a HelmChart in the
 * source's namespace; or the HelmChart a `chartRef` names (in `chartRef.namespace`, else the HelmRelease's), whose
 * local `sourceRef` lies in the HelmChart's own namespace (source-controller v1.9.1). `chartSpec` is then the
 * HelmChart's spec, its source's namespace written in, so both render through the same path.
 */
export interface ChartTemplate {
  chartSpec: Record<string, unknown>
  /** The HelmChart a `chartRef` names: its manifest, and how messages name it. */
  helmChart?: {manifest: Manifest; via: string}
}

export function chartTemplateOf(
  spec: Record<string, unknown>,
  manifests: readonly Manifest[],
  ns: string,
  ctx: DeployablesContext,
): ChartTemplate | {problem: string; at: Array<string | number>} {
  const ref = spec.chartRef
  if (!isMap(ref) || ref.kind !== 'HelmChart')
    return {chartSpec: isMap(spec.chart) && isMap(spec.chart.spec) ? spec.chart.spec : {}}
  const name = str(ref.name) ?? ''
  const refNs = str(ref.namespace) ?? ns
  const namespaceOf = (m: Manifest) => ctx.namespaceOf?.(m.file) ?? m.namespace ?? 'default'
  const manifest = manifests.find(
    (m) =>
      m.kind === 'HelmChart' &&
      m.apiVersion.startsWith('source.toolkit.fluxcd.io/') &&
      m.name === name &&
      namespaceOf(m) === refNs,
  )
  if (!manifest || !isMap(manifest.doc.spec))
    return {
      problem: `its chart comes from HelmChart ${refNs}/${name}, which this repository does not define: the gate does not know what it holds, so what it renders is not judged.`,
      at: ['chartRef'],
    }
  const hc = manifest.doc.spec
  const sourceRef = isMap(hc.sourceRef) ? {...hc.sourceRef, namespace: refNs} : {}
  return {chartSpec: {...hc, sourceRef}, helmChart: {manifest, via: `HelmChart ${refNs}/${name}`}}
}

interface SourceRef {
  kind: string
  name: string
  namespace: string
}

/** `spec.chartRef`: an OCIRepository's artifact (its `ref` a semver, a tag or a digest). */
function chartRefOf(chartRef: Record<string, unknown>, manifests: readonly Manifest[], ns: string): ChartChoice {
  const kind = str(chartRef.kind) ?? 'chartRef'
  const name = str(chartRef.name) ?? ''
  const refNs = str(chartRef.namespace) ?? ns
  const repo = manifests.find((m) => isSource(m, 'OCIRepository', name, refNs))
  const url = str(isMap(repo?.doc.spec) ? repo.doc.spec.url : undefined)
  if (kind !== 'OCIRepository' || !url?.startsWith('oci://'))
    return {
      problem: `its chart comes from ${kind} ${name}${kind === 'OCIRepository' ? ', which this repository does not define with an oci:// url' : ''}: the gate does not fetch it, so what it renders is not judged.`,
      at: ['chartRef'],
    }
  const spec = repo!.doc.spec as Record<string, unknown>
  const ref = isMap(spec.ref) ? spec.ref : {}
  const repository = url.slice('oci://'.length).replace(/\/+$/, '')
  const digest = str(ref.digest)
  const artifact = ociArtifactOf(spec, ref)
  if (artifact.operation !== 'extract' && artifact.operation !== 'copy')
    return {
      problem: `OCIRepository ${refNs}/${name}: unsupported layer operation: ${artifact.operation} (source-controller fails on it: extract or copy)`,
      at: ['chartRef'],
      status: 'failed',
    }
  return {
    dir: '',
    remote: {
      type: 'oci',
      source: url,
      repository,
      name: repository.split('/').at(-1) ?? '',
      version: str(ref.semver) ?? str(ref.tag) ?? (digest ? '' : 'latest'),
      ...(digest ? {digest} : {}),
      via: `OCIRepository ${refNs}/${name}`,
      ...verificationOf(spec, refNs, `OCIRepository ${refNs}/${name}`),
      artifact,
    },
  }
}

/** What source-controller makes of the OCIRepository's manifest: its layerSelector, ignore and semverFilter. */
function ociArtifactOf(spec: Record<string, unknown>, ref: Record<string, unknown>): OciArtifact {
  const layer = isMap(spec.layerSelector) ? spec.layerSelector : {}
  const mediaType = str(layer.mediaType)
  const ignore = str(spec.ignore)
  // Read only where it decides: ref.semver picks the tag (a digest wins over it, and a tag comes after it).
  const semverFilter = str(ref.digest) || !str(ref.semver) ? undefined : str(ref.semverFilter)
  return {
    ...(mediaType ? {mediaType} : {}),
    operation: str(layer.operation) || 'extract',
    ...(ignore !== undefined ? {ignore} : {}),
    ...(semverFilter ? {semverFilter} : {}),
  }
}

/** A chart of a HelmRepository: an https index, or `type: oci` (its version `tag@digest` when pinned). */
function helmRepositoryChart(
  chartSpec: Record<string, unknown>,
  chart: string,
  source: SourceRef,
  manifests: readonly Manifest[],
  /** The HelmRelease's namespace, or the HelmChart it reads (`HelmChart ns/name`). */
  from: string,
): ChartChoice {
  const repo = manifests.find((m) => isSource(m, 'HelmRepository', source.name, source.namespace))
  const repoSpec = isMap(repo?.doc.spec) ? repo.doc.spec : {}
  const url = str(repoSpec.url)
  if (!url)
    return {
      problem: `chart ${chart} comes from HelmRepository ${source.namespace}/${source.name}, which this repository does not define: the gate does not know where to fetch it.`,
      at: ['chart', 'spec', 'sourceRef'],
    }
  const oci = repoSpec.type === 'oci' || url.startsWith('oci://')
  const version = str(chartSpec.version) ?? (oci ? '' : '*')
  const [tag, digest] = version.split('@')
  return {
    dir: '',
    remote: {
      type: oci ? 'oci' : 'http',
      source: url,
      repository: oci ? `${url.replace(/^oci:\/\//, '').replace(/\/+$/, '')}/${chart}` : url,
      name: chart,
      version: oci ? tag || (digest ? '' : 'latest') : version,
      ...(oci && digest ? {digest} : {}),
      via: `HelmRepository ${source.namespace}/${source.name}`,
      // Flux verifies only an OCI chart (the HelmChart's verify, made from the chart template; its namespace the
      // source's).
      ...(oci
        ? verificationOf(
            chartSpec,
            source.namespace,
            from.startsWith('HelmChart ') ? from : `the chart template of a HelmRelease in ${from}`,
          )
        : {}),
    },
  }
}

/** A folder of a GitRepository that is this repository (or Flux's own sync source), confined to the revision. */
function gitRepositoryChart(
  chart: string,
  source: SourceRef,
  manifests: readonly Manifest[],
  ctx: DeployablesContext,
): ChartChoice {
  const repo = manifests.find((m) => isSource(m, 'GitRepository', source.name, source.namespace))
  const url = str(isMap(repo?.doc.spec) ? repo.doc.spec.url : undefined)
  const syncSource = source.name === 'flux-system' && source.namespace === 'flux-system'
  if (!syncSource && (url === undefined || !ctx.isThisRepository(url)))
    return {
      problem: `chart ${chart} comes from GitRepository ${source.namespace}/${source.name}${url ? ` (${url})` : ''}, which is not this repository: the gate does not fetch it.`,
      at: ['chart', 'spec', 'sourceRef'],
    }
  // source-controller packages the chart from the GitRepository's artifact; the gate makes that artifact only for
  // the Flux Kustomizations over it (render/artifact.ts), not yet for a chart.
  const spec = isMap(repo?.doc.spec) ? repo.doc.spec : {}
  const fields = ['ignore', 'sparseCheckout'].filter((f) => spec[f] !== undefined && spec[f] !== null)
  if (fields.length > 0)
    return {
      problem: `chart ${chart} comes from GitRepository ${source.namespace}/${source.name}, whose ${fields.map((f) => `spec.${f}`).join(' and ')} decide${fields.length === 1 ? 's' : ''} what its artifact holds: the gate models that artifact for a Flux Kustomization, not for a chart, so what the chart renders is not judged.`,
      at: ['chart', 'spec', 'sourceRef'],
    }
  const pin = repo && ctx.pinned ? fluxPin(spec.ref, ctx.pinned) : undefined
  if (pin) return pinnedChart(chart, source, pin, ctx)
  const dir = ctx.confined(clean(chart))
  if (dir === undefined)
    return {
      problem: `chart path ${chart} leaves the revision: it is not read.`,
      at: ['chart', 'spec', 'chart'],
      status: 'refused',
    }
  if (!ctx.files.has(dir ? `${dir}/Chart.yaml` : 'Chart.yaml'))
    return {
      problem: `chart path ${chart} holds no Chart.yaml in this repository.`,
      at: ['chart', 'spec', 'chart'],
      status: 'failed',
    }
  return {dir}
}

/**
 * A chart of a GitRepository of this repository pinned to another revision (`spec.ref`: another branch, a tag, a
 * commit, a name): source-controller packages it from that commit, so it is read from the clone at it — confined to
 * that tree — or not rendered, the ref named, where the clone does not hold it (nothing is fetched).
 */
function pinnedChart(chart: string, source: SourceRef, pin: Pin, ctx: DeployablesContext): ChartChoice {
  const at = ['chart', 'spec', 'chart']
  const tree = ctx.pinnedTree?.(pin)
  if (!tree) {
    const from = `GitRepository ${source.namespace}/${source.name}, pinned to ${describePin(pin)}`
    const problem = `chart ${chart} comes from ${from}: source-controller packages it from that revision, which this clone does not resolve to a commit (nothing is fetched), so it is not rendered.`
    return {problem, at: ['chart', 'spec', 'sourceRef'], pin}
  }
  const dir = tree.confined(clean(chart))
  const where = `the revision of ${tree.url} (${tree.commit.slice(0, 12)})`
  if (dir === undefined)
    return {
      problem: `chart path ${chart} leaves ${where}, or holds a link that does: it is not read.`,
      at,
      status: 'refused',
      pin,
    }
  if (!tree.files.has(dir ? `${dir}/Chart.yaml` : 'Chart.yaml'))
    return {problem: `chart path ${chart} holds no Chart.yaml in ${where}.`, at, status: 'failed', pin}
  return {dir, tree}
}

/** Flux's `verify` of `spec`, when it has one. */
function verificationOf(spec: unknown, namespace: string, via: string): {verify?: ChartVerification} {
  const verify = isMap(spec) && isMap(spec.verify) ? spec.verify : undefined
  if (!verify) return {}
  const secretRef = isMap(verify.secretRef) ? str(verify.secretRef.name) : undefined
  const identities = Array.isArray(verify.matchOIDCIdentity) ? verify.matchOIDCIdentity : []
  return {
    verify: {
      provider: str(verify.provider) ?? 'cosign',
      ...(secretRef ? {secretRef} : {}),
      namespace,
      matchOIDCIdentity: identities
        .filter(isMap)
        .map((m) => ({issuer: str(m.issuer) ?? '', subject: str(m.subject) ?? ''})),
      via,
    },
  }
}
