/**
 * What a render is given besides its folder, declared below the controllers that fill it in: an Argo CD
 * Application's kustomize options (argocd/kustomize/) and a Flux GitRepository's artifact (flux/sources/), both read
 * by the render run (render/) and the model (./model.ts).
 */

/** What the render module's `argocd kustomize-edit` is given (go/argocd.go): the options, the build environment. */
export interface ArgoKustomize {
  namePrefix?: string
  nameSuffix?: string
  images?: string[]
  replicas?: Array<{name: string; count: unknown}>
  commonLabels?: Record<string, string>
  forceCommonLabels?: boolean
  labelWithoutSelector?: boolean
  labelIncludeTemplates?: boolean
  commonAnnotations?: Record<string, string>
  forceCommonAnnotations?: boolean
  commonAnnotationsEnvsubst?: boolean
  namespace?: string
  patches?: unknown[]
  components?: string[]
  ignoreMissingComponents?: boolean
  env: Record<string, string>
}

/** A GitRepository's `spec.ignore` and `spec.sparseCheckout` as written; its includes and submodules. */
export interface GitArtifact {
  ignore?: string
  sparseCheckout?: string[]
  /** `spec.include`: another GitRepository's artifact copied to `toPath` (default: its name). */
  includes?: Array<{repository: string; toPath: string}>
  /** `spec.recurseSubmodules`: the submodules checked out (else their folders are empty). */
  recurseSubmodules?: true
}
