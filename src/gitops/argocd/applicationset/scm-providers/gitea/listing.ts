/**
 * Gitea's answers for the `scmProvider.gitea` generator (`--scm-provider gitea`): the API URL from --api-url (Gitea
 * has no default; exit 2 INVALID_API_URL without it), the token from GITEA_TOKEN (Argo CD's fallback when the
 * generator names no tokenRef), registered as a secret. The questions are ./service.ts's.
 */
import type {GiteaClient} from './client.js'
import type {GiteaProtocol} from './service.js'
import {oneRequest, type Answerers} from '../protocol.js'
import {requiredApiUrl, tokenListing, type ScmListingMaker} from '../listing.js'

export const giteaListing: ScmListingMaker<GiteaProtocol> = async (apiUrlFlag, env, bounds) => {
  const apiUrl = requiredApiUrl(apiUrlFlag, 'gitea', 'Gitea', 'https://gitea.example.com')
  const {createGiteaClient} = await import('./client.js')
  return tokenListing({provider: 'gitea', label: 'Gitea', apiUrl}, env, 'GITEA_TOKEN', bounds, (token, retryPolicy) =>
    giteaAsker(createGiteaClient({apiUrl, token, retryPolicy})),
  )
}

/** Gitea's answers with its client: each listing one page, as the SDK reads it; each answer one request. */
export function giteaAsker(client: GiteaClient): Answerers<GiteaProtocol> {
  return {
    version: oneRequest(() => client.version()),
    repositories: oneRequest((q) => client.listOrgRepos(q.owner)),
    labels: oneRequest((q) => client.listRepoLabels(q.owner, q.repo)),
    branches: oneRequest((q) => client.listRepoBranches(q.owner, q.repo)),
    branch: oneRequest((q) => client.getRepoBranch(q.owner, q.repo, q.branch)),
    path: oneRequest(async (q) => (await client.getContents(q.owner, q.repo, q.branch, q.path)) === 'present'),
  }
}
