/**
 * Applications applied as a build prints them. A file of Argo CD Applications or ApplicationSets that a kustomization
 * names, under a root the gate renders that no Application deploys (an overlay applied by hand, a Flux
 * Kustomization's folder, a configured root), is applied as that root's build prints it — patched by the overlay, in
 * the root's environment — never alone: its Applications are followed from what the build prints (app of apps), not
 * read from the file. A root an Application deploys does not count: the file may hold that Application itself, which
 * is then applied before anything prints it. A HelmRelease's file is left to ./helm-releases.ts. What each root
 * prints is kept: where the root is not rendered, it is unknown (./printed-unknown.ts).
 */
import type {Deployables} from '../deployables/index.js'
import type {RenderPlan, RenderRoot} from '../render/plan-types.js'
import type {RootInputs} from './root-inputs.js'
import {printedApplications, unbounded, type PrintedApplication, type PrintedBy} from './printed-unknown.js'

/**
 * The revision's deployables and plan without the Applications the plan's builds print from their files, and what
 * each root prints.
 */
export function asPrinted(
  deployables: Deployables,
  plan: RenderPlan,
  roots: Pick<RootInputs, 'nodesOf' | 'inputsOf'>,
  files: readonly string[],
  /** Whether files may hold Argo CD or Flux objects (their text names the kinds). */
  controllers: (files: readonly string[]) => boolean,
): {deployables: Deployables; plan: RenderPlan; printedBy: PrintedBy} {
  const byRoot = printedFiles(plan, roots, deployables.argoFiles)
  const printed = new Set([...byRoot.values()].flatMap((f) => [...f]))
  const printedBy = new Map<RenderRoot, readonly PrintedApplication[]>()
  const unread = new Set([...deployables.unread, ...plan.unread.map((u) => u.file)])
  for (const r of plan.roots) {
    if (r.via === 'argocd' || r.tree !== undefined) continue
    const named = byRoot.get(r)
    const list = [
      ...(named ? printedApplications(deployables, named, files) : []),
      ...unbounded(roots.nodesOf(r), unread, files, controllers(roots.inputsOf(r))),
    ]
    if (list.length > 0) printedBy.set(r, list)
  }
  if (printed.size === 0) return {deployables, plan, printedBy}
  return {
    deployables: deployables.without(printed),
    plan: {...plan, roots: plan.roots.filter((r) => r.via !== 'argocd' || !printed.has(r.declaredIn ?? ''))},
    printedBy,
  }
}

/** Per root no Application deploys, the files of `argoFiles` a kustomization it reaches names (none: left out). */
function printedFiles(
  plan: RenderPlan,
  roots: Pick<RootInputs, 'nodesOf'>,
  argoFiles: ReadonlySet<string>,
): Map<RenderRoot, Set<string>> {
  const printed = new Map<RenderRoot, Set<string>>()
  if (argoFiles.size === 0) return printed
  for (const r of plan.roots) {
    if (r.via === 'argocd' || r.tree !== undefined) continue
    const named = new Set(roots.nodesOf(r).flatMap((n) => n.files.filter((f) => argoFiles.has(f))))
    if (named.size > 0) printed.set(r, named)
  }
  return printed
}
