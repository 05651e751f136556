/**
 * The render plan's types (./roots.ts plans it, ./flux-roots.ts finds what Flux deploys) and the rules both read: a
 * file's environment, a folder's normal form, whether an environment is one asked for.
 */
import type {GitArtifact} from '../model/render-inputs.js'
import path from 'node:path'

import type {Layout} from '../layout/index.js'
import type {KustomizationNode} from '../kustomize/kustomizations.js'

export interface RenderRoot {
  /** Repo-relative folder holding the kustomization. */
  dir: string
  /** The environment the root deploys to (null when no overlay or declaring file names one). */
  environment: string | null
  /**
   * How it was found: an overlay kustomization, a Flux Kustomization, an Argo CD Application, the config, or a
   * top-level kustomization nothing includes.
   */
  via: 'overlay' | 'flux' | 'argocd' | 'config' | 'root'
  /** The rule that found it, in words (`overlay glob envs/{env}/**`, `spec.path of a Flux Kustomization`, …). */
  rule?: string
  /** The file that declared it (Flux / Argo CD), repo-relative. */
  declaredIn?: string
  /** The deployable: an Argo CD Application's name, or a HelmRelease's namespace/name. */
  application?: string
  /**
   * An Argo CD Application's `destination.namespace`: given, as Argo CD applies it, to every namespaced object that
   * names none; part of the render key.
   */
  namespace?: string
  /** A Flux Kustomization's fields kustomize-controller applies around the build (./flux-kustomization.ts). */
  flux?: FluxFields
  /**
   * The Flux Kustomization (`namespace/name`) that deploys a `via: 'flux'` root: part of the render key, so a folder
   * a change makes a Kustomization deploy is rendered and judged in the head, whatever it did in the base.
   */
  deployedBy?: string
  /**
   * A root a Flux Kustomization deploys from a GitRepository: that GitRepository's fields that decide what its
   * artifact holds (absent: the GitRepository is not in the revision; its artifact still leaves out what the
   * `.sourceignore` files and source-controller's defaults exclude). The render module makes the artifact of the
   * revision before the build (./artifact.ts).
   */
  artifact?: GitArtifact
  /**
   * The tree a Flux root is built from when its GitRepository is pinned to another commit of this repository (`dir`:
   * where it is mounted; `generated`: the resources of the kustomization kustomize-controller generates for a folder
   * of that tree that has none): built on its own, keyed by that commit, never from the revision under review.
   */
  tree?: {dir: string; commit: string; generated?: string[]}
}

export interface RenderPlan {
  roots: RenderRoot[]
  /** Flux roots of another tree (a GitRepository of this repository pinned to another commit), built on their own. */
  trees: RenderRoot[]
  /** Folders `gitopsPolicy.render.roots` names that hold no kustomization. */
  missingRoots: string[]
  /**
   * Flux Kustomizations whose source the gate does not render (an OCIRepository, a Bucket, an ExternalArtifact it
   * cannot map to this repository's folders): render-unavailable, named; `reads` and `spec` are their inputs.
   */
  unavailable: Array<{
    file: string
    line: number
    environment: string | null
    message: string
    spec: unknown
    reads: string[]
    /**
     * The folder of this revision it deploys, where only its fields are not rendered (a `substituteFrom` the revision
     * does not hold, a field the gate does not apply): what that folder's build reads is its input too.
     */
    root?: string
    /** The Kustomization's `namespace/name`. */
    deployedBy?: string
  }>
  /** Flux Kustomizations whose `spec.path` leaves the revision (`tree`: the pinned tree it leaves): refused, never read. */
  outside: Array<{path: string; declaredIn: string; environment: string | null; tree?: string; deployedBy?: string}>
  /** Flux Kustomizations not read (a YAML error, past ameide's limits): what they deploy is unknown. */
  unread: Array<{file: string; line: number; message: string}>
  /**
   * Flux Kustomizations whose `spec.path` names a folder this revision does not hold (or holds no file in):
   * kustomize-controller fails (path not found), so what they deploy is not known: render-failed, named.
   */
  notFound: Array<{
    file: string
    line: number
    environment: string | null
    message: string
    spec: unknown
    deployedBy?: string
  }>
  kustomizations: Map<string, KustomizationNode>
  /**
   * Plans a Flux Kustomization a build prints (its body, the file it came from) as the revision's own are planned, in
   * the environment of that build: its roots (a generated kustomization added where the folder has none), or why not.
   */
  planFlux?: (k: {obj: unknown; file: string; line: number}, environment: string | null) => PrintedFluxPlan
}

/** What a Flux Kustomization a build prints deploys: its roots, or why it is not rendered. */
export type PrintedFluxPlan = Pick<RenderPlan, 'unavailable' | 'outside' | 'notFound' | 'trees' | 'roots'>

/** A file's environment: the one of the overlay it lies in (null outside every overlay). */
export const envOf = (layout: Layout, file: string): string | null => {
  const zone = layout.zoneOf(file)
  return zone?.kind === 'overlay' ? zone.env : null
}

/** A repo-relative folder without `./`, a trailing `/` or a lone `.`. */
export const clean = (p: string) => path.posix.normalize(p.replace(/^\.\//, '')).replace(/\/$/, '').replace(/^\.$/, '')

/** Whether an environment is one of `environments` (undefined: every one is asked for). */
export const inScope = (environments: readonly string[] | undefined, environment: string | null): boolean =>
  !environments || (environment !== null && environments.includes(environment))

export interface FluxFields {
  /** The kustomization fields they set (namespace, namePrefix, nameSuffix, images, patches, components): what they read. */
  edits: Record<string, unknown>
  /**
   * The spec fields kustomize-controller's generator writes into the folder's kustomization (the render module's
   * `flux generate`, go/flux_generate.go), when any is set.
   */
  generate?: Record<string, unknown>
  /** The post-build variables: substituteFrom's data merged in order, postBuild.substitute's over them. */
  substitute?: Record<string, string>
  /** postBuild.substituteStrategy: Always (substituted even with no variable, for `${var:=default}`). */
  substituteAlways?: true
  commonMetadata?: {labels?: Record<string, string>; annotations?: Record<string, string>}
  /** spec.buildMetadata: the build annotations kustomize-controller keeps (originAnnotations, transformerAnnotations). */
  buildMetadata?: string[]
}
