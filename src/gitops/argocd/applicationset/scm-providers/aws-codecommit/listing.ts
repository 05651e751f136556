/**
 * AWS CodeCommit's answers for the `scmProvider.awsCodeCommit` generator (`--scm-provider awsCodeCommit`): the run's
 * region (AWS_REGION, else AWS_DEFAULT_REGION as aws-sdk-go-v2's config reads them, else the region of --api-url's
 * `codecommit.<region>.amazonaws.com`); the CodeCommit endpoint (--api-url, else
 * https://codecommit.<region>.amazonaws.com) and the tagging API's (https://tagging.<region>.amazonaws.com when
 * --api-url is CodeCommit's own host; any other --api-url, a test's, serves both, told apart by X-Amz-Target); every
 * request signed (SigV4) with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (registered as
 * secrets). No credentials or no region: nothing is asked, the generators fail. The questions are
 * ./service.ts's.
 */
import {httpApiUrl} from '../../../../../core/api-url-flag.js'
import {retryPolicyWithTimings, testTimings} from '../../../../../core/test-timings.js'
import {DEFAULT_RETRY_POLICY} from '../../../../../core/retry.js'
import {registerSecret} from '../../../../../core/secrets.js'
import {AwsApiError, CODECOMMIT_SERVICE, createAwsCodeCommitClient, TAGGING_SERVICE, type AwsCall} from './client.js'
import type {CodeCommitProtocol, CodeCommitRepositoryAnswer} from './service.js'
import type {Answerers, Question, ScmBudget} from '../protocol.js'
import {ScmListing, type ScmListingMaker} from '../listing.js'

const ENDPOINT = /^https:\/\/codecommit\.([a-z0-9-]+)\.amazonaws\.com$/
/** GetFolder's failures aws_codecommit.go reads as "no such path" (hasAwsError). */
const NOT_FOUND = ['RepositoryDoesNotExistException', 'CommitDoesNotExistException', 'FolderDoesNotExistException']

export const awsCodeCommitListing: ScmListingMaker<CodeCommitProtocol> = async (apiUrlFlag, env, bounds) => {
  const region =
    env.AWS_REGION ||
    env.AWS_DEFAULT_REGION ||
    (apiUrlFlag ? ENDPOINT.exec(apiUrlFlag.replace(/\/+$/, ''))?.[1] : undefined) ||
    ''
  const example = 'https://codecommit.us-east-1.amazonaws.com'
  const apiUrl = httpApiUrl(
    apiUrlFlag ?? (region ? `https://codecommit.${region}.amazonaws.com` : example),
    '--api-url',
    example,
  )
  const listing = {provider: 'awsCodeCommit', label: 'AWS CodeCommit', apiUrl}
  if (region === '')
    return new ScmListing({
      ...listing,
      unreadable: `no AWS region (AWS_REGION, AWS_DEFAULT_REGION, or --api-url's): ${apiUrl} was not asked`,
    })
  const [accessKeyId, secretAccessKey, sessionToken] = [
    env.AWS_ACCESS_KEY_ID ?? '',
    env.AWS_SECRET_ACCESS_KEY ?? '',
    env.AWS_SESSION_TOKEN ?? '',
  ]
  for (const secret of [accessKeyId, secretAccessKey, sessionToken]) if (secret !== '') registerSecret(secret)
  if (accessKeyId === '' || secretAccessKey === '')
    return new ScmListing({
      ...listing,
      unreadable: `no AWS credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY): ${apiUrl} was not asked`,
    })
  const endpoint = ENDPOINT.exec(apiUrl)
  const call = createAwsCodeCommitClient({
    codecommitUrl: apiUrl,
    taggingUrl: endpoint ? `https://tagging.${endpoint[1]}.amazonaws.com` : apiUrl,
    region,
    credentials: {accessKeyId, secretAccessKey, ...(sessionToken ? {sessionToken} : {})},
    retryPolicy: retryPolicyWithTimings(DEFAULT_RETRY_POLICY, testTimings(env)),
  })
  return new ScmListing({...listing, ask: awsCodeCommitAsker(call, region), ...bounds})
}

/** The answers: a listing page by page (each a request), then GetRepository of each; else one request. */
export function awsCodeCommitAsker(call: AwsCall, region: string): Answerers<CodeCommitProtocol> {
  return {
    region: async () => region,
    repositories: (q, budget) => repositories(call, q.tagFilters, budget),
    async defaultBranch(q, budget) {
      budget.spend()
      const out = (await call(CODECOMMIT_SERVICE, 'GetRepository', {repositoryName: q.repo})) as Entry
      return text(object(out.repositoryMetadata).defaultBranch)
    },
    branches: (q, budget) =>
      allPages(budget, async (nextToken) => {
        const input = {repositoryName: q.repo, ...(nextToken === undefined ? {} : {nextToken})}
        const out = (await call(CODECOMMIT_SERVICE, 'ListBranches', input)) as Entry
        return {items: Array.isArray(out.branches) ? out.branches.map(text) : [], token: out.nextToken}
      }),
    folder: (q, budget) => folder(call, q, budget),
  }
}

type Entry = Record<string, unknown>
const object = (v: unknown): Entry => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Entry) : {})
const text = (v: unknown): string => (typeof v === 'string' ? v : '')

/** Every page, as aws_codecommit.go loops: the first without a token, each next with the token the one before sent. */
async function allPages<T>(budget: ScmBudget, get: (token?: string) => Promise<{items: T[]; token: unknown}>) {
  let token: string | undefined
  return budget.pages(async (page) => {
    const got = await get(token)
    token = typeof got.token === 'string' && got.token !== '' ? got.token : undefined
    return {items: got.items, next: token === undefined ? undefined : page + 1}
  })
}

/** listRepoNames (ListRepositories, or GetResources by the tag filters), then GetRepository of each name in order. */
async function repositories(call: AwsCall, tagFilters: string, budget: ScmBudget) {
  const names = await allPages(budget, (t) =>
    tagFilters === '' ? listPage(call, t) : taggedPage(call, tagFilters, t),
  ).catch((e: unknown) => {
    throw new Error(`failed to list codecommit repository: ${(e as Error).message}`)
  })
  const out: (CodeCommitRepositoryAnswer | null)[] = []
  for (const name of names) {
    budget.spend()
    const got = await call(CODECOMMIT_SERVICE, 'GetRepository', {repositoryName: name}).catch((e: unknown) => {
      throw new Error(`failed to get codecommit repository: ${(e as Error).message}`)
    })
    const m = (got as Entry).repositoryMetadata
    out.push(m === undefined || m === null ? null : metadata(object(m)))
  }
  return out
}

const metadata = (m: Entry): CodeCommitRepositoryAnswer => ({
  accountId: text(m.accountId),
  repositoryName: text(m.repositoryName),
  repositoryId: text(m.repositoryId),
  defaultBranch: text(m.defaultBranch),
  cloneUrlHttp: text(m.cloneUrlHttp),
  cloneUrlSsh: text(m.cloneUrlSsh),
})

async function listPage(call: AwsCall, nextToken?: string) {
  const out = (await call(CODECOMMIT_SERVICE, 'ListRepositories', nextToken === undefined ? {} : {nextToken})) as Entry
  const names = (Array.isArray(out.repositories) ? out.repositories : []).map((r) => text(object(r).repositoryName))
  return {items: names, token: out.nextToken}
}

/** One page of GetResources; an ARN that does not parse (arn.Parse) is skipped, the name its resource part. */
async function taggedPage(call: AwsCall, tagFilters: string, t?: string) {
  const input = {
    ResourceTypeFilters: ['codecommit:repository'],
    TagFilters: JSON.parse(tagFilters) as unknown,
    ...(t === undefined ? {} : {PaginationToken: t}),
  }
  const out = (await call(TAGGING_SERVICE, 'GetResources', input)) as Entry
  const names: string[] = []
  for (const r of Array.isArray(out.ResourceTagMappingList) ? out.ResourceTagMappingList : []) {
    const parts = text(object(r).ResourceARN).split(':')
    if (parts.length >= 6 && parts[0] === 'arn') names.push(parts.slice(5).join(':'))
  }
  return {items: names, token: out.PaginationToken}
}

/** GetFolder of the parent: the relative paths of its files, folders, submodules and links; not found: null. */
async function folder(call: AwsCall, q: Question<CodeCommitProtocol, 'folder'>, budget: ScmBudget) {
  budget.spend()
  const input = {commitSpecifier: q.commit, folderPath: q.folderPath, repositoryName: q.repo}
  try {
    const out = (await call(CODECOMMIT_SERVICE, 'GetFolder', input)) as Entry
    const lists = [out.subModules, out.subFolders, out.files, out.symbolicLinks]
    return lists.flatMap((l) => (Array.isArray(l) ? l.map((e) => text(object(e).relativePath)) : []))
  } catch (error) {
    if (error instanceof AwsApiError && NOT_FOUND.includes(error.code)) return null
    throw error
  }
}
