/**
 * The gate on rendered output (`gitops verify --render`): plan the roots, render them (kustomize; charts with helm
 * when it is on PATH), then judge what will run — the image rules on every container of every pod-bearing object,
 * each finding at the source line that decided the image — and validate every object against the Kubernetes schema.
 */
import path from 'node:path'

import {floatingTagOf, isDigestPinned, tryParseImageReference} from '../../images/reference.js'
import type {YamlModule} from '../../images/yaml/index.js'
import type {Helm} from '../../effects/helm.js'
import type {Kustomize} from '../../effects/kustomize.js'
import type {Layout} from '../layout.js'
import {finding, RULES, type GitopsFinding} from '../verify/rules/index.js'
import type {RenderedObjectRef} from '../verify/rules/rule.js'
import {attribute, SourceReader} from './attribute.js'
import type {RenderCache} from './cache.js'
import {reachable} from './kustomizations.js'
import {containersOf, parseRendered, type RenderedObject} from './objects.js'
import {renderRoots} from './render.js'
import {planRender, type ChartUse, type RenderRoot} from './roots.js'
import {validateObject} from './schema.js'

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
  charts: Array<
    Pick<ChartUse, 'chart' | 'environment' | 'declaredIn'> & {status: 'rendered' | 'failed' | 'unavailable'}
  >
  /** Rendered objects, and the containers among them the image rules judged. */
  objects: number
  containers: number
  /** Kinds without a known schema (CRDs): counted, not failed. */
  unknownKinds: Array<{apiVersion: string; kind: string; count: number}>
  /** Every rendered container image, with the source line that decided it. */
  images: RenderedImage[]
}

export interface RenderedImage {
  environment: string | null
  root: string
  object: RenderedObjectRef
  image: string
  file: string
  line: number
  how: 'images' | 'patch' | 'manifest' | 'unknown'
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
  const reader = new SourceReader(input.root, input.yaml, plan.kustomizations)
  const unknown = new Map<string, {apiVersion: string; kind: string; count: number}>()
  for (const {root, result, cached} of rendered) {
    const rootFile = plan.kustomizations.get(root.dir)!.file
    if (!result.ok) {
      const f = finding(
        RULES['render-failed'],
        rootFile,
        {line: 1, column: 1},
        `kustomize build ${root.dir || '.'} failed: ${result.message}`,
      )
      findings.push(root.environment ? {...f, environment: root.environment} : f)
      report.roots.push({...root, status: 'failed', objects: 0})
      continue
    }
    for (const f of inputsOf(root)) covered.add(f)
    const objects = parseRendered(input.yaml, result.yaml)
    report.roots.push({...root, status: cached ? 'cached' : 'rendered', objects: objects.length})
    report.objects += objects.length
    for (const obj of objects) {
      for (const container of containersOf(obj.body)) {
        report.containers++
        findings.push(...judgeImage(input, reader, obj, container, root, rootFile, report.images))
      }
      const answer = await validateObject(obj)
      if (!answer.known) {
        const key = `${obj.apiVersion} ${obj.kind}`
        const u = unknown.get(key) ?? {apiVersion: obj.apiVersion, kind: obj.kind, count: 0}
        u.count++
        unknown.set(key, u)
        continue
      }
      for (const v of answer.violations) {
        const at = obj.origin ?? rootFile
        const message = `${describe(obj)} (rendered from ${root.dir || '.'}): ${v.pointer} ${v.message}.`
        findings.push(withObject(finding(RULES['schema-invalid'], at, {line: 1, column: 1}, message), obj, root))
      }
    }
  }
  for (const remote of plan.remoteCharts) {
    unavailable(
      remote.declaredIn,
      remote.line,
      `Chart ${remote.chart} comes from ${remote.source}, outside the checkout: the gate does not fetch remote charts, so what it renders is not judged (its values here are still checked as source).`,
      remote.environment,
    )
    const {declaredIn, environment} = remote
    report.charts.push({chart: `${remote.chart} (${remote.source})`, environment, declaredIn, status: 'unavailable'})
  }
  for (const chart of plan.charts) {
    if (!input.helm) {
      unavailable(
        chart.declaredIn,
        chart.line,
        `Chart ${chart.chart} (release ${chart.release}) is not rendered: helm is not on PATH, so its rendered images and schema are not judged.`,
        chart.environment,
      )
      report.charts.push({
        chart: chart.chart,
        environment: chart.environment,
        declaredIn: chart.declaredIn,
        status: 'unavailable',
      })
      continue
    }
    const result = await input.helm.template(
      chart.release,
      path.join(input.root, chart.chart),
      chart.valuesFiles.map((v) => path.join(input.root, v)),
      chart.namespace,
    )
    const status = result.ok ? 'rendered' : 'failed'
    report.charts.push({chart: chart.chart, environment: chart.environment, declaredIn: chart.declaredIn, status})
    if (!result.ok) {
      findings.push(
        finding(
          RULES['render-failed'],
          chart.declaredIn,
          {line: chart.line, column: 1},
          `helm template ${chart.chart} failed: ${result.message}`,
        ),
      )
      continue
    }
    const root: RenderRoot = {
      dir: chart.chart,
      environment: chart.environment,
      via: 'argocd',
      declaredIn: chart.declaredIn,
    }
    for (const obj of parseRendered(input.yaml, result.yaml)) {
      report.objects++
      for (const container of containersOf(obj.body)) {
        report.containers++
        findings.push(
          ...judgeImage(input, reader, obj, container, root, chart.valuesFiles[0] ?? chart.declaredIn, report.images),
        )
      }
    }
  }
  report.unknownKinds = [...unknown.values()].sort((a, b) =>
    `${a.apiVersion} ${a.kind}` < `${b.apiVersion} ${b.kind}` ? -1 : 1,
  )
  return {findings, report, covered}
}

const describe = (obj: RenderedObject) => `${obj.kind} ${obj.namespace ? `${obj.namespace}/` : ''}${obj.name}`

function withObject(f: GitopsFinding, obj: RenderedObject, root: RenderRoot, container?: string): GitopsFinding {
  const object: RenderedObjectRef = {
    kind: obj.kind,
    ...(obj.namespace ? {namespace: obj.namespace} : {}),
    name: obj.name,
  }
  if (container !== undefined) object.container = container
  return {...f, object, ...(root.environment ? {environment: root.environment} : {})}
}

const HOW = {
  images: 'decided by this images: entry',
  patch: 'set by this patch',
  manifest: 'as declared in this manifest',
  unknown: 'the source line could not be determined (kustomize named no origin or transformer that yields it)',
}

function judgeImage(
  input: RenderGateInput,
  reader: SourceReader,
  obj: RenderedObject,
  container: ReturnType<typeof containersOf>[number],
  root: RenderRoot,
  rootFile: string,
  images: RenderedImage[],
): GitopsFinding[] {
  const image = typeof container.image === 'string' ? container.image.trim() : ''
  const at = attribute(reader, obj, container, rootFile)
  const object: RenderedObjectRef = {
    kind: obj.kind,
    ...(obj.namespace ? {namespace: obj.namespace} : {}),
    name: obj.name,
    container: container.name,
  }
  images.push({environment: root.environment, root: root.dir, object, image, file: at.file, line: at.line, how: at.how})
  const ref = tryParseImageReference(image)
  if (!ref) return []
  const floating = floatingTagOf(ref, input.layout.policy.extraFloatingTags)
  const pinned = isDigestPinned(ref)
  if (floating === undefined && pinned) return []
  const what = `${describe(obj)} container ${container.name} (${container.list}) renders image ${JSON.stringify(image)} from ${root.dir || '.'}; ${HOW[at.how]}`
  const out: GitopsFinding[] = []
  if (!pinned)
    out.push(
      withObject(
        finding(RULES['image-not-pinned'], at.file, at, `${what}: not pinned by digest.`),
        obj,
        root,
        container.name,
      ),
    )
  if (floating !== undefined) {
    const how =
      ref.tag === undefined ? 'has no tag and no digest, so it means :latest' : `uses the floating tag :${floating}`
    out.push(withObject(finding(RULES['floating-tag'], at.file, at, `${what}: ${how}.`), obj, root, container.name))
  }
  return out
}
