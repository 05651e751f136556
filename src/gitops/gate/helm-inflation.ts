/**
 * Whether a kustomize root's Helm charts (`helmCharts`, `helmChartInflationGenerator`) inflate, as the controller that
 * builds it would, and with which charts. kustomize inflates only with `--enable-helm`: kustomize-controller never
 * passes it (fluxcd/pkg/kustomize builds with kustomize's DisabledPluginConfig), Argo CD where its argocd-cm's
 * `kustomize.buildOptions` holds it (../argocd/kustomize/build-options.ts: the revision's argocd-cm, else the base's
 * policy). Without it the root is built as it is, and fails as the controller's build fails ("must specify
 * --enable-helm"). With it, each chart is taken where kustomize looks for one before it pulls it: from the revision,
 * else (a chart of a repository) fetched as an Application's remote chart is — only from a repository the base
 * declares, never with --offline (src/gitops/helm/charts) — and laid where kustomize looks for it, in the build's
 * files only. What cannot be said or fetched makes the root render-unavailable, each chart and repository named.
 */
import path from 'node:path'

import {kubernetesMinorOf} from '../../core/kubernetes-minors.js'
import {lstatSync, readFileSync, readdirSync} from '../../core/memory-fs/index.js'
import type {BuildResult} from '../../effects/kustomize.js'
import {enablesHelm} from '../argocd/kustomize/build-options.js'
import {buildOptionsOf} from './build-options.js'
import {ociChart} from '../argocd/helm/remote-chart.js'
import type {ChartFetcher} from '../helm/charts/fetcher.js'
import type {HelmChartsEntry, ChartSpec} from '../kustomize/helm-charts.js'
import type {KustomizationNode} from '../kustomize/kustomizations.js'
import type {RemoteChart} from '../model/model.js'
import type {RenderRoot} from '../render/plan-types.js'
import type {RootHelm} from '../render/render.js'
import type {GateContext} from './types.js'
import type {RootInputs} from './root-inputs.js'

/** A root's inflation: built as it is, built with `--enable-helm`, or not rendered (each site named). */
export type Inflation =
  {plain: true} | {helm: RootHelm} | {unavailable: Array<{file: string; line: number; message: string}>; why: string}

/** How root `r` inflates its charts (module doc). */
export async function inflationOf(ctx: GateContext, roots: RootInputs, r: RenderRoot): Promise<Inflation> {
  const nodes = roots.nodesOf(r).filter((n) => n.helmCharts)
  // kustomize-controller never inflates: its build fails, as kustomize's does without --enable-helm.
  if (nodes.length === 0 || r.via === 'flux') return {plain: true}
  const options = buildOptionsOf(ctx)
  const entries = nodes.map((n) => n.helmCharts!)
  if (options.problem !== undefined)
    return unavailable(r, entries, `whether Argo CD inflates them is not known: ${options.problem}`)
  if (options.options === undefined)
    return unavailable(
      r,
      entries,
      "Argo CD inflates them only with --enable-helm in argocd-cm's kustomize.buildOptions, and this repository holds no argocd-cm that says whether it does (nor does gitopsPolicy.render.kustomizeBuildOptions say), so this root is not rendered or judged",
    )
  // Argo CD's build fails as kustomize's does without the flag: the root is built so, and fails in its words.
  if (!enablesHelm(options.options)) return {plain: true}
  const fetches: Array<{node: KustomizationNode; spec: ChartSpec}> = []
  const sites: Array<{file: string; line: number; message: string}> = []
  for (const node of nodes)
    for (const spec of node.helmCharts!.specs ?? []) {
      const problem = spec.unnamed ? UNNAMED : placeProblem(ctx, node, spec)
      if (problem) sites.push(site(r, node.helmCharts!, `${chartNamed(spec)}: ${problem}`))
      else if (spec.repo !== undefined && !inRevision(ctx, node, spec)) fetches.push({node, spec})
    }
  if (sites.length > 0) return {unavailable: sites, why: 'its Helm charts are not rendered'}
  return withCharts(ctx, r, fetches, roots.helmVersionsOf(r))
}

/**
 * A build of another tree (./tree-kustomize.ts, never inflated) that failed for want of --enable-helm: as it is where
 * Argo CD would not pass the flag either (a Flux root, argocd-cm without it); else not rendered here, said so.
 */
export function notInflated<R extends BuildResult & {ok: false}>(
  ctx: GateContext,
  root: RenderRoot,
  result: R,
): R | {ok: false; unavailable: true; message: string} {
  if ('unavailable' in result || 'limit' in result || root.via === 'flux') return result
  if (!result.message.includes('must specify --enable-helm')) return result
  const {options} = buildOptionsOf(ctx)
  if (options !== undefined && !enablesHelm(options)) return result
  const why =
    options === undefined
      ? "whether Argo CD inflates them (--enable-helm in argocd-cm's kustomize.buildOptions) is not known here"
      : 'the gate inflates them only in the roots of the revision under review, not of another tree'
  return {ok: false, unavailable: true, message: `it inflates Helm charts, and ${why}`}
}

/** The root with the charts it fetches planned: each allowed and its version resolved, or the root unavailable. */
async function withCharts(
  ctx: GateContext,
  r: RenderRoot,
  fetches: Array<{node: KustomizationNode; spec: ChartSpec}>,
  versions: {kubeVersion?: string; apiVersions?: string[]} | undefined,
): Promise<Inflation> {
  const {charts, root, files, layout} = ctx.input
  const planned: Array<{at: string; plan: Awaited<ReturnType<ChartFetcher['plan']>>; ref: RemoteChart}> = []
  for (const {node, spec} of fetches) {
    const ref = remoteOf(node, spec)
    const plan = charts ? await charts.plan({remote: ref, chart: ''}, root, files) : undefined
    const problem = !charts
      ? `${chartNamed(spec)}: the gate does not fetch charts here`
      : plan?.problem && said(spec, ref, plan.problem.message)
    if (problem) return {unavailable: [site(r, node.helmCharts!, problem)], why: problem}
    planned.push({at: path.posix.join(node.dir, spec.folder), plan, ref})
  }
  const policy = layout.policy
  return {
    helm: {
      kubeVersion: versions?.kubeVersion ?? `${kubernetesMinorOf(policy, r.environment)}.0`,
      apiVersions: versions?.apiVersions ?? policy.render.apiVersions,
      key: JSON.stringify(planned.map((p) => [p.at, p.plan!.key])),
      files: (revision) => chartFiles(charts!, planned, revision),
    },
  }
}

/** Each planned chart fetched and laid at its place under `revision`, as text; or why one is not. */
async function chartFiles(
  charts: ChartFetcher,
  planned: Array<{at: string; plan: Awaited<ReturnType<ChartFetcher['plan']>>; ref: RemoteChart}>,
  revision: string,
): Promise<{files: Record<string, string>} | {failure: BuildResult & {ok: false}}> {
  const out: Record<string, string> = {}
  for (const {at, plan, ref} of planned) {
    const got = await charts.materialize({remote: ref, chart: ''}, plan!, '', [])
    if ('ok' in got) return {failure: {...got, message: `chart ${ref.name} from ${ref.source}: ${got.message}`}}
    try {
      for (const file of filesUnder(got.dir)) {
        const bytes = readFileSync(path.join(got.dir, file))
        const text = bytes.toString('utf8')
        if (!Buffer.from(text, 'utf8').equals(bytes))
          return {
            failure: {
              ok: false,
              unavailable: true,
              message: `chart ${ref.name} from ${ref.source} holds ${file}, which is not text: the gate lays only text files where kustomize looks for a chart, so it is not rendered`,
            },
          }
        out[path.join(revision, at, file)] = text
      }
    } finally {
      got.remove()
    }
  }
  return {files: out}
}

/** The files under a folder, relative to it. */
function filesUnder(dir: string, rel = ''): string[] {
  return readdirSync(path.join(dir, rel), {withFileTypes: true}).flatMap((e) => {
    const at = rel ? `${rel}/${e.name}` : e.name
    return e.isDirectory() ? filesUnder(dir, at) : e.isFile() ? [at] : []
  })
}

/** A chart as kustomize pulls it (`helm pull --repo <repo> <name>`, or `<repo>/<name>` of an OCI repository). */
function remoteOf(node: KustomizationNode, spec: ChartSpec): RemoteChart {
  const via = `kustomization ${node.file}`
  const repo = spec.repo!
  if (repo.startsWith('oci://'))
    return ociChart(repo, `${repo.slice('oci://'.length).replace(/\/+$/, '')}/${spec.name}`, spec.version ?? '', via)
  return {type: 'http', source: repo, repository: repo, name: spec.name, version: spec.version ?? '*', via}
}

/** Why a chart's place cannot be used: outside the revision, or under a file or link of it. */
function placeProblem(ctx: GateContext, node: KustomizationNode, spec: ChartSpec): string | undefined {
  const at = path.posix.normalize(path.posix.join(node.dir, spec.folder))
  if (path.posix.isAbsolute(spec.folder) || at === '..' || at.startsWith('../'))
    return `kustomize looks for it at ${spec.folder}, outside the revision: it is not read`
  const parts = at.split('/')
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join('/')
    let stat: ReturnType<typeof lstatSync>
    try {
      stat = lstatSync(path.join(ctx.input.root, prefix))
    } catch {
      return undefined // nothing there: laid in the build's files
    }
    if (!stat.isDirectory())
      return `kustomize looks for it under ${prefix}, a file or link of the revision: it is not laid there`
  }
  return undefined
}

/** Whether the revision holds the chart where kustomize looks for it (it then pulls nothing). */
const inRevision = (ctx: GateContext, node: KustomizationNode, spec: ChartSpec): boolean => {
  const prefix = `${path.posix.join(node.dir, spec.folder)}/`
  return ctx.input.files.some((f) => f.startsWith(prefix))
}

const UNNAMED =
  'it names no releaseName (or a nameTemplate), so helm names the release itself (--generate-name, from the clock) and what it renders differs at each build: it is not rendered'

/** The fetcher's message of a chart (`chart <name> from <repo> (<via>)…`) as the kustomization names it, with its version. */
function said(spec: ChartSpec, ref: RemoteChart, message: string): string {
  const asked = `chart ${ref.name} from ${ref.source} (${ref.via})`
  const rest = message.startsWith(asked) ? message.slice(asked.length) : `: ${message}`
  return `${chartNamed(spec)}${rest}`.replace(/\.$/, '')
}

const chartNamed = (spec: ChartSpec) =>
  `chart ${spec.name}${spec.version ? ` ${spec.version}` : ''}${spec.repo ? ` from ${spec.repo}` : ''}`

const site = (r: RenderRoot, entry: HelmChartsEntry, message: string) => ({
  file: entry.file,
  line: entry.line,
  message: `Render root ${r.dir || '.'} inflates Helm charts (${entry.entry}): ${message}.`,
})

/** Each kustomization's charts named, with why none is rendered. */
function unavailable(r: RenderRoot, entries: HelmChartsEntry[], why: string): Inflation {
  return {
    unavailable: entries.map((entry) => {
      const charts = entry.charts.length > 0 ? `: ${entry.charts.join(', ')}` : ''
      return {
        file: entry.file,
        line: entry.line,
        message: `Render root ${r.dir || '.'} inflates Helm charts (${entry.entry}${charts}): ${why}.`,
      }
    }),
    why: 'it inflates Helm charts',
  }
}
