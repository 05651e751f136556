import {readdir, readFile, stat} from 'node:fs/promises'
import path from 'node:path'

import {toAmeideError, usageError} from '../core/errors.js'
import {mapConcurrent, registryConcurrency} from '../core/concurrency.js'
import {readSchema} from '../core/config.js'
import type {Registry} from '../effects/registry/registry.js'
import {moveMain} from './main-tag.js'
import type {FailureRecord, PublishReport} from './report.js'
import type {ShardRecord} from './shards.js'

/**
 * `ameide primitive publish merge`: the shard reports of one plan (`publish --shard I/N --json`) become the one
 * report a single run would have written (schemas/publish.schema.json, without `shard`). Checked first, all or
 * nothing: every REPORT is a shard report, they agree on the commit, registry, base and plan, every shard 1..N is
 * there once, and every component a shard owns is in its images or failures, and in no other report. Then, with
 * --update-main and only when no shard reported a failure, `:main` moves to the reported digests (publish's own
 * code, reading `:main` now: no shard ever moves it).
 */

export interface ShardReport extends PublishReport {
  shard: ShardRecord
}

export interface ShardReportFile {
  file: string
  report: ShardReport
}

/** REPORT arguments: files, or directories (every `*.json` under them, e.g. a downloaded artifact folder). */
export async function expandReportPaths(paths: readonly string[]): Promise<string[]> {
  const files: string[] = []
  for (const p of paths) {
    const info = await stat(p).catch(() => null)
    if (!info) throw usageError('SHARD_REPORT_INVALID', `${p}: no such file or directory.`)
    if (!info.isDirectory()) {
      files.push(p)
      continue
    }
    const entries = (await readdir(p, {recursive: true})) as string[]
    const found = entries.filter((e) => e.endsWith('.json')).sort()
    if (found.length === 0) throw usageError('SHARD_REPORT_INVALID', `${p}: the directory holds no *.json report.`)
    files.push(...found.map((e) => path.join(p, e)))
  }
  return files
}

/** Reads and validates the reports against schemas/publish.schema.json; each must carry `shard`. */
export async function readShardReports(paths: readonly string[]): Promise<ShardReportFile[]> {
  const files = await expandReportPaths(paths)
  const [{Ajv}, schema] = await Promise.all([import('ajv'), readSchema('publish.schema.json')])
  const validate = new Ajv({allErrors: true, strict: false}).compile(schema)
  const out: ShardReportFile[] = []
  for (const file of files) {
    let doc: unknown
    try {
      doc = JSON.parse(await readFile(file, 'utf8'))
    } catch (error) {
      throw usageError('SHARD_REPORT_INVALID', `${file} is not a JSON document (${toAmeideError(error).message}).`, [
        'Pass the files `ameide primitive publish --shard I/N --json --output FILE` wrote.',
      ])
    }
    if (!validate(doc)) {
      const first = validate.errors?.[0]
      throw usageError(
        'SHARD_REPORT_INVALID',
        `${file} is not a publish report: ${first ? `${first.instancePath || '(top level)'} ${first.message}` : 'invalid'}.`,
        ['Pass the files `ameide primitive publish --shard I/N --json --output FILE` wrote.'],
      )
    }
    const report = doc as PublishReport
    if (!report.shard) {
      throw usageError('SHARD_REPORT_INVALID', `${file} is the report of a whole run, not of a shard (no "shard").`, [
        'Only `publish --shard I/N` reports are merged; a whole run already is the one report.',
      ])
    }
    out.push({file, report: report as ShardReport})
  }
  if (out.length === 0) throw usageError('SHARD_REPORT_INVALID', 'No shard report to merge.')
  return out
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/** The checks and the combination, pure: the merged report before any `:main` move. */
export function combineShardReports(inputs: readonly ShardReportFile[]): PublishReport {
  checkReportsAgree(inputs)
  const count = inputs[0].report.shard.count
  for (const input of inputs) checkShardRecord(input, count)
  checkEveryShardOnce(inputs, count)
  checkComponentOwners(inputs)
  return mergedReport(inputs)
}

/** Every report agrees with the first on the commit, registry, base, plan and run settings. */
function checkReportsAgree(inputs: readonly ShardReportFile[]): void {
  const [first] = inputs
  const agree: Array<[string, (r: ShardReport) => unknown]> = [
    ['sha', (r) => r.sha],
    ['registry', (r) => r.registry],
    ['base', (r) => r.base],
    ['shard count', (r) => r.shard.count],
    ['plan', (r) => r.shard.plan],
    ['dryRun', (r) => r.dryRun],
    ['signing', (r) => r.signing],
    ['sbom', (r) => r.sbom],
    ['provenance', (r) => r.provenance],
  ]
  for (const {file, report} of inputs.slice(1)) {
    for (const [field, get] of agree) {
      if (!same(get(report), get(first.report))) {
        throw usageError(
          'SHARD_REPORT_MISMATCH',
          `${file} and ${first.file} disagree on ${field}: ${JSON.stringify(get(report))} vs ${JSON.stringify(get(first.report))}.`,
          [
            "Every shard publishes the same plan: the same --sha, --base (or --all), --registry, --component and signing flags, and the N of the plan's matrix.",
          ],
        )
      }
    }
  }
}

/** A report's shard is `I/N` of this plan, and it lists no component twice (in its results or in what it owns). */
function checkShardRecord({file, report}: ShardReportFile, count: number): void {
  const {id, index} = report.shard
  if (index > count || id !== `${index}/${count}`) {
    const why =
      index > count ? `shard ${index} is beyond the plan's ${count}` : `${JSON.stringify(id)} is not ${index}/${count}`
    throw usageError('SHARD_REPORT_INVALID', `${file}: ${why}.`, [
      'The report was edited or is not one of this plan: pass the reports the shard jobs wrote, unchanged.',
    ])
  }
  const ids = [...report.images.map((i) => i.component), ...report.failures.map((f) => f.component)]
  for (const list of [ids, report.shard.components]) {
    const twice = list.find((c, i) => list.indexOf(c) !== i)
    if (twice !== undefined) {
      throw usageError('COMPONENT_DUPLICATED', `${file} (shard ${id}) lists ${twice} twice.`, [
        'The report was edited or is corrupt: rerun that shard.',
      ])
    }
  }
}

/** Every shard 1..N is reported, and none twice. */
function checkEveryShardOnce(inputs: readonly ShardReportFile[], count: number): void {
  const byIndex = new Map<number, ShardReportFile>()
  for (const input of inputs) {
    const seen = byIndex.get(input.report.shard.index)
    if (seen) {
      throw usageError(
        'SHARD_DUPLICATED',
        `Shard ${input.report.shard.id} is reported twice: ${seen.file} and ${input.file}.`,
        ['Pass each shard report once (one per matrix job).'],
      )
    }
    byIndex.set(input.report.shard.index, input)
  }
  const missing = Array.from({length: count}, (_, i) => i + 1).filter((i) => !byIndex.has(i))
  if (missing.length > 0) {
    throw usageError(
      'SHARD_MISSING',
      `No report for shard ${missing.map((i) => `${i}/${count}`).join(', ')} of ${count}; got ${inputs.length} report(s).`,
      [
        'A shard job did not finish or its report was not passed: rerun the failed matrix jobs, then merge every report.',
      ],
    )
  }
}

/** Every component appears in exactly one report, the one of the shard that owns it. */
function checkComponentOwners(inputs: readonly ShardReportFile[]): void {
  const owner = new Map<string, ShardReportFile>()
  for (const input of inputs) {
    for (const id of input.report.shard.components) owner.set(id, input)
  }
  const reportedBy = new Map<string, ShardReportFile>()
  for (const input of inputs) {
    const ids = [...input.report.images.map((i) => i.component), ...input.report.failures.map((f) => f.component)]
    for (const id of new Set(ids)) {
      const earlier = reportedBy.get(id)
      if (earlier) {
        throw usageError(
          'COMPONENT_DUPLICATED',
          `${id} is reported by shard ${earlier.report.shard.id} (${earlier.file}) and shard ${input.report.shard.id} (${input.file}).`,
          ['Each component is published by the one shard that owns it; were the shards run with different plans?'],
        )
      }
      reportedBy.set(id, input)
      if (owner.get(id) !== input) {
        throw usageError(
          'SHARD_REPORT_MISMATCH',
          `${input.file} (shard ${input.report.shard.id}) reports ${id}, which its plan gives to ${owner.has(id) ? `shard ${owner.get(id)!.report.shard.id}` : 'no shard'}.`,
        )
      }
    }
  }
  for (const input of inputs) {
    const absent = input.report.shard.components.filter((id) => reportedBy.get(id) !== input)
    if (absent.length > 0) {
      throw usageError(
        'COMPONENT_MISSING',
        `${input.file} (shard ${input.report.shard.id}) owns ${absent.join(', ')} but reports neither an image nor a failure for it.`,
        ['The report is incomplete (edited, or written by an interrupted run): rerun that shard.'],
      )
    }
  }
}

/** The one report of the checked shard reports: the first's settings, every image and failure, sorted. */
function mergedReport(inputs: readonly ShardReportFile[]): PublishReport {
  const builders = [...new Set(inputs.map((i) => i.report.builder).filter((b): b is string => b !== null))].sort()
  const {shard: _shard, matrix: _matrix, ...rest} = inputs[0].report
  return {
    ...rest,
    // A shard that only re-tagged used no builder; the others say which they used.
    builder: builders.length > 0 ? builders.join(', ') : null,
    updateMain: false,
    images: inputs.flatMap((i) => i.report.images).sort((a, b) => a.component.localeCompare(b.component)),
    failures: inputs.flatMap((i) => i.report.failures).sort((a, b) => a.component.localeCompare(b.component)),
    // The shards ran side by side: the longest of them (the merge adds its own time).
    durationMs: Math.max(...inputs.map((i) => i.report.durationMs)),
  }
}

export interface MergeOptions {
  /** REPORT arguments (files or directories). */
  reports: string[]
  updateMain: boolean
  jobs: number
}

export interface MergeDeps {
  /** Only asked for with --update-main. */
  client: () => Promise<Registry>
  now?: () => number
}

export interface MergeResult {
  report: PublishReport
  /** --update-main and a shard failed: `:main` was left where it was. */
  mainHeld: boolean
}

export async function mergePublishReports(options: MergeOptions, deps: MergeDeps): Promise<MergeResult> {
  const now = deps.now ?? Date.now
  const started = now()
  const report = combineShardReports(await readShardReports(options.reports))
  if (options.updateMain && report.dryRun) {
    throw usageError('INVALID_USAGE', '--update-main with the reports of a dry run: nothing was published.', [
      'Merge the reports of the real shard runs to move :main.',
    ])
  }
  report.updateMain = options.updateMain
  let mainHeld = false
  if (options.updateMain) {
    if (report.failures.length > 0) {
      // :main moves after every shard succeeded, never partly.
      mainHeld = true
    } else {
      const client = await deps.client()
      const moves = await mapConcurrent(report.images, registryConcurrency(options.jobs), (image) =>
        moveMain(client, image),
      )
      const failures: FailureRecord[] = []
      moves.forEach((move, i) => {
        if (move.ok) return
        const e = toAmeideError(move.error)
        failures.push({component: report.images[i].component, code: e.code, message: e.message, exitCode: e.exitCode})
      })
      report.failures = failures.sort((a, b) => a.component.localeCompare(b.component))
    }
  }
  report.durationMs += now() - started
  return {report, mainHeld}
}
