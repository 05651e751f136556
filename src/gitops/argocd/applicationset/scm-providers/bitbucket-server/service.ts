/**
 * The `bitbucketServer` provider (applicationset/services/scm_provider/bitbucket_server.go, over
 * github.com/gfleury/go-bitbucket-v1) over Bitbucket Server / Data Center's API: a project's repositories (every page
 * of 100), each at its default branch (`GET …/branches/default`; a repository without one, 404 or an empty answer, is
 * skipped), the clone URL the `ssh` or `http` link (an unknown protocol fails, when a repository is listed); a
 * repository's branches (`allBranches`: every page, else the default branch again, none without one); whether a path
 * exists on a branch (the browse API; 404 is false). Labels are none (Argo CD's client reads none). The repository's
 * name, not its slug, is what Argo CD puts in the URLs. `bitbucketServer.api` must name the run's API, both as
 * Argo CD's NormalizeBitbucketBasePath makes them (`/rest` appended when missing).
 */
import type {ScmRepository} from '../../../../model/types.js'
import type {JsonObject} from '../../merge.js'
import type {Asked} from '../protocol.js'
import {gathered, type ScmService, type ScmServiceContext} from '../service.js'

/** The answers the Bitbucket Server listing gives (./listing.ts). */
export interface BitbucketServerRepositoryAnswer {
  id: number
  name: string
  projectKey: string
  sshUrl: string
  httpUrl: string
}
export interface BitbucketServerBranchAnswer {
  displayId: string
  latestCommit: string
}

/** Bitbucket Server's questions, answered by ./listing.ts. */
export type BitbucketServerProtocol = {
  repositories: Asked<{project: string}, BitbucketServerRepositoryAnswer[]>
  /** The default branch; null: none. */
  default: Asked<Repo, BitbucketServerBranchAnswer | null>
  branches: Asked<Repo, BitbucketServerBranchAnswer[]>
  path: Asked<Repo & {at: string; path: string}, boolean>
}
type Repo = {project: string; repo: string}
type Ctx = ScmServiceContext<BitbucketServerProtocol>

export function bitbucketServerService(config: JsonObject, ctx: Ctx): ScmService {
  const base = basePath(config, ctx)
  const project = String(config.project ?? '')
  const allBranches = config.allBranches === true
  const listing = `error listing repositories for ${project}`
  return {
    listRepos(cloneProtocol) {
      if (base === undefined)
        throw ctx.fail(
          `${listing}: Get "/rest/api/1.0/projects/${project}/repos?limit=100": unsupported protocol scheme ""`,
        )
      const listed = ctx.ask({op: 'repositories', project}, (e) => `${listing}: ${e}`)
      if (listed.length > 0 && !['', 'ssh', 'https'].includes(cloneProtocol))
        throw ctx.fail(`unknown clone protocol for Bitbucket Server ${cloneProtocol}`)
      const defaults = gathered(listed, (r) => ctx.ask({op: 'default', project: r.projectKey, repo: r.name}))
      return listed.flatMap((r, i): ScmRepository[] => {
        const branch = defaults[i]
        if (branch === null) return []
        const url = cloneProtocol === 'https' ? r.httpUrl : r.sshUrl
        const at = {branch: branch.displayId, sha: branch.latestCommit}
        return [{organization: r.projectKey, repository: r.name, url, ...at, labels: [], repositoryId: r.id}]
      })
    },
    getBranches(repo) {
      const where = `error listing branches for ${repo.organization}/${repo.repository}`
      const ref = {project: repo.organization, repo: repo.repository}
      const branches = allBranches
        ? ctx.ask({op: 'branches', ...ref}, (e) => `${where}: ${where}: ${e}`)
        : [ctx.ask({op: 'default', ...ref}, (e) => `${where}: ${e}`)]
      return branches
        .filter((b) => b !== null)
        .map((b): ScmRepository => ({...repo, branch: b.displayId, sha: b.latestCommit}))
    },
    repoHasPath(repo, path) {
      return ctx.ask({op: 'path', project: repo.organization, repo: repo.repository, at: repo.branch, path})
    },
  }
}

/** NormalizeBitbucketBasePath: `/rest` appended unless there (a trailing slash after it trimmed). */
export function bitbucketBasePath(url: string): string {
  if (url.endsWith('/rest/')) return url.slice(0, -1)
  return url.endsWith('/rest') ? url : `${url}/rest`
}

/**
 * The client's base path, which must be the run's: never a request to a host only the revision names. No API at all
 * is undefined: the client's requests then have no scheme, and listing fails as Argo CD's does.
 */
function basePath(config: JsonObject, ctx: Ctx): string | undefined {
  const written = typeof config.api === 'string' ? config.api : ''
  if (written === '') return undefined
  const asked = bitbucketBasePath(written)
  if (asked !== bitbucketBasePath(ctx.api.apiUrl)) throw ctx.notThisApi('bitbucketServer', asked)
  return asked
}
