/**
 * What the Flux objects of a revision deploy, for the render plan (./roots.ts): the revision's YAML files read once
 * for Flux `Kustomization`s, `ArtifactGenerator`s and `GitRepository`s (and the ConfigMaps and Secrets
 * `postBuild.substituteFrom` reads), then each Kustomization's `spec.path` as a root, or the reason what it deploys
 * is not rendered (another source, a folder outside the revision or not in it, a field the gate does not apply).
 */
import {readTextIn} from '../../../core/memory-fs/index.js'
import path from 'node:path'

import type {YamlModule} from '../../../images/yaml/index.js'
import {chartTemplateTest} from '../../revision/files.js'
import type {Layout} from '../../layout/index.js'
import type {Pin, Pinned} from '../../revision/pinned.js'
import type {MappedSource} from '../../revision/source-repos.js'
import {declared as declaredKind, kindIn} from '../../kubernetes/manifests.js'
import {limitMessage} from '../../kubernetes/yaml-lines.js'
import {fluxFields, holdersOf} from './kustomization.js'
import {pinnedTreeRoot} from './tree-root.js'
import {
  namespacedName,
  pinnedSource,
  sourceRefName,
  sourceSpecs,
  type FluxObject,
  type GitRepositoryOf,
} from '../sources/sources.js'
import {isKustomizationFile} from '../../kustomize/kustomizations.js'
import {at} from '../../kubernetes/objects.js'
import {clean, envOf, inScope, type RenderPlan, type RenderRoot} from '../../render/plan-types.js'
import {artifactShift, copiedArtifact} from '../sources/artifact-generator.js'
import {fieldMessage, renderingPart, unsupportedField} from '../../fields/check.js'

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

const isFlux = (obj: unknown, kind: string, group: string) =>
  at(obj, 'kind') === kind && (str(at(obj, 'apiVersion')) ?? '').startsWith(group)

/** What the revision's YAML files (kustomization files aside) tell the plan. */
export interface RevisionScan {
  /** The Flux objects of the revision: Kustomizations, ArtifactGenerators, GitRepositories. */
  flux: FluxObject[]
  /** `clusters/<name>` → the first file there holding a Flux object. */
  fluxFolders: Map<string, string>
  /** ConfigMaps and Secrets, for postBuild.substituteFrom. */
  holders: Map<string, Record<string, string>>
  /** Flux Kustomizations not read (a YAML error, past ameide's limits). */
  unread: RenderPlan['unread']
  /** Whether Argo CD or Flux objects of the revision say what is deployed (then a folder nothing names is not). */
  declares: boolean
}

// The kinds a file's text names, in any form (../../kubernetes/manifests.ts kindIn): what of it is parsed.
const ARGO = kindIn('Application|ApplicationSet')
const HOLDERS = kindIn('ConfigMap|Secret')
const FLUX = kindIn(
  'Kustomization|ArtifactGenerator|GitRepository|OCIRepository|Bucket|HelmRepository|ExternalArtifact',
)

/** The Flux objects, Flux cluster folders, value holders and Argo CD Applications of the revision's YAML files. */
export function scanRevision(root: string, files: readonly string[], yaml: YamlModule): RevisionScan {
  const scan: RevisionScan = {flux: [], fluxFolders: new Map(), holders: new Map(), unread: [], declares: false}
  const chartTemplate = chartTemplateTest(files)
  for (const file of files) {
    if (!/\.ya?ml$/i.test(file) || isKustomizationFile(file) || chartTemplate(file)) continue
    const text = readTextIn(root, file)
    if (text === undefined) continue // unreadable here: it declares no root the gate could render
    if (ARGO.test(text) && /argoproj\.io\//.test(text)) scan.declares = true
    const cluster = /^(clusters\/[^/]+)\/[^/]+$/.exec(file)?.[1]
    if (cluster && /^apiVersion:\s*["']?[a-z.]+\.toolkit\.fluxcd\.io\//m.test(text) && !scan.fluxFolders.has(cluster))
      scan.fluxFolders.set(cluster, file)
    if (HOLDERS.test(text)) holdersOf(yaml, text, scan.holders)
    if (!FLUX.test(text)) continue
    readFluxDocuments(yaml, file, text, scan)
  }
  if (scan.flux.some(({obj}) => isFlux(obj, 'Kustomization', 'kustomize.toolkit.fluxcd.io/'))) scan.declares = true
  return scan
}

/**
 * Each document of a file that may hold Flux objects, parsed into `scan.flux`; a Flux Kustomization that cannot be
 * read, into `scan.unread`.
 */
function readFluxDocuments(
  yaml: YamlModule,
  file: string,
  text: string,
  scan: Pick<RevisionScan, 'flux' | 'unread'>,
): void {
  const lineCounter = new yaml.LineCounter()
  let docs
  try {
    docs = yaml.parseAllDocuments(text, {lineCounter, logLevel: 'error'})
  } catch (error) {
    scan.unread.push({file, line: 1, message: (error as Error).message})
    return
  }
  if (!Array.isArray(docs)) return
  for (const doc of docs) {
    const own = text.slice(doc.range[0], doc.range[2])
    const at0 = lineCounter.linePos(doc.range[0]).line
    const fluxKustomization =
      declaredKind(own)?.kind === 'Kustomization' && /kustomize\.toolkit\.fluxcd\.io\//.test(own)
    if (doc.errors.length > 0) {
      if (fluxKustomization) scan.unread.push({file, line: at0, message: doc.errors[0].message})
      continue
    }
    let value: unknown
    try {
      value = doc.toJS({maxAliasCount: 100})
    } catch (error) {
      if (fluxKustomization) scan.unread.push({file, line: at0, message: limitMessage(error)})
      continue
    }
    const line = lineCounter.linePos(doc.contents?.range?.[0] ?? 0).line
    scan.flux.push({obj: value, file, line})
  }
}

/** What the plan's Flux step reads besides the scan. */
export interface FluxPlanContext {
  layout: Layout
  environments: readonly string[] | undefined
  /** Whether a URL names this repository (a Flux GitRepository of another repository is not rendered). */
  isThisRepository?: (url: string) => boolean
  /** `gitopsPolicy.render.roots` is set: Flux roots are not added. */
  configured: boolean
  /** Which revision a GitRepository of this repository deploys (../revision/pinned.ts); absent: the one read. */
  pinned?: Pinned
  /** This repository at a pin's commit (../revision/source-repos.ts); undefined: the clone does not hold it. */
  pinnedTree?: (pin: Pin) => MappedSource | undefined
  /** Adds a Flux root to the plan; false when its folder holds no file. */
  addRoot: (r: RenderRoot, file: string) => boolean
  /** The environment of the build that prints the Kustomization (its file's own when not printed, or null). */
  environment?: string | null
}

/** What the Flux Kustomizations of the revision deploy that the plan does not render. */
export type FluxFindings = Pick<RenderPlan, 'unavailable' | 'outside' | 'notFound' | 'trees'>

/** The sources one Flux Kustomization may name, of the revision. */
interface FluxSources {
  generators: FluxObject[]
  /** `namespace/name` → the GitRepositories of the revision: url, and what decides what their artifact holds. */
  gitRepositories: Map<string, GitRepositoryOf>
  holders: Map<string, Record<string, string>>
  /** `Kind namespace/name` → the spec of each source object of the revision (what a Kustomization builds from). */
  specs: Map<string, unknown>
}

/** Plans one Flux Kustomization (a document of the revision, or one a build prints) against the revision's sources. */
export type FluxPlanner = (k: FluxObject, over: Pick<FluxPlanContext, 'addRoot' | 'environment'>) => FluxFindings

/**
 * Each Flux Kustomization of the scan: its root added through `ctx.addRoot`, or why it is not rendered; and the
 * planner, for those a build prints (the gate plans them as printed, ../../gate/flux-kustomizations.ts).
 */
export function fluxKustomizationRoots(scan: RevisionScan, ctx: FluxPlanContext): FluxFindings & {plan: FluxPlanner} {
  const sources: FluxSources = {
    generators: scan.flux.filter((f) => isFlux(f.obj, 'ArtifactGenerator', 'source.extensions.fluxcd.io/')),
    gitRepositories: gitRepositoriesOf(scan.flux),
    holders: scan.holders,
    specs: sourceSpecs(scan.flux),
  }
  const plan: FluxPlanner = (k, over) => {
    const found: FluxFindings = {unavailable: [], outside: [], notFound: [], trees: []}
    planFluxKustomization(k, sources, {...ctx, ...over}, found)
    return found
  }
  const out: FluxFindings = {unavailable: [], outside: [], notFound: [], trees: []}
  for (const k of scan.flux) {
    if (isFlux(k.obj, 'Kustomization', 'kustomize.toolkit.fluxcd.io/')) planFluxKustomization(k, sources, ctx, out)
  }
  return {...out, plan}
}

/** `namespace/name` → the GitRepositories among the Flux objects. */
function gitRepositoriesOf(flux: readonly FluxObject[]): Map<string, GitRepositoryOf> {
  const repositories = new Map<string, GitRepositoryOf>()
  for (const {obj} of flux) {
    if (!isFlux(obj, 'GitRepository', 'source.toolkit.fluxcd.io/')) continue
    const ignore = str(at(obj, 'spec', 'ignore'))
    const sparse = at(obj, 'spec', 'sparseCheckout')
    const sparseCheckout = Array.isArray(sparse) ? sparse.filter((d): d is string => typeof d === 'string') : []
    const includes = includesOf(at(obj, 'spec', 'include'))
    repositories.set(namespacedName(obj), {
      url: str(at(obj, 'spec', 'url')) ?? '',
      ref: at(obj, 'spec', 'ref'),
      artifact: {
        ...(ignore !== undefined ? {ignore} : {}),
        ...(sparseCheckout.length > 0 ? {sparseCheckout} : {}),
        ...(includes.length > 0 ? {includes} : {}),
        ...(at(obj, 'spec', 'recurseSubmodules') === true ? {recurseSubmodules: true as const} : {}),
      },
    })
  }
  return repositories
}

/**
 * A GitRepository's `spec.include`: where each included GitRepository's artifact is copied (source-controller v1.9.1
 * api/v1 GitRepositoryInclude.GetToPath: `toPath`, else the included GitRepository's name), as a repo-relative folder.
 */
function includesOf(include: unknown): Array<{repository: string; toPath: string}> {
  return (Array.isArray(include) ? include : []).map((i: unknown) => {
    const repository = str(at(i, 'repository', 'name')) ?? ''
    const toPath = path.posix.normalize(str(at(i, 'toPath')) || repository).replace(/^(\.\/)+|\/+$/g, '')
    return {repository, toPath: toPath === '.' ? '' : toPath}
  })
}

/** One Flux Kustomization's root added, or recorded in `out` as unavailable, outside the revision or not found. */
function planFluxKustomization(k: FluxObject, sources: FluxSources, ctx: FluxPlanContext, out: FluxFindings): void {
  const {obj, file, line} = k
  // Its inputs: what kustomize-controller builds from — its spec without the apply settings (interval, timeout,
  // prune…: the field table's not-rendering rows), never its apiVersion or other bytes of its file — and the spec of
  // the source object it builds from (a moved tag or ref touches it).
  const source = sources.specs.get(`${str(at(obj, 'spec', 'sourceRef', 'kind')) ?? ''} ${sourceRefName(obj)}`)
  const built = renderingPart('Kustomization', 'spec', at(obj, 'spec')) ?? null
  const unavailable = (message: string, reads: string[] = [], root?: string) => {
    const environment = ctx.environment ?? envOf(ctx.layout, file)
    if (!inScope(ctx.environments, environment)) return
    const spec = source === undefined ? built : {spec: built, source}
    const deployedBy = namespacedName(obj)
    out.unavailable.push({
      file,
      line,
      environment,
      message,
      spec,
      reads,
      deployedBy,
      ...(root !== undefined ? {root} : {}),
    })
  }
  const foreign = otherRepository(obj, sources.gitRepositories, ctx.isThisRepository)
  if (foreign !== undefined) return unavailable(foreign)
  // A GitRepository pinned to another commit: built from that commit's tree, or unavailable, the ref named.
  const pinned = pinnedSource(obj, sources.gitRepositories, ctx.pinned, ctx.pinnedTree)
  if (pinned && 'message' in pinned) return unavailable(pinned.message)
  const from = fluxSource(obj, file, ctx.layout, sources, pinned !== undefined)
  if ('unavailable' in from)
    return unavailable(
      from.unavailable,
      (from.reads ?? []).filter((f) => f !== file),
    )
  const r = from.root
  if (!r) return
  if (ctx.environment) r.environment = ctx.environment
  const fields = fluxFields(obj, sources.holders)
  // Its folder is known, its fields are not rendered: a change to what that folder's build reads reaches it.
  if (fields && 'unavailable' in fields)
    return unavailable(`Flux Kustomization ${namespacedName(obj)}: ${fields.unavailable}`, [], r.dir)
  const field = unsupportedField('Kustomization', 'spec', at(obj, 'spec'))
  if (field)
    return unavailable(
      `Flux Kustomization ${namespacedName(obj)}: ${fieldMessage(`spec.${field.field.replace(/\[\]/g, '')}`, field, 'Flux')}`,
      [],
      r.dir,
    )
  if (fields) r.flux = fields
  if (pinned) return pinnedTreeRoot(r, pinned, {file, line, environments: ctx.environments}, unavailable, out)
  if (r.dir === '..' || r.dir.startsWith('../') || path.posix.isAbsolute(r.dir)) {
    out.outside.push({path: r.dir, declaredIn: file, environment: r.environment, deployedBy: r.deployedBy})
    return
  }
  if (ctx.configured || ctx.addRoot(r, file)) return
  if (!inScope(ctx.environments, r.environment)) return
  out.notFound.push({
    file,
    line,
    environment: r.environment,
    deployedBy: r.deployedBy,
    message: `Flux Kustomization ${r.deployedBy} deploys spec.path ${JSON.stringify(str(at(obj, 'spec', 'path')))}, a folder that holds no file in this revision (${r.dir || '.'}): kustomize-controller fails to build it (path not found), so what it deploys is not known.`,
    spec: at(obj, 'spec') ?? null,
  })
}

/**
 * Why a Flux Kustomization is not rendered when a GitRepository of the revision it deploys from names another
 * repository; undefined when it deploys from this one (or from no such GitRepository).
 */
function otherRepository(
  obj: unknown,
  gitRepositories: ReadonlyMap<string, GitRepositoryOf>,
  isThisRepository: ((url: string) => boolean) | undefined,
): string | undefined {
  if (at(obj, 'spec', 'sourceRef', 'kind') !== 'GitRepository' || !isThisRepository) return undefined
  const name = sourceRefName(obj)
  const url = gitRepositories.get(name)?.url
  if (url === undefined || name === 'flux-system/flux-system' || isThisRepository(url)) return undefined
  return `Flux Kustomization ${namespacedName(obj)} deploys from GitRepository ${name} (${url}), another repository: the gate renders only this one and fetches nothing, so what it deploys is not rendered or judged.`
}

/**
 * Where a Flux Kustomization's `spec.path` lies in this repository: from a `GitRepository` (this repository), the
 * path itself; from an `ExternalArtifact` an `ArtifactGenerator` of the revision produces with one copy rule of a
 * folder of this repository (`from: "@repo/apps/podinfo/**"`, `to: "@artifact/"`), the path inside that folder, as
 * source-watcher copies it. Any other source (`OCIRepository`, `Bucket`, an artifact of several copies or of
 * another source) is not rendered: unavailable, named.
 */
function fluxSource(
  obj: unknown,
  file: string,
  layout: Layout,
  {generators, gitRepositories}: Pick<FluxSources, 'generators' | 'gitRepositories'>,
  pinned = false,
): {root?: RenderRoot} | {unavailable: string; reads?: string[]} {
  const p = str(at(obj, 'spec', 'path')) ?? './'
  const kind = str(at(obj, 'spec', 'sourceRef', 'kind'))
  const name = str(at(obj, 'spec', 'sourceRef', 'name')) ?? ''
  const id = namespacedName(obj)
  const environmentOf = (dir: string) => envOf(layout, file) ?? envOf(layout, `${dir}/kustomization.yaml`)
  if (kind === 'GitRepository') {
    // A pinned tree is another commit's whole tree: with no path kustomize-controller builds its root (`./`).
    if (at(obj, 'spec', 'path') === undefined && !pinned) return {}
    const dir = clean(p)
    const rule = 'spec.path of a Flux Kustomization'
    // A GitRepository not in the revision (flux-system's, made by `flux bootstrap`) sets neither field.
    const artifact = gitRepositories.get(sourceRefName(obj))?.artifact ?? {}
    return {root: {dir, environment: environmentOf(dir), via: 'flux', rule, declaredIn: file, deployedBy: id, artifact}}
  }
  if (kind === 'ExternalArtifact') {
    for (const g of generators) {
      const artifacts = at(g.obj, 'spec', 'artifacts')
      const artifact = Array.isArray(artifacts) ? artifacts.find((x) => at(x, 'name') === name) : undefined
      if (artifact === undefined) continue
      const generator = str(at(g.obj, 'metadata', 'name')) ?? ''
      const copy = at(artifact, 'copy')
      const shift = artifactShift(Array.isArray(copy) ? copy : [], at(g.obj, 'spec', 'sources'))
      // What it copies from is its GitRepositories' artifacts: one set of fields, or the view is not one folder's.
      const copied = copiedArtifact(Array.isArray(copy) ? copy : [], g.obj, gitRepositories)
      if (shift !== undefined && copied !== undefined) {
        const dir = clean(path.posix.join(shift, clean(p)))
        const rule = `spec.path of a Flux Kustomization over ExternalArtifact ${name} (ArtifactGenerator ${generator}, its copy rules a view of ${shift || '.'})`
        return {
          root: {
            dir,
            environment: environmentOf(dir),
            via: 'flux',
            rule,
            declaredIn: file,
            deployedBy: id,
            artifact: copied,
          },
        }
      }
      return {
        unavailable: `Flux Kustomization ${id} deploys ExternalArtifact ${name}, which ArtifactGenerator ${generator} (${g.file}) assembles with copy rules the gate does not model (rendered: rules that copy this repository's folders and files to the same relative places, \`@<alias>/<folder>/**\` to \`@artifact/<sub>/\` with <folder> ending in <sub>): what it deploys is not rendered or judged.`,
        reads: [file, g.file],
      }
    }
    return {
      unavailable: `Flux Kustomization ${id} deploys ExternalArtifact ${name}, which no ArtifactGenerator of this revision produces: what it deploys is not rendered or judged.`,
    }
  }
  return {
    unavailable: `Flux Kustomization ${id} deploys from ${kind ?? 'a source it does not name'} ${name}: the gate renders only this repository (a GitRepository, or an ExternalArtifact an ArtifactGenerator copies from it) and fetches nothing, so what it deploys is not rendered or judged.`,
  }
}
