import {createHash} from 'node:crypto'
import type {IncomingMessage, Server, ServerResponse} from 'node:http'

import {
  contentFileJson,
  fullRepositoryJson,
  privateUserJson,
  pullRequestJson,
  workflowRunJson,
  type PullRecord,
  type RunRecord,
} from './github-fixtures.js'
import {FakeComments, type JobPermissions} from './github-comments.js'
import {githubSpec, type GitHubSpec, type SpecOperation, type Violation} from './github-openapi.js'
import {organizationAnswer, type FakeOrgRepository} from '../scm-providers/github/github-orgs.js'
import {closeLoopback, listenLoopback} from './loopback.js'

/**
 * A fake GitHub on 127.0.0.1 for the endpoints `ameide primitive gitops scaffold` uses. Every request is
 * matched to its operation in GitHub's published OpenAPI description and validated (path, query, body:
 * an unknown field, a wrong type or an unknown path is a violation); every response is validated
 * against the operation's schema for its status before it is sent. A violation is recorded (assert
 * `violations` is empty after each test) and answered with a 500, so the CLI notices too.
 */

type Json = Record<string, any>

export interface FakeResponse {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

export interface FakeWorkflow {
  id: number
  file: string
  yaml: string
}

export interface FakeGitHubOptions {
  /** The one token the server accepts. */
  token: string
  login?: string
  /** Token of a GitHub App / Actions: GET /user answers 403. */
  tokenIsApp?: boolean
  owner?: string
  repo?: string
  workflows?: FakeWorkflow[]
  /** Refs the workflow files exist on. */
  refs?: string[]
  /**
   * How POST …/dispatches answers: `details` (api.github.com: 200 with the run when asked), `no-content`
   * (204 always), `ghes` (GitHub Enterprise Server ≤ 3.20: 400 when the body has return_run_details).
   */
  dispatch?: 'details' | 'no-content' | 'ghes'
  /** Statuses a new run goes through, one step every `pollsPerStep` GETs of the run; the last is completed. */
  runStatuses?: string[]
  pollsPerStep?: number
  conclusion?: string
  /** The run shows up in run listings only after this many listings (GitHub's eventual consistency). */
  runHiddenForListings?: number
  /** Branch of the PR a successful run opens; null: it opens none. Default scaffold/<kind>-<name>-<version>. */
  prBranch?: string | null
  /** Runs that exist already (decoys for correlation). */
  existingRuns?: Partial<RunRecord>[]
  existingPulls?: Partial<PullRecord>[]
  /** Branches of the git database (branch → commit sha); the commits exist with an empty tree. Default: main. */
  branches?: Record<string, string>
  /** The token's role on the repository (GET /repos/{owner}/{repo}). Default: push (may dispatch workflows). */
  permission?: 'admin' | 'push' | 'pull'
  /**
   * Organizations and their repositories (test/scm-providers/github/github-orgs.ts), for the ApplicationSet
   * scmProvider generator.
   */
  organizations?: Record<string, FakeOrgRepository[]>
  /** The token is a workflow job's GITHUB_TOKEN with these permissions (pull-request comments check them). */
  jobPermissions?: JobPermissions
}

/** The git database of the fake: objects by sha, refs by branch (what gitops set-image/promote --open-pr write). */
export interface FakeGitData {
  blobs: Map<string, Buffer>
  /** Tree sha → path → {mode, blob sha}. */
  trees: Map<string, Map<string, {mode: string; sha: string}>>
  commits: Map<string, {tree: string; parents: string[]; message: string}>
  branches: Map<string, string>
}

export interface RecordedRequest {
  method: string
  path: string
  operationId: string | null
  query: Record<string, string>
  body: unknown
  headers: Record<string, string | string[] | undefined>
}

export const SCAFFOLD_WORKFLOW_YAML = `name: Scaffold Primitive GitOps (PR)
run-name: "Scaffold \${{ inputs.kind }}-\${{ inputs.name }}-\${{ inputs.version }} \${{ inputs.distinct_id }}"
on:
  workflow_dispatch:
    inputs:
      kind:
        description: Primitive kind
        required: true
        type: choice
        options: [domain, process, agent, uisurface, projection, integration]
      name:
        required: true
        type: string
      version:
        required: true
        type: string
        default: v0
      with_smoke:
        required: false
        type: boolean
        default: false
      env:
        required: false
        type: choice
        options: [dev, staging, production]
      distinct_id:
        description: Correlation id set by the caller
        required: false
        type: string
permissions:
  contents: write
  pull-requests: write
jobs:
  scaffold:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: python3 scripts/scaffold-primitive-gitops.py --kind "\${{ inputs.kind }}" --name "\${{ inputs.name }}"
`

export class FakeGitHub {
  readonly violations: Violation[] = []
  readonly requests: RecordedRequest[] = []
  readonly runs: RunRecord[] = []
  readonly pulls: PullRecord[] = []
  readonly git: FakeGitData = {blobs: new Map(), trees: new Map(), commits: new Map(), branches: new Map()}
  /** Conditional GETs answered 304. */
  notModified = 0
  url = ''
  private server: Server | undefined
  private readonly queued = new Map<string, FakeResponse[]>()
  private readonly pollCounts = new Map<number, number>()
  private listings = 0
  private nextRunId = 9_000_001
  private readonly opts: Required<
    Omit<
      FakeGitHubOptions,
      'existingRuns' | 'existingPulls' | 'prBranch' | 'branches' | 'permission' | 'organizations' | 'jobPermissions'
    >
  > & {
    prBranch?: string | null
    permission?: 'admin' | 'push' | 'pull'
    organizations?: Record<string, FakeOrgRepository[]>
  }
  private readonly spec: GitHubSpec
  /** Pull-request comments (./github-comments.ts). */
  readonly comments: FakeComments

  constructor(options: FakeGitHubOptions) {
    this.spec = githubSpec()
    this.comments = new FakeComments(this.spec, options.login ?? 'octo-dev', options.jobPermissions)
    this.opts = {
      login: 'octo-dev',
      tokenIsApp: false,
      owner: 'ameideio',
      repo: 'ameide-gitops',
      workflows: [{id: 161_335, file: 'scaffold-primitive-gitops.yaml', yaml: SCAFFOLD_WORKFLOW_YAML}],
      refs: ['main'],
      dispatch: 'details',
      runStatuses: ['queued', 'in_progress', 'completed'],
      pollsPerStep: 1,
      conclusion: 'success',
      runHiddenForListings: 0,
      ...options,
    }
    const emptyTree = objectSha('tree', '')
    this.git.trees.set(emptyTree, new Map())
    for (const [branch, sha] of Object.entries(options.branches ?? {main: objectSha('commit', 'root')})) {
      this.git.commits.set(sha, {tree: emptyTree, parents: [], message: 'root'})
      this.git.branches.set(branch, sha)
    }
    for (const r of options.existingRuns ?? []) this.runs.push(this.makeRun(r))
    for (const p of options.existingPulls ?? []) {
      this.pulls.push({
        number: 40 + this.pulls.length,
        branch: 'x',
        base: 'main',
        state: 'open',
        title: 'existing',
        createdAt: new Date(),
        ...p,
      })
    }
  }

  get owner(): string {
    return this.opts.owner
  }

  get repo(): string {
    return this.opts.repo
  }

  /** The next request(s) for `operationId` get these answers instead of the normal behaviour. */
  respondNext(operationId: string, ...responses: FakeResponse[]): void {
    this.queued.set(operationId, [...(this.queued.get(operationId) ?? []), ...responses])
  }

  requestsFor(operationId: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operationId === operationId)
  }

  async start(): Promise<this> {
    ;({server: this.server, url: this.url} = await listenLoopback((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.violations.push({where: 'fake server', problem: String((error as Error)?.stack ?? error)})
        if (!res.headersSent) res.writeHead(500, {'content-type': 'application/json'})
        res.end(JSON.stringify({message: 'fake github crashed'}))
      })
    }))
    return this
  }

  async close(): Promise<void> {
    await closeLoopback(this.server)
  }

  private makeRun(r: Partial<RunRecord>): RunRecord {
    const wf = this.opts.workflows[0]
    return {
      id: this.nextRunId++,
      workflowId: wf.id,
      workflowFile: wf.file,
      workflowName: 'Scaffold Primitive GitOps (PR)',
      displayTitle: 'Scaffold Primitive GitOps (PR)',
      headBranch: 'main',
      event: 'workflow_dispatch',
      status: 'completed',
      conclusion: 'success',
      actor: this.opts.login,
      createdAt: new Date(),
      runNumber: this.runs.length + 1,
      ...r,
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const raw = Buffer.concat(chunks).toString('utf8')
    const method = req.method ?? 'GET'
    const query = Object.fromEntries(url.searchParams.entries())
    const found = this.spec.findOperation(method, url.pathname)
    let body: unknown = undefined
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw)
      } catch {
        body = raw
      }
    }
    this.requests.push({
      method,
      path: url.pathname,
      operationId: found?.operation.operationId ?? null,
      query,
      body,
      headers: req.headers,
    })
    if (!found) {
      return this.fail(res, [
        {
          where: `${method} ${url.pathname}`,
          problem: "no operation in GitHub's OpenAPI description matches this method and path",
        },
      ])
    }
    const {operation, params} = found
    const problems = this.validateRequest(operation, params, url.searchParams, raw, body)
    if (problems.length > 0) return this.fail(res, problems)

    const auth = req.headers.authorization ?? ''
    let response: FakeResponse
    if (auth !== `token ${this.opts.token}` && auth !== `Bearer ${this.opts.token}`) {
      response = {
        status: 401,
        body: {message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401'},
      }
    } else {
      const queued = this.queued.get(operation.operationId)
      response =
        queued && queued.length > 0
          ? queued.shift()!
          : this.behave(operation.operationId, params, query, body as Json, req)
    }
    this.send(res, operation, response)
  }

  private validateRequest(
    op: SpecOperation,
    params: Record<string, string>,
    search: URLSearchParams,
    raw: string,
    body: unknown,
  ): Violation[] {
    const where = `${op.method} ${op.template} (${op.operationId})`
    const out: Violation[] = []
    for (const p of op.parameters.filter((x) => x.in === 'path')) {
      out.push(...this.validateParam(p.schema, params[p.name], `${where} path parameter ${p.name}`))
    }
    const declared = new Map(op.parameters.filter((x) => x.in === 'query').map((p) => [p.name, p]))
    for (const [name, value] of search.entries()) {
      const p = declared.get(name)
      if (!p) out.push({where, problem: `unknown query parameter "${name}"`})
      else out.push(...this.validateParam(p.schema, value, `${where} query parameter ${name}`))
    }
    for (const p of declared.values())
      if (p.required && !search.has(p.name)) out.push({where, problem: `missing query parameter "${p.name}"`})
    if (op.requestBodySchemaPointer) {
      if (raw.length === 0) out.push({where, problem: 'missing request body'})
      else if (typeof body === 'string') out.push({where, problem: 'request body is not JSON'})
      else
        out.push(
          ...this.spec.validate(op.requestBodySchemaPointer, body, `${where} request body`, {closeTopLevel: true}),
        )
    } else if (raw.length > 0) {
      out.push({where, problem: 'the operation takes no request body'})
    }
    return out
  }

  /** Query and path values arrive as strings: coerce to the schema's type, then validate. */
  private validateParam(schema: Json, value: string | undefined, where: string): Violation[] {
    if (value === undefined) return [{where, problem: 'missing'}]
    let typed: unknown = value
    if (schema.type === 'integer' || schema.type === 'number')
      typed = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value
    if (schema.type === 'boolean') typed = value === 'true' ? true : value === 'false' ? false : value
    return this.spec.validateSchema(schema, typed, where)
  }

  private fail(res: ServerResponse, problems: Violation[]): void {
    this.violations.push(...problems)
    res.writeHead(500, {'content-type': 'application/json; charset=utf-8'})
    res.end(
      JSON.stringify({
        message: `fake GitHub: OpenAPI violation: ${problems.map((p) => `${p.where}: ${p.problem}`).join('; ')}`,
      }),
    )
  }

  private send(res: ServerResponse, op: SpecOperation, response: FakeResponse): void {
    const where = `${op.method} ${op.template} (${op.operationId}) response ${response.status}`
    const documented = op.responses.get(String(response.status))
    let problems: Violation[] = []
    if (documented === null || response.status === 304 || response.status === 204) {
      if (response.body !== undefined) problems.push({where, problem: 'this status carries no body'})
      // 304: GitHub answers any conditional GET so; the description lists it only on some operations.
    } else if (documented) {
      const pointer = documented.get('application/json')
      if (!pointer)
        problems.push({
          where,
          problem: `no application/json response documented (${[...documented.keys()].join(', ')})`,
        })
      else problems = this.spec.validate(pointer, response.body, where)
    } else if (response.status >= 400) {
      // Errors GitHub sends on every operation (401, 403, 422, 429, 5xx) but documents only on some.
      problems = this.spec.validate('#/components/schemas/basic-error', response.body, where)
      if (typeof (response.body as Json | undefined)?.message !== 'string')
        problems.push({where, problem: 'an error body has a message'})
    } else {
      problems.push({where, problem: `status ${response.status} is not documented for this operation`})
    }
    if (problems.length > 0) return this.fail(res, problems)
    const headers: Record<string, string> = {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4990',
      'x-ratelimit-used': '10',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-resource': 'core',
      'x-github-api-version-selected': '2022-11-28',
      ...response.headers,
    }
    if (response.body === undefined) {
      res.writeHead(response.status, headers)
      res.end()
      return
    }
    res.writeHead(response.status, {'content-type': 'application/json; charset=utf-8', ...headers})
    res.end(JSON.stringify(response.body))
  }

  private notFound(): FakeResponse {
    return {status: 404, body: {message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404'}}
  }

  private repoMatches(params: Record<string, string>): boolean {
    return (
      params.owner.toLowerCase() === this.opts.owner.toLowerCase() &&
      params.repo.toLowerCase() === this.opts.repo.toLowerCase()
    )
  }

  private workflow(id: string): FakeWorkflow | undefined {
    return this.opts.workflows.find((w) => w.file === id || String(w.id) === id)
  }

  private behave(
    operationId: string,
    params: Record<string, string>,
    query: Record<string, string>,
    body: Json,
    req: IncomingMessage,
  ): FakeResponse {
    if (operationId === 'users/get-authenticated') {
      if (this.opts.tokenIsApp)
        return {
          status: 403,
          body: {
            message: 'Resource not accessible by integration',
            documentation_url: 'https://docs.github.com/rest',
            status: '403',
          },
        }
      return {status: 200, body: privateUserJson(this.spec, this.opts.login)}
    }
    const orgs = this.opts.organizations
    const fromOrg = orgs ? organizationAnswer(this.spec, this.url, orgs, operationId, params, query) : undefined
    if (fromOrg) return fromOrg
    if (!this.repoMatches(params)) return this.notFound()
    const comment = this.comments.answer(operationId, params, query, body, this.url)
    if (comment) return comment
    const {owner, repo} = this.opts
    switch (operationId) {
      case 'repos/get': {
        const role = this.opts.permission ?? 'push'
        const push = role !== 'pull'
        const admin = role === 'admin'
        const permissions = {admin, maintain: admin, push, triage: push, pull: true}
        return {status: 200, body: fullRepositoryJson(this.spec, owner, repo, permissions)}
      }
      case 'repos/get-content': {
        const ref = query.ref ?? this.opts.refs[0]
        const wf = this.opts.workflows.find((w) => `.github/workflows/${w.file}` === params.path)
        if (wf && this.opts.refs.includes(ref)) {
          return {status: 200, body: contentFileJson(this.spec, this.url, owner, repo, params.path, ref, wf.yaml)}
        }
        // Other files: the branch's tree in the git database (seeded with commitFiles).
        const text = this.filesOf(ref)[params.path]
        if (text === undefined) return this.notFound()
        return {status: 200, body: contentFileJson(this.spec, this.url, owner, repo, params.path, ref, text)}
      }
      case 'actions/create-workflow-dispatch': {
        const wf = this.workflow(params.workflow_id)
        if (!wf || !this.opts.refs.includes(body.ref)) return this.notFound()
        if (this.opts.dispatch === 'ghes' && 'return_run_details' in body) {
          return {
            status: 400,
            body: {
              message: 'Invalid request.\n\n"return_run_details" is not a permitted key.',
              documentation_url: 'https://docs.github.com/enterprise-server@3.19/rest',
              status: '400',
            },
          }
        }
        const inputs = (body.inputs ?? {}) as Record<string, string>
        const run = this.makeRun({
          workflowId: wf.id,
          workflowFile: wf.file,
          headBranch: body.ref,
          status: this.opts.runStatuses[0],
          conclusion: null,
          displayTitle: runName(wf.yaml, inputs),
        })
        this.runs.push(run)
        this.dispatchedInputs.set(run.id, inputs)
        if (this.opts.dispatch === 'details' && body.return_run_details === true) {
          return {
            status: 200,
            body: {
              workflow_run_id: run.id,
              run_url: `${this.url}/repos/${owner}/${repo}/actions/runs/${run.id}`,
              html_url: `https://github.com/${owner}/${repo}/actions/runs/${run.id}`,
            },
          }
        }
        return {status: 204}
      }
      case 'actions/list-workflow-runs': {
        const wf = this.workflow(params.workflow_id)
        if (!wf) return this.notFound()
        this.listings++
        const since = query.created?.startsWith('>=') ? Date.parse(query.created.slice(2)) : Number.NEGATIVE_INFINITY
        const runs = this.runs
          .filter((r) => r.workflowId === wf.id)
          .filter((r) => !this.dispatchedInputs.has(r.id) || this.listings > this.opts.runHiddenForListings)
          .filter((r) => (query.event ? r.event === query.event : true))
          .filter((r) => (query.branch ? r.headBranch === query.branch : true))
          .filter((r) => (query.actor ? r.actor === query.actor : true))
          .filter((r) => r.createdAt.getTime() >= Math.floor(since / 1000) * 1000)
          .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
        return {
          status: 200,
          body: {
            total_count: runs.length,
            workflow_runs: runs.map((r) => workflowRunJson(this.spec, this.url, owner, repo, r)),
          },
        }
      }
      case 'actions/get-workflow-run': {
        const run = this.runs.find((r) => String(r.id) === params.run_id)
        if (!run) return this.notFound()
        this.advance(run)
        const json = workflowRunJson(this.spec, this.url, owner, repo, run)
        const etag = `W/"${createHash('sha256')
          .update(JSON.stringify({...json, updated_at: null}))
          .digest('hex')
          .slice(0, 32)}"`
        if (req.headers['if-none-match'] === etag) {
          this.notModified++
          return {status: 304, headers: {etag}}
        }
        return {status: 200, body: json, headers: {etag}}
      }
      case 'git/get-ref': {
        const branch = params.ref.replace(/^heads\//, '')
        const sha = params.ref.startsWith('heads/') ? this.git.branches.get(branch) : undefined
        if (!sha) return this.notFound()
        return {status: 200, body: this.refJson(branch, sha)}
      }
      case 'git/get-commit': {
        const commit = this.git.commits.get(params.commit_sha)
        if (!commit) return this.notFound()
        return {status: 200, body: this.commitJson(params.commit_sha)}
      }
      case 'git/create-blob': {
        const content = Buffer.from(body.content, body.encoding === 'base64' ? 'base64' : 'utf8')
        const sha = objectSha('blob', content.toString('binary'))
        this.git.blobs.set(sha, content)
        return {status: 201, body: {url: `${this.url}/repos/${owner}/${repo}/git/blobs/${sha}`, sha}}
      }
      case 'git/create-tree': {
        const base = body.base_tree ? this.git.trees.get(body.base_tree) : new Map()
        if (!base)
          return {
            status: 422,
            body: {message: 'Invalid tree info', status: '422', documentation_url: 'https://docs.github.com/rest'},
          }
        const entries = new Map(base)
        for (const e of body.tree as Array<{path: string; mode: string; sha?: string; content?: string}>) {
          if (e.content !== undefined) {
            e.sha = objectSha('blob', Buffer.from(e.content).toString('binary'))
            this.git.blobs.set(e.sha, Buffer.from(e.content))
          }
          if (!e.sha || !this.git.blobs.has(e.sha))
            return {
              status: 422,
              body: {message: 'Invalid tree info', status: '422', documentation_url: 'https://docs.github.com/rest'},
            }
          entries.set(e.path, {mode: e.mode, sha: e.sha})
        }
        const sha = objectSha('tree', JSON.stringify([...entries].sort()))
        this.git.trees.set(sha, entries)
        return {status: 201, body: this.treeJson(sha)}
      }
      case 'git/create-commit': {
        if (!this.git.trees.has(body.tree) || !(body.parents as string[]).every((p) => this.git.commits.has(p))) {
          return {
            status: 422,
            body: {
              message: 'Tree or parent SHA does not exist',
              status: '422',
              documentation_url: 'https://docs.github.com/rest',
            },
          }
        }
        const sha = objectSha('commit', JSON.stringify([body.tree, body.parents, body.message, this.git.commits.size]))
        this.git.commits.set(sha, {tree: body.tree, parents: body.parents, message: body.message})
        return {status: 201, body: this.commitJson(sha)}
      }
      case 'git/create-ref': {
        const branch = String(body.ref).replace(/^refs\/heads\//, '')
        if (this.git.branches.has(branch))
          return {
            status: 422,
            body: {
              message: 'Reference already exists',
              status: '422',
              documentation_url: 'https://docs.github.com/rest',
            },
          }
        if (!this.git.commits.has(body.sha))
          return {
            status: 422,
            body: {message: 'Object does not exist', status: '422', documentation_url: 'https://docs.github.com/rest'},
          }
        this.git.branches.set(branch, body.sha)
        return {status: 201, body: this.refJson(branch, body.sha)}
      }
      case 'git/update-ref': {
        const branch = params.ref.replace(/^heads\//, '')
        if (!this.git.branches.has(branch) || !this.git.commits.has(body.sha)) {
          return {
            status: 422,
            body: {
              message: 'Reference does not exist',
              status: '422',
              documentation_url: 'https://docs.github.com/rest',
            },
          }
        }
        this.git.branches.set(branch, body.sha)
        return {status: 200, body: this.refJson(branch, body.sha)}
      }
      case 'pulls/create': {
        if (!this.git.branches.has(body.head) || !this.git.branches.has(body.base)) {
          return {
            status: 422,
            body: {message: 'Validation Failed', status: '422', documentation_url: 'https://docs.github.com/rest'},
          }
        }
        const pr: PullRecord = {
          number: 100 + this.pulls.length,
          branch: body.head,
          base: body.base,
          state: 'open',
          title: body.title,
          createdAt: new Date(),
        }
        this.pulls.push(pr)
        this.pullBodies.set(pr.number, body.body)
        return {status: 201, body: this.fullPullJson(pr)}
      }
      case 'pulls/update': {
        const pr = this.pulls.find((p) => String(p.number) === params.pull_number)
        if (!pr) return this.notFound()
        if (body.title !== undefined) pr.title = body.title
        if (body.body !== undefined) this.pullBodies.set(pr.number, body.body)
        return {status: 200, body: this.fullPullJson(pr)}
      }
      case 'pulls/get': {
        const pr = this.pulls.find((p) => String(p.number) === params.pull_number)
        return pr ? {status: 200, body: this.fullPullJson(pr)} : this.notFound()
      }
      case 'pulls/list': {
        const state = query.state ?? 'open'
        let pulls = this.pulls.filter((p) => state === 'all' || p.state === state)
        if (query.head) pulls = pulls.filter((p) => `${owner}:${p.branch}` === query.head)
        pulls.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
        // GitHub's pagination: per_page (default 30, at most 100), page from 1.
        const perPage = Math.min(Number(query.per_page ?? 30), 100)
        const page = Number(query.page ?? 1)
        pulls = pulls.slice((page - 1) * perPage, page * perPage)
        return {status: 200, body: pulls.map((p) => pullRequestJson(this.spec, this.url, owner, repo, p))}
      }
      default:
        return {status: 500, body: {message: `fake GitHub does not implement ${operationId}`}}
    }
  }

  private readonly dispatchedInputs = new Map<number, Record<string, string>>()
  /** PR bodies by number. */
  readonly pullBodies = new Map<number, string>()

  /** Commits `files` (path → text) onto `branch` (created when missing), as a push to the repository would. */
  commitFiles(branch: string, files: Record<string, string>): string {
    const parent = this.git.branches.get(branch)
    const base = parent ? this.git.trees.get(this.git.commits.get(parent)!.tree)! : new Map()
    const tree = new Map(base)
    for (const [path, text] of Object.entries(files)) {
      const blob = objectSha('blob', text)
      this.git.blobs.set(blob, Buffer.from(text))
      tree.set(path, {mode: '100644', sha: blob})
    }
    const treeSha = objectSha('tree', JSON.stringify([...tree].sort()))
    this.git.trees.set(treeSha, tree)
    const commit = objectSha('commit', `${treeSha} ${parent ?? ''} ${this.git.commits.size}`)
    this.git.commits.set(commit, {tree: treeSha, parents: parent ? [parent] : [], message: 'seed'})
    this.git.branches.set(branch, commit)
    return commit
  }

  /** The files of a branch's tree: path → text. */
  filesOf(branch: string): Record<string, string> {
    const commit = this.git.commits.get(this.git.branches.get(branch) ?? '')
    const tree = commit ? this.git.trees.get(commit.tree) : undefined
    return Object.fromEntries([...(tree ?? [])].map(([path, e]) => [path, this.git.blobs.get(e.sha)!.toString('utf8')]))
  }

  private refJson(branch: string, sha: string): Json {
    const api = `${this.url}/repos/${this.opts.owner}/${this.opts.repo}`
    return {
      ref: `refs/heads/${branch}`,
      node_id: Buffer.from(`ref:${branch}`).toString('base64'),
      url: `${api}/git/refs/heads/${branch}`,
      object: {type: 'commit', sha, url: `${api}/git/commits/${sha}`},
    }
  }

  private commitJson(sha: string): Json {
    const commit = this.git.commits.get(sha)!
    const api = `${this.url}/repos/${this.opts.owner}/${this.opts.repo}`
    const ex = this.spec.example('git-commit')
    return {
      ...ex,
      sha,
      node_id: Buffer.from(`commit:${sha}`).toString('base64'),
      url: `${api}/git/commits/${sha}`,
      html_url: `https://github.com/${this.opts.owner}/${this.opts.repo}/commit/${sha}`,
      message: commit.message,
      tree: {sha: commit.tree, url: `${api}/git/trees/${commit.tree}`},
      parents: commit.parents.map((p) => ({
        sha: p,
        url: `${api}/git/commits/${p}`,
        html_url: `https://github.com/${this.opts.owner}/${this.opts.repo}/commit/${p}`,
      })),
    }
  }

  private treeJson(sha: string): Json {
    const api = `${this.url}/repos/${this.opts.owner}/${this.opts.repo}`
    return {
      sha,
      url: `${api}/git/trees/${sha}`,
      truncated: false,
      tree: [...this.git.trees.get(sha)!].map(([path, e]) => ({
        path,
        mode: e.mode,
        type: 'blob',
        sha: e.sha,
        size: this.git.blobs.get(e.sha)!.length,
        url: `${api}/git/blobs/${e.sha}`,
      })),
    }
  }

  private fullPullJson(pr: PullRecord): Json {
    const simple = pullRequestJson(this.spec, this.url, this.opts.owner, this.opts.repo, pr)
    const ex = this.spec.example('pull-request')
    return {
      ...ex,
      ...simple,
      requested_teams: [],
      body: this.pullBodies.get(pr.number) ?? null,
      merged: false,
      mergeable: null,
      merged_by: null,
    }
  }

  /** Moves a dispatched run one step along runStatuses every pollsPerStep GETs; opens the PR on success. */
  private advance(run: RunRecord): void {
    const inputs = this.dispatchedInputs.get(run.id)
    if (!inputs || run.status === 'completed') return
    const polls = (this.pollCounts.get(run.id) ?? 0) + 1
    this.pollCounts.set(run.id, polls)
    const step = Math.min(Math.floor(polls / this.opts.pollsPerStep), this.opts.runStatuses.length - 1)
    run.status = this.opts.runStatuses[step]
    if (run.status !== 'completed') return
    run.conclusion = this.opts.conclusion
    if (run.conclusion === 'success' && this.opts.prBranch !== null) {
      const branch = this.opts.prBranch ?? `scaffold/${inputs.kind}-${inputs.name}-${inputs.version}`
      this.pulls.push({
        number: 100 + this.pulls.length,
        branch,
        base: 'main',
        state: 'open',
        title: `GitOps: scaffold ${inputs.kind}-${inputs.name}-${inputs.version}`,
        createdAt: new Date(),
      })
    }
  }
}

/** GitHub's display title for a dispatched run: the workflow's run-name with inputs expanded, else its name. */
function runName(yaml: string, inputs: Record<string, string>): string {
  const runNameLine = /^run-name:\s*"?(.*?)"?\s*$/m.exec(yaml)
  const nameLine = /^name:\s*(.*)$/m.exec(yaml)
  if (!runNameLine) return nameLine?.[1] ?? 'workflow'
  return runNameLine[1]
    .replace(/\$\{\{\s*(?:github\.event\.)?inputs\.([A-Za-z0-9_-]+)\s*\}\}/g, (_, n: string) => inputs[n] ?? '')
    .trim()
}

export async function startFakeGitHub(options: FakeGitHubOptions): Promise<FakeGitHub> {
  return new FakeGitHub(options).start()
}

/** A git-like object id: sha1 of the kind and content (stable, 40 hex). */
export function objectSha(kind: string, content: string): string {
  return createHash('sha1').update(`${kind} ${content}`).digest('hex')
}
