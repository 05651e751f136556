/**
 * What `kustomize build <folder>` reads of the revision, from the kustomization of the folder: that file, the files
 * it names (resources, patches, generators' files…) and, through every included folder (`../../base`), the same of
 * that folder's kustomization — the kustomization graph of src/gitops/kustomize/kustomizations.ts, followed. It bounds
 * what an unevaluated ApplicationSet's Applications read when their folder's kustomization reaches out of it: a file
 * none of them names is never an input (plugin configurations and the files they name are in the graph's files).
 * Undefined where it cannot be bounded: a kustomization that is not read, Helm charts inflated, or an entry that
 * leaves the revision.
 */
import {kustomizationGraph, reachable} from '../../kustomize/kustomizations.js'
import type {DeployablesContext} from '../../model/context.js'

type Ctx = Pick<DeployablesContext, 'files'> & {root?: string; yaml?: DeployablesContext['yaml']}

export function kustomizeClosure(kustomization: string, ctx: Ctx): string[] | undefined {
  if (ctx.root === undefined || ctx.yaml === undefined) return undefined
  const graph = kustomizationGraph(ctx.root, ctx.files, ctx.yaml)
  const dir = kustomization.includes('/') ? kustomization.slice(0, kustomization.lastIndexOf('/')) : ''
  if (graph.get(dir)?.file !== kustomization) return undefined
  const out = new Set<string>()
  for (const node of reachable(graph, dir)) {
    if (node.unreadable !== undefined || node.helmCharts || node.outside.length > 0) return undefined
    out.add(node.file)
    for (const f of node.files) out.add(f)
  }
  return [...out].sort()
}
