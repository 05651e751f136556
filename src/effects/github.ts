import {randomUUID} from 'node:crypto'
import {setTimeout as sleep} from 'node:timers/promises'

import {redact} from '../core/secrets.js'

/**
 * GitHub's REST API, the one module ameide talks to GitHub through (@octokit/rest with the retry and
 * throttling plugins, imported lazily). Methods return plain data; failures are GitHubApiError, which
 * carries GitHub's status and message and never the request (octokit errors hold request headers).
 */
export interface GitHubClient {
  /** The text of a file at a ref, through the contents API (base64 decoded). */
  readFile(repo: RepoRef, path: string, ref: string): Promise<string>
  /** POST …/dispatches. `details` when GitHub returned the run (200), `accepted` on 204. */
  dispatchWorkflow(repo: RepoRef, workflow: string, body: DispatchBody): Promise<DispatchOutcome>
  listWorkflowRuns(repo: RepoRef, workflow: string, filter: RunFilter): Promise<WorkflowRun[]>
  /** A conditional GET: `null` when the run is unchanged since `etag` (304). */
  getWorkflowRun(repo: RepoRef, runId: number, etag?: string): Promise<{run: WorkflowRun; etag?: string} | null>
  /** One page of pull requests, newest first (50 a page unless `perPage`, at most 100). */
  listPullRequests(
    repo: RepoRef,
    filter: {state: 'open' | 'closed' | 'all'; head?: string; perPage?: number; page?: number},
  ): Promise<PullRequest[]>
  /** The token's user login, or null when the token is not a user's (an app or Actions token). */
  authenticatedLogin(): Promise<string | null>
  /** The commit a branch points at, or null when there is no such branch. */
  getBranchHead(repo: RepoRef, branch: string): Promise<string | null>
  /** The tree of a commit. */
  getCommitTree(repo: RepoRef, commitSha: string): Promise<string>
  createBlob(repo: RepoRef, content: Buffer): Promise<string>
  /** A tree: `base` with these files replaced (paths repo-relative; mode 100644 or 100755; a blob sha or UTF-8 text). */
  createTree(
    repo: RepoRef,
    base: string,
    files: Array<{path: string; mode: '100644' | '100755'} & ({sha: string} | {content: string})>,
  ): Promise<string>
  createCommit(repo: RepoRef, commit: {message: string; tree: string; parents: string[]}): Promise<string>
  /** Points `branch` at `sha`: creates the ref, or moves it (force) when it exists. */
  setBranch(repo: RepoRef, branch: string, sha: string, exists: boolean): Promise<void>
  createPullRequest(repo: RepoRef, pr: {title: string; body: string; head: string; base: string}): Promise<PullRequest>
  updatePullRequest(repo: RepoRef, number: number, pr: {title: string; body: string}): Promise<PullRequest>
}

export interface RepoRef {
  owner: string
  repo: string
}

export interface DispatchBody {
  ref: string
  inputs: Record<string, string>
  return_run_details?: boolean
}

export type DispatchOutcome = {kind: 'details'; runId: number; runUrl: string; htmlUrl: string} | {kind: 'accepted'}

export interface RunFilter {
  event: string
  branch: string
  actor?: string
}

export interface WorkflowRun {
  id: number
  url: string
  htmlUrl: string
  status: string | null
  conclusion: string | null
  displayTitle: string
  createdAt: string
  actor: string | null
  headBranch: string | null
}

export interface PullRequest {
  number: number
  htmlUrl: string
  branch: string
  createdAt: string
}

/** Transport knobs. Defaults suit real use; tests pass millisecond delays. */
export interface GitHubTransportOptions {
  /** Retries after a 5xx or a network failure (the plugin waits (n+1)² × retryBaseMs). */
  serverErrorRetries: number
  retryBaseMs: number
  /** Retries after a rate-limit response; each waits as GitHub says (Retry-After or X-RateLimit-Reset). */
  rateLimitRetries: number
  /** A rate-limit wait longer than this fails the call instead of waiting. */
  maxRateLimitWaitMs: number
  userAgent: string
}

export const DEFAULT_TRANSPORT: GitHubTransportOptions = {
  serverErrorRetries: 3,
  retryBaseMs: 1000,
  rateLimitRetries: 3,
  maxRateLimitWaitMs: 120_000,
  userAgent: 'ameide-cli',
}

export const GITHUB_API_URL = 'https://api.github.com'

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

export async function createGitHubClient(options: {
  token: string
  baseUrl: string
  transport?: Partial<GitHubTransportOptions>
}): Promise<GitHubClient> {
  const transport = {...DEFAULT_TRANSPORT, ...options.transport}
  const [{Octokit}, {retry}, {throttling}] = await Promise.all([
    import('@octokit/rest'),
    import('@octokit/plugin-retry'),
    import('@octokit/plugin-throttling'),
  ])
  const Client = Octokit.plugin(retry, throttling)
  const quiet = {debug() {}, info() {}, warn() {}, error() {}}
  const onLimit = (retryAfterSeconds: number, _options: unknown, _octokit: unknown, retryCount: number) =>
    retryCount < transport.rateLimitRetries && retryAfterSeconds * 1000 <= transport.maxRateLimitWaitMs
  const octokit = new Client({
    auth: options.token,
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    userAgent: transport.userAgent,
    log: quiet,
    // 5xx and network failures: the retry plugin. 403/429 belong to the throttling plugin, which waits as told.
    retry: {
      retries: transport.serverErrorRetries,
      retryAfterBaseValue: transport.retryBaseMs,
      doNotRetry: [400, 401, 403, 404, 409, 410, 422, 429, 451],
    },
    // A client-own id: the plugin's limiters (1 s between writes, as GitHub asks) are per id, not shared process-wide.
    throttle: {
      id: `ameide-${randomUUID()}`,
      onRateLimit: onLimit,
      onSecondaryRateLimit: onLimit,
      retryAfterBaseValue: 1000,
    },
  })

  const call = async <T>(operation: string, fn: () => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn()
      } catch (error) {
        const failure = toGitHubApiError(error, operation)
        // The throttling plugin only recognises GitHub's rate-limit markers; a bare 429 still says how long to wait.
        const wait = failure.status === 429 ? failure.retryAfterSeconds : undefined
        if (wait === undefined || attempt >= transport.rateLimitRetries || wait * 1000 > transport.maxRateLimitWaitMs)
          throw failure
        await sleep(wait * 1000)
      }
    }
  }

  return {
    async readFile(repo, path, ref) {
      const {data} = await call('read file', () => octokit.rest.repos.getContent({...repo, path, ref}))
      if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) {
        throw new GitHubApiError(404, `${path} is not a file`, false, undefined, undefined, 'read file')
      }
      return Buffer.from(data.content, (data.encoding as BufferEncoding | undefined) ?? 'base64').toString('utf8')
    },

    async dispatchWorkflow(repo, workflow, body) {
      const response = await call('workflow dispatch', () =>
        octokit.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
          ...repo,
          workflow_id: workflow,
          ...body,
        }),
      )
      if ((response.status as number) === 200 && response.data && typeof response.data === 'object') {
        const data = response.data as {workflow_run_id: number; run_url: string; html_url: string}
        return {kind: 'details', runId: data.workflow_run_id, runUrl: data.run_url, htmlUrl: data.html_url}
      }
      return {kind: 'accepted'}
    },

    // Newest first. No `created` filter: GitHub's description types it date-time while its docs use search
    // syntax (>=…); the caller filters created_at itself.
    async listWorkflowRuns(repo, workflow, filter) {
      const {data} = await call('list workflow runs', () =>
        octokit.rest.actions.listWorkflowRuns({
          ...repo,
          workflow_id: workflow,
          event: filter.event,
          branch: filter.branch,
          ...(filter.actor ? {actor: filter.actor} : {}),
          per_page: 50,
        }),
      )
      return data.workflow_runs.map(toRun)
    },

    async getWorkflowRun(repo, runId, etag) {
      try {
        const response = await octokit.rest.actions.getWorkflowRun({
          ...repo,
          run_id: runId,
          ...(etag ? {headers: {'if-none-match': etag}} : {}),
        })
        return {run: toRun(response.data), etag: response.headers.etag}
      } catch (error) {
        if ((error as {status?: number}).status === 304) return null
        throw toGitHubApiError(error, 'get workflow run')
      }
    },

    async listPullRequests(repo, filter) {
      const {data} = await call('list pull requests', () =>
        octokit.rest.pulls.list({
          ...repo,
          state: filter.state,
          ...(filter.head ? {head: filter.head} : {}),
          sort: 'created',
          direction: 'desc',
          per_page: filter.perPage ?? 50,
          ...(filter.page ? {page: filter.page} : {}),
        }),
      )
      return data.map((pr) => ({
        number: pr.number,
        htmlUrl: pr.html_url,
        branch: pr.head.ref,
        createdAt: pr.created_at,
      }))
    },

    async getBranchHead(repo, branch) {
      try {
        const {data} = await call('get branch', () => octokit.rest.git.getRef({...repo, ref: `heads/${branch}`}))
        return data.object.sha
      } catch (error) {
        if ((error as GitHubApiError).status === 404) return null
        throw error
      }
    },

    async getCommitTree(repo, commitSha) {
      const {data} = await call('get commit', () => octokit.rest.git.getCommit({...repo, commit_sha: commitSha}))
      return data.tree.sha
    },

    async createBlob(repo, content) {
      const {data} = await call('create blob', () =>
        octokit.rest.git.createBlob({...repo, content: content.toString('base64'), encoding: 'base64'}),
      )
      return data.sha
    },

    async createTree(repo, base, files) {
      const {data} = await call('create tree', () =>
        octokit.rest.git.createTree({
          ...repo,
          base_tree: base,
          tree: files.map((f) => ({...f, type: 'blob' as const})),
        }),
      )
      return data.sha
    },

    async createCommit(repo, commit) {
      const {data} = await call('create commit', () => octokit.rest.git.createCommit({...repo, ...commit}))
      return data.sha
    },

    async setBranch(repo, branch, sha, exists) {
      if (exists)
        await call('move branch', () => octokit.rest.git.updateRef({...repo, ref: `heads/${branch}`, sha, force: true}))
      else await call('create branch', () => octokit.rest.git.createRef({...repo, ref: `refs/heads/${branch}`, sha}))
    },

    async createPullRequest(repo, pr) {
      const {data} = await call('create pull request', () => octokit.rest.pulls.create({...repo, ...pr}))
      return {number: data.number, htmlUrl: data.html_url, branch: data.head.ref, createdAt: data.created_at}
    },

    async updatePullRequest(repo, number, pr) {
      const {data} = await call('update pull request', () =>
        octokit.rest.pulls.update({...repo, pull_number: number, ...pr}),
      )
      return {number: data.number, htmlUrl: data.html_url, branch: data.head.ref, createdAt: data.created_at}
    },

    async authenticatedLogin() {
      try {
        const {data} = await octokit.rest.users.getAuthenticated()
        return data.login
      } catch (error) {
        const status = (error as {status?: number}).status
        // Installation and Actions tokens have no user: GitHub answers 403 (or 404 on some servers).
        if (status === 403 || status === 404) return null
        throw toGitHubApiError(error, 'get authenticated user')
      }
    },
  }
}

type RawRun = {
  id: number
  url: string
  html_url: string
  status: string | null
  conclusion: string | null
  display_title: string
  created_at: string
  actor?: {login: string} | null
  triggering_actor?: {login: string} | null
  head_branch: string | null
}

function toRun(raw: RawRun): WorkflowRun {
  return {
    id: raw.id,
    url: raw.url,
    htmlUrl: raw.html_url,
    status: raw.status,
    conclusion: raw.conclusion,
    displayTitle: raw.display_title,
    createdAt: raw.created_at,
    actor: raw.triggering_actor?.login ?? raw.actor?.login ?? null,
    headBranch: raw.head_branch,
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
