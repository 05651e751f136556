import {readFileSync} from 'node:fs'
import type {IncomingMessage, Server, ServerResponse} from 'node:http'

import {checkValue, GitLabDescription, type Violation} from './gitlab-description.js'
import {closeLoopback, listenLoopback} from '../../support/loopback.js'

/**
 * A fake GitLab (REST API v4) on 127.0.0.1 for Argo CD's gitlab scmProvider. Every request must carry the token
 * (PRIVATE-TOKEN) and is matched to its operation in GitLab's published description (gitlab-description.ts): an
 * unknown path, method or query parameter, a missing required one or one of the wrong type is a violation, and so is
 * a response status the operation does not document or a body its schema refuses. The one operation no published
 * GitLab description carries, GET /groups/{id}/projects (the README of the fixture names where it was looked for), is
 * held to the query client-go's ListGroupProjectsOptions sends and recorded in `undescribed`. A violation is recorded
 * (assert `violations` is empty) and answered 500.
 *
 * Answers: Argo CD v3.5.1's own canned answers (gitlab_test.go's mock handler, by exact request URI:
 * fixtures/gitlab-argocd-answers.json), else the groups and projects of `groups`, paginated as GitLab does
 * (per_page default 20, the X-Page, X-Total-Pages and X-Next-Page headers).
 */

type Json = Record<string, any>

export interface FakeGitLabProject {
  id: number
  path: string
  /** The namespace's full path: the group, a subgroup of it (`group/sub`), or another group's (a shared project). */
  namespace: string
  topics?: string[]
  /** GitLab before 14.5 answered tag_list only. */
  tagList?: string[]
  defaultBranch?: string
  archived?: boolean
  /** Listed by its group's listing with with_shared=true only. */
  sharedWith?: string
  /** branch → commit sha. */
  branches: Record<string, string>
  /** branch → the file paths on it (a directory is the prefix of one). */
  files?: Record<string, string[]>
}

export interface FakeGitLabResponse {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

export interface GitLabRequest {
  method: string
  /** The raw request URI (path and query, as sent). */
  uri: string
  operationId: string | null
}

const GROUP_PROJECTS = 'getApiV4GroupsIdProjects (undescribed)'
/** client-go's ListGroupProjectsOptions, as Argo CD fills it. */
const GROUP_PROJECTS_QUERY: Record<string, Json> = {
  archived: {type: 'boolean'},
  include_subgroups: {type: 'boolean'},
  with_shared: {type: 'boolean'},
  topic: {type: 'string'},
  per_page: {type: 'integer'},
  page: {type: 'integer'},
}
const CANNED = JSON.parse(
  readFileSync(new URL('./fixtures/gitlab-argocd-answers.json', import.meta.url), 'utf8'),
) as Record<string, FakeGitLabResponse>

export class FakeGitLab {
  readonly violations: Violation[] = []
  readonly requests: GitLabRequest[] = []
  /** Operations served that no published GitLab description carries. */
  readonly undescribed = new Set<string>()
  readonly description = new GitLabDescription()
  url = ''
  private server: Server | undefined
  private readonly queued = new Map<string, FakeGitLabResponse[]>()

  constructor(
    readonly token: string,
    readonly groups: Record<string, FakeGitLabProject[]> = {},
  ) {}

  async start(): Promise<this> {
    ;({server: this.server, url: this.url} = await listenLoopback((req, res) => void this.handle(req, res)))
    return this
  }

  async close(): Promise<void> {
    await closeLoopback(this.server)
  }

  /** The next request(s) of `operationId` get these answers (GROUP_PROJECTS for the group listing). */
  respondNext(operationId: string, ...responses: FakeGitLabResponse[]): void {
    this.queued.set(operationId, [...(this.queued.get(operationId) ?? []), ...responses])
  }

  requestsFor(operationId: string): GitLabRequest[] {
    return this.requests.filter((r) => r.operationId === operationId)
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for await (const _ of req) void _
    const uri = req.url ?? '/'
    const url = new URL(uri, 'http://127.0.0.1')
    const method = req.method ?? 'GET'
    const where = `${method} ${url.pathname}`
    const group = /^\/api\/v4\/groups\/([^/]+)\/projects$/.exec(url.pathname)
    const found = group ? null : this.description.find(method, url.pathname)
    const operationId = group && method === 'GET' ? GROUP_PROJECTS : (found?.op.operationId ?? null)
    this.requests.push({method, uri, operationId})
    if (operationId === null) return this.fail(res, [{where, problem: "no operation in GitLab's description"}])
    const problems = found ? this.description.checkQuery(found.op, url.searchParams, where) : groupQuery(url, where)
    if (problems.length > 0) return this.fail(res, problems)
    if (group) this.undescribed.add('GET /api/v4/groups/{id}/projects')
    const answer =
      req.headers['private-token'] !== this.token
        ? {status: 401, body: {message: '401 Unauthorized'}}
        : (this.queued.get(operationId)?.shift() ?? CANNED[uri] ?? this.behave(operationId, url, found?.params ?? {}))
    const bad = found
      ? this.description.checkResponse(found.op, answer.status, answer.body, `${where} -> ${answer.status}`)
      : answer.status === 200 && !Array.isArray(answer.body)
        ? [{where, problem: 'a project listing is an array'}]
        : []
    if (bad.length > 0) return this.fail(res, bad)
    res.writeHead(answer.status, {'content-type': 'application/json', ...answer.headers})
    res.end(answer.body === undefined ? '' : JSON.stringify(answer.body))
  }

  private fail(res: ServerResponse, problems: Violation[]): void {
    this.violations.push(...problems)
    res.writeHead(500, {'content-type': 'application/json'})
    res.end(JSON.stringify({message: `fake GitLab: ${problems.map((p) => `${p.where}: ${p.problem}`).join('; ')}`}))
  }

  private behave(operationId: string, url: URL, params: Record<string, string>): FakeGitLabResponse {
    const q = url.searchParams
    if (operationId === GROUP_PROJECTS) {
      const group = decodeURIComponent(/groups\/([^/]+)\//.exec(url.pathname)![1])
      const projects = this.groups[group]
      if (!projects) return notFound('Group')
      return page(this.listed(group, projects, q), q, (p) => projectJson(p))
    }
    const project = this.project(params.id)
    if (!project) return notFound('Project')
    const branch = (name: string | null) => (name !== null && name in project.branches ? name : undefined)
    switch (operationId) {
      case 'getApiV4ProjectsId':
        return {status: 200, body: projectJson(project)}
      case 'getApiV4ProjectsIdRepositoryBranches':
        return page(Object.keys(project.branches), q, (b) => branchJson(project, b))
      case 'getApiV4ProjectsIdRepositoryBranchesBranch':
        return branch(params.branch) ? {status: 200, body: branchJson(project, params.branch)} : notFound('Branch')
      case 'getApiV4ProjectsIdRepositoryFilesFilePath': {
        const files = project.files?.[branch(q.get('ref')) ?? ''] ?? []
        return files.includes(params.file_path) ? {status: 200, body: fileJson(params.file_path)} : notFound('File')
      }
      default: {
        const files = project.files?.[branch(q.get('ref')) ?? ''] ?? []
        const dir = `${q.get('path') ?? ''}/`
        const entries = files.filter((f) => f.startsWith(dir)).map((f) => treeEntry(f))
        return entries.length > 0 ? {status: 200, body: entries} : notFound('Tree')
      }
    }
  }

  /** GitLab's group listing: the group's own projects, its subgroups' with include_subgroups, shared ones with with_shared. */
  private listed(group: string, projects: FakeGitLabProject[], q: URLSearchParams): FakeGitLabProject[] {
    const topic = q.get('topic') ?? ''
    return projects.filter(
      (p) =>
        (p.namespace === group ||
          (q.get('include_subgroups') === 'true' && p.namespace.startsWith(`${group}/`)) ||
          (q.get('with_shared') === 'true' && p.sharedWith === group)) &&
        // Argo CD's canned answers: archived projects are listed with archived=true only.
        (q.get('archived') === 'true' || !p.archived) &&
        (topic === '' || (p.topics ?? []).includes(topic)),
    )
  }

  private project(id: string | undefined): FakeGitLabProject | undefined {
    const all = Object.values(this.groups).flat()
    return all.find((p) => String(p.id) === id || `${p.namespace}/${p.path}` === id)
  }
}

function groupQuery(url: URL, where: string): Violation[] {
  const out: Violation[] = []
  for (const [name, value] of url.searchParams) {
    const schema = GROUP_PROJECTS_QUERY[name]
    out.push(...(schema ? checkValue(schema, value, `${where} query ${name}`) : [{where, problem: `unknown ${name}`}]))
  }
  return out
}

const notFound = (what: string): FakeGitLabResponse => ({status: 404, body: {message: `404 ${what} Not Found`}})

/** One page of a listing, with GitLab's offset-pagination headers. */
function page<T>(all: T[], q: URLSearchParams, json: (item: T) => unknown): FakeGitLabResponse {
  const perPage = Number(q.get('per_page') ?? 20)
  const current = Number(q.get('page') ?? 1)
  const totalPages = Math.max(1, Math.ceil(all.length / perPage))
  const headers = {
    'x-page': String(current),
    'x-per-page': String(perPage),
    'x-total': String(all.length),
    'x-total-pages': String(totalPages),
    'x-next-page': current < totalPages ? String(current + 1) : '',
    'x-prev-page': current > 1 ? String(current - 1) : '',
  }
  return {status: 200, body: all.slice((current - 1) * perPage, current * perPage).map(json), headers}
}

const HOST = 'gitlab.example.com'

/** A project as GitLab answers it (the fields of Argo CD's canned project, for this project). */
export function projectJson(p: FakeGitLabProject): Json {
  const full = `${p.namespace}/${p.path}`
  const group = p.namespace.split('/').at(-1)!
  return {
    id: p.id,
    description: '',
    name: p.path,
    name_with_namespace: `${p.namespace.replaceAll('/', ' / ')} / ${p.path}`,
    path: p.path,
    path_with_namespace: full,
    created_at: '2026-06-01T17:30:44.724Z',
    default_branch: p.defaultBranch ?? 'main',
    tag_list: p.tagList ?? p.topics ?? [],
    topics: p.tagList ? [] : (p.topics ?? []),
    ssh_url_to_repo: `git@${HOST}:${full}.git`,
    http_url_to_repo: `https://${HOST}/${full}.git`,
    web_url: `https://${HOST}/${full}`,
    namespace: {
      id: 12_258_515,
      name: group,
      path: group,
      kind: 'group',
      full_path: p.namespace,
      parent_id: null,
      avatar_url: null,
      web_url: `https://${HOST}/groups/${p.namespace}`,
    },
    archived: p.archived ?? false,
    visibility: 'private',
  }
}

function branchJson(p: FakeGitLabProject, name: string): Json {
  const sha = p.branches[name]
  return {
    name,
    commit: {id: sha, short_id: sha.slice(0, 8), title: 'commit', message: 'commit\n', parent_ids: []},
    merged: false,
    protected: name === p.defaultBranch,
    developers_can_push: false,
    developers_can_merge: false,
    can_push: true,
    default: name === (p.defaultBranch ?? 'main'),
    web_url: `https://${HOST}/${p.namespace}/${p.path}/-/tree/${name}`,
  }
}

const fileJson = (path: string): Json => ({file_name: path.split('/').at(-1), file_path: path, size: 0, content: ''})

function treeEntry(path: string): Json {
  return {id: '0'.repeat(40), name: path.split('/').at(-1), type: 'blob', path, mode: '100644'}
}
