import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import type {IncomingMessage, Server, ServerResponse} from 'node:http'

import {closeLoopback, listenLoopback} from '../../support/loopback.js'
import {Swagger2Spec, type Json, type Operation, type Violation} from '../../support/swagger2-spec.js'

/**
 * A fake Azure DevOps on 127.0.0.1 for the calls of the `scmProvider.azureDevOps` generator. Azure DevOps' published
 * Swagger 2.0 description of its Git area (fixtures/git-7.1.json, read with its `x-ms-paths`) is
 * compiled with ajv: every request is matched to its operation by method, path template and query key (an unknown
 * path, method or query parameter, a missing api-version or one not 7.1-preview.1, is a violation) and must carry the
 * PAT as basic auth (else 401 with an empty body, as the service answers with its sign-in redirect suppressed); every
 * response body is validated before it is sent — a collection's `value` against the operation's array schema inside
 * the `{count, value}` envelope the service wraps it in (the description's examples show it), an error against the
 * Go client's WrappedError (the description has no error schema). A violation is recorded (assert `violations` is
 * empty) and answered 500.
 */

const SPEC_ID = 'https://dev.azure.com/_apis/git/7.1/swagger.json'
const FIXTURES = new URL('./fixtures/', import.meta.url)
const API_VERSION = '7.1-preview.1'

let shared: Swagger2Spec | undefined
const spec = () => (shared ??= new Swagger2Spec(new URL('git-7.1.json', FIXTURES), SPEC_ID))

/** One of the description's recorded examples (fixtures/GET__*.json): its 200 body. */
export function example(name: string): Json {
  const doc = JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as Json
  return doc.responses['200'].body as Json
}

/** azuredevops.WrappedError as the service sends it (models.go). */
const WRAPPED_ERROR = {
  type: 'object',
  required: ['message'],
  additionalProperties: false,
  properties: {
    $id: {type: 'string'},
    innerException: {type: 'null'},
    message: {type: 'string'},
    typeName: {type: 'string'},
    typeKey: {type: 'string'},
    errorCode: {type: 'integer'},
    eventId: {type: 'integer'},
  },
}

export interface FakeAzureRepository {
  /** The GitRepository the listing serves (fields may be left out, as Argo CD's cases do). */
  entry: Json
  /** The GitBranchStats of its branches, in order. */
  branches: Json[]
  /** Paths that exist, per branch name (a directory exists when a path is under it). */
  paths?: Record<string, string[]>
  /** A disabled repository: its branches answer GitRepositoryNotFoundException. */
  disabled?: boolean
}

/** A repository as the service describes it; ids are GUIDs derived from the name. */
export function repository(
  organization: string,
  project: string,
  name: string,
  options: {defaultBranch?: string; branches?: Record<string, string>; paths?: Record<string, string[]>} = {},
): FakeAzureRepository {
  const id = guid(`${organization}/${project}/${name}`)
  const base = `https://dev.azure.com/${organization}`
  const branches = options.branches ?? {main: createHash('sha1').update(name).digest('hex')}
  return {
    entry: {
      id,
      name,
      url: `${base}/_apis/git/repositories/${id}`,
      project: {id: guid(project), name: project, url: `${base}/_apis/projects/${guid(project)}`, state: 'wellFormed'},
      defaultBranch: options.defaultBranch ?? `refs/heads/${Object.keys(branches)[0]}`,
      size: 1024,
      remoteUrl: `${base}/${project}/_git/${name}`,
      sshUrl: `git@ssh.dev.azure.com:v3/${organization}/${project}/${name}`,
      webUrl: `${base}/${project}/_git/${name}`,
      isDisabled: false,
      isInMaintenance: false,
    },
    branches: Object.entries(branches).map(([branch, commitId]) => ({
      commit: {commitId, url: `${base}/_apis/git/repositories/${id}/commits/${commitId}`},
      name: branch,
      aheadCount: 0,
      behindCount: 0,
      isBaseVersion: false,
    })),
    ...(options.paths ? {paths: options.paths} : {}),
  }
}

export function guid(of: string): string {
  const h = createHash('sha256').update(of).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`
}

export interface FakeAzureResponse {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

export interface AzureRequest {
  operationId: string | null
  path: string
  query: Record<string, string>
}

export class FakeAzureDevOps {
  readonly violations: Violation[] = []
  readonly requests: AzureRequest[] = []
  url = ''
  private server: Server | undefined
  private readonly queued = new Map<string, FakeAzureResponse[]>()

  constructor(
    private readonly options: {
      token: string
      /** organization (lower case) → team project → repositories. */
      organizations: Record<string, Record<string, FakeAzureRepository[]>>
    },
  ) {}

  async start(): Promise<this> {
    ;({server: this.server, url: this.url} = await listenLoopback((req, res) => {
      try {
        this.handle(req, res)
      } catch (error) {
        this.violations.push({where: 'fake server', problem: String((error as Error)?.stack ?? error)})
        if (!res.headersSent) send(res, {status: 500, body: {message: 'fake Azure DevOps crashed'}})
      }
    }))
    return this
  }

  async close(): Promise<void> {
    await closeLoopback(this.server)
  }

  /** The next requests of an operation answer these, in order (each validated as any other answer). */
  respondNext(operationId: string, ...responses: FakeAzureResponse[]): void {
    this.queued.set(operationId, [...(this.queued.get(operationId) ?? []), ...responses])
  }

  requestsFor(operationId: string): AzureRequest[] {
    return this.requests.filter((r) => r.operationId === operationId)
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url)
    const located = this.locationService(req, url)
    if (located) return send(res, located)
    // The service reads api-version from the query or from the Accept header (where the Go SDK sends it).
    const accepted = /;\s*api-version=([^;,\s]+)/.exec(String(req.headers.accept ?? ''))?.[1]
    if (accepted && !url.searchParams.has('api-version')) url.searchParams.set('api-version', accepted)
    const found = spec().find(req.method ?? 'GET', url.pathname, url.searchParams)
    const where = `${req.method} ${url.pathname}${url.search}`
    this.requests.push({
      operationId: found?.op.operationId ?? null,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
    })
    const problems = found ? this.checkRequest(found.op, url.searchParams, req, where) : []
    if (!found) problems.push({where, problem: 'no such operation in the Azure DevOps Git description'})
    if (problems.length > 0) {
      this.violations.push(...problems)
      return send(res, {status: 500, body: {message: 'request violates the description'}})
    }
    const expected = `Basic ${Buffer.from(`:${this.options.token}`).toString('base64')}`
    const answer =
      req.headers.authorization !== expected
        ? {status: 401, body: ''}
        : (this.queued.get(found!.op.operationId)?.shift() ?? this.behave(found!.op.operationId, found!.params, url))
    const bad = this.checkAnswer(found!.op, answer, `${where} -> ${answer.status}`)
    if (bad.length > 0) {
      this.violations.push(...bad)
      return send(res, {status: 500, body: {message: 'response violates the description'}})
    }
    send(res, answer)
  }

  /**
   * The location service the Go SDK (azure-devops-go-api, Argo CD's client) asks before its first Git call, outside
   * the Git description and so answered here, recorded as `locations`: `OPTIONS {organization}/_apis` lists the
   * resource locations of the Git calls (the route templates Azure DevOps Services serves), `GET
   * {organization}/_apis/ResourceAreas` none (a server without areas: the SDK asks the organization's URL).
   */
  private locationService(req: IncomingMessage, url: URL): FakeAzureResponse | undefined {
    const m = /^\/[^/]+\/_apis(\/ResourceAreas)?\/?$/i.exec(url.pathname)
    const kind = req.method === 'OPTIONS' && m && !m[1] ? 'options' : req.method === 'GET' && m?.[1] ? 'areas' : ''
    if (!kind) return undefined
    this.requests.push({operationId: 'locations', path: url.pathname, query: Object.fromEntries(url.searchParams)})
    if (req.headers.authorization !== `Basic ${Buffer.from(`:${this.options.token}`).toString('base64')}`)
      return {status: 401, body: ''}
    const value = kind === 'areas' ? [] : LOCATIONS
    return {status: 200, body: {count: value.length, value}}
  }

  private checkRequest(op: Operation, query: URLSearchParams, req: IncomingMessage, where: string): Violation[] {
    const out = spec().checkQuery(op, query, where)
    if (query.has('api-version') && query.get('api-version') !== API_VERSION)
      out.push({where, problem: `api-version ${query.get('api-version')} is not ${API_VERSION}`})
    if (req.headers.accept !== `application/json;api-version=${API_VERSION}`)
      out.push({where, problem: `Accept ${req.headers.accept} is not the client's`})
    return out
  }

  private checkAnswer(op: Operation, answer: FakeAzureResponse, where: string): Violation[] {
    if (answer.body === '' || typeof answer.body === 'string') return []
    if (answer.status >= 300) return spec().validate(WRAPPED_ERROR, answer.body, where)
    const schema = spec().responseSchema(op, answer.status)
    if (!schema) return [{where, problem: `the description has no ${answer.status} answer`}]
    if (schema.type !== 'array') return spec().validate(schema, answer.body, where)
    const body = answer.body as Json
    const envelope = Object.keys(body).sort().join(',') === 'count,value' && body.count === body.value?.length
    return [
      ...(envelope ? [] : [{where, problem: 'a collection is not {count, value}'}]),
      ...spec().validate(schema, body.value, where),
    ]
  }

  private behave(operationId: string, params: Record<string, string>, url: URL): FakeAzureResponse {
    const repos = this.options.organizations[params.organization]?.[params.project]
    if (repos === undefined)
      return notFound(
        'ProjectDoesNotExistWithNameException',
        `TF200016: The following project does not exist: ${params.project}.`,
      )
    if (operationId === 'Repositories_List') return collection(repos.map((r) => r.entry))
    const repo = repos.find((r) => r.entry.name === params.repositoryId || r.entry.id === params.repositoryId)
    if (repo === undefined || repo.disabled)
      return notFound(
        'GitRepositoryNotFoundException',
        `TF401019: The Git repository with name or identifier ${params.repositoryId} does not exist or you do not have permissions for the operation you are attempting.`,
      )
    const q = url.searchParams
    if (operationId === 'Stats_List') return collection(repo.branches)
    const branchName = operationId === 'Stats_Get' ? q.get('name')! : (q.get('versionDescriptor.version') ?? '')
    const branch = repo.branches.find((b) => b.name === branchName)
    if (branch === undefined)
      return notFound(
        'GitUnresolvableToCommitException',
        `TF401175:The version descriptor <Branch: ${branchName} > could not be resolved to a version in the repository ${String(repo.entry.name)}`,
      )
    if (operationId === 'Stats_Get') return {status: 200, body: branch}
    if (operationId !== 'Items_Get') return {status: 501, body: wrapped('NotImplementedException', operationId)}
    return this.item(repo, branch, q.get('path')!)
  }

  private item(repo: FakeAzureRepository, branch: Json, path: string): FakeAzureResponse {
    const wanted = path.replace(/^\/+/, '')
    const paths = repo.paths?.[branch.name as string] ?? []
    const file = paths.includes(wanted)
    if (!file && !paths.some((p) => p.startsWith(`${wanted}/`)))
      return notFound(
        'GitItemNotFoundException',
        `TF401174: The item '${path}' could not be found in the repository '${String(repo.entry.name)}' at the version specified by '<Branch: ${String(branch.name)} >' (resolved to commit '${String(branch.commit.commitId)}').`,
      )
    const objectId = createHash('sha1')
      .update(`${String(repo.entry.id)}:${wanted}`)
      .digest('hex')
    return {
      status: 200,
      body: {
        objectId,
        gitObjectType: file ? 'blob' : 'tree',
        commitId: branch.commit.commitId,
        path: `/${wanted}`,
        ...(file ? {} : {isFolder: true}),
        url: `${String(repo.entry.url)}/items/${wanted}?versionType=Branch&versionOptions=None`,
      },
    }
  }
}

function collection(value: Json[]): FakeAzureResponse {
  return {status: 200, body: {count: value.length, value}}
}

/** The service's error body (a WrappedError). */
export function wrapped(typeKey: string, message: string): Json {
  return {
    $id: '1',
    innerException: null,
    message,
    typeName: `Microsoft.TeamFoundation.Git.Server.${typeKey}, Microsoft.TeamFoundation.Git.Server`,
    typeKey,
    errorCode: 0,
    eventId: 3000,
  }
}

function notFound(typeKey: string, message: string): FakeAzureResponse {
  return {status: 404, body: wrapped(typeKey, message)}
}

/** The resource locations of the calls Argo CD's provider makes (ApiResourceLocation), as Azure DevOps serves them. */
const LOCATIONS = [
  ['e81700f7-3be2-46de-8624-2eb35882fcaa', 'Location', 'ResourceAreas', '_apis/{resource}/{areaId}'],
  ['225f7195-f9c7-4d14-ab28-a83f7ff77e1f', 'git', 'repositories', '{project}/_apis/{area}/{resource}/{repositoryId}'],
  [
    'd5b216de-d8d5-4d32-ae76-51df755b16d3',
    'git',
    'branches',
    '{project}/_apis/{area}/repositories/{repositoryId}/stats/{resource}',
  ],
  [
    'fb93c0db-47ed-4a31-8c20-47552878fb44',
    'git',
    'items',
    '{project}/_apis/{area}/repositories/{repositoryId}/{resource}/{*path}',
  ],
].map(([id, area, resourceName, routeTemplate]) => ({
  id,
  area,
  resourceName,
  routeTemplate,
  resourceVersion: 1,
  minVersion: '1.0',
  maxVersion: '7.1',
  releasedVersion: '7.0',
}))

function send(res: ServerResponse, answer: FakeAzureResponse): void {
  const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body)
  const type = typeof answer.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8'
  res.writeHead(answer.status, {...(text ? {'content-type': type} : {}), ...answer.headers})
  res.end(text)
}
