/**
 * The chart repositories `gitops diff` and `gitops verify --render` may fetch from in this checkout: what its tracked
 * files declare (src/gitops/helm/charts/policy.ts: Flux HelmRepository and OCIRepository URLs, Argo CD repoURLs, Chart.yaml
 * dependencies) plus ameide.yaml's `gitopsPolicy.charts.repositories`, and whether fetching is off. The checkout is the
 * base of `verify --render`; a diff's base declares its own. Informational: never required, nothing is requested.
 */
import type {AmeideConfig} from '../core/config.js'
import {gitMaybe} from '../effects/git.js'
import type {ProbedCheck, RepositoryKind} from './types.js'

type Line = ProbedCheck

const TITLE = 'chart repositories'

export async function checkChartRepositories(
  root: string | null,
  kind: RepositoryKind,
  config: AmeideConfig,
): Promise<Line> {
  const line = (status: Line['status'], detail: string, fix: string | null = null): Line => ({
    id: 'charts',
    title: TITLE,
    status,
    version: null,
    detail,
    fix,
  })
  if (root === null || (kind !== 'gitops' && kind !== 'both'))
    return line('ok', 'not a GitOps checkout: no chart is fetched')
  const policy = config.gitopsPolicy.charts
  const listed = await gitMaybe(root, ['ls-files', '-z'])
  if (!listed.ok) return line('unknown', `the tracked files could not be listed: ${listed.stderr.trim()}`)
  const [yaml, {allowListOf}] = await Promise.all([import('yaml'), import('../gitops/helm/charts/policy.js')])
  const files = listed.stdout.split('\0').filter(Boolean)
  const allow = allowListOf(root, files, yaml, policy, config.gitopsPolicy.maxFileBytes)
  const declared = [...allow.declared].sort()
  const parts = [
    declared.length > 0 ? `declared here: ${declared.join(', ')}` : 'none declared here',
    allow.listed.length > 0
      ? `ameide.yaml lists: ${allow.listed.join(', ')}`
      : 'ameide.yaml lists none (gitopsPolicy.charts.repositories)',
    ...(policy.insecure.length > 0 ? [`plain HTTP to: ${policy.insecure.join(', ')}`] : []),
    ...(allow.keys.size > 0 ? [`cosign keys in Secrets: ${[...allow.keys.keys()].sort().join(', ')}`] : []),
  ]
  if (!policy.fetch)
    return line(
      'ok',
      `fetching is off (gitopsPolicy.charts.fetch: false): every remote chart is render-unavailable; ${parts.join('; ')}`,
    )
  return line('ok', `fetched only from these, by exact version and digest: ${parts.join('; ')}`)
}
