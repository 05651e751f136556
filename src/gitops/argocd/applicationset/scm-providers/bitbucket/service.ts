/**
 * The `bitbucket` provider (Bitbucket Cloud: applicationset/services/scm_provider/bitbucket_cloud.go) over Bitbucket's
 * API 2.0: the repositories of the workspace `owner` the caller is a member of (every page; the url the clone link of
 * the clone protocol, ssh by default, any other failing the generator; no labels; the repository id its `{uuid}`), a
 * repository's branches (`allBranches`: the first page of its branches alone, as go-bitbucket reads it; else its main
 * branch, a failure when Bitbucket has no such branch), and whether a path exists at the branch's commit (`src`,
 * 404 is false). Bitbucket Cloud has one API: the run's (--api-url stands for the controller's BITBUCKET_API_BASE_URL).
 */
import type {ScmRepository} from '../../../../model/types.js'
import {GenerationError} from '../../errors.js'
import {isObject, type JsonObject} from '../../merge.js'
import type {Asked, Question} from '../protocol.js'
import type {ScmService, ScmServiceContext} from '../service.js'

/** The answers the Bitbucket listing gives (./listing.ts), as go-bitbucket decodes them. */
export interface BitbucketRepositoryAnswer {
  slug: string
  uuid: string
  mainbranch: string
  clone: unknown
}
export interface BitbucketBranchAnswer {
  name: string
  hash?: string
}

/** Bitbucket Cloud's questions, answered by ./listing.ts. */
export type BitbucketProtocol = {
  repositories: Asked<{owner: string}, BitbucketRepositoryAnswer[]>
  branch: Asked<Repo & {branch: string}, BitbucketBranchAnswer[]>
  branches: Asked<Repo, BitbucketBranchAnswer[]>
  path: Asked<Repo & {sha: string; path: string}, boolean>
}
type Repo = {owner: string; repo: string}
type Ctx = ScmServiceContext<BitbucketProtocol>

export function bitbucketService(config: JsonObject, ctx: Ctx): ScmService {
  if (!isObject(config)) throw new GenerationError('scmProvider.bitbucket must be a map', [...ctx.path, 'bitbucket'])
  const owner = String(config.owner ?? '')
  const allBranches = config.allBranches === true
  return {
    listRepos(cloneProtocol) {
      const listed = ctx.ask({op: 'repositories', owner}, (e) => `error listing repositories for ${owner}: ${e}`)
      const protocol = cloneProtocol === '' ? 'ssh' : cloneProtocol
      return listed.map((r) => ({
        organization: owner,
        repository: r.slug,
        branch: r.mainbranch,
        url: cloneUrl(protocol, r, ctx),
        sha: '',
        labels: [],
        repositoryId: r.uuid,
      }))
    },
    getBranches(repo) {
      const question: Question<BitbucketProtocol, 'branch' | 'branches'> = allBranches
        ? {op: 'branches', owner, repo: repo.repository}
        : {op: 'branch', owner, repo: repo.repository, branch: repo.branch}
      const branches = ctx.ask(
        question,
        (e) => `error listing branches for ${repo.organization}/${repo.repository}: ${e}`,
      )
      return branches.map((b): ScmRepository => {
        if (b.hash === undefined)
          throw ctx.fail(`error getting SHA for branch for ${owner}/${repo.repository}/${b.name}: %!w(<nil>)`)
        return {...repo, branch: b.name, sha: b.hash}
      })
    },
    repoHasPath(repo, path) {
      return ctx.ask({op: 'path', owner, repo: repo.repository, sha: repo.sha, path})
    },
  }
}

/** findCloneURL: the href of the clone link named as the protocol. */
function cloneUrl(protocol: string, repo: BitbucketRepositoryAnswer, ctx: Ctx): string {
  const fail = (why: string) => ctx.fail(`error fetching clone url for repo ${repo.slug}: ${why}`)
  if (!Array.isArray(repo.clone)) throw fail('unknown type returned from repo links')
  for (const link of repo.clone as unknown[]) {
    if (!isObject(link)) throw fail('unknown type returned from clone link')
    if (link.name !== protocol) continue
    if (typeof link.href !== 'string') throw fail('could not find href for clone link')
    return link.href
  }
  throw fail(`unknown clone protocol for Bitbucket cloud ${protocol}`)
}
