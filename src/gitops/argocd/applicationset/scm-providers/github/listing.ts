/**
 * GitHub's answers for the `scmProvider.github` generator (`--scm-provider github`): the API URL of ameide's other
 * GitHub commands (--api-url, else GITHUB_API_URL, else api.github.com) and their token (GH_TOKEN, GITHUB_TOKEN,
 * `gh auth token`, registered as a secret). The questions are ./service.ts's.
 */
import {retryPolicyWithTimings, testTimings} from '../../../../../core/test-timings.js'
import {DEFAULT_RETRY_POLICY} from '../../../../../core/retry.js'
import {scmVerbs, type ScmVerbs} from './client.js'
import type {GitHubProtocol} from './service.js'
import {oneRequest, type Answerers} from '../protocol.js'
import {ScmListing, type ScmListingMaker} from '../listing.js'

export const githubListing: ScmListingMaker<GitHubProtocol> = async (apiUrlFlag, env, bounds) => {
  const [{resolveApiUrl}, {findToken}, {createTransport}] = await Promise.all([
    import('../../../../../effects/github/target.js'),
    import('../../../../../effects/github/token.js'),
    import('../../../../../effects/github/transport.js'),
  ])
  const apiUrl = resolveApiUrl(apiUrlFlag, env)
  const found = await findToken(env, apiUrl)
  if (!found)
    return new ScmListing({
      provider: 'github',
      label: 'GitHub',
      apiUrl,
      unreadable: `no GitHub token (GH_TOKEN, GITHUB_TOKEN, gh auth token): ${apiUrl} was not asked`,
    })
  const timings = testTimings(env)
  const policy = retryPolicyWithTimings(DEFAULT_RETRY_POLICY, timings)
  const transport = await createTransport({
    token: found.token,
    baseUrl: apiUrl,
    transport: {
      ...(timings.retryAttempts !== undefined ? {serverErrorRetries: policy.attempts - 1} : {}),
      ...(timings.retryDelayMs !== undefined ? {retryBaseMs: timings.retryDelayMs} : {}),
    },
  })
  return new ScmListing({provider: 'github', label: 'GitHub', apiUrl, ask: githubAsker(scmVerbs(transport)), ...bounds})
}

/** GitHub's answers with its client: a listing page by page, 100 a page. */
export function githubAsker(client: ScmVerbs): Answerers<GitHubProtocol> {
  return {
    repositories: (q, budget) => budget.pages((p) => client.listOrgRepositories(q.org, p)),
    async branches(q, budget) {
      const ref = {owner: q.owner, repo: q.repo}
      if (q.branch === null) return budget.pages((p) => client.listBranches(ref, p))
      budget.spend()
      const one = await client.getBranch(ref, q.branch)
      return one ? [one] : []
    },
    path: oneRequest((q) => client.pathExists({owner: q.owner, repo: q.repo}, q.path, q.branch)),
  }
}
