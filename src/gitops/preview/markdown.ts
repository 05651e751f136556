/**
 * The answer as a pull-request comment: the verdict, a table of the Applications, the findings with their fixes.
 * Every string the revision controls goes through src/core/output/markdown.ts (no mention, HTML or link).
 */
import {mdCode, mdText} from '../../core/output/markdown.js'
import type {PreviewResult} from './types.js'

export function previewMarkdown(r: PreviewResult): string {
  const verdict = !r.previewed ? '⚪ not previewed' : r.ready ? '🟢 ready' : '🔴 not ready'
  const out = [`### Preview of pull request ${r.pr.number} at ${mdCode(r.pr.headSha)}: ${verdict}`, '']
  if (r.pr.repositoryFrom === 'generators' && r.pr.repository !== undefined)
    out.push(`Repository ${mdCode(r.pr.repository)}, inferred: every pull-request generator lists it.`, '')
  if (r.applications.length > 0) {
    out.push('| Application | Namespace | Images | Verdict |', '| --- | --- | --- | --- |')
    for (const a of r.applications) {
      const images = a.images.map((i) => `${mdCode(i.ref)}${i.exists ? '' : ' (missing)'}`).join('<br>')
      out.push(`| ${mdText(a.name)} | ${mdText(a.namespace)} | ${images || '—'} | ${a.ready ? 'ready' : 'not ready'} |`)
    }
    out.push('')
  }
  if (r.findings.length > 0) {
    out.push('**Findings**', '')
    for (const f of r.findings) {
      const where = f.application ? ` (${mdText(f.application)})` : ''
      const fix = f.fix ? ` — fix: ${mdCode(f.fix)}` : ''
      out.push(`- ${f.severity === 'error' ? '✗' : '!'} ${mdCode(f.rule)}${where}: ${mdText(f.message)}${fix}`)
    }
    out.push('')
  }
  return out.join('\n')
}
