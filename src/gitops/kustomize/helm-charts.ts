/**
 * The Helm charts a kustomization inflates (`helmCharts`, or the older `helmChartInflationGenerator`), named as a
 * render-unavailable finding says them: the gate never passes kustomize `--enable-helm`.
 */
/** A kustomization's `helmCharts` (or `helmChartInflationGenerator`): where, and each chart as kustomize names it. */
export interface HelmChartsEntry {
  file: string
  line: number
  /** The key: `helmCharts` or `helmChartInflationGenerator`. */
  entry: string
  /** `<name> <version> from <repo>`, or `<name> from <chartHome>/`: a chart of the kustomization's own folder. */
  charts: string[]
}

/**
 * The charts a `helmCharts` list (kustomize's HelmChart: name, version, repo) or a `helmChartInflationGenerator` list
 * (its older form: chartName, chartVersion, chartRepoUrl, chartHome) names, as a finding says them; what is not a
 * mapping of strings says nothing.
 */
export function chartsNamed(value: unknown): string[] {
  const list = (value as {toJSON?: () => unknown})?.toJSON?.()
  if (!Array.isArray(list)) return []
  const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined)
  return list.flatMap((c: Record<string, unknown> | null) => {
    const name = str(c?.name) ?? str(c?.chartName)
    if (name === undefined) return []
    const version = str(c?.version) ?? str(c?.chartVersion)
    const repo = str(c?.repo) ?? str(c?.chartRepoUrl)
    const named = version === undefined ? name : `${name} ${version}`
    return [repo ? `${named} from ${repo}` : `${named} from ${str(c?.chartHome) ?? 'charts'}/`]
  })
}
