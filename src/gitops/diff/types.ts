/**
 * The result of `gitops diff` (schemas/gitops-diff.schema.json): what a change between two revisions of a GitOps
 * checkout does to what Argo CD and Flux deploy — deployables added, removed and changed per environment, each
 * changed deployable's objects with a unified diff, the images that move, the render gate's verdict delta, and what
 * could not be read or rendered.
 */
import type {DependencySite} from '../../effects/helm.js'
import type {FetchedChart} from '../helm/charts/fetcher.js'
import type {RenderedObjectRef} from '../rules/rule.js'

export interface DiffRevision {
  /** What was compared: the revision as given (or how it was chosen), `working tree` for the checkout's files. */
  revision: string
  /** The commit (null: the working tree). */
  commit: string | null
  /** How it was chosen: `--base`, `merge-base with origin/main`, `--head`, `working tree`. */
  chosenBy: string
}

export type ObjectChange = 'added' | 'removed' | 'changed'

export interface ObjectDiff {
  change: ObjectChange
  apiVersion: string
  kind: string
  namespace?: string
  name: string
  /**
   * `unknown`: its kind's scope is not known offline (no CRD in the revision, not a Kubernetes or well-known API
   * group): the destination namespace was not given to it, and none is invented.
   */
  scope?: 'unknown'
  /** Data masked: a Secret, a kind in gitopsPolicy.diff.maskKinds, or a List holding one (values shown as <masked>). */
  masked: boolean
  /** The unified diff of the object (keys in a stable order), from /dev/null for an added one. */
  diff: string
  /** A changed object: the fields the API server refuses to update (./immutable.ts), and what its controller does. */
  update?: UpdateRefusal
  /** A removed object: whether its controller deletes it (./controller.ts). */
  prune?: {pruned: boolean | null; why: string}
}

/** What an update may not change, changed: refused by the API server, or replaced by the controller. */
export interface UpdateRefusal {
  /** `refused`: the sync fails ("field is immutable"); `replaced`: the controller is marked to replace the object. */
  outcome: 'refused' | 'replaced'
  fields: Array<{field: string; why: string}>
  /** Refused: what Argo CD / Flux would need (their replace marker), else a delete and recreate. */
  needs?: string
  /** Replaced: the marker that makes the controller replace it. */
  replacedBy?: string
}

/** An object named without its diff (one folded or ignored by the diff's policy). */
export interface ObjectRef {
  apiVersion: string
  kind: string
  namespace?: string
  name: string
}

/** The objects of a deployable whose only change is chart-bump metadata: one line, counted, listed. */
export interface FoldedMetadata {
  /** `metadata only: helm.sh/chart app-1.0.0 → app-1.0.1 on 12 objects`. */
  line: string
  /** Each change, in words (`helm.sh/chart app-1.0.0 → app-1.0.1`, `checksum/config changed`). */
  changes: string[]
  objects: ObjectRef[]
}

export interface DeployableDiff {
  change: ObjectChange
  /** `kustomize` root, a Helm deployable's kind, or `directory` (an Argo CD directory source). */
  kind: 'kustomize' | 'Application' | 'HelmRelease' | 'directory'
  environment: string | null
  /** The Argo CD Application (or HelmRelease namespace/name); absent for a kustomize root no Application names. */
  application?: string
  /** The root folder or chart. */
  source: string
  declaredIn: string
  /** For a kustomize root: the rule that found it (`overlay glob envs/{env}/**`, a top-level kustomization, …). */
  foundBy?: string
  /** The deployable's source in the base when it moved (a folder renamed, an Application's path changed). */
  movedFrom?: string
  objects: ObjectDiff[]
  /** Objects whose only change is chart-bump metadata (not in `objects`, not in `changed`). */
  folded?: FoldedMetadata
  /** Objects whose every change the base's ignore rules cover (not in `objects`, not in `changed`), with the rules. */
  ignored?: Array<ObjectRef & {rules: string[]}>
  /** `folded` and `ignored`: the objects counted apart (always given by this version). */
  counts: {added: number; removed: number; changed: number; unchanged: number; folded?: number; ignored?: number}
}

export interface ImageMove {
  environment: string | null
  application?: string
  source: string
  object: RenderedObjectRef
  from: string | null
  to: string | null
  /** `to` is pinned by digest. */
  pinned: boolean
  /** The line that decided `to` (`from` when the container is removed), as the render gate attributes it. */
  file: string
  line: number
  how: string
}

export interface VerdictFinding {
  rule: string
  severity: 'error' | 'warning'
  file: string
  line: number
  message: string
  environment?: string
  application?: string
  object?: RenderedObjectRef
}

export interface DiffFailure {
  revision: 'base' | 'head'
  rule:
    | 'render-failed'
    | 'render-unavailable'
    | 'render-refused'
    | 'render-limit'
    | 'revision-unreadable'
    | 'application-invalid'
  file: string
  line: number
  environment?: string
  application?: string
  message: string
  /** A chart not rendered for one of its dependencies: the Chart.yaml line that asked, the repository asked. */
  dependency?: DependencySite
}

export interface DiffLayout {
  source: 'configured' | 'detected'
  /** What was detected (`seed`, `flux`, `kustomize`, `argocd`, `plain`, `none`), or the configured preset. */
  layout: string
  preset: string
  evidence: string[]
}

export interface RenderCounts {
  rendered: number
  cached: number
  unchanged: number
}

export interface GitopsDiffResult {
  /**
   * `changed`: the deployed objects differ; `unchanged`: they do not; `incomplete`: something the change touches was
   * not rendered, or nothing was found to render.
   */
  summary: 'changed' | 'unchanged' | 'incomplete'
  base: DiffRevision
  head: DiffRevision
  /** The layout both revisions were read with (the head's): configured in ameide.yaml or detected, as verify does. */
  layout?: DiffLayout
  /** Where the diff's policy came from (the base's ameide.yaml), and what the head does to it. */
  policy?: DiffPolicy
  /** The charts fetched from chart repositories the base declares (or answered from the chart cache), both revisions'. */
  charts?: FetchedChart[]
  environments: Array<string | null>
  counts: {
    applicationsAdded: number
    applicationsRemoved: number
    deployablesAdded: number
    deployablesRemoved: number
    deployablesChanged: number
    objectsAdded: number
    objectsRemoved: number
    objectsChanged: number
    imagesMoved: number
    findingsFixed: number
    findingsIntroduced: number
    failures: number
    /** Objects whose only change is chart-bump metadata, folded (out of --exit-code's count). */
    objectsFolded?: number
    /** Objects whose every change the base's ignore rules cover (out of --exit-code's count). */
    objectsIgnored?: number
  }
  /** The noise policy applied (the base's): chart-metadata folding, the ignore rules used, what could not be applied. */
  noise?: {
    foldChartMetadata: boolean
    /** Where each ignore rule of the base was written. */
    rules: string[]
    notApplied: Array<{source: string; what: string; why: string}>
  }
  applications: {
    added: Array<{kind: string; environment: string | null; name: string}>
    removed: Array<{kind: string; environment: string | null; name: string}>
  }
  images: ImageMove[]
  verdict: {fixed: VerdictFinding[]; introduced: VerdictFinding[]}
  deployables: DeployableDiff[]
  /**
   * Deployables whose source moved (matched by their Application or HelmRelease, or by rendering the same objects):
   * one deployable, not one removed and one added; listed whether or not their objects changed.
   */
  moves: Array<{kind: string; environment: string | null; application?: string; from: string; to: string}>
  failures: DiffFailure[]
  /**
   * Deployables per revision: rendered now, answered from the render cache, or not rendered at all because their
   * inputs are the same in both revisions (so are their objects).
   */
  renders: {
    base: RenderCounts
    head: RenderCounts
    /**
     * The engine that rendered: `helm template`, `kustomize build` (with Argo CD's and Flux's steps before it), jsonnet
     * and Flux's post-build substitution, all in one engine: `native (seccomp)` or `wasm: <why not native>`; null when
     * none was rendered.
     */
    engine?: string | null
  }
  /** With --markdown FILE: where it was written, its length and whether it was cut to fit a comment. */
  markdown?: {file: string; characters: number; truncated: boolean}
  /** With --markdown-parts DIR: the comments written (comment-1.md, …), none cut, each within GitHub's limit. */
  markdownParts?: {dir: string; files: string[]; characters: number[]}
}

/** The diff's policy: the base revision's ameide.yaml; a head that changes it is reported, never applied. */
export interface DiffPolicy {
  from: 'base'
  file: string
  /** Whether the base holds one (else ameide's defaults decide). */
  present: boolean
  /** The head changes (adds, edits, removes) it: the change is shown, not applied to this diff. */
  changed: boolean
  /** The change, as a unified diff (when changed). */
  diff?: string
  /** Why the head's ameide.yaml is invalid (when changed and it is). */
  headInvalid?: string
}
