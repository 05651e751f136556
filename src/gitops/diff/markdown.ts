/**
 * The diff as Markdown for a pull-request comment (and the Actions step summary). GitHub refuses a comment body over
 * 65,536 characters, so the summary comes first — counts, what could not be rendered, the images that move, the
 * verdict delta, Applications added and removed, a table per environment — and then each deployable's object
 * diffs, short ones open and long ones folded in <details>, for as long as they fit; what does not fit is cut with
 * a note that says how much was left out, never silently. Every string the revisions control goes through the
 * Markdown escapes of src/core/output/markdown.ts: they render as themselves, never as HTML, a link, a mention or
 * the end of a table row or of a code block.
 */
import {htmlText, mdCode, mdFence, mdText} from '../../core/output/markdown.js'
import {describe} from './diff.js'
import type {DeployableDiff, GitopsDiffResult} from './types.js'
import {immutableChanges, keptObjects, objectName} from './updates.js'

export const COMMENT_LIMIT = 65_536
/** Diffs up to this many lines are shown open; longer ones are folded. */
const OPEN_LINES = 20
/** Rows per table before the rest is counted in a note. */
const MAX_ROWS = 50
/** Lines of an ameide.yaml change shown in the summary. */
const POLICY_LINES = 80
/** Room kept for the closing note. */
const NOTE_ROOM = 400

const env = (e: string | null | undefined) => e ?? '(none)'
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

export function deployableTitle(d: DeployableDiff): string {
  const what =
    d.application !== undefined
      ? `${d.kind === 'kustomize' ? 'Application' : d.kind} ${d.application}`
      : `kustomize ${d.source || '.'}`
  const from = d.application !== undefined ? ` (${d.source || '.'})` : ''
  return `${what}${from}`
}

export function countsLine(r: GitopsDiffResult): string {
  const c = r.counts
  const parts = [
    `${plural(c.applicationsAdded, 'Application')} added, ${c.applicationsRemoved} removed`,
    `deployables: ${c.deployablesAdded} added, ${c.deployablesRemoved} removed, ${c.deployablesChanged} changed`,
    `objects +${c.objectsAdded} −${c.objectsRemoved} ~${c.objectsChanged}`,
    `${plural(c.imagesMoved, 'image')} moved`,
    `findings: ${c.findingsFixed} fixed, ${c.findingsIntroduced} introduced`,
    noiseCounts(r),
  ]
  return parts.join(' · ')
}

/** The objects folded and ignored by the base's policy: always counted, never a change. */
export function noiseCounts(r: GitopsDiffResult): string {
  const c = r.counts
  return `${plural(c.objectsFolded ?? 0, 'object')} folded (chart metadata only), ${c.objectsIgnored ?? 0} ignored by policy`
}

/** One line per rule of what a deployable's ignored objects were ignored by. */
export function ignoredLines(d: DeployableDiff): string[] {
  const byRule = new Map<string, number>()
  for (const o of d.ignored ?? []) for (const rule of o.rules) byRule.set(rule, (byRule.get(rule) ?? 0) + 1)
  return [...byRule].map(([rule, n]) => `ignored: ${plural(n, 'object')} by ${rule}`)
}

/** A table; each row's cells are Markdown already (`mdText`, `mdCode`, or ameide's own words). */
function table(header: string[], rows: string[][]): string[] {
  const out = [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`]
  for (const r of rows.slice(0, MAX_ROWS)) out.push(`| ${r.join(' | ')} |`)
  if (rows.length > MAX_ROWS)
    out.push('', `… and ${rows.length - MAX_ROWS} more rows (the full list: \`ameide gitops diff --json\`).`)
  return out
}

const fenced = (text: string) => mdFence(text, 'diff')
const where = (file: string, line: number) => mdText(`${file}:${line}`)

/** The summary: everything but the object diffs, section by section (a section with nothing to say is left out). */
export function summary(r: GitopsDiffResult): string[] {
  return [
    ...heading(r),
    ...updatesRefused(r),
    ...notRendered(r),
    ...policyChange(r),
    ...imagesMoved(r),
    ...verdictDelta(r),
    ...applicationsAddedRemoved(r),
    ...moved(r),
    ...deployablesChanged(r),
    ...removedKept(r),
    ...noiseFolded(r),
  ]
}

/** The updates of fields the API server refuses (first: the sync fails on them), and those the controller replaces. */
function updatesRefused(r: GitopsDiffResult): string[] {
  const rows = immutableChanges(r.deployables)
  if (rows.length === 0) return []
  const refused = rows.filter((x) => x.object.update?.outcome === 'refused').length
  return section('Updates of immutable fields', [
    ...(refused > 0
      ? [
          `> [!CAUTION]`,
          `> ${plural(refused, 'object')} change${refused === 1 ? 's' : ''} a field that cannot be updated (\`update-refused\`): the sync fails ("field is immutable") unless the object is replaced or recreated.`,
          '',
        ]
      : []),
    ...table(
      ['environment', 'deployable', 'object', 'immutable fields', 'outcome'],
      rows.map(({deployable: d, object: o}) => [
        mdText(env(d.environment)),
        mdText(deployableTitle(d)),
        mdText(objectName(o)),
        o.update!.fields.map((f) => mdCode(f.field)).join(', '),
        o.update!.outcome === 'refused'
          ? `**refused**: ${mdText(o.update!.needs ?? '')}`
          : `replaced (${mdText(o.update!.replacedBy ?? '')})`,
      ]),
    ),
    '',
  ])
}

/** The removed objects their controller leaves in the cluster. */
const removedKept = (r: GitopsDiffResult): string[] =>
  tableSection(
    'Removed, left in the cluster',
    ['environment', 'deployable', 'object', 'why'],
    keptObjects(r.deployables).map(({deployable: d, object: o}) => [
      mdText(env(d.environment)),
      mdText(deployableTitle(d)),
      mdText(objectName(o)),
      mdText(o.prune!.why),
    ]),
  )

/** What the base's policy folded and ignored, one line per deployable and rule; and what it could not apply. */
function noiseFolded(r: GitopsDiffResult): string[] {
  const lines = r.deployables.flatMap((d) =>
    [...(d.folded ? [d.folded.line] : []), ...ignoredLines(d)].map((line) => ({d, line})),
  )
  const notes = (r.noise?.notApplied ?? []).map(
    (n) => `- ${mdText(`${n.source}: ${n.what} is not applied: ${n.why}.`)}`,
  )
  if (lines.length + notes.length === 0) return []
  // The same fold in many deployables (a library chart's bump) is one row; every deployable's own line below it.
  const groups = new Map<string, {deployables: number; objects: number}>()
  for (const {line} of lines) {
    const m = /^(.*) on ([0-9]+) objects?$/.exec(line)
    const key = m ? m[1] : line
    const g = groups.get(key) ?? {deployables: 0, objects: 0}
    groups.set(key, {deployables: g.deployables + 1, objects: g.objects + Number(m?.[2] ?? 0)})
  }
  const rows = [...groups].map(([what, g]) => [mdText(what), String(g.deployables), String(g.objects)])
  const each = lines.map(({d, line}) => `- ${mdText(`${env(d.environment)} · ${deployableTitle(d)}: ${line}`)}`)
  return section('Folded and ignored', [
    `${mdText(noiseCounts(r))}: not changes, and out of \`--exit-code\`; any other change in an object shows it in full.`,
    '',
    ...(rows.length > 0 ? [...table(['folded', 'deployables', 'objects'], rows), ''] : []),
    ...(each.length > 0
      ? [
          `<details><summary>${plural(each.length, 'line')}, one per deployable and rule</summary>`,
          '',
          ...each,
          '',
          '</details>',
          '',
        ]
      : []),
    ...(notes.length > 0 ? ['Not applied:', '', ...notes, ''] : []),
  ])
}

/** A section: its title, then its lines. */
const section = (title: string, lines: string[]): string[] => [`### ${title}`, '', ...lines]

/** A section that is one table: nothing when it has no row. */
const tableSection = (title: string, header: string[], rows: string[][]): string[] =>
  rows.length === 0 ? [] : section(title, [...table(header, rows), ''])

function heading(r: GitopsDiffResult): string[] {
  const out: string[] = [`## ameide gitops diff: ${mdText(describe(r.base))} → ${mdText(describe(r.head))}`, '']
  if (r.summary === 'incomplete') {
    out.push(
      `> [!WARNING]`,
      `> ${plural(r.failures.length, 'deployable or generator')} could not be rendered: this diff is incomplete (exit 1).`,
      '',
    )
  }
  out.push(
    r.summary === 'unchanged'
      ? `**No change to what is deployed.** Not changes: ${noiseCounts(r)}.`
      : `**${countsLine(r)}**`,
    '',
  )
  return out
}

const notRendered = (r: GitopsDiffResult): string[] =>
  tableSection(
    'Not rendered',
    ['revision', 'environment', 'where', 'why'],
    r.failures.map((f) => [f.revision, mdText(env(f.environment)), where(f.file, f.line), mdText(f.message)]),
  )

function policyChange(r: GitopsDiffResult): string[] {
  const policy = r.policy
  if (!policy?.changed) return []
  const verb = !policy.present ? 'adds' : /^\+\+\+ \/dev\/null/m.test(policy.diff ?? '') ? 'removes' : 'edits'
  const out = [
    `> [!IMPORTANT]`,
    `> This change ${verb} ${mdCode(policy.file)}. This diff applies the base's policy (masking, zones, rules), not the head's: review the policy change itself.`,
    '',
  ]
  if (policy.headInvalid) out.push(`The head's ${mdCode(policy.file)} is not read: ${mdText(policy.headInvalid)}`, '')
  const lines = (policy.diff ?? '').replace(/\n$/, '').split('\n')
  out.push(fenced(lines.slice(0, POLICY_LINES).join('\n')), '')
  if (lines.length > POLICY_LINES) {
    out.push(
      `… and ${lines.length - POLICY_LINES} more lines of the policy change (\`ameide gitops diff --json\`).`,
      '',
    )
  }
  return section('Policy change', out)
}

const imagesMoved = (r: GitopsDiffResult): string[] =>
  tableSection(
    'Images',
    ['environment', 'deployable', 'object', 'from', 'to', 'pinned', 'decided by'],
    r.images.map((i) => [
      mdText(env(i.environment)),
      mdText(i.application ?? i.source),
      mdText(`${i.object.kind} ${i.object.name}${i.object.container ? ` (${i.object.container})` : ''}`),
      i.from === null ? '—' : mdCode(i.from),
      i.to === null ? '—' : mdCode(i.to),
      i.to === null ? '—' : i.pinned ? 'yes' : '**no**',
      where(i.file, i.line),
    ]),
  )

function verdictDelta(r: GitopsDiffResult): string[] {
  const row = (change: string, f: GitopsDiffResult['verdict']['fixed'][number]) => [
    change,
    mdText(f.rule),
    mdText(env(f.environment)),
    where(f.file, f.line),
    mdText(f.message),
  ]
  const rows = [
    ...r.verdict.introduced.map((f) => row('introduced', f)),
    ...r.verdict.fixed.map((f) => row('fixed', f)),
  ]
  return tableSection('Verdict', ['', 'rule', 'environment', 'where', 'finding'], rows)
}

function applicationsAddedRemoved(r: GitopsDiffResult): string[] {
  const row = (change: string, a: GitopsDiffResult['applications']['added'][number]) => [
    change,
    mdText(a.kind),
    mdText(a.name),
    mdText(env(a.environment)),
  ]
  const rows = [
    ...r.applications.added.map((a) => row('added', a)),
    ...r.applications.removed.map((a) => row('removed', a)),
  ]
  return tableSection('Applications', ['', 'kind', 'name', 'environment'], rows)
}

const moved = (r: GitopsDiffResult): string[] =>
  tableSection(
    'Moved',
    ['environment', 'deployable', 'from', 'to'],
    (r.moves ?? []).map((m) => [
      mdText(env(m.environment)),
      mdText(m.application ?? m.kind),
      mdText(m.from || '.'),
      mdText(m.to || '.'),
    ]),
  )

const deployablesChanged = (r: GitopsDiffResult): string[] =>
  tableSection(
    'Deployables',
    ['environment', 'deployable', 'change', 'objects'],
    r.deployables.map((d) => [
      mdText(env(d.environment)),
      mdText(deployableTitle(d)),
      d.objects.length === 0 && d.change === 'changed' ? 'folded only' : d.change,
      `+${d.counts.added} −${d.counts.removed} ~${d.counts.changed}`,
    ]),
  )

/** One deployable's diffs, open when short, folded when long. */
export function block(d: DeployableDiff): string {
  const text = d.objects.map((o) => o.diff).join('')
  const lines = text.split('\n').length
  const head = `${env(d.environment)} · ${deployableTitle(d)} · ${d.change} (+${d.counts.added} −${d.counts.removed} ~${d.counts.changed})`
  if (lines <= OPEN_LINES) return `#### ${mdText(head)}\n\n${fenced(text)}\n\n`
  return `<details><summary>${htmlText(head)} · ${plural(lines, 'line')}</summary>\n\n${fenced(text)}\n\n</details>\n\n`
}

/** The Markdown, at most `limit` characters; `truncated`: something was cut (and a note says so). */
export function renderMarkdown(r: GitopsDiffResult, limit = COMMENT_LIMIT): {markdown: string; truncated: boolean} {
  let md = `${summary(r).join('\n')}\n`
  if (md.length > limit - NOTE_ROOM) {
    // Cut at a line's end: never inside an escape, an entity or a code span.
    md = `${md.slice(0, md.lastIndexOf('\n', limit - NOTE_ROOM) + 1)}\n> [!NOTE]\n> The summary was cut at ${limit - NOTE_ROOM} characters to fit a pull-request comment; the full diff: \`ameide gitops diff --json\`.\n`
    return {markdown: md, truncated: true}
  }
  const withDiffs = r.deployables.filter((d) => d.objects.length > 0)
  if (withDiffs.length > 0) md += '### Object diffs\n\n'
  let shown = 0
  let partial = false
  for (const d of withDiffs) {
    const b = block(d)
    if (md.length + b.length <= limit - NOTE_ROOM) {
      md += b
      shown++
      continue
    }
    // The first block that does not fit is cut at a line, its fence and folding closed, when a useful part fits.
    const room = limit - NOTE_ROOM - md.length - 200
    if (room > 1000) {
      const text = d.objects.map((o) => o.diff).join('')
      const cut = text.slice(0, text.lastIndexOf('\n', room) + 1)
      md += `<details><summary>${htmlText(`${env(d.environment)} · ${deployableTitle(d)} · ${d.change}`)} (cut)</summary>\n\n${fenced(cut)}\n\n</details>\n\n`
      partial = true
    }
    break
  }
  const left = withDiffs.length - shown
  if (left > 0) {
    const what = partial
      ? `${left} deployables' diffs were cut or left out (one shown in part)`
      : `${left} deployables' diffs were left out`
    md += `> [!NOTE]\n> Truncated to fit a pull-request comment (${limit} characters): ${what}. The full diff: \`ameide gitops diff --json\`.\n`
  }
  return {markdown: md, truncated: left > 0}
}
