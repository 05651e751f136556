/**
 * The `scmProvider` generator with the `github` provider, as Argo CD v3.5.1's controller evaluates it
 * (applicationset/generators/scm_provider.go, services/scm_provider/{github,utils}.go) over GitHub's answers
 * (ExpansionContext.scm): every filter compiled first (Go's regexp, by the template engine); the organization's
 * repositories (`excludeArchivedRepos` drops the archived), kept when one repository filter (only
 * `repositoryMatch`/`labelMatch`) matches; their branches (`allBranches`: every one, else the default branch, none
 * for an empty repository); kept when one branch filter (one with `branchMatch`, `pathsExist` or `pathsDoNotExist`)
 * matches all its fields; then the parameters and `values`. Filters with no field are ignored, as Argo CD does.
 * `github.api` must name the run's API URL: a host only the revision names is never asked (the generator is not
 * rendered). Other providers are not rendered, named.
 */
import type {ScmAnswer, ScmProviderApi, ScmRepository} from '../types.js'
import {GenerationError, NotEvaluable, ScmPending, type Path} from './errors.js'
import {withValues} from './git.js'
import {isObject, type JsonObject} from './merge.js'
import type {Params, Templating} from './templating.js'

/** The providers in the order Argo CD's switch picks the first one set. */
const PROVIDERS = ['github', 'gitlab', 'gitea', 'bitbucketServer', 'azureDevOps', 'bitbucket', 'awsCodeCommit']
const FIELDS = ['repositoryMatch', 'labelMatch', 'branchMatch'] as const

interface Filter {
  type: 'repo' | 'branch'
  patterns: Partial<Record<(typeof FIELDS)[number], string>>
  pathsExist: string[]
  pathsDoNotExist: string[]
}

/** One repository at one branch (scm_provider.Repository). */
interface Listed {
  repo: ScmRepository
  branch: string
  sha: string
}

export function scmProviderParams(spec: JsonObject, api: ScmProviderApi, t: Templating, path: Path): Params[] {
  const provider = PROVIDERS.find((p) => spec[p] !== undefined && spec[p] !== null)
  if (provider === undefined) throw new GenerationError('no SCM provider implementation configured', path)
  if (provider !== 'github')
    throw new NotEvaluable('scmProvider', `the ${provider} provider is not evaluated (only github is)`, [
      ...path,
      provider,
    ])
  const github = spec.github
  if (!isObject(github)) throw new GenerationError('scmProvider.github must be a map', [...path, 'github'])
  askedHost(github, api, path)
  const fail = (message: string) => new GenerationError(`error listing repos: ${message}`, path)
  const filters = compileFilters(spec.filters, t, fail)
  const org = String(github.organization ?? '')
  const listed = answer(api.repositories(org), path, (e) => fail(`error listing repositories for ${org}: ${e}`))
  const protocol = String(spec.cloneProtocol ?? '')
  if (listed.length > 0 && !['', 'ssh', 'https'].includes(protocol))
    throw fail(`unknown clone protocol for GitHub ${protocol}`)
  const repos = listed.filter((r) => !(github.excludeArchivedRepos === true && r.archived))
  const repoFilters = filters.filter((f) => f.type === 'repo')
  const kept =
    repoFilters.length === 0
      ? repos
      : repos.filter((r) => repoFilters.some((f) => matchesFields(f, r, r.defaultBranch, t)))
  const branches = branchesOf(kept, github.allBranches === true, api, path, fail)
  const branchFilters = filters.filter((f) => f.type === 'branch')
  const selected = branchFilters.length === 0 ? branches : byBranchFilters(branches, branchFilters, api, t, path, fail)
  const normalized = t.engine.sanitize(selected.map((l) => l.branch))
  const sets = selected.map((l, i) => params(l, protocol, normalized[i]))
  const values = spec.values === undefined || spec.values === null ? {} : spec.values
  if (!isObject(values)) throw new GenerationError('values must be a map of strings', [...path, 'values'])
  return withValues(t, sets, values, [...path, 'values'])
}

/**
 * go-github's WithEnterpriseURLs (`https://HOST/` becomes `https://HOST/api/v3/`), else api.github.com: the API the
 * controller would ask, which must be the run's. Never a request to a host only the revision names.
 */
function askedHost(github: JsonObject, api: ScmProviderApi, path: Path): void {
  const written = typeof github.api === 'string' ? github.api : ''
  const asked = written === '' ? 'https://api.github.com/' : enterpriseUrl(written)
  const mine = enterpriseUrl(api.apiUrl)
  if (asked === mine || (written === '' && mine === 'https://api.github.com/')) return
  throw new NotEvaluable(
    'scmProvider',
    `github.api asks ${asked === undefined ? JSON.stringify(written) : asked}, not this run's GitHub API ${api.apiUrl} (--api-url, GITHUB_API_URL): a host only the revision names is never asked`,
    path,
  )
}

function enterpriseUrl(text: string): string | undefined {
  let url: URL
  try {
    url = new URL(text.endsWith('/') ? text : `${text}/`)
  } catch {
    return undefined
  }
  if (url.host === 'api.github.com') return `${url.protocol}//${url.host}${url.pathname}`
  const apiHost = url.hostname.startsWith('api.') || url.hostname.includes('.api.')
  if (!url.pathname.endsWith('/api/v3/') && !apiHost) url.pathname += 'api/v3/'
  return `${url.protocol}//${url.host}${url.pathname}`
}

/** An answer's value; a failure through `fail`; not asked yet: ScmPending (the caller asks and expands again). */
function answer<T>(a: ScmAnswer<T> | undefined, path: Path, fail: (e: string) => Error): T {
  if (a === undefined) throw new ScmPending(path)
  if ('error' in a) throw fail(a.error)
  return a.value
}

/** compileFilters: every pattern compiled before anything is asked; the type is the last kind of field set. */
function compileFilters(raw: unknown, t: Templating, fail: (m: string) => Error): Filter[] {
  const list = Array.isArray(raw) ? raw : []
  const out: Filter[] = []
  for (const f of list) {
    if (!isObject(f)) continue
    const filter: Filter = {type: 'repo', patterns: {}, pathsExist: [], pathsDoNotExist: []}
    let typed: Filter['type'] | undefined
    for (const key of FIELDS) {
      if (typeof f[key] !== 'string') continue
      const pattern = f[key] as string
      const [compiled] = t.engine.match([{pattern, text: ''}])
      if ('error' in compiled) {
        const field = `${key[0].toUpperCase()}${key.slice(1)}`
        throw fail(`error compiling ${field} regexp ${JSON.stringify(pattern)}: ${compiled.error}`)
      }
      filter.patterns[key] = pattern
    }
    if (filter.patterns.repositoryMatch !== undefined || filter.patterns.labelMatch !== undefined) typed = 'repo'
    for (const key of ['pathsExist', 'pathsDoNotExist'] as const) {
      if (!Array.isArray(f[key])) continue
      filter[key] = (f[key] as unknown[]).map((p) => String(p).replace(/\/+$/, ''))
      typed = 'branch'
    }
    if (filter.patterns.branchMatch !== undefined) typed = 'branch'
    if (typed === undefined) continue
    out.push({...filter, type: typed})
  }
  return out
}

/** matchFilter's regexp part: repositoryMatch on the name, branchMatch on the branch, labelMatch on any topic. */
function matchesFields(f: Filter, repo: ScmRepository, branch: string, t: Templating): boolean {
  const {repositoryMatch, branchMatch, labelMatch} = f.patterns
  const one = (pattern: string, text: string) => {
    const [r] = t.engine.match([{pattern, text}])
    return 'matched' in r && r.matched
  }
  if (repositoryMatch !== undefined && !one(repositoryMatch, repo.name)) return false
  if (branchMatch !== undefined && !one(branchMatch, branch)) return false
  if (labelMatch !== undefined && !repo.topics.some((topic) => one(labelMatch, topic))) return false
  return true
}

/** getBranches: each repository's branches, in order; every unanswered one asked in the same round. */
function branchesOf(
  repos: readonly ScmRepository[],
  all: boolean,
  api: ScmProviderApi,
  path: Path,
  fail: (m: string) => Error,
): Listed[] {
  const out: Listed[] = []
  let pending = false
  for (const repo of repos) {
    const a = api.branches(repo.owner, repo.name, all ? null : repo.defaultBranch)
    if (a === undefined) pending = true
    else if ('error' in a) {
      if (!pending) throw fail(`error listing branches for ${repo.owner}/${repo.name}: ${a.error}`)
    } else if (!pending) for (const b of a.value) out.push({repo, branch: b.name, sha: b.sha})
  }
  if (pending) throw new ScmPending(path)
  return out
}

/** The branch filters (the first that matches keeps the branch): paths asked only when the patterns match. */
function byBranchFilters(
  listed: readonly Listed[],
  filters: readonly Filter[],
  api: ScmProviderApi,
  t: Templating,
  path: Path,
  fail: (m: string) => Error,
): Listed[] {
  const out: Listed[] = []
  let pending = false
  for (const l of listed) {
    const verdict = firstMatch(l, filters, api, t)
    if (verdict === undefined) pending = true
    else if (typeof verdict === 'string') {
      if (!pending) throw fail(verdict)
      pending = true
    } else if (verdict) out.push(l)
  }
  if (pending) throw new ScmPending(path)
  return out
}

/** Whether one filter keeps this branch; a failure's text; undefined when a path is not answered yet. */
function firstMatch(l: Listed, filters: readonly Filter[], api: ScmProviderApi, t: Templating) {
  for (const f of filters) {
    if (!matchesFields(f, l.repo, l.branch, t)) continue
    let keep: boolean | undefined = true
    for (const [paths, want] of [
      [f.pathsExist, true],
      [f.pathsDoNotExist, false],
    ] as const) {
      for (const p of paths) {
        if (keep !== true) break
        const a = api.hasPath(l.repo.owner, l.repo.name, l.branch, p)
        if (a === undefined) return undefined
        if ('error' in a) return a.error
        if (a.value !== want) keep = false
      }
    }
    if (keep) return true
  }
  return false
}

/** GenerateParams' parameters of one repository at one branch. */
function params(l: Listed, protocol: string, branchNormalized: string): Params {
  return {
    organization: l.repo.owner,
    repository: l.repo.name,
    repository_id: l.repo.id,
    url: protocol === 'https' ? l.repo.cloneUrl : l.repo.sshUrl,
    branch: l.branch,
    sha: l.sha,
    short_sha: l.sha.slice(0, 8),
    short_sha_7: l.sha.slice(0, 7),
    labels: l.repo.topics.join(','),
    branchNormalized,
  }
}
