/**
 * An Argo CD Application's sources, read as the repo-server reads them (argoproj/argo-cd
 * `reposerver/repository/repository.go`): a source whose `path` holds a `Chart.yaml` is Helm — release
 * `helm.releaseName` or the Application's name, namespace `helm.namespace` or the destination's, value files
 * resolved from the chart folder (`/x` from the repository root, `$ref/x` from the root of the `ref:` source; globs
 * expanded lexically; everything confined to the repository), `values`/`valuesObject`, `parameters` (`forceString`
 * → `--set-string`) and `fileParameters`. Before its type is decided, the source's `.argocd-source*.yaml` overrides are
 * merged (./overrides.ts). A kustomize folder goes to the kustomize path, a folder of plain manifests is a directory
 * source (./directory.ts), its jsonnet evaluated (./jsonnet-source.ts); config-management plugins are not run:
 * render-unavailable, named. A chart from
 * a chart repository (https or OCI) is a `remote` chart, fetched by src/gitops/helm/charts when the base declares its
 * repository; a git repository other than this checkout or a value file URL is never fetched: render-unavailable.
 * The Helm source itself: ./helm-source.ts. An Application with a Source Hydrator renders its dry source alone, as
 * the hydrator has the repo-server render it (./source-hydrator.ts).
 */
import type {DeployablesContext} from '../../model/context.js'
import {selectDirectory} from '../directory/directory.js'
import {argoKustomize, kustomizeEdits, substituted} from '../kustomize/kustomize-options.js'
import type {DirectoryDeployable, HelmDeployable, KustomizeUse, Unrenderable} from '../../model/model.js'
import {overrideName, withOverrides} from './overrides.js'
import type {ArgoApplication, SpecPath} from '../../model/types.js'
import {
  argoEnv,
  clean,
  destinationNamespace,
  environmentFolder,
  isMap,
  str,
  unknownVariables,
} from '../../model/source-helpers.js'
import {
  filesUnder,
  KUSTOMIZATION,
  refPins,
  refValueFiles,
  sourceType,
  type SourceRef,
} from '../../model/source-inputs.js'
import {jsonnetSource} from '../directory/jsonnet-source.js'
import {remoteChartOf} from '../helm/remote-chart.js'
import {helmDeployable, overrideLayer} from '../helm/helm-source.js'
import {fieldMessage, unsupportedField} from '../../fields/check.js'
import {describePin} from '../../revision/pinned.js'
import {unmappedFix} from '../../revision/source-repos.js'
import {
  ARGOCD_HELM_DEFAULT_KUBE_VERSION,
  DRY_SOURCE_AT,
  drySourceOf,
  hydratorRefusal,
  sourceHydratorOf,
} from './source-hydrator.js'

export interface ApplicationDeployables {
  helm: HelmDeployable[]
  kustomize: KustomizeUse[]
  directory: DirectoryDeployable[]
  unrenderable: Unrenderable[]
}

export function applicationDeployables(app: ArgoApplication, ctx: DeployablesContext): ApplicationDeployables {
  const out: ApplicationDeployables = {helm: [], kustomize: [], directory: [], unrenderable: []}
  const hydrator = sourceHydratorOf(app.spec)
  const sources = hydrator ? [{source: drySourceOf(hydrator), at: DRY_SOURCE_AT}] : sourcesOf(app)
  const r = sourcesRead(app, ctx, out, refsOf(sources, ctx), hydrator !== undefined)
  // A source's own fields (the dry source's too) are checked with its type, in readSource.
  const field = unsupportedField('Application', 'spec', app.spec, ['spec.source', 'spec.sourceHydrator.drySource'])
  if (field) {
    r.unavailable(specPath(field.field), fieldMessage(`spec.${field.field.replace(/\[\]/g, '')}`, field, 'Argo CD'))
    return out
  }
  const refusal = hydrator && hydratorRefusal(hydrator)
  if (refusal) {
    r.unavailable(refusal.at, refusal.message, 'failed', {spec: {sourceHydrator: hydrator}, reads: [app.file]})
    return out
  }
  for (const {source, at} of sources) readSource(r, source, at)
  return out
}

/** A field of the table (`helm.parameters[].forceString`) as the spec path its line is read at. */
const specPath = (field: string): SpecPath => field.split('.').map((s) => s.replace(/\[\]$/, ''))

/** The source fields of the other source types: Argo CD reads a source's fields of its own type only. */
const OTHER_TYPES: Record<string, readonly string[]> = {
  Helm: ['kustomize', 'directory', 'plugin'],
  Kustomize: ['helm', 'directory', 'plugin'],
  Directory: ['helm', 'kustomize', 'plugin'],
}

/** Whether the source sets a field the table classifies unsupported for its type; recorded unavailable if so. */
function unsupportedSource(
  r: SourcesRead,
  source: Record<string, unknown>,
  at: SpecPath,
  type: string,
  inputs: SourceInputs,
): boolean {
  const own = Object.fromEntries(Object.entries(source).filter(([k]) => !(OTHER_TYPES[type] ?? []).includes(k)))
  const field = unsupportedField('Application', 'spec.source', own)
  if (!field) return false
  const where = at.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('')
  r.unavailable(
    [...at, ...specPath(field.field)],
    fieldMessage(`spec${where}.${field.field.replace(/\[\]/g, '')}`, field, 'Argo CD'),
    'unavailable',
    inputs,
  )
  return true
}

/** An Application's sources being read, and where what they deploy goes. */
interface SourcesRead {
  app: ArgoApplication
  ctx: DeployablesContext
  /** `ref:` sources: `$name/…` value files resolve from the root of that source's repository. */
  refs: Map<string, SourceRef>
  out: ApplicationDeployables
  /** The environment the Application, its file or its folder names (null when none does). */
  declaredEnv: string | null
  /**
   * The source is a Source Hydrator's dry source: rendered without the cluster's state (no Kubernetes version, no
   * API versions: the repo-server's helm defaults), as the hydrator asks the repo-server (./source-hydrator.ts).
   */
  hydrated: boolean
  /** Records a source not rendered, at a field of the Application's spec. */
  unavailable: (p: SpecPath, message: string, status?: Unrenderable['status'], inputs?: Unrenderable['inputs']) => void
}

/** What a source reads: its spec and the files a change to which changes what it deploys. */
type SourceInputs = {spec: unknown; reads: string[]}

/** The Application's sources (`source`, or each map of `sources`) with their spec paths. */
function sourcesOf(app: ArgoApplication): Array<{source: Record<string, unknown>; at: SpecPath}> {
  return isMap(app.spec.source)
    ? [{source: app.spec.source as Record<string, unknown>, at: ['source']}]
    : (Array.isArray(app.spec.sources) ? app.spec.sources : []).flatMap((s, i) =>
        isMap(s) ? [{source: s, at: ['sources', i]}] : [],
      )
}

/** The `ref:` sources by name: whether each is this repository, and its URL. */
function refsOf(
  sources: ReadonlyArray<{source: Record<string, unknown>}>,
  ctx: DeployablesContext,
): Map<string, SourceRef> {
  const refs = new Map<string, SourceRef>()
  for (const {source} of sources) {
    const ref = str(source.ref)
    if (!ref) continue
    const repoURL = str(source.repoURL) ?? ''
    const mine = ctx.isThisRepository(repoURL)
    const targetRevision = str(source.targetRevision)
    // Another repository mapped to a local checkout (--source-repo): read at the revision Argo CD would use.
    const mapped = mine ? undefined : ctx.sourceRepository?.(repoURL, targetRevision)
    // Of this repository at another revision than the one under review: its files are that revision's.
    const pin = mine ? ctx.pinned?.(targetRevision) : undefined
    refs.set(ref, {
      mine,
      repoURL,
      ...(targetRevision ? {targetRevision} : {}),
      ...(mapped ? {mapped} : {}),
      ...(pin ? {pin} : {}),
    })
  }
  return refs
}

/** The reading of one Application's sources, its unrenderable sources recorded in `out`. */
function sourcesRead(
  app: ArgoApplication,
  ctx: DeployablesContext,
  out: ApplicationDeployables,
  refs: SourcesRead['refs'],
  hydrated: boolean,
): SourcesRead {
  const lineAt = (p: SpecPath) => app.lineOf(p) ?? app.line
  const declaredEnv = app.environment ?? ctx.envOf(app.file) ?? environmentFolder(app.file)
  const unavailable: SourcesRead['unavailable'] = (p, message, status = 'unavailable', inputs) =>
    out.unrenderable.push({
      file: app.file,
      line: lineAt(p),
      environment: declaredEnv,
      application: app.name,
      message: `Application ${app.name}: ${message}`,
      status,
      inputs: inputs ?? 'unknown',
    })
  return {app, ctx, refs, out, declaredEnv, hydrated, unavailable}
}

/** One source: a remote chart, or a folder of this repository read as the type the repo-server decides for it. */
function readSource(r: SourcesRead, written: Record<string, unknown>, at: SpecPath): void {
  const {app, ctx, unavailable} = r
  const repoURL = str(written.repoURL) ?? ''
  const inputs: SourceInputs = {
    spec: {source: written, name: app.name, destination: app.spec.destination ?? null},
    reads: [app.file],
  }
  const remote = remoteChartOf(written, str(written.chart), app)
  if (remote) return readRemoteChart(r, written, at, remote, inputs)
  const p = str(written.path)
  if (p === undefined) return // a `ref:`-only source renders nothing of its own
  if (!ctx.isThisRepository(repoURL)) {
    if (ctx.named === false) {
      // Unnamed, the checkout may well be that repository: what this change does to the source is unknown (no inputs
      // key, so the diff is incomplete rather than "unchanged").
      const fix = 'add the origin remote, or list the URL in gitopsPolicy.preview.repositories'
      const message = `source ${repoURL || '(no repoURL)'} may be this repository, which has no origin remote and no URL in gitopsPolicy.preview.repositories: ${p} is not rendered (${fix}).`
      return unavailable([...at, 'repoURL'], message, 'unavailable')
    }
    return otherRepositorySource(r, written, at, p, inputs)
  }
  // A source pinned to another revision of this repository deploys that revision, not the one under review.
  const pin = r.hydrated ? undefined : ctx.pinned?.(str(written.targetRevision))
  if (pin) {
    const message = `source ${repoURL} is pinned to ${describePin(pin)}: Argo CD deploys ${p} from that revision, not the one under review, so it is not rendered.`
    return unavailable([...at, 'targetRevision'], message, 'unavailable', {
      spec: {...(inputs.spec as object), pin},
      reads: [app.file],
    })
  }
  const dir = ctx.confined(clean(p))
  if (dir === undefined) {
    unavailable([...at, 'path'], `source path ${p} leaves the revision: it is not read.`, 'refused', inputs)
    return
  }
  // The repo-server merges the override files first, then decides the source's type.
  const merged = withOverrides(written, dir, overrideName(app.name, app.namespace), ctx.readText, ctx.yaml)
  inputs.reads.push(...merged.files)
  if (merged.error) {
    unavailable(at, `error while parsing source parameters: ${merged.error}`, 'failed', inputs)
    return
  }
  const source = merged.source
  const type = sourceType(source, dir, ctx)
  if (type.error) {
    unavailable(at, `${type.error}`, 'failed', inputs)
    return
  }
  if (type.type === 'Plugin') return pluginUnavailable(r, source, at, dir, inputs)
  if (unsupportedSource(r, source, at, type.type ?? 'Helm', inputs)) return
  if (type.type === 'Kustomize') return readKustomizeSource(r, source, at, dir, inputs, merged.files)
  if (type.type === 'Directory') return readDirectorySource(r, source, at, dir, inputs)
  const d = helmDeployable(app, source, at, dir, r.refs, ctx, unavailable)
  if (d && r.hydrated) withoutClusterState(d)
  if (d) {
    d.reads.push(...merged.files)
    d.layers.push(...merged.files.map((f) => overrideLayer(f, ctx)))
    r.out.helm.push(d)
  }
}

/** A `path` source of another repository: not fetched, so unavailable, the mapping (or why it could not be read) named. */
function otherRepositorySource(
  r: SourcesRead,
  written: Record<string, unknown>,
  at: SpecPath,
  p: string,
  inputs: SourceInputs,
): void {
  const repoURL = str(written.repoURL) ?? ''
  const mapped = r.ctx.sourceRepository?.(repoURL, str(written.targetRevision))
  const why =
    mapped && 'problem' in mapped
      ? `${mapped.problem}, so ${p} there is not rendered.`
      : mapped
        ? `it is mapped to a local clone (--source-repo), whose $values refs are read; a chart or folder of another repository (${p}) is not rendered yet.`
        : `the gate does not fetch other repositories, so ${p} there is not rendered (${unmappedFix(repoURL)}).`
  r.unavailable(
    [...at, 'repoURL'],
    `source ${repoURL || '(no repoURL)'} is not this repository: ${why}`,
    'unavailable',
    inputs,
  )
}

/** A chart of a chart repository: a Helm deployable over the fetched chart, or why it is not fetched. */
function readRemoteChart(
  r: SourcesRead,
  written: Record<string, unknown>,
  at: SpecPath,
  remote: NonNullable<ReturnType<typeof remoteChartOf>>,
  inputs: SourceInputs,
): void {
  // Its `$ref/…` value files of this revision are inputs: a change to them changes what it deploys; a pinned ref's pin.
  inputs.reads.push(...refValueFiles(written, r.refs, r.ctx))
  const pins = refPins(r.refs)
  if (pins.length > 0) inputs.spec = {...(inputs.spec as object), refPins: pins}
  if ('problem' in remote) {
    r.unavailable([...at, 'chart'], remote.problem, 'unavailable', inputs)
    return
  }
  if (unsupportedSource(r, written, at, 'Helm', inputs)) return
  const d = helmDeployable(r.app, written, at, '', r.refs, r.ctx, r.unavailable, remote)
  if (d && r.hydrated) withoutClusterState(d)
  if (d) r.out.helm.push(d)
}

/** A dry source's chart: the repo-server's helm defaults, not the cluster's versions, unless its `helm` names them. */
function withoutClusterState(d: HelmDeployable): void {
  d.kubeVersion ??= ARGOCD_HELM_DEFAULT_KUBE_VERSION
  d.apiVersions ??= []
}

/** A config management plugin's source: not run, so unavailable, with the folder's files as its inputs. */
function pluginUnavailable(
  r: SourcesRead,
  source: Record<string, unknown>,
  at: SpecPath,
  dir: string,
  inputs: SourceInputs,
): void {
  const name = isMap(source.plugin) ? str(source.plugin.name) : undefined
  r.unavailable(
    [...at, 'plugin'],
    `source ${dir || '.'} is rendered by the config management plugin${name ? ` ${name}` : ''} in Argo CD's repo-server, which the gate does not run: what it deploys is not rendered or judged.`,
    'unavailable',
    // The folder too: what a link in it resolves to is an input (RenderFindings reads through links).
    {...inputs, reads: [...inputs.reads, dir, ...filesUnder(r.ctx, dir)]},
  )
}

/** A kustomize source: its folder as a kustomize use, with the Application's kustomize options as edits. */
function readKustomizeSource(
  r: SourcesRead,
  source: Record<string, unknown>,
  at: SpecPath,
  dir: string,
  inputs: SourceInputs,
  overrideFiles: readonly string[],
): void {
  const {app, ctx} = r
  if (!KUSTOMIZATION.some((f) => ctx.files.has(dir ? `${dir}/${f}` : f))) {
    r.unavailable([...at, 'kustomize'], `kustomize source ${dir || '.'} holds no kustomization.`, 'failed', inputs)
    return
  }
  const env = r.declaredEnv ?? ctx.envOf(`${dir}/kustomization.yaml`)
  const edits = kustomizeEdits(source.kustomize)
  const argo = argoKustomize(source.kustomize, argoEnv(app, source))
  const unknown = argo ? substituted(argo).flatMap(unknownVariables) : []
  if (unknown.length > 0) {
    const message = `kustomize options name $${unknown[0]}, the commit Argo CD resolves, which ameide does not know: ${dir || '.'} is not rendered.`
    r.unavailable([...at, 'kustomize'], message, 'unavailable', inputs)
    return
  }
  r.out.kustomize.push({
    dir,
    environment: env,
    declaredIn: app.file,
    application: app.name,
    ...(Object.keys(edits).length > 0 ? {edits, editsIn: overrideFiles.at(-1) ?? app.file} : {}),
    ...(argo ? {argo} : {}),
    ...(destinationNamespace(app) ? {namespace: destinationNamespace(app)} : {}),
  })
}

/** A directory source: its manifests and jsonnet files as Argo CD selects them, or why they are not read (no such folder). */
function readDirectorySource(
  r: SourcesRead,
  source: Record<string, unknown>,
  at: SpecPath,
  dir: string,
  inputs: SourceInputs,
): void {
  const {app, ctx} = r
  const selection = selectDirectory(source, dir, ctx)
  const jsonnet = jsonnetSource(selection, source, dir, app, ctx)
  if (![...ctx.files].some((f) => dir === '' || f.startsWith(`${dir}/`))) {
    r.unavailable([...at, 'path'], `app path ${dir || '.'} does not exist in this repository.`, 'failed', inputs)
    return
  }
  r.out.directory.push({
    kind: 'directory',
    application: app.name,
    file: app.file,
    line: app.line,
    environment: r.declaredEnv ?? ctx.envOf(`${dir}/kustomization.yaml`) ?? environmentFolder(`${dir}/`),
    dir,
    manifests: selection.manifests,
    ...(jsonnet.jsonnet ? {jsonnet: jsonnet.jsonnet} : {}),
    ...(destinationNamespace(app) ? {namespace: destinationNamespace(app)} : {}),
    reads: [...inputs.reads, ...jsonnet.reads],
    spec: {source, name: app.name, destination: app.spec.destination ?? null},
  })
}
