/**
 * Bitbucket Server / Data Center's answers for the `scmProvider.bitbucketServer` generator (`--scm-provider
 * bitbucketServer`): the API URL from --api-url (no default; exit 2 INVALID_API_URL without it), the bearer token from
 * BITBUCKET_TOKEN (the generator's `bearerToken`; basic auth is not offered), registered as a secret. The questions
 * are ./service.ts's.
 */
import type {BitbucketServerClient} from './client.js'
import {bitbucketBasePath, type BitbucketServerProtocol} from './service.js'
import {oneRequest, type Answerers} from '../protocol.js'
import {requiredApiUrl, tokenListing, type ScmListingMaker} from '../listing.js'

const LABEL = 'Bitbucket Server'

export const bitbucketServerListing: ScmListingMaker<BitbucketServerProtocol> = async (apiUrlFlag, env, bounds) => {
  const apiUrl = requiredApiUrl(apiUrlFlag, 'bitbucketServer', LABEL, 'https://bitbucket.example.com')
  const {createBitbucketServerClient} = await import('./client.js')
  const listing = {provider: 'bitbucketServer', label: LABEL, apiUrl}
  return tokenListing(listing, env, 'BITBUCKET_TOKEN', bounds, (token, retryPolicy) =>
    bitbucketServerAsker(createBitbucketServerClient({basePath: bitbucketBasePath(apiUrl), token, retryPolicy})),
  )
}

/** The client's answers: a listing every page (`start` from each page's nextPageStart), else one request. */
export function bitbucketServerAsker(client: BitbucketServerClient): Answerers<BitbucketServerProtocol> {
  const starts = () => {
    let first = true
    return (start: number) => {
      const at = first ? undefined : start
      first = false
      return at
    }
  }
  return {
    repositories(q, budget) {
      const start = starts()
      return budget.pages((p) => client.repositories(q.project, start(p)))
    },
    branches(q, budget) {
      const start = starts()
      return budget.pages((p) => client.branches(q.project, q.repo, start(p)))
    },
    default: oneRequest((q) => client.defaultBranch(q.project, q.repo)),
    path: oneRequest((q) => client.hasPath(q.project, q.repo, q.path, q.at)),
  }
}
