/**
 * The `awsCodeCommit` provider (applicationset/services/scm_provider/aws_codecommit.go) over CodeCommit and the
 * Resource Groups Tagging API: the repositories (with `tagFilters`, the codecommit:repository resources GetResources
 * finds by the filters, one filter per key with its non-empty values; else ListRepositories; every page, then
 * GetRepository of each: one without metadata or default branch skipped; organization the account id, the url
 * cloneUrlSsh (ssh, the default), cloneUrlHttp (https) or its FIPS host (https-fips), no labels, the repository id),
 * a repository's branches (`allBranches`: ListBranches, every page; else the default branch by GetRepository; never a
 * sha), and whether a path exists (GetFolder of its parent at the branch: a file, folder, submodule or symbolic link
 * of that name; a repository, commit or folder CodeCommit does not find is false; the root always true).
 * `region` must be the run's (AWS_REGION): another region's API is never asked.
 */
import path from 'node:path'
import type {ScmRepository} from '../../../../model/types.js'
import {GenerationError, NotEvaluable} from '../../errors.js'
import {isObject, type JsonObject} from '../../merge.js'
import type {Asked} from '../protocol.js'
import type {ScmService, ScmServiceContext} from '../service.js'

/** What the listing (./listing.ts) answers for one repository; null: no metadata. */
export interface CodeCommitRepositoryAnswer {
  accountId: string
  repositoryName: string
  repositoryId: string
  defaultBranch: string
  cloneUrlHttp: string
  cloneUrlSsh: string
}

/** GetResources' tag filters as Argo CD builds them (getTagFilters): one per key, its non-empty values. */
export interface CodeCommitTagFilter {
  Key: string
  Values?: string[]
}

/** CodeCommit's questions, answered by ./listing.ts. */
export type CodeCommitProtocol = {
  /** The run's region. */
  region: Asked<Record<never, never>, string>
  /** `tagFilters`: the JSON of CodeCommitTagFilter[], '' for none (ListRepositories). */
  repositories: Asked<{tagFilters: string}, (CodeCommitRepositoryAnswer | null)[]>
  defaultBranch: Asked<{repo: string}, string>
  branches: Asked<{repo: string}, string[]>
  /** The relative paths GetFolder lists (null: the repository, commit or folder is not found). */
  folder: Asked<{repo: string; commit: string; folderPath: string}, string[] | null>
}
type Ctx = ScmServiceContext<CodeCommitProtocol>

const HTTPS = 'https://git-codecommit.'
const HTTPS_FIPS = 'https://git-codecommit-fips.'

export function awsCodeCommitService(config: JsonObject, ctx: Ctx): ScmService {
  const at = [...ctx.path, 'awsCodeCommit']
  if (!isObject(config)) throw new GenerationError('scmProvider.awsCodeCommit must be a map', at)
  const region = typeof config.region === 'string' ? config.region : ''
  const tagFilters = JSON.stringify(tagFiltersOf(config.tagFilters))
  const allBranches = config.allBranches === true
  const inRegion = () => {
    const runs = ctx.ask({op: 'region'})
    if (region !== '' && region !== runs)
      throw new NotEvaluable(
        'scmProvider',
        `awsCodeCommit.region asks ${region}, not this run's region ${runs} (AWS_REGION): another region's API is never asked`,
        [...at, 'region'],
      )
  }
  return {
    listRepos(cloneProtocol) {
      inRegion()
      const listed = ctx.ask({
        op: 'repositories',
        tagFilters: tagFilters === '[]' ? '' : tagFilters,
      })
      const out: ScmRepository[] = []
      for (const r of listed) {
        if (r === null || r.defaultBranch === '') continue
        out.push({
          organization: r.accountId,
          repository: r.repositoryName,
          url: cloneUrl(cloneProtocol, r, ctx),
          branch: r.defaultBranch,
          sha: '',
          labels: [],
          repositoryId: r.repositoryId,
        })
      }
      return out
    },
    getBranches(repo) {
      if (!allBranches) return [{...repo, branch: ctx.ask({op: 'defaultBranch', repo: repo.repository})}]
      return ctx.ask({op: 'branches', repo: repo.repository}).map((branch) => ({...repo, branch}))
    },
    repoHasPath(repo, p) {
      const absolute = path.posix.isAbsolute(p) ? p : path.posix.join('/', p)
      if (absolute === '/') return true
      const trimmed = absolute.replace(/\/$/, '')
      const folderPath = goDir(trimmed)
      const entries = ctx.ask({op: 'folder', repo: repo.repository, commit: repo.branch, folderPath})
      return entries !== null && entries.includes(goBase(trimmed))
    },
  }
}

/** Go's path.Clean of an absolute path: no `.`, `..` or doubled slash, no trailing slash but the root's. */
const goClean = (p: string) => path.posix.normalize(p).replace(/(.)\/$/, '$1')
/** Go's path.Dir: all but the last element, cleaned. */
const goDir = (p: string) => goClean(p.slice(0, p.lastIndexOf('/') + 1))
/** Go's path.Base: the last element, trailing slashes dropped ('/' for only slashes). */
const goBase = (p: string) => p.replace(/\/+$/, '').split('/').pop() || '/'

/** getTagFilters: the filters by key in their first order, each key's non-empty values in order. */
function tagFiltersOf(value: unknown): CodeCommitTagFilter[] {
  const byKey = new Map<string, CodeCommitTagFilter>()
  for (const f of Array.isArray(value) ? value : []) {
    const entry = isObject(f) ? f : {}
    const key = typeof entry.key === 'string' ? entry.key : ''
    const filter = byKey.get(key) ?? {Key: key}
    if (typeof entry.value === 'string' && entry.value !== '') filter.Values = [...(filter.Values ?? []), entry.value]
    byKey.set(key, filter)
  }
  return [...byKey.values()]
}

/** The clone URL by protocol: ssh by default, https, or https-fips (the https URL on git-codecommit-fips.). */
function cloneUrl(protocol: string, r: CodeCommitRepositoryAnswer, ctx: Ctx): string {
  switch (protocol) {
    case '':
    case 'ssh':
      return r.cloneUrlSsh
    case 'https':
      return r.cloneUrlHttp
    case 'https-fips':
      if (r.cloneUrlHttp.startsWith(HTTPS_FIPS)) return r.cloneUrlHttp
      if (r.cloneUrlHttp.startsWith(HTTPS)) return r.cloneUrlHttp.replace(HTTPS, HTTPS_FIPS)
      throw ctx.fail(
        `https-fips is provided but repoUrl can't be transformed to FIPS endpoint: the provided https endpoint isn't recognized, cannot be transformed to FIPS endpoint: ${r.cloneUrlHttp}`,
      )
    default:
      throw ctx.fail(`unknown clone protocol for codecommit ${protocol}`)
  }
}
