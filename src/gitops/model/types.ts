/**
 * What Argo CD and Flux deploy from the checkout, as the render gate reads it: one model of an Argo CD Application,
 * whether it was written in a file or generated offline from an ApplicationSet, so every later step (the helm
 * invocation, the value layers, the line that decided an image) reads one shape.
 */

import type {TemplateEngine} from '../../effects/gotemplate/index.js'

/** A path into an Application's `spec`, e.g. `['source', 'helm', 'parameters', 0, 'value']`. */
export type SpecPath = ReadonlyArray<string | number>

/** An Argo CD Application: from a file of the checkout, or generated offline by an ApplicationSet. */
export interface ArgoApplication {
  /** `metadata.name` (an ApplicationSet's generated name after templating). */
  name: string
  /** `metadata.namespace`; for a generated one, the ApplicationSet's namespace (Argo CD forces it). */
  namespace?: string
  /** `spec` as plain JSON, after templating and `templatePatch` for a generated one. */
  spec: Record<string, unknown>
  /** The repo-relative (posix) file and 1-based line of the Application document, or of the ApplicationSet. */
  file: string
  line: number
  /**
   * The 1-based line in `file` that wrote the value at `path` under `spec` (for a generated Application: the line
   * of the ApplicationSet's template that produced it), or undefined when no line is known.
   */
  lineOf(path: SpecPath): number | undefined
  /** Set for an Application an ApplicationSet generated. */
  generatedBy?: {
    applicationSet: string
    params: Record<string, unknown>
    /** A pull-request generator (alone, or in a matrix or merge) took part, with a given pull request. */
    pullRequest?: boolean
  }
  /** A generated Application's `metadata` as the controller writes it (labels, annotations, finalizers). */
  metadata?: Record<string, unknown>
  /** The environment the generator's parameters name (an `environment`/`env` parameter, or `environments/<env>/`). */
  environment?: string
}

/** A generator the gate cannot evaluate offline (cluster, pullRequest, scmProvider, clusterDecisionResource, …). */
export interface NotRendered {
  file: string
  line: number
  /** The ApplicationSet's name. */
  applicationSet: string
  /** The generator's key, e.g. `pullRequest`, or `matrix.scmProvider`. */
  generator: string
  why: string
}

/** An ApplicationSet that could not be evaluated (a template error, a bad generator): a `render-failed` finding. */
export interface ExpansionError {
  file: string
  line: number
  applicationSet: string
  message: string
}

export interface ApplicationSetExpansion {
  applications: ArgoApplication[]
  notRendered: NotRendered[]
  errors: ExpansionError[]
  /** The ApplicationSet was not evaluated: the Go template engine cannot run here (why, and how to get it). */
  unavailable: ExpansionError[]
  /** With a given pull request: the pull-request generators whose filters dropped it (`labels`, `filters`). */
  notPreviewed?: Array<{file: string; line: number; applicationSet: string; reason: string}>
}

/** What evaluating an ApplicationSet offline may read: the checkout, never the network or a cluster. */
export interface ExpansionContext {
  /** Files git tracks at HEAD, repo-relative, sorted (what the git files generator lists: `git ls-files`). */
  trackedFiles: readonly string[]
  /** Whether a `repoURL` names this checkout (its origin, or a URL the policy lists). */
  isThisRepository(repoURL: string): boolean
  /** False when nothing names this checkout (no origin remote, no URL the policy lists): no repoURL can be told to be it. */
  named?: boolean
  /** Reads a repo-relative file as text (undefined when it cannot be read). */
  readText(file: string): string | undefined
  /**
   * What `readText(file)` answers, known without reading it: git's blob id of a regular file the revision holds at
   * that path, or `absent` where it holds no text (undefined: not known so; the property absent: the working tree,
   * another tree). Kept steps record it (src/gitops/memo).
   */
  textId?(file: string): string | undefined
  /** Go's template engine as Argo CD runs it, started on first use; throws TemplateEngineUnavailable. */
  templateEngine(): TemplateEngine
  /** The pull request a pull-request generator lists (`gitops preview`); without it that generator is not rendered. */
  pullRequest?: PullRequest
  /** The clusters registered in Argo CD (`--argocd-server`); without them the `clusters` generator is not rendered. */
  clusters?: RegisteredClusters
  /** GitHub's API (`--scm-provider github`); without it the `scmProvider` generator is not rendered. */
  scm?: ScmProviderApi
  /** Applications (and a matrix's parameter sets) one ApplicationSet may yield: `gitopsPolicy.maxApplications`. */
  maxApplications: number
}

/** Argo CD's registered clusters as its API lists them (src/gitops/argocd/applicationset/clusters-listing.ts), or why they were not read. */
export type RegisteredClusters = {clusters: readonly RegisteredCluster[]} | {unreadable: string}

/** One cluster: a cluster Secret, or Argo CD's built-in local cluster (no Secret). */
export interface RegisteredCluster {
  name: string
  server: string
  project: string
  /** The Secret's labels (the API leaves out `argocd.argoproj.io/secret-type`, every cluster Secret's). */
  labels: Readonly<Record<string, string>>
  annotations: Readonly<Record<string, string>>
  /** False for the in-cluster entry Argo CD lists when no Secret names `https://kubernetes.default.svc`. */
  secret: boolean
}

/**
 * The run's SCM API as the generator holds it (`--scm-provider`, ExpansionContext.scm), whatever the provider: which
 * provider it asks and where. Its answers are read through `ScmApi`, once the provider is known to be this one.
 */
export interface ScmProviderApi {
  /** The provider asked, as the generator names it (`github`, …). */
  readonly provider: string
  /** The API URL every request goes to, no trailing slash. */
  readonly apiUrl: string
}

/** A repository at one branch, as every provider answers Argo CD's generator (scm_provider.Repository). */
export interface ScmRepository {
  organization: string
  repository: string
  url: string
  branch: string
  sha: string
  labels: readonly string[]
  /** The provider's id of the repository (a number, or a string where the provider's is one). */
  repositoryId: number | string | null
}

/** One pull request of the code repository, as the SCM provider would list it. */
export interface PullRequest {
  number: number
  /** 40 lowercase hex characters. */
  headSha: string
  branch?: string
  targetBranch?: string
  labels: readonly string[]
  author?: string
  title?: string
  /** The web URL of the repository the PR is in (`https://github.com/acme/web`). */
  repository?: string
}
