/**
 * The deployables of the checkout, found as the controllers find them, offline: Argo CD Applications written in
 * files and those ApplicationSets generate (./applicationset), Flux HelmReleases; each Helm one becomes a
 * `HelmDeployable`, each kustomize folder a `KustomizeUse` for the kustomize path, each folder of plain manifests a
 * `DirectoryDeployable`, and whatever lies outside the checkout (or cannot be evaluated) an `Unrenderable`.
 * `follow` reads Applications a render produced (app of apps) with the same checkout.
 */
import {sharedTemplateEngine} from '../../effects/gotemplate/index.js'
import type {YamlModule} from '../../images/yaml/index.js'
import type {Layout} from '../layout/index.js'
import {applicationOf, isApplication, isApplicationSet} from '../argocd/application/application.js'
import {keptExpansion} from '../memo/steps.js'
import {generatedReads} from '../argocd/applicationset/generated-reads.js'
import type {ProducedSet} from '../argocd/app-of-apps/app-of-apps.js'
import {expandPrinted, expansionFindings, type PrintedExpansion} from './application-sets.js'
import {makeContext, type CheckoutIdentity} from '../model/context.js'
import {kustomizationGraph} from '../kustomize/kustomizations.js'
import {keptSources} from '../memo/sources.js'
import {environmentFolder} from '../model/source-helpers.js'
import {hydrationMember, type HydrationMember} from '../argocd/application/source-hydrator.js'
import {
  builtReleaseDeployable,
  helmReleaseDeployable,
  isHelmRelease,
  type BuiltRelease,
} from '../flux/helmrelease/helmrelease.js'
import {applicationProblems, subdomainProblem} from '../argocd/application/kube-names.js'
import {
  declared,
  holdsApplicationSet,
  readManifests,
  type Manifest,
  type UnreadManifest,
} from '../kubernetes/manifests.js'
import type {DirectoryDeployable, HelmDeployable, KustomizeUse, Unrenderable} from '../model/model.js'
import type {PullRequest} from '../model/types.js'
import type {ApplicationSetExpansion, ArgoApplication, RegisteredClusters, ScmProviderApi} from '../model/types.js'

export type {DirectoryDeployable, HelmDeployable, KustomizeUse, Unrenderable} from '../model/model.js'
export type {ArgoApplication, RegisteredClusters, ScmProviderApi} from '../model/types.js'
export type {PullRequest} from '../model/types.js'
export {checkoutOf, repositoryUrls, type CheckoutIdentity} from '../model/context.js'

export type {BuiltRelease} from '../flux/helmrelease/helmrelease.js'
export type {HydrationMember} from '../argocd/application/source-hydrator.js'

/** What some Applications deploy. */
export interface Deployed {
  helm: HelmDeployable[]
  kustomize: KustomizeUse[]
  directory: DirectoryDeployable[]
  unrenderable: Unrenderable[]
}

export interface Deployables extends Deployed {
  /** The names of the Applications read or generated: a rendered Application of one of these names is not followed. */
  names: Set<string>
  /** The deployables of Applications a render produced (app of apps), filtered as these are. */
  follow(apps: readonly ArgoApplication[]): Deployed
  /** The Applications ApplicationSets a render printed generate, and what of those sets is not evaluated (kept as these are). */
  printed(sets: readonly ProducedSet[]): PrintedExpansion
  /** Every Application read or generated (for the report). */
  applications: number
  /** Those Applications (a render that prints one of them again is not followed twice). */
  read: readonly ArgoApplication[]
  /** Each ApplicationSet read, with what it generated (`--print-layout` lists them). */
  applicationSets: Array<{manifest: Manifest; expansion: ApplicationSetExpansion}>
  /** Files holding a document that declares a deployable and was not read (a YAML error, past ameide's limits). */
  unread: string[]
  /**
   * A HelmRelease as a kustomize build applies it (patched, post-built, moved by targetNamespace): the deployable
   * helm-controller renders from that object, read against this revision's sources.
   */
  releaseFrom(built: BuiltRelease): {helm?: HelmDeployable; unrenderable?: Unrenderable}
  /** The Applications with a Source Hydrator read or generated so far (followed ones added as they are). */
  hydrations: HydrationMember[]
  /** The files whose documents declaring deployables are all Argo CD Applications or ApplicationSets. */
  argoFiles: ReadonlySet<string>
  /** These deployables without what the Applications and ApplicationSets of `files` declare (their names too). */
  without(files: ReadonlySet<string>): Deployables
}

/** Starts the template engine's threads without waiting for them (a missing engine is reported where it is used). */
function startEngine(ctx: {templateEngine(): unknown}): void {
  try {
    ctx.templateEngine()
  } catch {
    // reported by each ApplicationSet that needs it
  }
}

/**
 * The template engine's threads started ahead of reading the deployables, when a revision (its folder and files)
 * holds an ApplicationSet: they start while the caller goes on instead of at the first expansion.
 */
export function startTemplateEngineFor(revisions: ReadonlyArray<{dir: string; files: readonly string[]}>): void {
  if (revisions.some((r) => holdsApplicationSet(r.dir, r.files))) startEngine({templateEngine: sharedTemplateEngine})
}

/**
 * An Application the API server would refuse (./kube-names.ts): an `invalid` unrenderable naming every problem, one
 * per environment its sources would deploy to (so what it replaces is matched), and nothing of it rendered. Its name
 * is given as the deployable's only when it is a valid one (never a hostile string counted as an Application).
 */
function invalidApplication(app: ArgoApplication, ctx: ReturnType<typeof makeContext>): Unrenderable[] {
  const problems = applicationProblems(app)
  if (problems.length === 0) return []
  const valid = subdomainProblem(app.name) === undefined
  // Where it would deploy, as its sources say: read, never rendered.
  const would = keptSources(app, ctx)
  const environments = [
    ...new Set(
      [...would.helm, ...would.kustomize, ...would.directory, ...would.unrenderable].map((d) => d.environment),
    ),
  ]
  if (environments.length === 0)
    environments.push(app.environment ?? ctx.envOf(app.file) ?? environmentFolder(app.file))
  return environments.map((environment) => ({
    file: app.file,
    line: (problems[0].at.length > 0 ? app.lineOf(problems[0].at) : undefined) ?? app.line,
    environment,
    ...(valid ? {application: app.name} : {}),
    message: `Argo CD Application ${problems.map((p) => p.message).join('; ')}: the Kubernetes API server would refuse it, so it deploys nothing and is not rendered.`,
    status: 'invalid' as const,
    inputs: {spec: {name: app.name, spec: app.spec}, reads: [app.file]},
  }))
}

type Keep = (x: {environment: string | null}) => boolean

/** What findDeployables reads, and what narrows or widens it. */
export interface FindDeployablesInput {
  root: string
  files: readonly string[]
  layout: Layout
  yaml: YamlModule
  /** The files git tracks and the URLs that name this repository (./context.ts checkoutOf). */
  checkout: CheckoutIdentity
  /** Only these environments (undefined: all); a deployable with no environment is kept only without a filter. */
  environments?: readonly string[]
  /** The pull request the pull-request generators list (`gitops preview`). */
  pullRequest?: PullRequest
  /** The clusters Argo CD lists (`--argocd-server`): the `clusters` generators are evaluated over them. */
  clusters?: RegisteredClusters
  /** GitHub's API (`--scm-provider github`): the `scmProvider.github` generators are evaluated through it. */
  scm?: ScmProviderApi
  /** Only these Applications (and what they render) are deployables; Flux HelmReleases are then left out. */
  only?: (app: ArgoApplication) => boolean
  /** Told every Application read, generated or followed (`gitops diff`: the base's `ignoreDifferences`). */
  onApplication?: (app: ArgoApplication) => void
}

export function findDeployables(input: FindDeployablesInput): Deployables {
  const ctx = makeContext(input.root, input.files, input.layout, input.yaml, input.checkout)
  if (input.pullRequest) ctx.pullRequest = input.pullRequest
  if (input.clusters) ctx.clusters = input.clusters
  if (input.scm) ctx.scm = input.scm
  const unread: UnreadManifest[] = []
  const manifests = readManifests(
    input.root,
    input.files,
    input.yaml,
    () => startEngine(ctx),
    (m) => unread.push(m),
  )
  const envs = input.environments
  const keep: Keep = (x) => !envs || (x.environment !== null && envs.includes(x.environment))
  const hydrations: HydrationMember[] = []
  const follow = follower(ctx, keep, hydrations, input.onApplication)
  const out: Deployables = {
    helm: [],
    kustomize: [],
    directory: [],
    unrenderable: [],
    applications: 0,
    read: [],
    applicationSets: [],
    names: new Set(),
    follow,
    printed: (sets) => {
      const expansion = expandPrinted(sets, ctx)
      return {...expansion, unrenderable: expansion.unrenderable.filter(keep)}
    },
    unread: [],
    releaseFrom: (built) => builtReleaseDeployable(built, manifests, ctx),
    hydrations,
    argoFiles: argoOnlyFiles(manifests),
    without: (files) => without(out, apps, files),
  }
  // A document that declares a deployable and is not read: what it deploys is unknown, never absent. (A Flux
  // Kustomization's is the Flux plan's to report: ../flux/kustomization/roots.ts.)
  for (const u of input.only ? [] : unread.filter((m) => m.kind !== 'Kustomization')) {
    out.unread.push(u.file)
    out.unrenderable.push(unreadFinding(u, ctx))
  }
  const apps = applicationsOf(manifests, input.only, ctx, out)
  out.applications = apps.length
  out.read = apps
  for (const app of apps) out.names.add(app.name)
  const d = follow(apps)
  out.helm.push(...d.helm)
  out.kustomize.push(...d.kustomize)
  out.directory.push(...d.directory)
  out.unrenderable = [...out.unrenderable.filter(keep), ...d.unrenderable]
  out.helm = out.helm.filter(keep)
  return out
}

/** The files whose deployable-declaring documents are Argo CD Applications or ApplicationSets, and nothing else. */
function argoOnlyFiles(manifests: readonly Manifest[]): Set<string> {
  const argo = new Set<string>()
  const other = new Set<string>()
  for (const m of manifests) {
    if (isApplication(m) || isApplicationSet(m)) argo.add(m.file)
    else if (declared(m.text)) other.add(m.file)
  }
  return new Set([...argo].filter((f) => !other.has(f)))
}

/** `out` without what the Applications (and ApplicationSets) of `files` declare: a view, `out` unchanged. */
function without(out: Deployables, apps: readonly ArgoApplication[], files: ReadonlySet<string>): Deployables {
  const kept = apps.filter((a) => !files.has(a.file))
  return {
    ...out,
    helm: out.helm.filter((d) => d.kind === 'HelmRelease' || !files.has(d.file)),
    kustomize: out.kustomize.filter((k) => !files.has(k.declaredIn)),
    directory: out.directory.filter((d) => !files.has(d.file)),
    unrenderable: out.unrenderable.filter((u) => !files.has(u.file)),
    applications: kept.length,
    read: kept,
    names: new Set(kept.map((a) => a.name)),
  }
}

/**
 * The Applications the manifests declare, each ApplicationSet's expanded (its expansion and findings recorded in
 * `out`), and the Flux HelmReleases' deployables into `out` (not when `only` picks Applications).
 */
function applicationsOf(
  manifests: Manifest[],
  picked: FindDeployablesInput['only'],
  ctx: ReturnType<typeof makeContext>,
  out: Deployables,
): ArgoApplication[] {
  const apps: ArgoApplication[] = []
  const only = picked ?? (() => true)
  const patch = patchFileTest(ctx)
  for (const m of manifests) {
    // A kustomization's patch file that looks like an Application or ApplicationSet is part of one, never one.
    if ((isApplication(m) || isApplicationSet(m)) && patch(m.file)) continue
    if (isApplication(m)) {
      const app = applicationOf(m)
      if (app && only(app)) apps.push(app)
    } else if (isApplicationSet(m)) {
      const expansion = keptExpansion(ctx, m)
      out.applicationSets.push({manifest: m, expansion})
      if (picked && !expansion.applications.some(picked)) continue
      apps.push(...expansion.applications.filter(only))
      const inputs = () => ({spec: m.doc, reads: generatedReads(m.file, m.doc, ctx)})
      out.unrenderable.push(...expansionFindings(expansion, inputs, (file) => ctx.envOf(file)))
    } else if (isHelmRelease(m) && !picked) {
      const d = helmReleaseDeployable(m, manifests, ctx)
      if (d.helm) out.helm.push(d.helm)
      if (d.unrenderable) out.unrenderable.push(d.unrenderable)
    }
  }
  return apps
}

/** Whether a file is one a kustomization of the revision names as a patch (the graph read at the first question). */
function patchFileTest(ctx: ReturnType<typeof makeContext>): (file: string) => boolean {
  let patches: Set<string> | undefined
  return (file) => {
    patches ??= new Set([...kustomizationGraph(ctx.root, ctx.files, ctx.yaml).values()].flatMap((n) => n.patches ?? []))
    return patches.has(file)
  }
}

/** What a list of Applications deploys (in the kept environments); an invalid one only its finding. */
function follower(
  ctx: ReturnType<typeof makeContext>,
  keep: Keep,
  hydrations: HydrationMember[],
  onApplication?: (app: ArgoApplication) => void,
): (list: readonly ArgoApplication[]) => Deployed {
  return (list) => {
    const found: Deployed = {helm: [], kustomize: [], directory: [], unrenderable: []}
    for (const app of list) {
      onApplication?.(app)
      const invalid = invalidApplication(app, ctx)
      if (invalid.length > 0) {
        found.unrenderable.push(...invalid.filter(keep))
        continue
      }
      const d = keptSources(app, ctx)
      const environments = [...d.helm, ...d.kustomize, ...d.directory, ...d.unrenderable].filter(keep)
      const member = hydrationMember(app, [...new Set(environments.map((e) => e.environment))])
      if (member && member.environments.length > 0) hydrations.push(member)
      found.helm.push(...d.helm.filter(keep))
      found.kustomize.push(...d.kustomize.filter(keep))
      found.directory.push(...d.directory.filter(keep))
      found.unrenderable.push(...d.unrenderable.filter(keep))
    }
    return found
  }
}

/** A document declaring a deployable that could not be read: what it deploys is unknown (never counted removed). */
function unreadFinding(u: UnreadManifest, ctx: ReturnType<typeof makeContext>): Unrenderable {
  return {
    file: u.file,
    line: u.line,
    environment: ctx.envOf(u.file) ?? environmentFolder(u.file),
    ...(u.kind === 'Application' && u.name ? {application: u.name} : {}),
    message: `${u.kind}${u.name ? ` ${u.name}` : ''} is not read: ${u.message}; what it deploys is unknown, so it is not rendered (never counted as removed), and any change may reach it.`,
    status: 'failed',
    // What it deploys cannot be bounded (it may be an Application over any folder): it reads the whole revision.
    inputs: {spec: u.text, reads: [...ctx.files]},
  }
}
