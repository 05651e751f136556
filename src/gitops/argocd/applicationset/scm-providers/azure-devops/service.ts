/**
 * The `azureDevOps` provider (applicationset/services/scm_provider/azure_devops.go) over Azure DevOps' Git API: a
 * team project's repositories (those without a name, default branch, remote URL or id left out; the url is the
 * remote URL whatever the clone protocol; no labels; the repository id its GUID), a repository's branches
 * (`allBranches`: every one, else the default branch alone, `refs/heads/` stripped; a repository Azure DevOps does not
 * find — a disabled one — has none), and whether a path exists on a branch (GetItem; GitItemNotFoundException is
 * false). `azureDevOps.api` (default https://dev.azure.com) must name the run's API URL.
 */
import type {ScmRepository} from '../../../../model/types.js'
import {GenerationError} from '../../errors.js'
import {isObject, type JsonObject} from '../../merge.js'
import type {Asked} from '../protocol.js'
import type {ScmService, ScmServiceContext} from '../service.js'

export const AZURE_DEVOPS_DEFAULT_URL = 'https://dev.azure.com'

/** The answers the Azure DevOps listing gives (./listing.ts), as the Go client reads them. */
export interface AzureDevOpsRepositoryAnswer {
  id?: string
  name?: string
  defaultBranch?: string
  remoteUrl?: string
}
export interface AzureDevOpsBranchAnswer {
  name?: string
  commitId?: string
}

/**
 * Azure DevOps' questions, answered by ./listing.ts: `branch`/`branches` answer null for GitRepositoryNotFoundException
 * (no branches); `path` false for a missing item.
 */
export type AzureDevOpsProtocol = {
  repositories: Asked<TeamProject, AzureDevOpsRepositoryAnswer[]>
  branch: Asked<TeamProject & {repo: string; name: string}, AzureDevOpsBranchAnswer | null>
  branches: Asked<TeamProject & {repo: string}, AzureDevOpsBranchAnswer[] | null>
  path: Asked<TeamProject & {repoId: string; branch: string; path: string}, boolean>
}
type TeamProject = {organization: string; project: string}
type Ctx = ScmServiceContext<AzureDevOpsProtocol>

export function azureDevOpsService(config: JsonObject, ctx: Ctx): ScmService {
  if (!isObject(config))
    throw new GenerationError('scmProvider.azureDevOps must be a map', [...ctx.path, 'azureDevOps'])
  askedApi(config, ctx)
  const at: Project = {ctx, organization: String(config.organization ?? ''), project: String(config.teamProject ?? '')}
  const allBranches = config.allBranches === true
  return {
    listRepos: () => repositories(at),
    getBranches: (repo) => (allBranches ? everyBranch(at, repo) : defaultBranch(at, repo)),
    repoHasPath(repo, path) {
      const {organization, project} = at
      return ctx.ask(
        {op: 'path', organization, project, repoId: String(repo.repositoryId), branch: repo.branch, path},
        (e) => `failed to check for path existence in Azure DevOps: ${e}`,
      )
    },
  }
}

/** The team project the generator lists, and what it asks through. */
interface Project {
  ctx: Ctx
  organization: string
  project: string
}

/** ListRepos: the repositories with a name, default branch, remote URL and id; the URL whatever the protocol. */
function repositories({ctx, organization, project}: Project): ScmRepository[] {
  const listed = ctx.ask({op: 'repositories', organization, project})
  const out: ScmRepository[] = []
  for (const r of listed) {
    if (r.name === undefined || r.defaultBranch === undefined || r.remoteUrl === undefined || r.id === undefined)
      continue
    out.push({
      organization,
      repository: r.name,
      url: r.remoteUrl,
      branch: r.defaultBranch,
      sha: '',
      labels: [],
      repositoryId: r.id,
    })
  }
  return out
}

/** GetBranches without allBranches: GetBranch of the default branch, `refs/heads/` stripped. */
function defaultBranch({ctx, organization, project}: Project, repo: ScmRepository): ScmRepository[] {
  const name = repo.branch.replace('refs/heads/', '')
  const got = ctx.ask(
    {op: 'branch', organization, project, repo: repo.repository, name},
    (e) => `could not get default branch ${name} (${repo.branch}) from repository ${repo.repository}: ${e}`,
  )
  if (got === null) return []
  if (got.name === undefined || got.commitId === undefined)
    throw ctx.fail(`invalid branch result after requesting branch ${repo.branch} from repository ${repo.repository}`)
  return [{...repo, branch: got.name, sha: got.commitId, labels: []}]
}

/** GetBranches with allBranches: every branch statistic of the repository. */
function everyBranch({ctx, organization, project}: Project, repo: ScmRepository): ScmRepository[] {
  const got = ctx.ask(
    {op: 'branches', organization, project, repo: repo.repository},
    (e) => `failed getting branches from repository ${repo.repository}, project ${project}: ${e}`,
  )
  if (got === null) return []
  return got.map((b) => {
    // Argo CD dereferences both without a check (a panic): here the generator fails.
    if (b.name === undefined || b.commitId === undefined)
      throw ctx.fail(`invalid branch result in the branches of repository ${repo.repository}`)
    return {...repo, branch: b.name, sha: b.commitId, labels: []}
  })
}

/**
 * getValidDevOpsURL's API (https://dev.azure.com when `api` is empty), compared as NewPatConnection normalizes it
 * (trailing slashes trimmed, lower-cased): it must be the run's. Never a request to a host only the revision names.
 */
function askedApi(config: JsonObject, ctx: Ctx): void {
  const written = typeof config.api === 'string' ? config.api : ''
  const normalized = (url: string) => url.replace(/\/+$/, '').toLowerCase()
  const asked = normalized(written === '' ? AZURE_DEVOPS_DEFAULT_URL : written)
  if (asked !== normalized(ctx.api.apiUrl)) throw ctx.notThisApi('azureDevOps', asked)
}
