/**
 * What Argo CD's `scmProvider.github` generator asks GitHub (applicationset/services/scm_provider/github.go): an
 * organization's repositories, a repository's branches (every one, or the default branch alone), and whether a path
 * exists on a branch. One page per call: the caller bounds and follows the pages (`next` is GitHub's Link header).
 */
import {GitHubApiError} from '../../../../../effects/github/errors.js'
import type {GitHubTransport} from '../../../../../effects/github/transport.js'
import type {RepoRef} from '../../../../../effects/github/types.js'

/** The part of `minimal-repository` the generator reads. */
export interface ListedRepository {
  id: number
  name: string
  owner: string
  sshUrl: string
  cloneUrl: string
  defaultBranch: string
  archived: boolean
  topics: string[]
}

export interface ListedBranch {
  name: string
  sha: string
}

export interface Page<T> {
  items: T[]
  /** The next page's number (GitHub's `rel="next"` link), or undefined on the last page. */
  next: number | undefined
}

export interface ScmVerbs {
  /** `GET /orgs/{org}/repos?per_page=100&page=N` (go-github's ListByOrg: every type). */
  listOrgRepositories(org: string, page: number): Promise<Page<ListedRepository>>
  /** `GET /repos/{owner}/{repo}/branches?per_page=100&page=N`. */
  listBranches(repo: RepoRef, page: number): Promise<Page<ListedBranch>>
  /** `GET /repos/{owner}/{repo}/branches/{branch}`: null when GitHub answers 404 (an empty repository). */
  getBranch(repo: RepoRef, branch: string): Promise<ListedBranch | null>
  /** `GET /repos/{owner}/{repo}/contents/{path}?ref=`: false when GitHub answers 404 (RepoHasPath). */
  pathExists(repo: RepoRef, path: string, ref: string): Promise<boolean>
}

export function scmVerbs({octokit, call}: GitHubTransport): ScmVerbs {
  const notFound = (e: unknown) => e instanceof GitHubApiError && e.status === 404
  return {
    async listOrgRepositories(org, page) {
      const {data, headers} = await call('list repositories', () =>
        octokit.rest.repos.listForOrg({org, per_page: 100, page}),
      )
      const items = data.map((r) => ({
        id: r.id,
        name: r.name,
        owner: r.owner.login,
        sshUrl: r.ssh_url ?? '',
        cloneUrl: r.clone_url ?? '',
        defaultBranch: r.default_branch ?? '',
        archived: r.archived === true,
        topics: r.topics ?? [],
      }))
      return {items, next: nextPage(headers.link)}
    },
    async listBranches(repo, page) {
      const {data, headers} = await call('list branches', () =>
        octokit.rest.repos.listBranches({...repo, per_page: 100, page}),
      )
      return {items: data.map((b) => ({name: b.name, sha: b.commit.sha})), next: nextPage(headers.link)}
    },
    async getBranch(repo, branch) {
      try {
        const {data} = await call('get branch', () => octokit.rest.repos.getBranch({...repo, branch}))
        return {name: data.name, sha: data.commit.sha}
      } catch (error) {
        if (notFound(error)) return null
        throw error
      }
    },
    async pathExists(repo, path, ref) {
      try {
        await call('get contents', () => octokit.rest.repos.getContent({...repo, path, ref}))
        return true
      } catch (error) {
        if (notFound(error)) return false
        throw error
      }
    },
  }
}

/** The page number of a Link header's `rel="next"` (go-github's NextPage), or undefined. */
export function nextPage(link: string | undefined): number | undefined {
  for (const part of (link ?? '').split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="next"/.exec(part)
    if (!m) continue
    const page = Number(new URL(m[1], 'http://x').searchParams.get('page'))
    return Number.isInteger(page) && page > 0 ? page : undefined
  }
  return undefined
}
