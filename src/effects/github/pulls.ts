/** Pull request verbs: list (by head branch or all, newest first), create, update title and body. */
import type {GitHubTransport} from './transport.js'
import type {PullRequest, RepoRef} from './types.js'

export interface PullsVerbs {
  listPullRequests(repo: RepoRef, filter: {state: 'open' | 'closed' | 'all'; head?: string}): Promise<PullRequest[]>
  /**
   * Every pull request in `state`, newest first, 100 a page, at most `maxPages` pages (one request each): the
   * listing `primitive status` shares between all primitives of a run. `pages` requests were sent; `truncated` when
   * more pages remained.
   */
  listAllPullRequests(
    repo: RepoRef,
    state: 'open' | 'closed' | 'all',
    maxPages: number,
  ): Promise<{pulls: PullRequest[]; pages: number; truncated: boolean}>
  createPullRequest(repo: RepoRef, pr: {title: string; body: string; head: string; base: string}): Promise<PullRequest>
  updatePullRequest(repo: RepoRef, number: number, pr: {title: string; body: string}): Promise<PullRequest>
}

export function pullsVerbs({octokit, call}: GitHubTransport): PullsVerbs {
  return {
    async listPullRequests(repo, filter) {
      const {data} = await call('list pull requests', () =>
        octokit.rest.pulls.list({
          ...repo,
          state: filter.state,
          ...(filter.head ? {head: filter.head} : {}),
          sort: 'created',
          direction: 'desc',
          per_page: 50,
        }),
      )
      return data.map(toPullRequest)
    },

    async listAllPullRequests(repo, state, maxPages) {
      const pulls: PullRequest[] = []
      for (let page = 1; page <= maxPages; page++) {
        const {data} = await call('list pull requests', () =>
          octokit.rest.pulls.list({...repo, state, sort: 'created', direction: 'desc', per_page: 100, page}),
        )
        pulls.push(...data.map(toPullRequest))
        if (data.length < 100) return {pulls, pages: page, truncated: false}
      }
      return {pulls, pages: maxPages, truncated: true}
    },

    async createPullRequest(repo, pr) {
      const {data} = await call('create pull request', () => octokit.rest.pulls.create({...repo, ...pr}))
      return toPullRequest(data)
    },

    async updatePullRequest(repo, number, pr) {
      const {data} = await call('update pull request', () =>
        octokit.rest.pulls.update({...repo, pull_number: number, ...pr}),
      )
      return toPullRequest(data)
    },
  }
}

function toPullRequest(data: {number: number; html_url: string; head: {ref: string}; created_at: string}): PullRequest {
  return {number: data.number, htmlUrl: data.html_url, branch: data.head.ref, createdAt: data.created_at}
}
