import {mdCode, mdText} from '../core/output/markdown.js'
import {annotation, appendStepSummary, inActions} from '../effects/actions.js'
import {type VerifyResult, verifiedTargets} from './types.js'

/** `::error file=…,line=…,col=…,title=…::message` (or `::warning`) for every finding. */
export function annotations(result: VerifyResult): string[] {
  const out: string[] = []
  for (const p of verifiedTargets(result)) {
    for (const c of p.checks) {
      for (const f of c.findings) out.push(annotation(f, `ameide verify ${c.id}: ${f.rule}`))
    }
  }
  return out
}

/** Markdown for $GITHUB_STEP_SUMMARY: one row per primitive (then shared module) and check, then the findings. */
export function stepSummary(result: VerifyResult): string {
  const icon = {pass: '✅ pass', warn: '⚠️ warn', fail: '❌ fail', skip: '➖ skip'}
  const lines = [`### ameide primitive verify: ${result.summary === 'pass' ? '✅ pass' : '❌ fail'}`, '']
  lines.push('| Primitive or module | Check | Status | Findings |', '|---|---|---|---|')
  for (const p of verifiedTargets(result)) {
    for (const c of p.checks) lines.push(`| ${mdCode(p.path)} | ${c.id} | ${icon[c.status]} | ${c.findings.length} |`)
  }
  const findings = verifiedTargets(result).flatMap((p) => p.checks.flatMap((c) => c.findings.map((f) => ({c, f}))))
  if (findings.length > 0) {
    lines.push('', '| Severity | Location | Rule | Message |', '|---|---|---|---|')
    for (const {c, f} of findings.slice(0, 200)) {
      const where = f.line > 0 ? `${f.file}:${f.line}` : f.file
      lines.push(`| ${f.severity} | ${mdCode(where)} | ${c.id}/${f.rule} | ${mdText(f.message)} |`)
    }
    if (findings.length > 200) lines.push('', `…and ${findings.length - 200} more findings (see the job log).`)
  }
  return `${lines.join('\n')}\n`
}

/** Under GitHub Actions: annotations on stderr and the summary table appended to $GITHUB_STEP_SUMMARY. */
export async function reportToGitHubActions(
  result: VerifyResult,
  env: NodeJS.ProcessEnv,
  write: (line: string) => void,
): Promise<void> {
  if (!inActions(env)) return
  for (const line of annotations(result)) write(line)
  await appendStepSummary(env, stepSummary(result))
}
