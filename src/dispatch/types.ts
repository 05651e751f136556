/**
 * The model of a workflow dispatch followed to its pull request (`primitive gitops scaffold|update-images`): the
 * request, the `--json` result, the events the progress display follows, the timings, the deps tests inject.
 */
import type {DispatchBody, GitHubClient, GitHubTransportOptions} from '../effects/github/index.js'

export type Correlation = 'returned' | 'distinct-id' | 'heuristic'

/** The `--json` result (schemas/gitops-scaffold.schema.json), the same for scaffold and update-images. */
export interface DispatchResult {
  repository: string
  workflow: string
  ref: string
  inputs: Record<string, string>
  dryRun: boolean
  run: {
    id: number
    url: string
    htmlUrl: string
    status: string | null
    conclusion: string | null
    correlation: Correlation
  } | null
  pullRequest: {number: number; url: string; branch: string} | null
  nextSteps: string[]
}

/** Any GitOps workflow dispatch followed to its PR: the inputs are built, the PR branch is known. */
export interface DispatchRequest {
  /** OWNER/NAME */
  repository: string
  workflow: string
  ref: string
  inputs: Record<string, string>
  /** The head branch of the PR the workflow opens. */
  prBranch: string
  /** Finds a PR on another branch name made for the same thing. */
  prSearch: string
  /** Next steps once the PR is found, after "Review and merge". */
  afterPr: string[]
  apiUrl: string
  wait: boolean
  timeoutMs: number
  dryRun: boolean
  env: NodeJS.ProcessEnv
}

/** The exact HTTP request of the dispatch (sent, or in a dry run the one that would be sent). */
export interface DispatchHttpRequest {
  method: 'POST'
  url: string
  body: DispatchBody
}

export interface DispatchOutcome {
  result: DispatchResult
  request: DispatchHttpRequest
  /** Where the token came from, or null when none was used (a dry run without one). */
  tokenSource: string | null
}

/** Delays. Defaults suit GitHub; tests pass milliseconds. Not user-facing flags. */
export interface DispatchTimings {
  /** Poll interval while following a run: starts here, grows by pollFactor, capped at pollMaxMs. */
  pollInitialMs: number
  pollMaxMs: number
  pollFactor: number
  /** Listing runs to find a dispatched run (when GitHub did not return it): attempts and delay between them. */
  findRunAttempts: number
  findRunDelayMs: number
  findRunMaxDelayMs: number
  /** "Just before the dispatch": margin for clock skew between this machine and GitHub. */
  clockSkewMs: number
  transport: Partial<GitHubTransportOptions>
}

export const DEFAULT_TIMINGS: DispatchTimings = {
  pollInitialMs: 2000,
  pollMaxMs: 15_000,
  pollFactor: 1.5,
  findRunAttempts: 12,
  findRunDelayMs: 1000,
  findRunMaxDelayMs: 5000,
  clockSkewMs: 10_000,
  transport: {},
}

export type DispatchEvent =
  | {type: 'validated'; against: 'local' | 'workflow'; inputs: Record<string, string>}
  | {type: 'dispatching'}
  | {type: 'fallback'; reason: string}
  | {type: 'dispatched'; run: NonNullable<DispatchResult['run']> | null}
  | {type: 'status'; status: string | null; conclusion: string | null; htmlUrl: string}
  | {type: 'pull-request'; pullRequest: DispatchResult['pullRequest']}

export type Emit = (event: DispatchEvent) => void

export interface DispatchDeps {
  timings?: Partial<DispatchTimings>
  onEvent?: Emit
  /**
   * Cancels the dispatch (a cancelled MCP call, SIGTERM under a parent): planning stops, the dispatch request once
   * sent is answered whole, the run is no longer looked for or followed; the call ends CANCELLED (cancel.ts).
   */
  signal?: AbortSignal
  /** For tests: a client instead of the octokit one. */
  client?: GitHubClient
}

/** Run conclusions that make the command exit 1. */
export const FAILED_CONCLUSIONS = new Set([
  'failure',
  'cancelled',
  'timed_out',
  'startup_failure',
  'action_required',
  'stale',
])

export function runFailed(result: DispatchResult): boolean {
  return result.run?.status === 'completed' && FAILED_CONCLUSIONS.has(result.run.conclusion ?? '')
}
