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
 * A folder source Argo CD deploys from another tree — this repository pinned to a commit the clone holds
 * (`targetRevision`), another repository mapped to a local clone (--source-repo) — is read from that tree, held in
 * memory by src/gitops/revision/source-repos.ts, its path confined to it, and typed and read as a folder of the
 * revision is; its inputs are the tree's commit and the source, none of this revision's files.
 * The Helm source itself: ./helm-source.ts. An Application with a Source Hydrator renders its dry source alone, as
 * the hydrator has the repo-server render it (./source-hydrator.ts).
 */
import {treeContext, type DeployablesContext} from '../../model/context.js'
import type {HelmDeployable} from '../../model/model.js'
import {overrideName, withOverrides} from './overrides.js'
import type {ArgoApplication, SpecPath} from '../../model/types.js'
import {clean, environmentFolder, isMap, str} from '../../model/source-helpers.js'
import {refPins, refValueFiles, sourceType, type SourceRef} from '../../model/source-inputs.js'
import {remoteChartOf} from '../helm/remote-chart.js'
import {helmDeployable, overrideLayer} from '../helm/helm-source.js'
import {fieldMessage, unsupportedField} from '../../fields/check.js'
import {gitlinksUnder, gitlinkText} from '../../render/refusals.js'
import {describePin, type Pin} from '../../revision/pinned.js'
import {unmappedFix, type MappedSource} from '../../revision/source-repos.js'
import {
  pluginUnavailable,
  readDirectorySource,
  readKustomizeSource,
  type ApplicationDeployables,
  type SourceInputs,
  type SourcesRead,
} from './folder-sources.js'
import {
  ARGOCD_HELM_DEFAULT_KUBE_VERSION,
  DRY_SOURCE_AT,
  drySourceOf,
  hydratorRefusal,
  sourceHydratorOf,
} from './source-hydrator.js'

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
    // Read from the clone at the pin's commit, as a mapped repository is; a pin the clone does not hold has none.
    const tree = pin ? ctx.pinnedTree?.(pin) : undefined
    refs.set(ref, {
      mine,
      repoURL,
      ...(targetRevision ? {targetRevision} : {}),
      ...(mapped ? {mapped} : {}),
      ...(pin ? {pin} : {}),
      ...(tree ? {tree} : {}),
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

/**
 * One source: a remote chart, or a folder read as the type the repo-server decides for it — of the revision under
 * review, or of the tree Argo CD deploys it from (this repository at a pinned commit, a mapped repository).
 */
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
  if (pin) return pinnedSource(r, written, at, p, pin, inputs)
  const dir = ctx.confined(clean(p))
  if (dir === undefined) {
    unavailable([...at, 'path'], `source path ${p} leaves the revision: it is not read.`, 'refused', inputs)
    return
  }
  readFolder(r, written, at, dir, inputs)
}

/** A source pinned to another revision: read from the clone at its commit, or unavailable where the clone lacks it. */
function pinnedSource(
  r: SourcesRead,
  written: Record<string, unknown>,
  at: SpecPath,
  p: string,
  pin: Pin,
  inputs: SourceInputs,
): void {
  // What it deploys is that revision's: the pin is its input, none of this revision's files.
  const pinned: SourceInputs = {spec: {...(inputs.spec as object), pin}, reads: inputs.reads}
  const tree = r.ctx.pinnedTree?.(pin)
  if (tree) return treeSource(r, written, at, p, tree, pinned)
  const message = `source ${str(written.repoURL)} is pinned to ${describePin(pin)}: Argo CD deploys ${p} from that revision, which this clone does not resolve to a commit (nothing is fetched), so it is not rendered.`
  r.unavailable([...at, 'targetRevision'], message, 'unavailable', pinned)
}

/**
 * A source read from another tree than the revision under review (this repository at a pinned commit, a mapped
 * repository), as Argo CD deploys it: its path confined to that tree (a link leaving it refused), then read as a folder
 * of that tree. Its inputs are the tree's commit and the source, none of this revision's files.
 */
function treeSource(
  r: SourcesRead,
  written: Record<string, unknown>,
  at: SpecPath,
  p: string,
  tree: MappedSource,
  inputs: SourceInputs,
): void {
  const of: SourceInputs = {
    spec: {...(inputs.spec as object), tree: {url: tree.url, commit: tree.commit}},
    reads: [...inputs.reads],
  }
  const dir = tree.confined(clean(p))
  const where = `the revision of ${tree.url} (${tree.commit.slice(0, 12)})`
  if (dir === undefined) {
    const message = `source path ${p} leaves ${where}, or holds a link that does: it is not read.`
    r.unavailable([...at, 'path'], message, 'refused', of)
    return
  }
  // Argo CD checks a submodule out; the tree never holds one (nothing is fetched).
  const submodules = gitlinksUnder(tree.gitlinks, [dir])
  if (submodules.length > 0) {
    r.unavailable([...at, 'path'], `source ${dir || '.'} of ${where}: ${gitlinkText(submodules)}`, 'unavailable', of)
    return
  }
  readFolder(r, written, at, dir, of, tree)
}

/** A folder source, its overrides merged, read as the type the repo-server decides for it (`tree`: where it lies). */
function readFolder(
  r: SourcesRead,
  written: Record<string, unknown>,
  at: SpecPath,
  dir: string,
  inputs: SourceInputs,
  tree?: MappedSource,
): void {
  const {app, unavailable} = r
  const ctx = tree ? treeContext(r.ctx, tree) : r.ctx
  // The repo-server merges the override files first, then decides the source's type.
  const merged = withOverrides(written, dir, overrideName(app.name, app.namespace), ctx.readText, ctx.yaml)
  // Another tree's override files are in its commit, not among this revision's files.
  if (!tree) inputs.reads.push(...merged.files)
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
  if (type.type === 'Plugin') return pluginUnavailable(r, source, at, dir, inputs, tree !== undefined)
  if (unsupportedSource(r, source, at, type.type ?? 'Helm', inputs)) return
  const from = tree ? {ctx, of: tree} : undefined
  if (type.type === 'Kustomize') return readKustomizeSource(r, source, at, dir, inputs, merged.files, from)
  if (type.type === 'Directory') return readDirectorySource(r, source, at, dir, inputs, from)
  const d = helmDeployable(app, source, at, dir, r.refs, r.ctx, unavailable, tree ? {tree} : {})
  if (d && r.hydrated) withoutClusterState(d)
  if (d) {
    if (!tree) d.reads.push(...merged.files)
    if (!tree) d.layers.push(...merged.files.map((f) => overrideLayer(f, r.ctx)))
    r.out.helm.push(d)
  }
}

/** A `path` source of another repository: read from its mapped clone, or unavailable, the mapping (or why not) named. */
function otherRepositorySource(
  r: SourcesRead,
  written: Record<string, unknown>,
  at: SpecPath,
  p: string,
  inputs: SourceInputs,
): void {
  const repoURL = str(written.repoURL) ?? ''
  const mapped = r.ctx.sourceRepository?.(repoURL, str(written.targetRevision))
  if (mapped && 'dir' in mapped) return treeSource(r, written, at, p, mapped, inputs)
  const why = mapped
    ? `${mapped.problem}, so ${p} there is not rendered.`
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
  const d = helmDeployable(r.app, written, at, '', r.refs, r.ctx, r.unavailable, {remote})
  if (d && r.hydrated) withoutClusterState(d)
  if (d) r.out.helm.push(d)
}

/** A dry source's chart: the repo-server's helm defaults, not the cluster's versions, unless its `helm` names them. */
function withoutClusterState(d: HelmDeployable): void {
  d.kubeVersion ??= ARGOCD_HELM_DEFAULT_KUBE_VERSION
  d.apiVersions ??= []
}
