/**
 * An Argo CD Application's Helm source, read as the repo-server reads it: release `helm.releaseName` or the
 * Application's name, namespace `helm.namespace` or the destination's, value files resolved from the chart folder
 * (`/x` from the repository root, `$ref/x` from the root of the `ref:` source; globs expanded lexically; everything
 * confined to the repository), `values`/`valuesObject`, `parameters` (`forceString` → `--set-string`) and
 * `fileParameters`; its `.argocd-source*.yaml` overrides as value layers.
 */
import path from 'node:path'

import type {DeployablesContext} from '../../model/context.js'
import {
  lazyLayer,
  leaves,
  parseSetName,
  type HelmDeployable,
  type RemoteChart,
  type Unrenderable,
  type ValueLayer,
} from '../../model/model.js'
import {chartAddress} from '../../model/model.js'
import {helmSourceReads, pinnedRefText, resolveValueFiles, substitutedPath, type HelmSource} from './value-files.js'
import {releaseNameProblem} from '../../helm/release-name.js'
import type {ArgoApplication, SpecPath} from '../../model/types.js'
import {
  argoEnv,
  destinationNamespace,
  environmentFolder,
  envsubst,
  isMap,
  str,
  unknownVariables,
} from '../../model/source-helpers.js'
import {linedValues, refPins, type SourceRef} from '../../model/source-inputs.js'
import type {MappedSource} from '../../revision/source-repos.js'

export function helmDeployable(
  app: ArgoApplication,
  source: Record<string, unknown>,
  at: SpecPath,
  dir: string,
  refs: Map<string, SourceRef>,
  ctx: DeployablesContext,
  unavailable: (p: SpecPath, message: string, status: Unrenderable['status'], inputs: Unrenderable['inputs']) => void,
  from: {remote?: RemoteChart; tree?: MappedSource} = {},
): HelmDeployable | undefined {
  const {remote, tree} = from
  const helm = isMap(source.helm) ? source.helm : {}
  const src: HelmSource = {
    app,
    helm,
    h: [...at, 'helm'],
    dir,
    refs,
    env: argoEnv(app, source),
    ctx,
    // Not rendered, it is about its spec and what it would read: untouched where both are the same in both revisions.
    unavailable: (p, message, status = 'unavailable', inputs) =>
      unavailable(p, message, status, inputs ?? unrenderedInputs(src, source)),
    remote,
    ...(tree ? {tree} : {}),
  }
  const layers: ValueLayer[] = []
  const chartValues = dir ? `${dir}/values.yaml` : 'values.yaml'
  // Another tree's files are no lines of this revision: no layer points at them.
  if (!remote && !tree && ctx.files.has(chartValues))
    layers.push(fileLayer(ctx, chartValues, `the chart's values.yaml`))
  const valueFiles = resolveValueFiles(src)
  if (!valueFiles) return undefined
  for (const f of valueFiles) if (ctx.files.has(f)) layers.push(fileLayer(ctx, f, 'value file'))
  const inline = inlineValues(src)
  if (inline) layers.push(inline.layer)
  const rawParams = Array.isArray(helm.parameters) ? helm.parameters : []
  const rawFileParams = Array.isArray(helm.fileParameters) ? helm.fileParameters : []
  if (unsafeName(src, rawParams, 'parameters') || unsafeName(src, rawFileParams, 'fileParameters')) return undefined
  const params = parameterFlags(src, rawParams)
  if (!params) return undefined
  if (params.layer.entries.length > 0) layers.push(params.layer)
  const setFile = fileParameterFlags(src, rawFileParams)
  if (!setFile) return undefined
  const release = releaseOf(src)
  if (release === undefined) return undefined
  return {
    kind: 'Application',
    application: app.name,
    file: app.file,
    line: app.line,
    environment: environmentOf(src, valueFiles),
    chart: remote ? chartAddress(remote) : dir,
    ...(remote ? {remote} : {}),
    ...(tree ? {tree: {dir: tree.dir, commit: tree.commit}} : {}),
    release,
    // helm's --namespace (what templates read as .Release.Namespace); the objects that name none are then given the
    // destination's, as Argo CD applies them.
    namespace: str(helm.namespace) || destinationNamespace(app),
    objectNamespace: destinationNamespace(app),
    ...kubeVersions(helm),
    skipCrds: helm.skipCrds === true,
    skipSchemaValidation: helm.skipSchemaValidation === true,
    skipTests: helm.skipTests === true,
    valueFiles,
    ...(inline ? {inlineValues: inline.values} : {}),
    set: params.set,
    setString: params.setString,
    setFile,
    layers,
    reads: [app.file, ...valueFiles, ...setFile.map((f) => f.path)],
    spec: deployableSpec(src, source),
  }
}

/** What the deployable is, for its render-cache key: the source, and the commits of the trees it reads besides this one. */
function deployableSpec(src: HelmSource, source: Record<string, unknown>): Record<string, unknown> {
  const pins = refPins(src.refs)
  return {
    source,
    name: src.app.name,
    destination: src.app.spec.destination ?? null,
    ...(src.tree ? {tree: {url: src.tree.url, commit: src.tree.commit}} : {}),
    ...(pins.length > 0 ? {refPins: pins} : {}),
  }
}

/** What a source not rendered would read: its spec with its `ref:` sources, and its files of this revision. */
function unrenderedInputs(src: HelmSource, source: Record<string, unknown>): Unrenderable['inputs'] {
  const reads = helmSourceReads(src)
  if (reads === 'unknown') return 'unknown'
  // The `ref:` sources too: another revision of a values repository is another input.
  const refs = Object.fromEntries([...src.refs].map(([k, r]) => [k, [r.repoURL, r.targetRevision ?? null]]))
  const spec = deployableSpec(src, source)
  return {spec: src.refs.size > 0 ? {...spec, refs} : spec, reads: [src.app.file, ...reads]}
}

/** A values file of the revision as a value layer. */
export function fileLayer(ctx: DeployablesContext, file: string, what: string): ValueLayer {
  return lazyLayer(file, what, () => {
    const doc = ctx.docsOf(file)[0]
    return doc ? leaves(doc.value, doc.lineOf, 1) : []
  })
}

/** values / valuesObject as helm's inline values and their layer: valuesObject, when set, replaces values. */
function inlineValues(src: HelmSource): {values: string; layer: ValueLayer} | undefined {
  const {app, helm, h} = src
  if (isMap(helm.valuesObject)) {
    const lineAt = app.lineOf([...h, 'valuesObject']) ?? app.line
    const entries = leaves(helm.valuesObject, (p) => app.lineOf([...h, 'valuesObject', ...p]), lineAt)
    return {values: JSON.stringify(helm.valuesObject), layer: {file: app.file, what: 'valuesObject', entries}}
  }
  if (typeof helm.values !== 'string' || helm.values.trim() === '') return undefined
  const valuesLine = app.lineOf([...h, 'values']) ?? app.line
  const doc = linedValues(src.ctx, helm.values)
  return {
    values: helm.values,
    layer: {
      file: app.file,
      what: 'values',
      // A block scalar starts on the line after `values: |`.
      entries: doc ? leaves(doc.value, (p) => (doc.lineOf(p) ?? 0) + valuesLine, valuesLine) : [],
    },
  }
}

/**
 * Whether a parameter's name holds `,` or `=` (said through `unavailable`): it would end helm's `name=value` and start
 * another, and `--set-file` would read any path.
 */
function unsafeName(src: HelmSource, list: unknown[], field: string): boolean {
  const i = list.findIndex((p) => isMap(p) && typeof p.name === 'string' && /[,=]/.test(p.name))
  if (i < 0) return false
  src.unavailable(
    [...src.h, field, i],
    `${field} name ${JSON.stringify((list[i] as {name: string}).name)} holds "," or "=", which helm reads as the start of another name=value (a --set-file among them would read any path): it is not passed to helm, so nothing is rendered.`,
    'refused',
  )
  return true
}

/**
 * `parameters` as helm's `--set` and `--set-string` flags and their value layer: two maps, as the repo-server keeps
 * them (a name given with and without `forceString` is in both, and `--set-string` comes after `--set`), a name seen
 * twice in one map keeping its last value; undefined, said, where a value names the revision Argo CD resolves.
 */
function parameterFlags(
  src: HelmSource,
  rawParams: unknown[],
): {set: HelmDeployable['set']; setString: HelmDeployable['setString']; layer: ValueLayer} | undefined {
  const {app, h} = src
  const maps = {set: new Map<string, Parameter>(), setString: new Map<string, Parameter>()}
  for (const [i, p] of rawParams.entries()) {
    if (!isMap(p) || typeof p.name !== 'string') continue
    const raw = String(p.value ?? '')
    const unknown = unknownVariables(raw)
    if (unknown.length > 0) {
      src.unavailable(
        [...h, 'parameters', i],
        `parameter ${p.name} names $${unknown[0]}, the commit Argo CD resolves, which ameide does not know: this chart is not rendered.`,
        'unavailable',
        'unknown',
      )
      return undefined
    }
    const map = p.forceString === true ? maps.setString : maps.set
    map.delete(p.name)
    map.set(p.name, {value: envsubst(raw, src.env), line: app.lineOf([...h, 'parameters', i]) ?? app.line})
  }
  const layer: ValueLayer = {file: app.file, what: 'parameters', entries: []}
  const flags = (map: Map<string, Parameter>) =>
    [...map].map(([name, p]) => {
      layer.entries.push({path: parseSetName(name), value: p.value, line: p.line})
      // Commas are escaped so a value stays one string, unless the whole value is `{…}` (cleanSetParameters).
      return {name, value: /^\{.*\}$/s.test(p.value) ? p.value : p.value.replaceAll(',', '\\,')}
    })
  return {set: flags(maps.set), setString: flags(maps.setString), layer}
}

interface Parameter {
  value: string
  line: number
}

/** `helm.kubeVersion` and `helm.apiVersions`, which replace the cluster's (GetKubeVersionOrDefault, GetAPIVersionsOrDefault). */
export function kubeVersions(helm: Record<string, unknown>): Pick<HelmDeployable, 'kubeVersion' | 'apiVersions'> {
  // parseKubeVersion: apimachinery's ParseGeneric, a leading `v` and whatever follows the numbers dropped.
  const kube = str(helm.kubeVersion)?.replace(/^v?(\d+(?:\.\d+)+).*$/s, '$1')
  const api = Array.isArray(helm.apiVersions) ? helm.apiVersions.filter((v): v is string => typeof v === 'string') : []
  return {...(kube ? {kubeVersion: kube} : {}), ...(api.length > 0 ? {apiVersions: api} : {})}
}

/** `fileParameters` as helm's `--set-file` flags, confined to the revision; undefined when one cannot be read. */
function fileParameterFlags(src: HelmSource, rawFileParams: unknown[]): HelmDeployable['setFile'] | undefined {
  const {h, refs, ctx, unavailable} = src
  const setFile: HelmDeployable['setFile'] = []
  for (const [i, p] of rawFileParams.entries()) {
    if (!isMap(p) || typeof p.name !== 'string' || typeof p.path !== 'string') continue
    const entry = substitutedPath(src, p.path, [...h, 'fileParameters', i])
    if (entry === undefined) return undefined
    const ref = /^\$([^/]+)\/(.*)$/.exec(entry)
    const r = ref ? refs.get(ref[1]) : undefined
    const rel = r?.mine ? ref![2] : entry.startsWith('/') ? entry.slice(1) : path.posix.join(src.dir, entry)
    if (ref && !r?.mine) {
      unavailable([...h, 'fileParameters', i], `fileParameters ${p.name} reads ${entry}, outside this repository.`)
      return undefined
    }
    // Read from the tree it comes from: a pinned ref's (where the clone holds it), else the source's own.
    const tree = ref ? r?.tree : src.tree
    const pin = r?.tree ? undefined : r?.pin
    if (pin) {
      unavailable(
        [...h, 'fileParameters', i],
        `fileParameters ${p.name} reads ${entry}, ${pinnedRefText(ref![1], pin)}`,
      )
      return undefined
    }
    const file = (tree ?? ctx).confined(rel)
    if (file === undefined) {
      unavailable(
        [...h, 'fileParameters', i],
        `fileParameters ${p.name} reads ${entry}, which resolves outside the revision${tree ? ` of ${tree.url} (${tree.commit.slice(0, 12)})` : ''}: it is not read.`,
        'refused',
      )
      return undefined
    }
    setFile.push({name: p.name, path: tree ? `${tree.dir}/${file}` : file})
  }
  return setFile
}

/** The release name, `helm.releaseName` or the Application's name; undefined when helm would refuse it. */
function releaseOf(src: HelmSource): string | undefined {
  const release = str(src.helm.releaseName) ?? src.app.name
  const badName = releaseNameProblem(release)
  if (!badName) return release
  src.unavailable(
    str(src.helm.releaseName) !== undefined ? [...src.h, 'releaseName'] : [],
    badName.message,
    badName.status,
  )
  return undefined
}

/** The environment: the Application's, its file's, its first value file's that has one, or its folder's. */
function environmentOf(src: HelmSource, valueFiles: readonly string[]): string | null {
  const {app, ctx} = src
  return (
    app.environment ??
    ctx.envOf(app.file) ??
    valueFiles.map((f) => ctx.envOf(f)).find((e) => e !== null) ??
    environmentFolder(app.file)
  )
}

/**
 * What an override file sets for Helm (`helm.parameters`, `helm.valuesObject`, `helm.values`), as the highest layer:
 * a rendered image it decides is attributed to its line.
 */
export function overrideLayer(file: string, ctx: DeployablesContext): ValueLayer {
  const doc = ctx.docsOf(file)[0]
  const helm = doc && isMap(doc.value) && isMap(doc.value.helm) ? doc.value.helm : {}
  const lineOf = (p: Array<string | number>) => doc?.lineOf(['helm', ...p])
  const entries: ValueLayer['entries'] = []
  if (isMap(helm.valuesObject)) entries.push(...leaves(helm.valuesObject, (p) => lineOf(['valuesObject', ...p]), 1))
  else if (typeof helm.values === 'string') {
    const line = lineOf(['values']) ?? 1
    const values = linedValues(ctx, helm.values)
    if (values) entries.push(...leaves(values.value, (p) => (values.lineOf(p) ?? 0) + line, line))
  }
  ;(Array.isArray(helm.parameters) ? helm.parameters : []).forEach((p, i) => {
    if (isMap(p) && typeof p.name === 'string')
      entries.push({path: parseSetName(p.name), value: String(p.value ?? ''), line: lineOf(['parameters', i]) ?? 1})
  })
  return {file, what: 'override file', entries}
}
