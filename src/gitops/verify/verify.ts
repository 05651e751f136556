import {realpathSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {usageError} from '../../core/errors.js'
import {isDigestPinned, tryParseImageReference, formatImageReference} from '../../images/reference.js'
import {mapConcurrent} from '../../core/concurrency.js'
import {mapOnThreads, scanThreads} from '../../core/threads.js'
import {workerEntry} from '../../core/package-root.js'
import type {FileStamp} from '../../cache/stamp.js'
import {LocalCharts} from '../charts.js'
import {listFiles, listTree} from '../files.js'
import type {FileImages} from '../facts.js'
import {describeLayout, makeLayout, type GitopsPolicy, type LayoutReport, type Zone} from '../layout.js'
import {settleLayout, type LayoutDetection} from '../layout/detect.js'
import {nothingChecked} from '../layout/nothing-checked.js'
import type {RenderGateResult, RenderReport} from '../render/gate.js'
import type {Helm} from '../../effects/helm.js'
import type {Kustomize} from '../../effects/kustomize.js'
import {GitopsVerifyCache, type FileOutcome} from './cache.js'
import {examineDigest, type EvidenceVerifier} from './examine.js'
import {scanFiles, type FileTask, type ScanOptions} from './scan.js'
import {
  checkEvidence,
  checkRepo,
  POLICY_RULE_IDS,
  RULE_IDS,
  RULES,
  type EvidenceRecord,
  type GitopsFinding,
  type JudgedEvidence,
  type RuleId,
  unreadable,
} from '../rules/index.js'

export type {EvidenceRecord} from '../rules/index.js'

export type {EvidenceVerifier} from './examine.js'

export interface GitopsVerifyInput {
  root: string
  policy: GitopsPolicy
  /** The `gitopsPolicy` keys ameide.yaml sets: the layout is detected from the checkout unless they set it. */
  gitopsKeys?: readonly string[]
  /** Overlays to check (default: every environment of the policy, and any other overlay present). */
  environments?: string[]
  rules?: RuleId[]
  evidence?: {verifier: EvidenceVerifier; concurrency: number}
  /** Parse every file, without the line prefilter (evidence needs every reference; tests compare both ways). */
  parseEveryFile?: boolean
  /** The CLI version: per-file results are cached under the checkout's git directory (not with evidence). */
  cacheVersion?: string
  /** Threads for the per-file half (default: src/core/threads.ts scanThreads()). */
  threads?: number
  /** `--render`: judge the rendered output of the render roots (src/gitops/render/). */
  render?: {
    kustomize: Kustomize
    helm?: Helm | Promise<Helm | undefined>
    requireRender: boolean
    concurrency?: number
    /** Request nothing from chart repositories (`--offline`). */
    offline?: boolean
  }
}

/** Files per task handed to a thread. */
const FILES_PER_TASK = 100

const chunk = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({length: Math.ceil(items.length / size)}, (_, i) => items.slice(i * size, (i + 1) * size))

/** The `--json` result of `ameide gitops verify` (schemas/gitops-verify.schema.json). */
export interface GitopsVerifyResult {
  summary: 'pass' | 'fail'
  environments: string[]
  rules: RuleId[]
  findings: GitopsFinding[]
  counts: Partial<Record<RuleId, number>>
  files: {checked: number; skipped: Array<{file: string; reason: string}>}
  evidence?: EvidenceRecord[]
  /** Absolute path of the SARIF file written with --sarif. */
  sarif?: string
  /** With --print-layout (no rule runs): every YAML file, its zone and whether it is checked for pinning. */
  layout?: LayoutReport
  /** With --render: the roots and charts rendered, the objects judged, the kinds without a schema. */
  render?: RenderReport
  /** The layout used and why: configured in ameide.yaml or detected from the checkout. */
  detection?: LayoutDetection
}

/** `--print-layout`: where each YAML file falls, in the verify result's shape (pass, no rules, no findings). */
export async function printLayout(
  root: string,
  configured: GitopsPolicy,
  gitopsKeys: readonly string[],
  tools?: {helm: string | null; kustomize: string | null},
): Promise<GitopsVerifyResult> {
  const files = await listFiles(root)
  const {policy, detection} = settleLayout(root, files, configured, gitopsKeys)
  const layout = describeLayout(policy, files)
  layout.detection = detection
  const [{planRender}, {findDeployables, checkoutOf, repositoryUrls}, {describeApplicationSets}, {readRevision}, yaml] =
    await Promise.all([
      import('../render/roots.js'),
      import('../deployables/index.js'),
      import('../deployables/applicationset/checkout.js'),
      import('../revision/index.js'),
      import('yaml'),
    ])
  const shape = makeLayout(policy)
  // What would render is read from the revision (src/gitops/revision), never from the checkout itself.
  const revision = await readRevision(root, null, 'layout')
  let deployables
  try {
    const checkout = checkoutOf(revision, await repositoryUrls(root, policy.preview.repositories))
    deployables = findDeployables({root: revision.dir, files: revision.files, layout: shape, yaml, checkout})
    const deployed = deployables.kustomize.map((k) => ({
      dir: k.dir,
      environment: k.environment,
      via: 'argocd' as const,
      rule: "an Argo CD Application's source path",
      declaredIn: k.declaredIn,
      application: k.application,
    }))
    layout.renderRoots = planRender(revision.dir, revision.files, shape, yaml, undefined, deployed).roots
  } finally {
    await revision.remove()
  }
  layout.renderDeployables = deployables.helm.map((d) => ({
    application: d.application,
    kind: d.kind,
    chart: d.chart,
    environment: d.environment,
    declaredIn: d.file,
  }))
  layout.renderDirectories = deployables.directory.map((d) => ({
    application: d.application,
    dir: d.dir,
    environment: d.environment,
    declaredIn: d.file,
    files: d.manifests,
  }))
  if (tools) layout.renderTools = tools
  layout.applicationSets = describeApplicationSets(deployables.applicationSets)
  return {
    summary: 'pass',
    environments: layout.environments,
    rules: [],
    findings: [],
    counts: {},
    files: {checked: layout.files.filter((f) => f.zone !== null).length, skipped: []},
    layout,
  }
}

/** Parses `--rule` values (repeatable, comma-separated); unknown ids are exit 2. */
export function parseRules(values: string[] | undefined): RuleId[] | undefined {
  if (!values || values.length === 0) return undefined
  const ids = values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean)
  for (const id of ids) {
    if (!(id in RULES)) {
      throw usageError('UNKNOWN_RULE', `--rule ${JSON.stringify(id)} is not a rule of gitops verify.`, [
        `Rules: ${RULE_IDS.join(', ')}.`,
      ])
    }
  }
  return [...new Set(ids)] as RuleId[]
}

/** Reads the GitOps tree (never writes), applies the policy rules, and with evidence asks the verifier per digest. */
export async function verifyGitops(request: GitopsVerifyInput): Promise<GitopsVerifyResult> {
  const {files, odd} = listTree(request.root)
  const settled = request.gitopsKeys && settleLayout(request.root, files, request.policy, request.gitopsKeys)
  const input = settled ? {...request, policy: settled.policy} : request
  const layout = makeLayout(input.policy)
  const selectedEnvs = input.environments
  const findings: GitopsFinding[] = []
  // Fail closed: a link, FIFO or device where a checked file could be; a linked folder where checked files could be
  // (a YAML file right inside it would be in a zone); a folder that could not be listed, wherever it is.
  for (const entry of odd) {
    const zone = layout.zoneOf(entry.kind === 'folder-link' ? `${entry.path}x.yaml` : entry.path)
    if (entry.kind === 'unlisted' || (zone && !skipsEnv(zone, selectedEnvs))) {
      findings.push(unreadable(entry.path, entry.reason))
    }
  }
  const skipped: GitopsVerifyResult['files']['skipped'] = []
  const evidenceSites: Array<{file: string; zone: Zone; found: FileImages}> = []
  const overlaysSeen = new Set<string>()
  let checked = 0
  const cache =
    input.cacheVersion === undefined || input.evidence
      ? null
      : GitopsVerifyCache.open(input.root, input.cacheVersion, input.policy, input.parseEveryFile ?? false)

  // Each file in a zone: its outcome from the cache (stamp unchanged), or a task for a thread.
  const slots: Array<{file: string; outcome?: FileOutcome; stamp?: FileStamp; task?: number}> = []
  const tasks: FileTask[] = []
  const charts = new LocalCharts(input.root, files)
  for (const file of files) {
    const zone = layout.zoneOf(file)
    if (!zone) continue
    if (zone.kind === 'overlay') overlaysSeen.add(zone.env)
    if (skipsEnv(zone, selectedEnvs)) continue
    // A file of a local chart is judged with its chart's templates, which its own stamp does not cover: never cached.
    const chart = charts.of(file)
    if (chart) {
      slots.push({file, task: tasks.length})
      tasks.push({file, zone, chart})
      continue
    }
    let looked: ReturnType<GitopsVerifyCache['lookup']> | undefined
    try {
      looked = cache?.lookup(file, path.join(input.root, file))
    } catch {
      // Gone or unreadable since it was listed: the scan says why.
    }
    if (looked && 'outcome' in looked) slots.push({file, outcome: looked.outcome})
    else {
      slots.push({file, stamp: looked?.stamp, task: tasks.length})
      tasks.push(looked?.known === undefined ? {file, zone} : {file, zone, known: looked.known})
    }
  }
  const options: ScanOptions = {
    root: input.root,
    policy: input.policy,
    parseEveryFile: Boolean(input.evidence || input.parseEveryFile),
    hash: cache !== null,
  }
  // With evidence every reference is needed here, so one thread; else chunks of files on every core.
  const verdicts = input.evidence
    ? await scanFiles(options, tasks, (task, found) => evidenceSites.push({file: task.file, zone: task.zone, found}))
    : (
        await mapOnThreads(chunk(tasks, FILES_PER_TASK), {
          threads: input.threads ?? scanThreads(),
          // A worker costs about what a thousand files' parsing does: smaller checkouts stay on this thread.
          itemsPerWorker: 1000 / FILES_PER_TASK,
          workerModule: workerEntry(
            'gitops-verify',
            new URL(`./worker${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url),
          ),
          workerData: options,
          task: (part: FileTask[]) => scanFiles(options, part),
        })
      ).flat()
  for (const {file, outcome: cached, stamp, task} of slots) {
    let outcome = cached
    if (task !== undefined) {
      const verdict = verdicts[task]
      if (verdict.unreadable !== undefined) {
        // Never cached: the next run reads it again.
        findings.push(unreadable(file, verdict.unreadable))
        continue
      }
      if (verdict.cached) outcome = cache!.get(file, verdict.digest!)!
      else outcome = verdict.clean ? {digest: '', findings: []} : {digest: verdict.digest ?? '', ...verdict}
      cache?.set(file, {...outcome, stamp: stamp ?? null})
    }
    if (outcome!.skipped !== undefined) skipped.push({file, reason: outcome!.skipped})
    else {
      checked++
      for (const f of outcome!.findings ?? []) findings.push(f)
    }
  }
  cache?.save(files)
  for (const f of checkRepo({layout, files})) findings.push(f)
  let render: RenderGateResult | undefined
  if (input.render) {
    render = await renderFindings(input, layout)
    const units = render.report.roots.length + render.report.deployables.length + render.report.directories.length
    // A deployable refused or not rendered at any stage (its Application names a value file outside the revision) is
    // a finding at it, not "nothing to render".
    const named = render.findings.some((f) => f.rule.startsWith('render-'))
    if (units === 0 && !named && input.render.requireRender) {
      throw nothingChecked('render', input.root, input.policy, files, settled?.detection, selectedEnvs)
    }
    const sourceRules = new Set<RuleId>(['image-not-pinned', 'floating-tag'])
    // The rendered images replace the source-level image findings of every file a rendered root read.
    // Loops, not spreads: a file may hold hundreds of thousands of findings.
    const kept = findings.filter((f) => !(sourceRules.has(f.rule) && render!.covered.has(f.file)))
    findings.length = 0
    for (const f of kept) findings.push(f)
    for (const f of render.findings) findings.push(f)
  }

  // unreadable-file is always on: a file the gate could not read was checked by none of the selected rules.
  const rules = [
    ...new Set<RuleId>(['unreadable-file', ...(input.rules ?? (input.evidence ? RULE_IDS : POLICY_RULE_IDS))]),
  ]
  let evidence: EvidenceRecord[] | undefined
  if (input.evidence) {
    const judged = await collectEvidence(evidenceSites, input.evidence)
    evidence = judged.map((e) => e.record)
    for (const f of checkEvidence(judged)) findings.push(f)
  }
  const selected = findings.filter((f) => rules.includes(f.rule))
  selected.sort(compareFindings)
  const counts: Partial<Record<RuleId, number>> = {}
  for (const rule of RULE_IDS) {
    const n = selected.filter((f) => f.rule === rule).length
    if (n > 0) counts[rule] = n
  }
  // A gate that looked at nothing does not pass (the findings of files it could not read say why it did not).
  if (checked === 0 && selected.length === 0 && !render?.report.objects) {
    throw nothingChecked('files', input.root, input.policy, files, settled?.detection, selectedEnvs)
  }
  const environments = selectedEnvs ?? [...new Set([...input.policy.environments, ...overlaysSeen])].sort()
  return {
    summary: selected.some((f) => f.severity === 'error') ? 'fail' : 'pass',
    environments,
    rules: RULE_IDS.filter((r) => rules.includes(r)),
    findings: selected,
    counts,
    files: {checked, skipped},
    ...(evidence ? {evidence} : {}),
    ...(render ? {render: render.report} : {}),
    ...(settled ? {detection: settled.detection} : {}),
  }
}

/** The zone is an overlay of an environment that `--env` left out. */
const skipsEnv = (zone: Zone, selected: string[] | undefined): boolean =>
  zone.kind === 'overlay' && selected !== undefined && !selected.includes(zone.env)

async function renderFindings(
  input: GitopsVerifyInput,
  layout: ReturnType<typeof makeLayout>,
): Promise<RenderGateResult> {
  const [
    {renderGate},
    {RenderCache},
    yaml,
    {requireRenderKubernetesVersion},
    {checkoutOf, repositoryUrls},
    {readRevision},
  ] = await Promise.all([
    import('../render/gate.js'),
    import('../render/cache.js'),
    import('yaml'),
    import('../../core/config.js'),
    import('../deployables/context.js'),
    import('../revision/index.js'),
  ])
  const [{ChartFetcher}, {allowListOf}, {chartCacheDir}] = await Promise.all([
    import('../charts/fetcher.js'),
    import('../charts/policy.js'),
    import('../charts/cache.js'),
  ])
  requireRenderKubernetesVersion(input.policy)
  const render = input.render!
  // Rendered from a tree of the tracked files (src/gitops/revision), never from the checkout itself.
  const revision = await readRevision(input.root, null, 'render')
  try {
    const opened =
      input.cacheVersion === undefined ? undefined : (RenderCache.open(input.root, input.cacheVersion) ?? undefined)
    const cache = opened?.at(revision.dir)
    // One revision: the checkout declares the chart repositories it may fetch from (it is its own base).
    const chartsPolicy = input.policy.charts ?? {fetch: true, repositories: [], insecure: []}
    const charts = new ChartFetcher({
      allow: allowListOf(revision.dir, revision.files, yaml, chartsPolicy, input.policy.maxFileBytes),
      policy: chartsPolicy,
      offline: render.offline === true,
      ...(opened ? {cacheDir: chartCacheDir(input.root)} : {}),
      yaml,
    })
    const result = await renderGate({
      root: revision.dir,
      files: revision.files,
      layout,
      yaml,
      environments: input.environments,
      kustomize: render.kustomize,
      helm: render.helm,
      checkout: checkoutOf(revision, await repositoryUrls(input.root, input.policy.preview.repositories)),
      cache,
      charts,
      requireRender: render.requireRender,
      concurrency: render.concurrency ?? 4,
    })
    cache?.save()
    charts.save()
    // Renderers' messages name the temporary tree: every path is made repo-relative.
    const spellings = [...new Set([revision.dir, realpathSync(revision.dir)])].sort((a, b) => b.length - a.length)
    const relative = (text: string) => spellings.reduce((t, d) => t.replaceAll(`${d}/`, '').replaceAll(d, '.'), text)
    for (const f of result.findings) f.message = relative(f.message)
    return result
  } finally {
    await revision.remove()
  }
}

function compareFindings(a: GitopsFinding, b: GitopsFinding): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.line - b.line ||
    a.column - b.column ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0) ||
    ((a.environment ?? '') < (b.environment ?? '') ? -1 : (a.environment ?? '') > (b.environment ?? '') ? 1 : 0)
  )
}

async function collectEvidence(
  sites: Array<{file: string; found: FileImages}>,
  options: NonNullable<GitopsVerifyInput['evidence']>,
): Promise<JudgedEvidence[]> {
  const byDigest = new Map<string, Array<{file: string; line: number; tag?: string}>>()
  for (const {file, found} of sites) {
    for (const site of found.images) {
      const ref = tryParseImageReference(site.value.trim())
      if (!ref || !isDigestPinned(ref)) continue
      const key = formatImageReference({registry: ref.registry, path: ref.path, digest: ref.digest})
      const uses = byDigest.get(key) ?? []
      uses.push({file, line: site.line, ...(ref.tag !== undefined ? {tag: ref.tag} : {})})
      byDigest.set(key, uses)
    }
  }
  const images = [...byDigest.keys()].sort()
  // Once per digest, `concurrency` digests at a time; each digest's cosign calls one after another.
  const settled = await mapConcurrent(images, options.concurrency, async (image): Promise<JudgedEvidence> => {
    const {facts, judgement} = await examineDigest(image, options.verifier)
    const uses = byDigest.get(image)!
    return {
      record: {image, ...facts, uses: uses.map(({file, line}) => ({file, line}))},
      judgement,
      tags: uses.map((u) => u.tag),
    }
  })
  const failed = settled.find((s) => !s.ok)
  if (failed && !failed.ok) throw failed.error
  return settled.map((s) => (s as {ok: true; value: JudgedEvidence}).value)
}
