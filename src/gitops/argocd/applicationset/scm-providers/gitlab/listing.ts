/**
 * GitLab's answers for the `scmProvider.gitlab` generator (`--scm-provider gitlab`): the API at --api-url, else
 * https://gitlab.com (client-go's default base URL, which Argo CD keeps when `api` is empty), the token from
 * GITLAB_TOKEN (the variable Argo CD's provider falls back to), registered as a secret. The questions are
 * ./service.ts's, answered as Argo CD v3.5.1's gitlab.go asks client-go.
 */
import {httpApiUrl} from '../../../../../core/api-url-flag.js'
import {GITLAB_DEFAULT_URL, GitLabNotFound, type GitLabClient} from './client.js'
import type {GitLabProtocol} from './service.js'
import type {Answerers, Question, ScmBudget} from '../protocol.js'
import {tokenListing, type ScmListingMaker} from '../listing.js'

export const gitlabListing: ScmListingMaker<GitLabProtocol> = async (apiUrlFlag, env, bounds) => {
  const apiUrl = gitlabApiUrl(apiUrlFlag)
  const {createGitLabClient} = await import('./client.js')
  return tokenListing(
    {provider: 'gitlab', label: 'GitLab', apiUrl},
    env,
    'GITLAB_TOKEN',
    bounds,
    (token, retryPolicy) => gitlabAsker(createGitLabClient({baseUrl: apiUrl, token, retryPolicy})),
  )
}

/** `--api-url` for GitLab: an http(s) URL without credentials (exit 2 INVALID_API_URL), else https://gitlab.com. */
export function gitlabApiUrl(flag: string | undefined): string {
  return httpApiUrl(
    flag ?? GITLAB_DEFAULT_URL,
    '--api-url',
    'https://gitlab.com, or https://HOST for a GitLab of your own (/api/v4/ is added as client-go adds it).',
  )
}

/** GitLab's answers as gitlab.go asks client-go: listings page by page, 100 a page, each page a request. */
export function gitlabAsker(client: GitLabClient): Answerers<GitLabProtocol> {
  return {
    projects: (q, budget) => projects(client, q, budget),
    branches: (q, budget) => branches(client, q, budget),
    path: (q, budget) => hasPath(client, q, budget),
  }
}

/** ListRepos' loop: the first page unnumbered, then X-Next-Page until X-Page reaches X-Total-Pages (0 when absent). */
async function projects(client: GitLabClient, q: Question<GitLabProtocol, 'projects'>, budget: ScmBudget) {
  let first = true
  return budget.pages(async (page) => {
    const got = await client.listGroupProjects(q.group, q, first ? 0 : page)
    first = false
    return {items: got.items, next: got.currentPage >= got.totalPages ? undefined : got.nextPage}
  })
}

/** listBranches: the one branch (404: none), or every page until X-Next-Page is 0 (a 404 on any page: none). */
async function branches(client: GitLabClient, q: Question<GitLabProtocol, 'branches'>, budget: ScmBudget) {
  try {
    if (q.branch !== null) {
      budget.spend()
      return [await client.getBranch(q.projectId, q.branch)]
    }
    let first = true
    return await budget.pages(async (page) => {
      const got = await client.listBranches(q.projectId, first ? 0 : page)
      first = false
      return {items: got.items, next: got.nextPage === 0 ? undefined : got.nextPage}
    })
  } catch (error) {
    if (error instanceof GitLabNotFound) return []
    throw error
  }
}

/** RepoHasPath: the project by its path, then a file at the path, else a directory there; 404 on both is false. */
async function hasPath(client: GitLabClient, q: Question<GitLabProtocol, 'path'>, budget: ScmBudget) {
  budget.spend()
  let id: number
  try {
    id = await client.getProjectId(q.project)
  } catch (error) {
    throw new Error(`error getting Project Info: ${(error as Error).message}`)
  }
  const found = async (ask: () => Promise<void>) => {
    budget.spend()
    try {
      await ask()
      return true
    } catch (error) {
      if (error instanceof GitLabNotFound) return false
      throw error
    }
  }
  return (
    (await found(() => client.getFile(id, q.path, q.branch))) ||
    (await found(() => client.listTree(id, q.path, q.branch)))
  )
}
