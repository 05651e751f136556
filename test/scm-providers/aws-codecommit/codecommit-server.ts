import type {IncomingMessage, Server, ServerResponse} from 'node:http'

import {closeLoopback, listenLoopback} from '../../support/loopback.js'
import {SmithySpec} from '../../support/smithy-spec.js'
import type {Json, Violation} from '../../support/swagger2-spec.js'

/**
 * A fake AWS CodeCommit and Resource Groups Tagging API on 127.0.0.1 (one endpoint, the service told apart by
 * X-Amz-Target) for the calls of the `scmProvider.awsCodeCommit` generator. AWS's Smithy models of both services
 * (fixtures/, from aws/api-models-aws) are read by SmithySpec: every request must be `POST /`
 * with the awsJson1_1 content type, name an operation of the service, carry a body its input shape allows and a
 * SigV4 signature for that service and the region made with the test's key (else 403, as AWS answers a bad
 * signature); every response body is validated against the operation's output shape (an error against its error
 * shapes) before it is sent. A violation is recorded (assert `violations` is empty) and answered 500.
 */

const FIXTURES = new URL('./fixtures/', import.meta.url)
let specs: {codecommit: SmithySpec; tagging: SmithySpec} | undefined
function spec() {
  return (specs ??= {
    codecommit: new SmithySpec(new URL('codecommit-2015-04-13.json', FIXTURES)),
    tagging: new SmithySpec(new URL('resource-groups-tagging-api-2017-01-26.json', FIXTURES)),
  })
}

export interface FakeCodeCommitRepository {
  name: string
  id: string
  accountId?: string
  /** Undefined: an uninitialized repository (no default branch). */
  defaultBranch?: string
  /** GetRepository answers no repositoryMetadata. */
  noMetadata?: boolean
  /** Its branches (default: the default branch), in order. */
  branches?: string[]
  tags?: Record<string, string>
  /** The files at each branch (a folder exists when a file is under it). */
  files?: Record<string, string[]>
}

export interface FakeAwsResponse {
  status: number
  body: Json
}

export interface FakeAwsKey {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
  region: string
}

export class FakeCodeCommit {
  readonly violations: Violation[] = []
  readonly requests: Array<{operation: string; input: Json}> = []
  url = ''
  private server: Server | undefined
  private readonly queued = new Map<string, FakeAwsResponse[]>()

  constructor(
    private readonly options: {key: FakeAwsKey; repositories: FakeCodeCommitRepository[]; pageSize?: number},
  ) {}

  async start(): Promise<this> {
    ;({server: this.server, url: this.url} = await listenLoopback((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.violations.push({where: 'fake server', problem: String((error as Error)?.stack ?? error)})
        if (!res.headersSent) send(res, {status: 500, body: {__type: 'InternalFailure', message: 'fake crashed'}})
      })
    }))
    return this
  }

  async close(): Promise<void> {
    await closeLoopback(this.server)
  }

  /** The next answers of an operation (`GetFolder`), before its behaviour. */
  respondNext(operation: string, ...responses: FakeAwsResponse[]): void {
    this.queued.set(operation, [...(this.queued.get(operation) ?? []), ...responses])
  }

  requestsFor(operation: string): Json[] {
    return this.requests.filter((r) => r.operation === operation).map((r) => r.input)
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks).toString('utf8')
    const target = String(req.headers['x-amz-target'] ?? '')
    const where = `${req.method} ${req.url} ${target}`
    const service = target.startsWith(`${spec().tagging.target}.`) ? spec().tagging : spec().codecommit
    const op = service.find(target)
    let input: Json = {}
    const problems: Violation[] = []
    if (req.method !== 'POST' || req.url !== '/') problems.push({where, problem: 'awsJson1_1 is POST /'})
    if (req.headers['content-type'] !== 'application/x-amz-json-1.1')
      problems.push({where, problem: `content-type ${String(req.headers['content-type'])}`})
    if (op === undefined) problems.push({where, problem: `no operation ${target} in the models`})
    try {
      input = JSON.parse(body) as Json
    } catch {
      problems.push({where, problem: 'the body is not JSON'})
    }
    if (op !== undefined) problems.push(...service.checkInput(op, input, where))
    this.requests.push({operation: op?.name ?? target, input})
    if (problems.length > 0) {
      this.violations.push(...problems)
      return send(res, {status: 500, body: {__type: 'InternalFailure', message: 'request violates the model'}})
    }
    const request = {method: req.method!, path: req.url!, headers: req.headers, body}
    const unsigned = service.checkSignature(request, this.options.key, where).length > 0
    const answer = unsigned
      ? {
          status: 403,
          body: {
            __type: 'InvalidSignatureException',
            message: 'The request signature we calculated does not match the signature you provided.',
          },
        }
      : (this.queued.get(op!.name)?.shift() ?? this.behave(op!.name, input))
    const bad =
      answer.status === 200
        ? service.checkOutput(op!, answer.body, `${where} -> 200`)
        : service.checkError(op!, answer.body, `${where} -> ${answer.status}`)
    if (bad.length > 0) {
      this.violations.push(...bad)
      return send(res, {status: 500, body: {__type: 'InternalFailure', message: 'response violates the model'}})
    }
    send(res, answer)
  }

  private behave(operation: string, input: Json): FakeAwsResponse {
    const repos = this.options.repositories
    if (operation === 'ListRepositories')
      return this.page(
        input.nextToken,
        'nextToken',
        'repositories',
        repos.map((r) => ({repositoryName: r.name, repositoryId: r.id})),
      )
    if (operation === 'GetResources') {
      const tagged = repos.filter((r) => matches(r.tags ?? {}, (input.TagFilters ?? []) as Json[]))
      const arn = (r: FakeCodeCommitRepository) =>
        `arn:aws:codecommit:${this.options.key.region}:${r.accountId ?? '111111111111'}:${r.name}`
      const list = tagged.map((r) => ({
        ResourceARN: arn(r),
        Tags: Object.entries(r.tags ?? {}).map(([Key, Value]) => ({Key, Value})),
      }))
      return this.page(input.PaginationToken, 'PaginationToken', 'ResourceTagMappingList', list)
    }
    const repo = repos.find((r) => r.name === input.repositoryName)
    if (repo === undefined)
      return error('RepositoryDoesNotExistException', `${String(input.repositoryName)} does not exist`)
    if (operation === 'GetRepository')
      return {status: 200, body: repo.noMetadata ? {} : {repositoryMetadata: this.metadata(repo)}}
    const branches = repo.branches ?? (repo.defaultBranch ? [repo.defaultBranch] : [])
    if (operation === 'ListBranches') return this.page(input.nextToken, 'nextToken', 'branches', branches)
    return this.folder(repo, branches, String(input.commitSpecifier ?? ''), String(input.folderPath))
  }

  private metadata(r: FakeCodeCommitRepository): Json {
    const host = `git-codecommit.${this.options.key.region}.amazonaws.com`
    return {
      ...(r.accountId ? {accountId: r.accountId} : {}),
      repositoryId: r.id,
      repositoryName: r.name,
      ...(r.defaultBranch ? {defaultBranch: r.defaultBranch} : {}),
      lastModifiedDate: 1_764_000_000,
      creationDate: 1_700_000_000,
      cloneUrlHttp: `https://${host}/v1/repos/${r.name}`,
      cloneUrlSsh: `ssh://${host}/v1/repos/${r.name}`,
      Arn: `arn:aws:codecommit:${this.options.key.region}:${r.accountId ?? '111111111111'}:${r.name}`,
    }
  }

  /** GetFolder: the folder's direct files and sub-folders at the branch (the commit id the branch's name hashed). */
  private folder(repo: FakeCodeCommitRepository, branches: string[], commit: string, folderPath: string) {
    if (!branches.includes(commit)) return error('CommitDoesNotExistException', `${commit} does not exist`)
    const files = (repo.files?.[commit] ?? []).map((f) => `/${f}`)
    const prefix = folderPath === '/' ? '/' : `${folderPath}/`
    const under = files.filter((f) => f.startsWith(prefix)).map((f) => f.slice(prefix.length))
    if (folderPath !== '/' && under.length === 0)
      return error('FolderDoesNotExistException', `${folderPath} does not exist`)
    const id = '0123456789abcdef0123456789abcdef01234567'
    const entry = (rel: string) => ({absolutePath: `${prefix}${rel}`, relativePath: rel})
    return {
      status: 200,
      body: {
        commitId: id,
        folderPath,
        subFolders: [...new Set(under.filter((f) => f.includes('/')).map((f) => f.split('/')[0]))].map(entry),
        files: under.filter((f) => !f.includes('/')).map((f) => ({...entry(f), blobId: id, fileMode: 'NORMAL'})),
        subModules: [],
        symbolicLinks: [],
      },
    }
  }

  /** A page of `pageSize` (default 1000, as CodeCommit batches) by an opaque token. */
  private page(token: unknown, tokenName: string, listName: string, items: unknown[]): FakeAwsResponse {
    const size = this.options.pageSize ?? 1000
    const from = typeof token === 'string' ? Number(Buffer.from(token, 'base64').toString()) : 0
    const body: Json = {[listName]: items.slice(from, from + size)}
    if (from + size < items.length) body[tokenName] = Buffer.from(String(from + size)).toString('base64')
    return {status: 200, body}
  }
}

/** GetResources' filters: every filter's key tagged, with one of its values when it has any. */
function matches(tags: Record<string, string>, filters: Json[]): boolean {
  return filters.every(
    (f) => f.Key in tags && (!Array.isArray(f.Values) || f.Values.length === 0 || f.Values.includes(tags[f.Key])),
  )
}

export const error = (code: string, message: string, status = 400): FakeAwsResponse => ({
  status,
  body: {__type: code, message},
})

function send(res: ServerResponse, answer: FakeAwsResponse): void {
  const text = JSON.stringify(answer.body)
  res.writeHead(answer.status, {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-requestid': '5a3c1e0f-7d7b-4c39-9e57-4b7d5e0f2a10',
  })
  res.end(text)
}
