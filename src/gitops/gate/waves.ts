/**
 * The render gate's waves (./gate.ts runs them): each wave renders its kustomize roots (./gate-kustomize.ts),
 * directory sources (./gate-directory.ts) and Helm deployables (./gate-helm.ts); the Applications it produced (app of
 * apps) are the next wave, at most MAX_DEPTH waves deep, with the roots of the Flux Kustomizations its builds print
 * otherwise than their files (./flux-kustomizations.ts); the overlays a glob guessed come last, where no Application
 * deploys their glob's folders — but those whose build prints Applications (bootstraps), which come first.
 */
import type {Deployables, Deployed} from '../deployables/index.js'
import type {HelmDeployable, KustomizeUse} from '../model/model.js'
import {MAX_DEPTH} from '../argocd/app-of-apps/app-of-apps.js'
import {renderOneDirectory} from './directory.js'
import {renderHelmWave, unrendered} from './helm.js'
import {printingRoots, renderKustomizeWave} from './kustomize.js'
import type {RootInputs} from './root-inputs.js'
import {argoTreeRoot, renderTreeRoot, type TreeRoot} from './tree-kustomize.js'
import {asBuilt} from './helm-releases.js'
import {followPrinted, printedOtherwise, type PrintedFlux} from './flux-kustomizations.js'
import type {GateContext} from './types.js'
import {gitlinksUnder, gitlinkText} from '../render/refusals.js'
import {argoRoot, overlaysArgoLeaves} from './roots.js'
import {type RenderPlan, type RenderRoot} from '../render/plan-types.js'

/**
 * What one wave renders: the plan's roots, and the kustomize sources and Flux roots of other trees (built on their own).
 */
type Wave = Omit<Deployed, 'kustomize'> & {roots: RenderRoot[]; trees: TreeKustomize[]; fluxTrees: TreeRoot[]}

type TreeKustomize = KustomizeUse & {tree: NonNullable<KustomizeUse['tree']>}

/** The kustomize sources read from another tree (a pinned revision, a mapped repository). */
const ofTrees = (uses: readonly KustomizeUse[]): TreeKustomize[] =>
  uses.filter((k): k is TreeKustomize => k.tree !== undefined)

/** The waves: each renders its kustomize roots, directory sources and Helm deployables, then the next is followed. */
export async function renderWaves(ctx: GateContext, roots: RootInputs, deployables: Deployables, plan: RenderPlan) {
  // Overlays a glob guessed that print no Application wait until every Application is known (guessedWave).
  const overlays = plan.roots.filter((r) => r.via === 'overlay')
  const mayPrint = overlays.filter((r) => ctx.apps.mayHoldApplications(roots.inputsOf(r)))
  const printing = await printingRoots(ctx, roots, mayPrint)
  const guessed = overlays.filter((r) => !printing.has(r))
  let wave: Wave | undefined = {
    roots: plan.roots.filter((r) => r.via !== 'overlay' || printing.has(r)),
    trees: ofTrees(deployables.kustomize),
    // The Flux Kustomizations over a pinned GitRepository, built from that commit's tree.
    fluxTrees: plan.trees.filter((r): r is TreeRoot => r.tree !== undefined),
    helm: deployables.helm,
    directory: deployables.directory,
    unrenderable: deployables.unrenderable,
  }
  for (let depth = 0; wave; depth++) {
    ctx.out.unrenderable(wave.unrenderable)
    await renderKustomizeWave(ctx, roots, wave.roots, (r) => printedOtherwise(ctx, r))
    const printedFlux = followPrinted(ctx, roots, plan.roots)
    for (const k of wave.trees) {
      const {root, ...over} = argoTreeRoot(k)
      await renderTreeRoot(ctx, root, over)
    }
    for (const r of wave.fluxTrees) await renderTreeRoot(ctx, r)
    for (const d of wave.directory) await renderOneDirectory(ctx, d)
    const helm = asBuilt(ctx, wave.helm, deployables).filter((d) => helmRenderable(ctx, d))
    if (helm.length > 0) await renderHelmWave(ctx, helm)
    wave =
      withPrinted(nextWave(ctx, roots, deployables, plan, depth), printedFlux) ??
      guessedWave(ctx, plan, guessed.splice(0))
  }
}

/** The next wave with the roots of the Flux Kustomizations this one printed (each printed object followed once). */
function withPrinted(wave: Wave | undefined, printed: PrintedFlux): Wave | undefined {
  if (printed.roots.length + printed.trees.length === 0) return wave
  const w = wave ?? {roots: [], trees: [], fluxTrees: [], helm: [], directory: [], unrenderable: []}
  return {...w, roots: [...w.roots, ...printed.roots], fluxTrees: [...w.fluxTrees, ...printed.trees]}
}

/**
 * The overlays a glob guessed, rendered last: those of a glob whose folders Applications deploy are left out, and those
 * a declared root's build includes.
 */
function guessedWave(ctx: GateContext, plan: RenderPlan, guessed: readonly RenderRoot[]): Wave | undefined {
  if (guessed.length === 0) return undefined
  const deployed = ctx.report.roots.filter((r) => r.via === 'argocd').map((r) => r.dir)
  const declared = ctx.report.roots.filter((r) => r.via === 'argocd' || r.via === 'flux').map((r) => r.dir)
  const roots = overlaysArgoLeaves(ctx.input.layout, guessed, deployed, declared, plan.kustomizations)
  return {roots, trees: [], fluxTrees: [], helm: [], directory: [], unrenderable: []}
}

/**
 * Whether a Helm deployable is rendered: not when it reads a refused path, nor when its chart holds a submodule
 * (each recorded, with the deployable unrendered in the report).
 */
function helmRenderable(ctx: GateContext, d: HelmDeployable): boolean {
  const {input, out, refusals, report} = ctx
  // A chart of another tree was confined to it, its refused links with it, when it was read.
  const paths = [...(d.tree ? [] : [d.chart]), ...d.valueFiles, ...d.setFile.map((f) => f.path), ...d.reads]
  const site = {file: d.file, line: d.line, environment: d.environment, application: d.application}
  if (refusals.check(`${d.kind} ${d.application}: chart ${d.chart || '.'}`, paths, site)) {
    report.deployables.push(unrendered(d, 'refused'))
    return false
  }
  // Argo CD checks submodules out (Flux only with recurseSubmodules, off by default: its render lacks them too).
  const submodules = d.kind === 'Application' && !d.tree ? gitlinksUnder(input.checkout.gitlinks, [d.chart]) : []
  if (submodules.length === 0) return true
  out.unavailable(
    {...site, message: `${d.kind} ${d.application}: chart ${d.chart || '.'}: ${gitlinkText(submodules)}`},
    {id: `gitlink\0${d.file}\0${d.application}`, reads: paths, extra: JSON.stringify({d: d.spec, submodules})},
  )
  report.deployables.push(unrendered(d, 'unavailable'))
  return false
}

/**
 * The next wave: the Applications this one rendered that were not seen yet and those the ApplicationSets it rendered
 * generate (undefined when there are none, or they lie deeper than MAX_DEPTH: each then recorded unavailable).
 */
function nextWave(
  ctx: GateContext,
  roots: RootInputs,
  deployables: Deployables,
  plan: RenderPlan,
  depth: number,
): Wave | undefined {
  const {input, out} = ctx
  const {applications: produced, sets, undefinedKinds} = ctx.apps.next()
  // An object of a kind nothing defines: Argo CD fails to sync it, so what it would declare is unknown (any folder).
  for (const u of undefinedKinds) {
    const by = u.parent.application !== undefined ? `Application ${u.parent.application}` : u.parent.dir || '.'
    const message = `${by} renders ${u.apiVersion} ${u.kind} ${u.name}, a kind nothing defines: it is not applied, and what it would declare is unknown in this revision, so any change may reach it.`
    out.failed(
      {file: u.file, line: 1, message, environment: u.parent.environment, application: u.parent.application},
      {id: `undefined-kind\0${u.file}\0${u.kind}\0${u.name}`, reads: input.files, extra: message},
    )
  }
  // The ApplicationSets it printed are expanded here: what they generate is this wave's too.
  const printed = deployables.printed(sets)
  ctx.out.unrenderable(printed.unrenderable)
  const children = [...produced, ...ctx.apps.unfollowed(printed.applications)]
  if (children.length === 0) return undefined
  if (depth + 1 >= MAX_DEPTH) {
    for (const c of children) {
      const message = `Application ${c.name} is rendered ${MAX_DEPTH} Applications deep (app of apps): the gate follows at most ${MAX_DEPTH} levels, so it is not rendered.`
      out.unavailable(
        {file: c.file, line: 1, message, environment: c.environment ?? null, application: c.name},
        {id: `deep\0${c.name}`, reads: [], extra: JSON.stringify(c.spec)},
      )
    }
    return undefined
  }
  const next = deployables.follow(children)
  roots.note(next.kustomize)
  const taken = new Set(ctx.report.roots.map((r) => `${r.dir}\0${r.application ?? ''}`))
  return {
    roots: input.layout.policy.render.roots
      ? []
      : next.kustomize
          .filter((k) => k.tree === undefined)
          .map(argoRoot)
          .filter((r) => plan.kustomizations.has(r.dir) && !taken.has(`${r.dir}\0${r.application ?? ''}`)),
    trees: ofTrees(next.kustomize),
    fluxTrees: [],
    helm: next.helm,
    directory: next.directory,
    unrenderable: next.unrenderable,
  }
}
