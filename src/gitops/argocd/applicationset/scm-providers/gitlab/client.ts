/**
 * GitLab's REST API v4 as Argo CD v3.5.1's scmProvider reads it through its client (gitlab.com/gitlab-org/api/client-go
 * v1.46.0): the base URL as `setBaseURL` normalises it (a trailing slash, then `api/v4/`), every path argument escaped
 * as its `PathEscape` escapes it (Go's url.PathEscape, `.` as %2E), the query as go-querystring encodes the options
 * (keys sorted, a pointer to false or "" still sent), the token in PRIVATE-TOKEN, 404 as ErrNotFound, any other status
 * outside 2xx/304 an ErrorResponse (`GET URL: STATUS MESSAGE`). Pagination is the caller's, from the X-Page,
 * X-Total-Pages and X-Next-Page headers each page answers (GitLabPage).
 */
import {goPathEscape, goQueryEscape} from '../go-url.js'
import {getJson, type JsonGetOptions} from '../../../../../effects/http-json.js'

export const GITLAB_DEFAULT_URL = 'https://gitlab.com/'

/** A project as the listing decodes it (client-go's Project: the fields Argo CD reads). */
export interface GitLabProject {
  id: number
  path: string
  /** namespace.full_path; null when the project has no namespace object. */
  namespaceFullPath: string | null
  defaultBranch: string
  sshUrl: string
  httpUrl: string
  topics: string[]
  tagList: string[]
}

export interface GitLabBranch {
  name: string
  /** commit.id; null when the branch has no commit object. */
  sha: string | null
}

/** One page of a listing and the pagination headers it came with (0 when absent, as client-go reads them). */
export interface GitLabPage<T> {
  items: T[]
  currentPage: number
  totalPages: number
  nextPage: number
}

export interface GroupProjectsOptions {
  includeSubgroups: boolean
  withShared: boolean
  topic: string
  /** Sent only when true: Argo CD sets it only with includeArchivedRepos. */
  archived: boolean
}

export class GitLabNotFound extends Error {
  constructor() {
    super('404 Not Found')
    this.name = 'GitLabNotFound'
  }
}

export interface GitLabClient {
  listGroupProjects(group: string, options: GroupProjectsOptions, page: number): Promise<GitLabPage<GitLabProject>>
  /** Throws GitLabNotFound on 404. */
  getBranch(projectId: number, branch: string): Promise<GitLabBranch>
  /** Throws GitLabNotFound on 404. */
  listBranches(projectId: number, page: number): Promise<GitLabPage<GitLabBranch>>
  /** The project's id; throws GitLabNotFound on 404. */
  getProjectId(pathWithNamespace: string): Promise<number>
  /** GET …/repository/files/:path?ref=; throws GitLabNotFound on 404. */
  getFile(projectId: number, path: string, ref: string): Promise<void>
  /** GET …/repository/tree?path=&ref=; throws GitLabNotFound on 404. */
  listTree(projectId: number, path: string, ref: string): Promise<void>
}

export interface GitLabClientOptions extends Omit<JsonGetOptions, 'headers'> {
  /** The base URL as written (`--api-url`); normalised by gitlabBaseUrl. */
  baseUrl: string
  token: string
}

/** client-go's setBaseURL: a trailing slash, then `api/v4/` unless the path already ends so. Undefined: no URL. */
export function gitlabBaseUrl(text: string): string | undefined {
  let url: URL
  try {
    url = new URL(text.endsWith('/') ? text : `${text}/`)
  } catch {
    return undefined
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined
  if (!url.pathname.endsWith('api/v4/')) url.pathname += 'api/v4/'
  return `${url.protocol}//${url.host}${url.pathname}`
}

/** client-go's PathEscape: Go's url.PathEscape (../go-url.ts), `.` as %2E. */
export function gitlabPathEscape(text: string): string {
  return goPathEscape(text).replaceAll('.', '%2E')
}

/** url.Values.Encode: keys sorted. */
function encodeQuery(values: Record<string, string | undefined>): string {
  return Object.keys(values)
    .filter((k) => values[k] !== undefined)
    .sort()
    .map((k) => `${goQueryEscape(k)}=${goQueryEscape(values[k]!)}`)
    .join('&')
}

export function createGitLabClient(options: GitLabClientOptions): GitLabClient {
  const base = gitlabBaseUrl(options.baseUrl)
  if (base === undefined) throw new Error(`${JSON.stringify(options.baseUrl)} is not an http(s) URL`)
  const get = async (path: string, query: Record<string, string | undefined> = {}) => {
    const encoded = encodeQuery(query)
    const url = `${base}${path}`
    const answer = await getJson(encoded ? `${url}?${encoded}` : url, {
      ...options,
      headers: {'PRIVATE-TOKEN': options.token},
    })
    if (answer.status === 404) throw new GitLabNotFound()
    if (![200, 201, 202, 204, 304].includes(answer.status))
      throw new Error(`GET ${url}: ${answer.status}${errorMessage(answer.body)}`)
    return answer
  }
  const project = (id: number) => `projects/${id}`
  return {
    async listGroupProjects(group, o, page) {
      const answer = await get(`groups/${gitlabPathEscape(group)}/projects`, {
        archived: o.archived ? 'true' : undefined,
        include_subgroups: String(o.includeSubgroups),
        page: page > 0 ? String(page) : undefined,
        per_page: '100',
        topic: o.topic,
        with_shared: String(o.withShared),
      })
      return paged(answer, arrayOf(answer.body).map(projectOf))
    },
    async getBranch(id, branch) {
      const answer = await get(`${project(id)}/repository/branches/${gitlabPathEscape(branch)}`)
      return branchOf(answer.body)
    },
    async listBranches(id, page) {
      const query = {page: page > 0 ? String(page) : undefined, per_page: '100'}
      const answer = await get(`${project(id)}/repository/branches`, query)
      return paged(answer, arrayOf(answer.body).map(branchOf))
    },
    async getProjectId(pathWithNamespace) {
      const answer = await get(`projects/${gitlabPathEscape(pathWithNamespace)}`)
      const body = answer.body as {id?: unknown} | null
      if (typeof body?.id !== 'number') throw new Error('GitLab answered a project without an id')
      return body.id
    },
    async getFile(id, path, ref) {
      await get(`${project(id)}/repository/files/${gitlabPathEscape(path)}`, {ref})
    },
    async listTree(id, path, ref) {
      await get(`${project(id)}/repository/tree`, {path, ref})
    },
  }
}

function paged<T>(answer: {headers: Headers}, items: T[]): GitLabPage<T> {
  const header = (name: string) => Number.parseInt(answer.headers.get(name) ?? '', 10) || 0
  return {items, currentPage: header('x-page'), totalPages: header('x-total-pages'), nextPage: header('x-next-page')}
}

function arrayOf(body: unknown): Record<string, unknown>[] {
  if (!Array.isArray(body)) throw new Error('GitLab answered a listing that is not a JSON array')
  return body as Record<string, unknown>[]
}

const text = (v: unknown) => (typeof v === 'string' ? v : '')
const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [])

function projectOf(p: Record<string, unknown>): GitLabProject {
  const namespace = p.namespace as Record<string, unknown> | null | undefined
  return {
    id: typeof p.id === 'number' ? p.id : 0,
    path: text(p.path),
    namespaceFullPath: namespace && typeof namespace === 'object' ? text(namespace.full_path) : null,
    defaultBranch: text(p.default_branch),
    sshUrl: text(p.ssh_url_to_repo),
    httpUrl: text(p.http_url_to_repo),
    topics: strings(p.topics),
    tagList: strings(p.tag_list),
  }
}

function branchOf(body: unknown): GitLabBranch {
  const b = (body ?? {}) as Record<string, unknown>
  const commit = b.commit as Record<string, unknown> | null | undefined
  return {name: text(b.name), sha: commit && typeof commit === 'object' ? text(commit.id) : null}
}

/** client-go's CheckResponse and parseError: the message of GitLab's error body (` MESSAGE`), none for an empty one. */
function errorMessage(body: unknown): string {
  const parse = (raw: unknown): string => {
    if (typeof raw === 'string') return raw
    if (Array.isArray(raw)) return `[${raw.map(parse).join(', ')}]`
    if (raw && typeof raw === 'object')
      return Object.entries(raw as Record<string, unknown>)
        .map(([k, v]) => `{${k}: ${parse(v)}}`)
        .sort()
        .join(', ')
    return `failed to parse unexpected error type: ${typeof raw === 'number' ? 'float64' : typeof raw === 'boolean' ? 'bool' : '<nil>'}`
  }
  return body === null || body === undefined ? '' : ` ${parse(body)}`
}
