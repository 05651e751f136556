import {STATUS_CODES} from 'node:http'

import type {RetryPolicy} from '../../../../../core/retry.js'
import {redact} from '../../../../../core/secrets.js'
import {getJson, transportOf} from '../../../../../effects/http-json.js'

/**
 * Bitbucket Server / Data Center's REST API (`<base>/rest/api/1.0/…`, described by Atlassian's OpenAPI) as Argo CD's
 * client asks it (github.com/gfleury/go-bitbucket-v1): the bearer token, the XSRF headers Argo CD adds, a listing
 * `limit=100` then `start=<nextPageStart>` until `isLastPage`; the project key, repository and path put in the URL as
 * written (the client does not escape them), the query keys in Go's order. An answer of 300 or more is the client's
 * error, `Status: <status>, Body: <body>`, with the status kept for the callers that read a 404. Every request is
 * bounded and retried on 429/5xx and network failures (effects/http-json.ts).
 */
export interface BitbucketServerRepository {
  id: number
  name: string
  projectKey: string
  /** links.clone by name: `ssh`, `http`; "" when absent. */
  sshUrl: string
  httpUrl: string
}

export interface BitbucketServerBranch {
  displayId: string
  latestCommit: string
}

export interface BitbucketServerPage<T> {
  items: T[]
  /** nextPageStart, undefined on the last page. */
  next: number | undefined
}

export interface BitbucketServerClient {
  /** `GET /projects/{key}/repos?limit=100[&start=…]`: one page. */
  repositories(project: string, start: number | undefined): Promise<BitbucketServerPage<BitbucketServerRepository>>
  /** `GET /projects/{key}/repos/{repo}/branches?limit=100[&start=…]`: one page. */
  branches(
    project: string,
    repo: string,
    start: number | undefined,
  ): Promise<BitbucketServerPage<BitbucketServerBranch>>
  /** `GET …/branches/default`: null on 404 or an empty answer (no default branch). */
  defaultBranch(project: string, repo: string): Promise<BitbucketServerBranch | null>
  /** `GET …/browse/{path}?at=…&limit=100&type=true`: false on 404. */
  hasPath(project: string, repo: string, path: string, at: string): Promise<boolean>
}

export class BitbucketServerError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(redact(message))
    this.name = 'BitbucketServerError'
  }
}

export interface BitbucketServerClientOptions {
  /** The client's base path, `…/rest` (Argo CD's NormalizeBitbucketBasePath). */
  basePath: string
  token: string
  retryPolicy?: RetryPolicy
  timeoutMs?: number
  fetch?: typeof fetch
}

export function createBitbucketServerClient(options: BitbucketServerClientOptions): BitbucketServerClient {
  const get = async (path: string, query: string): Promise<{status: number; body: unknown}> => {
    const {status, body} = await getJson(`${options.basePath}/api/1.0${path}${query ? `?${query}` : ''}`, {
      headers: {
        Authorization: `Bearer ${options.token}`,
        'X-Atlassian-Token': 'no-check',
        'X-Requested-With': 'XMLHttpRequest',
      },
      ...transportOf(options),
    })
    if (status >= 300) throw new BitbucketServerError(status, clientError(status, body))
    return {status, body}
  }
  const page = async <T>(path: string, start: number | undefined, each: (v: Record<string, unknown>) => T) => {
    const {body} = await get(path, `limit=100${start === undefined ? '' : `&start=${start}`}`)
    const paged = (body ?? {}) as {values?: unknown; isLastPage?: unknown; nextPageStart?: unknown}
    if (!Array.isArray(paged.values)) throw new BitbucketServerError(200, `GET ${path}: the answer is not a page`)
    const last = typeof paged.isLastPage === 'boolean' ? paged.isLastPage : true
    const next = !last && typeof paged.nextPageStart === 'number' ? paged.nextPageStart : last ? undefined : 0
    return {items: (paged.values as Record<string, unknown>[]).map(each), next}
  }
  const repoPath = (project: string, repo: string) => `/projects/${project}/repos/${repo}`

  return {
    repositories: (project, start) => page(`/projects/${project}/repos`, start, repositoryOf),
    branches: (project, repo, start) => page(`${repoPath(project, repo)}/branches`, start, branchOf),
    async defaultBranch(project, repo) {
      try {
        const {body} = await get(`${repoPath(project, repo)}/branches/default`, '')
        return body && typeof body === 'object' ? branchOf(body as Record<string, unknown>) : null
      } catch (error) {
        if (error instanceof BitbucketServerError && error.status === 404) return null
        throw error
      }
    },
    async hasPath(project, repo, path, at) {
      try {
        await get(`${repoPath(project, repo)}/browse/${path}`, `at=${encodeURIComponent(at)}&limit=100&type=true`)
        return true
      } catch (error) {
        if (error instanceof BitbucketServerError && error.status === 404) return false
        throw error
      }
    },
  }
}

function repositoryOf(r: Record<string, unknown>): BitbucketServerRepository {
  const clone = ((r.links as {clone?: unknown} | undefined)?.clone ?? []) as Array<{href?: unknown; name?: unknown}>
  const link = (name: string) => String(clone.find((l) => l.name === name)?.href ?? '')
  return {
    id: Number(r.id ?? 0),
    name: String(r.name ?? ''),
    projectKey: String((r.project as {key?: unknown} | undefined)?.key ?? ''),
    sshUrl: link('ssh'),
    httpUrl: link('http'),
  }
}

function branchOf(b: Record<string, unknown>): BitbucketServerBranch {
  return {displayId: String(b.displayId ?? ''), latestCommit: String(b.latestCommit ?? '')}
}

/** The client's reportError: `Status: 404 Not Found, Body: …`. */
function clientError(status: number, body: unknown): string {
  const text = body === null ? '(not JSON)' : JSON.stringify(body)
  return `Status: ${status} ${STATUS_CODES[status] ?? ''}, Body: ${text}`
}
