/**
 * The diff for a terminal: what could not be rendered, images and verdicts first, then each deployable's diffs. Every
 * string the revisions control is printed through src/core/output/untrusted.ts: names and paths on one line, controls
 * escaped (a newline in a name cannot fake a line of this output), messages with their lines indented.
 */
import type {Style} from '../../core/output/style.js'
import {printable as p, printableLines} from '../../core/output/untrusted.js'
import {describe} from './diff.js'
import {countsLine, deployableTitle, ignoredLines, noiseCounts} from './markdown.js'
import type {GitopsDiffResult} from './types.js'
import {immutableChanges, keptObjects, objectName} from './updates.js'

const env = (e: string | null | undefined) => (e == null ? '(no environment)' : p(e))
/** A message of several lines, its continuation lines indented under the first. */
const message = (m: string, indent: string) => printableLines(m).replaceAll('\n', `\n${indent}`)

export function formatGitopsDiff(r: GitopsDiffResult, style: Style): string {
  const out: string[] = [style.bold(`gitops diff: ${p(describe(r.base))} → ${p(describe(r.head))}`)]
  if (r.layout)
    out.push(
      style.dim(`Layout: ${p(r.layout.layout)} (${r.layout.source}: ${printableLines(r.layout.evidence.join('; '))})`),
    )
  out.push(...updates(r, style), ...failures(r, style), ...policy(r, style))
  out.push(
    '',
    r.summary === 'unchanged' ? `No change to what is deployed. Not changes: ${noiseCounts(r)}.` : countsLine(r),
  )
  out.push(...notApplied(r, style))
  out.push(...images(r, style), ...verdict(r, style), ...applications(r, style), ...moves(r, style))
  out.push(...kept(r, style), ...deployables(r, style))
  return out.join('\n')
}

type Section = (r: GitopsDiffResult, style: Style) => string[]

/** The updates of fields the API server refuses, first (the sync fails on them), and those the controller replaces. */
const updates: Section = (r, style) => {
  const rows = immutableChanges(r.deployables)
  if (rows.length === 0) return []
  const out = [
    '',
    style.red('Updates of immutable fields (update-refused: the sync fails unless the object is replaced):'),
  ]
  for (const {deployable: d, object: o} of rows) {
    const u = o.update!
    const fields = u.fields.map((f) => p(f.field)).join(', ')
    out.push(
      u.outcome === 'refused'
        ? `  ${style.red('✗ refused')} ${env(d.environment)} ${p(objectName(o))}: ${fields}. ${message(u.needs ?? '', '      ')}`
        : `  ${style.yellow('↻ replaced')} ${env(d.environment)} ${p(objectName(o))}: ${fields} (${p(u.replacedBy ?? '')})`,
    )
  }
  return out
}

/** The removed objects their controller leaves in the cluster. */
const kept: Section = (r, style) => {
  const rows = keptObjects(r.deployables)
  if (rows.length === 0) return []
  const out = ['', style.yellow('Removed, left in the cluster:')]
  for (const {deployable: d, object: o} of rows)
    out.push(`  ${env(d.environment)} ${p(objectName(o))}: ${message(o.prune!.why, '    ')}`)
  return out
}

/** What could not be rendered, on either revision: the diff is incomplete without it. */
const failures: Section = (r, style) => {
  if (r.failures.length === 0) return []
  const out = ['', style.red(`Not rendered (${r.failures.length}) — this diff is incomplete:`)]
  for (const f of r.failures) {
    out.push(
      `  ${style.red('✗')} [${f.revision}] ${p(f.file)}:${f.line}${f.environment ? ` (${p(f.environment)})` : ''}: ${message(f.message, '      ')}`,
    )
  }
  return out
}

/** A change to the policy file: the diff applies the base's, so the reviewer reads the policy's own diff here. */
const policy: Section = (r, style) => {
  if (!r.policy?.changed) return []
  const pol = r.policy
  const verb = !pol.present ? 'adds' : /^\+\+\+ \/dev\/null/m.test(pol.diff ?? '') ? 'removes' : 'edits'
  const out = [
    '',
    style.yellow(
      `Policy: this change ${verb} ${p(pol.file)}; the diff applies the base's ${pol.present ? p(pol.file) : "(none: ameide's defaults)"}, not the head's — review the policy change:`,
    ),
  ]
  if (pol.headInvalid) out.push(`  the head's ${p(pol.file)} is not read: ${message(pol.headInvalid, '    ')}`)
  for (const raw of (pol.diff ?? '').replace(/\n$/, '').split('\n')) if (raw) out.push(`    ${printableLines(raw)}`)
  return out
}

/** The parts of the base's ignore rules that cannot be applied offline, named. */
const notApplied: Section = (r, style) =>
  (r.noise?.notApplied ?? []).map(
    (n) => `${style.yellow('!')} ${p(n.source)}: ${p(n.what)} is not applied: ${message(n.why, '    ')}.`,
  )

/** Each image that changes, from → to, and whether the new one is pinned by digest. */
const images: Section = (r, style) => {
  if (r.images.length === 0) return []
  const out = ['', style.bold('Images')]
  for (const i of r.images) {
    const pin = i.to === null ? '' : i.pinned ? style.green(' pinned') : style.yellow(' not pinned')
    out.push(
      `  ${env(i.environment)} ${p(i.application ?? i.source)} ${p(`${i.object.kind}/${i.object.name}`)}${i.object.container ? ` (${p(i.object.container)})` : ''}: ${p(i.from ?? '—')} → ${p(i.to ?? '—')}${pin}  ${style.dim(`${p(i.file)}:${i.line}`)}`,
    )
  }
  return out
}

/** The findings the change introduces, then those it fixes. */
const verdict: Section = (r, style) => {
  if (r.verdict.fixed.length + r.verdict.introduced.length === 0) return []
  const out = ['', style.bold('Verdict')]
  const finding = (f: GitopsDiffResult['verdict']['fixed'][number]) =>
    `${p(f.rule)} ${p(f.file)}:${f.line}: ${message(f.message, '    ')}`
  for (const f of r.verdict.introduced) out.push(`  ${style.red('+ introduced')} ${finding(f)}`)
  for (const f of r.verdict.fixed) out.push(`  ${style.green('− fixed')} ${finding(f)}`)
  return out
}

/** The Applications added and removed. */
const applications: Section = (r, style) => {
  if (r.applications.added.length + r.applications.removed.length === 0) return []
  const out = ['', style.bold('Applications')]
  for (const a of r.applications.added)
    out.push(`  ${style.green('+')} ${p(a.kind)} ${p(a.name)} (${env(a.environment)})`)
  for (const a of r.applications.removed)
    out.push(`  ${style.red('−')} ${p(a.kind)} ${p(a.name)} (${env(a.environment)})`)
  return out
}

/** Deployables whose source moved: one deployable, not a removal and an addition. */
const moves: Section = (r, style) => {
  if ((r.moves ?? []).length === 0) return []
  const out = ['', style.bold('Moved (one deployable, its source moved)')]
  for (const m of r.moves) {
    out.push(`  ${p(m.application ?? m.kind)} (${env(m.environment)}): ${p(m.from || '.')} → ${p(m.to || '.')}`)
  }
  return out
}

/** Each deployable's diffs, under a heading per environment, each object's unified diff coloured line by line. */
const deployables: Section = (r, style) => {
  const out: string[] = []
  let current: string | null | undefined
  for (const d of r.deployables) {
    if (d.environment !== current || current === undefined) {
      current = d.environment
      out.push('', style.bold(`Environment ${env(d.environment)}`))
    }
    out.push(
      `  ${style.cyan(`${d.change} ${p(deployableTitle(d))}`)} +${d.counts.added} −${d.counts.removed} ~${d.counts.changed}` +
        (d.foundBy ? style.dim(` (found by ${p(d.foundBy)})`) : ''),
    )
    for (const line of [...(d.folded ? [d.folded.line] : []), ...ignoredLines(d)])
      out.push(`    ${style.dim(`≈ ${p(line)}`)}`)
    for (const o of d.objects) {
      if (o.scope === 'unknown') out.push(`    ${style.yellow('?')} ${scopeUnknown(o)}`)
      for (const raw of o.diff.replace(/\n$/, '').split('\n')) out.push(`    ${coloured(printableLines(raw), style)}`)
    }
  }
  return out
}

/** An object whose kind's scope is unknown offline: said, since it was given no namespace. */
const scopeUnknown = (o: GitopsDiffResult['deployables'][number]['objects'][number]) =>
  `${p(`${o.kind}/${o.name}`)}: its scope is unknown offline (no CRD in the revision, no known API group ${p(o.apiVersion)}): no namespace given`

/** One line of a unified diff, coloured as a terminal shows it: headers bold, additions green, removals red. */
function coloured(line: string, style: Style): string {
  return line.startsWith('+++') || line.startsWith('---')
    ? style.bold(line)
    : line.startsWith('+')
      ? style.green(line)
      : line.startsWith('-')
        ? style.red(line)
        : line.startsWith('@@')
          ? style.cyan(line)
          : line
}
