/**
 * The `gitea` provider (applicationset/services/scm_provider/gitea.go, over code.gitea.io/sdk/gitea v0.25.1) over
 * Gitea's API. The client is made first: the SDK asks the server's version (older than 1.11.0, or none, fails the
 * generator; a version it cannot parse is taken as 1.11.0). Then an owner's repositories (the first page only: the
 * SDK sends `limit=0&page=1`; the clone protocol checked on the first; each repository's issue labels are its labels,
 * asked even of the archived ones `excludeArchivedRepos` then drops; the https URL is the HTML URL), a repository's
 * branches (`allBranches`: the first page of them, else the default branch, whose 404 fails the generator), and
 * whether a path exists on a branch (the contents API: a file or a directory is there, 404 is not). `gitea.api` must
 * name the run's API URL, as the SDK keeps it (one trailing slash trimmed).
 */
import type {GiteaBranch, GiteaRepository} from './client.js'
import type {ScmRepository} from '../../../../model/types.js'
import {GenerationError, ScmPending} from '../../errors.js'
import type {JsonObject} from '../../merge.js'
import type {Asked} from '../protocol.js'
import {gathered, type ScmService, type ScmServiceContext} from '../service.js'

/** Gitea's questions, answered by ./listing.ts. */
export type GiteaProtocol = {
  version: Asked<Record<never, never>, string>
  repositories: Asked<{owner: string}, GiteaRepository[]>
  labels: Asked<Repo, string[]>
  branches: Asked<Repo, GiteaBranch[]>
  /** The branch, or Gitea's 404 message. */
  branch: Asked<Repo & {branch: string}, GiteaBranch | {notFound: string}>
  path: Asked<Repo & {branch: string; path: string}, boolean>
}
type Repo = {owner: string; repo: string}
type Ctx = ScmServiceContext<GiteaProtocol>

export function giteaService(config: JsonObject, ctx: Ctx): ScmService {
  const url = clientUrl(config, ctx)
  checkVersion(url, ctx)
  const owner = String(config.owner ?? '')
  const allBranches = config.allBranches === true
  return {
    listRepos(cloneProtocol) {
      if (owner === '') throw ctx.fail('path segment [0] is empty')
      const listed = ctx.ask({op: 'repositories', owner})
      if (listed.length > 0 && !['', 'ssh', 'https'].includes(cloneProtocol))
        throw ctx.fail(`unknown clone protocol for GitHub ${cloneProtocol}`)
      const labels = gathered(listed, (r) => ctx.ask({op: 'labels', owner, repo: r.name}))
      return listed
        .map((r, i) => ({r, labels: labels[i]}))
        .filter(({r}) => !(config.excludeArchivedRepos === true && r.archived))
        .map(({r, labels}) => ({
          organization: owner,
          repository: r.name,
          branch: r.defaultBranch,
          url: cloneProtocol === 'https' ? r.htmlUrl : r.sshUrl,
          sha: '',
          labels,
          repositoryId: r.id,
        }))
    },
    getBranches(repo) {
      if (allBranches) {
        const branches = ctx.ask({op: 'branches', owner, repo: repo.repository})
        return branches.map((b): ScmRepository => ({...repo, branch: b.name, sha: b.sha}))
      }
      const one = ctx.ask({
        op: 'branch',
        owner,
        repo: repo.repository,
        branch: repo.branch,
      })
      if ('notFound' in one) {
        const what = `default branch ${JSON.stringify(repo.branch)} for repo ${JSON.stringify(repo.repository)}`
        throw ctx.fail(`got 404 while getting ${what} - check your repo config: ${one.notFound}`)
      }
      return [{...repo, sha: one.sha}]
    },
    repoHasPath: (repo, path) =>
      ctx.ask({op: 'path', owner: repo.organization, repo: repo.repository, branch: repo.branch, path}),
  }
}

const initFailed = (message: string, ctx: Ctx) =>
  new GenerationError(`error initializing Gitea service: error creating a new gitea client: ${message}`, ctx.path)

/**
 * gitea.NewClient's base URL (one trailing slash trimmed), which must be the run's API: never a request to a host
 * only the revision names. No API at all is the SDK's failed version request.
 */
function clientUrl(gitea: JsonObject, ctx: Ctx): string {
  const written = typeof gitea.api === 'string' ? gitea.api : ''
  if (written === '') throw initFailed('Get "/api/v1/version": unsupported protocol scheme ""', ctx)
  const url = written.replace(/\/$/, '')
  if (url !== ctx.api.apiUrl) throw ctx.notThisApi('gitea', url)
  return url
}

/** NewClient's checkServerVersionGreaterThanOrEqual(1.11.0), go-version's parsing and ordering. */
function checkVersion(url: string, ctx: Ctx): void {
  const a = ctx.api.answer({op: 'version'})
  if (a === undefined) throw new ScmPending(ctx.path)
  if ('error' in a) throw initFailed(a.error, ctx)
  const raw = a.value
  const v = parseGoVersion(raw)
  if (v === undefined) {
    if (raw.trim() === '') throw initFailed(`malformed version: ${raw}`, ctx)
    return
  }
  if (compareVersions(v, {segments: [1, 11, 0], prerelease: ''}) < 0)
    throw initFailed(`gitea server at ${url} is older than 1.11.0`, ctx)
}

const VERSION =
  /^v?([0-9]+(\.[0-9]+)*?)(-([0-9]+[0-9A-Za-z\-~]*(\.[0-9A-Za-z\-~]+)*)|(-?([A-Za-z\-~]+[0-9A-Za-z\-~]*(\.[0-9A-Za-z\-~]+)*)))?(\+([0-9A-Za-z\-~]+(\.[0-9A-Za-z\-~]+)*))??$/

interface GoVersion {
  segments: number[]
  prerelease: string
}

/** hashicorp/go-version's NewVersion: the numeric segments and the pre-release (metadata ignored). */
export function parseGoVersion(raw: string): GoVersion | undefined {
  const m = VERSION.exec(raw)
  if (!m) return undefined
  return {segments: m[1].split('.').map(Number), prerelease: m[7] ?? m[4] ?? ''}
}

/** go-version's Compare over segments padded with zeros, then a pre-release before its release. */
function compareVersions(a: GoVersion, b: GoVersion): number {
  const n = Math.max(a.segments.length, b.segments.length, 3)
  for (let i = 0; i < n; i++) {
    const d = (a.segments[i] ?? 0) - (b.segments[i] ?? 0)
    if (d !== 0) return Math.sign(d)
  }
  if (a.prerelease === b.prerelease) return 0
  if (a.prerelease === '') return 1
  if (b.prerelease === '') return -1
  return a.prerelease < b.prerelease ? -1 : 1
}
