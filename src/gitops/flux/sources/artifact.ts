/**
 * Whether a Flux root's build needs its GitRepository's artifact made first. source-controller archives the checkout
 * less what its `.sourceignore` files, `spec.ignore` and its default patterns exclude, and a sparse checkout holds
 * only the listed directories; the render module does that with source-controller's own code (render-module/go,
 * flux_artifact.go) before kustomize-controller's generator and the build. Here only the question of whether it can
 * change anything: with no `.sourceignore` in the revision, neither field set and no file the build may read that a
 * default pattern could name, the artifact holds every file the build reads, and the step is not run (nor needed
 * where there is no render module).
 */
import path from 'node:path'

import type {GitArtifact} from '../../model/render-inputs.js'

/**
 * A path fluxcd/pkg/sourceignore's default patterns could exclude (v0.18.0: ExcludeVCS, ExcludeExt, ExcludeCI,
 * ExcludeExtra — each name at any depth, the folders with what is under them), over-approximated (any case): the
 * patterns themselves are matched in the module.
 */
const DEFAULT_EXCLUDABLE = new RegExp(
  [
    '(^|/)(\\.git|\\.github|\\.circleci)/',
    '(^|/)(\\.gitignore|\\.gitmodules|\\.gitattributes|\\.travis\\.yml|\\.gitlab-ci\\.yml|appveyor\\.yml|\\.drone\\.yml)$',
    '(^|/)(cloudbuild\\.yaml|codeship-services\\.yml|codeship-steps\\.yml|\\.goreleaser\\.yml|\\.sops\\.yaml|\\.flux\\.yaml)$',
    '\\.(jpg|jpeg|gif|png|wmv|flv|tar\\.gz|zip)$',
  ].join('|'),
  'i',
)

/** The revision's `.sourceignore` files (they decide what every GitRepository artifact of it holds). */
export const sourceIgnoreFiles = (files: readonly string[]): string[] =>
  files.filter((f) => path.posix.basename(f) === '.sourceignore')

/** The artifact to make before the build, or undefined when it holds every file of `reads`. */
export function artifactToMake(
  artifact: GitArtifact | undefined,
  files: readonly string[],
  reads: () => readonly string[],
): GitArtifact | undefined {
  if (!artifact) return undefined
  if (artifact.ignore !== undefined || (artifact.sparseCheckout?.length ?? 0) > 0) return artifact
  if (sourceIgnoreFiles(files).length > 0) return artifact
  return reads().some((f) => DEFAULT_EXCLUDABLE.test(f)) ? artifact : undefined
}

/**
 * What of a root's reads its GitRepository's artifact holds from elsewhere (source-controller v1.9.1,
 * gitrepository_controller.go): an included GitRepository's artifact copied to its `toPath`, and with
 * `recurseSubmodules` the submodules checked out — other repositories, which the gate does not fetch. Without
 * `recurseSubmodules` a submodule's folder is empty in the artifact, as it is in the revision the gate builds. The
 * reason the root is not rendered, or undefined when nothing it reads (`dirs`, `reads`; a generated kustomization
 * lists all of `root`) comes from elsewhere.
 */
export function artifactGap(
  artifact: GitArtifact | undefined,
  root: {dir: string; dirs: readonly string[]; reads: readonly string[]; generated: boolean},
  gitlinks: ReadonlyMap<string, string> | undefined,
): string | undefined {
  const under = (p: string, folder: string) => folder === '' || p === folder || p.startsWith(`${folder}/`)
  for (const include of artifact?.includes ?? []) {
    const reached =
      [...root.dirs, ...root.reads].some((p) => under(p, include.toPath)) ||
      (root.generated && under(include.toPath, root.dir))
    if (reached)
      return `its GitRepository includes GitRepository ${include.repository} at ${include.toPath || '.'} (spec.include): that artifact is another repository's, which the gate does not fetch, and this root reads there, so it is not rendered or judged.`
  }
  if (!artifact?.recurseSubmodules || !gitlinks) return undefined
  const submodules = [...gitlinks].filter(([link]) => root.dirs.some((d) => under(link, d)))
  if (submodules.length === 0) return undefined
  return `its GitRepository checks out submodules (spec.recurseSubmodules) and ${submodules.map(([p, c]) => `${p} is one (commit ${c.slice(0, 12)})`).join('; ')}: a submodule is another repository, which the gate does not fetch, so this root is not rendered or judged.`
}
