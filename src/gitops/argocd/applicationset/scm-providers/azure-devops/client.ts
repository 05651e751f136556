import {redact} from '../../../../../core/secrets.js'
import {goPathEscape, goQueryEscape} from '../go-url.js'
import {getJson, type JsonAnswer, transportOf, type JsonTransport} from '../../../../../effects/http-json.js'

/**
 * Azure DevOps' Git REST API (api-version 7.1-preview.1, described by MicrosoftDocs/vsts-rest-api-specs
 * specification/git/7.1/git.json), the calls Argo CD's `scmProvider.azureDevOps` makes through
 * github.com/microsoft/azure-devops-go-api/azuredevops/v7 (git/client.go): GetRepositories of a team project,
 * GetBranch (`stats/branches?name=`), GetBranches (`stats/branches`) and GetItem (`items?path=`), each one request
 * (the client reads no pages: every collection comes whole, `{count, value}`). The organization's URL is the client's
 * (NewPatConnection: `<api>/<organization>`, trailing slashes trimmed, lower-cased), the route values path-escaped
 * as Go's url.PathEscape does, the PAT sent as basic auth with an empty user. What the client's UnwrapError makes of
 * a failure is an AzureDevOpsError: its message (WrappedError.Error()) and the service's typeKey.
 *
 * Not ported: the client's discovery (OPTIONS `_apis` and GET `_apis/ResourceAreas` before the first call) — the
 * routes are the description's, which are what that discovery yields on Azure DevOps Services; and the api-version
 * is sent in the query (as the description requires) beside the Accept header the client sends it in.
 */
export const AZURE_DEVOPS_API_VERSION = '7.1-preview.1'

export interface AzureDevOpsRepository {
  id?: string
  name?: string
  defaultBranch?: string
  remoteUrl?: string
}
export interface AzureDevOpsBranch {
  name?: string
  commitId?: string
}

/** A failure as the Go client returns it: WrappedError's message and typeKey (`GitItemNotFoundException`). */
export class AzureDevOpsError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly typeKey?: string,
  ) {
    super(redact(message))
    this.name = 'AzureDevOpsError'
  }
}

export interface AzureDevOpsClient {
  getRepositories(project: string): Promise<AzureDevOpsRepository[]>
  getBranch(project: string, repository: string, name: string): Promise<AzureDevOpsBranch>
  getBranches(project: string, repository: string): Promise<AzureDevOpsBranch[]>
  /** GetItem: resolves when the item exists at the version, throws its AzureDevOpsError otherwise. */
  getItem(project: string, repositoryId: string, path: string, version: string): Promise<void>
}

export interface AzureDevOpsClientOptions extends JsonTransport {
  /** The API (`https://dev.azure.com`, an Azure DevOps Server's collection URL). */
  api: string
  organization: string
  token: string
}

/** getValidDevOpsURL then NewPatConnection's normalizeUrl: `<api>/<organization>`, lower-cased, no trailing slash. */
export function organizationUrl(api: string, organization: string): string {
  const separator = api.endsWith('/') ? '' : '/'
  return `${api}${separator}${organization}`.replace(/\/+$/, '').toLowerCase()
}

export function createAzureDevOpsClient(options: AzureDevOpsClientOptions): AzureDevOpsClient {
  const base = organizationUrl(options.api, options.organization)
  const authorization = `Basic ${Buffer.from(`:${options.token}`).toString('base64')}`
  const get = async (project: string, route: string, query: Record<string, string>) => {
    const params = {...query, 'api-version': AZURE_DEVOPS_API_VERSION}
    const search = Object.keys(params)
      .sort()
      .map((k) => `${goQueryEscape(k)}=${goQueryEscape(params[k as keyof typeof params])}`)
      .join('&')
    const url = `${base}${project ? `/${goPathEscape(project)}` : ''}/_apis/git/${route}?${search}`
    const answer = await getJson(url, {
      headers: {
        Authorization: authorization,
        Accept: `application/json;api-version=${AZURE_DEVOPS_API_VERSION}`,
        'X-TFS-FedAuthRedirect': 'Suppress',
      },
      ...transportOf(options),
    })
    if (answer.status < 200 || answer.status >= 300) throw unwrapError(answer)
    return answer.body
  }
  const repositories = (repository: string) => `repositories/${goPathEscape(repository)}`
  return {
    async getRepositories(project) {
      return collection(await get(project, 'repositories', {})).map((r) => ({
        id: text(r.id),
        name: text(r.name),
        defaultBranch: text(r.defaultBranch),
        remoteUrl: text(r.remoteUrl),
      }))
    },
    async getBranch(project, repository, name) {
      return branchOf(await get(project, `${repositories(repository)}/stats/branches`, {name}))
    },
    async getBranches(project, repository) {
      return collection(await get(project, `${repositories(repository)}/stats/branches`, {})).map(branchOf)
    },
    async getItem(project, repositoryId, path, version) {
      await get(project, `${repositories(repositoryId)}/items`, {path, 'versionDescriptor.version': version})
    },
  }
}

/**
 * UnwrapError: an empty body is `Request returned status: <status line>`; a text/plain one is its text; a JSON one
 * its `message` (else `value.message`, else `REST call returned status code N`) with its typeKey.
 */
function unwrapError(answer: JsonAnswer): AzureDevOpsError {
  const {status} = answer
  if (answer.text === '') return new AzureDevOpsError(`Request returned status: ${status} ${answer.statusText}`, status)
  if ((answer.headers.get('content-type') ?? '').includes('text/plain'))
    return new AzureDevOpsError(answer.text, status)
  const body = answer.body as {message?: unknown; typeKey?: unknown; value?: {message?: unknown}} | null
  if (body === null || typeof body !== 'object')
    return new AzureDevOpsError(`REST call returned status code ${status}: the body is not JSON`, status)
  const typeKey = typeof body.typeKey === 'string' ? body.typeKey : undefined
  if (typeof body.message === 'string') return new AzureDevOpsError(body.message, status, typeKey)
  if (typeof body.value?.message === 'string') return new AzureDevOpsError(body.value.message, status)
  return new AzureDevOpsError(`REST call returned status code ${status}`, status, typeKey)
}

type Entry = Record<string, unknown>

/** UnmarshalCollectionBody: the `value` of `{count, value}`; a body that is not one is a failure, never empty. */
function collection(body: unknown): Entry[] {
  const value = (body as {value?: unknown} | null)?.value
  if (body === null || typeof body !== 'object' || (value !== undefined && value !== null && !Array.isArray(value)))
    throw new AzureDevOpsError('the answer is not a collection ({count, value})', 200)
  return ((value ?? []) as unknown[]).map((v) => (v !== null && typeof v === 'object' ? (v as Entry) : {}))
}

function branchOf(entry: unknown): AzureDevOpsBranch {
  const e = (entry !== null && typeof entry === 'object' ? entry : {}) as {
    name?: unknown
    commit?: {commitId?: unknown}
  }
  return {name: text(e.name), commitId: text(e.commit?.commitId)}
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)
