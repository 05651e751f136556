/**
 * The answer for a terminal: the verdict, one line per Application (ready, or what is missing and the command that
 * fixes it), then the findings no Application owns. Every string the revision controls goes through
 * src/core/output/untrusted.ts (one line, controls escaped).
 */
import type {Style} from '../../core/output/style.js'
import {printable as p} from '../../core/output/untrusted.js'
import type {PreviewFinding, PreviewResult} from './types.js'

export function formatPreview(r: PreviewResult, style: Style): string {
  const head = `gitops preview: pull request #${r.pr.number} at ${r.pr.headSha.slice(0, 12)}`
  const verdict = !r.previewed ? style.red('not previewed') : r.ready ? style.green('ready') : style.red('not ready')
  const out = [style.bold(`${head}: ${verdict}`)]
  if (r.pr.repositoryFrom === 'generators' && r.pr.repository !== undefined)
    out.push(
      `repository ${p(r.pr.repository)}: inferred, every pull-request generator lists it (--repository to say another)`,
    )
  for (const s of r.applicationSets) {
    out.push(
      style.dim(
        `ApplicationSet ${p(s.name)} (${p(s.file)}): ${s.previewed ? 'previews it' : p(s.reason ?? 'generates nothing for it')}`,
      ),
    )
  }
  for (const a of r.applications) {
    const mark = a.ready ? style.green('✓') : style.red('✗')
    const images = a.images.map((i) => `${p(i.ref)}${i.digest ? ` (${i.digest.slice(0, 19)}…)` : ''}${evidence(i)}`)
    out.push(`${mark} ${p(a.name)} → namespace ${p(a.namespace)}: ${a.ready ? 'ready' : 'not ready'}`)
    for (const i of images) out.push(style.dim(`    image ${i}`))
    for (const f of r.findings.filter((x) => x.application === a.name)) out.push(...findingLines(f, style, '    '))
  }
  const general = r.findings.filter((f) => f.application === undefined)
  if (general.length > 0) out.push('', 'Findings:')
  for (const f of general) out.push(...findingLines(f, style, '  '))
  return out.join('\n')
}

function findingLines(f: PreviewFinding, style: Style, indent: string): string[] {
  const mark = f.severity === 'error' ? style.red('✗') : style.yellow('!')
  const at = f.file ? ` (${p(f.file)}${f.line ? `:${f.line}` : ''})` : ''
  const lines = [`${indent}${mark} ${f.rule}: ${p(f.message)}${at}`]
  if (f.fix) lines.push(`${indent}  fix: ${p(f.fix)}`)
  return lines
}

/** `--evidence`: what each image carries, and the commit its provenance names (a re-tag names the one that built it). */
function evidence(i: PreviewResult['applications'][number]['images'][number]): string {
  const e = i.evidence
  if (!e) return ''
  const has = (ok: boolean, what: string) => `${ok ? '✓' : '✗'} ${what}`
  const commit = e.provenanceFacts?.commit ? ` built at ${p(e.provenanceFacts.commit.slice(0, 12))}` : ''
  return `  ${has(e.signed, 'signed')} ${has(e.sbom, 'sbom')} ${has(e.provenance, 'provenance')}${commit}`
}
