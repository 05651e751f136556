/**
 * The gate on rendered output (`gitops verify --render`): find the deployables as Argo CD and Flux do
 * (src/gitops/deployables: Applications, ApplicationSets, HelmReleases), plan the kustomize roots, render them
 * (kustomize; Helm deployables with helm; directory sources read as Argo CD reads them), then judge what will run —
 * the image rules on every container of every pod-bearing object, each finding at the source line that decided the
 * image, with the environment and the deployable — and validate every object against the Kubernetes schema.
 * Applications a render produces (app of apps) are followed: their sources render in the next wave, at most
 * MAX_DEPTH waves deep, each Application once.
 */
import {sameRepository} from '../repositories.js'
import type {Helm} from '../../effects/helm.js'
import type {Kustomize} from '../../effects/kustomize.js'
import type {YamlModule} from '../../images/yaml/index.js'
import type {Layout} from '../layout.js'
import {canonicalJson} from '../../core/canonical-json.js'
import {finding, RULES, type GitopsFinding} from '../verify/rules/index.js'
import {SourceReader} from './attribute.js'
import type {RenderCache} from './cache.js'
import {
  findDeployables,
  type CheckoutIdentity,
  type DirectoryDeployable,
  type HelmDeployable,
  type KustomizeUse,
  type Unrenderable,
} from '../deployables/index.js'
import {AppOfApps, MAX_DEPTH} from './app-of-apps.js'
import {renderDirectory} from './directory.js'
import {renderHelm, type HelmStatus} from './helm.js'
import {Judge, type RenderedImage} from './judge.js'
import {editsNode, reachable} from './kustomizations.js'
import {parseRendered, UnreadableOutput, type RenderedObject} from './objects.js'
import {applyDestinationNamespace} from './scope.js'
import {applyCommonMetadata, substitute} from './flux-kustomization.js'
import {renderRoots} from './render.js'
import {gitlinksUnder, gitlinkText, Refusals} from './refusals.js'
import {planRender, type RenderRoot} from './roots.js'
import {linkedInputs} from '../revision/paths.js'

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
  /** `directory`: an Argo CD directory source (a folder of plain manifests). */
  kind: 'kustomize' | 'Application' | 'HelmRelease' | 'directory'
  /** The root folder, the chart, or the directory source's folder. */
  dir: string
  environment: string | null
  application?: string
  declaredIn: string
  objects: RenderedObject[]
}

/** What `--render` did, in the verify result (`render`). */
export interface RenderReport {
  kubernetesVersion: string
  /**
   * The renderers that rendered (`helm version --short`, null when helm is not on PATH; `kustomize version`) and the
   * sandbox they rendered in (null: unconfined, this machine has none and the revision is trusted).
   */
  tools: {helm: string | null; kustomize: string; sandbox: string | null}
  /** `skipped`: only with `skip` (gitops diff). */
  roots: Array<
    RenderRoot & {status: 'rendered' | 'cached' | 'failed' | 'unavailable' | 'refused' | 'skipped'; objects: number}
  >
  /** Every Helm deployable (an Application's Helm source, a HelmRelease) and what became of it. */
  deployables: HelmStatus[]
  /** Every Argo CD directory source (a folder of plain manifests) and what became of it. */
  directories: DirectoryStatus[]
  /** Rendered objects, and the containers among them the image rules judged. */
  objects: number
  containers: number
  /** Kinds without a known schema (CRDs): counted, not failed. */
  unknownKinds: Array<{apiVersion: string; kind: string; count: number}>
  /** Every rendered container image, with the source line that decided it. */
  images: RenderedImage[]
}

export interface DirectoryStatus {
  application: string
  dir: string
  environment: string | null
  declaredIn: string
  status: 'rendered' | 'failed' | 'refused' | 'unavailable' | 'skipped'
  objects: number
}

export interface RenderGateResult {
  findings: GitopsFinding[]
  report: RenderReport
  /** Files some rendered root read: their source-level image findings give way to the rendered ones. */
  covered: Set<string>
  /**
   * The key of the inputs of what each not-rendered finding (render-unavailable, render-failed) is about, where known
   * (with `cache`): `gitops diff` leaves one whose inputs are the same in both revisions out of what is incomplete.
   */
  inputKeys: Map<GitopsFinding, string>
  /** Files declaring deployables that were not read (a YAML error, past ameide's limits): what they deploy is unknown. */
  unread: string[]
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
  const asRoot = (k: KustomizeUse): RenderRoot => ({
    dir: k.dir,
    environment: k.environment,
    via: 'argocd' as const,
    rule: "an Argo CD Application's source path",
    declaredIn: k.declaredIn,
    application: k.application,
    ...(k.namespace ? {namespace: k.namespace} : {}),
  })
  // An Application's kustomize options, applied over its root (`dir\0application`).
  const edits = new Map<string, {fields: Record<string, unknown>; file: string}>()
  const noteEdits = (uses: readonly KustomizeUse[]) => {
    for (const k of uses) if (k.edits) edits.set(`${k.dir}\0${k.application}`, {fields: k.edits, file: k.editsIn!})
  }
  const editsOf = (r: RenderRoot) =>
    r.via === 'argocd'
      ? edits.get(`${r.dir}\0${r.application ?? ''}`)
      : r.flux && Object.keys(r.flux.edits).length > 0
        ? {fields: r.flux.edits, file: r.declaredIn ?? r.dir}
        : undefined
  noteEdits(deployables.kustomize)
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
  const findings: GitopsFinding[] = []
  const inputKeys = new Map<GitopsFinding, string>()
  const keyed = (f: GitopsFinding, key: string | undefined) => {
    if (key !== undefined) inputKeys.set(f, key)
  }
  const unavailable = (
    file: string,
    line: number,
    message: string,
    environment: string | null,
    application?: string,
    key?: string,
  ) => {
    const f = finding(RULES['render-unavailable'], file, {line, column: 1}, message)
    if (input.requireRender) f.severity = 'error'
    const full = {...f, ...(environment ? {environment} : {}), ...(application ? {application} : {})}
    findings.push(full)
    keyed(full, key)
  }
  type Site = Pick<Unrenderable, 'file' | 'line' | 'message' | 'environment' | 'application'>
  const record = (rule: 'render-failed' | 'render-refused' | 'render-limit') => (u: Site, key?: string) => {
    const f = finding(RULES[rule], u.file, {line: u.line, column: 1}, u.message)
    const full = {
      ...f,
      ...(u.environment ? {environment: u.environment} : {}),
      ...(u.application ? {application: u.application} : {}),
    }
    findings.push(full)
    keyed(full, key)
  }
  const failed = record('render-failed')
  // A refusal is always an error and always makes a diff incomplete: it carries no input key.
  const refusal = record('render-refused')
  // A limit reached is an error and makes a diff incomplete: what the deployable renders is not known.
  const limited = record('render-limit')
  const refusals = new Refusals(input.checkout.refused ?? [], (site) => refusal(site))
  // An in-bounds link's target is an input of whatever reads through the link.
  const linked = (paths: readonly string[]) =>
    linkedInputs({files: input.files, links: input.checkout.links ?? new Map()}, paths)
  const unrenderable = (list: readonly Unrenderable[]) => {
    for (const u of list) {
      const key =
        u.inputs && input.cache
          ? input.cache.key(
              `unrenderable\0${u.file}\0${u.application ?? ''}`,
              // The declaring file's part is its spec (in the key): not its other bytes (an ApplicationSet's
              // metadata, the key order of a template, an apiVersion).
              u.inputs.reads.filter((f) => f !== u.file),
              canonicalJson({spec: u.inputs.spec, message: u.message}),
            )
          : undefined
      if (u.status === 'failed') failed(u, key)
      else if (u.status === 'refused') refusal(u)
      else unavailable(u.file, u.line, u.message, u.environment, u.application, key)
    }
  }
  const [helmTool, kustomizeVersion, sandbox] = await Promise.all([
    input.helm,
    input.kustomize.version ? input.kustomize.version() : Promise.resolve('unknown'),
    input.kustomize.sandbox ? input.kustomize.sandbox() : Promise.resolve(null),
  ])
  const helmVersion = helmTool?.version ?? null
  const toolVersions = `helm ${helmVersion ?? '-'}, kustomize ${kustomizeVersion}`
  // A root's kustomizations, with what its Application's kustomize options add (components, patches).
  const nodesOf = (r: RenderRoot) => {
    const e = editsOf(r)
    return reachable(
      plan.kustomizations,
      r.dir,
      e ? editsNode(input.root, input.files, r.dir, e.file, e.fields) : undefined,
    )
  }
  const inputsOf = (r: RenderRoot) => {
    const nodes = nodesOf(r)
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
    tools: {helm: helmVersion, kustomize: kustomizeVersion, sandbox},
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
    findings.push(finding(RULES['render-failed'], `${dir}/`, {line: 0, column: 0}, message))
  }
  // A Flux Kustomization not read: what it deploys is unknown, never absent (the diff is incomplete).
  for (const u of plan.unread) {
    failed(
      {
        file: u.file,
        line: u.line,
        environment: null,
        message: `Flux Kustomization is not read: ${u.message}; what it deploys is unknown, so it is not rendered (never counted as removed).`,
      },
      input.cache?.key(`unread\0${u.file}`, [u.file], String(u.line)),
    )
  }
  // Flux Kustomizations over a source the gate does not render: named, never silently left out.
  for (const u of plan.unavailable) {
    const key = input.cache?.key(`flux\0${u.file}`, u.reads, canonicalJson({spec: u.spec, message: u.message}))
    unavailable(u.file, u.line, u.message, u.environment, undefined, key)
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
  let wave = {
    roots: plan.roots,
    helm: deployables.helm,
    directory: deployables.directory,
    unrenderable: deployables.unrenderable,
  }
  for (let depth = 0; ; depth++) {
    unrenderable(wave.unrenderable)
    const renderable: RenderRoot[] = []
    for (const r of wave.roots) {
      const nodes = nodesOf(r)
      // Refused first: a root that could read outside its revision is never rendered, whatever else it holds.
      if (refusals.root(r, nodes, plan.kustomizations.get(r.dir)!.file)) {
        report.roots.push({...r, status: 'refused', objects: 0})
        continue
      }
      const helmCharts = nodes.flatMap((n) => (n.helmCharts ? [n.helmCharts] : []))
      const remote = nodes.flatMap((n) => n.remote)
      if (remote.length + helmCharts.length === 0) {
        renderable.push(r)
        continue
      }
      const key = input.cache?.key(r.dir, inputsOf(r), `remote\0${toolVersions}`)
      for (const entry of helmCharts) {
        unavailable(
          entry.file,
          entry.line,
          `Render root ${r.dir || '.'} inflates Helm charts (${entry.entry}): that needs kustomize --enable-helm, which runs helm and fetches charts, and the gate never passes it, so this root is not rendered or judged.`,
          r.environment,
          r.application,
          key,
        )
      }
      for (const entry of remote) {
        unavailable(
          entry.file,
          entry.line,
          `Render root ${r.dir || '.'} names the remote ${JSON.stringify(entry.entry)}: the gate fetches nothing, so this root is not rendered or judged.`,
          r.environment,
          undefined,
          key,
        )
      }
      report.roots.push({...r, status: 'unavailable', objects: 0})
    }
    const rendered = await renderRoots(input.root, renderable, input.kustomize, {
      concurrency: input.concurrency,
      cache: input.cache,
      inputsOf,
      resourcesOf: (r) => plan.kustomizations.get(r.dir)?.generated,
      editsOf: (r) => editsOf(r)?.fields,
      extra: toolVersions,
      ...(skip
        ? {
            skip: (r: RenderRoot, key: string) =>
              skipUnless(() => inputsOf(r))(
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
    for (const {root, result, cached, skipped, key} of rendered) {
      const rootFile = plan.kustomizations.get(root.dir)!.file
      if (skipped) {
        report.roots.push({...root, status: 'skipped', objects: 0})
        continue
      }
      if (!result.ok) {
        const by = root.application !== undefined ? ` (Application ${root.application})` : ''
        const site = {file: rootFile, line: 1, environment: root.environment, application: root.application}
        if ('unavailable' in result) {
          const message = `kustomize build ${root.dir || '.'}${by} is not rendered: ${result.message}`
          unavailable(rootFile, 1, message, root.environment, root.application, key)
          report.roots.push({...root, status: 'unavailable', objects: 0})
          continue
        }
        if ('limit' in result) limited({...site, message: `kustomize build ${root.dir || '.'}${by}: ${result.message}`})
        else failed({...site, message: `kustomize build ${root.dir || '.'}${by} failed: ${result.message}`}, key)
        report.roots.push({...root, status: 'failed', objects: 0})
        continue
      }
      // What it read: its kustomizations and the files they name (the rest of its folders is in its cache key only).
      for (const n of nodesOf(root).filter((n) => plan.kustomizations.get(n.dir) === n))
        for (const f of [n.file, ...n.files]) covered.add(f)
      // kustomize-controller's post-build: variables substituted, then commonMetadata on every object.
      const built = root.flux?.substitute ? substitute(result.yaml, root.flux.substitute) : result.yaml
      let objects: RenderedObject[]
      try {
        objects = parseRendered(input.yaml, built)
      } catch (error) {
        if (!(error instanceof UnreadableOutput)) throw error
        const by = root.application !== undefined ? ` (Application ${root.application})` : ''
        const site = {file: rootFile, line: 1, environment: root.environment, application: root.application}
        failed({...site, message: `kustomize build ${root.dir || '.'}${by}: ${error.message}`}, key)
        report.roots.push({...root, status: 'failed', objects: 0})
        continue
      }
      applyCommonMetadata(
        objects.map((o) => o.body),
        root.flux?.commonMetadata,
      )
      applyDestinationNamespace(objects, root.namespace)
      input.onRendered?.({
        kind: 'kustomize',
        dir: root.dir,
        environment: root.environment,
        ...(root.application !== undefined ? {application: root.application} : {}),
        declaredIn: root.declaredIn ?? rootFile,
        objects,
      })
      apps.collect(result.yaml, () => objects, {...root, declaredIn: root.declaredIn ?? rootFile})
      report.roots.push({...root, status: cached ? 'cached' : 'rendered', objects: objects.length})
      // An image the Application's kustomize options decide is set outside the checkout: it points at them.
      await judge.judge(objects, root, editsOf(root)?.file ?? rootFile)
    }
    for (const d of wave.directory) await renderOneDirectory(d)
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
      unavailable(
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
    if (helm.length > 0) await renderHelmWave(helm)
    // The next wave: the Applications this one rendered that were not seen yet.
    const {applications: children, sets} = apps.next()
    for (const a of sets) {
      unavailable(
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
        unavailable(
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
    noteEdits(next.kustomize)
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
  findings.push(...judge.findings)
  Object.assign(report, {
    objects: judge.objects,
    containers: judge.containers,
    unknownKinds: judge.unknownKinds,
    images: judge.images,
  })
  const unread = [...new Set([...deployables.unread, ...plan.unread.map((u) => u.file)])]
  return {findings, report, covered, inputKeys, unread}

  async function renderOneDirectory(d: DirectoryDeployable): Promise<void> {
    const inputs = [...new Set([...d.manifests, ...d.reads])]
    const root: RenderRoot = {
      dir: d.dir,
      environment: d.environment,
      via: 'argocd',
      declaredIn: d.file,
      application: d.application,
    }
    const status: DirectoryStatus = {
      application: d.application,
      dir: d.dir,
      environment: d.environment,
      declaredIn: d.file,
      status: 'rendered',
      objects: 0,
    }
    report.directories.push(status)
    const site = {file: d.file, line: d.line, environment: d.environment, application: d.application}
    if (refusals.check(`Application ${d.application}: folder ${d.dir || '.'}`, [d.dir, ...inputs], site)) {
      status.status = 'refused'
      return
    }
    const source = (d.spec as {source?: {directory?: {recurse?: unknown}}} | null)?.source
    const submodules = gitlinksUnder(input.checkout.gitlinks, [d.dir], source?.directory?.recurse !== true)
    if (submodules.length > 0) {
      status.status = 'unavailable'
      unavailable(
        d.file,
        d.line,
        `Application ${d.application}: directory source ${d.dir || '.'}: ${gitlinkText(submodules)}`,
        d.environment,
        d.application,
        input.cache?.key(`gitlink\0${d.file}\0${d.application}`, inputs, JSON.stringify({d: d.spec, submodules})),
      )
      return
    }
    const key = input.cache?.key(
      `directory\0${d.file}\0${d.application}\0${d.dir}`,
      [...inputs, ...linked([d.dir, ...inputs])].filter((f) => f !== d.file || d.manifests.includes(f)),
      canonicalJson({spec: d.spec}),
    )
    const unit = {kind: 'directory' as const, dir: d.dir, environment: d.environment, application: d.application}
    if (key !== undefined && skip && skipUnless(() => d.manifests)(unit, key)) {
      status.status = 'skipped'
      return
    }
    const result = renderDirectory(d, input.root, input.yaml)
    if (!result.ok) {
      status.status = 'failed'
      failed(
        {
          file: d.file,
          line: d.line,
          message: `Application ${d.application}: directory source ${d.dir || '.'} does not render: ${result.message}`,
          environment: d.environment,
          application: d.application,
        },
        key,
      )
      return
    }
    for (const f of inputs) covered.add(f)
    status.objects = result.objects.length
    input.onRendered?.({...unit, declaredIn: d.file, objects: result.objects})
    apps.collect(undefined, () => result.objects, root)
    await judge.judge(result.objects, root, d.file)
  }

  async function renderHelmWave(list: HelmDeployable[]): Promise<void> {
    if (!helmTool) {
      for (const d of list) {
        unavailable(
          d.file,
          d.line,
          `${d.kind} ${d.application}: chart ${d.chart || '.'} is not rendered: helm is not on PATH (bash scripts/ci/install-toolchain.sh installs it), so its rendered images and schema are not judged.`,
          d.environment,
          d.application,
        )
        report.deployables.push(unrendered(d, 'unavailable'))
      }
      return
    }
    const chartFiles = (d: HelmDeployable) => {
      const prefix = d.chart ? `${d.chart}/` : ''
      return input.files.filter((f) => f.startsWith(prefix))
    }
    const helm = await renderHelm(list, judge, {
      root: input.root,
      files: input.files,
      yaml: input.yaml,
      helm: helmTool,
      kubeVersion: /^\d+\.\d+$/.test(policy.kubernetesVersion)
        ? `${policy.kubernetesVersion}.0`
        : policy.kubernetesVersion,
      apiVersions: policy.apiVersions,
      cache: input.cache,
      toolVersions,
      concurrency: input.concurrency,
      extraFloatingTags: input.layout.policy.extraFloatingTags,
      linked,
      ...(skip
        ? {
            skip: (d: HelmDeployable, key: string) =>
              skipUnless(() => chartFiles(d))(
                {kind: d.kind, dir: d.chart, environment: d.environment, application: d.application},
                key,
              ),
          }
        : {}),
      onRendered: (d, objects, text) => {
        input.onRendered?.({
          kind: d.kind,
          dir: d.chart,
          environment: d.environment,
          application: d.application,
          declaredIn: d.file,
          objects: objects(),
        })
        apps.collect(text, objects, {
          dir: d.chart,
          environment: d.environment,
          via: d.kind === 'HelmRelease' ? 'flux' : 'argocd',
          declaredIn: d.file,
          application: d.application,
        })
      },
    })
    report.deployables.push(...helm.statuses)
    for (const f of helm.covered) covered.add(f)
    for (const {deployable: d, message, unavailable: isUnavailable, refused: isRefused, limit, key} of helm.failures) {
      const text = `helm template of chart ${d.chart || '.'} for ${d.kind} ${d.application}${d.environment ? ` (environment ${d.environment})` : ''} failed: ${message}`
      const site = {file: d.file, line: d.line, environment: d.environment, application: d.application}
      if (limit) limited({...site, message: `${d.kind} ${d.application}: chart ${d.chart || '.'}: ${message}`})
      else if (isRefused)
        refusal({...site, message: `${d.kind} ${d.application}: chart ${d.chart || '.'} is refused: ${message}`})
      else if (isUnavailable) unavailable(d.file, d.line, text, d.environment, d.application, key)
      else
        failed({file: d.file, line: d.line, message: text, environment: d.environment, application: d.application}, key)
    }
  }
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
