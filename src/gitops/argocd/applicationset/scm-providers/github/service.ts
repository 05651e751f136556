/**
 * The `github` provider (applicationset/services/scm_provider/github.go) over GitHub's API: an organization's
 * repositories (every page; `excludeArchivedRepos` drops the archived; labels are the topics), a repository's
 * branches (`allBranches`: every one, else the default branch alone, none when GitHub has no such branch), and
 * whether a path exists on a branch (the contents API; 404 is false). `github.api` must name the run's API URL.
 */
import {DEFAULT_API_URL, GITHUB_API_HOST} from '../../../../../core/github-api.js'
import type {ListedBranch, ListedRepository} from './client.js'
import type {ScmRepository} from '../../../../model/types.js'
import {GenerationError} from '../../errors.js'
import {isObject, type JsonObject} from '../../merge.js'
import type {Asked} from '../protocol.js'
import type {ScmService, ScmServiceContext} from '../service.js'

/** GitHub's questions, answered by ./listing.ts. */
export type GitHubProtocol = {
  repositories: Asked<{org: string}, ListedRepository[]>
  branches: Asked<{owner: string; repo: string; branch: string | null}, ListedBranch[]>
  path: Asked<{owner: string; repo: string; branch: string; path: string}, boolean>
}
type Ctx = ScmServiceContext<GitHubProtocol>

export function githubService(config: JsonObject, ctx: Ctx): ScmService {
  if (!isObject(config)) throw new GenerationError('scmProvider.github must be a map', [...ctx.path, 'github'])
  askedHost(config, ctx)
  const organization = String(config.organization ?? '')
  const allBranches = config.allBranches === true
  return {
    listRepos(cloneProtocol) {
      const listed = ctx.ask(
        {op: 'repositories', org: organization},
        (e) => `error listing repositories for ${organization}: ${e}`,
      )
      if (listed.length > 0 && !['', 'ssh', 'https'].includes(cloneProtocol))
        throw ctx.fail(`unknown clone protocol for GitHub ${cloneProtocol}`)
      return listed
        .filter((r) => !(config.excludeArchivedRepos === true && r.archived))
        .map((r) => ({
          organization: r.owner,
          repository: r.name,
          branch: r.defaultBranch,
          url: cloneProtocol === 'https' ? r.cloneUrl : r.sshUrl,
          sha: '',
          labels: r.topics,
          repositoryId: r.id,
        }))
    },
    getBranches(repo) {
      const branches = ctx.ask(
        {op: 'branches', owner: repo.organization, repo: repo.repository, branch: allBranches ? null : repo.branch},
        (e) => `error listing branches for ${repo.organization}/${repo.repository}: ${e}`,
      )
      return branches.map((b): ScmRepository => ({...repo, branch: b.name, sha: b.sha}))
    },
    repoHasPath: (repo, path) =>
      ctx.ask({op: 'path', owner: repo.organization, repo: repo.repository, branch: repo.branch, path}),
  }
}

/**
 * go-github's WithEnterpriseURLs (`https://HOST/` becomes `https://HOST/api/v3/`), else api.github.com: the API the
 * controller would ask, which must be the run's. Never a request to a host only the revision names.
 */
function askedHost(github: JsonObject, ctx: Ctx): void {
  const written = typeof github.api === 'string' ? github.api : ''
  const asked = written === '' ? `${DEFAULT_API_URL}/` : enterpriseUrl(written)
  const mine = enterpriseUrl(ctx.api.apiUrl)
  if (asked === mine || (written === '' && mine === `${DEFAULT_API_URL}/`)) return
  throw ctx.notThisApi('github', asked === undefined ? JSON.stringify(written) : asked)
}

function enterpriseUrl(text: string): string | undefined {
  let url: URL
  try {
    url = new URL(text.endsWith('/') ? text : `${text}/`)
  } catch {
    return undefined
  }
  if (url.host === GITHUB_API_HOST) return `${url.protocol}//${url.host}${url.pathname}`
  const apiHost = url.hostname.startsWith('api.') || url.hostname.includes('.api.')
  if (!url.pathname.endsWith('/api/v3/') && !apiHost) url.pathname += 'api/v3/'
  return `${url.protocol}//${url.host}${url.pathname}`
}
