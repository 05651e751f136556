/**
 * The `gitlab` provider (applicationset/services/scm_provider/gitlab.go) over GitLab's API: a group's projects (every
 * page; `includeSubgroups`, `includeSharedProjects` — unset is true, as WillIncludeSharedProjects reads it — `topic`
 * and `includeArchivedRepos` are the listing's query; labels are the topics, else the tag_list of a GitLab before
 * 14.5; the organization is the namespace's full path), a project's branches (`allBranches`: every one, else the
 * default branch alone; a 404 is no branch), and whether a path exists on a branch (the project looked up by its
 * path, then the files API, then the tree API; 404 on both is false). `gitlab.api` must name the run's API URL.
 */
import {gitlabBaseUrl, type GitLabBranch, type GitLabProject} from './client.js'
import type {ScmRepository} from '../../../../model/types.js'
import {GenerationError} from '../../errors.js'
import {isObject, type JsonObject} from '../../merge.js'
import type {Asked, Question} from '../protocol.js'
import type {ScmService, ScmServiceContext} from '../service.js'

/** GitLab's questions, answered by ./listing.ts. */
export type GitLabProtocol = {
  projects: Asked<GroupProjects, GitLabProject[]>
  branches: Asked<{projectId: number; branch: string | null}, GitLabBranch[]>
  path: Asked<{project: string; branch: string; path: string}, boolean>
}
type GroupProjects = {group: string; includeSubgroups: boolean; withShared: boolean; topic: string; archived: boolean}
type Ctx = ScmServiceContext<GitLabProtocol>

/** client-go's default base URL, which Argo CD keeps when `api` is empty. */
const DEFAULT_API = 'https://gitlab.com/api/v4/'

export function gitlabService(config: JsonObject, ctx: Ctx): ScmService {
  if (!isObject(config)) throw new GenerationError('scmProvider.gitlab must be a map', [...ctx.path, 'gitlab'])
  askedHost(config, ctx)
  const group = String(config.group ?? '')
  const allBranches = config.allBranches === true
  const question: Question<GitLabProtocol, 'projects'> = {
    op: 'projects',
    group,
    includeSubgroups: config.includeSubgroups === true,
    withShared: config.includeSharedProjects !== false,
    topic: typeof config.topic === 'string' ? config.topic : '',
    archived: config.includeArchivedRepos === true,
  }
  return {
    listRepos(cloneProtocol) {
      const listed = ctx.ask(question, (e) => `error listing projects for ${group}: ${e}`)
      if (listed.length > 0 && !['', 'ssh', 'https'].includes(cloneProtocol))
        throw ctx.fail(`unknown clone protocol for Gitlab ${cloneProtocol}`)
      return listed.map((p) => {
        if (p.namespaceFullPath === null) throw ctx.fail(`GitLab answered project ${p.id} without a namespace`)
        return {
          organization: p.namespaceFullPath,
          repository: p.path,
          branch: p.defaultBranch,
          url: cloneProtocol === 'https' ? p.httpUrl : p.sshUrl,
          sha: '',
          labels: p.topics.length === 0 ? p.tagList : p.topics,
          repositoryId: p.id,
        }
      })
    },
    getBranches(repo) {
      const where = `${repo.organization}/${repo.repository}`
      const branches = ctx.ask(
        {op: 'branches', projectId: Number(repo.repositoryId), branch: allBranches ? null : repo.branch},
        (e) => `error listing branches for ${where}: ${e}`,
      )
      return branches.map((b): ScmRepository => {
        if (b.sha === null) throw ctx.fail(`error listing branches for ${where}: branch ${b.name} has no commit`)
        return {...repo, branch: b.name, sha: b.sha}
      })
    },
    repoHasPath(repo, path) {
      return ctx.ask({
        op: 'path',
        project: `${repo.organization}/${repo.repository}`,
        branch: repo.branch,
        path,
      })
    },
  }
}

/**
 * client-go's WithBaseURL (`https://HOST` becomes `https://HOST/api/v4/`), else gitlab.com: the API the controller
 * would ask, which must be the run's. Never a request to a host only the revision names.
 */
function askedHost(gitlab: JsonObject, ctx: Ctx): void {
  const written = typeof gitlab.api === 'string' ? gitlab.api : ''
  const asked = written === '' ? DEFAULT_API : gitlabBaseUrl(written)
  if (asked !== undefined && asked === gitlabBaseUrl(ctx.api.apiUrl)) return
  throw ctx.notThisApi('gitlab', asked ?? JSON.stringify(written))
}
