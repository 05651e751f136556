/**
 * What a Flux Kustomization builds from, as its inputs: the source objects of the revision (a moved tag, ref or URL
 * touches every Kustomization built from it) and whether the GitRepository of this repository it names is pinned to
 * another revision than the one under review (../revision/pinned.ts).
 */
import {describePin, fluxPin, type Pinned} from '../../revision/pinned.js'
import {at} from '../../kubernetes/objects.js'
import type {GitArtifact} from '../../model/render-inputs.js'

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** An object's `namespace/name` (namespace `default` when it names none). */
export const namespacedName = (obj: unknown) =>
  `${str(at(obj, 'metadata', 'namespace')) ?? 'default'}/${str(at(obj, 'metadata', 'name')) ?? ''}`

/** A Flux object of the revision, with the file and line of its document. */
export interface FluxObject {
  obj: unknown
  file: string
  line: number
}

export interface GitRepositoryOf {
  url: string
  artifact: GitArtifact
  /** Its `spec.ref`: which revision it fetches. */
  ref: unknown
}

/** A Kustomization's `spec.sourceRef` as `namespace/name` (its own namespace where the ref names none). */
export const sourceRefName = (obj: unknown) =>
  `${str(at(obj, 'spec', 'sourceRef', 'namespace')) ?? str(at(obj, 'metadata', 'namespace')) ?? 'default'}/${
    str(at(obj, 'spec', 'sourceRef', 'name')) ?? ''
  }`

/** The kinds a Flux Kustomization builds from (sourceRef.kind), whose objects in the revision are its inputs. */
const SOURCE_KINDS = new Set(['GitRepository', 'OCIRepository', 'Bucket', 'HelmRepository', 'ExternalArtifact'])

/** `Kind namespace/name` → the spec of every source object among the Flux objects. */
export function sourceSpecs(flux: readonly FluxObject[]): Map<string, unknown> {
  const specs = new Map<string, unknown>()
  for (const {obj} of flux) {
    const kind = str(at(obj, 'kind')) ?? ''
    if (SOURCE_KINDS.has(kind) && /\.fluxcd\.io\//.test(str(at(obj, 'apiVersion')) ?? ''))
      specs.set(`${kind} ${namespacedName(obj)}`, at(obj, 'spec') ?? null)
  }
  return specs
}

/**
 * Why a Flux Kustomization is not rendered when the GitRepository of this repository it deploys from is pinned to
 * another revision (`spec.ref`: another branch, a tag, a semver range, a commit): kustomize-controller builds that
 * revision, not the one under review. Undefined when it fetches the revision under review (or is not in the revision).
 */
export function pinnedSource(
  obj: unknown,
  gitRepositories: ReadonlyMap<string, GitRepositoryOf>,
  pinned: Pinned | undefined,
): string | undefined {
  if (at(obj, 'spec', 'sourceRef', 'kind') !== 'GitRepository' || !pinned) return undefined
  const name = sourceRefName(obj)
  const repository = gitRepositories.get(name)
  const pin = repository && fluxPin(repository.ref, pinned)
  if (!pin) return undefined
  return `Flux Kustomization ${namespacedName(obj)} deploys from GitRepository ${name}, pinned to ${describePin(pin)}: kustomize-controller builds that revision, not the one under review, so it is not rendered.`
}
