import {hintsOnce} from '../../core/output/hints.js'
import type {Style} from '../../core/output/style.js'
import {cappedTable, mdCode, mdText} from '../../core/output/markdown.js'
import {printable as p, printableLines} from '../../core/output/untrusted.js'
import {annotation, type ActionsReport} from '../../effects/actions.js'
import {describeEvidence} from '../evidence/examine.js'
import {RULES} from '../rules/index.js'
import type {LayoutReport} from '../layout/index.js'
import type {LayoutDetection} from '../layout/detect.js'
import type {GitopsVerifyResult} from './verify.js'

/**
 * Human output of --print-layout: one line per YAML file (zone, environment, pinned or not), then a summary. Here and
 * in the verdict, the checkout's strings (paths, names, messages) go through src/core/output/untrusted.ts: controls
 * escaped, a name on one line.
 */
export function formatLayout(layout: LayoutReport, style: Style): string {
  const width = Math.max(0, ...layout.files.map((f) => f.file.length))
  const lines = [
    ...(layout.detection ? formatDetection(layout.detection, style) : []),
    style.bold(`Layout (preset ${layout.preset}); environments: ${layout.environments.join(', ') || 'none'}`),
    ...layoutFiles(layout, style, width),
  ]
  if (layout.renderTools) {
    const t = layout.renderTools
    lines.push(
      '',
      `Renderers: helm ${t.helm ?? 'not built'}, kustomize ${t.kustomize ?? 'not built'} (the render module).`,
    )
  }
  lines.push(...renderSections(layout, style, width), ...applicationSets(layout, style))
  return lines.join('\n')
}

/** One line per YAML file (its zone, environment, pinned or not), then how many the gate reads. */
function layoutFiles(layout: LayoutReport, style: Style, width: number): string[] {
  const lines: string[] = []
  const zoneWidth = Math.max(
    8,
    ...layout.files.map((f) => (f.zone === 'overlay' ? 8 + f.env!.length : (f.zone ?? '').length)),
  )
  for (const f of layout.files) {
    const zone = (f.zone === null ? 'not read' : f.zone === 'overlay' ? `overlay ${f.env}` : f.zone).padEnd(zoneWidth)
    const pin = f.pinning ? style.green('digest required') : f.zone === null ? '' : style.dim('no digest required')
    lines.push(`  ${p(f.file).padEnd(width)}  ${f.zone === null ? style.dim(zone) : zone}  ${pin}`.trimEnd())
  }
  const read = layout.files.filter((f) => f.zone !== null).length
  const pinning = layout.files.filter((f) => f.pinning).length
  lines.push(
    '',
    `${layout.files.length} YAML file(s): ${read} read by the gate, ${pinning} of them checked for pinning, ` +
      `${layout.files.length - read} outside the layout.`,
  )
  return lines
}

/** A section of the layout: a blank line, its bold title, then each item's lines; nothing when it has no item. */
function section<T>(
  style: Style,
  title: string,
  items: readonly T[] | undefined,
  lines: (item: T) => string | string[],
): string[] {
  return items?.length ? ['', style.bold(title), ...items.flatMap(lines)] : []
}

/**
 * What --render found, a section each: the Helm charts with the Application or HelmRelease that deploys each, the
 * plain folders Applications deploy with how many files each holds, and the kustomize roots with the rule or object
 * that made each one a root. A row: the place, its environment, then (dimmed) where it comes from.
 */
function renderSections(layout: LayoutReport, style: Style, width: number): string[] {
  const row = (place: string, environment: string, from: string) =>
    `  ${place.padEnd(width)}  ${environment}${style.dim(from)}`
  return [
    ...section(style, 'Helm deployables (--render)', layout.renderDeployables, (d) =>
      row(p(d.chart || '.'), p(d.environment ?? '-'), ` (${d.kind} ${p(d.application)}: ${p(d.declaredIn)})`),
    ),
    ...section(style, 'Directory sources (--render)', layout.renderDirectories, (d) =>
      row(
        d.dir || '.',
        d.environment ?? '-',
        ` (Application ${d.application}: ${d.declaredIn}; ${d.files.length} file(s))`,
      ),
    ),
    ...section(style, 'Render roots (--render)', layout.renderRoots, (r) => {
      const how = r.rule ? `${r.via}, ${p(r.rule)}` : r.via
      return row(p(r.dir || '.'), p(r.environment ?? '-'), r.declaredIn ? ` (${how}: ${p(r.declaredIn)})` : ` (${how})`)
    }),
  ]
}

/** Each ApplicationSet: the Applications it generates (name, environment, sources), what was not rendered, errors. */
function applicationSets(layout: LayoutReport, style: Style): string[] {
  return section(style, 'ApplicationSets (evaluated offline)', layout.applicationSets, (s) => {
    const lines = [`  ${p(s.file)}:${s.line}  ${p(s.name)}  ${style.dim(`${s.applications.length} Application(s)`)}`]
    const nameWidth = Math.max(0, ...s.applications.map((a) => a.name.length))
    const envWidth = Math.max(1, ...s.applications.map((a) => (a.environment ?? '-').length))
    for (const a of s.applications) {
      const sources = a.sources
        .map((src) => {
          const what = p(src.chart ? `chart ${src.chart}` : (src.path ?? '-'))
          return src.valueFiles.length > 0 ? `${what} ${style.dim(`values ${p(src.valueFiles.join(', '))}`)}` : what
        })
        .join('; ')
      lines.push(
        `    ${p(a.name).padEnd(nameWidth)}  ${p(a.environment ?? '-').padEnd(envWidth)}  ${sources}`.trimEnd(),
      )
    }
    for (const n of s.notRendered) {
      lines.push(`    ${style.yellow('not rendered')} ${p(n.generator)} (line ${n.line}): ${printableLines(n.why)}`)
    }
    for (const e of s.errors) lines.push(`    ${style.red('error')} (line ${e.line}): ${printableLines(e.message)}`)
    return lines
  })
}

/**
 * Human output: the layout used (detected or configured, and why), findings grouped by file, one line each, the
 * hints once per rule, then evidence and a summary line.
 */
export function formatGitopsVerify(result: GitopsVerifyResult, style: Style): string {
  const lines: string[] = result.detection ? [...formatDetection(result.detection, style), ''] : []
  lines.push(...findingLines(result.findings, style))
  const gap = () => (lines.length > 0 ? [''] : [])
  if (result.evidence) lines.push(...gap(), ...evidenceLines(result.evidence, style))
  if (result.render) lines.push(...gap(), ...renderLines(result.render, style))
  for (const s of result.files.skipped) lines.push(style.dim(`skipped ${p(s.file)}: ${printableLines(s.reason)}`))
  const hints = hintsOnce(result.findings, style)
  if (hints.length > 0) lines.push(...gap(), ...hints)
  if (lines.length > 0) lines.push('')
  const counts = Object.entries(result.counts)
    .map(([rule, n]) => `${rule} ${n}`)
    .join(', ')
  const verdict = result.summary === 'pass' ? style.green('PASS') : style.red('FAIL')
  lines.push(
    `${verdict}: ${result.files.checked} file(s) checked, ${result.files.skipped.length} skipped; ` +
      `${result.findings.length} finding(s)${counts ? ` (${counts})` : ''}.`,
  )
  return lines.join('\n')
}

/** The findings grouped by file, one line each, and the rendered object and environment a finding is about. */
function findingLines(findings: GitopsVerifyResult['findings'], style: Style): string[] {
  const lines: string[] = []
  let file: string | undefined
  for (const f of findings) {
    if (f.file !== file) {
      if (file !== undefined) lines.push('')
      file = f.file
      lines.push(style.bold(p(f.file)))
    }
    const where = f.line > 0 ? `${f.line}:${f.column}` : '-'
    const severity = f.severity === 'warning' ? style.yellow('warning') : style.red('error')
    lines.push(`  ${where.padEnd(8)} ${severity} ${printableLines(f.message)} ${style.dim(`[${f.rule}]`)}`)
    if (f.object || f.environment) {
      const o = f.object
      const object = o
        ? p(
            `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}${o.container ? ` container ${o.container}` : ''}`,
          )
        : ''
      const env = f.environment ? `environment ${p(f.environment)}` : ''
      lines.push(`  ${' '.repeat(8)} ${style.cyan('rendered')}: ${[object, env].filter(Boolean).join(', ')}`)
    }
  }
  return lines
}

/** Each digest's evidence: signed, SBOM and provenance marked, and what the evidence says. */
function evidenceLines(evidence: NonNullable<GitopsVerifyResult['evidence']>, style: Style): string[] {
  const lines = [style.bold(`Evidence (${evidence.length} digest${evidence.length === 1 ? '' : 's'})`)]
  for (const e of evidence) {
    const mark = (ok: boolean, what: string) => (ok ? style.green(`✓ ${what}`) : style.red(`✗ ${what}`))
    const says = describeEvidence(e)
    lines.push(
      `  ${mark(e.signed, 'signed')} ${mark(e.sbom, 'sbom')} ${mark(e.provenance, 'provenance')}  ${p(e.image)}` +
        (says ? `  ${style.dim(says)}` : ''),
    )
  }
  return lines
}

/** What --render rendered: the tools, each root, chart and folder with its status, then the objects judged. */
function renderLines(r: NonNullable<GitopsVerifyResult['render']>, style: Style): string[] {
  const lines = [
    style.bold(
      `Rendered (Kubernetes ${r.kubernetesVersion} schemas; helm ${r.tools.helm ?? 'not built'}, kustomize ${r.tools.kustomize}${r.tools.jsonnet ? `, jsonnet ${r.tools.jsonnet}` : ''}; ${r.tools.sandbox ? `confined by ${r.tools.sandbox}` : 'the render module is not built: nothing rendered'})`,
    ),
  ]
  for (const root of r.roots) {
    lines.push(
      `  ${root.status.padEnd(11)} ${p(root.dir || '.')}  ${style.dim(`${p(root.environment ?? '-')}, ${root.objects} object(s)`)}`,
    )
  }
  for (const d of r.deployables) {
    lines.push(
      `  ${d.status.padEnd(11)} chart ${p(d.chart || '.')} as ${d.kind} ${p(d.application)}  ${style.dim(`${p(d.environment ?? '-')}, ${d.objects} object(s), ${p(d.declaredIn)}`)}`,
    )
  }
  for (const d of r.directories) {
    lines.push(
      `  ${d.status.padEnd(11)} folder ${p(d.dir || '.')} as Application ${p(d.application)}  ${style.dim(`${p(d.environment ?? '-')}, ${d.objects} object(s), ${p(d.declaredIn)}`)}`,
    )
  }
  const kinds = r.unknownKinds.map((k) => `${p(k.kind)} (${p(k.apiVersion)}) ×${k.count}`).join(', ')
  lines.push(`  ${r.objects} object(s), ${r.containers} container(s) judged${kinds ? `; no schema for ${kinds}` : ''}.`)
  return lines
}

/** The layout used: `Layout: flux (detected; preset flux, image contract split)` and each piece of evidence. */
export function formatDetection(d: LayoutDetection, style: Style): string[] {
  const how = d.source === 'detected' ? 'detected' : 'ameide.yaml'
  return [
    `${style.bold('Layout')}: ${d.layout} (${how}; preset ${d.preset}, image contract ${d.imageContract})`,
    ...d.evidence.map((e) => style.dim(`  ${e}`)),
  ]
}

/** Markdown for $GITHUB_STEP_SUMMARY: counts per rule, then the findings. */
function gitopsStepSummary(result: GitopsVerifyResult): string {
  const lines = [`### ameide gitops verify: ${result.summary === 'pass' ? '✅ pass' : '❌ fail'}`, '']
  lines.push(`${result.files.checked} files checked, ${result.files.skipped.length} skipped.`, '')
  lines.push('| Rule | Findings | What it means |', '|---|---|---|')
  for (const rule of result.rules)
    lines.push(`| ${rule} | ${result.counts[rule] ?? 0} | ${mdText(RULES[rule].title)} |`)
  lines.push(
    ...cappedTable(
      result.findings,
      ['| Location | Rule | Message |', '|---|---|---|'],
      (f) => `| ${mdCode(f.line > 0 ? `${f.file}:${f.line}` : f.file)} | ${f.rule} | ${mdText(f.message)} |`,
      (n) => `…and ${n} more (see the job log).`,
    ),
  )
  return `${lines.join('\n')}\n`
}

/** Under GitHub Actions: an annotation per finding, and the step summary. */
export const gitopsActionsReport = (result: GitopsVerifyResult): ActionsReport => ({
  annotations: () => result.findings.map((f) => annotation(f, `ameide gitops verify: ${f.rule}`)),
  summary: () => gitopsStepSummary(result),
})
