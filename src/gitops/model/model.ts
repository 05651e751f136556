/**
 * A Helm deployable: one chart of the checkout as one Argo CD Application or Flux HelmRelease deploys it — the
 * `helm template` request (repo-relative paths) and the value layers it merges, lowest precedence first, each leaf
 * with the line that wrote it (what a finding points at).
 */
import type {FluxPostRender} from '../../effects/helm.js'
import type {ArgoKustomize} from './render-inputs.js'

/** One leaf a values layer sets: its key path, its value and the 1-based line that wrote it. */
export interface ValueEntry {
  path: string[]
  value: unknown
  line: number
}

export interface ValueLayer {
  /** The repo-relative file that holds the layer (a value file, the chart's values.yaml, the Application, …). */
  file: string
  /** What the layer is, as a finding says it: `values.yaml of the chart`, `value file`, `parameters`, … */
  what: string
  entries: ValueEntry[]
}

export interface HelmDeployable {
  kind: 'Application' | 'HelmRelease'
  /** The Application's name, or the HelmRelease's `namespace/name`. */
  application: string
  /** The file and line that declared it (an Application, an ApplicationSet, a HelmRelease). */
  file: string
  line: number
  environment: string | null
  /** Repo-relative chart folder; for a chart of a chart repository (`remote`), its address (`oci://…/name`, `<repo>/name`). */
  chart: string
  /** A chart from a chart repository, fetched by src/gitops/helm/charts only from repositories the base declares. */
  remote?: RemoteChart
  /**
   * The tree the chart folder is read from when it is not the revision under review (this repository at a pinned
   * commit, a mapped repository): `chart` is then its path there, and the commit part of its render-cache key.
   */
  tree?: {dir: string; commit: string}
  release: string
  /** helm's `--namespace`: what templates read as `.Release.Namespace`. */
  namespace?: string
  /** The namespace given to the namespaced objects that name none, when it is not `namespace` (Argo CD's destination). */
  objectNamespace?: string
  /** The Kubernetes version and API versions helm is told, when the source sets its own (else the policy's). */
  kubeVersion?: string
  apiVersions?: string[]
  skipCrds: boolean
  skipSchemaValidation: boolean
  skipTests: boolean
  /** Value files in order, repo-relative. */
  valueFiles: string[]
  /** What replaces the chart's own values.yaml (Flux's `chart.spec.valuesFiles`: source-controller's merge), as YAML. */
  chartValues?: string
  /** `values`/`valuesObject` (Argo CD) or the merged `valuesFrom` + `values` (Flux), as YAML text. */
  inlineValues?: string
  set: Array<{name: string; value: string}>
  setString: Array<{name: string; value: string}>
  /** `--set-file`, repo-relative paths. */
  setFile: Array<{name: string; path: string}>
  /** Lowest precedence first: the chart's values.yaml, value files, inline values, parameters. */
  layers: ValueLayer[]
  /** Repo-relative files the deployable reads besides the chart's (value files, the declaring file, ConfigMaps). */
  reads: string[]
  /** The deployable's spec as written (or generated), part of the render cache key. */
  spec: unknown
  /** A HelmRelease's: helm-controller's post-renderers (its postRenderers, commonMetadata, the origin labels). */
  fluxPostRender?: FluxPostRender
}

/** A chart of a chart repository, as the revision names it. */
export interface RemoteChart {
  /** `http`: a Helm repository (index.yaml); `oci`: a registry. */
  type: 'http' | 'oci'
  /** The repository URL as the declaring object writes it: what must be declared by the base (src/gitops/helm/charts). */
  source: string
  /** Where it is fetched: the Helm repository's URL, or the OCI chart's `host/path/name`. */
  repository: string
  name: string
  /** What the revision asks for: an exact version, a range (`1.x`, `>=1 <2`, `*`), or '' (the newest). */
  version: string
  /** `sha256:…` the revision pins (an OCI `@sha256`, an OCIRepository's `ref.digest`). */
  digest?: string
  /** The object that declares the repository, for messages (`HelmRepository flux-system/podinfo`). */
  via: string
  /** A chart's dependency: the Chart.yaml (or requirements.yaml) that asks for it, at the line of its entry. */
  declaredAt?: {file: string; line: number}
  /** Flux's `verify` of an OCI chart (the HelmRelease's chart template, or the OCIRepository): checked before render. */
  verify?: ChartVerification
  /** An OCIRepository's: the artifact source-controller makes of the chart (its layer, then extract or copy). */
  artifact?: OciArtifact
}

/**
 * What source-controller v1.9.1 makes of an OCIRepository's manifest (internal/controller/ocirepository_controller.go
 * selectLayer, reconcileSource, reconcileArtifact): the first layer of `layerSelector.mediaType` (none: the first
 * layer), then `extract` (the default: untarred, then archived without what the `.sourceignore` files, `spec.ignore`
 * and the default excludes leave out) or `copy` (the layer as it is).
 */
export interface OciArtifact {
  mediaType?: string
  operation: string
  /** `spec.ignore` (extract only). */
  ignore?: string
  /** `spec.ref.semverFilter`: the Go regexp a tag must match for `ref.semver` to pick it. */
  semverFilter?: string
}

/** Flux's `spec.verify`: the provider, the Secret of public keys (in `namespace`), keyless identities. */
export interface ChartVerification {
  provider: string
  /** The Secret's name (its `.pub` keys); none: keyless. */
  secretRef?: string
  /** The Secret's namespace: that of the source object. */
  namespace: string
  /** Keyless: the issuer and subject regexps, any of which may match (none: any identity). */
  matchOIDCIdentity: Array<{issuer: string; subject: string}>
  /** The object whose spec holds it, for messages. */
  via: string
}

/** Something the gate will not render: outside the checkout (a remote chart or repository) or not evaluable. */
export interface Unrenderable {
  file: string
  line: number
  environment: string | null
  application?: string
  message: string
  /**
   * `unavailable`: outside what the gate reads (render-unavailable); `failed`: a broken spec (render-failed);
   * `refused`: it names a path that leaves the revision (render-refused, always an error); `invalid`: an Application
   * the API server would refuse (application-invalid, always an error).
   */
  status: 'unavailable' | 'failed' | 'refused' | 'invalid'
  /**
   * What it would read, required of every producer: its spec and the repo-relative files (`gitops diff`: the same
   * inputs in both revisions leave it unchanged, so it does not make the diff incomplete); `unknown` where what it
   * would read cannot be said (it then always makes a diff incomplete). A refusal's are not used.
   */
  inputs: {spec: unknown; reads: string[]} | 'unknown'
}

/** An Argo CD directory source: a folder of plain manifests and jsonnet (src/gitops/argocd/directory/directory.ts). */
export interface DirectoryDeployable {
  kind: 'directory'
  application: string
  file: string
  line: number
  environment: string | null
  /** Repo-relative folder. */
  dir: string
  /** The YAML and JSON files Argo CD reads, in its order. */
  manifests: string[]
  /** Its .jsonnet files and `directory.jsonnet` (evaluated by the render module's go-jsonnet), when it holds any. */
  jsonnet?: JsonnetSource
  /** The destination namespace (given to namespaced objects that name none). */
  namespace?: string
  /** The tree it is read from when not the revision under review (`dir` and `manifests` are paths there). */
  tree?: {dir: string; commit: string}
  /** The declaring file and the override files merged into the source. */
  reads: string[]
  spec: unknown
}

/** A kustomize or plain folder an Application deploys from the checkout. */
export interface KustomizeUse {
  dir: string
  environment: string | null
  declaredIn: string
  application: string
  /** The kustomization fields the Application's `kustomize` options set (./kustomize-options.ts), when any. */
  edits?: Record<string, unknown>
  /** The file that set them: the last override file, else the Application's (where an image they decide points). */
  editsIn?: string
  /** The options as the render module applies them (`kustomize edit` as the repo-server runs it). */
  argo?: ArgoKustomize
  /** The Application's `destination.namespace`, given to namespaced objects that name none. */
  namespace?: string
  /** The tree it is built from when not the revision under review (`dir` is a path there): built on its own. */
  tree?: {dir: string; commit: string}
  /** The source's kube and API versions for kustomize's Helm inflation, where it sets them (not the cluster's). */
  helmVersions?: {kubeVersion?: string; apiVersions?: string[]}
}

/** Dotted key path → Helm `--set` name (dots inside a key escaped, list indexes as `[n]`). */
export function setName(path: readonly string[]): string {
  let out = ''
  for (const p of path) {
    if (/^\[\d+\]$/.test(p)) out += p
    else out += (out ? '.' : '') + p.replace(/([.,=\\[\]])/g, '\\$1')
  }
  return out
}

/** Helm `--set` name → key path (`a.b\.c[0]` → `a`, `b.c`, `[0]`). */
export function parseSetName(name: string): string[] {
  const out: string[] = []
  let cur = ''
  for (let i = 0; i < name.length; i++) {
    const c = name[i]
    if (c === '\\' && i + 1 < name.length) cur += name[++i]
    else if (c === '.') {
      if (cur) out.push(cur)
      cur = ''
    } else if (c === '[') {
      const end = name.indexOf(']', i)
      if (cur) out.push(cur)
      cur = ''
      out.push(name.slice(i, end + 1))
      i = end
    } else cur += c
  }
  if (cur) out.push(cur)
  return out
}

/** Every scalar leaf of a values tree, with `lineOf` its line (lists as `[n]` steps). */
export function leaves(
  tree: unknown,
  lineOf: (path: Array<string | number>) => number | undefined,
  fallbackLine: number,
): ValueEntry[] {
  const out: ValueEntry[] = []
  const walk = (v: unknown, keys: Array<string | number>) => {
    if (v !== null && typeof v === 'object') {
      const entries = Array.isArray(v) ? v.map((x, i) => [i, x] as const) : Object.entries(v)
      for (const [k, x] of entries) walk(x, [...keys, k])
      return
    }
    if (keys.length === 0) return
    out.push({
      path: keys.map((k) => (typeof k === 'number' ? `[${k}]` : k)),
      value: v,
      line: lineOf(keys) ?? fallbackLine,
    })
  }
  walk(tree, [])
  return out
}

/**
 * A value layer whose entries are read when first asked for: only a rendered deployable's images are traced to the
 * values that set them, so thousands of untouched Applications never parse their value files.
 */
export function lazyLayer(file: string, what: string, read: () => ValueEntry[]): ValueLayer {
  let entries: ValueEntry[] | undefined
  return {
    file,
    what,
    get entries() {
      entries ??= read()
      return entries
    },
  }
}

/** Maps merge deeply, anything else (lists included) is replaced, a `null` too (fluxcd/pkg chartutil MergeMaps). */
export function mergeValues(base: unknown, over: unknown): unknown {
  const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
  if (!isMap(base) || !isMap(over)) return over
  const out: Record<string, unknown> = {...base}
  // A null is kept (helm then removes the chart's default under it), as fluxcd/pkg chartutil MergeMaps keeps it.
  for (const [k, v] of Object.entries(over)) out[k] = isMap(out[k]) && isMap(v) ? mergeValues(out[k], v) : v
  return out
}

export interface JsonnetVariable {
  name: string
  value: string
  code: boolean
}

export interface JsonnetSource {
  /** Repo-relative .jsonnet files, in Argo CD's order. */
  files: string[]
  tlas: JsonnetVariable[]
  extVars: JsonnetVariable[]
  /** `libs` as written (relative to the repository root). */
  libs: string[]
  env: Record<string, string>
}

/** A remote chart's address, its name in reports: `oci://host/path/name`, or `<repository>/name`. */
export const chartAddress = (r: RemoteChart): string =>
  r.type === 'oci' ? `oci://${r.repository}` : `${r.source.replace(/\/+$/, '')}/${r.name}`
