/**
 * Flux HelmReleases whose chart comes from a GitRepository that is this repository (its URL names the checkout's
 * origin, or it is the bootstrap sync source `flux-system/flux-system`), read as helm-controller builds them
 * (fluxcd/pkg chartutil ChartValuesFromReferences, ./helmrelease-values.ts): the chart folder and
 * `chart.spec.valuesFiles` relative to the repository root; values = each `valuesFrom` ConfigMap/Secret in order
 * (deep-merged; `targetPath` sets one key as helm --set does), then `spec.values` on top. Release `spec.releaseName`, else
 * `[targetNamespace-]name`; namespace `targetNamespace`, else the HelmRelease's. A `chartRef` to a HelmChart reads
 * the HelmChart's spec as the `chart.spec` (./helmrelease-chart.ts chartTemplateOf). A chart from a HelmRepository
 * (https or `type: oci`) or an OCIRepository (`chartRef`) is a `remote` chart, fetched by src/gitops/helm/charts when the base
 * declares its repository; any other source, and a values source the repository does not hold, is render-unavailable.
 */
import {createHash} from 'node:crypto'
import path from 'node:path'

import {canonicalJson} from '../../../core/canonical-json.js'

import {treeContext, type DeployablesContext} from '../../model/context.js'
import type {Pin} from '../../revision/pinned.js'
import type {MappedSource} from '../../revision/source-repos.js'
import type {Manifest} from '../../kubernetes/manifests.js'
import {
  lazyLayer,
  leaves,
  type HelmDeployable,
  type RemoteChart,
  type Unrenderable,
  type ValueLayer,
} from '../../model/model.js'
import {fluxShortenedName, releaseNameProblem} from '../../helm/release-name.js'
import {fieldMessage, unsupportedField} from '../../fields/check.js'
import {releaseValues, type ReleaseRead, type Unavailable} from './values.js'
import {chartOf, chartTemplateOf, type ChartTemplate} from './chart.js'
import {chartAddress} from '../../model/model.js'
import type {FluxPostRender} from '../../../effects/helm.js'

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)
const clean = (p: string) => path.posix.normalize(p.replace(/^\.\//, '')).replace(/\/$/, '').replace(/^\.$/, '')

export const isHelmRelease = (m: Manifest) =>
  m.kind === 'HelmRelease' && m.apiVersion.startsWith('helm.toolkit.fluxcd.io/')

export function helmReleaseDeployable(
  hr: Manifest,
  manifests: readonly Manifest[],
  ctx: DeployablesContext,
): {helm?: HelmDeployable; unrenderable?: Unrenderable} {
  const r = readRelease(hr, manifests, ctx)
  const {spec, ns, lineAt} = r
  const chosen = releaseChart(r, manifests)
  if (!chosen || 'unrenderable' in chosen) return chosen ?? {}
  const {dir, remote, chartSpec, helmChart, tree} = chosen
  const chartValues = dir ? `${dir}/values.yaml` : 'values.yaml'
  // The chart and its valuesFiles are the source's: a pinned GitRepository's commit, else the revision's.
  const home = tree ? treeContext(ctx, tree) : ctx
  // A HelmChart's valuesFiles are named at the chartRef that reads it.
  const files = releaseValueFiles(
    {...r, ctx: home, ...(helmChart ? {lineAt: () => lineAt('chartRef')} : {})},
    chartSpec,
    chartValues,
    remote,
  )
  if ('unrenderable' in files) return files
  const layers: ValueLayer[] = []
  if (!remote && !files.replacesDefaults && home.files.has(chartValues))
    layers.push(layerOfFile(home, chartValues, `the chart's values.yaml`))
  const values = releaseValues(r)
  if ('unrenderable' in values) return values
  const field = unsupportedField('HelmRelease', 'spec', spec)
  if (field) {
    const p = field.field.split('.').map((x) => x.replace(/\[\]$/, ''))
    return r.unavailable(lineAt(...p), fieldMessage(`spec.${p.join('.')}`, field, 'Flux'))
  }
  const release = releaseName(r)
  if (typeof release !== 'string') return release
  return {
    helm: {
      kind: 'HelmRelease',
      application: r.id,
      file: hr.file,
      line: hr.line,
      environment: r.environment,
      chart: remote ? chartAddress(remote) : dir,
      ...(remote ? {remote} : {}),
      ...(tree ? {tree: {dir: tree.dir, commit: tree.commit}} : {}),
      release,
      namespace: str(spec.targetNamespace) ?? ns,
      skipCrds: skipsCrds(spec),
      // helm-controller's install or upgrade: which one runs depends on the cluster, so either's setting skips it.
      skipSchemaValidation: disablesSchemaValidation(spec),
      skipTests: false,
      // Another tree's value files are named where it is mounted; its commit, not its files, is the input.
      valueFiles: tree ? files.valueFiles.map((f) => path.join(tree.dir, f)) : files.valueFiles,
      ...(files.replacesDefaults ? {chartValues: '{}'} : {}),
      inlineValues: JSON.stringify(values.merged),
      set: [],
      setString: [],
      setFile: [],
      layers: [...layers, ...files.layers, ...values.layers],
      reads: [
        hr.file,
        ...(helmChart ? [helmChart.manifest.file] : []),
        ...(tree ? [] : files.valueFiles),
        ...values.reads,
      ],
      spec: {
        spec,
        name: hr.name,
        namespace: ns,
        ...(helmChart ? {helmChart: chartSpec} : {}),
        ...(tree ? {tree: {url: tree.url, commit: tree.commit}} : {}),
      },
      fluxPostRender: postRenderOf(hr.name, ns, spec),
    },
  }
}

/**
 * The chart template (`chart.spec`, or the HelmChart a `chartRef` names) and where its chart comes from; undefined for
 * a HelmRelease with neither; or why it is not rendered (a HelmChart's problem named at the chartRef, its name first).
 */
function releaseChart(
  r: ReleaseRead,
  manifests: readonly Manifest[],
): (ChartTemplate & {dir: string; remote?: RemoteChart; tree?: MappedSource}) | Unavailable | undefined {
  const {spec, ns, ctx, lineAt} = r
  const template = chartTemplateOf(spec, manifests, ns, ctx)
  if ('problem' in template) return r.unavailable(lineAt(...template.at), template.problem)
  const {chartSpec, helmChart} = template
  if (!isMap(spec.chartRef) && str(chartSpec.chart) === undefined) return undefined
  const chosen = chartOf(spec, template, manifests, ns, ctx)
  if (!('problem' in chosen)) return {...template, ...chosen}
  const line = helmChart && chosen.at[0] === 'chart' ? lineAt('chartRef') : lineAt(...chosen.at)
  return r.unavailable(line, `${helmChart ? `${helmChart.via}: ` : ''}${chosen.problem}`, chosen.status, chosen.pin)
}

/** `install.disableSchemaValidation` or `upgrade.disableSchemaValidation`. */
const disablesSchemaValidation = (spec: Record<string, unknown>) =>
  ['install', 'upgrade'].some((a) => isMap(spec[a]) && spec[a].disableSchemaValidation === true)

/**
 * What helm-controller's post-renderers read (internal/postrender BuildPostRenderers): each postRenderers entry's
 * kustomize patches and images, commonMetadata, and the release's name and namespace for the origin labels.
 */
function postRenderOf(name: string, namespace: string, spec: Record<string, unknown>): FluxPostRender {
  const meta = isMap(spec.commonMetadata) ? spec.commonMetadata : undefined
  const strings = (v: unknown) =>
    isMap(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])) : undefined
  return {
    name,
    namespace,
    ...(Array.isArray(spec.postRenderers) && spec.postRenderers.length > 0 ? {postRenderers: spec.postRenderers} : {}),
    ...(meta ? {commonMetadata: {labels: strings(meta.labels), annotations: strings(meta.annotations)}} : {}),
  }
}

/**
 * A HelmRelease object a kustomize build printed: its body, the file it came from, the build's environment, and the
 * ConfigMaps and Secrets the same build printed (what its `valuesFrom` names there, a generator's hashed name too).
 */
export interface BuiltRelease {
  doc: Record<string, unknown>
  file: string
  line: number
  environment: string | null
  holders?: readonly Manifest[]
}

/**
 * A HelmRelease as a kustomize build applies it (patched, post-built, moved by targetNamespace), read as its file is:
 * the built object is the document, its namespace the file's, the build's environment its own (its lines are the
 * file's declaration: the build's own are not known).
 */
export function builtReleaseDeployable(
  built: BuiltRelease,
  manifests: readonly Manifest[],
  ctx: DeployablesContext,
): {helm?: HelmDeployable; unrenderable?: Unrenderable} {
  const metadata = isMap(built.doc.metadata) ? built.doc.metadata : {}
  const namespace = str(metadata.namespace)
  const manifest: Manifest = {
    file: built.file,
    line: built.line,
    apiVersion: str(built.doc.apiVersion) ?? '',
    kind: 'HelmRelease',
    name: str(metadata.name) ?? '',
    ...(namespace ? {namespace} : {}),
    doc: built.doc,
    text: '',
    lineOf: () => undefined,
  }
  const asBuilt: DeployablesContext = {
    ...ctx,
    envOf: (file) => (file === built.file ? built.environment : ctx.envOf(file)),
    namespaceOf: (file) => (file === built.file ? namespace : ctx.namespaceOf?.(file)),
  }
  // The build's own ConfigMaps and Secrets first: what it applies beside the release is what helm-controller reads.
  return helmReleaseDeployable(manifest, [...(built.holders ?? []), ...manifests], asBuilt)
}

/** A HelmRelease's spec and namespace, and the inputs a refusal of it names. */
function readRelease(hr: Manifest, manifests: readonly Manifest[], ctx: DeployablesContext): ReleaseRead {
  const spec = isMap(hr.doc.spec) ? hr.doc.spec : {}
  // The namespace the kustomizations that deploy its file give it (kustomize's `namespace:` replaces the object's).
  const ns = ctx.namespaceOf?.(hr.file) ?? hr.namespace ?? 'default'
  const id = `${ns}/${hr.name}`
  const environment = ctx.envOf(hr.file)
  const lineAt = (...p: Array<string | number>) => hr.lineOf(['spec', ...p]) ?? hr.line
  const holderOf = (ref: Record<string, unknown>) =>
    manifests.find(
      (m) =>
        m.kind === str(ref.kind) && m.apiVersion === 'v1' && m.name === str(ref.name) && (m.namespace ?? ns) === ns,
    )
  // What it reads even when it cannot be rendered: its own object and the ConfigMaps and Secrets it takes values from
  // — their files and their content (a build's generated ConfigMap has no file of its own), a Secret's only digested.
  const valuesFrom = Array.isArray(spec.valuesFrom) ? spec.valuesFrom.filter(isMap) : []
  const holders = valuesFrom.map(holderOf)
  // Its spec, name and namespace — not its apiVersion or the rest of its file's bytes: the same render either way.
  const inputs = {
    spec: {spec, name: hr.name, namespace: ns, valuesFrom: holders.map((h) => (h ? contentDigest(h) : null))},
    reads: [...holders.flatMap((h) => h?.file ?? []), ...helmChartFiles(spec, manifests)],
  }
  const unavailable = (line: number, message: string, status: Unrenderable['status'] = 'unavailable', pin?: Pin) => ({
    unrenderable: {
      file: hr.file,
      line,
      environment,
      application: id,
      message: `HelmRelease ${id}: ${message}`,
      status,
      inputs: pin ? {...inputs, spec: {...inputs.spec, pin}} : inputs,
    },
  })
  return {hr, spec, ns, id, environment, ctx, lineAt, holderOf, unavailable}
}

/** A ConfigMap's or Secret's data as a digest: what its values are, never the values themselves. */
const contentDigest = (m: Manifest): string =>
  createHash('sha256')
    .update(canonicalJson([m.kind, m.doc.data ?? null, m.doc.stringData ?? null, m.doc.binaryData ?? null]))
    .digest('hex')

/** The files holding a HelmChart of the name a `chartRef` names (what an unrendered release read of it). */
const helmChartFiles = (spec: Record<string, unknown>, manifests: readonly Manifest[]) =>
  isMap(spec.chartRef) && spec.chartRef.kind === 'HelmChart'
    ? manifests
        .filter((m) => m.kind === 'HelmChart' && m.name === str(isMap(spec.chartRef) ? spec.chartRef.name : undefined))
        .map((m) => m.file)
    : []

/** A values file of the revision as a value layer. */
function layerOfFile(ctx: DeployablesContext, file: string, what: string): ValueLayer {
  return lazyLayer(file, what, () => {
    const doc = ctx.docsOf(file)[0]
    return doc ? leaves(doc.value, doc.lineOf, 1) : []
  })
}

/** `chart.spec.valuesFiles` (the chart's values.yaml left out) and their layers; or why they are not read. */
/**
 * `chart.spec.valuesFiles` as source-controller builds the chart from them (internal/helm/chart builder_local.go:
 * mergeFileValues, OverwriteChartDefaultValues): paths from the source's root, merged in order over nothing — the
 * chart's own values.yaml counts only where the list names it — and the result replaces the chart's defaults; a list
 * that is only `values.yaml` changes nothing (GetValuesFiles). Here each file is one `--values` over defaults
 * replaced by `{}`.
 */
function releaseValueFiles(
  r: ReleaseRead,
  chartSpec: Record<string, unknown>,
  chartValues: string,
  remote: RemoteChart | undefined,
): {valueFiles: string[]; layers: ValueLayer[]; replacesDefaults: boolean} | Unavailable {
  const {ctx, lineAt} = r
  const listed = (Array.isArray(chartSpec.valuesFiles) ? chartSpec.valuesFiles : []).filter(
    (v): v is string => typeof v === 'string',
  )
  if (listed.length === 0 || (listed.length === 1 && clean(listed[0]) === 'values.yaml'))
    return {valueFiles: [], layers: [], replacesDefaults: false}
  const valueFiles: string[] = []
  const layers: ValueLayer[] = []
  for (const [i, v] of listed.entries()) {
    const at = lineAt('chart', 'spec', 'valuesFiles', i)
    if (remote)
      return r.unavailable(
        at,
        `values file ${v} is read from inside the fetched chart ${remote.name}: the gate does not read it, so this release is not rendered.`,
      )
    const file = ctx.confined(clean(v))
    if (file === undefined)
      return r.unavailable(at, `values file ${v} resolves outside the revision: it is not read.`, 'refused')
    if (!ctx.files.has(file)) {
      if (chartSpec.ignoreMissingValuesFiles === true) continue
      return r.unavailable(at, `values file ${v} is not in this repository.`, 'failed')
    }
    valueFiles.push(file)
    layers.push(layerOfFile(ctx, file, file === chartValues ? `the chart's values.yaml` : 'value file'))
  }
  return {valueFiles, layers, replacesDefaults: true}
}

/** The release name: `spec.releaseName`, else `[targetNamespace-]name` shortened as Flux does; or why helm refuses it. */
function releaseName(r: ReleaseRead): string | Unavailable {
  const {hr, spec} = r
  const targetNamespace = str(spec.targetNamespace)
  const written = str(spec.releaseName)
  const release = written ?? fluxShortenedName(targetNamespace ? `${targetNamespace}-${hr.name}` : hr.name)
  const badName = releaseNameProblem(release)
  if (badName)
    return r.unavailable(written !== undefined ? r.lineAt('releaseName') : hr.line, badName.message, badName.status)
  return release
}

/**
 * helm-controller v1.6.3 (internal/action/install.go, crds.go): the install applies the chart's crds/ unless
 * `install.crds` is Skip (crdPolicyOrDefault: empty is Create); `install.skipCRDs` is deprecated and read nowhere.
 */
function skipsCrds(spec: Record<string, unknown>): boolean {
  const install = spec.install
  return install !== null && typeof install === 'object' && (install as Record<string, unknown>).crds === 'Skip'
}
