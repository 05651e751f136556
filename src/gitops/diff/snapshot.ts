/**
 * One revision rendered: the render gate (src/gitops/gate/gate.ts) run on the revision's files — the same
 * deployables, renderers and render cache `gitops verify --render` uses — with every deployable's rendered objects
 * collected, its findings and images, and what it could not render.
 */
import type {Helm} from '../../effects/helm.js'
import type {Kustomize} from '../../effects/kustomize.js'
import type {GitopsPolicy} from '../../core/config.js'
import type {ChartFetcher} from '../helm/charts/fetcher.js'
import type {CheckoutIdentity} from '../model/context.js'
import type {RegisteredClusters, ScmProviderApi} from '../model/types.js'
import {makeLayout} from '../layout/index.js'
import type {RenderCache} from '../render/cache.js'
import {repoRelative} from '../revision/paths.js'
import type {GatePlan, RenderedImage, RenderedUnit, RenderGateInput, RenderReport} from '../gate/gate.js'
import {isNotRendered, NotRendered} from '../render/not-rendered.js'
import type {Doc} from '../kubernetes/objects.js'
import type {GitopsFinding} from '../rules/index.js'
import {present} from '../../core/present.js'

export interface SnapshotObject {
  apiVersion: string
  kind: string
  namespace?: string
  name: string
  body: Doc
  /** Its kind's scope is not known offline (src/gitops/kubernetes/scope.ts): it was given no namespace. */
  scopeUnknown?: true
}

export interface SnapshotUnit {
  key: string
  kind: RenderedUnit['kind']
  source: string
  environment: string | null
  application?: string
  /** A Flux Kustomization's root: the Kustomization that deploys it (what Flux knows it by, whatever its path). */
  deployedBy?: string
  declaredIn: string
  /** A kustomize root's rule (src/gitops/gate/roots.ts). */
  foundBy?: string
  /** By object key (kind, namespace, name). */
  objects: Map<string, SnapshotObject>
}

export interface Snapshot {
  units: Map<string, SnapshotUnit>
  /** Keys of the deployables that failed or were unavailable (their objects are unknown). */
  unrendered: Set<string>
  /**
   * `environment\0application` of every Application or HelmRelease something of which was not rendered: present in
   * this revision, whatever became of its other sources.
   */
  unrenderedApplications: Set<string>
  /**
   * `environment\0application` of every Application the API server would refuse (`application-invalid`): present
   * (what it replaces is not "removed"), never itself "added" or "removed" (it deploys nothing).
   */
  invalidApplications: Set<string>
  /** Every not-rendered finding of `findings`, with the inputs of what it is about (./verdict.ts decides from these). */
  notRendered: readonly NotRendered[]
  /** Deployables found at all (rendered, answered, unchanged or not rendered): none means nothing to compare. */
  found: number
  /**
   * Of those, the ones something declares deployed (an Argo CD Application or ApplicationSet, a Flux object, an overlay
   * the layout finds, ameide.yaml): none, and what was found is only ameide's guess (a top-level kustomization).
   */
  declared: number
  /** Keys of the deployables left unrendered because their inputs are the same in the other revision. */
  unchanged: Set<string>
  findings: GitopsFinding[]
  images: RenderedImage[]
  /** Rendered now, answered from the cache, not rendered (inputs identical in both revisions). */
  renders: {rendered: number; cached: number; unchanged: number}
  /** Files declaring deployables that were not read (a YAML error, past ameide's limits): what they deploy is unknown. */
  unread: string[]
  /** Each Application's `spec.ignoreDifferences` as written (read, generated or followed), by its name. */
  ignoreDifferences: Map<string, unknown>
  /** Each Application's `spec.syncPolicy` and (a generated one's) finalizers, by its name: what it prunes, replaces. */
  applications: Map<string, {syncPolicy: unknown; finalizers: unknown}>
}

export const unitKey = (u: {kind: string; environment: string | null; application?: string; dir: string}) =>
  `${u.kind}\0${u.environment ?? ''}\0${u.application ?? ''}\0${u.dir}`

export {isNotRendered}

export const objectKey = (o: {kind: string; namespace?: string; name: string}) =>
  `${o.kind}\0${o.namespace ?? ''}\0${o.name}`

export interface SnapshotInput {
  /** The revision's files, held by src/gitops/revision (the working tree's tracked files, or a commit). */
  dir: string
  files: string[]
  checkout: CheckoutIdentity
  policy: GitopsPolicy
  environments?: string[]
  kustomize: Kustomize
  helm: Helm | Promise<Helm | undefined>
  cache: RenderCache
  /** Fetches remote charts (src/gitops/helm/charts), shared by both revisions: each archive is fetched once. */
  charts?: ChartFetcher
  /** The clusters Argo CD lists (`--argocd-server`), shared by both revisions. */
  clusters?: RegisteredClusters
  /** GitHub's API (`--scm-provider github`): the `scmProvider.github` generators ask it. */
  scm?: ScmProviderApi
  concurrency: number
  /** Told each deployable's cache key: true leaves it unrendered (its output is known to be the other revision's). */
  skip: (unitKey: string, key: string) => boolean
}

/**
 * Where a revision rendered more than once keeps its plan (its deployables, found once): the same revision's
 * snapshots share one, whatever each skips.
 */
export interface PlanSlot {
  plan?: Promise<GatePlan>
  /** The Applications its plan read (told once, while planning): every snapshot of the revision holds them. */
  applications?: Snapshot['applications']
}

export async function renderSnapshot(input: SnapshotInput, slot?: PlanSlot): Promise<Snapshot> {
  const [{renderGate, planRenderGate}, yaml] = await Promise.all([import('../gate/gate.js'), import('yaml')])
  const units = new Map<string, SnapshotUnit>()
  const ignoreDifferences = new Map<string, unknown>()
  const applications: Snapshot['applications'] = slot ? (slot.applications ??= new Map()) : new Map()
  const onRendered = (u: RenderedUnit) => {
    const unit = snapshotUnit(u)
    units.set(unit.key, unit)
  }
  const gateInput: RenderGateInput = {
    root: input.dir,
    files: input.files,
    layout: makeLayout(input.policy),
    yaml,
    environments: input.environments,
    kustomize: input.kustomize,
    helm: input.helm,
    checkout: input.checkout,
    cache: input.cache,
    ...present(input, 'charts', 'clusters', 'scm'),
    requireRender: () => true,
    concurrency: input.concurrency,
    onRendered,
    onApplication: (app) => {
      if (app.spec.ignoreDifferences !== undefined && !ignoreDifferences.has(app.name))
        ignoreDifferences.set(app.name, app.spec.ignoreDifferences)
      if (!applications.has(app.name))
        applications.set(app.name, {syncPolicy: app.spec.syncPolicy, finalizers: app.metadata?.finalizers})
    },
    skip: (u, key) => input.skip(unitKey(u), key),
  }
  const planned = slot ? await (slot.plan ??= planRenderGate(gateInput)) : undefined
  const result = await renderGate(gateInput, planned)
  // Renderers' messages name the revision where it is mounted: every path made repo-relative.
  for (const f of result.findings) f.message = repoRelative(f.message, input.dir)
  const {report} = result
  const {unrendered, unchanged, renders} = renderStatuses(report, units)
  const {unrenderedApplications, invalidApplications, notRendered} = notRenderedApplications(result.findings)
  const guessed = guessedRoots(report, result.findings)
  return {
    units,
    unrendered,
    unrenderedApplications,
    invalidApplications,
    unchanged,
    notRendered: withInputs(result.findings, result.notRendered),
    found: report.roots.length + report.deployables.length + report.directories.length + notRendered,
    declared: report.roots.length + report.deployables.length + report.directories.length + notRendered - guessed,
    findings: result.findings,
    images: report.images,
    renders,
    unread: result.unread,
    ignoreDifferences,
    applications,
  }
}

/** The not-rendered findings with their inputs; one a producer kept without them is unknowable (fails closed). */
function withInputs(findings: readonly GitopsFinding[], kept: readonly NotRendered[]): NotRendered[] {
  const known = new Map(kept.map((n) => [n.finding, n]))
  return findings
    .filter((f) => isNotRendered(f.rule))
    .map((f) => known.get(f) ?? new NotRendered(f, {unknowable: 'inputs-unknown'}))
}

/** A rendered deployable as the snapshot holds it: its objects by key. */
function snapshotUnit(u: RenderedUnit): SnapshotUnit {
  const key = unitKey(u)
  const objects = new Map<string, SnapshotObject>()
  for (const o of u.objects) {
    let k = objectKey(o)
    // Two objects with one kind, namespace and name (a chart's mistake): both kept, in their order.
    for (let n = 2; objects.has(k); n++) k = `${objectKey(o)}\0${n}`
    objects.set(k, {
      apiVersion: o.apiVersion,
      kind: o.kind,
      ...(o.namespace ? {namespace: o.namespace} : {}),
      name: o.name,
      body: o.body,
      ...(o.scopeUnknown ? {scopeUnknown: true as const} : {}),
    })
  }
  return {
    key,
    kind: u.kind,
    source: u.dir,
    environment: u.environment,
    ...(u.application !== undefined ? {application: u.application} : {}),
    ...(u.deployedBy !== undefined ? {deployedBy: u.deployedBy} : {}),
    declaredIn: u.declaredIn,
    objects,
  }
}

/**
 * Every deployable's render status counted (rendered, cached, or left unrendered as unchanged) and the keys of those
 * whose objects are unknown; a kustomize root's unit takes the rule it was found by.
 */
function renderStatuses(
  report: RenderReport,
  units: Map<string, SnapshotUnit>,
): Pick<Snapshot, 'unrendered' | 'unchanged' | 'renders'> {
  const unrendered = new Set<string>()
  const unchanged = new Set<string>()
  const renders = {rendered: 0, cached: 0, unchanged: 0}
  // Any status but these (failed, unavailable, refused, …) leaves the deployable's objects unknown.
  const count = (status: string, key: string) => {
    if (status === 'rendered') renders.rendered++
    else if (status === 'cached') renders.cached++
    else if (status === 'skipped') {
      renders.unchanged++
      unchanged.add(key)
    } else unrendered.add(key)
  }
  for (const r of report.roots) {
    const key = unitKey({kind: 'kustomize', ...r})
    count(r.status, key)
    const unit = units.get(key)
    if (unit && r.rule) unit.foundBy = r.rule
  }
  for (const d of report.deployables) {
    count(d.status, unitKey({kind: d.kind, environment: d.environment, application: d.application, dir: d.chart}))
  }
  for (const d of report.directories) count(d.status, unitKey({kind: 'directory', ...d}))
  return {unrendered, unchanged, renders}
}

/**
 * The Applications and HelmReleases something of which was not rendered, those the API server would refuse, and how
 * many not-rendered findings there are.
 */
function notRenderedApplications(
  findings: GitopsFinding[],
): Pick<Snapshot, 'unrenderedApplications' | 'invalidApplications'> & {notRendered: number} {
  const unrenderedApplications = new Set<string>()
  const invalidApplications = new Set<string>()
  let notRendered = 0
  for (const f of findings) {
    if (!isNotRendered(f.rule)) continue
    notRendered++
    if (f.application === undefined) continue
    unrenderedApplications.add(`${f.environment ?? ''}\0${f.application}`)
    if (f.rule === 'application-invalid') invalidApplications.add(`${f.environment ?? ''}\0${f.application}`)
  }
  return {unrenderedApplications, invalidApplications, notRendered}
}

/**
 * How many of the roots and not-rendered findings are only ameide's guess: the roots its own rule found (a top-level
 * kustomization nothing includes, `via: root`), and the not-rendered findings on their kustomization files.
 */
function guessedRoots(report: RenderReport, findings: readonly GitopsFinding[]): number {
  const guessed = report.roots.filter((r) => r.via === 'root')
  const dirs = new Set(guessed.map((r) => r.dir))
  const onGuessed = (f: GitopsFinding) =>
    f.application === undefined && f.environment === undefined && KUSTOMIZATION.test(f.file) && dirs.has(dirOf(f.file))
  return guessed.length + findings.filter((f) => isNotRendered(f.rule) && onGuessed(f)).length
}

const KUSTOMIZATION = /(^|\/)(kustomization\.ya?ml|Kustomization)$/
const dirOf = (file: string) => (file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '')
