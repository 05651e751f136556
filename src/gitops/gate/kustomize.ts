/**
 * The kustomize roots of one wave of the render gate: refused when they could read outside the revision,
 * unavailable when they name a remote or inflate charts, else built (./render.ts) in their wrappers — an
 * Application's kustomize options and a Flux Kustomization's fields applied, its post-build after — and judged.
 */
import {artifactGap} from '../flux/sources/artifact.js'
import {gitlinksUnder, gitlinkText} from '../render/refusals.js'
import {applyCommonMetadata} from '../flux/kustomization/kustomization.js'
import {fluxPostBuild} from './flux-post-build.js'
import type {GateContext} from './types.js'
import {outputDocuments, parseRendered, UnreadableOutput, type RenderedObject} from '../kubernetes/objects.js'
import {isHelmRelease} from './helm-releases.js'
import {renderRoots, type RenderedRoot} from '../render/render.js'
import type {RenderRoot} from '../render/plan-types.js'
import {applyDestinationNamespace} from '../kubernetes/scope.js'
import {parentsFirst, unknownFluxRoots, unknownPrinted} from './printed-unknown.js'
import {inflationOf, type Inflation} from './helm-inflation.js'
import {buildsUnrestricted, pluginNotRun} from './build-options.js'
import type {RootInputs} from './root-inputs.js'

/**
 * A root as the report shows it (schemas/gitops-verify.schema.json renderRoot): without what the render reads besides
 * its files (a Flux Kustomization's fields and variables, its GitRepository's artifact fields, the tree it is read
 * from), which are inputs, not findings — the variables may come from the revision's Secrets.
 */
export function shown(root: RenderRoot): RenderRoot {
  const {flux: _flux, artifact: _artifact, tree: _tree, ...rest} = root
  return rest
}

/** A Flux Kustomization a build printed (./flux-kustomizations.ts holds it to its file). */
const isFluxKustomization = (o: RenderedObject): boolean =>
  o.kind === 'Kustomization' && o.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/')

/** Who deploys a root, for its messages: ` (Application web)`, ` (Flux Kustomization flux-system/apps, in <file>)`. */
export function deployer(root: RenderRoot): string {
  if (root.application !== undefined) return ` (Application ${root.application})`
  if (root.deployedBy === undefined) return ''
  return ` (deployed by Flux Kustomization ${root.deployedBy}${root.declaredIn ? `, ${root.declaredIn}` : ''})`
}

/**
 * One wave's roots built, then taken: a root whose Flux Kustomization another root of the wave applies after that
 * root, and left out where `printedOtherwise` says that root's build applies it only otherwise.
 */
export async function renderKustomizeWave(
  ctx: GateContext,
  roots: RootInputs,
  list: readonly RenderRoot[],
  printedOtherwise: (r: RenderRoot) => boolean = () => false,
): Promise<void> {
  const inflations = new Map(await Promise.all(list.map(async (r) => [r, await inflationOf(ctx, roots, r)] as const)))
  const renderable = list.filter((r) => renderableRoot(ctx, roots, r, inflations.get(r)!))
  const built = await buildRoots(
    ctx,
    roots,
    renderable.filter((r) => !ctx.probed.has(r)),
    inflations,
  )
  const fresh = new Map(built.map((b) => [b.root, b]))
  for (const b of await unrestricted(ctx, roots, built, inflations)) fresh.set(b.root, b)
  for (const b of fresh.values()) b.result = pluginNotRun(ctx, b.root, b.result)
  const outcome = (r: RenderRoot) => ctx.probed.get(r) ?? fresh.get(r)!
  // A Flux Kustomization a root that is not rendered applies: what it builds is unknown in this revision.
  const failed = new Map<RenderRoot, string>()
  // (Not where kustomize did not run: every root is then unavailable on its own, named so.)
  for (const r of list) {
    const result = renderable.includes(r) ? outcome(r).result : undefined
    if (!result) failed.set(r, 'it is not rendered')
    else if (!result.ok && !('unavailable' in result))
      failed.set(r, `kustomize build ${r.dir || '.'} failed: ${result.message}`)
  }
  const unknown = unknownFluxRoots(ctx.fluxPrintedBy, failed)
  for (const r of parentsFirst(renderable, ctx.fluxPrintedBy)) {
    const by = unknown.get(r)
    if (by && !outcome(r).skipped) unknownFlux(ctx, roots, outcome(r), by)
    else if (!printedOtherwise(r)) await takeRendered(ctx, roots, outcome(r))
  }
}

/** A Flux root the failed root `by` applies: not rendered (failed), named on its Kustomization's file. */
function unknownFlux(
  ctx: GateContext,
  roots: RootInputs,
  {root, key}: RenderedRoot,
  {by, why}: {by: RenderRoot; why: string},
): void {
  const message = `Flux Kustomization ${root.deployedBy ?? root.dir} is applied as ${by.dir || '.'}'s build prints it, and that root is not rendered (${why}): what it deploys (${root.dir || '.'}) is unknown in this revision, neither absent nor deployed.`
  const rootFile = root.declaredIn ?? roots.plan.kustomizations.get(root.dir)!.file
  notRendered(ctx, root, {rootFile, key}, 'failed', message)
}

/**
 * Of roots a glob guessed whose inputs name an Argo CD kind, those whose build prints an Application or ApplicationSet
 * (a bootstrap: rendered with the first wave, its Applications followed). Each is built once: its build is kept for
 * the wave that takes it. One the gate would refuse or not render (a path out, a refused link, a submodule, a remote,
 * Helm charts) is not built here, and counts as printing as one whose build fails or cannot be read does: it is
 * rendered, refused or reported with the first wave as any root is.
 */
export async function printingRoots(
  ctx: GateContext,
  roots: RootInputs,
  list: readonly RenderRoot[],
): Promise<Set<RenderRoot>> {
  const plain = (r: RenderRoot) => {
    const nodes = roots.nodesOf(r)
    if (ctx.refusals.reaches(nodes)) return false
    if (
      gitlinksUnder(
        ctx.input.checkout.gitlinks,
        nodes.map((n) => n.dir),
      ).length > 0
    )
      return false
    return nodes.every((n) => n.remote.length === 0 && !n.helmCharts)
  }
  const printing = new Set(list.filter((r) => !plain(r)))
  for (const rendered of await buildRoots(ctx, roots, list.filter(plain))) {
    const {root, result} = rendered
    ctx.probed.set(root, rendered)
    if (!result.ok || rendered.skipped || printsApplications(ctx, result)) printing.add(root)
  }
  return printing
}

/** Whether a build's output holds an Argo CD Application or ApplicationSet (an unreadable one: it may). */
function printsApplications(ctx: GateContext, result: {ok: true; yaml: string}): boolean {
  try {
    return parseRendered(ctx.input.yaml, result.yaml, undefined, outputDocuments(result)).some(
      (o) => o.apiVersion.startsWith('argoproj.io/') && (o.kind === 'Application' || o.kind === 'ApplicationSet'),
    )
  } catch (error) {
    if (!(error instanceof UnreadableOutput)) throw error
    return true
  }
}

/**
 * Whether a root is rendered: one that could read outside its revision is refused, one whose Helm charts do not
 * inflate here (./helm-inflation.ts) or that names a remote base is unavailable, each named (and reported) here.
 */
function renderableRoot(ctx: GateContext, roots: RootInputs, r: RenderRoot, inflation: Inflation): boolean {
  const {input, out, report, refusals, toolVersions} = ctx
  const nodes = roots.nodesOf(r)
  // Refused first: a root that could read outside its revision is never rendered, whatever else it holds.
  if (refusals.root(r, nodes, roots.plan.kustomizations.get(r.dir)!.file)) {
    report.roots.push({...shown(r), status: 'refused', objects: 0})
    unknownPrinted(out, ctx.printedBy, r, () => roots.inputsOf(r), 'it could read outside the revision: refused')
    return false
  }
  const charts = 'unavailable' in inflation ? inflation.unavailable : []
  const remote = nodes.flatMap((n) => n.remote)
  const dirs = nodes.map((n) => n.dir)
  // Argo CD checks submodules out (its repo-server's default); Flux as its GitRepository says.
  const submodules = r.via === 'flux' ? [] : gitlinksUnder(input.checkout.gitlinks, dirs)
  const gap =
    r.via === 'flux'
      ? artifactGap(
          r.artifact,
          {
            dir: r.dir,
            dirs,
            reads: roots.inputsOf(r),
            generated: roots.plan.kustomizations.get(r.dir)?.generated !== undefined,
          },
          input.checkout.gitlinks,
        )
      : submodules.length > 0
        ? gitlinkText(submodules)
        : undefined
  if (remote.length + charts.length === 0 && !gap) return true
  const key = input.cache?.key(r.dir, roots.inputsOf(r), `remote\0${toolVersions}`)
  if (gap) {
    const file = r.declaredIn ?? roots.plan.kustomizations.get(r.dir)!.file
    const message = `Render root ${r.dir || '.'}${deployer(r)}: ${gap}`
    out.unavailable({file, line: 1, message, environment: r.environment, application: r.application}, {renderKey: key})
  }
  for (const site of charts)
    out.unavailable({...site, environment: r.environment, application: r.application}, {renderKey: key})
  for (const entry of remote) {
    const message = `Render root ${r.dir || '.'} names the remote ${JSON.stringify(entry.entry)}: the gate fetches nothing, so this root is not rendered or judged.`
    out.unavailable({file: entry.file, line: entry.line, message, environment: r.environment}, {renderKey: key})
  }
  report.roots.push({...shown(r), status: 'unavailable', objects: 0})
  const why = gap ?? ('why' in inflation ? inflation.why : 'it names a remote base')
  unknownPrinted(out, ctx.printedBy, r, () => roots.inputsOf(r), why)
  return false
}

/** The Applications' roots whose build failed, built again where Argo CD passes LoadRestrictionsNone (./build-options.ts). */
async function unrestricted(
  ctx: GateContext,
  roots: RootInputs,
  built: readonly RenderedRoot[],
  inflations: ReadonlyMap<RenderRoot, Inflation>,
): Promise<RenderedRoot[]> {
  const failed = built.filter(({root, result}) => buildsUnrestricted(ctx, root, result)).map((b) => b.root)
  return failed.length === 0 ? [] : buildRoots(ctx, roots, failed, inflations, true)
}

/** The roots built (./render.ts), answered from the cache or skipped where their inputs say so. */
function buildRoots(
  ctx: GateContext,
  roots: RootInputs,
  renderable: readonly RenderRoot[],
  inflations?: ReadonlyMap<RenderRoot, Inflation>,
  loadRestrictionsNone = false,
) {
  const {input, skipUnless, toolVersions} = ctx
  return renderRoots(input.root, renderable, input.kustomize, {
    ...(loadRestrictionsNone ? {loadRestrictionsNone} : {}),
    concurrency: input.concurrency,
    cache: input.cache,
    inputsOf: (r) => roots.inputsOf(r),
    resourcesOf: (r) => roots.plan.kustomizations.get(r.dir)?.generated,
    editsOf: (r) => roots.editsOf(r)?.fields,
    argoOf: (r) => roots.argoOf(r),
    artifactOf: (r) => roots.artifactOf(r),
    helmOf: (r) => {
      const inflation = inflations?.get(r)
      return inflation && 'helm' in inflation ? inflation.helm : undefined
    },
    extra: toolVersions,
    ...(skipUnless
      ? {
          // A root that may print a HelmRelease or a Flux Kustomization is built: what it prints is what the
          // controller applies (./helm-releases.ts, ./flux-kustomizations.ts). So is one that applies Applications
          // or what cannot be bounded (./printed-unknown.ts): where it fails, that is unknown in each revision.
          skip: (r: RenderRoot, key: string) =>
            !ctx.printedBy.has(r) &&
            !ctx.apps.mayHoldFluxObjects(roots.inputsOf(r)) &&
            skipUnless(() => roots.inputsOf(r))(
              {
                kind: 'kustomize',
                dir: r.dir,
                environment: r.environment,
                ...(r.application !== undefined ? {application: r.application} : {}),
              },
              key,
            ),
        }
      : {}),
  })
}

/**
 * One built root: what it read, Flux's post-build, its objects as the controller applies them (commonMetadata, the
 * destination namespace), the Applications it renders, and the judge; or its failure, named.
 */
async function takeRendered(ctx: GateContext, roots: RootInputs, rendered: RenderedRoot): Promise<void> {
  const {input, report, judge, apps, covered} = ctx
  const {root, result, cached, skipped, key} = rendered
  const rootFile = roots.plan.kustomizations.get(root.dir)!.file
  if (skipped) {
    report.roots.push({...shown(root), status: 'skipped', objects: 0})
    return
  }
  const unrendered = (status: 'unavailable' | 'failed' | 'limited', message: string) => {
    notRendered(ctx, root, {rootFile, key}, status, message)
    unknownPrinted(ctx.out, ctx.printedBy, root, () => roots.inputsOf(root), message)
  }
  if (!result.ok) {
    const what = `kustomize build ${root.dir || '.'}${deployer(root)}`
    if ('unavailable' in result) unrendered('unavailable', `${what} is not rendered: ${result.message}`)
    else if ('limit' in result) unrendered('limited', `${what}: ${result.message}`)
    else unrendered('failed', `${what} failed: ${result.message}`)
    return
  }
  // What it read: its kustomizations and the files they name (the rest of its folders is in its cache key only).
  for (const n of roots.nodesOf(root).filter((n) => roots.plan.kustomizations.get(n.dir) === n))
    for (const f of [n.file, ...n.files]) covered.add(f)
  // kustomize-controller's post-build: variables substituted (Flux's own code), then commonMetadata on every object.
  const built = await fluxPostBuild(input, root, result)
  if (!built.ok) {
    const what = `Flux post-build of ${root.dir || '.'}${deployer(root)}`
    unrendered(
      built.status,
      built.status === 'failed' ? `${what} failed: ${built.message}` : `${what}: ${built.message}`,
    )
    return
  }
  let objects: RenderedObject[]
  try {
    const kept = root.flux?.buildMetadata
    objects = parseRendered(input.yaml, built.yaml, kept && {options: kept, root: root.dir}, outputDocuments(built))
  } catch (error) {
    if (!(error instanceof UnreadableOutput)) throw error
    unrendered('failed', `kustomize build ${root.dir || '.'}${deployer(root)}: ${error.message}`)
    return
  }
  applyCommonMetadata(
    objects.map((o) => o.body),
    root.flux?.commonMetadata,
  )
  applyDestinationNamespace(objects, root.namespace, ctx.crds)
  const declaredIn = root.declaredIn ?? rootFile
  input.onRendered?.({
    kind: 'kustomize',
    dir: root.dir,
    environment: root.environment,
    ...(root.application !== undefined ? {application: root.application} : {}),
    ...(root.via === 'flux' && root.deployedBy ? {deployedBy: root.deployedBy} : {}),
    declaredIn,
    objects,
  })
  apps.collect(result.yaml, () => objects, {...root, declaredIn})
  for (const object of objects) {
    if (isHelmRelease(object)) ctx.builtReleases.push({root, object, printed: objects})
    else if (isFluxKustomization(object)) ctx.builtKustomizations.push({root, object})
  }
  report.roots.push({...shown(root), status: cached ? 'cached' : 'rendered', objects: objects.length})
  // An image the Application's kustomize options decide is set outside the checkout: it points at them.
  await judge.judge(objects, root, roots.editsOf(root)?.file ?? rootFile, undefined, {
    kustomization: rootFile,
    names: roots.controllerImages(root),
  })
}

/** A root not rendered: its finding (render-unavailable, -limit or -failed) on its kustomization, and its status. */
function notRendered(
  ctx: GateContext,
  root: RenderRoot,
  at: {rootFile: string; key: string | undefined},
  status: 'unavailable' | 'failed' | 'limited',
  message: string,
): void {
  const {out, report} = ctx
  const site = {file: at.rootFile, line: 1, environment: root.environment, application: root.application}
  if (status === 'unavailable') out.unavailable({...site, message}, {renderKey: at.key})
  else if (status === 'limited') out.limited({...site, message})
  else out.failed({...site, message}, {renderKey: at.key})
  report.roots.push({...shown(root), status: status === 'unavailable' ? 'unavailable' : 'failed', objects: 0})
}
