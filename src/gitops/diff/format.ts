/** The diff for a terminal: what could not be rendered, images and verdicts first, then each deployable's diffs. */
import type {Style} from '../../core/output/style.js'
import {describe} from './diff.js'
import {countsLine, deployableTitle} from './markdown.js'
import type {GitopsDiffResult} from './types.js'

const env = (e: string | null | undefined) => e ?? '(no environment)'

export function formatGitopsDiff(r: GitopsDiffResult, style: Style): string {
  const out: string[] = [style.bold(`gitops diff: ${describe(r.base)} → ${describe(r.head)}`)]
  if (r.layout) out.push(style.dim(`Layout: ${r.layout.layout} (${r.layout.source}: ${r.layout.evidence.join('; ')})`))
  if (r.failures.length > 0) {
    out.push('', style.red(`Not rendered (${r.failures.length}) — this diff is incomplete:`))
    for (const f of r.failures) {
      out.push(
        `  ${style.red('✗')} [${f.revision}] ${f.file}:${f.line}${f.environment ? ` (${f.environment})` : ''}: ${f.message}`,
      )
    }
  }
  out.push('', r.summary === 'unchanged' ? 'No change to what is deployed.' : countsLine(r))
  if (r.images.length > 0) {
    out.push('', style.bold('Images'))
    for (const i of r.images) {
      const pin = i.to === null ? '' : i.pinned ? style.green(' pinned') : style.yellow(' not pinned')
      out.push(
        `  ${env(i.environment)} ${i.application ?? i.source} ${i.object.kind}/${i.object.name}${i.object.container ? ` (${i.object.container})` : ''}: ${i.from ?? '—'} → ${i.to ?? '—'}${pin}  ${style.dim(`${i.file}:${i.line}`)}`,
      )
    }
  }
  if (r.verdict.fixed.length + r.verdict.introduced.length > 0) {
    out.push('', style.bold('Verdict'))
    for (const f of r.verdict.introduced)
      out.push(`  ${style.red('+ introduced')} ${f.rule} ${f.file}:${f.line}: ${f.message}`)
    for (const f of r.verdict.fixed) out.push(`  ${style.green('− fixed')} ${f.rule} ${f.file}:${f.line}: ${f.message}`)
  }
  if (r.applications.added.length + r.applications.removed.length > 0) {
    out.push('', style.bold('Applications'))
    for (const a of r.applications.added) out.push(`  ${style.green('+')} ${a.kind} ${a.name} (${env(a.environment)})`)
    for (const a of r.applications.removed) out.push(`  ${style.red('−')} ${a.kind} ${a.name} (${env(a.environment)})`)
  }
  let current: string | null | undefined
  for (const d of r.deployables) {
    if (d.environment !== current || current === undefined) {
      current = d.environment
      out.push('', style.bold(`Environment ${env(d.environment)}`))
    }
    out.push(
      `  ${style.cyan(`${d.change} ${deployableTitle(d)}`)} +${d.counts.added} −${d.counts.removed} ~${d.counts.changed}`,
    )
    for (const o of d.objects) {
      for (const line of o.diff.replace(/\n$/, '').split('\n')) {
        const coloured =
          line.startsWith('+++') || line.startsWith('---')
            ? style.bold(line)
            : line.startsWith('+')
              ? style.green(line)
              : line.startsWith('-')
                ? style.red(line)
                : line.startsWith('@@')
                  ? style.cyan(line)
                  : line
        out.push(`    ${coloured}`)
      }
    }
  }
  return out.join('\n')
}
