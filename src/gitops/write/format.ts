import type {Style} from '../../core/output/style.js'
import type {WriteResult} from './write.js'

/** Human output: each change (file:line component from → to), what was left as it was, what was not found. */
export function formatWrite(result: WriteResult, style: Style): string {
  const lines: string[] = []
  const target = result.from ? `${result.from} → ${result.env}` : result.env
  if (result.recovered) lines.push(style.yellow(describeRecovery(result.recovered)), '')
  if (result.diff) lines.push(result.diff.trimEnd(), '')
  for (const c of result.changes) {
    lines.push(`${style.green('~')} ${c.file}:${c.line} ${c.component ?? c.repository}`)
    lines.push(`    ${style.dim(c.from)}`, `  → ${c.to}`, style.dim(`    as ${c.convention.form}: ${c.convention.why}`))
  }
  for (const u of result.unchanged)
    lines.push(style.dim(`= ${u.file}:${u.line} ${u.component ?? u.repository} already ${u.ref}`))
  for (const n of result.notFound) {
    lines.push(style.yellow(`? ${n.component ?? n.repository}: no reference to ${n.repository} in ${result.env}`))
  }
  for (const s of result.skipped) lines.push(style.yellow(`- ${s.component}: skipped, ${s.reason}`))
  if (result.pullRequest)
    lines.push(`PR #${result.pullRequest.number} ${result.pullRequest.action}: ${result.pullRequest.url}`)
  const verb = {applied: 'changed', planned: 'would change', none: 'nothing to change:'}[result.status]
  const n = result.changes.length
  lines.push(
    `${target}: ${verb} ${result.status === 'none' ? 'every reference is current' : `${n} reference${n === 1 ? '' : 's'} in ${result.files.length} file(s)`}` +
      `; ${result.unchanged.length} unchanged, ${result.notFound.length} not found, ${result.skipped.length} skipped.`,
  )
  return lines.join('\n')
}

/** One line on what was done about an interrupted earlier write. */
function describeRecovery(r: NonNullable<WriteResult['recovered']>): string {
  const who = r.pid === null ? 'an interrupted write' : `the write of process ${r.pid}, which was interrupted`
  const files = r.files.length === 1 ? '1 file' : `${r.files.length} files`
  const removed = r.removed === 1 ? '1 leftover temporary' : `${r.removed} leftover temporaries`
  return r.action === 'rolled-forward'
    ? `! Finished ${who}: ${files} written (${r.files.join(', ') || 'all were already'}), ${removed} removed.`
    : `! Undid ${who}: no file of it had been replaced; ${removed} removed.`
}
