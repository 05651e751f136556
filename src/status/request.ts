/** What a status run is given — the request and the sources it asks — and how a source's failure reads. */
import {AmeideError} from '../core/errors.js'
import type {EvidenceVerifier} from '../gitops/evidence/types.js'
import type {Kind} from '../primitives/kinds.js'
import type {PlanInput} from './plan.js'
import type {PrimitiveStatus, PullRequestRef, StatusResult} from './types.js'

/** What status asks of the outside world; the command builds the real ones, tests may pass their own. */
export interface StatusSources {
  /** The verify verdict of a primitive; null: --skip-verify. */
  verify: ((p: {kind: Kind; name: string}) => Promise<VerifyVerdict>) | null
  registry: {headManifest(repository: string, reference: string): Promise<{digest: string} | null>}
  /** --evidence: signature, SBOM and provenance of a digest ref, judged as `gitops verify --evidence` judges them. */
  evidence: EvidenceVerifier | null
  /** The GitOps repository at its ref, or why it cannot be read. */
  gitops: GitOpsReader | Unavailable
  /** Argo CD; null without --argocd-server. */
  argocd: ArgoReader | Unavailable | null
}

export interface VerifyVerdict {
  summary: 'pass' | 'fail'
  failedChecks: string[]
  findings: number
  /** A tool a check needs is missing (its message): the verdict cannot be known. */
  missingTool?: string
}

export interface GitOpsReader {
  /** A file's text on the base branch, or null when it does not exist. */
  readFile(path: string): Promise<string | null>
  /** The open pull requests of the repository (listed once per run). */
  openPullRequests(): Promise<PullRequestRef[]>
}

export interface ArgoReader {
  getApplication(
    name: string,
  ): Promise<{name: string; sync: string; health: string; revision?: string; images: string[]} | null>
}

export interface Unavailable {
  unavailable: string
}

export interface StatusRequest extends PlanInput {
  primitives: Array<{kind: Kind; name: string}>
  gitopsRepository: string
  gitopsRef: string
  argocdServer: string | null
  concurrency?: number
  /** Builds the exact nextSteps commands (GitOps repository flags). */
  onPrimitiveDone?: (p: PrimitiveStatus) => void
}

export interface StatusOutcome {
  result: Omit<StatusResult, 'requests'>
  /** A remote kept failing (after retries) for some link: exit 4. */
  remoteFailed: boolean
}

export const isUnavailable = (x: unknown): x is Unavailable => typeof (x as Unavailable)?.unavailable === 'string'

/** Why a source could not answer, and whether it was a remote that kept failing. */
export function unknownFrom(error: unknown): {reason: string; remote: boolean} {
  if (error instanceof AmeideError) return {reason: error.message, remote: error.exitCode === 4}
  const e = error as {name?: string; message?: string; status?: number; rateLimited?: boolean; reason?: string}
  if (e?.name === 'GitHubApiError') {
    const status = e.status ?? 0
    return {reason: e.message ?? 'GitHub failed', remote: status === 0 || status >= 500 || e.rateLimited === true}
  }
  if (e?.name === 'ArgoCdError') return {reason: e.message ?? 'Argo CD failed', remote: e.reason === 'unavailable'}
  return {reason: e?.message ?? String(error), remote: false}
}

export type Ask = <T>(fn: () => Promise<T>) => Promise<{ok: true; value: T} | {ok: false; reason: string}>
export type OpenPulls = () => Promise<{ok: true; value: PullRequestRef[]} | {ok: false; reason: string}>
