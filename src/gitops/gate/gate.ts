/**
 * The gate on rendered output (`gitops verify --render`): find the deployables as Argo CD and Flux do
 * (src/gitops/deployables: Applications, ApplicationSets, HelmReleases), plan the kustomize roots, render them
 * (kustomize; Helm deployables with helm; directory sources read as Argo CD reads them), then judge what will run —
 * the image rules on every container of every pod-bearing object, each finding at the source line that decided the
 * image, with the environment and the deployable — and validate every object against the Kubernetes schema.
 * Applications a render produces (app of apps) are followed: their sources render in the next wave, at most
 * MAX_DEPTH waves deep, each Application once.
 */
import path from 'node:path'

import {textMatches} from '../../core/memory-fs/index.js'
import {settled} from '../argocd/applicationset/scm-providers/listing.js'
import {canonicalJson} from '../../core/canonical-json.js'
import {findDeployables, type Deployables} from '../deployables/index.js'
import {sameRepository} from '../revision/repositories.js'
import {linkedInputs} from '../revision/paths.js'
import {crdScopesDigest, revisionCrdsOf, type CrdScopes} from '../kubernetes/crd-scopes.js'
import {checkCustomResources} from '../render/custom-resources.js'
import {kubernetesMinorOf} from '../../core/kubernetes-minors.js'
import {AppOfApps} from '../argocd/app-of-apps/app-of-apps.js'
import {SourceReader} from '../render/attribute.js'
import {RenderFindings} from '../render/gate-findings.js'
import {RootInputs} from './root-inputs.js'
import {failHydrationGroups} from './hydration-groups.js'
import type {GateContext, RenderedUnit, RenderGateInput, RenderGateResult, RenderReport} from './types.js'
import {renderWaves} from './waves.js'
import {Judge} from '../render/judge.js'
import {Refusals} from '../render/refusals.js'
import {asPrinted} from './built-declarations.js'
import {fluxPrinted} from './printed-unknown.js'
import {argoRoot, planRender} from './roots.js'
import {type RenderPlan, type RenderRoot} from '../render/plan-types.js'
import {folderReads, holdBuilt, type FluxFindings} from './flux-kustomizations.js'
import {present} from '../../core/present.js'

export type {RenderedImage} from '../render/judge.js'
export type {RenderedUnit, RenderGateInput, RenderGateResult, RenderReport} from './types.js'

/** An Argo CD or Flux API group: a file naming one may hold what its controller applies (an AppProject too). */
const CONTROLLER_API = /argoproj\.io\/|toolkit\.fluxcd\.io\//

/** Only the roots of the Applications `names` holds: overlays, Flux and configured roots are left out. */
function onlyDeployed(plan: ReturnType<typeof planRender>, names: ReadonlySet<string>): void {
  plan.roots = plan.roots.filter((r) => r.via === 'argocd' && r.application !== undefined && names.has(r.application))
  plan.trees = []
  plan.missingRoots = []
  plan.unread = []
  plan.notFound = []
  plan.unavailable = []
  plan.outside = []
}

/** What a render of one revision renders: its deployables and the render plan over them, found once. */
export interface GatePlan {
  deployables: Deployables
  plan: RenderPlan
  /** How many Applications with a Source Hydrator were found before rendering (a render follows more). */
  hydrations: number
  /** The CRDs the revision's files hold. */
  revisionCrds: ReturnType<typeof revisionCrdsOf>
}

/** The deployables and the render plan, for {@link renderGate}: a revision rendered twice is planned once. */
export async function planRenderGate(input: RenderGateInput): Promise<GatePlan> {
  // GitHub is asked between expansions for what the scmProvider generators asked (src/gitops/argocd/applicationset/scm-providers/listing.ts).
  const {deployables, plan} = await settled(input.scm, () => planGate(input))
  const revisionCrds = revisionCrdsOf(input.root, input.files, input.yaml, input.layout.policy.maxFileBytes)
  return {deployables, plan, hydrations: deployables.hydrations.length, revisionCrds}
}

/** Renders `input`'s revision, by `planned` when given (made by {@link planRenderGate} from the same input). */
export async function renderGate(input: RenderGateInput, planned?: GatePlan): Promise<RenderGateResult> {
  const found = planned ?? (await planRenderGate(input))
  // What an earlier render of the plan followed (app of apps) is that render's own: this one follows it again.
  found.deployables.hydrations.length = found.hydrations
  // An in-bounds link's target is an input of whatever reads through the link.
  const linked = (paths: readonly string[]) =>
    linkedInputs({files: input.files, links: input.checkout.links ?? new Map()}, paths)
  // What a root no Application deploys builds from a file of Applications is applied as it prints them.
  const {deployables, plan, printedBy} = asPrinted(
    found.deployables,
    found.plan,
    new RootInputs(input, found.plan, linked),
    input.files,
    (files) => files.some((f) => textMatches(path.join(input.root, f), CONTROLLER_API) === true),
  )
  const out = new RenderFindings(input.requireRender, input.cache, linked)
  const refusals = new Refusals(input.checkout.refused ?? [], (site) => out.refused(site))
  const tools = await gateTools(input)
  const crds = found.revisionCrds.scopes
  const report = emptyReport(input, tools)
  const roots = new RootInputs(input, plan, linked)
  const filesOf = (r: RenderRoot) => roots.nodesOf(r).flatMap((n) => [n.file, ...n.files])
  const held = recordPlan(input, plan, {filesOf, roots}, out, refusals)
  const covered = new Set<string>()
  const judge = new Judge(
    new SourceReader(input.root, input.yaml, plan.kustomizations),
    input.layout.policy.extraFloatingTags,
    (root) => kubernetesMinorOf(input.layout.policy, root.environment),
  )
  // App of apps: what may hold Applications is always rendered (its output names the next wave).
  const apps = new AppOfApps(input.root, deployables.names, () => deployables.read)
  roots.note(deployables.kustomize)
  const skipUnless = skipUnlessAppsIn(input, apps)
  const ctx: GateContext = {
    input,
    out,
    report,
    refusals,
    judge,
    apps,
    covered,
    linked,
    ...(skipUnless ? {skipUnless} : {}),
    helm: tools.helm,
    toolVersions: `helm ${tools.helmVersion ?? '-'}, kustomize ${tools.kustomizeVersion}${crdsKey(crds)}`,
    crds,
    builtReleases: [],
    builtKustomizations: [],
    fluxBuilt: {withdrawn: new Set(), asFiled: new Set(), followed: new Set(), held},
    probed: new Map(),
    printedBy,
    fluxPrintedBy: fluxPrinted(plan.roots, filesOf),
  }
  await renderWaves(ctx, roots, deployables, plan)
  recordFluxFindings(input, ctx.fluxBuilt.held, out, refusals, roots)
  failHydrationGroups(ctx, deployables.hydrations)
  refusals.uncited()
  const custom = await checkCustomResources({
    custom: judge.custom,
    rendered: judge.crds,
    revision: found.revisionCrds.documents,
    unread: found.revisionCrds.unread,
    validator: await kubeValidatorOf(input),
    failUnknown: input.layout.policy.render.unknownKinds === 'fail',
  })
  out.findings.push(...judge.findings, ...custom.findings)
  report.tools.engine = await renderEngine()
  // What confined the renders, now that they decided the engine (the native helper's seccomp filter, or WebAssembly).
  if (input.kustomize.sandbox && report.tools.sandbox) report.tools.sandbox = await input.kustomize.sandbox()
  Object.assign(report, {
    objects: judge.objects,
    containers: judge.containers,
    unknownKinds: custom.unknownKinds,
    images: judge.images,
    ...(input.charts ? {charts: input.charts.fetched} : {}),
  })
  const unread = [...new Set([...deployables.unread, ...plan.unread.map((u) => u.file)])]
  return {findings: out.findings, report, covered, notRendered: out.notRendered, unread}
}

/** The API server's validation of custom resources: the input's, else the render module's. */
async function kubeValidatorOf(input: RenderGateInput) {
  if (input.kubeValidator !== undefined) return input.kubeValidator ?? undefined
  return (await import('../render/renderers.js')).findKubeValidator()
}

/** The revision's CRDs' digest, as part of every render key (none: nothing, so keys stay what they were). */
const crdsKey = (crds: CrdScopes) => {
  const digest = crdScopesDigest(crds)
  return digest ? `, ${digest}` : ''
}

/** The deployables Argo CD and Flux deploy, and the render plan over them (only the Applications asked for, if any). */
function planGate(input: RenderGateInput): {deployables: Deployables; plan: RenderPlan} {
  const deployables = findDeployables({
    root: input.root,
    files: input.files,
    layout: input.layout,
    yaml: input.yaml,
    checkout: input.checkout,
    environments: input.environments,
    ...present(input, 'pullRequest', 'clusters', 'scm'),
    ...(input.onlyApplications ? {only: input.onlyApplications} : {}),
    ...(input.onApplication ? {onApplication: input.onApplication} : {}),
  })
  const plan = planRender(
    input.root,
    input.files,
    input.layout,
    input.yaml,
    input.environments,
    // A kustomize source of another tree is built from that tree, not planned among the revision's roots.
    deployables.kustomize.filter((k) => k.tree === undefined).map(argoRoot),
    // Without a URL of its own (no origin remote) the checkout cannot tell another repository from itself.
    input.checkout.repositories.length > 0
      ? (url) => input.checkout.repositories.some((mine) => sameRepository(mine, url))
      : undefined,
    input.checkout.pinned,
    input.checkout.sources && ((pin) => input.checkout.sources!.pinned(pin)),
  )
  if (input.onlyApplications) onlyDeployed(plan, deployables.names)
  return {deployables, plan}
}

/** The renderers' tools: helm, kustomize's version, what confines them, go-jsonnet's. */
interface GateTools {
  helm: Awaited<RenderGateInput['helm']>
  helmVersion: string | null
  kustomizeVersion: string
  sandbox: RenderReport['tools']['sandbox']
  jsonnet: string | null
  envsubst: string | null
}

/** The tools the gate renders with, probed together. */
async function gateTools(input: RenderGateInput): Promise<GateTools> {
  const [helm, kustomizeVersion, sandbox, jsonnet, envsubst] = await Promise.all([
    input.helm,
    input.kustomize.version ? input.kustomize.version() : Promise.resolve('unknown'),
    input.kustomize.sandbox ? input.kustomize.sandbox() : Promise.resolve(null),
    jsonnetVersionOf(input),
    envsubstVersionOf(input),
  ])
  return {helm, helmVersion: helm?.version ?? null, kustomizeVersion, sandbox, jsonnet, envsubst}
}

/** The report before anything is rendered: the Kubernetes version and the tools. */
function emptyReport(input: RenderGateInput, tools: GateTools): RenderReport {
  return {
    kubernetesVersion: input.layout.policy.render.kubernetesVersion,
    tools: {
      helm: tools.helmVersion,
      kustomize: tools.kustomizeVersion,
      sandbox: tools.sandbox,
      jsonnet: tools.jsonnet,
      envsubst: tools.envsubst,
    },
    roots: [],
    deployables: [],
    directories: [],
    objects: 0,
    containers: 0,
    unknownKinds: [],
    images: [],
  }
}

/** What the plan found it cannot render, recorded: configured roots without a kustomization, Flux Kustomizations not read. */
function recordPlanFindings(plan: RenderPlan, out: RenderFindings): void {
  for (const dir of plan.missingRoots) {
    const message = `gitopsPolicy.render.roots names ${dir || '.'}, which holds no kustomization: nothing to render there.`
    out.missingRoot(`${dir}/`, message)
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
      {id: `unread\0${u.file}`, reads: [u.file], extra: String(u.line)},
    )
  }
}

/**
 * What the plan found it cannot render, recorded, but the Flux Kustomizations of a file a root's build reads: what
 * that build prints decides them (./flux-kustomizations.ts), so they are held for the waves.
 */
function recordPlan(
  input: RenderGateInput,
  plan: RenderPlan,
  {filesOf, roots}: {filesOf: (r: RenderRoot) => string[]; roots: RootInputs},
  out: RenderFindings,
  refusals: Refusals,
): FluxFindings {
  const built = plan.roots.filter((r) => r.via !== 'argocd' && r.tree === undefined).flatMap(filesOf)
  const {now, held} = holdBuilt(plan, new Set(built))
  recordPlanFindings(plan, out)
  recordFluxFindings(input, now, out, refusals, roots)
  return held
}

/** Flux Kustomizations the plan could not render: over a missing folder, another source, or outside the revision. */
function recordFluxFindings(
  input: RenderGateInput,
  plan: FluxFindings,
  out: RenderFindings,
  refusals: Refusals,
  roots: RootInputs,
) {
  // Flux Kustomizations over a folder the revision does not hold: kustomize-controller fails, so does the render.
  for (const u of plan.notFound) {
    out.failed(u, {id: `flux-path\0${u.file}`, reads: [u.file], extra: canonicalJson({spec: u.spec})})
  }
  // Flux Kustomizations over a source the gate does not render: named, never silently left out.
  for (const u of plan.unavailable) {
    // Over a folder of this revision, only its fields not rendered: a change to what that folder's build reads reaches it.
    const folder = u.root !== undefined ? folderReads(input.files, roots, u.root) : []
    out.unavailable(u, {
      id: `flux\0${u.file}`,
      reads: [...u.reads, ...folder],
      extra: canonicalJson({spec: u.spec, message: u.message}),
    })
  }
  for (const o of plan.outside) {
    if (input.environments && (o.environment === null || !input.environments.includes(o.environment))) continue
    refusals.fluxPath(o)
  }
}

/** The input's skip, except for a unit whose inputs may hold Applications (undefined when the input skips none). */
function skipUnlessAppsIn(input: RenderGateInput, apps: AppOfApps): GateContext['skipUnless'] {
  const skip = input.skip
  if (!skip) return undefined
  return (inputs: () => readonly string[]) => (u: Omit<RenderedUnit, 'objects' | 'declaredIn'>, key: string) =>
    skip(u, key) && !apps.mayHoldApplications(inputs())
}

/** The engine that rendered `helm template` (the built render module's: native or WebAssembly, and why), or null. */
async function renderEngine(): Promise<string | null> {
  const {renderModuleBuild, sharedRenderModule} = await import('../../effects/render-module/host.js')
  return renderModuleBuild() ? (sharedRenderModule()?.engine() ?? null) : null
}

/** go-jsonnet's release that evaluates jsonnet (the input's, else the built render module's), or null: none. */
async function jsonnetVersionOf(input: RenderGateInput): Promise<string | null> {
  if (input.jsonnet !== undefined) return input.jsonnet?.version ?? null
  const {renderModuleBuild} = await import('../../effects/render-module/host.js')
  return renderModuleBuild()?.jsonnet ?? null
}

/** fluxcd/pkg envsubst's release that substitutes Flux post-build variables (the input's, else the module's), or null. */
async function envsubstVersionOf(input: RenderGateInput): Promise<string | null> {
  if (input.fluxPostBuild !== undefined) return input.fluxPostBuild?.version ?? null
  const {renderModuleBuild} = await import('../../effects/render-module/host.js')
  return renderModuleBuild()?.envsubst ?? null
}
