/**
 * `gitops diff`: render → objects → compare. Both revisions are rendered by the render gate (src/gitops/render) —
 * each read by src/gitops/revision into a temporary tree of its tracked files (the base from a commit's objects, the
 * head likewise or, by default, from the working tree), its out-of-bounds links refused — through one render cache under the checkout's git directory that keeps both revisions' answers, so a
 * deployable whose inputs did not change is rendered once, and a second run on the same revisions renders nothing.
 * The snapshots are then compared (./compare.ts). The checkout is only read.
 */
import {SourceRepositories, sourceRepoEntries, type SourceRepoEntry} from '../revision/source-repos.js'
import {readFileSync} from '../../core/memory-fs/index.js'
import path from 'node:path'

import {CONFIG_FILE_NAME, DEFAULT_CONFIG, type GitopsPolicy, type LoadedConfig} from '../../core/config.js'
import {requireRenderKubernetesVersion} from '../../core/kubernetes-minors.js'
import {prerequisiteError} from '../../core/errors.js'
import type {Helm} from '../../effects/helm.js'
import type {Kustomize} from '../../effects/kustomize.js'
import {checkoutOf} from '../model/context.js'
import {startTemplateEngineFor} from '../deployables/index.js'
import {type RegisteredClusters, type ScmProviderApi} from '../model/types.js'
import type {RenderCache} from '../render/cache.js'
import {REFUSAL_TEXT, type Revision} from '../revision/index.js'
import {settleLayout} from '../layout/detect.js'
import {compareSnapshots, type Compared} from './compare.js'
import {decideVerdict, touchedBy, type Unknown} from './verdict.js'
import {unifiedDiff} from './objects.js'
import {settle, startReading, type Reading} from './reading.js'
import {resolveRevisions} from './revisions.js'
import {renderSnapshot, type PlanSlot, type Snapshot} from './snapshot.js'
import type {DiffLayout, DiffPolicy, DiffRevision, GitopsDiffResult} from './types.js'

export interface GitopsDiffInput {
  root: string
  /** The policy when `readConfig` is not given (default: ameide's defaults). */
  policy?: GitopsPolicy
  /**
   * Reads the ameide.yaml of a revision (held in memory) (core/config loadConfig). Given, the BASE revision's decides the
   * diff's policy (masking, zones, rules, layout keys): a pull request cannot loosen the policy that reviews it, and a
   * head that changes ameide.yaml is reported (`policy`), the change shown.
   */
  readConfig?: (dir: string) => Promise<LoadedConfig>
  /** The `gitopsPolicy` keys ameide.yaml sets: the layout is detected from the head (as verify does) unless they set it. */
  gitopsKeys?: readonly string[]
  base?: string
  head?: string
  /** The pull request's base branch, tried first for the default base (GITHUB_BASE_REF under GitHub Actions). */
  baseRef?: string
  /** The branches the CI job reviews (src/effects/actions.ts reviewedBranches): a source at one is not pinned. */
  reviewed?: readonly string[]
  environments?: string[]
  kustomize: Kustomize
  helm: Helm | Promise<Helm | undefined>
  /** The CLI version: part of every render-cache key. */
  cacheVersion: string
  /** Keep renders in the cache under the checkout's git directory (false: a cache of this run only). */
  useCache: boolean
  concurrency: number
  /** Request nothing from chart repositories (`--offline`): each remote chart is render-unavailable. */
  offline?: boolean
  /** The clusters Argo CD lists (`--argocd-server`), read once: both revisions' `clusters` generators select from them. */
  clusters?: RegisteredClusters
  /** GitHub's API (`--scm-provider github`): the `scmProvider.github` generators ask it. */
  scm?: ScmProviderApi
  /** Progress lines (`Rendering base …`). */
  onStep?: (step: string) => void
  /** `--source-repo`: other repositories mapped to local checkouts (the base's gitopsPolicy.sourceRepositories added). */
  sourceRepos?: readonly SourceRepoEntry[]
}

export const DIFF_CACHE = 'gitops-diff'

export async function diffGitops(input: GitopsDiffInput): Promise<GitopsDiffResult> {
  if (!input.readConfig) requireRenderKubernetesVersion(input.policy ?? DEFAULT_CONFIG.gitopsPolicy)
  const revisions = await resolveRevisions(input.root, input.base, input.head, input.baseRef)
  const trees: Revision[] = []
  input.onStep?.('Reading the deployables of both revisions')
  const reading = startReading(input, revisions, trees)
  let kept: Awaited<ReturnType<typeof keptModel>> = undefined
  let sources: SourceRepositories | undefined
  try {
    const {cache, renders, kept: opened} = await openStores(input, reading.listed)
    kept = opened
    const [baseRevision, headRevision] = await reading.revisions
    startTemplateEngineFor([baseRevision, headRevision])
    // The helper started above takes in both revisions while their models are read.
    void renders?.holdRevisions([baseRevision.dir, headRevision.dir])
    const settled = await settlePolicy(input, baseRevision, headRevision)
    const mapped = sourceRepoEntries(input.sourceRepos ?? [], settled.policy.sourceRepositories, input.root)
    // The clone too: a source pinned to another revision of this repository is read from it at that commit.
    sources = new SourceRepositories(mapped, input.root)
    // Remote charts: only from repositories the BASE declares, under the base's policy; one fetcher for both revisions.
    const charts = await chartFetcher(input, baseRevision, settled.policy)
    const {base, head, layout, policy} = await renderBoth(
      input,
      settled,
      {charts, cache, revisions, sources, clone: reading.clone},
      [baseRevision, headRevision],
    )
    input.onStep?.('Comparing')
    // The trees are let go while the snapshots are compared (each snapshot's messages name files repo-relative).
    const removed = Promise.all(trees.splice(0).map((t) => t.remove()))
    // Noise is folded by the base's policy: its ameide.yaml and its Applications' ignoreDifferences, never the head's.
    const {noisePolicy, onlyNoise} = await import('./noise/index.js')
    const touched = {
      base: touchedBy(base.notRendered, head.notRendered),
      head: touchedBy(head.notRendered, base.notRendered),
    }
    const compared = await compareSnapshots(
      base,
      head,
      touched,
      policy.diff.maskKinds,
      noisePolicy(policy.diff, base.ignoreDifferences),
    )
    await removed
    cache.save()
    charts.save()
    kept?.save()
    const {counts} = compared
    const verdict = decideVerdict({
      touched,
      found: {
        found: base.found + head.found,
        declared: base.declared + head.declared,
        layoutConfigured: layout?.source === 'configured',
      },
      // What was folded or ignored is counted apart: a diff of nothing else is unchanged (and passes --exit-code).
      changes: {
        deployables: compared.deployables.filter((d) => !onlyNoise(d)).length,
        applications: counts.applicationsAdded + counts.applicationsRemoved,
      },
    })
    explainUnknowns(verdict.unknowns, compared, layout, policy)
    const engine = await renderEngine()
    const result: GitopsDiffResult = {
      summary: verdict.summary,
      base: revisions.base,
      head: revisions.head,
      ...(layout ? {layout} : {}),
      ...(settled.report ? {policy: settled.report} : {}),
      ...(charts.fetched.length > 0 ? {charts: charts.fetched} : {}),
      ...compared,
      renders: {...compared.renders, engine},
    }
    return result
  } finally {
    kept?.close()
    await reading.done()
    await Promise.all([...trees.map((t) => t.remove()), sources?.remove()])
  }
}

/** The modules that model and compare the revisions, loaded while git reads them (no work of theirs waits on git). */
const loadModels = () =>
  Promise.all([
    import('../gate/gate.js'),
    import('../helm/charts/fetcher.js'),
    import('../helm/charts/policy.js'),
    import('./noise/index.js'),
  ])

/**
 * The render cache and the kept model, opened once git has listed both trees (while it reads their blobs), the models'
 * modules loaded meanwhile. Nothing kept: every deployable renders, so the render module starts while they are read.
 */
async function openStores(input: GitopsDiffInput, listed: Promise<void>) {
  await listed
  void settle(loadModels())
  const cache = await openCache(input)
  const renders = cache.empty ? await import('../render/renderers.js') : undefined
  await renders?.warmRenderModule()
  return {cache, renders, kept: await keptModel(input)}
}

/** The engine that rendered `helm template` (native or WebAssembly, and why), or null: no chart was rendered. */
async function renderEngine(): Promise<string | null> {
  const {sharedRenderModule} = await import('../../effects/render-module/host.js')
  return sharedRenderModule()?.engine() ?? null
}

/**
 * The template engine's answers and the ApplicationSet expansions kept from earlier diffs of the checkout (none with
 * `--no-cache`).
 */
async function keptModel(input: GitopsDiffInput) {
  if (!input.useCache) return undefined
  const {openKept} = await import('../memo/store.js')
  return openKept(input.root, input.cacheVersion)
}

/** The render cache both revisions share, under the checkout's git directory (a fresh one without `useCache`). */
async function openCache(input: GitopsDiffInput): Promise<RenderCache> {
  const {RenderCache} = await import('../render/cache.js')
  const cache = RenderCache.open(input.root, input.cacheVersion, {
    name: DIFF_CACHE,
    keep: 'touched',
    fresh: !input.useCache,
  })
  if (!cache) throw prerequisiteError('NOT_A_GIT_REPOSITORY', `${input.root} has no git directory.`)
  return cache
}

interface SettledPolicy {
  policy: GitopsPolicy
  gitopsKeys: readonly string[] | undefined
  /** The head's change to ameide.yaml, reported (never applied). */
  report: DiffPolicy | undefined
}

/** The policy: the base's ameide.yaml when the input reads it (the head's change to it is reported, never applied). */
async function settlePolicy(input: GitopsDiffInput, base: Revision, head: Revision): Promise<SettledPolicy> {
  if (!input.readConfig)
    return {policy: input.policy ?? DEFAULT_CONFIG.gitopsPolicy, gitopsKeys: input.gitopsKeys, report: undefined}
  const fromBase = await input.readConfig(base.dir)
  requireRenderKubernetesVersion(fromBase.config.gitopsPolicy)
  return {
    policy: fromBase.config.gitopsPolicy,
    gitopsKeys: fromBase.gitopsKeys,
    report: await policyChange(base, head, input.readConfig),
  }
}

/**
 * Both snapshots. Only what a change can affect is rendered: a deployable whose inputs (its render-cache key: every
 * input's blob id, its spec, the renderers) are the same in both revisions renders the same objects in both, so
 * neither renders. The head's keys first (nothing rendered), then the base, then the head. One layout for both
 * revisions, the head's files read under the base's keys: configured, else detected as gitops verify detects it.
 */
async function renderBoth(
  input: GitopsDiffInput,
  settled: SettledPolicy,
  shared: {
    charts: Awaited<ReturnType<typeof chartFetcher>>
    cache: RenderCache
    revisions: {base: DiffRevision; head: DiffRevision}
    sources: SourceRepositories
    clone: Reading['clone']
  },
  [baseRevision, headRevision]: [Revision, Revision],
): Promise<{base: Snapshot; head: Snapshot; layout: DiffLayout | undefined; policy: GitopsPolicy}> {
  let policy = settled.policy
  const [own, pinned] = await shared.clone
  const repositories = [...new Set([...own, ...policy.preview.repositories])]
  const tree = (r: Revision) => ({
    dir: r.dir,
    files: r.files,
    checkout: checkoutOf(r, repositories, pinned, shared.sources),
    blobIds: r.blobIds,
  })
  const [baseTree, headTree] = [tree(baseRevision), tree(headRevision)]
  let layout: DiffLayout | undefined
  if (settled.gitopsKeys) {
    const found = settleLayout(headTree.dir, headTree.files, policy, settled.gitopsKeys)
    policy = found.policy
    const {source, layout: detected, preset, evidence} = found.detection
    layout = {source, layout: detected, preset, evidence}
  }
  const snapshot = (
    t: typeof baseTree,
    skip: (unit: string, key: string) => boolean,
    slot?: PlanSlot,
  ): Promise<Snapshot> =>
    renderSnapshot(
      {
        ...t,
        policy,
        environments: input.environments,
        kustomize: input.kustomize,
        helm: input.helm,
        cache: shared.cache.at(t.dir, t.blobIds),
        charts: shared.charts,
        ...(input.clusters ? {clusters: input.clusters} : {}),
        ...(input.scm ? {scm: input.scm} : {}),
        concurrency: input.concurrency,
        skip,
      },
      slot,
    )
  const headKeys = new Map<string, string>()
  const baseKeys = new Map<string, string>()
  // The head is rendered twice (its keys, then what differs): its deployables are found once.
  const headPlan: PlanSlot = {}
  await snapshot(headTree, (unit, key) => (headKeys.set(unit, key), true), headPlan)
  input.onStep?.(`Rendering the base (${describe(shared.revisions.base)})`)
  const base = await snapshot(baseTree, (unit, key) => (baseKeys.set(unit, key), headKeys.get(unit) === key))
  input.onStep?.(`Rendering the head (${describe(shared.revisions.head)})`)
  const head = await snapshot(headTree, (unit, key) => baseKeys.get(unit) === key, headPlan)
  return {base, head, layout, policy}
}

/** What the verdict found unknown beyond the touched not-rendered findings (already failures): a failure saying so, first. */
function explainUnknowns(
  unknowns: readonly Unknown[],
  compared: Compared,
  layout: DiffLayout | undefined,
  policy: GitopsPolicy,
): void {
  if (unknowns.includes('nothing-to-render')) nothingToRender(compared, layout, policy)
  else if (unknowns.includes('only-guessed')) onlyGuessed(compared)
}

/** Nothing to compare is no evidence that nothing changed: a failure saying so, first. */
function nothingToRender(compared: Compared, layout: DiffLayout | undefined, policy: GitopsPolicy): void {
  const found = layout ? `${layout.source} ${layout.layout}` : `preset ${policy.preset}`
  compared.failures.unshift({
    revision: 'head',
    rule: 'render-unavailable',
    file: '.',
    line: 0,
    message: `Nothing to render: neither revision holds an Argo CD Application or ApplicationSet, a Flux Kustomization or HelmRelease, or a kustomize overlay the layout (${found}) finds, so this diff cannot say what is deployed.`,
  })
  compared.counts.failures = compared.failures.length
}

/**
 * What was found only by ameide's own rules (a top-level kustomization nothing includes) is shown, but is no
 * evidence of what is deployed: a failure saying so, first, so the verdict is never "unchanged" or "changed" on a guess.
 */
function onlyGuessed(compared: Compared): void {
  const rules = [...new Set(compared.deployables.map((d) => d.foundBy).filter((r) => r !== undefined))]
  compared.failures.unshift({
    revision: 'head',
    rule: 'render-unavailable',
    file: '.',
    line: 0,
    message: `Nothing declares what is deployed: neither revision holds an Argo CD Application or ApplicationSet, a Flux Kustomization or HelmRelease, an overlay the layout finds, or render roots in ameide.yaml; what is shown was found by ameide's own rules${rules.length > 0 ? ` (${rules.join('; ')})` : ''}, so this diff cannot say what is deployed (declare it, or list the roots in gitopsPolicy.render.roots).`,
  })
  compared.counts.failures = compared.failures.length
}

/** The chart fetcher of one diff: the base's repositories and policy, the chart cache under the git directory. */
async function chartFetcher(input: GitopsDiffInput, base: Revision, policy: GitopsPolicy) {
  const [{ChartFetcher}, {allowListOf}, {chartCacheDir}, yaml] = await Promise.all([
    import('../helm/charts/fetcher.js'),
    import('../helm/charts/policy.js'),
    import('../helm/charts/cache.js'),
    import('yaml'),
  ])
  const charts = policy.charts ?? DEFAULT_CONFIG.gitopsPolicy.charts
  return new ChartFetcher({
    allow: () => allowListOf(base.dir, base.files, yaml, charts, policy.maxFileBytes),
    policy: charts,
    offline: input.offline === true,
    ...(input.useCache ? {cacheDir: chartCacheDir(input.root)} : {}),
    yaml,
  })
}

export const describe = (r: DiffRevision) =>
  r.commit === null
    ? 'working tree'
    : r.chosenBy === '--base' || r.chosenBy === '--head'
      ? `${r.revision} ${r.commit.slice(0, 12)}`
      : `${r.chosenBy} ${r.commit.slice(0, 12)}`

/**
 * What the head does to ameide.yaml: unchanged, or changed with the change as a unified diff (and, when the head's is
 * invalid, why). Compared as bytes; neither file is ever applied from the head.
 */
async function policyChange(
  base: Revision,
  head: Revision,
  readConfig: (dir: string) => Promise<LoadedConfig>,
): Promise<DiffPolicy> {
  const text = (dir: string): string | undefined => {
    try {
      return readFileSync(path.join(dir, CONFIG_FILE_NAME), 'utf8')
    } catch {
      return undefined // absent (or a refused link, never held)
    }
  }
  const [before, after] = [text(base.dir), text(head.dir)]
  // A head whose ameide.yaml is a link out of the revision: left out, never read, reported.
  const refused = head.refused.find((l) => l.path === CONFIG_FILE_NAME)
  const report: DiffPolicy = {
    from: 'base',
    file: CONFIG_FILE_NAME,
    present: before !== undefined,
    changed: before !== after || refused !== undefined,
  }
  if (!report.changed) return report
  report.diff = await unifiedDiff(CONFIG_FILE_NAME, before ?? '', after ?? '', {
    base: before === undefined,
    head: after === undefined,
  })
  if (refused) {
    report.headInvalid = `${CONFIG_FILE_NAME} is a symbolic link to ${REFUSAL_TEXT[refused.kind]}: it is not read.`
  } else if (after !== undefined) {
    try {
      await readConfig(head.dir)
    } catch (error) {
      report.headInvalid = (error as Error).message
    }
  }
  return report
}
