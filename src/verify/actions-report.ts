import {cappedTable, mdCode, mdText} from '../core/output/markdown.js'
import {annotation, type ActionsReport} from '../effects/actions.js'
import {type VerifyResult, verifiedTargets} from './types.js'

/** `::error file=…,line=…,col=…,title=…::message` (or `::warning`) for every finding. */
function annotations(result: VerifyResult): string[] {
  const out: string[] = []
  for (const p of verifiedTargets(result)) {
    for (const c of p.checks) {
      for (const f of c.findings) out.push(annotation(f, `ameide verify ${c.id}: ${f.rule}`))
    }
  }
  return out
}

/** Markdown for $GITHUB_STEP_SUMMARY: one row per primitive (then shared module) and check, then the findings. */
function stepSummary(result: VerifyResult): string {
  const icon = {pass: '✅ pass', warn: '⚠️ warn', fail: '❌ fail', skip: '➖ skip'}
  const lines = [`### ameide primitive verify: ${result.summary === 'pass' ? '✅ pass' : '❌ fail'}`, '']
  lines.push('| Primitive or module | Check | Status | Findings |', '|---|---|---|---|')
  for (const p of verifiedTargets(result)) {
    for (const c of p.checks) lines.push(`| ${mdCode(p.path)} | ${c.id} | ${icon[c.status]} | ${c.findings.length} |`)
  }
  const findings = verifiedTargets(result).flatMap((p) => p.checks.flatMap((c) => c.findings.map((f) => ({c, f}))))
  lines.push(
    ...cappedTable(
      findings,
      ['| Severity | Location | Rule | Message |', '|---|---|---|---|'],
      ({c, f}) =>
        `| ${f.severity} | ${mdCode(f.line > 0 ? `${f.file}:${f.line}` : f.file)} | ${c.id}/${f.rule} | ${mdText(f.message)} |`,
      (n) => `…and ${n} more findings (see the job log).`,
    ),
  )
  return `${lines.join('\n')}\n`
}

/** Under GitHub Actions: the annotations and the step summary. */
export const actionsReport = (result: VerifyResult): ActionsReport => ({
  annotations: () => annotations(result),
  summary: () => stepSummary(result),
})
