/**
 * Applications applied as a build prints them. A file of Argo CD Applications or ApplicationSets that a kustomization
 * names, under a root the gate renders that no Application deploys (an overlay applied by hand, a Flux
 * Kustomization's folder, a configured root), is applied as that root's build prints it — patched by the overlay, in
 * the root's environment — never alone: its Applications are followed from what the build prints (app of apps), not
 * read from the file. A root an Application deploys does not count: the file may hold that Application itself, which
 * is then applied before anything prints it. A HelmRelease's file is left to ./helm-releases.ts.
 */
import type {Deployables} from '../deployables/index.js'
import type {RenderPlan} from '../render/plan-types.js'
import type {RootInputs} from './kustomize.js'

/** The revision's deployables and plan without the Applications the plan's builds print from their files. */
export function asPrinted(
  deployables: Deployables,
  plan: RenderPlan,
  roots: Pick<RootInputs, 'nodesOf'>,
): {deployables: Deployables; plan: RenderPlan} {
  const printed = printedFiles(plan, roots, deployables.argoFiles)
  if (printed.size === 0) return {deployables, plan}
  return {
    deployables: deployables.without(printed),
    plan: {...plan, roots: plan.roots.filter((r) => r.via !== 'argocd' || !printed.has(r.declaredIn ?? ''))},
  }
}

/** The files of `argoFiles` a kustomization reached by a root no Application deploys names. */
function printedFiles(
  plan: RenderPlan,
  roots: Pick<RootInputs, 'nodesOf'>,
  argoFiles: ReadonlySet<string>,
): Set<string> {
  const printed = new Set<string>()
  if (argoFiles.size === 0) return printed
  for (const r of plan.roots) {
    if (r.via === 'argocd' || r.tree !== undefined) continue
    for (const n of roots.nodesOf(r)) for (const f of n.files) if (argoFiles.has(f)) printed.add(f)
  }
  return printed
}
