/**
 * What a Flux Kustomization builds from, as its inputs: the source objects of the revision (a moved tag, ref or URL
 * touches every Kustomization built from it) and whether the GitRepository of this repository it names is pinned to
 * another revision than the one under review (../revision/pinned.ts), whose tree it is then built from.
 */
import {describePin, fluxPin, type Pin, type Pinned} from '../../revision/pinned.js'
import type {MappedSource} from '../../revision/source-repos.js'
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

/** Where a Flux Kustomization over a pinned GitRepository is built from: that commit's tree, or why it is not. */
export type PinnedTree = {tree: MappedSource; where: string} | {message: string}

/**
 * A Flux Kustomization over a GitRepository of this repository pinned to another revision (`spec.ref`: another
 * branch, a tag, a commit, a name): kustomize-controller builds that revision, so it is read from the clone at the
 * pin's commit (`treeOf`: ../../revision/source-repos.ts, once per commit), or not rendered, the ref named, where the
 * clone does not hold it (a ref it lacks, a semver range; nothing is fetched). Undefined when it fetches the revision
 * under review (or is not in the revision).
 */
export function pinnedSource(
  obj: unknown,
  gitRepositories: ReadonlyMap<string, GitRepositoryOf>,
  pinned: Pinned | undefined,
  treeOf: ((pin: Pin) => MappedSource | undefined) | undefined,
): PinnedTree | undefined {
  if (at(obj, 'spec', 'sourceRef', 'kind') !== 'GitRepository' || !pinned) return undefined
  const name = sourceRefName(obj)
  const repository = gitRepositories.get(name)
  const pin = repository && fluxPin(repository.ref, pinned)
  if (!pin) return undefined
  const tree = treeOf?.(pin)
  if (tree) return {tree, where: `the revision of this repository at ${describePin(pin)}`}
  return {
    message: `Flux Kustomization ${namespacedName(obj)} deploys from GitRepository ${name}, pinned to ${describePin(pin)}: kustomize-controller builds that revision, which this clone does not resolve to a commit (nothing is fetched), so it is not rendered.`,
  }
}
