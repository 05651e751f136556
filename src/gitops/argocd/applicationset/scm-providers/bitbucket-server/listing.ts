/**
 * Bitbucket Server / Data Center's answers for the `scmProvider.bitbucketServer` generator (`--scm-provider
 * bitbucketServer`): the API URL from --api-url (no default; exit 2 INVALID_API_URL without it), the bearer token from
 * BITBUCKET_TOKEN (the generator's `bearerToken`; basic auth is not offered), registered as a secret. The questions
 * are ./service.ts's.
 */
import type {BitbucketServerClient} from './client.js'
import {bitbucketBasePath, type BitbucketServerQuestion} from './service.js'
import type {ScmQuestion} from '../../../../deployables/index.js'
import {requiredApiUrl, tokenListing, type ScmAsker, type ScmListingMaker} from '../listing.js'

const LABEL = 'Bitbucket Server'

export const bitbucketServerListing: ScmListingMaker = async (apiUrlFlag, env, bounds) => {
  const apiUrl = requiredApiUrl(apiUrlFlag, 'bitbucketServer', LABEL, 'https://bitbucket.example.com')
  const {createBitbucketServerClient} = await import('./client.js')
  const listing = {provider: 'bitbucketServer', label: LABEL, apiUrl}
  return tokenListing(listing, env, 'BITBUCKET_TOKEN', bounds, (token, retryPolicy) =>
    bitbucketServerAsker(createBitbucketServerClient({basePath: bitbucketBasePath(apiUrl), token, retryPolicy})),
  )
}

/** Answers one question with the client: a listing every page (`start` from each page's nextPageStart). */
export function bitbucketServerAsker(client: BitbucketServerClient): ScmAsker {
  return async (question: ScmQuestion, budget) => {
    const q = question as BitbucketServerQuestion
    const starts = () => {
      let first = true
      return (start: number) => {
        const at = first ? undefined : start
        first = false
        return at
      }
    }
    switch (q.op) {
      case 'repositories': {
        const start = starts()
        return budget.pages((p) => client.repositories(q.project, start(p)))
      }
      case 'branches': {
        const start = starts()
        return budget.pages((p) => client.branches(q.project, q.repo, start(p)))
      }
      case 'default':
        budget.spend()
        return client.defaultBranch(q.project, q.repo)
      default:
        budget.spend()
        return client.hasPath(q.project, q.repo, q.path, q.at)
    }
  }
}
