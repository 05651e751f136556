/**
 * The gate on rendered output (`gitops verify --render`): find the deployables as Argo CD and Flux do
 * (src/gitops/deployables: Applications, ApplicationSets, HelmReleases), plan the kustomize roots, render them
 * (kustomize; Helm deployables with helm; directory sources read as Argo CD reads them), then judge what will run —
 * the image rules on every container of every pod-bearing object, each finding at the source line that decided the
 * image, with the environment and the deployable — and validate every object against the Kubernetes schema.
 * Applications a render produces (app of apps) are followed: their sources render in the next wave, at most
 * MAX_DEPTH waves deep, each Application once.
 */
import {canonicalJson} from '../../core/canonical-json.js'
import {findDeployables, type KustomizeUse} from '../deployables/index.js'
import {sameRepository} from '../repositories.js'
import {linkedInputs} from '../revision/paths.js'
import {finding, RULES} from '../rules/index.js'
import {AppOfApps, MAX_DEPTH} from './app-of-apps.js'
import {SourceReader} from './attribute.js'
import {renderOneDirectory} from './gate-directory.js'
import {RenderFindings} from './gate-findings.js'
import {renderHelmWave, unrendered} from './gate-helm.js'
import {renderKustomizeWave, RootInputs} from './gate-kustomize.js'
import type {GateContext, RenderedUnit, RenderGateInput, RenderGateResult, RenderReport} from './gate-types.js'
import {Judge} from './judge.js'
import {gitlinksUnder, gitlinkText, Refusals} from './refusals.js'
import {planRender, type RenderRoot} from './roots.js'

export type {RenderedImage} from './judge.js'
export type {
  DirectoryStatus,
  GateContext,
  RenderedUnit,
  RenderGateInput,
  RenderGateResult,
  RenderReport,
} from './gate-types.js'

/** Only the roots of the Applications `names` holds: overlays, Flux and configured roots are left out. */
function onlyDeployed(plan: ReturnType<typeof planRender>, names: ReadonlySet<string>): void {
  plan.roots = plan.roots.filter((r) => r.via === 'argocd' && r.application !== undefined && names.has(r.application))
  plan.missingRoots = []
  plan.unread = []
  plan.notFound = []
  plan.unavailable = []
  plan.outside = []
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
    ...(input.pullRequest ? {pullRequest: input.pullRequest} : {}),
    ...(input.onlyApplications ? {only: input.onlyApplications} : {}),
  })
  const asRoot = (k: KustomizeUse): RenderRoot => ({
    dir: k.dir,
    environment: k.environment,
    via: 'argocd' as const,
    rule: "an Argo CD Application's source path",
    declaredIn: k.declaredIn,
    application: k.application,
    ...(k.namespace ? {namespace: k.namespace} : {}),
  })
  const plan = planRender(
    input.root,
    input.files,
    input.layout,
    input.yaml,
    input.environments,
    deployables.kustomize.map(asRoot),
    // Without a URL of its own (no origin remote) the checkout cannot tell another repository from itself.
    input.checkout.repositories.length > 0
      ? (url) => input.checkout.repositories.some((mine) => sameRepository(mine, url))
      : undefined,
  )
  if (input.onlyApplications) onlyDeployed(plan, deployables.names)
  const out = new RenderFindings(input.requireRender, input.cache)
  const refusals = new Refusals(input.checkout.refused ?? [], (site) => out.refused(site))
  // An in-bounds link's target is an input of whatever reads through the link.
  const linked = (paths: readonly string[]) =>
    linkedInputs({files: input.files, links: input.checkout.links ?? new Map()}, paths)
  const [helmTool, kustomizeVersion, sandbox, jsonnetVersion] = await Promise.all([
    input.helm,
    input.kustomize.version ? input.kustomize.version() : Promise.resolve('unknown'),
    input.kustomize.sandbox ? input.kustomize.sandbox() : Promise.resolve(null),
    jsonnetVersionOf(input),
  ])
  const helmVersion = helmTool?.version ?? null
  const toolVersions = `helm ${helmVersion ?? '-'}, kustomize ${kustomizeVersion}`
  const report: RenderReport = {
    kubernetesVersion: policy.kubernetesVersion,
    tools: {helm: helmVersion, kustomize: kustomizeVersion, sandbox, jsonnet: jsonnetVersion},
    roots: [],
    deployables: [],
    directories: [],
    objects: 0,
    containers: 0,
    unknownKinds: [],
    images: [],
  }
  for (const dir of plan.missingRoots) {
    const message = `gitopsPolicy.render.roots names ${dir || '.'}, which holds no kustomization: nothing to render there.`
    out.findings.push(finding(RULES['render-failed'], `${dir}/`, {line: 0, column: 0}, message))
  }
  // A Flux Kustomization not read: what it deploys is unknown, never absent (the diff is incomplete).
  for (const u of plan.unread) {
    out.failed(
      {
        file: u.file,
        line: u.line,
        environment: null,
        message: `Flux Kustomization is not read: ${u.message}; what it deploys is unknown, so it is not rendered (never counted as removed).`,
      },
      input.cache?.key(`unread\0${u.file}`, [u.file], String(u.line)),
    )
  }
  // Flux Kustomizations over a folder the revision does not hold: kustomize-controller fails, so does the render.
  for (const u of plan.notFound) {
    out.failed(u, input.cache?.key(`flux-path\0${u.file}`, [u.file], canonicalJson({spec: u.spec})))
  }
  // Flux Kustomizations over a source the gate does not render: named, never silently left out.
  for (const u of plan.unavailable) {
    const key = input.cache?.key(`flux\0${u.file}`, u.reads, canonicalJson({spec: u.spec, message: u.message}))
    out.unavailable(u.file, u.line, u.message, u.environment, undefined, key)
  }
  for (const o of plan.outside) {
    if (input.environments && (o.environment === null || !input.environments.includes(o.environment))) continue
    refusals.fluxPath(o)
  }
  const covered = new Set<string>()
  const judge = new Judge(
    new SourceReader(input.root, input.yaml, plan.kustomizations),
    input.layout.policy.extraFloatingTags,
  )
  // App of apps: what may hold Applications is always rendered (its output names the next wave).
  const apps = new AppOfApps(input.root, deployables.names)
  const skip = input.skip
  const skipUnless =
    (inputs: () => readonly string[]) => (u: Omit<RenderedUnit, 'objects' | 'declaredIn'>, key: string) =>
      skip!(u, key) && !apps.mayHoldApplications(inputs())
  const roots = new RootInputs(input, plan, linked)
  roots.note(deployables.kustomize)
  const ctx: GateContext = {
    input,
    out,
    report,
    refusals,
    judge,
    apps,
    covered,
    linked,
    ...(skip ? {skipUnless} : {}),
    helm: helmTool,
    toolVersions,
  }
  let wave = {
    roots: plan.roots,
    helm: deployables.helm,
    directory: deployables.directory,
    unrenderable: deployables.unrenderable,
  }
  for (let depth = 0; ; depth++) {
    out.unrenderable(wave.unrenderable)
    await renderKustomizeWave(ctx, roots, wave.roots)
    for (const d of wave.directory) await renderOneDirectory(ctx, d)
    const helm = wave.helm.filter((d) => {
      const paths = [d.chart, ...d.valueFiles, ...d.setFile.map((f) => f.path), ...d.reads]
      const site = {file: d.file, line: d.line, environment: d.environment, application: d.application}
      if (refusals.check(`${d.kind} ${d.application}: chart ${d.chart || '.'}`, paths, site)) {
        report.deployables.push(unrendered(d, 'refused'))
        return false
      }
      // Argo CD checks submodules out (Flux only with recurseSubmodules, off by default: its render lacks them too).
      const submodules = d.kind === 'Application' ? gitlinksUnder(input.checkout.gitlinks, [d.chart]) : []
      if (submodules.length === 0) return true
      out.unavailable(
        d.file,
        d.line,
        `${d.kind} ${d.application}: chart ${d.chart || '.'}: ${gitlinkText(submodules)}`,
        d.environment,
        d.application,
        input.cache?.key(`gitlink\0${d.file}\0${d.application}`, paths, JSON.stringify({d: d.spec, submodules})),
      )
      report.deployables.push(unrendered(d, 'unavailable'))
      return false
    })
    if (helm.length > 0) await renderHelmWave(ctx, helm)
    // The next wave: the Applications this one rendered that were not seen yet.
    const {applications: children, sets} = apps.next()
    for (const a of sets) {
      out.unavailable(
        a.file,
        1,
        `ApplicationSet ${a.name} is rendered by another Application (app of apps): the gate does not expand ApplicationSets a render produces, so the Applications it generates are not rendered.`,
        a.environment,
        undefined,
        input.cache?.key(`appset\0${a.name}`, [], JSON.stringify(a.body)),
      )
    }
    if (children.length === 0) break
    if (depth + 1 >= MAX_DEPTH) {
      for (const c of children) {
        out.unavailable(
          c.file,
          1,
          `Application ${c.name} is rendered ${MAX_DEPTH} Applications deep (app of apps): the gate follows at most ${MAX_DEPTH} levels, so it is not rendered.`,
          c.environment ?? null,
          c.name,
          input.cache?.key(`deep\0${c.name}`, [], JSON.stringify(c.spec)),
        )
      }
      break
    }
    const next = deployables.follow(children)
    roots.note(next.kustomize)
    const taken = new Set(report.roots.map((r) => `${r.dir}\0${r.application ?? ''}`))
    wave = {
      roots: input.layout.policy.render.roots
        ? []
        : next.kustomize
            .map(asRoot)
            .filter((r) => plan.kustomizations.has(r.dir) && !taken.has(`${r.dir}\0${r.application ?? ''}`)),
      helm: next.helm,
      directory: next.directory,
      unrenderable: next.unrenderable,
    }
  }
  refusals.uncited()
  out.findings.push(...judge.findings)
  Object.assign(report, {
    objects: judge.objects,
    containers: judge.containers,
    unknownKinds: judge.unknownKinds,
    images: judge.images,
    ...(input.charts ? {charts: input.charts.fetched} : {}),
  })
  const unread = [...new Set([...deployables.unread, ...plan.unread.map((u) => u.file)])]
  return {findings: out.findings, report, covered, inputKeys: out.inputKeys, unread}
}

/** go-jsonnet's release that evaluates jsonnet (the input's, else the built render module's), or null: none. */
async function jsonnetVersionOf(input: RenderGateInput): Promise<string | null> {
  if (input.jsonnet !== undefined) return input.jsonnet?.version ?? null
  const {renderModuleBuild} = await import('../../effects/render-module/host.js')
  return renderModuleBuild()?.jsonnet ?? null
}
