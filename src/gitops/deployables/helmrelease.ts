/**
 * Flux HelmReleases whose chart comes from a GitRepository that is this repository (its URL names the checkout's
 * origin, or it is the bootstrap sync source `flux-system/flux-system`), read as helm-controller builds them
 * (fluxcd/helm-controller `internal/chartutil/values.go` ChartValuesFromReferences): the chart folder and
 * `chart.spec.valuesFiles` relative to the repository root; values = each `valuesFrom` ConfigMap/Secret in order
 * (deep-merged; `targetPath` sets one key), then `spec.values` on top. Release `spec.releaseName`, else
 * `[targetNamespace-]name`; namespace `targetNamespace`, else the HelmRelease's. A chart from a HelmRepository (https
 * or `type: oci`) or an OCIRepository (`chartRef`) is a `remote` chart, fetched by src/gitops/charts when the base
 * declares its repository; any other source, and a values source the repository does not hold, is render-unavailable.
 */
import path from 'node:path'

import type {DeployablesContext} from './context.js'
import type {Manifest} from './manifests.js'
import {
  leaves,
  mergeValues,
  parseSetName,
  type HelmDeployable,
  type ChartVerification,
  type RemoteChart,
  type Unrenderable,
  type ValueLayer,
} from './model.js'
import {fluxShortenedName, releaseNameProblem} from './release-name.js'
import {linedDocuments} from './yaml-lines.js'

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
  // What it reads even when it cannot be rendered: its own object and the ConfigMaps and Secrets it takes values from.
  const valuesFrom = Array.isArray(spec.valuesFrom) ? spec.valuesFrom.filter(isMap) : []
  // Its spec, name and namespace — not its apiVersion or the rest of its file's bytes: the same render either way.
  const inputs = {
    spec: {spec, name: hr.name, namespace: ns},
    reads: valuesFrom.flatMap((ref) => holderOf(ref)?.file ?? []),
  }
  const unavailable = (line: number, message: string, status: Unrenderable['status'] = 'unavailable') => ({
    unrenderable: {
      file: hr.file,
      line,
      environment,
      application: id,
      message: `HelmRelease ${id}: ${message}`,
      status,
      inputs,
    },
  })
  const chartSpec = isMap(spec.chart) && isMap(spec.chart.spec) ? spec.chart.spec : {}
  if (!isMap(spec.chartRef) && str(chartSpec.chart) === undefined) return {}
  const chosen = chartOf(spec, manifests, ns, ctx)
  if ('problem' in chosen) return unavailable(lineAt(...chosen.at), chosen.problem, chosen.status)
  const {dir, remote} = chosen
  const layers: ValueLayer[] = []
  const reads = [hr.file]
  const layerOfFile = (file: string, what: string): ValueLayer => {
    const doc = ctx.docsOf(file)[0]
    return {file, what, entries: doc ? leaves(doc.value, doc.lineOf, 1) : []}
  }
  const chartValues = dir ? `${dir}/values.yaml` : 'values.yaml'
  if (!remote && ctx.files.has(chartValues)) layers.push(layerOfFile(chartValues, `the chart's values.yaml`))
  const valueFiles: string[] = []
  for (const [i, v] of (Array.isArray(chartSpec.valuesFiles) ? chartSpec.valuesFiles : []).entries()) {
    if (typeof v !== 'string') continue
    if (remote)
      return unavailable(
        lineAt('chart', 'spec', 'valuesFiles', i),
        `values file ${v} is read from inside the fetched chart ${remote.name}: the gate does not read it, so this release is not rendered.`,
      )
    const file = ctx.confined(clean(v))
    if (file === undefined) {
      return unavailable(
        lineAt('chart', 'spec', 'valuesFiles', i),
        `values file ${v} resolves outside the revision: it is not read.`,
        'refused',
      )
    }
    if (!ctx.files.has(file)) {
      if (chartSpec.ignoreMissingValuesFiles === true) continue
      return unavailable(
        lineAt('chart', 'spec', 'valuesFiles', i),
        `values file ${v} is not in this repository.`,
        'failed',
      )
    }
    if (file === chartValues) continue
    valueFiles.push(file)
    reads.push(file)
    layers.push(layerOfFile(file, 'value file'))
  }
  // valuesFrom in order, then spec.values (helm-controller's order).
  let merged: unknown = {}
  for (const [i, ref] of (Array.isArray(spec.valuesFrom) ? spec.valuesFrom : []).entries()) {
    if (!isMap(ref)) continue
    const kind = str(ref.kind) ?? ''
    const name = str(ref.name) ?? ''
    const key = str(ref.valuesKey) ?? 'values.yaml'
    const holder = holderOf(ref)
    const found = holder ? dataOf(holder, key) : undefined
    if (!holder || found === undefined) {
      if (ref.optional === true) continue
      return unavailable(
        lineAt('valuesFrom', i),
        `valuesFrom ${kind} ${ns}/${name} (key ${key}) is not defined in this repository: the values it gives on the cluster are unknown here, so this release is not rendered.`,
      )
    }
    reads.push(holder.file)
    const targetPath = str(ref.targetPath)
    if (targetPath) {
      const keyPath = parseSetName(targetPath)
      merged = mergeValues(merged, nest(keyPath, found.text))
      layers.push({
        file: holder.file,
        what: `${kind} ${name}`,
        entries: [{path: keyPath, value: found.text, line: found.line}],
      })
      continue
    }
    const doc = linedDocuments(ctx.yaml, found.text)[0]
    if (!doc || !isMap(doc.value)) continue
    merged = mergeValues(merged, doc.value)
    const offset = found.line
    layers.push({
      file: holder.file,
      what: `${kind} ${name}`,
      entries: leaves(doc.value, (p) => (found.block ? (doc.lineOf(p) ?? 0) + offset : offset), offset),
    })
  }
  if (isMap(spec.values)) {
    merged = mergeValues(merged, spec.values)
    layers.push({
      file: hr.file,
      what: 'values',
      entries: leaves(spec.values, (p) => hr.lineOf(['spec', 'values', ...p]), lineAt('values')),
    })
  }
  // Last (what its chart and values are is named first): helm-controller runs its post-renderers (kustomize patches and images) over the chart's output: not modelled,
  // so named rather than rendered without them.
  if (Array.isArray(spec.postRenderers) && spec.postRenderers.length > 0) {
    return unavailable(
      lineAt('postRenderers'),
      `its postRenderers (kustomize patches and images helm-controller applies to the chart's output) are not applied by the gate: what it renders is not rendered or judged.`,
    )
  }
  const targetNamespace = str(spec.targetNamespace)
  const written = str(spec.releaseName)
  const release = written ?? fluxShortenedName(targetNamespace ? `${targetNamespace}-${hr.name}` : hr.name)
  const badName = releaseNameProblem(release)
  if (badName)
    return unavailable(written !== undefined ? lineAt('releaseName') : hr.line, badName.message, badName.status)
  return {
    helm: {
      kind: 'HelmRelease',
      application: id,
      file: hr.file,
      line: hr.line,
      environment,
      chart: remote ? chartAddress(remote) : dir,
      ...(remote ? {remote} : {}),
      release,
      namespace: targetNamespace ?? ns,
      skipCrds: false,
      skipSchemaValidation: false,
      skipTests: false,
      valueFiles,
      inlineValues: JSON.stringify(merged),
      set: [],
      setString: [],
      setFile: [],
      layers,
      reads,
      spec: {spec, name: hr.name, namespace: ns},
    },
  }
}

type ChartChoice =
  | {dir: string; remote?: undefined}
  | {dir: ''; remote: RemoteChart}
  | {problem: string; at: Array<string | number>; status?: Unrenderable['status']}

const isSource = (m: Manifest, kind: string, name: string, namespace: string) =>
  m.kind === kind &&
  m.apiVersion.startsWith('source.toolkit.fluxcd.io/') &&
  m.name === name &&
  (m.namespace ?? 'default') === namespace

/**
 * Where its chart comes from, as source-controller reads it: a folder of this repository (a GitRepository that is
 * this repository), a chart of a HelmRepository (https index or `type: oci`), or an OCIRepository (`chartRef`).
 */
function chartOf(
  spec: Record<string, unknown>,
  manifests: readonly Manifest[],
  ns: string,
  ctx: DeployablesContext,
): ChartChoice {
  if (isMap(spec.chartRef)) {
    const kind = str(spec.chartRef.kind) ?? 'chartRef'
    const name = str(spec.chartRef.name) ?? ''
    const refNs = str(spec.chartRef.namespace) ?? ns
    const repo = manifests.find((m) => isSource(m, 'OCIRepository', name, refNs))
    const url = str(isMap(repo?.doc.spec) ? repo.doc.spec.url : undefined)
    if (kind !== 'OCIRepository' || !url?.startsWith('oci://'))
      return {
        problem: `its chart comes from ${kind} ${name}${kind === 'OCIRepository' ? ', which this repository does not define with an oci:// url' : ''}: the gate does not fetch it, so what it renders is not judged.`,
        at: ['chartRef'],
      }
    const ref = isMap(repo!.doc.spec) && isMap(repo!.doc.spec.ref) ? repo!.doc.spec.ref : {}
    const repository = url.slice('oci://'.length).replace(/\/+$/, '')
    const digest = str(ref.digest)
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
        ...verificationOf(repo!.doc.spec, refNs, `OCIRepository ${refNs}/${name}`),
      },
    }
  }
  const chartSpec = isMap(spec.chart) && isMap(spec.chart.spec) ? spec.chart.spec : {}
  const chart = str(chartSpec.chart) ?? ''
  const sourceRef = isMap(chartSpec.sourceRef) ? chartSpec.sourceRef : {}
  const sourceKind = str(sourceRef.kind) ?? ''
  const sourceName = str(sourceRef.name) ?? ''
  const sourceNs = str(sourceRef.namespace) ?? ns
  const at = ['chart', 'spec', 'sourceRef']
  if (sourceKind === 'HelmRepository') {
    const repo = manifests.find((m) => isSource(m, 'HelmRepository', sourceName, sourceNs))
    const repoSpec = isMap(repo?.doc.spec) ? repo.doc.spec : {}
    const url = str(repoSpec.url)
    if (!url)
      return {
        problem: `chart ${chart} comes from HelmRepository ${sourceNs}/${sourceName}, which this repository does not define: the gate does not know where to fetch it.`,
        at,
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
        via: `HelmRepository ${sourceNs}/${sourceName}`,
        // Flux verifies only an OCI chart (the HelmChart's verify, made from the chart template; its namespace the
        // source's).
        ...(oci ? verificationOf(chartSpec, sourceNs, `the chart template of a HelmRelease in ${ns}`) : {}),
      },
    }
  }
  if (sourceKind !== 'GitRepository')
    return {
      problem: `chart ${chart} comes from ${sourceKind} ${sourceName}, outside the checkout: the gate does not fetch it, so what it renders is not judged (its values here are still checked as source).`,
      at,
    }
  const repo = manifests.find((m) => isSource(m, 'GitRepository', sourceName, sourceNs))
  const url = str(isMap(repo?.doc.spec) ? repo.doc.spec.url : undefined)
  const syncSource = sourceName === 'flux-system' && sourceNs === 'flux-system'
  if (!syncSource && (url === undefined || !ctx.isThisRepository(url)))
    return {
      problem: `chart ${chart} comes from GitRepository ${sourceNs}/${sourceName}${url ? ` (${url})` : ''}, which is not this repository: the gate does not fetch it.`,
      at,
    }
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

/** A remote chart's address, its name in reports: `oci://host/path/name`, or `<repository>/name`. */
export const chartAddress = (r: RemoteChart): string =>
  r.type === 'oci' ? `oci://${r.repository}` : `${r.source.replace(/\/+$/, '')}/${r.name}`

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

function nest(keys: string[], value: unknown): unknown {
  return keys.reduceRight<unknown>((acc, k) => ({[k]: acc}), value)
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
