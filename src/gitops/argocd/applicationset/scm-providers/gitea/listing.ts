/**
 * Gitea's answers for the `scmProvider.gitea` generator (`--scm-provider gitea`): the API URL from --api-url (Gitea
 * has no default; exit 2 INVALID_API_URL without it), the token from GITEA_TOKEN (Argo CD's fallback when the
 * generator names no tokenRef), registered as a secret. The questions are ./service.ts's.
 */
import type {GiteaClient} from './client.js'
import type {GiteaQuestion} from './service.js'
import type {ScmQuestion} from '../../../../deployables/index.js'
import {requiredApiUrl, tokenListing, type ScmAsker, type ScmListingMaker} from '../listing.js'

export const giteaListing: ScmListingMaker = async (apiUrlFlag, env, bounds) => {
  const apiUrl = requiredApiUrl(apiUrlFlag, 'gitea', 'Gitea', 'https://gitea.example.com')
  const {createGiteaClient} = await import('./client.js')
  return tokenListing({provider: 'gitea', label: 'Gitea', apiUrl}, env, 'GITEA_TOKEN', bounds, (token, retryPolicy) =>
    giteaAsker(createGiteaClient({apiUrl, token, retryPolicy})),
  )
}

/** Answers one question with Gitea's client: each listing one page, as the SDK reads it. */
export function giteaAsker(client: GiteaClient): ScmAsker {
  return async (question: ScmQuestion, budget) => {
    const q = question as GiteaQuestion
    budget.spend()
    switch (q.op) {
      case 'version':
        return client.version()
      case 'repositories':
        return client.listOrgRepos(q.owner)
      case 'labels':
        return client.listRepoLabels(q.owner, q.repo)
      case 'branches':
        return client.listRepoBranches(q.owner, q.repo)
      case 'branch':
        return client.getRepoBranch(q.owner, q.repo, q.branch)
      default:
        return (await client.getContents(q.owner, q.repo, q.branch, q.path)) === 'present'
    }
  }
}
