/**
 * GitHub failures, twice: `GitHubApiError` is what the transport throws (GitHub's status and message and the
 * rate-limit facts, never the request and its Authorization header); `mapGitHubError` turns one into the registered
 * AmeideError for what ameide was doing (`GitHubStage`: reading a workflow, dispatching, following a run, or writing
 * a pull request), one distinct, actionable code per failure.
 */
import {AmeideError, prerequisiteError, remoteError, usageError} from '../../core/errors.js'
import {redact} from '../../core/secrets.js'

/** A failed GitHub call, without the request (and so without its Authorization header). */
export class GitHubApiError extends Error {
  constructor(
    readonly status: number,
    /** GitHub's own message from the response body, or the network error. */
    readonly githubMessage: string,
    /** The response says a rate limit was hit (Retry-After, X-RateLimit-Remaining: 0, or a secondary limit). */
    readonly rateLimited: boolean,
    readonly retryAfterSeconds: number | undefined,
    readonly rateLimitReset: Date | undefined,
    readonly operation: string,
  ) {
    super(redact(`GitHub ${operation} failed (${status || 'network error'}): ${githubMessage}`))
    this.name = 'GitHubApiError'
  }
}

/** Keeps the status, GitHub's message and the rate-limit facts; drops the request and its headers. */
export function toGitHubApiError(error: unknown, operation: string): GitHubApiError {
  if (error instanceof GitHubApiError) return error
  const e = error as {
    status?: number
    message?: string
    response?: {headers?: Record<string, string | undefined>; data?: unknown}
  }
  const status = typeof e.status === 'number' ? e.status : 0
  const headers = e.response?.headers ?? {}
  const data = e.response?.data as {message?: unknown; errors?: unknown} | undefined
  let message = typeof data?.message === 'string' ? data.message : (e.message ?? String(error))
  if (Array.isArray(data?.errors) && data.errors.length > 0) {
    const details = data.errors
      .map((x) => (typeof x === 'string' ? x : ((x as {message?: string}).message ?? JSON.stringify(x))))
      .join('; ')
    message = `${message} (${details})`
  }
  const retryAfter = headers['retry-after'] === undefined ? undefined : Number(headers['retry-after'])
  const reset = headers['x-ratelimit-reset'] ? new Date(Number(headers['x-ratelimit-reset']) * 1000) : undefined
  const rateLimited =
    (status === 403 || status === 429) &&
    (status === 429 ||
      headers['x-ratelimit-remaining'] === '0' ||
      retryAfter !== undefined ||
      /\bsecondary rate\b|rate limit/i.test(message))
  return new GitHubApiError(
    status,
    redact(
      message
        .replace(/\s*\n+\s*/g, ' ')
        .trim()
        .slice(0, 500),
    ),
    rateLimited,
    Number.isFinite(retryAfter) ? retryAfter : undefined,
    reset,
    operation,
  )
}

/**
 * What ameide was doing when GitHub failed: a workflow dispatch (reading the workflow file, dispatching, following
 * the run) names its workflow and ref; a pull request write names its base branch.
 */
export type GitHubStage =
  | {stage: 'read' | 'dispatch' | 'follow'; repository: string; workflow: string; ref: string}
  | {stage: 'pr'; repository: string; base: string}

/** One distinct, actionable error per GitHub failure. GitHub's own message is kept; the request never is. */
export function mapGitHubError(e: GitHubApiError, ctx: GitHubStage): AmeideError {
  const said = `GitHub said: ${e.githubMessage}`
  if (e.rateLimited) return rateLimitedError(e, said)
  if (e.status === 0 || e.status >= 500) return unavailableError(e, ctx, said)
  switch (e.status) {
    case 401:
      return prerequisiteError('GITHUB_BAD_TOKEN', `GitHub rejected the token (401). ${said}`, [
        'The token is expired, revoked or mistyped. GH_TOKEN wins over GITHUB_TOKEN, which wins over `gh auth token`.',
      ])
    case 403:
      if (ctx.stage === 'pr') {
        return prerequisiteError(
          'GITHUB_PERMISSION_DENIED',
          `The token may not write to ${ctx.repository} (403): opening the PR needs contents:write and pull-requests:write. ${said}`,
          ['In GitHub Actions: add `permissions: {contents: write, pull-requests: write}` to the job.'],
        )
      }
      return prerequisiteError(
        'GITHUB_PERMISSION_DENIED',
        ctx.stage === 'dispatch'
          ? `The token may not dispatch workflows in ${ctx.repository}: it lacks the actions:write permission (403). ${said}`
          : `The token may not read ${ctx.repository} (403): it needs contents:read and actions:read. ${said}`,
        [
          'Fine-grained token: grant "Actions: Read and write" and "Contents: Read" on the repository. Classic token: the repo and workflow scopes.',
          'In GitHub Actions: add `permissions: {actions: write, contents: read}` to the job.',
        ],
      )
    case 404:
      if (ctx.stage === 'pr') {
        return prerequisiteError('GITHUB_NOT_FOUND', `Repository ${ctx.repository} not found (404). ${said}`, [
          'Check --repo; a token without access to a private repository also gets 404.',
        ])
      }
      return prerequisiteError(
        'GITHUB_NOT_FOUND',
        `Repository ${ctx.repository} or workflow ${ctx.workflow} (at ref ${ctx.ref}) not found (404). ${said}`,
        [
          `A dispatchable workflow must exist on the default branch of ${ctx.repository}, with an on.workflow_dispatch trigger (.github/workflows/${ctx.workflow}).`,
          'Check --repo, --workflow and --ref; a token without access to a private repository also gets 404.',
        ],
      )
    case 422:
      if (ctx.stage === 'pr') {
        return usageError('GITHUB_REJECTED', `GitHub rejected the ${e.operation} (422). ${said}`, [
          'Check --branch and --base (an open PR from another fork, or a protected branch name).',
        ])
      }
      return usageError('GITHUB_INPUTS_REJECTED', `GitHub rejected the dispatch inputs (422). ${said}`, [
        `Compare the inputs with on.workflow_dispatch.inputs of ${ctx.workflow} at ${ctx.ref}.`,
      ])
    case 400:
      return usageError('GITHUB_BAD_REQUEST', `GitHub rejected the request (400). ${said}`)
    default:
      return remoteError('GITHUB_ERROR', `GitHub answered ${e.status} during ${e.operation}. ${said}`)
  }
}

/** The rate limit held past the wait ameide may take: when to try again, and how automated callers avoid it. */
function rateLimitedError(e: GitHubApiError, said: string): AmeideError {
  const when =
    e.retryAfterSeconds !== undefined
      ? `in ${e.retryAfterSeconds} s`
      : e.rateLimitReset
        ? `after ${e.rateLimitReset.toISOString()}`
        : 'in a few minutes'
  return remoteError(
    'GITHUB_RATE_LIMITED',
    `GitHub rate limit hit (${e.status}) and the wait it asked for was not possible. ${said}`,
    [
      `Try again ${when}.`,
      'Automated callers: share one token less widely, or use a GitHub App token with its own limit.',
    ],
  )
}

/** GitHub down or unreachable after the retries; while following a run, the dispatch has already happened. */
function unavailableError(e: GitHubApiError, ctx: GitHubStage, said: string): AmeideError {
  return remoteError(
    'GITHUB_UNAVAILABLE',
    `GitHub kept failing during ${e.operation}${e.status ? ` (${e.status})` : ''} after retries. ${said}`,
    [
      'Check https://www.githubstatus.com (or your GitHub Enterprise Server) and run the command again.',
      ...(ctx.stage === 'follow'
        ? ['The workflow was already dispatched: follow it in the Actions tab instead of dispatching again.']
        : []),
    ],
  )
}

/** Runs `fn`; a GitHub failure becomes the AmeideError of `ctx` (AmeideErrors and the rest pass through). */
export async function guardGitHub<T>(fn: () => Promise<T>, ctx: GitHubStage): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    throw asAmeideError(error, ctx)
  }
}

/** The error to throw for `error` in `ctx`: a GitHubApiError mapped, anything else unchanged. */
export function asAmeideError(error: unknown, ctx: GitHubStage): unknown {
  if (error instanceof AmeideError) return error
  if (error instanceof GitHubApiError) return mapGitHubError(error, ctx)
  return error
}
