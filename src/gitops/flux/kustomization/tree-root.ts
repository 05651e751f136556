/**
 * A Flux Kustomization over a GitRepository of this repository pinned to another commit, planned as
 * kustomize-controller builds it: `spec.path` of that commit's tree (../../revision/source-repos.ts), with every field
 * the Kustomization applies, as a root of that tree alone — confined to it (a link leaving it refused), its submodules
 * judged as the revision's are (the GitRepository's `recurseSubmodules`), the kustomization kustomize-controller
 * generates listed where the folder has none. Its inputs are the tree's commit and the Kustomization's fields, never a
 * file of the revision under review: the gate builds it on its own (../../gate/tree-kustomize.ts).
 */
import path from 'node:path'

import type {MappedSource} from '../../revision/source-repos.js'
import {artifactGap, artifactToMake} from '../sources/artifact.js'
import {generatedNode, KUSTOMIZATION_FILES} from '../../kustomize/kustomizations.js'
import {inScope, type RenderPlan, type RenderRoot} from '../../render/plan-types.js'

/** Where a pinned tree's roots and its refusals are recorded. */
type TreeFindings = Pick<RenderPlan, 'trees' | 'outside' | 'notFound'>

/** `r` (its `dir` a path of the pinned tree) added to `out.trees`, or why not: refused, unavailable, not found. */
export function pinnedTreeRoot(
  r: RenderRoot,
  pinned: {tree: MappedSource; where: string},
  at: {file: string; line: number; environments: readonly string[] | undefined},
  unavailable: (message: string) => void,
  out: TreeFindings,
): void {
  const {tree, where} = pinned
  const dir = tree.confined(r.dir)
  if (dir === undefined) {
    out.outside.push({path: r.dir, declaredIn: at.file, environment: r.environment, tree: where})
    return
  }
  if (!inScope(at.environments, r.environment)) return
  const files = [...tree.files]
  const under = files.filter((f) => dir === '' || f.startsWith(`${dir}/`))
  const gap = artifactGap(r.artifact, {dir, dirs: [dir], reads: under, generated: false}, tree.gitlinks)
  if (gap) return unavailable(`Render root ${dir || '.'} of ${where}: ${gap}`)
  const own = KUSTOMIZATION_FILES.some((f) => tree.files.has(dir ? `${dir}/${f}` : f))
  // No kustomization there: kustomize-controller generates one over the folder's manifests, as for the revision.
  const folders = new Set(files.filter((f) => KUSTOMIZATION_FILES.includes(path.posix.basename(f))).map(folderOf))
  const generated = own ? undefined : generatedNode(dir, at.file, files, folders)?.generated
  if (!own && generated === undefined) {
    out.notFound.push({
      file: at.file,
      line: at.line,
      environment: r.environment,
      message: `Flux Kustomization ${r.deployedBy} deploys spec.path ${dir || '.'} of ${where}, a folder that holds no file there: kustomize-controller fails to build it (path not found), so what it deploys is not known.`,
      spec: {tree: tree.commit},
    })
    return
  }
  // The artifact is made only where it may leave out a file the build reads (./artifact.ts), as for the revision.
  const artifact = artifactToMake(r.artifact, files, () => under)
  const {artifact: _written, ...root} = r
  out.trees.push({
    ...root,
    dir,
    ...(artifact ? {artifact} : {}),
    tree: {dir: tree.dir, commit: tree.commit, ...(generated ? {generated} : {})},
  })
}

const folderOf = (file: string) => (path.posix.dirname(file) === '.' ? '' : path.posix.dirname(file))
