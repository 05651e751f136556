/**
 * The gate on rendered output (`gitops verify --render`): plan the roots, render them (kustomize; charts with helm
 * when it is on PATH), then judge what will run — the image rules on every container of every pod-bearing object,
 * each finding at the source line that decided the image — and validate every object against the Kubernetes schema.
 */
import type {Helm} from '../../effects/helm.js'
import type {Kustomize} from '../../effects/kustomize.js'
import type {YamlModule} from '../../images/yaml/index.js'
import type {Layout} from '../layout.js'
import {finding, RULES, type GitopsFinding} from '../verify/rules/index.js'
import {SourceReader} from './attribute.js'
import type {RenderCache} from './cache.js'
import {renderCharts, type ChartStatus} from './charts.js'
import {Judge, type RenderedImage} from './judge.js'
import {reachable} from './kustomizations.js'
import {parseRendered} from './objects.js'
import {renderRoots} from './render.js'
import {planRender, type RenderRoot} from './roots.js'

export type {RenderedImage} from './judge.js'

export interface RenderGateInput {
  root: string
  files: string[]
  layout: Layout
  yaml: YamlModule
  environments?: string[]
  kustomize: Kustomize
  helm?: Helm
  cache?: RenderCache
  /** `render-unavailable` is an error (`--require-render`). */
  requireRender: boolean
  concurrency: number
}

/** What `--render` did, in the verify result (`render`). */
export interface RenderReport {
  kubernetesVersion: string
  roots: Array<RenderRoot & {status: 'rendered' | 'cached' | 'failed' | 'unavailable'; objects: number}>
  charts: ChartStatus[]
  /** Rendered objects, and the containers among them the image rules judged. */
  objects: number
  containers: number
  /** Kinds without a known schema (CRDs): counted, not failed. */
  unknownKinds: Array<{apiVersion: string; kind: string; count: number}>
  /** Every rendered container image, with the source line that decided it. */
  images: RenderedImage[]
}

export interface RenderGateResult {
  findings: GitopsFinding[]
  report: RenderReport
  /** Files some rendered root read: their source-level image findings give way to the rendered ones. */
  covered: Set<string>
}

export async function renderGate(input: RenderGateInput): Promise<RenderGateResult> {
  const plan = planRender(input.root, input.files, input.layout, input.yaml, input.environments)
  const findings: GitopsFinding[] = []
  const unavailable = (file: string, line: number, message: string, environment: string | null) => {
    const f = finding(RULES['render-unavailable'], file, {line, column: 1}, message)
    if (input.requireRender) f.severity = 'error'
    findings.push(environment ? {...f, environment} : f)
  }
  const inputsOf = (r: RenderRoot) => {
    const nodes = reachable(plan.kustomizations, r.dir)
    const dirs = nodes.map((n) => n.dir)
    return [
      ...new Set([
        ...nodes.flatMap((n) => [n.file, ...n.files]),
        ...input.files.filter((f) => dirs.some((d) => d === '' || f.startsWith(`${d}/`))),
      ]),
    ]
  }
  const report: RenderReport = {
    kubernetesVersion: input.layout.policy.render.kubernetesVersion,
    roots: [],
    charts: [],
    objects: 0,
    containers: 0,
    unknownKinds: [],
    images: [],
  }
  for (const dir of plan.missingRoots) {
    const message = `gitopsPolicy.render.roots names ${dir || '.'}, which holds no kustomization: nothing to render there.`
    findings.push(finding(RULES['render-failed'], `${dir}/`, {line: 0, column: 0}, message))
  }
  const covered = new Set<string>()
  const renderable: RenderRoot[] = []
  for (const r of plan.roots) {
    const remote = reachable(plan.kustomizations, r.dir).flatMap((n) => n.remote)
    if (remote.length === 0) {
      renderable.push(r)
      continue
    }
    for (const entry of remote) {
      unavailable(
        entry.file,
        entry.line,
        `Render root ${r.dir || '.'} includes the remote base ${JSON.stringify(entry.entry)}: the gate does not fetch remote bases, so this root is not rendered or judged.`,
        r.environment,
      )
    }
    report.roots.push({...r, status: 'unavailable', objects: 0})
  }
  const rendered = await renderRoots(input.root, renderable, input.kustomize, {
    concurrency: input.concurrency,
    cache: input.cache,
    inputsOf,
  })
  const judge = new Judge(
    new SourceReader(input.root, input.yaml, plan.kustomizations),
    input.layout.policy.extraFloatingTags,
  )
  for (const {root, result, cached} of rendered) {
    const rootFile = plan.kustomizations.get(root.dir)!.file
    if (!result.ok) {
      const message = `kustomize build ${root.dir || '.'} failed: ${result.message}`
      const f = finding(RULES['render-failed'], rootFile, {line: 1, column: 1}, message)
      findings.push(root.environment ? {...f, environment: root.environment} : f)
      report.roots.push({...root, status: 'failed', objects: 0})
      continue
    }
    for (const f of inputsOf(root)) covered.add(f)
    const objects = parseRendered(input.yaml, result.yaml)
    report.roots.push({...root, status: cached ? 'cached' : 'rendered', objects: objects.length})
    await judge.judge(objects, root, rootFile)
  }
  report.charts = await renderCharts(plan, {...input, judge}, unavailable, findings)
  findings.push(...judge.findings)
  Object.assign(report, {
    objects: judge.objects,
    containers: judge.containers,
    unknownKinds: judge.unknownKinds,
    images: judge.images,
  })
  return {findings, report, covered}
}
