/** What gitops verify takes and what it answers: its own module, so the steps verify.ts runs read them without importing it. */
import type {Helm} from '../../effects/helm.js'
import type {Kustomize} from '../../effects/kustomize.js'
import type {GitopsPolicy, LayoutReport} from '../layout/index.js'
import type {LayoutDetection} from '../layout/detect.js'
import type {RenderReport} from '../gate/gate.js'
import type {EvidenceRecord, GitopsFinding, RuleId} from '../rules/index.js'
import type {RegisteredClusters, ScmProviderApi} from '../model/types.js'
import type {EvidenceVerifier} from '../evidence/types.js'
import type {SourceRepoEntry} from '../revision/source-repos.js'

export interface GitopsVerifyInput {
  root: string
  policy: GitopsPolicy
  /** The `gitopsPolicy` keys ameide.yaml sets: the layout is detected from the checkout unless they set it. */
  gitopsKeys?: readonly string[]
  /** Overlays to check (default: every environment of the policy, and any other overlay present). */
  environments?: string[]
  rules?: RuleId[]
  evidence?: {verifier: EvidenceVerifier; concurrency: number}
  /** Parse every file, without the line prefilter (evidence needs every reference; tests compare both ways). */
  parseEveryFile?: boolean
  /** The CLI version: per-file results are cached under the checkout's git directory (not with evidence). */
  cacheVersion?: string
  /** Threads for the per-file half (default: src/core/threads.ts scanThreads()). */
  threads?: number
  /** `--render`: judge the rendered output of the render roots (src/gitops/gate/). */
  render?: {
    kustomize: Kustomize
    helm?: Helm | Promise<Helm | undefined>
    /** `render-unavailable` is an error: `--require-render`, or nothing renders here (asked after the renders). */
    requireRender: () => boolean
    concurrency?: number
    /** Request nothing from chart repositories (`--offline`). */
    offline?: boolean
    /** The checkout is someone else's: nothing it names is fetched. */
    untrusted?: boolean
    /** The clusters Argo CD lists (`--argocd-server`): the `clusters` generators select from them. */
    clusters?: RegisteredClusters
    /** GitHub's API (`--scm-provider github`): the `scmProvider.github` generators ask it. */
    scm?: ScmProviderApi
    /** `--source-repo`: other repositories mapped to local checkouts (gitopsPolicy.sourceRepositories added). */
    sourceRepos?: readonly SourceRepoEntry[]
    /**
     * The branches the CI job reviews (src/effects/actions.ts reviewedBranches), besides the branch checked out and
     * the default one: a source of this repository at one is the checkout; at any other ref, that ref's commit.
     */
    reviewed?: readonly string[]
  }
}

/** The `--json` result of `ameide gitops verify` (schemas/gitops-verify.schema.json). */
export interface GitopsVerifyResult {
  summary: 'pass' | 'fail'
  environments: string[]
  rules: RuleId[]
  findings: GitopsFinding[]
  counts: Partial<Record<RuleId, number>>
  files: {checked: number; skipped: Array<{file: string; reason: string}>}
  evidence?: EvidenceRecord[]
  /** Absolute path of the SARIF file written with --sarif. */
  sarif?: string
  /** With --print-layout (no rule runs): every YAML file, its zone and whether it is checked for pinning. */
  layout?: LayoutReport
  /** With --render: the roots and charts rendered, the objects judged, the kinds without a schema. */
  render?: RenderReport
  /** The layout used and why: configured in ameide.yaml or detected from the checkout. */
  detection?: LayoutDetection
}
