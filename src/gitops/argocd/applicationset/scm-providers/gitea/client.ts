import {redact} from '../../../../../core/secrets.js'
import {goPathEscape, goQueryEscape} from '../go-url.js'
import {getJson, transportOf, type JsonTransport} from '../../../../../effects/http-json.js'

/**
 * Gitea's REST API (`<api>/api/v1/…`, described by Gitea's Swagger 2.0) as Argo CD's client asks it
 * (code.gitea.io/sdk/gitea v0.25.1): the token in `Authorization: token …`; owner and repository escaped as Go's
 * url.PathEscape, a branch or file path segment by segment (slashes kept); a listing with empty options sends
 * `limit=0&page=1` and is read once (the server's default page size: Gitea's DEFAULT_PAGING_NUM, 30 unless
 * configured), as the SDK reads it. An answer that is not 2xx is an error worded as the SDK's statusCodeToErr
 * words it (the body's `message`, else the status and the body). Every request is bounded and retried on 429/5xx
 * and network failures (effects/http-json.ts).
 */
export interface GiteaRepository {
  id: number
  name: string
  sshUrl: string
  htmlUrl: string
  defaultBranch: string
  archived: boolean
}

export interface GiteaBranch {
  name: string
  sha: string
}

export interface GiteaClient {
  /** `GET /version`: the server's version string (`""` when it has none). */
  version(): Promise<string>
  /** `GET /orgs/{org}/repos?limit=0&page=1`: the first page. */
  listOrgRepos(org: string): Promise<GiteaRepository[]>
  /** `GET /repos/{owner}/{repo}/labels?limit=0&page=1`: the names of the first page of issue labels. */
  listRepoLabels(owner: string, repo: string): Promise<string[]>
  /** `GET /repos/{owner}/{repo}/branches?limit=0&page=1`: the first page. */
  listRepoBranches(owner: string, repo: string): Promise<GiteaBranch[]>
  /** `GET /repos/{owner}/{repo}/branches/{branch}`: the branch, or its 404 as `{notFound: message}`. */
  getRepoBranch(owner: string, repo: string, branch: string): Promise<GiteaBranch | {notFound: string}>
  /** `GET /repos/{owner}/{repo}/contents/{path}?ref=…`: 404 is `missing`; any 2xx is there (a file or a directory). */
  getContents(owner: string, repo: string, ref: string, path: string): Promise<'present' | 'missing'>
}

export class GiteaError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(redact(message))
    this.name = 'GiteaError'
  }
}

export interface GiteaClientOptions extends JsonTransport {
  /** The API URL as the SDK keeps it (one trailing slash trimmed); requests go to `${apiUrl}/api/v1…`. */
  apiUrl: string
  token: string
}

export function createGiteaClient(options: GiteaClientOptions): GiteaClient {
  const base = `${options.apiUrl}/api/v1`
  const get = async (path: string): Promise<{status: number; body: unknown}> => {
    const {status, body} = await getJson(`${base}${path}`, {
      headers: {Authorization: `token ${options.token}`},
      ...transportOf(options),
    })
    return {status, body}
  }
  const parsed = async <T>(path: string): Promise<T> => {
    const {status, body} = await get(path)
    if (status < 200 || status > 299) throw new GiteaError(status, errorMessage(status, body))
    if (body === null) throw new GiteaError(status, `GET ${path}: the answer is not JSON`)
    return body as T
  }
  const list = async <T>(path: string): Promise<T[]> => {
    const body = await parsed<unknown>(`${path}?limit=0&page=1`)
    if (!Array.isArray(body)) throw new GiteaError(200, `GET ${path}: the answer is not a JSON array`)
    return body as T[]
  }
  const repoPath = (owner: string, repo: string) => `/repos/${goPathEscape(owner)}/${goPathEscape(repo)}`

  return {
    async version() {
      const v = (await parsed<{version?: unknown}>('/version')).version
      return typeof v === 'string' ? v : ''
    },
    async listOrgRepos(org) {
      const repos = await list<Record<string, unknown>>(`/orgs/${goPathEscape(org)}/repos`)
      return repos.map((r) => ({
        id: Number(r.id ?? 0),
        name: String(r.name ?? ''),
        sshUrl: String(r.ssh_url ?? ''),
        htmlUrl: String(r.html_url ?? ''),
        defaultBranch: String(r.default_branch ?? ''),
        archived: r.archived === true,
      }))
    },
    async listRepoLabels(owner, repo) {
      const labels = await list<{name?: unknown}>(`${repoPath(owner, repo)}/labels`)
      return labels.map((l) => String(l.name ?? ''))
    },
    async listRepoBranches(owner, repo) {
      return (await list<Record<string, unknown>>(`${repoPath(owner, repo)}/branches`)).map(branchOf)
    },
    async getRepoBranch(owner, repo, branch) {
      const path = `${repoPath(owner, repo)}/branches/${pathEscapeSegments(branch)}`
      const {status, body} = await get(path)
      if (status === 404) return {notFound: errorMessage(status, body)}
      if (status < 200 || status > 299) throw new GiteaError(status, errorMessage(status, body))
      if (body === null || typeof body !== 'object') throw new GiteaError(status, `GET ${path}: the answer is not JSON`)
      return branchOf(body as Record<string, unknown>)
    },
    async getContents(owner, repo, ref, path) {
      const file = pathEscapeSegments(path.replace(/^\//, ''))
      const {status, body} = await get(`${repoPath(owner, repo)}/contents/${file}?ref=${goQueryEscape(ref)}`)
      if (status === 404) return 'missing'
      if (status < 200 || status > 299) throw new GiteaError(status, errorMessage(status, body))
      return 'present'
    },
  }
}

function branchOf(b: Record<string, unknown>): GiteaBranch {
  const commit = (b.commit ?? {}) as {id?: unknown}
  return {name: String(b.name ?? ''), sha: String(commit.id ?? '')}
}

/** statusCodeToErr: the body's `message`, else `<status>: <body>`. */
function errorMessage(status: number, body: unknown): string {
  if (body && typeof body === 'object' && 'message' in body) return String((body as {message: unknown}).message)
  return `${status}: ${body === null ? '(not JSON)' : JSON.stringify(body)}`
}

/** The SDK's pathEscapeSegments: each `/`-separated segment escaped (Go's url.PathEscape), the slashes kept. */
function pathEscapeSegments(path: string): string {
  return path.split('/').map(goPathEscape).join('/')
}
