/**
 * The head branch of an image write-back pull request, one name whoever opens it: `gitops set-image --open-pr`
 * (ameide's own PR) and the update-image-refs workflow dispatched by `primitive gitops update-images` (the
 * example workflow names its branch the same way), so both find the same PR.
 */

/** `ameide/images-<env>-<sha12>`: the source commit of the refs (or, without one, a digest of them). */
export function imagesBranch(env: string, sourceShaOrDigest: string): string {
  return `ameide/images-${env}-${sourceShaOrDigest.slice(0, 12)}`
}

/** `ameide/promote-<from>-to-<to>-<digest12>`. */
export function promoteBranch(from: string, to: string, digest: string): string {
  return `ameide/promote-${from}-to-${to}-${digest.slice(0, 12)}`
}

/** What an images branch of `env` contains whatever its commit: the fallback when looking for the PR by name. */
export function imagesBranchNeedle(env: string): string {
  return `images-${env}`
}
