/**
 * The `scmProvider` generator, as Argo CD v3.5.1's controller evaluates it (applicationset/generators/scm_provider.go,
 * services/scm_provider/utils.go) over the run's SCM API (ExpansionContext.scm, `--scm-provider`): every filter
 * compiled first (Go's regexp, by the template engine); the provider's repositories, kept when one repository filter
 * (only `repositoryMatch`/`labelMatch`) matches; their branches; kept when one branch filter (one with `branchMatch`,
 * `pathsExist` or `pathsDoNotExist`) matches all its fields; then the parameters and `values`. Filters with no field
 * are ignored, as Argo CD does. Each provider is its own folder (src/gitops/argocd/applicationset/scm-providers/,
 * listed by its registry.ts); a provider this run does not ask is not rendered, named.
 */
import type {ScmProviderApi, ScmRepository} from '../../model/types.js'
import {GenerationError, NotEvaluable, type Path} from './errors.js'
import {withValues} from './git.js'
import {isObject, type JsonObject} from './merge.js'
import {SCM_PROVIDERS} from './scm-providers/registry.js'
import type {ScmProvider} from './scm-providers/provider.js'
import {gathered, listingFailure, type ScmService} from './scm-providers/service.js'
import type {Params, Templating} from './templating.js'

const FIELDS = ['repositoryMatch', 'labelMatch', 'branchMatch'] as const

interface Filter {
  type: 'repo' | 'branch'
  patterns: Partial<Record<(typeof FIELDS)[number], string>>
  pathsExist: string[]
  pathsDoNotExist: string[]
}

export function scmProviderParams(spec: JsonObject, api: ScmProviderApi, t: Templating, path: Path): Params[] {
  const provider = SCM_PROVIDERS.find((p) => spec[p.id] !== undefined && spec[p.id] !== null)
  if (provider === undefined) throw new GenerationError('no SCM provider implementation configured', path)
  const service = serviceOf(provider, spec, api, path)
  const filters = compileFilters(spec.filters, t, (m) => listingFailure(m, path))
  const protocol = String(spec.cloneProtocol ?? '')
  const repos = service.listRepos(protocol)
  const matches = (f: Filter, r: ScmRepository) => matchesFields(f, r, t) && hasPaths(f, r, service)
  const repoFilters = filters.filter((f) => f.type === 'repo')
  const kept = repoFilters.length === 0 ? repos : repos.filter((r) => repoFilters.some((f) => matches(f, r)))
  const branches = gathered(kept, (r) => service.getBranches(r)).flat()
  const branchFilters = filters.filter((f) => f.type === 'branch')
  const keep = gathered(branches, (r) => branchFilters.length === 0 || branchFilters.some((f) => matches(f, r)))
  const selected = branches.filter((_, i) => keep[i])
  const normalized = t.engine.sanitize(selected.map((r) => r.branch))
  const sets = selected.map((r, i) => params(r, normalized[i]))
  const values = spec.values === undefined || spec.values === null ? {} : spec.values
  if (!isObject(values)) throw new GenerationError('values must be a map of strings', [...path, 'values'])
  return withValues(t, sets, values, [...path, 'values'])
}

/** The provider's service over the run's API; a provider the run does not ask is not rendered, named. */
function serviceOf(provider: ScmProvider, spec: JsonObject, api: ScmProviderApi, path: Path): ScmService {
  const {id} = provider
  if (api.provider !== id)
    throw new NotEvaluable(
      'scmProvider',
      `the ${id} provider is not asked: this run asks ${api.provider} (--scm-provider ${id} asks it)`,
      [...path, id],
    )
  const config = spec[id]
  if (!isObject(config)) throw new GenerationError(`scmProvider.${id} must be a map`, [...path, id])
  return provider.service(config, api, path)
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

/** matchFilter's regexp part: repositoryMatch on the name, branchMatch on the branch, labelMatch on any label. */
function matchesFields(f: Filter, repo: ScmRepository, t: Templating): boolean {
  const {repositoryMatch, branchMatch, labelMatch} = f.patterns
  const one = (pattern: string, text: string) => {
    const [r] = t.engine.match([{pattern, text}])
    return 'matched' in r && r.matched
  }
  if (repositoryMatch !== undefined && !one(repositoryMatch, repo.repository)) return false
  if (branchMatch !== undefined && !one(branchMatch, repo.branch)) return false
  if (labelMatch !== undefined && !repo.labels.some((label) => one(labelMatch, label))) return false
  return true
}

/** matchFilter's paths: each of pathsExist must exist, then none of pathsDoNotExist, asked in that order. */
function hasPaths(f: Filter, repo: ScmRepository, service: ScmService): boolean {
  return (
    f.pathsExist.every((p) => service.repoHasPath(repo, p)) &&
    f.pathsDoNotExist.every((p) => !service.repoHasPath(repo, p))
  )
}

/** GenerateParams' parameters of one repository at one branch. */
function params(r: ScmRepository, branchNormalized: string): Params {
  return {
    organization: r.organization,
    repository: r.repository,
    repository_id: r.repositoryId,
    url: r.url,
    branch: r.branch,
    sha: r.sha,
    short_sha: r.sha.slice(0, 8),
    short_sha_7: r.sha.slice(0, 7),
    labels: r.labels.join(','),
    branchNormalized,
  }
}
