/**
 * The pull-request generator evaluated for one given pull request, as Argo CD's controller evaluates it for each open
 * one (`applicationset/generators/pull_request.go`, `services/pull_request/utils.go`): the provider's `labels` (the PR
 * carries every one), then `filters` (a PR passes when one filter's `branchMatch`, `targetBranchMatch` and `titleMatch` all match),
 * then the parameters: `number`, `branch`, `branch_slug`, `target_branch`, `target_branch_slug`, `head_sha`,
 * `head_short_sha` (8), `head_short_sha_7`, `labels` (goTemplate only), `title` and `author` where given, and the
 * generator's `values` rendered with them. The slugs and the filters' regexps are Go's own (gosimple/slug, regexp),
 * run by the template engine. The PR comes from the caller (`gitops preview`), never from an SCM API.
 */
import type {PullRequest} from '../../model/types.js'
import {GenerationError, type Path} from './errors.js'
import {listedRepository, parseRepositoryUrl} from './pull-request-repository.js'
import {isObject, type JsonObject} from './merge.js'
import {replaceAll, type Params, type Templating} from './templating.js'

/** The generator's answer for this PR: its parameter sets, or the filter that dropped it. */
export type PullRequestOutcome = {params: Params[]} | {dropped: string}

/** The SCM providers' keys in the order Argo CD picks the first set; each holds its `labels` filter where it has one. */
const PROVIDERS = ['github', 'gitlab', 'gitea', 'bitbucketServer', 'bitbucket', 'azuredevops'] as const

/** GitLab's merge request states that hold an open one (its API lists every state when none is given). */
const OPEN_STATES = new Set(['', 'opened', 'all'])

export function pullRequestParams(spec: JsonObject, pr: PullRequest, t: Templating, path: Path): PullRequestOutcome {
  const dropped = droppedBy(spec, pr, t, path)
  if (dropped) return {dropped}
  const [branchSlug, targetBranchSlug] = t.engine.slug([pr.branch ?? '', pr.targetBranch ?? ''])
  const params: Params = {
    number: String(pr.number),
    branch: pr.branch ?? '',
    branch_slug: branchSlug,
    target_branch: pr.targetBranch ?? '',
    target_branch_slug: targetBranchSlug,
    head_sha: pr.headSha,
    head_short_sha: pr.headSha.slice(0, 8),
    head_short_sha_7: pr.headSha.slice(0, 7),
  }
  if (pr.title !== undefined) params.title = pr.title
  if (pr.author !== undefined) params.author = pr.author
  // PR labels only reach Go templates (fasttemplate is deprecated upstream).
  if (t.goTemplate) params.labels = [...pr.labels]
  return {params: [withValues(spec, params, t, path)]}
}

/**
 * Which of the generator's filters drops the PR (in words), or undefined when it passes. As ListPullRequests does:
 * every pattern compiled first (one that is not a Go regexp fails the generator, whichever filter it is in), then
 * the PR kept when one filter's `branchMatch`, `targetBranchMatch` and `titleMatch` all match — Go's
 * regexp.MatchString, run by the template engine.
 */
function droppedBy(spec: JsonObject, pr: PullRequest, t: Templating, path: Path): string | undefined {
  const elsewhere = otherRepository(spec, pr)
  if (elsewhere) return elsewhere
  const provider = PROVIDERS.find((p) => isObject(spec[p]))
  const config = provider ? (spec[provider] as JsonObject) : {}
  if (Array.isArray(config.labels)) {
    const missing = config.labels.map(String).filter((l) => !pr.labels.includes(l))
    if (missing.length > 0) {
      return `${provider}.labels: the pull request lacks the label${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`
    }
  }
  const state = provider === 'gitlab' ? String(config.pullRequestState ?? '') : ''
  if (!OPEN_STATES.has(state)) return `gitlab.pullRequestState ${state}: the pull request under review is open`
  const filters = Array.isArray(spec.filters) ? spec.filters : []
  if (filters.length === 0) return undefined
  const keys = ['branchMatch', 'targetBranchMatch', 'titleMatch'] as const
  const valueOf = (key: (typeof keys)[number]) =>
    (key === 'branchMatch' ? pr.branch : key === 'targetBranchMatch' ? pr.targetBranch : pr.title) ?? ''
  const checks = filters.flatMap((f, i) =>
    isObject(f)
      ? keys.flatMap((key) => (typeof f[key] === 'string' ? [{i, key, pattern: f[key], text: valueOf(key)}] : []))
      : [],
  )
  const results = t.engine.match(checks.map(({pattern, text}) => ({pattern, text})))
  for (const [n, r] of results.entries()) {
    if (!('error' in r)) continue
    const {i, key, pattern} = checks[n]
    const field = `${key[0].toUpperCase()}${key.slice(1)}`
    throw new GenerationError(`error compiling ${field} regexp ${JSON.stringify(pattern)}: ${r.error}`, [
      ...path,
      'filters',
      i,
      key,
    ])
  }
  const reasons: string[] = []
  for (const [i, f] of filters.entries()) {
    if (!isObject(f)) continue
    const failed = checks.find((c, n) => c.i === i && 'matched' in results[n] && !results[n].matched)
    if (!failed) return undefined
    reasons.push(
      `filters.${i}.${failed.key} ${JSON.stringify(failed.pattern)} does not match ${JSON.stringify(failed.text)}`,
    )
  }
  return reasons.join('; ')
}

/** Why the generator does not list this PR: it lists another repository's (undefined: this one, or unknown). */
function otherRepository(spec: JsonObject, pr: PullRequest): string | undefined {
  const listed = listedRepository(spec)
  const repository = pr.repository === undefined ? undefined : parseRepositoryUrl(pr.repository)
  if (!listed || !repository || listed.lists(repository) !== false) return undefined
  return `${listed.provider}: it lists the pull requests of ${listed.describe}, not of ${pr.repository}`
}

/** appendTemplatedValues: each `values` entry rendered with the PR's parameters, as `values.<key>` (or a map). */
function withValues(spec: JsonObject, params: Params, t: Templating, path: Path): Params {
  if (!isObject(spec.values)) return params
  const entries = Object.entries(spec.values).map(([k, v]) => [k, typeof v === 'string' ? v : String(v)] as const)
  const rendered = replaceAll(
    entries.map(([, v]) => v),
    [params],
    t,
  )[0]
  const values: Record<string, string> = {}
  entries.forEach(([k], i) => {
    const r = rendered[i]
    if ('error' in r) throw new GenerationError(`failed to append templated values: ${r.error}`, [...path, 'values'])
    values[k] = r.value
  })
  if (t.goTemplate) return {...params, values}
  return {...params, ...Object.fromEntries(Object.entries(values).map(([k, v]) => [`values.${k}`, v]))}
}
