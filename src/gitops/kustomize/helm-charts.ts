/**
 * The Helm charts a kustomization inflates (`helmCharts`, or the older `helmChartInflationGenerator`): named as a
 * finding says them, and each as kustomize's HelmChartInflationGenerator looks for it before it would pull it
 * (sigs.k8s.io/kustomize/api internal/builtins: `<chartHome>/<name>-<version>/<name>` for a chart of a repository
 * with a version, else `<chartHome>/<name>`).
 */
/** A kustomization's `helmCharts` (or `helmChartInflationGenerator`): where, and each chart as kustomize names it. */
export interface HelmChartsEntry {
  file: string
  line: number
  /** The key: `helmCharts` or `helmChartInflationGenerator`. */
  entry: string
  /** `<name> <version> from <repo>`, or `<name> from <chartHome>/`: a chart of the kustomization's own folder. */
  charts: string[]
  /** Each chart kustomize inflates, where it looks for it (both keys' charts, as kustomize merges them). */
  specs?: ChartSpec[]
}

/** One chart as kustomize's generator takes it: its name, version and repository as written, where it looks for it. */
export interface ChartSpec {
  name: string
  version?: string
  repo?: string
  /** Where the generator looks for the chart's folder, relative to the kustomization's (`charts/redis-1.0.0/redis`). */
  folder: string
  /** No `releaseName`, or a `nameTemplate`: helm names the release itself (`--generate-name`, by the clock). */
  unnamed?: true
}

const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined)
const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
const list = (v: unknown) => (Array.isArray(v) ? v.filter(isMap) : [])

/** The chart home: `helmGlobals.chartHome`, else (no helmGlobals) the last older entry's `chartHome`, else `charts`. */
function chartHome(k: Record<string, unknown>): string {
  const globals = isMap(k.helmGlobals) ? k.helmGlobals : undefined
  const lastHome = list(k.helmChartInflationGenerator)
    .map((o) => text(o.chartHome))
    .filter((h) => h !== undefined)
    .at(-1)
  return (globals ? text(globals.chartHome) : lastHome) ?? 'charts'
}

/**
 * The charts a kustomization (as JSON) inflates, as kustomize's Kustomization.FixKustomization and the generator take
 * them: `helmCharts`, then the older entries (types.SplitHelmParameters); the chart home `helmGlobals.chartHome`, else
 * (no helmGlobals) the last older entry's `chartHome`, else `charts`. An entry with no name inflates nothing.
 */
export function chartSpecs(k: Record<string, unknown>): ChartSpec[] {
  const older = list(k.helmChartInflationGenerator)
  const home = chartHome(k)
  const unnamed = (c: Record<string, unknown>) =>
    text(c.releaseName) === undefined || text(c.nameTemplate) !== undefined
  const charts = [
    ...list(k.helmCharts).map((c) => ({name: text(c.name), version: text(c.version), repo: text(c.repo), c})),
    ...older.map((c) => ({name: text(c.chartName), version: text(c.chartVersion), repo: text(c.chartRepoUrl), c})),
  ]
  return charts.flatMap(({name, version, repo, c}) => {
    if (name === undefined) return []
    const folder =
      version !== undefined && repo !== undefined ? `${home}/${name}-${version}/${name}` : `${home}/${name}`
    const written = {...(version !== undefined ? {version} : {}), ...(repo !== undefined ? {repo} : {})}
    return [{name, folder, ...written, ...(unnamed(c) ? {unnamed: true as const} : {})}]
  })
}

/**
 * The charts a `helmCharts` list (kustomize's HelmChart: name, version, repo) or a `helmChartInflationGenerator` list
 * (its older form: chartName, chartVersion, chartRepoUrl, chartHome) names, as a finding says them (a chart of no
 * repository under the kustomization's chart `home`); what is not a mapping of strings says nothing.
 */
export function chartsNamed(value: unknown, home: string): string[] {
  const list = (value as {toJSON?: () => unknown})?.toJSON?.()
  if (!Array.isArray(list)) return []
  const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined)
  return list.flatMap((c: Record<string, unknown> | null) => {
    const name = str(c?.name) ?? str(c?.chartName)
    if (name === undefined) return []
    const version = str(c?.version) ?? str(c?.chartVersion)
    const repo = str(c?.repo) ?? str(c?.chartRepoUrl)
    const named = version === undefined ? name : `${name} ${version}`
    return [repo ? `${named} from ${repo}` : `${named} from ${home}/`]
  })
}

/** A chart key of a kustomization read: where the first one is, both keys' charts, every chart's spec. */
export function withCharts(
  held: HelmChartsEntry | undefined,
  at: {file: string; line: number; entry: string},
  value: unknown,
  kustomization: {toJSON(): unknown},
): HelmChartsEntry {
  const k = kustomization.toJSON() as Record<string, unknown>
  if (held) return {...held, charts: [...held.charts, ...chartsNamed(value, chartHome(k))]}
  return {...at, charts: chartsNamed(value, chartHome(k)), specs: chartSpecs(k)}
}
