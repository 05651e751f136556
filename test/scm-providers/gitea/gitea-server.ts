import {readFileSync} from 'node:fs'
import type {IncomingMessage, Server, ServerResponse} from 'node:http'

import {closeLoopback, listenLoopback} from '../../support/loopback.js'
import {Swagger2Spec, type Json, type Violation} from '../../support/swagger2-spec.js'

/**
 * A fake Gitea on 127.0.0.1. Gitea's own Swagger 2.0 description (fixtures/gitea-swagger.json, Gitea 1.27.3) is
 * compiled with ajv: every request is matched to its operation by method and path (an unknown path or query
 * parameter, or one of the wrong type, is a violation) and must carry `Authorization: token <token>`; every 2xx body
 * is validated against the operation's schema, closed (a field the description does not list is a violation), an
 * optional field may be null (Gitea's Go structs write nil as null; Swagger 2.0 cannot say so), and User's `username`
 * is added (Gitea's User.MarshalJSON writes it beside `login`), its `email` may be "" (a hidden one), and a directory's contents may be the list of its entries (the operation's
 * own summary says so; its schema names only the file). Error answers must be statuses the operation declares,
 * or 401 (any operation, a refused token) or 429/5xx (injected), their body Gitea's APIError (`message`, `url`, the
 * headers the description gives it, and `errors`). A violation is recorded (assert `violations` is empty) and
 * answered 500.
 *
 * What it answers: Argo CD's own canned answers (applicationset/services/scm_provider/gitea_test.go's mock, copied to
 * fixtures/gitea-argocd/answers.json) for their exact request, else the owners given, paginated as Gitea does
 * (`limit` 0 or none: DEFAULT_PAGING_NUM 30; at most MAX_RESPONSE_ITEMS 50).
 */

const SPEC_ID = 'https://gitea.com/swagger.v1.json'
const SPEC_FILE = new URL('./fixtures/gitea-swagger.json', import.meta.url)
const ANSWERS = new URL('./fixtures/gitea-argocd/answers.json', import.meta.url)
const SWAGGER_URL = 'https://gitea.example.com/api/swagger'

let shared: Swagger2Spec | undefined
function giteaSpec(): Swagger2Spec {
  shared ??= new Swagger2Spec(SPEC_FILE, SPEC_ID, {
    closed: true,
    nullable: true,
    basePath: '/api/v1',
    multiSegment: ['filepath', 'branch'],
    patch: (doc) => {
      doc.definitions.User.properties.username = {type: 'string'}
      // Gitea writes "" for an email the user keeps hidden (Argo CD's canned answers, read from gitea.com, have it).
      delete doc.definitions.User.properties.email.format
      // repoGetContents answers "a list of entries if a dir", as its own summary says: ContentsListResponse's items.
      const contents = {$ref: '#/definitions/ContentsResponse'}
      doc.paths['/repos/{owner}/{repo}/contents/{filepath}'].get.responses['200'] = {
        schema: {anyOf: [contents, {type: 'array', items: contents}]},
      }
    },
  })
  return shared
}

/** One repository of an owner. */
export interface FakeGiteaRepo {
  name: string
  id?: number
  defaultBranch?: string
  archived?: boolean
  /** Its issue labels' names. */
  labels?: string[]
  /** Branch name → commit sha. */
  branches: Record<string, string>
  /** Branch → the files on it (a path that prefixes one is a directory). */
  files?: Record<string, string[]>
}

export interface FakeGiteaOptions {
  token: string
  owners: Record<string, FakeGiteaRepo[]>
}

export interface GiteaRequest {
  method: string
  path: string
  query: Record<string, string>
  operationId: string | null
}

interface Answer {
  status: number
  body: unknown
}

export class FakeGitea {
  readonly violations: Violation[] = []
  readonly requests: GiteaRequest[] = []
  url = ''
  /** What `GET /version` answers; Argo CD's canned `1.17.0+dev-452-g1f0541780` by default. */
  version: string | undefined
  private readonly canned = JSON.parse(readFileSync(ANSWERS, 'utf8')) as Record<string, Answer>
  private readonly queued = new Map<string, Answer[]>()
  private server: Server | undefined
  private readonly spec = giteaSpec()

  constructor(private readonly options: FakeGiteaOptions) {}

  async start(): Promise<this> {
    ;({server: this.server, url: this.url} = await listenLoopback((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.violations.push({where: 'fake Gitea', problem: String((error as Error)?.stack ?? error)})
        this.send(res, 500, {message: 'fake Gitea failed', url: SWAGGER_URL})
      })
    }))
    return this
  }

  async close(): Promise<void> {
    await closeLoopback(this.server)
  }

  /** The next requests of the operation answer these, in order. */
  respondNext(operationId: string, ...answers: Answer[]): void {
    this.queued.set(operationId, [...(this.queued.get(operationId) ?? []), ...answers])
  }

  requestsFor(operationId: string): GiteaRequest[] {
    return this.requests.filter((r) => r.operationId === operationId)
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, {'content-type': 'application/json'})
    res.end(JSON.stringify(body))
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for await (const _ of req) void _
    const url = new URL(req.url ?? '/', this.url)
    const found = this.spec.find(req.method ?? 'GET', url.pathname)
    const query = Object.fromEntries(url.searchParams)
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query,
      operationId: found?.op.operationId ?? null,
    })
    const where = `${req.method} ${url.pathname}${url.search}`
    if (!found) return this.refuse(res, [{where, problem: 'no such operation in the Gitea description'}])
    const bad = this.spec.checkQuery(found.op, url.searchParams, where)
    if (bad.length > 0) return this.refuse(res, bad)
    const answer = this.answer(found.op.operationId, found.params, url, req.headers.authorization)
    const problems = this.check(found.op, answer, where)
    if (problems.length > 0) return this.refuse(res, problems)
    this.send(res, answer.status, answer.body)
  }

  private refuse(res: ServerResponse, problems: Violation[]): void {
    this.violations.push(...problems)
    this.send(res, 500, {message: 'the request or answer violates the Gitea description', url: SWAGGER_URL})
  }

  /** A 2xx against the operation's schema; an error: a declared status (or 401, 429, 5xx) with an APIError body. */
  private check(op: Parameters<Swagger2Spec['declares']>[0], answer: Answer, where: string): Violation[] {
    const at = `${where} -> ${answer.status}`
    if (answer.status >= 200 && answer.status < 300) {
      const schema = this.spec.responseSchema(op, answer.status)
      if (!schema) return [{where: at, problem: 'the operation declares no schema for this status'}]
      return this.spec.validate(schema, answer.body, at)
    }
    const crossCutting = answer.status === 401 || answer.status === 429 || answer.status >= 500
    if (!crossCutting && !this.spec.declares(op, answer.status))
      return [{where: at, problem: `the operation does not declare ${answer.status}`}]
    return this.spec.validate(API_ERROR, answer.body, at)
  }

  private answer(operationId: string, params: Record<string, string>, url: URL, auth: string | undefined): Answer {
    if (auth !== `token ${this.options.token}`) return apiError(401, 'invalid username, password or token')
    const queued = this.queued.get(operationId)?.shift()
    if (queued) return queued
    if (operationId === 'getVersion' && this.version !== undefined) return {status: 200, body: {version: this.version}}
    const canned = this.canned[url.pathname + url.search]
    if (canned) return canned
    return this.generated(operationId, params, url.searchParams)
  }

  private generated(operationId: string, params: Record<string, string>, query: URLSearchParams): Answer {
    if (operationId === 'orgListRepos') {
      const repos = this.options.owners[params.org]
      if (!repos) return apiError(404, 'GetOrgByName', [`user redirect does not exist [name: ${params.org}]`])
      return {status: 200, body: page(repos, query).map((r, i) => repositoryJson(params.org, r, i))}
    }
    const repo = this.options.owners[params.owner]?.find((r) => r.name === params.repo)
    if (!repo) return apiError(404, 'GetRepositoryByName', [`repository does not exist [name: ${params.repo}]`])
    switch (operationId) {
      case 'issueListLabels':
        return {status: 200, body: page(repo.labels ?? [], query).map((l, i) => labelJson(l, i))}
      case 'repoListBranches':
        return {status: 200, body: page(Object.entries(repo.branches), query).map(([b, sha]) => branchJson(b, sha))}
      case 'repoGetBranch': {
        const sha = repo.branches[params.branch]
        if (sha === undefined) return apiError(404, `branch does not exist [name: ${params.branch}]`)
        return {status: 200, body: branchJson(params.branch, sha)}
      }
      case 'repoGetContents':
        return this.contents(repo, params.filepath, query.get('ref') ?? '')
      default:
        return apiError(500, `the fake does not answer ${operationId}`)
    }
  }

  private contents(repo: FakeGiteaRepo, path: string, ref: string): Answer {
    const files = repo.files?.[ref]
    if (files === undefined) return apiError(404, `no such branch ${ref}`)
    if (files.includes(path)) return {status: 200, body: this.fileJson(path)}
    const inside = files.filter((f) => f.startsWith(`${path}/`))
    if (inside.length > 0) return {status: 200, body: inside.map((f) => this.fileJson(f))}
    return apiError(404, 'GetContentsOrList', [`object does not exist [id: , rel_path: ${path}]`])
  }

  /** Argo CD's canned README.md answer, renamed. */
  private fileJson(path: string): Json {
    const readme = this.canned['/api/v1/repos/gitea/go-sdk/contents/README.md?ref=master'].body as Json
    return {...readme, name: path.split('/').at(-1), path}
  }
}

const API_ERROR: Json = {
  type: 'object',
  required: ['message', 'url'],
  properties: {message: {type: 'string'}, url: {type: 'string'}, errors: {type: 'array', items: {type: 'string'}}},
  additionalProperties: false,
}

function apiError(status: number, message: string, errors?: string[]): Answer {
  return {status, body: {...(errors ? {errors} : {}), message, url: SWAGGER_URL}}
}

/** Gitea's paging (routers/api/v1/utils.GetListOptions): `limit` ≤ 0 is 30, more than 50 is 50; `page` from 1. */
function page<T>(items: readonly T[], query: URLSearchParams): T[] {
  const limit = Number(query.get('limit') ?? 0)
  const size = limit <= 0 ? 30 : Math.min(limit, 50)
  const n = Math.max(Number(query.get('page') ?? 1), 1)
  return items.slice((n - 1) * size, n * size)
}

const CANNED = JSON.parse(readFileSync(ANSWERS, 'utf8')) as Record<string, Answer>
const REPO_TEMPLATE = (CANNED['/api/v1/orgs/test-argocd/repos?limit=0&page=1'].body as Json[])[0]
const BRANCH_TEMPLATE = CANNED['/api/v1/repos/test-argocd/pr-test/branches/main'].body as Json

/** A repository as Gitea lists it: Argo CD's canned pr-test, renamed. */
function repositoryJson(owner: string, r: FakeGiteaRepo, i: number): Json {
  const host = 'https://gitea.example.com'
  return {
    ...REPO_TEMPLATE,
    id: r.id ?? 1000 + i,
    owner: {...REPO_TEMPLATE.owner, login: owner, username: owner},
    name: r.name,
    full_name: `${owner}/${r.name}`,
    languages_url: `${host}/api/v1/repos/${owner}/${r.name}/languages`,
    html_url: `${host}/${owner}/${r.name}`,
    ssh_url: `git@gitea.example.com:${owner}/${r.name}.git`,
    clone_url: `${host}/${owner}/${r.name}.git`,
    default_branch: r.defaultBranch ?? 'main',
    archived: r.archived === true,
  }
}

/** A branch as Gitea answers it: Argo CD's canned pr-test main, renamed. */
function branchJson(name: string, sha: string): Json {
  return {...BRANCH_TEMPLATE, name, commit: {...(BRANCH_TEMPLATE.commit as Json), id: sha}}
}

function labelJson(name: string, i: number): Json {
  return {id: 100 + i, name, exclusive: false, is_archived: false, color: 'e11d21', description: '', url: ''}
}
