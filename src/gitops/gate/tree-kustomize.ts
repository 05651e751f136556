/**
 * A kustomize root read from another tree than the revision under review — an Argo CD kustomize source of this
 * repository at a pinned commit or of a mapped repository, a Flux Kustomization over a GitRepository of this
 * repository pinned to another commit: built on its own, the tree its only checkout (../render/render.ts renderRoots
 * over it), keyed by the tree's commit and the controller's fields, none of this revision's files; a Flux root's
 * post-build and commonMetadata applied as for the revision's (./kustomize.ts); judged, its findings pointing at the
 * file that declares it (the tree's files are no lines of this revision). Its kustomizations are that tree's, so it
 * is never part of the revision's render plan.
 */
import type {KustomizeUse} from '../model/model.js'
import type {ArgoKustomize} from '../model/render-inputs.js'
import {
  outputDocuments,
  parseRendered,
  UnreadableOutput,
  type RenderedObject,
  type RenderedText,
} from '../kubernetes/objects.js'
import {applyDestinationNamespace} from '../kubernetes/scope.js'
import {applyCommonMetadata} from '../flux/kustomization/kustomization.js'
import {renderRoots} from '../render/render.js'
import {buildsUnrestricted, pluginNotRun} from './build-options.js'
import type {RenderRoot} from '../render/plan-types.js'
import type {GateContext} from './types.js'
import {fluxPostBuild} from './flux-post-build.js'
import {deployer, shown} from './kustomize.js'
import {isHelmRelease} from './helm-releases.js'
import {argoRoot} from './roots.js'
import {notInflated} from './helm-inflation.js'

/** A root of another tree. */
export type TreeRoot = RenderRoot & {tree: NonNullable<RenderRoot['tree']>}

/** An Argo CD kustomize source of another tree as a root of it, with its Application's kustomize options. */
export const argoTreeRoot = (k: KustomizeUse & {tree: {dir: string; commit: string}}) => ({
  root: {...argoRoot(k), tree: k.tree},
  edits: k.edits,
  argo: k.argo,
})

/** One root of another tree, built from that tree and judged (or its failure named). */
export async function renderTreeRoot(
  ctx: GateContext,
  root: TreeRoot,
  over: {edits?: Record<string, unknown>; argo?: ArgoKustomize} = {edits: root.flux?.edits},
) {
  const {input, report, judge, apps, skipUnless, toolVersions} = ctx
  const declaredIn = root.declaredIn ?? root.dir
  const unit = {
    kind: 'kustomize' as const,
    dir: root.dir,
    environment: root.environment,
    ...(root.application !== undefined ? {application: root.application} : {}),
    ...(root.via === 'flux' && root.deployedBy ? {deployedBy: root.deployedBy} : {}),
  }
  const build = async (loadRestrictionsNone: boolean) => {
    const [built] = await renderRoots(root.tree.dir, [root], input.kustomize, {
      ...(loadRestrictionsNone ? {loadRestrictionsNone} : {}),
      concurrency: 1,
      cache: input.cache,
      inputsOf: () => [],
      // The tree's commit: two commits never share a build.
      extra: `${toolVersions}\0tree ${root.tree.commit}`,
      editsOf: () => over.edits,
      argoOf: () => over.argo,
      resourcesOf: () => root.tree.generated,
      artifactOf: () => root.artifact,
      ...(skipUnless ? {skip: (_r, key) => skipUnless(() => [])(unit, key)} : {}),
    })
    return built
  }
  let rendered = await build(false)
  if (buildsUnrestricted(ctx, root, rendered.result)) rendered = await build(true)
  if (rendered.skipped) {
    report.roots.push({...shown(root), status: 'skipped', objects: 0})
    return
  }
  const what = `kustomize build ${root.dir || '.'}${deployer(root)} at commit ${root.tree.commit.slice(0, 12)}`
  const objects = rendered.result.ok
    ? await treeObjects(ctx, root, rendered.result)
    : notInflated(ctx, root, pluginNotRun(ctx, root, rendered.result))
  if ('message' in objects) {
    const unavailable = 'unavailable' in objects
    const message = `${what} ${unavailable ? 'is not rendered' : 'failed'}: ${objects.message}`
    const site = {file: declaredIn, line: 1, message, environment: root.environment, application: root.application}
    if (unavailable) ctx.out.unavailable(site, {renderKey: rendered.key})
    else if ('limit' in objects) ctx.out.limited(site)
    else ctx.out.failed(site, {renderKey: rendered.key})
    report.roots.push({...shown(root), status: unavailable ? 'unavailable' : 'failed', objects: 0})
    return
  }
  // helm-controller renders a HelmRelease's chart; one a tree prints is no deployable of this revision: said, not left.
  for (const o of objects.filter(isHelmRelease)) {
    const message = `${what} prints HelmRelease ${o.namespace ?? 'default'}/${o.name}, whose chart helm-controller renders: the gate renders the charts of HelmReleases of the revision under review only, so what it deploys is not rendered or judged.`
    const site = {file: declaredIn, line: 1, message, environment: root.environment, application: root.application}
    ctx.out.unavailable(site, {renderKey: rendered.key})
  }
  input.onRendered?.({...unit, declaredIn, objects})
  apps.collect(rendered.result.ok ? rendered.result.yaml : '', () => objects, {...root, declaredIn})
  report.roots.push({...shown(root), status: rendered.cached ? 'cached' : 'rendered', objects: objects.length})
  await judge.judge(objects, root, declaredIn)
}

type Unbuilt = {message: string; unavailable?: true; limit?: true}

/**
 * The built objects as the controller applies them — a Flux root's variables substituted and its commonMetadata set,
 * the destination namespace given — their files named by no line of this revision; or why not.
 */
async function treeObjects(
  ctx: GateContext,
  root: TreeRoot,
  output: RenderedText,
): Promise<RenderedObject[] | Unbuilt> {
  const built = await fluxPostBuild(ctx.input, root, output)
  if (!built.ok)
    return {
      message: `Flux post-build: ${built.message}`,
      ...(built.status === 'unavailable' ? {unavailable: true as const} : {}),
      ...(built.status === 'limited' ? {limit: true as const} : {}),
    }
  let objects: RenderedObject[]
  try {
    const kept = root.flux?.buildMetadata
    objects = parseRendered(ctx.input.yaml, built.yaml, kept && {options: kept, root: root.dir}, outputDocuments(built))
  } catch (error) {
    if (!(error instanceof UnreadableOutput)) throw error
    return {message: error.message}
  }
  for (const o of objects) {
    o.origin = null
    o.transformations = []
  }
  applyCommonMetadata(
    objects.map((o) => o.body),
    root.flux?.commonMetadata,
  )
  applyDestinationNamespace(objects, root.namespace, ctx.crds)
  return objects
}
