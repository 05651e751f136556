/** Repository verbs: what the token may do on a repository (the one cheap call `ameide doctor` makes). */
import type {GitHubTransport} from './transport.js'
import type {RepoRef} from './types.js'

/** The token's role on a repository, as GitHub reports it for the authenticated caller. */
export interface RepositoryPermissions {
  admin: boolean
  maintain: boolean
  push: boolean
  triage: boolean
  pull: boolean
}

export interface RepositoriesVerbs {
  /**
   * `GET /repos/{owner}/{repo}`: the caller's permissions, or null when GitHub gives none (an app token without a
   * user). `signal` ends the request early (a short probe).
   */
  repositoryPermissions(repo: RepoRef, options?: {signal?: AbortSignal}): Promise<RepositoryPermissions | null>
}

export function repositoriesVerbs({octokit, call}: GitHubTransport): RepositoriesVerbs {
  return {
    async repositoryPermissions(repo, options = {}) {
      const {data} = await call('get repository', () =>
        octokit.rest.repos.get({...repo, ...(options.signal ? {request: {signal: options.signal}} : {})}),
      )
      const p = data.permissions
      if (!p) return null
      return {
        admin: p.admin,
        maintain: p.maintain ?? false,
        push: p.push,
        triage: p.triage ?? false,
        pull: p.pull,
      }
    },
  }
}
