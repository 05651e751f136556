import {readFileSync} from 'node:fs'
import type {IncomingMessage, Server, ServerResponse} from 'node:http'

import {closeLoopback, listenLoopback} from '../../support/loopback.js'
import {Swagger2Spec, type Json, type Operation, type Violation} from '../../support/swagger2-spec.js'

/**
 * A fake Bitbucket Cloud on 127.0.0.1 (under /2.0) for the calls of the `scmProvider.bitbucket` generator. Bitbucket's
 * published Swagger 2.0 description (https://api.bitbucket.org/swagger.json, kept in parts under
 * fixtures/swagger/) is compiled with ajv: every request is matched to its operation by method and
 * path template (a branch name's slashes are one `{name}`), its query held to the operation's parameters — `page`
 * only in a `next` link this fake sent, which the description leaves opaque — and must carry the credentials (else
 * 401); every response body is validated against the operation's schema for its status (the description's `error`
 * for a status it does not list) before it is sent. What the real service sends and the description does not allow
 * is named in KNOWN, each with its reason, and only that is let through. A violation is recorded (assert
 * `violations` is empty) and answered 500.
 */

const FIXTURES = new URL('./fixtures/', import.meta.url)
const json = (name: string) => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as Json

let shared: Swagger2Spec | undefined
function spec(): Swagger2Spec {
  const part = (n: string) => json(`swagger/${n}.json`)
  const doc = {...part('others'), paths: part('paths'), definitions: part('definitions'), tags: part('tags')}
  return (shared ??= new Swagger2Spec(
    {...doc, securityDefinitions: part('securityDefinitions')},
    'https://api.bitbucket.org/swagger.json',
    {basePath: '/2.0'},
  ))
}

/** argo-cd v3.5.1 bitbucket_cloud_test.go's canned answers (fixtures/argo-cd-*.json). */
export const argoCd = (name: string): Json => json(`argo-cd-${name}.json`)

/** Where the real service departs from its description (each seen in Argo CD's canned answers). */
const KNOWN: Array<{problem: RegExp; why: string}> = [
  {problem: /\/links: unknown field "(branches|tags|source)"$/, why: 'repository links the description leaves out'},
  {problem: /\/project\/links: unknown field "self"$/, why: "a project's self link"},
  {
    problem: /\/links\/clone\/\d+\/href: must match format "uri"/,
    why: 'the ssh clone link is scp-like (git@host:path)',
  },
  {problem: /^\/attributes: must be (string|equal to one of)/, why: "a file's attributes are a list"},
]

export interface FakeBitbucketRepository {
  /** The repository as ListForAccount serves it. */
  entry: Json
  /** Its branches (branch objects), in order. */
  branches: Json[]
  /** The paths at each commit hash (a directory exists when a path is under it). */
  paths?: Record<string, string[]>
  /** A file's meta as served, by `<hash>/<path>` (a canned answer). */
  meta?: Record<string, Json>
}

/** A repository as Bitbucket serves it, its branches `name → hash`, its paths by branch name. */
export function repository(
  owner: string,
  slug: string,
  branches: Record<string, string>,
  paths: Record<string, string[]> = {},
): FakeBitbucketRepository {
  const api = `https://api.bitbucket.org/2.0/repositories/${owner}/${slug}`
  const uuid = `{${slug.padEnd(8, '0').slice(0, 8)}-0000-4000-8000-${owner.padEnd(12, '0').slice(0, 12)}}`
  const [main] = Object.keys(branches)
  const branch = (name: string) => ({
    name,
    type: 'branch',
    links: {
      self: {href: `${api}/refs/branches/${name}`},
      html: {href: `https://bitbucket.org/${owner}/${slug}/branch/${name}`},
    },
    target: {type: 'commit', hash: branches[name], date: '2026-11-01T10:00:00+00:00', message: 'commit\n', parents: []},
  })
  return {
    entry: {
      type: 'repository',
      uuid,
      slug,
      name: slug,
      full_name: `${owner}/${slug}`,
      is_private: true,
      scm: 'git',
      mainbranch: {type: 'branch', name: main},
      links: {
        self: {href: api},
        html: {href: `https://bitbucket.org/${owner}/${slug}`},
        clone: [
          {name: 'https', href: `https://bitbucket.org/${owner}/${slug}.git`},
          {name: 'ssh', href: `ssh://git@bitbucket.org/${owner}/${slug}.git`},
        ],
      },
    },
    branches: Object.keys(branches).map(branch),
    paths: Object.fromEntries(Object.entries(paths).map(([b, p]) => [branches[b], p])),
  }
}

export interface FakeBitbucketResponse {
  status: number
  body?: unknown
}

const OPERATIONS: Record<string, string> = {
  '/2.0/repositories/{workspace}': 'repositories',
  '/2.0/repositories/{workspace}/{repo_slug}/refs/branches': 'branches',
  '/2.0/repositories/{workspace}/{repo_slug}/refs/branches/{name}': 'branch',
  '/2.0/repositories/{workspace}/{repo_slug}/src/{commit}/{path}': 'src',
}
const PAGELEN = 10

export class FakeBitbucket {
  readonly violations: Violation[] = []
  readonly requests: Array<{operation: string | null; path: string; query: Record<string, string>}> = []
  url = ''
  private server: Server | undefined
  private readonly queued = new Map<string, FakeBitbucketResponse[]>()
  private readonly issued = new Set<string>()

  constructor(
    private readonly options: {token: string; user?: string; workspaces: Record<string, FakeBitbucketRepository[]>},
  ) {}

  async start(): Promise<this> {
    ;({server: this.server, url: this.url} = await listenLoopback((req, res) => {
      try {
        this.handle(req, res)
      } catch (error) {
        this.violations.push({where: 'fake server', problem: String((error as Error)?.stack ?? error)})
        if (!res.headersSent) send(res, {status: 500, body: {type: 'error', error: {message: 'fake crashed'}}})
      }
    }))
    return this
  }

  async close(): Promise<void> {
    await closeLoopback(this.server)
  }

  /** The API base the client is given (`--api-url`). */
  get api(): string {
    return `${this.url}/2.0`
  }

  respondNext(operation: string, ...responses: FakeBitbucketResponse[]): void {
    this.queued.set(operation, [...(this.queued.get(operation) ?? []), ...responses])
  }

  requestsFor(operation: string) {
    return this.requests.filter((r) => r.operation === operation)
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url)
    // One `{name}` of refs/branches/ may hold slashes (a branch a/b): matched as one segment.
    const pathname = url.pathname.replace(
      /(\/refs\/branches\/)(.+)$/,
      (_, at: string, name: string) => at + name.replaceAll('/', '%2F'),
    )
    const found = spec().find(req.method ?? 'GET', pathname)
    const operation = found ? (OPERATIONS[found.op.template] ?? found.op.template) : null
    const where = `${req.method} ${url.pathname}${url.search}`
    this.requests.push({operation, path: url.pathname, query: Object.fromEntries(url.searchParams)})
    const problems = found
      ? this.checkRequest(found.op, url, operation!, where)
      : [{where, problem: 'no such operation in the Bitbucket description'}]
    if (problems.length > 0) {
      this.violations.push(...problems)
      return send(res, {status: 500, body: {type: 'error', error: {message: 'request violates the description'}}})
    }
    const expected =
      this.options.user === undefined
        ? `Bearer ${this.options.token}`
        : `Basic ${Buffer.from(`${this.options.user}:${this.options.token}`).toString('base64')}`
    const answer =
      req.headers.authorization !== expected
        ? {
            status: 401,
            body: {
              type: 'error',
              error: {message: 'Access token expired. Use your refresh token to obtain a new access token.'},
            },
          }
        : (this.queued.get(operation!)?.shift() ?? this.behave(operation!, found!.params, url))
    const bad = this.checkAnswer(found!.op, answer, `${where} -> ${answer.status}`)
    if (bad.length > 0) {
      this.violations.push(...bad)
      return send(res, {status: 500, body: {type: 'error', error: {message: 'response violates the description'}}})
    }
    send(res, answer)
  }

  private checkRequest(op: Operation, url: URL, operation: string, where: string): Violation[] {
    const query = new URLSearchParams(url.searchParams)
    if (this.issued.has(url.href)) query.delete('page')
    const out = spec().checkQuery(op, query, where)
    if (operation === 'repositories' && query.get('role') !== 'member')
      out.push({where, problem: 'ListForAccount asks role=member'})
    if (operation === 'src' && query.get('format') !== 'meta')
      out.push({where, problem: 'GetContents asks format=meta'})
    return out
  }

  private checkAnswer(op: Operation, answer: FakeBitbucketResponse, where: string): Violation[] {
    if (answer.body === undefined) return []
    const file = answer.status === 200 && (answer.body as Json).type === 'commit_file'
    const directory = answer.status === 200 && (answer.body as Json).type === 'commit_directory'
    const schema = file
      ? {$ref: '#/definitions/commit_file'}
      : directory
        ? {$ref: '#/definitions/treeentry'}
        : (op.responses[String(answer.status)]?.schema ?? {$ref: '#/definitions/error'})
    return spec()
      .validate(schema, answer.body, where)
      .filter((v) => !KNOWN.some((k) => k.problem.test(v.problem)))
  }

  private behave(operation: string, params: Record<string, string>, url: URL): FakeBitbucketResponse {
    const notFound = (message: string) => ({status: 404, body: {type: 'error', error: {message}}})
    const repos = this.options.workspaces[params.workspace]
    if (repos === undefined) return notFound(`No workspace with identifier '${params.workspace}'.`)
    if (operation === 'repositories')
      return this.page(
        url,
        repos.map((r) => r.entry),
      )
    const repo = repos.find((r) => r.entry.slug === params.repo_slug)
    if (repo === undefined) return notFound('Repository not found')
    if (operation === 'branches') return this.page(url, repo.branches)
    if (operation === 'branch') {
      const branch = repo.branches.find((b) => b.name === params.name)
      return branch ? {status: 200, body: branch} : notFound(`Branch "${params.name}" does not exist.`)
    }
    const wanted = params.path.replace(/\/+$/, '')
    const paths = repo.paths?.[params.commit] ?? []
    const commit = {type: 'commit', hash: params.commit}
    const canned = repo.meta?.[`${params.commit}/${wanted}`]
    if (canned) return {status: 200, body: canned}
    if (paths.includes(wanted))
      return {
        status: 200,
        body: {type: 'commit_file', path: wanted, escaped_path: wanted, commit, attributes: [], size: 1},
      }
    if (paths.some((p) => p.startsWith(`${wanted}/`)))
      return {status: 200, body: {type: 'commit_directory', path: wanted, commit}}
    return notFound(`No such file or directory: ${wanted}`)
  }

  /** A page of `pagelen` (10) values by `page`, with the `next` link Bitbucket sends. */
  private page(url: URL, values: Json[]): FakeBitbucketResponse {
    const page = Number(url.searchParams.get('page') ?? '1')
    const body: Json = {
      pagelen: PAGELEN,
      size: values.length,
      page,
      values: values.slice((page - 1) * PAGELEN, page * PAGELEN),
    }
    if (page * PAGELEN < values.length) {
      const next = new URL(url.href)
      next.searchParams.set('page', String(page + 1))
      this.issued.add(next.href)
      body.next = next.href
    }
    return {status: 200, body}
  }
}

function send(res: ServerResponse, answer: FakeBitbucketResponse): void {
  const text = answer.body === undefined ? '' : JSON.stringify(answer.body)
  res.writeHead(answer.status, text ? {'content-type': 'application/json; charset=utf-8'} : {})
  res.end(text)
}
