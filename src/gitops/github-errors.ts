import {AmeideError, prerequisiteError, remoteError, usageError} from '../core/errors.js'
import type {GitHubApiError} from '../effects/github.js'

export interface ErrorContext {
  repository: string
  workflow: string
  ref: string
  /** What ameide was doing: reading the workflow file, dispatching, or following the run. */
  stage: 'read' | 'dispatch' | 'follow' | 'pr'
}

/** One distinct, actionable error per GitHub failure. GitHub's own message is kept; the request never is. */
export function mapGitHubError(e: GitHubApiError, ctx: ErrorContext): AmeideError {
  const said = `GitHub said: ${e.githubMessage}`
  if (e.rateLimited) {
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
  if (e.status === 0 || e.status >= 500) {
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
