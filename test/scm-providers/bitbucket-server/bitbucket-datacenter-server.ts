import type {IncomingMessage, Server, ServerResponse} from 'node:http'

import {closeLoopback, listenLoopback} from '../../support/loopback.js'
import {Swagger2Spec, type Json, type Violation} from '../../support/swagger2-spec.js'

/**
 * A fake Bitbucket Server / Data Center on 127.0.0.1. Atlassian's OpenAPI 3 description (fixtures/
 * bitbucket-server-openapi.json, Bitbucket Data Center 9.2) is read as Swagger2Spec reads a Swagger 2.0 one (its
 * component schemas as definitions, each parameter's schema type, each answer's application/json schema): every
 * request is matched to its operation (an unknown path or query parameter, or one of the wrong type, is a violation),
 * must carry `Authorization: Bearer <token>` and Argo CD's `X-Atlassian-Token: no-check`; every answer is a status
 * the operation declares (or 429/5xx, injected) and its body is validated against that status's schema, closed. The
 * client asks `/rest/api/1.0/…`, which Bitbucket serves as `/rest/api/latest/…` (the description's paths); the
 * browse operation's answer is paged as Bitbucket pages it, so `start` and `limit` (which Argo CD sends) are added to
 * its parameters. A violation is recorded (assert `violations` is empty) and answered 500.
 */

const SPEC_FILE = new URL('./fixtures/bitbucket-server-openapi.json', import.meta.url)

let shared: Swagger2Spec | undefined
function bitbucketSpec(): Swagger2Spec {
  shared ??= new Swagger2Spec(SPEC_FILE, 'https://bitbucket.example.com/swagger.v3.json', {
    closed: true,
    basePath: '/rest',
    patch: asSwagger2,
  })
  return shared
}

/** The OpenAPI 3 description in the shape Swagger2Spec reads. */
function asSwagger2(doc: Json): void {
  doc.definitions = JSON.parse(
    JSON.stringify(doc.components.schemas).replaceAll('#/components/schemas/', '#/definitions/'),
  )
  for (const item of Object.values(doc.paths as Json) as Json[]) {
    for (const op of Object.values(item) as Json[]) {
      if (!op || typeof op !== 'object' || Array.isArray(op)) continue
      op.parameters = ((op.parameters ?? []) as Json[]).map((p) => ({...p, type: p.schema?.type, enum: p.schema?.enum}))
      for (const [status, r] of Object.entries((op.responses ?? {}) as Json)) {
        const schema = (r as Json).content?.['application/json']?.schema as Json | undefined
        const text = schema ? JSON.stringify(schema).replaceAll('#/components/schemas/', '#/definitions/') : undefined
        op.responses[status] = text ? {schema: JSON.parse(text)} : {}
      }
    }
  }
  const browse = doc.paths['/api/latest/projects/{projectKey}/repos/{repositorySlug}/browse/{path}'].get
  browse.parameters.push({name: 'start', in: 'query', type: 'integer'}, {name: 'limit', in: 'query', type: 'integer'})
}

export interface FakeBitbucketRepo {
  name: string
  id?: number
  /** The default branch: a name; null: none set but named (404); 'unset': an empty repository (204). */
  defaultBranch?: string | null | 'unset'
  branches: Record<string, string>
  /** Branch → its files (a path that prefixes one is a directory). */
  files?: Record<string, string[]>
}

export interface BitbucketRequest {
  path: string
  query: Record<string, string>
  operationId: string | null
}

interface Answer {
  status: number
  body?: unknown
}

export class FakeBitbucketServer {
  readonly violations: Violation[] = []
  readonly requests: BitbucketRequest[] = []
  url = ''
  private readonly queued = new Map<string, Answer[]>()
  private server: Server | undefined
  private readonly spec = bitbucketSpec()

  constructor(private readonly options: {token: string; projects: Record<string, FakeBitbucketRepo[]>}) {}

  async start(): Promise<this> {
    ;({server: this.server, url: this.url} = await listenLoopback((req, res) => this.handle(req, res)))
    return this
  }

  async close(): Promise<void> {
    await closeLoopback(this.server)
  }

  respondNext(operationId: string, ...answers: Answer[]): void {
    this.queued.set(operationId, [...(this.queued.get(operationId) ?? []), ...answers])
  }

  requestsFor(operationId: string): BitbucketRequest[] {
    return this.requests.filter((r) => r.operationId === operationId)
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url)
    const path = url.pathname.replace(/^\/rest\/api\/1\.0\//, '/rest/api/latest/')
    const found = this.spec.find(req.method ?? 'GET', path)
    this.requests.push({
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      operationId: found?.op.operationId ?? null,
    })
    const where = `${req.method} ${url.pathname}${url.search}`
    if (!found) return this.refuse(res, [{where, problem: 'no such operation in the Bitbucket description'}])
    const problems = this.spec.checkQuery(found.op, url.searchParams, where)
    if (req.headers['x-atlassian-token'] !== 'no-check')
      problems.push({where, problem: 'no X-Atlassian-Token: no-check'})
    if (problems.length > 0) return this.refuse(res, problems)
    const answer = this.answer(found.op.operationId, found.params, url.searchParams, req.headers.authorization)
    const at = `${where} -> ${answer.status}`
    const declared = this.spec.declares(found.op, answer.status) || answer.status === 429 || answer.status >= 500
    const schema = this.spec.responseSchema(found.op, answer.status) ?? (answer.status >= 400 ? ERRORS : undefined)
    const bad = !declared
      ? [{where: at, problem: `the operation does not declare ${answer.status}`}]
      : schema
        ? this.spec.validate(schema, answer.body, at)
        : []
    if (bad.length > 0) return this.refuse(res, bad)
    res.writeHead(answer.status, answer.body === undefined ? {} : {'content-type': 'application/json'})
    res.end(answer.body === undefined ? '' : JSON.stringify(answer.body))
  }

  private refuse(res: ServerResponse, problems: Violation[]): void {
    this.violations.push(...problems)
    res.writeHead(500, {'content-type': 'application/json'})
    res.end(JSON.stringify(errors('the request or answer violates the Bitbucket description')))
  }

  private answer(op: string, params: Record<string, string>, query: URLSearchParams, auth?: string): Answer {
    if (auth !== `Bearer ${this.options.token}`)
      return {status: 401, body: errors('Authentication failed. Please check your credentials and try again.')}
    const queued = this.queued.get(op)?.shift()
    if (queued) return queued
    const repos = this.options.projects[params.projectKey]
    if (!repos) return {status: 404, body: errors(`Project ${params.projectKey} does not exist.`)}
    if (op === 'getRepositories')
      return {status: 200, body: paged(repos, query, (r, i) => repositoryJson(params.projectKey, r, i))}
    const repo = repos.find((r) => r.name === params.repositorySlug)
    if (!repo)
      return {status: 404, body: errors(`Repository ${params.projectKey}/${params.repositorySlug} does not exist.`)}
    if (op === 'getBranches')
      return {status: 200, body: paged(Object.entries(repo.branches), query, ([b, sha]) => branchJson(b, sha, repo))}
    if (op === 'getDefaultBranch_1') {
      const name = repo.defaultBranch === undefined ? 'main' : repo.defaultBranch
      if (name === 'unset') return {status: 204}
      if (name === null || repo.branches[name] === undefined)
        return {status: 404, body: errors('The default branch does not exist.')}
      return {status: 200, body: branchJson(name, repo.branches[name], repo)}
    }
    if (op === 'getContent_1') return this.browse(repo, params.path, query.get('at') ?? '')
    return {status: 500, body: errors(`the fake does not answer ${op}`)}
  }

  /** `type=true`: the path's type alone. */
  private browse(repo: FakeBitbucketRepo, path: string, at: string): Answer {
    const files = repo.files?.[at] ?? []
    const p = path.replace(/\/$/, '')
    if (files.includes(p)) return {status: 200, body: {type: 'FILE'}}
    if (files.some((f) => f.startsWith(`${p}/`))) return {status: 200, body: {type: 'DIRECTORY'}}
    return {status: 404, body: errors(`The path "${path}" does not exist at revision "${at}"`)}
  }
}

const ERRORS: Json = {
  type: 'object',
  properties: {errors: {type: 'array', items: {$ref: '#/definitions/RestErrorMessage'}}},
}

function errors(message: string): Json {
  return {errors: [{message, exceptionName: 'com.atlassian.bitbucket.NoSuchObjectException'}]}
}

/** A page as Bitbucket answers one (`limit` default 25). */
function paged<T>(items: readonly T[], query: URLSearchParams, each: (item: T, i: number) => Json): Json {
  const start = Number(query.get('start') ?? 0)
  const limit = Number(query.get('limit') ?? 25)
  const values = items.slice(start, start + limit).map((item, i) => each(item, start + i))
  const isLastPage = start + limit >= items.length
  return {size: values.length, limit, isLastPage, values, start, ...(isLastPage ? {} : {nextPageStart: start + limit})}
}

function repositoryJson(key: string, r: FakeBitbucketRepo, i: number): Json {
  const slug = r.name.toLowerCase()
  return {
    id: r.id ?? 100 + i,
    slug,
    name: r.name,
    hierarchyId: 'e3c939f9ef4a7fae272e',
    scmId: 'git',
    state: 'AVAILABLE',
    statusMessage: 'Available',
    forkable: true,
    project: {key, id: 1, name: key, public: false, type: 'NORMAL'},
    public: false,
    archived: false,
    links: {
      clone: [
        {href: `ssh://git@bitbucket.example.com:7999/${key.toLowerCase()}/${slug}.git`, name: 'ssh'},
        {href: `https://bitbucket.example.com/scm/${key.toLowerCase()}/${slug}.git`, name: 'http'},
      ],
    },
  }
}

function branchJson(name: string, sha: string, repo: FakeBitbucketRepo): Json {
  const isDefault = name === (repo.defaultBranch === undefined ? 'main' : repo.defaultBranch)
  return {id: `refs/heads/${name}`, displayId: name, type: 'BRANCH', latestCommit: sha, latestChangeset: sha, isDefault}
}
