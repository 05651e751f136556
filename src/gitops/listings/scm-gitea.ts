/**
 * Gitea's answers for the `scmProvider.gitea` generator (`--scm-provider gitea`): the API URL from --api-url (Gitea
 * has no default; exit 2 INVALID_API_URL without it), the token from GITEA_TOKEN (Argo CD's fallback when the
 * generator names no tokenRef), registered as a secret. The questions are applicationset/scm-providers/gitea.ts's.
 */
import {usageError} from '../../core/errors.js'
import {registerSecret} from '../../core/secrets.js'
import {retryPolicyWithTimings, testTimings} from '../../core/test-timings.js'
import {DEFAULT_RETRY_POLICY} from '../../core/retry.js'
import type {GiteaClient} from '../../effects/scm/gitea.js'
import type {GiteaQuestion} from '../deployables/applicationset/scm-providers/gitea.js'
import type {ScmQuestion} from '../deployables/index.js'
import {ScmListing, type ScmAsker, type ScmListingMaker} from './scm-listing.js'

export const giteaListing: ScmListingMaker = async (apiUrlFlag, env, bounds) => {
  const [{parseApiUrl}, {createGiteaClient}] = await Promise.all([
    import('../../effects/github/target.js'),
    import('../../effects/scm/gitea.js'),
  ])
  if (!apiUrlFlag)
    throw usageError('INVALID_API_URL', '--scm-provider gitea needs --api-url: Gitea has no default API.', [
      'e.g. --api-url https://gitea.example.com (the URL the generators name in gitea.api).',
    ])
  const apiUrl = parseApiUrl(apiUrlFlag, '--api-url')
  const token = env.GITEA_TOKEN
  if (!token)
    return new ScmListing({
      provider: 'gitea',
      label: 'Gitea',
      apiUrl,
      unreadable: `no Gitea token (GITEA_TOKEN): ${apiUrl} was not asked`,
    })
  registerSecret(token)
  const retryPolicy = retryPolicyWithTimings(DEFAULT_RETRY_POLICY, testTimings(env))
  const client = createGiteaClient({apiUrl, token, retryPolicy})
  return new ScmListing({provider: 'gitea', label: 'Gitea', apiUrl, ask: giteaAsker(client), ...bounds})
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
