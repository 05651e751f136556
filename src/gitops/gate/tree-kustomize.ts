/**
 * An Argo CD kustomize source read from another tree than the revision under review (this repository at a pinned
 * commit, a mapped repository): built on its own, the tree its only checkout (../render/render.ts renderRoots over
 * it), keyed by the tree's commit and the source's options, none of this revision's files; judged, its findings
 * pointing at the Application (the tree's files are no lines of this revision). Its kustomizations are that tree's,
 * so it is never part of the revision's render plan.
 */
import type {KustomizeUse} from '../model/model.js'
import {parseRendered, UnreadableOutput, type RenderedObject} from '../kubernetes/objects.js'
import {applyDestinationNamespace} from '../kubernetes/scope.js'
import {renderRoots} from '../render/render.js'
import type {GateContext} from './types.js'
import {argoRoot} from './roots.js'

/** One kustomize source of another tree, built from that tree and judged (or its failure named). */
export async function renderTreeKustomize(ctx: GateContext, k: KustomizeUse & {tree: {dir: string; commit: string}}) {
  const {input, report, judge, apps, skipUnless, toolVersions} = ctx
  const root = argoRoot(k)
  const unit = {kind: 'kustomize' as const, dir: k.dir, environment: k.environment, application: k.application}
  const [rendered] = await renderRoots(k.tree.dir, [root], input.kustomize, {
    concurrency: 1,
    cache: input.cache,
    inputsOf: () => [],
    // The tree's commit: two commits never share a build.
    extra: `${toolVersions}\0tree ${k.tree.commit}`,
    editsOf: () => k.edits,
    argoOf: () => k.argo,
    ...(skipUnless ? {skip: (_r, key) => skipUnless(() => [])(unit, key)} : {}),
  })
  if (rendered.skipped) {
    report.roots.push({...root, status: 'skipped', objects: 0})
    return
  }
  const objects = rendered.result.ok ? treeObjects(ctx, k, rendered.result.yaml) : rendered.result
  if ('message' in objects) {
    const unavailable = 'unavailable' in objects
    const message = `kustomize build ${k.dir || '.'} (Application ${k.application}, at commit ${k.tree.commit.slice(0, 12)}) ${unavailable ? 'is not rendered' : 'failed'}: ${objects.message}`
    const site = {file: k.declaredIn, line: 1, message, environment: k.environment, application: k.application}
    if (unavailable) ctx.out.unavailable(site, {renderKey: rendered.key})
    else if ('limit' in objects) ctx.out.limited(site)
    else ctx.out.failed(site, {renderKey: rendered.key})
    report.roots.push({...root, status: unavailable ? 'unavailable' : 'failed', objects: 0})
    return
  }
  input.onRendered?.({...unit, declaredIn: k.declaredIn, objects})
  apps.collect(rendered.result.ok ? rendered.result.yaml : '', () => objects, {...root, declaredIn: k.declaredIn})
  report.roots.push({...root, status: rendered.cached ? 'cached' : 'rendered', objects: objects.length})
  await judge.judge(objects, root, k.declaredIn)
}

/** The built objects as Argo CD applies them, their files named by no line of this revision; or why unreadable. */
function treeObjects(ctx: GateContext, k: KustomizeUse, yaml: string): RenderedObject[] | {message: string} {
  let objects: RenderedObject[]
  try {
    objects = parseRendered(ctx.input.yaml, yaml)
  } catch (error) {
    if (!(error instanceof UnreadableOutput)) throw error
    return {message: error.message}
  }
  for (const o of objects) {
    o.origin = null
    o.transformations = []
  }
  applyDestinationNamespace(objects, k.namespace, ctx.crds)
  return objects
}
