import {hintsOnce} from '../core/output/hints.js'
import type {Style} from '../core/output/style.js'
import type {CheckResult, VerifyResult} from './types.js'

const MARK: Record<CheckResult['status'], string> = {pass: '✓', warn: '!', fail: '✗', skip: '–'}

/** `, shared proto module failing` / `passing`, when one was checked. */
const sharedCount = (result: VerifyResult) =>
  result.shared.length === 0
    ? ''
    : `, shared proto module ${result.shared.some((s) => s.summary === 'fail') ? 'failing' : 'passing'}`

/**
 * Human output: per primitive, then per shared module (under --all), one line per check (✓ ! ✗ –) with its findings
 * under it, then a summary line.
 */
export function formatVerify(result: VerifyResult, style: Style, maxFindingsPerCheck = 50): string {
  const lines: string[] = []
  const color = (status: CheckResult['status'], s: string) =>
    status === 'pass'
      ? style.green(s)
      : status === 'fail'
        ? style.red(s)
        : status === 'warn'
          ? style.yellow(s)
          : style.dim(s)
  const targets = [
    ...result.primitives.map((p) => ({...p, title: `${p.kind}/${p.name}`})),
    ...result.shared.map((s) => ({...s, title: 'shared proto module'})),
  ]
  for (const p of targets) {
    lines.push(
      `${style.bold(p.title)} ${style.dim(p.path)}  ${p.summary === 'pass' ? style.green('pass') : style.red('FAIL')}`,
    )
    for (const c of p.checks) {
      const counts = c.findings.length > 0 ? ` (${c.findings.length} finding${c.findings.length === 1 ? '' : 's'})` : ''
      const note = c.note ? style.dim(`  ${c.note}`) : ''
      lines.push(`  ${color(c.status, MARK[c.status])} ${c.id.padEnd(16)}${counts}${note}`)
      for (const s of c.skippedFiles ?? []) lines.push(style.dim(`      not read: ${s.file} (${s.reason})`))
      for (const f of c.findings.slice(0, maxFindingsPerCheck)) {
        const where = f.line > 0 ? `${f.file}:${f.line}${f.column ? `:${f.column}` : ''}` : f.file
        lines.push(
          `      ${f.severity === 'error' ? style.red('error') : style.yellow('warn ')} ${where} ${style.dim(`[${f.rule}]`)}`,
        )
        lines.push(`            ${f.message}`)
      }
      if (c.findings.length > maxFindingsPerCheck) {
        lines.push(style.dim(`      … and ${c.findings.length - maxFindingsPerCheck} more (use --json for all)`))
      }
    }
    lines.push('')
  }
  const failed = result.primitives.filter((p) => p.summary === 'fail').length
  const all = targets.flatMap((p) => p.checks)
  const hints = hintsOnce(
    all.flatMap((c) => c.findings.slice(0, maxFindingsPerCheck)),
    style,
  )
  if (hints.length > 0) lines.push(...hints, '')
  const errors = all.reduce((n, c) => n + c.findings.filter((f) => f.severity === 'error').length, 0)
  const warnings = all.reduce((n, c) => n + c.findings.filter((f) => f.severity === 'warning').length, 0)
  const verdict = result.summary === 'pass' ? style.green('PASS') : style.red('FAIL')
  lines.push(
    `${verdict}: ${result.primitives.length} primitive(s), ${failed} failing${sharedCount(result)}; ${errors} error(s), ${warnings} warning(s).`,
  )
  if (result.nextSteps.length > 0) {
    lines.push('', style.bold('Next steps:'))
    result.nextSteps.forEach((s, i) => lines.push(`  ${i + 1}. ${s}`))
  }
  return lines.join('\n')
}
