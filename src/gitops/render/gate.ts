/**
 * The gate on rendered output (`gitops verify --render`): find the deployables as Argo CD and Flux do
 * (src/gitops/deployables: Applications, ApplicationSets, HelmReleases), plan the kustomize roots, render them
 * (kustomize; Helm deployables with helm), then judge what will run — the image rules on every container of every
 * pod-bearing object, each finding at the source line that decided the image, with the environment and the
 * deployable — and validate every object against the Kubernetes schema.
 */
import type {Helm} from '../../effects/helm.js'
import type {Kustomize} from '../../effects/kustomize.js'
import type {YamlModule} from '../../images/yaml/index.js'
import type {Layout} from '../layout.js'
import {finding, RULES, type GitopsFinding} from '../verify/rules/index.js'
import {SourceReader} from './attribute.js'
import type {RenderCache} from './cache.js'
import {findDeployables, type CheckoutIdentity, type HelmDeployable, type Unrenderable} from '../deployables/index.js'
import {renderHelm, type HelmStatus} from './helm.js'
import {Judge, type RenderedImage} from './judge.js'
import {reachable} from './kustomizations.js'
import {parseRendered, type RenderedObject} from './objects.js'
import {renderRoots} from './render.js'
import {planRender, type RenderRoot} from './roots.js'
import {linkedInputs, REFUSAL_TEXT, refusedUnder, type RefusedLink} from '../revision/index.js'

export type {RenderedImage} from './judge.js'

export interface RenderGateInput {
  root: string
  files: string[]
  layout: Layout
  yaml: YamlModule
  environments?: string[]
  kustomize: Kustomize
  /** helm, or its probe still running (`helm version`): awaited before the first render. */
  helm?: Helm | Promise<Helm | undefined>
  /** The files git tracks and the URLs that name this repository: Applications and GitRepositories there render. */
  checkout: CheckoutIdentity
  cache?: RenderCache
  /** `render-unavailable` is an error (`--require-render`). */
  requireRender: boolean
  concurrency: number
  /** Each deployable's rendered objects, rendered or answered from the cache (what `gitops diff` compares). */
  onRendered?: (unit: RenderedUnit) => void
  /**
   * Told each deployable's render-cache key (needs `cache`): true leaves it unrendered and unjudged, status
   * `skipped` (`gitops diff`: its inputs are the same in both revisions, so is its output).
   */
  skip?: (unit: Omit<RenderedUnit, 'objects' | 'declaredIn'>, key: string) => boolean
}

/** One rendered deployable: a kustomize root, or a Helm deployable (an Application's Helm source, a HelmRelease). */
export interface RenderedUnit {
  kind: 'kustomize' | 'Application' | 'HelmRelease'
  /** The root folder, or the chart. */
  dir: string
  environment: string | null
  application?: string
  declaredIn: string
  objects: RenderedObject[]
}

/** What `--render` did, in the verify result (`render`). */
export interface RenderReport {
  kubernetesVersion: string
  /** The renderers that rendered (`helm version --short`, null when helm is not on PATH; `kustomize version`). */
  tools: {helm: string | null; kustomize: string}
  /** `skipped`: only with `skip` (gitops diff). */
  roots: Array<
    RenderRoot & {status: 'rendered' | 'cached' | 'failed' | 'unavailable' | 'refused' | 'skipped'; objects: number}
  >
  /** Every Helm deployable (an Application's Helm source, a HelmRelease) and what became of it. */
  deployables: HelmStatus[]
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
  const policy = input.layout.policy.render
  const deployables = findDeployables({
    root: input.root,
    files: input.files,
    layout: input.layout,
    yaml: input.yaml,
    checkout: input.checkout,
    environments: input.environments,
  })
  const findings: GitopsFinding[] = []
  const unavailable = (
    file: string,
    line: number,
    message: string,
    environment: string | null,
    application?: string,
  ) => {
    const f = finding(RULES['render-unavailable'], file, {line, column: 1}, message)
    if (input.requireRender) f.severity = 'error'
    findings.push({...f, ...(environment ? {environment} : {}), ...(application ? {application} : {})})
  }
  const record =
    (rule: 'render-failed' | 'render-refused') =>
    (u: Pick<Unrenderable, 'file' | 'line' | 'message' | 'environment' | 'application'>) => {
      const f = finding(RULES[rule], u.file, {line: u.line, column: 1}, u.message)
      findings.push({
        ...f,
        ...(u.environment ? {environment: u.environment} : {}),
        ...(u.application ? {application: u.application} : {}),
      })
    }
  const failed = record('render-failed')
  // Refused: always an error, whatever --require-render says (a refusal is a security finding).
  const refusal = record('render-refused')
  const refusedLinks = input.checkout.refused ?? []
  const cited = new Set<string>()
  const refuseFor = (
    what: string,
    links: readonly RefusedLink[],
    at: Pick<Unrenderable, 'file' | 'line' | 'environment' | 'application'>,
  ) => {
    for (const link of links) {
      cited.add(link.path)
      refusal({
        ...at,
        message: `${what} is refused: it could read ${link.path}, a symbolic link to ${REFUSAL_TEXT[link.kind]}; the link is not materialised and nothing is rendered.`,
      })
    }
  }
  for (const u of deployables.unrenderable) {
    if (u.status === 'failed') failed(u)
    else if (u.status === 'refused') refusal(u)
    else unavailable(u.file, u.line, u.message, u.environment, u.application)
  }
  const refusedRoots: RenderGateResult['report']['roots'] = []
  const kustomizeUses = deployables.kustomize.filter((k) => {
    const links = refusedUnder(refusedLinks, [k.dir])
    if (links.length === 0) return true
    refuseFor(`Application ${k.application}: folder ${k.dir || '.'}`, links, {
      file: k.declaredIn,
      line: 1,
      environment: k.environment,
      application: k.application,
    })
    refusedRoots.push({
      dir: k.dir,
      environment: k.environment,
      via: 'argocd',
      declaredIn: k.declaredIn,
      application: k.application,
      status: 'refused',
      objects: 0,
    })
    return false
  })
  const deployed: RenderRoot[] = kustomizeUses.map((k) => ({
    dir: k.dir,
    environment: k.environment,
    via: 'argocd',
    declaredIn: k.declaredIn,
    application: k.application,
  }))
  const plan = planRender(input.root, input.files, input.layout, input.yaml, input.environments, deployed)
  const [helmTool, kustomizeVersion] = await Promise.all([
    input.helm,
    input.kustomize.version ? input.kustomize.version() : Promise.resolve('unknown'),
  ])
  const helmVersion = helmTool?.version ?? null
  const toolVersions = `helm ${helmVersion ?? '-'}, kustomize ${kustomizeVersion}`
  // An in-bounds link's target is an input of whatever reads through the link.
  const linked = (dirs: readonly string[]) =>
    linkedInputs({files: input.files, links: input.checkout.links ?? new Map()}, dirs)
  const inputsOf = (r: RenderRoot) => {
    const nodes = reachable(plan.kustomizations, r.dir)
    const dirs = nodes.map((n) => n.dir)
    return [
      ...new Set([
        ...nodes.flatMap((n) => [n.file, ...n.files]),
        ...input.files.filter((f) => dirs.some((d) => d === '' || f.startsWith(`${d}/`))),
        ...linked(dirs),
      ]),
    ]
  }
  const report: RenderReport = {
    kubernetesVersion: policy.kubernetesVersion,
    tools: {helm: helmVersion, kustomize: kustomizeVersion},
    roots: [],
    deployables: [],
    objects: 0,
    containers: 0,
    unknownKinds: [],
    images: [],
  }
  for (const o of plan.outside) {
    if (input.environments && (o.environment === null || !input.environments.includes(o.environment))) continue
    refusal({
      file: o.declaredIn,
      line: 1,
      message: `Flux Kustomization path ${o.path} leaves the revision: it is refused, never read.`,
      environment: o.environment,
    })
  }
  for (const dir of plan.missingRoots) {
    const message = `gitopsPolicy.render.roots names ${dir || '.'}, which holds no kustomization: nothing to render there.`
    findings.push(finding(RULES['render-failed'], `${dir}/`, {line: 0, column: 0}, message))
  }
  const covered = new Set<string>()
  const renderable: RenderRoot[] = []
  report.roots.push(...refusedRoots)
  for (const r of plan.roots) {
    const nodes = reachable(plan.kustomizations, r.dir)
    // Refused first: a root that could read outside its revision is never rendered, whatever else it holds.
    const outside = nodes.flatMap((n) => n.outside)
    const links = refusedUnder(refusedLinks, [...nodes.map((n) => n.dir), ...nodes.flatMap((n) => n.files)])
    if (outside.length + links.length > 0) {
      const what = `Render root ${r.dir || '.'}${r.application !== undefined ? ` (Application ${r.application})` : ''}`
      for (const entry of outside) {
        refusal({
          file: entry.file,
          line: entry.line,
          message: `${what} is refused: ${JSON.stringify(entry.entry)} leaves the revision (kustomize would read it; the gate reads only the revision's own files), so nothing is rendered.`,
          environment: r.environment,
          application: r.application,
        })
      }
      const rootFile = plan.kustomizations.get(r.dir)!.file
      refuseFor(what, links, {file: rootFile, line: 1, environment: r.environment, application: r.application})
      report.roots.push({...r, status: 'refused', objects: 0})
      continue
    }
    const helmCharts = nodes.flatMap((n) => (n.helmCharts ? [n.helmCharts] : []))
    for (const entry of helmCharts) {
      unavailable(
        entry.file,
        entry.line,
        `Render root ${r.dir || '.'} inflates Helm charts (${entry.entry}): that needs kustomize --enable-helm, which runs helm and fetches charts, and the gate never passes it, so this root is not rendered or judged.`,
        r.environment,
        r.application,
      )
    }
    const remote = nodes.flatMap((n) => n.remote)
    if (remote.length + helmCharts.length === 0) {
      renderable.push(r)
      continue
    }
    for (const entry of remote) {
      unavailable(
        entry.file,
        entry.line,
        `Render root ${r.dir || '.'} names the remote ${JSON.stringify(entry.entry)}: the gate fetches nothing, so this root is not rendered or judged.`,
        r.environment,
      )
    }
    report.roots.push({...r, status: 'unavailable', objects: 0})
  }
  const rendered = await renderRoots(input.root, renderable, input.kustomize, {
    concurrency: input.concurrency,
    cache: input.cache,
    inputsOf,
    extra: toolVersions,
    ...(input.skip
      ? {
          skip: (r: RenderRoot, key: string) =>
            input.skip!(
              {
                kind: 'kustomize',
                dir: r.dir,
                environment: r.environment,
                ...(r.application !== undefined ? {application: r.application} : {}),
              },
              key,
            ),
        }
      : {}),
  })
  const judge = new Judge(
    new SourceReader(input.root, input.yaml, plan.kustomizations),
    input.layout.policy.extraFloatingTags,
  )
  for (const {root, result, cached, skipped} of rendered) {
    const rootFile = plan.kustomizations.get(root.dir)!.file
    if (skipped) {
      report.roots.push({...root, status: 'skipped', objects: 0})
      continue
    }
    if (!result.ok) {
      const by = root.application !== undefined ? ` (Application ${root.application})` : ''
      failed({
        file: rootFile,
        line: 1,
        message: `kustomize build ${root.dir || '.'}${by} failed: ${result.message}`,
        environment: root.environment,
        application: root.application,
      })
      report.roots.push({...root, status: 'failed', objects: 0})
      continue
    }
    for (const f of inputsOf(root)) covered.add(f)
    const objects = parseRendered(input.yaml, result.yaml)
    input.onRendered?.({
      kind: 'kustomize',
      dir: root.dir,
      environment: root.environment,
      ...(root.application !== undefined ? {application: root.application} : {}),
      declaredIn: root.declaredIn ?? rootFile,
      objects,
    })
    report.roots.push({...root, status: cached ? 'cached' : 'rendered', objects: objects.length})
    await judge.judge(objects, root, rootFile)
  }
  const helmDeployables = deployables.helm.filter((d) => {
    const links = refusedUnder(refusedLinks, [d.chart, ...d.valueFiles, ...d.setFile.map((f) => f.path), ...d.reads])
    if (links.length === 0) return true
    const at = {file: d.file, line: d.line, environment: d.environment, application: d.application}
    refuseFor(`${d.kind} ${d.application}: chart ${d.chart || '.'}`, links, at)
    report.deployables.push(unrendered(d, 'refused'))
    return false
  })
  if (helmDeployables.length > 0 && !helmTool) {
    for (const d of helmDeployables) {
      unavailable(
        d.file,
        d.line,
        `${d.kind} ${d.application}: chart ${d.chart || '.'} is not rendered: helm is not on PATH (bash scripts/ci/install-toolchain.sh installs it), so its rendered images and schema are not judged.`,
        d.environment,
        d.application,
      )
      report.deployables.push(unrendered(d, 'unavailable'))
    }
  } else if (helmDeployables.length > 0) {
    const helm = await renderHelm(helmDeployables, judge, {
      root: input.root,
      files: input.files,
      yaml: input.yaml,
      helm: helmTool!,
      kubeVersion: /^\d+\.\d+$/.test(policy.kubernetesVersion)
        ? `${policy.kubernetesVersion}.0`
        : policy.kubernetesVersion,
      apiVersions: policy.apiVersions,
      cache: input.cache,
      toolVersions,
      concurrency: input.concurrency,
      extraFloatingTags: input.layout.policy.extraFloatingTags,
      linked,
      ...(input.skip
        ? {
            skip: (d: HelmDeployable, key: string) =>
              input.skip!({kind: d.kind, dir: d.chart, environment: d.environment, application: d.application}, key),
          }
        : {}),
      ...(input.onRendered
        ? {
            onRendered: (d, objects) =>
              input.onRendered!({
                kind: d.kind,
                dir: d.chart,
                environment: d.environment,
                application: d.application,
                declaredIn: d.file,
                objects: objects(),
              }),
          }
        : {}),
    })
    report.deployables.push(...helm.statuses)
    for (const f of helm.covered) covered.add(f)
    for (const {deployable: d, message, unavailable: isUnavailable, refused: isRefused} of helm.failures) {
      const text = `helm template of chart ${d.chart || '.'} for ${d.kind} ${d.application}${d.environment ? ` (environment ${d.environment})` : ''} failed: ${message}`
      if (isRefused) {
        refusal({
          file: d.file,
          line: d.line,
          message: `${d.kind} ${d.application}: chart ${d.chart || '.'} is refused: ${message}`,
          environment: d.environment,
          application: d.application,
        })
      } else if (isUnavailable) unavailable(d.file, d.line, text, d.environment, d.application)
      else failed({file: d.file, line: d.line, message: text, environment: d.environment, application: d.application})
    }
  }
  // A refused link no deployable reads is still a finding (as Argo CD refuses a repository holding one): what names
  // it — a generator's file, a manifest — sees nothing there, and the revision must not pass for complete.
  for (const link of refusedLinks) {
    if (cited.has(link.path)) continue
    refusal({
      file: link.path,
      line: 0,
      message: `${link.path} is a symbolic link to ${REFUSAL_TEXT[link.kind]}: it is not materialised, so whatever names it in this revision sees nothing there.`,
      environment: null,
    })
  }
  findings.push(...judge.findings)
  Object.assign(report, {
    objects: judge.objects,
    containers: judge.containers,
    unknownKinds: judge.unknownKinds,
    images: judge.images,
  })
  return {findings, report, covered}
}

/** The report's entry for a Helm deployable that is not rendered. */
const unrendered = (d: HelmDeployable, status: 'refused' | 'unavailable'): HelmStatus => ({
  application: d.application,
  kind: d.kind,
  chart: d.chart,
  environment: d.environment,
  declaredIn: d.file,
  status,
  objects: 0,
  differential: 0,
})
