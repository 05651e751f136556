import {statSync} from 'node:fs'
import {realpath} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {usageError} from '../core/errors.js'
import {findExecutable, toolPath} from '../effects/buf.js'
import {discoverPrimitives, parseSelection, type PrimitiveRef, type Selection} from './discover.js'
import {mapConcurrent} from '../core/concurrency.js'
import {mapOnThreads, scanThreads} from '../core/threads.js'
import {workerEntry} from '../core/package-root.js'
import {VerifyCache, type CachePlan} from './cache.js'
import {FILE_CHECKS, runFileJob, type FileJob} from './file-checks.js'
import {lazyPrimitiveFiles, listFilesNow} from './files.js'
import {
  CHECK_IDS,
  inReportOrder,
  type CheckId,
  type CheckResult,
  type PrimitiveResult,
  type SharedResult,
  type SourceFile,
  type VerifyResult,
  type VerifyTools,
  verifiedTargets,
} from './types.js'

export interface VerifyInput {
  selection: Selection
  checks: CheckId[]
}

export interface VerifyRequest extends VerifyInput {
  repoRoot: string
  /** PATH used to find buf (default: process.env.PATH). */
  envPath?: string
  /** publish.baseBranch of ameide.yaml (default main): the base buf-breaking compares with. */
  baseBranch?: string
  /** Primitives checked at once by the tool checks (they only overlap while codegen waits for buf). */
  concurrency?: number
  /** Threads for the file checks (default: src/core/threads.ts scanThreads()). */
  threads?: number
  onPrimitiveDone?: (result: PrimitiveResult) => void
  /**
   * The CLI version: results of the checks that read only files are cached under the repository's git directory
   * (src/verify/cache.ts) for this version. Without it (`--no-cache`) every check runs.
   */
  cacheVersion?: string
}

/** Validates flags (exit 2 on any problem) before the repository is looked at. */
export function parseVerifyInput(raw: {
  kind?: string
  name?: string
  all: boolean
  check?: string[]
  mode?: string
  cwd: string
}): VerifyInput {
  if (raw.mode !== undefined && raw.mode.toLowerCase() !== 'repo') {
    throw usageError(
      'UNSUPPORTED_MODE',
      `--mode ${raw.mode} is not supported: the cluster-health modes (cluster, all) are not part of this CLI.`,
      [
        'Use --mode repo (the default): the offline repository checks every gate runs.',
        'Cluster health is Argo CD and the operators; the GitOps repository is gated by `ameide gitops verify`.',
      ],
    )
  }
  const checks = parseChecks(raw.check ?? [])
  return {selection: parseSelection(raw), checks}
}

/** Case, `-` and `_` do not matter in check names: `Codegen`, `scaffold_markers`, `ImagePolicy`. */
const normalise = (name: string) => name.toLowerCase().replace(/[-_\s]/g, '')

/** The backlog's check names (the Go CLI's) that name one of ours. */
const BACKLOG_NAMES: Record<string, CheckId> = {
  security: 'secrets',
  secretscan: 'secrets',
  eda: 'shape',
  processshape: 'shape',
  scaffold: 'scaffold-markers',
}

const BY_NAME = new Map<string, CheckId>([
  ...CHECK_IDS.map((id) => [normalise(id), id] as const),
  ...Object.entries(BACKLOG_NAMES),
])

function parseChecks(values: string[]): CheckId[] {
  if (values.length === 0) return [...CHECK_IDS]
  const names = values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean)
  const unknown = names.filter((v) => !BY_NAME.has(normalise(v)))
  if (unknown.length > 0) {
    throw usageError('UNKNOWN_CHECK', `Unknown check ${unknown.map((u) => JSON.stringify(u)).join(', ')}.`, [
      `Checks: ${CHECK_IDS.join(', ')} (any case; the backlog's Security/SecretScan, EDA/ProcessShape select secrets and shape).`,
    ])
  }
  const wanted = new Set(names.map((v) => BY_NAME.get(normalise(v))))
  return CHECK_IDS.filter((id) => wanted.has(id))
}

/**
 * Finds the primitives, runs the checks on each and reports in a stable order. Reads only. Under --all
 * primitives are checked in input order, up to `concurrency` at once (they only overlap while codegen waits for buf),
 * and the shared proto module (packages/ameide_core_proto), when present, gets the selected buf checks alongside.
 */
export async function verifyPrimitives(request: VerifyRequest): Promise<VerifyResult> {
  const repoRoot = await realpath(request.repoRoot)
  const requested = request.selection
  const selection: Selection =
    requested.mode === 'cwd' ? {mode: 'cwd', cwd: await realpath(requested.cwd).catch(() => requested.cwd)} : requested
  const refs = await discoverPrimitives(repoRoot, selection)
  const searchPath = toolPath(repoRoot, request.envPath)
  const needsBuf = request.checks.some((c) => c === 'codegen' || c === 'buf-lint' || c === 'buf-breaking')
  const tools: VerifyTools = {
    buf: needsBuf ? await findExecutable('buf', searchPath) : null,
    path: searchPath,
    baseBranch: request.baseBranch ?? 'main',
  }

  // The checks' own modules load only when a primitive is checked (./primitive.ts, ./file-checks.ts).
  const checks = inReportOrder(request.checks)
  const fileChecks = checks.filter((id) => FILE_CHECKS.has(id))
  const toolChecks = checks.filter((id) => !FILE_CHECKS.has(id))
  const cache = request.cacheVersion === undefined ? null : VerifyCache.open(repoRoot, request.cacheVersion)
  const [primitives, sharedModule] = await Promise.all([
    (async () => {
      const files = await fileCheckResults(repoRoot, refs, fileChecks, tools, cache, request.threads ?? scanThreads())
      // The tool checks, a few primitives at a time, reading only the files they look at.
      const settled = await mapConcurrent(refs, request.concurrency ?? 8, async (ref, i) => {
        const {rels, sizes, results} = files[i]
        const lazy = lazyPrimitiveFiles(repoRoot, ref.path, rels, sizes)
        const fresh = toolChecks.length > 0 ? await toolCheckResults(repoRoot, ref, tools, toolChecks, lazy) : undefined
        const byId = new Map<CheckId, CheckResult>(fresh?.checks.map((r) => [r.id, r]))
        const ordered = checks.map((id) => byId.get(id) ?? results[id]!)
        const result: PrimitiveResult = {
          kind: ref.kind,
          name: ref.name,
          path: ref.path,
          summary: ordered.some((r) => r.status === 'fail') ? 'fail' : 'pass',
          checks: ordered,
        }
        request.onPrimitiveDone?.(result)
        return result
      })
      return settled.map((s) => {
        if (!s.ok) throw s.error
        return s.value
      })
    })(),
    selection.mode === 'all'
      ? import('./shared.js').then((m) => m.verifyShared(repoRoot, request.checks, tools))
      : null,
  ])
  if (cache) {
    if (selection.mode === 'all') cache.keepOnly(refs.map((r) => r.path))
    cache.save()
  }
  const shared = sharedModule ? [sharedModule] : []
  const summary = [...primitives, ...shared].some((p) => p.summary === 'fail') ? 'fail' : 'pass'
  const sharedFixes = sharedSteps(shared, request.checks)
  // Passing primitives' "then publish" advice would mislead while the shared module fails.
  const primitivesPass = primitives.length > 0 && primitives.every((p) => p.summary === 'pass')
  const steps = sharedFixes.length > 0 && primitivesPass ? sharedFixes : [...nextSteps(primitives), ...sharedFixes]
  return {summary, primitives, shared, nextSteps: steps}
}

/** The tool checks (`ids`) of one primitive, their modules loaded with the first. */
async function toolCheckResults(
  repoRoot: string,
  ref: PrimitiveRef,
  tools: VerifyTools,
  ids: CheckId[],
  files: SourceFile[],
): Promise<PrimitiveResult> {
  const {checksFor, verifyOne} = await import('./primitive.js')
  return verifyOne(repoRoot, ref, tools, checksFor(ids), files)
}

interface FileOutcome {
  rels: string[]
  sizes: number[]
  results: Partial<Record<CheckId, CheckResult>>
}

/**
 * The file checks of every primitive: from the cache where its files are unchanged, else as jobs spread over
 * `threads` threads (src/verify/worker.ts), whose outcomes fill the cache. In the order of `refs`.
 */
async function fileCheckResults(
  repoRoot: string,
  refs: PrimitiveRef[],
  want: CheckId[],
  tools: VerifyTools,
  cache: VerifyCache | null,
  threads: number,
): Promise<FileOutcome[]> {
  if (want.length === 0) {
    return refs.map((ref) => {
      const rels = listFilesNow(path.join(repoRoot, ref.path))
      return {rels, sizes: rels.map((rel) => statSync(path.join(repoRoot, ref.path, rel)).size), results: {}}
    })
  }
  const plans = refs.map((ref): CachePlan | {job: FileJob} =>
    cache ? cache.plan(repoRoot, ref, want) : {job: {ref, want, hash: false}},
  )
  const jobs = plans.flatMap((p) => ('job' in p ? [p.job] : []))
  const done = await mapOnThreads(jobs, {
    threads,
    // A worker costs about what 20 primitives' checks do: fewer stay on this thread.
    itemsPerWorker: 20,
    workerModule: workerEntry(
      'verify',
      new URL(`./worker${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url),
    ),
    workerData: {repoRoot, tools},
    task: (job: FileJob) => runFileJob(repoRoot, tools, job),
  })
  let next = 0
  return plans.map((plan) => {
    if ('hit' in plan) return {rels: plan.rels, sizes: plan.sizes, results: plan.hit}
    const outcome = done[next++]
    const results =
      cache && 'stats' in plan ? cache.record(plan, outcome) : Object.fromEntries(outcome.results.map((r) => [r.id, r]))
    return {rels: outcome.rels, sizes: outcome.sizes, results}
  })
}

/** True when a required tool (buf, a buf plugin) is missing: the command exits 3. */
export function missingTool(result: VerifyResult): boolean {
  return verifiedTargets(result).some((p) => p.checks.some((c) => c.findings.some((f) => f.rule === 'tool-missing')))
}

function sharedSteps(shared: SharedResult[], selected: readonly CheckId[]): string[] {
  const bufChecks = selected.filter((id) => id === 'buf-lint' || id === 'buf-breaking')
  return shared
    .filter((s) => s.summary === 'fail')
    .map((s) => {
      const failed = s.checks.filter((c) => c.status === 'fail')
      const count = failed.reduce((n, c) => n + c.findings.length, 0)
      return `Fix ${count} finding(s) in the shared proto module ${s.path} (${failed.map((c) => c.id).join(', ')}), each with its file, line and hint, then re-run: ameide primitive verify --all --check ${bufChecks.join(',')}`
    })
}

function nextSteps(primitives: PrimitiveResult[]): string[] {
  if (primitives.length === 0)
    return [
      'No primitives found under primitives/<kind>/<name>/; create one with `ameide primitive scaffold --kind K --name N`.',
    ]
  const failing = primitives.filter((p) => p.summary === 'fail')
  if (failing.length === 0) {
    return primitives.length === 1
      ? [
          `Run the primitive's own tests, then publish: ameide primitive publish --kind ${primitives[0].kind} --name ${primitives[0].name}`,
        ]
      : ["All primitives pass; run each primitive's own tests through its language's runner."]
  }
  const steps: string[] = []
  for (const p of failing) {
    const failed = p.checks.filter((c) => c.status === 'fail')
    const count = failed.reduce((n, c) => n + c.findings.length, 0)
    steps.push(
      `Fix ${count} finding(s) in ${p.path} (${failed.map((c) => c.id).join(', ')}), each with its file, line and hint, then re-run: ameide primitive verify --kind ${p.kind} --name ${p.name}`,
    )
  }
  return steps
}
