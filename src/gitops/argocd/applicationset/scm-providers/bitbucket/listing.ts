/**
 * Bitbucket Cloud's answers for the `scmProvider.bitbucket` generator (`--scm-provider bitbucket`): the API base
 * (--api-url, else https://api.bitbucket.org/2.0 — what BITBUCKET_API_BASE_URL sets for Argo CD's controller) and
 * BITBUCKET_TOKEN (registered as a secret): with BITBUCKET_USER, basic auth as Argo CD sends its `user` and app
 * password (an app password or an Atlassian API token); without, the token as a bearer (a workspace, project or
 * repository access token). The questions are ./service.ts's.
 */
import {httpApiUrl} from '../../../../../core/api-url-flag.js'
import {BITBUCKET_API_URL, createBitbucketClient, type BitbucketClient} from './client.js'
import type {BitbucketProtocol} from './service.js'
import {oneRequest, type Answerers} from '../protocol.js'
import {tokenListing, type ScmListingMaker} from '../listing.js'

export const bitbucketListing: ScmListingMaker<BitbucketProtocol> = async (apiUrlFlag, env, bounds) => {
  const apiUrl = httpApiUrl(apiUrlFlag ?? BITBUCKET_API_URL, '--api-url', BITBUCKET_API_URL)
  const user = env.BITBUCKET_USER ? {user: env.BITBUCKET_USER} : {}
  const listing = {provider: 'bitbucket', label: 'Bitbucket', apiUrl}
  return tokenListing(listing, env, 'BITBUCKET_TOKEN', bounds, (token, retryPolicy) =>
    bitbucketAsker(createBitbucketClient({api: apiUrl, token, retryPolicy, ...user})),
  )
}

/** Bitbucket's answers: the repositories page by page (each a request), every other question one request. */
export function bitbucketAsker(client: BitbucketClient): Answerers<BitbucketProtocol> {
  return {
    repositories(q, budget) {
      let url = client.repositoriesUrl(q.owner)
      return budget.pages(async (page) => {
        const got = await client.repositoryPage(url, page === 1)
        if (got.next !== undefined) url = got.next
        return {items: got.repositories, next: got.next === undefined ? undefined : page + 1}
      })
    },
    branch: oneRequest(async (q) => [await client.getBranch(q.owner, q.repo, q.branch)]),
    branches: oneRequest((q) => client.listBranches(q.owner, q.repo)),
    path: oneRequest((q) => client.hasPath(q.owner, q.repo, q.sha, q.path)),
  }
}
