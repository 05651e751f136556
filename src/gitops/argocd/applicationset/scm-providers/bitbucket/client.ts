import {redact} from '../../../../../core/secrets.js'
import {getJson, type JsonAnswer, transportOf, type JsonTransport} from '../../../../../effects/http-json.js'

/**
 * Bitbucket Cloud's REST API 2.0 (described by https://api.bitbucket.org/swagger.json), the calls Argo CD's
 * `scmProvider.bitbucket` makes through github.com/ktrysmt/go-bitbucket v0.10.0 and its own GetContents:
 * ListForAccount (`/repositories/{owner}?role=member`, every page by its `next` link, none after an empty first
 * page), GetBranch
 * (`/refs/branches/{name}`), ListBranches (`/refs/branches?`: ONE request — go-bitbucket reads no further page, so only
 * the first page's branches, ten by default) and GetContents (`/src/{sha}/{path}?format=meta`: 200 is true, 404 false).
 * The URL pieces are put in as go-bitbucket's Sprintf does, unescaped (a branch `a/b` stays two segments); a failure
 * is the client's UnexpectedResponseStatusError, whose message is the status line (`404 Not Found`). A `next` link
 * off this API is never followed: the listing fails.
 */
export const BITBUCKET_API_URL = 'https://api.bitbucket.org/2.0'

export interface BitbucketRepository {
  slug: string
  uuid: string
  /** `mainbranch.name` ('' when there is none). */
  mainbranch: string
  /** `links.clone` as sent (findCloneURL reads it). */
  clone: unknown
}
export interface BitbucketBranch {
  name: string
  /** `target.hash`, when it is a string. */
  hash?: string
}

export class BitbucketError extends Error {
  constructor(message: string) {
    super(redact(message))
    this.name = 'BitbucketError'
  }
}

export interface BitbucketClient {
  /** ListForAccount's first page: the workspace's repositories the caller is a member of. */
  repositoriesUrl(owner: string): string
  /** One page (`first`: the request ListForAccount builds; then each `next` link as sent), and the next page's link. */
  repositoryPage(url: string, first: boolean): Promise<{repositories: BitbucketRepository[]; next?: string}>
  getBranch(owner: string, slug: string, name: string): Promise<BitbucketBranch>
  listBranches(owner: string, slug: string): Promise<BitbucketBranch[]>
  hasPath(owner: string, slug: string, sha: string, path: string): Promise<boolean>
}

export interface BitbucketClientOptions extends JsonTransport {
  /** The API base (https://api.bitbucket.org/2.0), as BITBUCKET_API_BASE_URL sets go-bitbucket's. */
  api: string
  token: string
  /** With a user: basic auth (user, token) as Argo CD sends it; without: the token as a bearer. */
  user?: string
}

export function createBitbucketClient(options: BitbucketClientOptions): BitbucketClient {
  const base = options.api.replace(/\/+$/, '')
  const authorization =
    options.user === undefined
      ? `Bearer ${options.token}`
      : `Basic ${Buffer.from(`${options.user}:${options.token}`).toString('base64')}`
  const get = (url: string): Promise<JsonAnswer> =>
    getJson(url, {
      headers: {Authorization: authorization},
      ...transportOf(options),
    })
  const ok = async (url: string): Promise<unknown> => {
    const answer = await get(url)
    if (![200, 201, 202, 204].includes(answer.status))
      throw new BitbucketError(`${answer.status} ${answer.statusText}`.trim())
    return answer.body
  }
  const at = (...parts: string[]) => `${base}/repositories/${parts.map((p) => encodeURI(p)).join('/')}`
  return {
    repositoriesUrl: (owner) => `${at(owner)}?role=member`,
    repositoryPage: async (url, first) => repositoryPage(await ok(url), first, base),
    async getBranch(owner, slug, name) {
      if (name === '') throw new BitbucketError('Error: Branch Name is empty')
      return branchOf(await ok(at(owner, slug, 'refs', 'branches', name)))
    },
    async listBranches(owner, slug) {
      const page = object(await ok(`${at(owner, slug, 'refs', 'branches')}?`))
      if (!Array.isArray(page.values)) throw new BitbucketError('the branch list has no values')
      return page.values.map(branchOf)
    },
    async hasPath(owner, slug, sha, path) {
      const answer = await get(`${at(owner, slug, 'src', sha, path)}?format=meta`)
      if (answer.status === 404) return false
      if (answer.status === 200) return true
      throw new BitbucketError(`${answer.status} ${answer.statusText}`.trim())
    },
  }
}

type Entry = Record<string, unknown>
const object = (v: unknown): Entry => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Entry) : {})
const text = (v: unknown): string => (typeof v === 'string' ? v : '')

/** One page of ListForAccount: decodeRepositories, and the next page's link (none after an empty first page). */
function repositoryPage(
  body: unknown,
  first: boolean,
  base: string,
): {repositories: BitbucketRepository[]; next?: string} {
  const page = object(body)
  // decodeRepositories needs the first page's values; a later page without any adds none.
  if (first && !Array.isArray(page.values)) throw new BitbucketError('the repository list has no values')
  const values = Array.isArray(page.values) ? page.values.map(object) : []
  const next = typeof page.next === 'string' && page.next !== '' && !(first && values.length === 0) ? page.next : ''
  if (next !== '' && !next.startsWith(`${base}/`))
    throw new BitbucketError(`the next page ${next} is not on this run's API ${base}: not asked`)
  const repositories = values.map((r) => ({
    slug: text(r.slug),
    uuid: text(r.uuid),
    mainbranch: text(object(r.mainbranch).name),
    clone: object(r.links).clone,
  }))
  return next === '' ? {repositories} : {repositories, next}
}

function branchOf(body: unknown): BitbucketBranch {
  const b = object(body)
  const hash = object(b.target).hash
  return {name: text(b.name), ...(typeof hash === 'string' ? {hash} : {})}
}
