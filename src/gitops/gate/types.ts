/**
 * What the render gate (./gate.ts) takes and gives, and what its waves share (GateContext): the input, the report,
 * the result.
 */
import type {Helm} from '../../effects/helm.js'
import type {Kustomize} from '../../effects/kustomize.js'
import type {FluxPostBuild} from '../../effects/render-module/flux.js'
import type {Jsonnet} from '../../effects/render-module/jsonnet.js'
import type {KubeValidator} from '../../effects/render-module/kube-validate.js'
import type {ChartFetcher, FetchedChart} from '../helm/charts/fetcher.js'
import type {YamlModule} from '../../images/yaml/index.js'
import type {ArgoApplication, RegisteredClusters, ScmProviderApi} from '../model/types.js'
import type {CheckoutIdentity} from '../model/context.js'
import type {PullRequest} from '../model/types.js'
import type {Layout} from '../layout/index.js'
import type {GitopsFinding} from '../rules/index.js'
import type {RenderedRoot} from '../render/render.js'
import type {AppOfApps} from '../argocd/app-of-apps/app-of-apps.js'
import type {RenderCache} from '../render/cache.js'
import type {RenderFindings} from '../render/gate-findings.js'
import type {NotRendered} from '../render/not-rendered.js'
import type {CrdScopes} from '../kubernetes/crd-scopes.js'
import type {HelmStatus} from '../helm/render.js'
import type {Judge, RenderedImage} from '../render/judge.js'
import type {RenderedObject} from '../kubernetes/objects.js'
import type {Refusals} from '../render/refusals.js'
import type {RenderPlan, RenderRoot} from '../render/plan-types.js'
import type {FluxPrintedBy, PrintedBy} from './printed-unknown.js'

export interface RenderGateInput {
  root: string
  files: string[]
  layout: Layout
  yaml: YamlModule
  environments?: string[]
  kustomize: Kustomize
  /**
   * Argo CD's jsonnet evaluation (the render module's go-jsonnet); null: none (a source holding jsonnet is
   * render-unavailable). Undefined: the render module's, when it is built (./renderers.ts findJsonnet).
   */
  jsonnet?: Jsonnet | null
  /**
   * A Flux Kustomization's post-build variable substitution (the render module's fluxcd/pkg envsubst); null: none (a
   * root with variables is render-unavailable). Undefined: the render module's, when it is built.
   */
  fluxPostBuild?: FluxPostBuild | null
  /**
   * The API server's validation of CRDs and custom resources (the render module's apiextensions-apiserver); null:
   * none (each custom resource is said unchecked). Undefined: the render module's, when it is built.
   */
  kubeValidator?: KubeValidator | null
  /** helm, or its probe still running (`helm version`): awaited before the first render. */
  helm?: Helm | Promise<Helm | undefined>
  /** The files git tracks and the URLs that name this repository: Applications and GitRepositories there render. */
  checkout: CheckoutIdentity
  cache?: RenderCache
  /**
   * Fetches the charts of chart repositories the base declares (src/gitops/helm/charts). Undefined: none is fetched, each
   * such chart is render-unavailable.
   */
  charts?: ChartFetcher
  /** `render-unavailable` is an error (`--require-render`, or nothing renders here: asked as each is found). */
  requireRender: () => boolean
  concurrency: number
  /** Each deployable's rendered objects, rendered or answered from the cache (what `gitops diff` compares). */
  onRendered?: (unit: RenderedUnit) => void
  /**
   * Told each deployable's render-cache key (needs `cache`): true leaves it unrendered and unjudged, status
   * `skipped` (`gitops diff`: its inputs are the same in both revisions, so is its output).
   */
  skip?: (unit: Omit<RenderedUnit, 'objects' | 'declaredIn'>, key: string) => boolean
  /** The pull request the ApplicationSets' pull-request generators list (`gitops preview`). */
  pullRequest?: PullRequest
  /** The clusters Argo CD lists (`--argocd-server`), which the ApplicationSets' `clusters` generators select from. */
  clusters?: RegisteredClusters
  /** GitHub's API (`--scm-provider github`): the `scmProvider.github` generators ask it. */
  scm?: ScmProviderApi
  /**
   * Only these Applications render (`gitops preview`: those a pull-request generator made): no overlay, Flux or
   * configured root, no HelmRelease.
   */
  onlyApplications?: (app: ArgoApplication) => boolean
  /** Told every Application read, generated or followed (`gitops diff`: the base's `ignoreDifferences`). */
  onApplication?: (app: ArgoApplication) => void
}

/** One rendered deployable: a kustomize root, or a Helm deployable (an Application's Helm source, a HelmRelease). */
export interface RenderedUnit {
  /** `directory`: an Argo CD directory source (a folder of plain manifests). */
  kind: 'kustomize' | 'Application' | 'HelmRelease' | 'directory'
  /** The root folder, the chart, or the directory source's folder. */
  dir: string
  environment: string | null
  application?: string
  /** A Flux Kustomization's root: the Kustomization (`namespace/name`) that deploys it. */
  deployedBy?: string
  declaredIn: string
  objects: RenderedObject[]
}

/** What `--render` did, in the verify result (`render`). */
export interface RenderReport {
  kubernetesVersion: string
  /**
   * The renderers that rendered (the render module's Helm, null when it is not built; its kustomize, `not built`) and
   * what confines them (`webassembly (go1.26.8)`; null: not built, nothing rendered); go-jsonnet's
   * release in the render module (null: not built, jsonnet is not evaluated); fluxcd/pkg envsubst's, which substitutes
   * Flux post-build variables (null: not built, a Flux root with variables is render-unavailable).
   */
  tools: {
    helm: string | null
    kustomize: string
    /** What confined the renders: `seccomp: the native helper (go…)` or `webassembly (go…)`; null: not built. */
    sandbox: string | null
    jsonnet?: string | null
    envsubst?: string | null
    /**
     * The engine that rendered: `helm template`, `kustomize build` (with Argo CD's and Flux's steps before it), jsonnet
     * and Flux's post-build substitution, all in one engine: `native (seccomp)` or `wasm: <why not native>`; null when
     * none was rendered.
     */
    engine?: string | null
  }
  /** `skipped`: only with `skip` (gitops diff). */
  roots: Array<
    RenderRoot & {status: 'rendered' | 'cached' | 'failed' | 'unavailable' | 'refused' | 'skipped'; objects: number}
  >
  /** Every Helm deployable (an Application's Helm source, a HelmRelease) and what became of it. */
  deployables: HelmStatus[]
  /** Every Argo CD directory source (a folder of plain manifests) and what became of it. */
  directories: DirectoryStatus[]
  /** Rendered objects, and the containers among them the image rules judged. */
  objects: number
  containers: number
  /** Kinds with no schema anywhere (not built in, no CRD): counted, each said by a `schema-unknown` finding. */
  unknownKinds: Array<{apiVersion: string; kind: string; count: number}>
  /** Every rendered container image, with the source line that decided it. */
  images: RenderedImage[]
  /** The charts fetched from chart repositories (or answered from the chart cache) for this run. */
  charts?: FetchedChart[]
}

export interface DirectoryStatus {
  application: string
  dir: string
  environment: string | null
  declaredIn: string
  status: 'rendered' | 'failed' | 'refused' | 'unavailable' | 'skipped'
  objects: number
}

export interface RenderGateResult {
  findings: GitopsFinding[]
  report: RenderReport
  /** Files some rendered root read: their source-level image findings give way to the rendered ones. */
  covered: Set<string>
  /**
   * Each not-rendered finding with the inputs of what it is about (their key with `cache`, else unknowable):
   * `gitops diff`'s verdict is decided from these (src/gitops/diff/verdict.ts).
   */
  notRendered: NotRendered[]
  /** Files declaring deployables that were not read (a YAML error, past ameide's limits): what they deploy is unknown. */
  unread: string[]
}

/** What the waves of one gate run share: its input, its findings and report, and what judges and follows. */
export interface GateContext {
  input: RenderGateInput
  out: RenderFindings
  report: RenderReport
  refusals: Refusals
  judge: Judge
  apps: AppOfApps
  /** Files some render read (their source-level findings give way to the rendered ones). */
  covered: Set<string>
  /** The targets of in-bounds links among `paths`: inputs of whatever reads through them. */
  linked: (paths: readonly string[]) => string[]
  /** With `input.skip`: whether a unit whose key is unchanged stays unrendered (unless it may hold Applications). */
  skipUnless?: (
    inputs: () => readonly string[],
  ) => (unit: Omit<RenderedUnit, 'objects' | 'declaredIn'>, key: string) => boolean
  helm: Helm | undefined
  toolVersions: string
  /** The scopes the revision's CustomResourceDefinitions declare (./crd-scopes.ts); their digest is in toolVersions. */
  crds: CrdScopes
  /**
   * The HelmReleases the kustomize roots of the wave built, each with the objects of its build (the ConfigMaps and
   * Secrets its `valuesFrom` names there): ./helm-releases.ts reads them before the Helm wave.
   */
  builtReleases: Array<{root: RenderRoot; object: RenderedObject; printed: readonly RenderedObject[]}>
  /** The Flux Kustomizations the kustomize roots of the wave built (./flux-kustomizations.ts follows them). */
  builtKustomizations: Array<{root: RenderRoot; object: RenderedObject}>
  /**
   * The Flux Kustomizations followed as builds print them (./flux-kustomizations.ts): the roots planned from a file
   * that no build applies as written (withdrawn), the Kustomizations (`file\0name`) some build prints as written, and
   * the printed ones already planned, and the plan's findings on Kustomizations of files a build reads, held until
   * the waves say whether a build prints them otherwise.
   */
  fluxBuilt: {
    withdrawn: Set<RenderRoot>
    asFiled: Set<string>
    followed: Set<string>
    held: Pick<RenderPlan, 'notFound' | 'unavailable' | 'outside'>
  }
  /** Guessed roots built ahead to see whether they print Applications (./kustomize.ts printingRoots): taken later. */
  probed: Map<RenderRoot, RenderedRoot>
  /** What each root no Application deploys prints from its files (./printed-unknown.ts): unknown where it fails. */
  printedBy: PrintedBy
  /** The Flux roots each root no Application deploys applies (./printed-unknown.ts): unknown where it fails. */
  fluxPrintedBy: FluxPrintedBy
}
