import path from 'node:path'

import {CANONICAL_LANGUAGE} from '../primitives/kinds.js'
import {CHECKS} from './checks/index.js'
import type {PrimitiveRef} from './discover.js'
import {readPrimitiveFiles} from './files.js'
import type {
  Check,
  CheckId,
  CheckOutcome,
  CheckResult,
  Finding,
  PrimitiveContext,
  PrimitiveResult,
  SourceFile,
  VerifyTools,
} from './types.js'

/** The checks with these ids, in the stable report order. */
export function checksFor(ids: readonly CheckId[]): Check[] {
  return CHECKS.filter((c) => ids.includes(c.id))
}

/** Reads one primitive's files once (unless given) and runs the checks on them, in order. Reads only. */
export async function verifyOne(
  repoRoot: string,
  ref: PrimitiveRef,
  tools: VerifyTools,
  checks: readonly Check[],
  files: SourceFile[] = readPrimitiveFiles(repoRoot, ref.path),
): Promise<PrimitiveResult> {
  const ctx: PrimitiveContext = {
    repoRoot,
    kind: ref.kind,
    name: ref.name,
    language: CANONICAL_LANGUAGE[ref.kind],
    path: ref.path,
    dir: path.join(repoRoot, ref.path),
    files,
    byRel: new Map(files.map((f) => [f.rel, f])),
    tools,
  }
  const results: CheckResult[] = []
  for (const check of checks) {
    const skip = check.skipReason(ctx)
    if (skip !== null) {
      results.push({id: check.id, status: 'skip', note: skip, findings: []})
      continue
    }
    results.push(checkResult(check.id, await check.run(ctx)))
  }
  const summary = results.some((r) => r.status === 'fail') ? 'fail' : 'pass'
  return {kind: ref.kind, name: ref.name, path: ref.path, summary, checks: results}
}

/** A check's outcome as reported: findings sorted by position, status derived from them unless given. */
export function checkResult(id: CheckId, outcome: CheckOutcome): CheckResult {
  const findings = [...outcome.findings].sort(byPosition)
  const status = outcome.status ?? statusOf(findings)
  const skippedFiles = outcome.skippedFiles?.length ? {skippedFiles: outcome.skippedFiles} : {}
  return {id, status, ...(outcome.note ? {note: outcome.note} : {}), ...skippedFiles, findings}
}

function statusOf(findings: Finding[]): CheckResult['status'] {
  if (findings.some((f) => f.severity === 'error')) return 'fail'
  if (findings.some((f) => f.severity === 'warning')) return 'warn'
  return 'pass'
}

const byPosition = (a: Finding, b: Finding) =>
  (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
  a.line - b.line ||
  (a.column ?? 0) - (b.column ?? 0) ||
  (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0)
