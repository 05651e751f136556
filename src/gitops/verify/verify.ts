import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {mapOnThreads, scanThreads} from '../../core/threads.js'
import {workerEntry} from '../../core/package-root.js'
import type {FileStamp} from '../../cache/stamp.js'
import {LocalCharts} from '../facts/local-charts.js'
import {listTree} from '../revision/files.js'
import type {FileImages} from '../facts/index.js'
import {makeLayout, type Layout, type Zone} from '../layout/index.js'
import {settleLayout} from '../layout/detect.js'
import {nothingChecked} from '../layout/nothing-checked.js'
import type {RenderGateResult} from '../gate/gate.js'
import {GitopsVerifyCache, type FileOutcome} from './cache.js'
import {scanFiles, type FileTask, type ScanOptions} from './scan.js'
import {
  checkEvidence,
  checkRepo,
  POLICY_RULE_IDS,
  RULE_IDS,
  VERIFY_RULE_IDS,
  type EvidenceRecord,
  type GitopsFinding,
  type RuleId,
  unreadable,
} from '../rules/index.js'

import {collectEvidence} from './collect-evidence.js'
import {renderFindings} from './render-findings.js'

export {printLayout} from './print-layout.js'
export {parseRules} from './rule-selection.js'

export type {GitopsVerifyInput, GitopsVerifyResult} from './io.js'
import type {GitopsVerifyInput, GitopsVerifyResult} from './io.js'

/** Files per task handed to a thread. */
const FILES_PER_TASK = 100

const chunk = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({length: Math.ceil(items.length / size)}, (_, i) => items.slice(i * size, (i + 1) * size))

/** Reads the GitOps tree (never writes), applies the policy rules, and with evidence asks the verifier per digest. */
export async function verifyGitops(request: GitopsVerifyInput): Promise<GitopsVerifyResult> {
  const {files, odd} = listTree(request.root)
  const settled = request.gitopsKeys && settleLayout(request.root, files, request.policy, request.gitopsKeys)
  const input = settled ? {...request, policy: settled.policy} : request
  const layout = makeLayout(input.policy)
  const selectedEnvs = input.environments
  const findings = oddEntryFindings(odd, layout, selectedEnvs)
  const cache =
    input.cacheVersion === undefined || input.evidence
      ? null
      : GitopsVerifyCache.open(input.root, input.cacheVersion, input.policy, input.parseEveryFile ?? false)
  const {slots, tasks, overlaysSeen} = planScan(input, files, layout, cache)
  const {verdicts, evidenceSites} = await scanTasks(input, tasks, cache)
  const {checked, skipped} = takeOutcomes(slots, verdicts, cache, findings)
  cache?.save(files)
  for (const f of checkRepo({layout, files})) findings.push(f)
  let render: RenderGateResult | undefined
  if (input.render) {
    render = await renderFindings(input, layout)
    // A deployable refused or not rendered at any stage (its Application names a value file outside the revision) is
    // a finding at it, not "nothing to render".
    const {requireRender} = input.render
    if (renderedNothing(render) && requireRender()) {
      throw nothingChecked('render', input.root, input.policy, files, settled?.detection, selectedEnvs)
    }
    replaceSourceImageFindings(findings, render)
  }

  // unreadable-file is always on: a file the gate could not read was checked by none of the selected rules.
  const rules = [
    ...new Set<RuleId>(['unreadable-file', ...(input.rules ?? (input.evidence ? VERIFY_RULE_IDS : POLICY_RULE_IDS))]),
  ]
  let evidence: EvidenceRecord[] | undefined
  if (input.evidence) {
    const judged = await collectEvidence(evidenceSites, input.evidence)
    evidence = judged.map((e) => e.record)
    for (const f of checkEvidence(judged)) findings.push(f)
  }
  const selected = findings.filter((f) => rules.includes(f.rule))
  selected.sort(compareFindings)
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
    counts: countsByRule(selected),
    files: {checked, skipped},
    ...(evidence ? {evidence} : {}),
    ...(render ? {render: render.report} : {}),
    ...(settled ? {detection: settled.detection} : {}),
  }
}

/**
 * Fail closed: a link, FIFO or device where a checked file could be; a linked folder where checked files could be
 * (a YAML file right inside it would be in a zone); a folder that could not be listed, wherever it is.
 */
function oddEntryFindings(
  odd: ReturnType<typeof listTree>['odd'],
  layout: Layout,
  selectedEnvs: string[] | undefined,
): GitopsFinding[] {
  const findings: GitopsFinding[] = []
  for (const entry of odd) {
    const zone = layout.zoneOf(entry.kind === 'folder-link' ? `${entry.path}x.yaml` : entry.path)
    if (entry.kind === 'unlisted' || (zone && !skipsEnv(zone, selectedEnvs))) {
      findings.push(unreadable(entry.path, entry.reason))
    }
  }
  return findings
}

/** A file in a zone: its outcome from the cache, or the task of a thread that scans it. */
interface Slot {
  file: string
  outcome?: FileOutcome
  stamp?: FileStamp
  task?: number
}

/**
 * Each file in a zone of a selected environment: its outcome from the cache (stamp unchanged), or a task for a
 * thread; and the environments of every overlay seen.
 */
function planScan(
  input: GitopsVerifyInput,
  files: string[],
  layout: Layout,
  cache: GitopsVerifyCache | null,
): {slots: Slot[]; tasks: FileTask[]; overlaysSeen: Set<string>} {
  const slots: Slot[] = []
  const tasks: FileTask[] = []
  const overlaysSeen = new Set<string>()
  const charts = new LocalCharts(input.root, files)
  for (const file of files) {
    const zone = layout.zoneOf(file)
    if (!zone) continue
    if (zone.kind === 'overlay') overlaysSeen.add(zone.env)
    if (skipsEnv(zone, input.environments)) continue
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
  return {slots, tasks, overlaysSeen}
}

/** An image reference of a scanned file, with its zone: what evidence is collected for. */
type EvidenceSite = {file: string; zone: Zone; found: FileImages}

/** The verdict of each task, and with evidence every image reference the scan found. */
async function scanTasks(
  input: GitopsVerifyInput,
  tasks: FileTask[],
  cache: GitopsVerifyCache | null,
): Promise<{verdicts: Awaited<ReturnType<typeof scanFiles>>; evidenceSites: EvidenceSite[]}> {
  const evidenceSites: EvidenceSite[] = []
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
  return {verdicts, evidenceSites}
}

/**
 * Each slot's outcome (cached, or its task's verdict, then cached), its findings pushed to `findings`: how many files
 * were checked, and which were skipped and why.
 */
function takeOutcomes(
  slots: readonly Slot[],
  verdicts: Awaited<ReturnType<typeof scanFiles>>,
  cache: GitopsVerifyCache | null,
  findings: GitopsFinding[],
): {checked: number; skipped: GitopsVerifyResult['files']['skipped']} {
  const skipped: GitopsVerifyResult['files']['skipped'] = []
  let checked = 0
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
  return {checked, skipped}
}

/** Whether the render gate rendered no unit and named none it did not render. */
function renderedNothing(render: RenderGateResult): boolean {
  const units = render.report.roots.length + render.report.deployables.length + render.report.directories.length
  const named = render.findings.some((f) => f.rule.startsWith('render-'))
  return units === 0 && !named
}

/**
 * The rendered images replace the source-level image findings of every file a rendered root read; the render's
 * findings are added.
 */
function replaceSourceImageFindings(findings: GitopsFinding[], render: RenderGateResult): void {
  const sourceRules = new Set<RuleId>(['image-not-pinned', 'floating-tag'])
  // Loops, not spreads: a file may hold hundreds of thousands of findings.
  const kept = findings.filter((f) => !(sourceRules.has(f.rule) && render.covered.has(f.file)))
  findings.length = 0
  for (const f of kept) findings.push(f)
  for (const f of render.findings) findings.push(f)
}

/** How many findings each rule has, in the rules' order (rules without any left out). */
function countsByRule(findings: readonly GitopsFinding[]): Partial<Record<RuleId, number>> {
  const counts: Partial<Record<RuleId, number>> = {}
  for (const rule of RULE_IDS) {
    const n = findings.filter((f) => f.rule === rule).length
    if (n > 0) counts[rule] = n
  }
  return counts
}

/** The zone is an overlay of an environment that `--env` left out. */
const skipsEnv = (zone: Zone, selected: string[] | undefined): boolean =>
  zone.kind === 'overlay' && selected !== undefined && !selected.includes(zone.env)

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
