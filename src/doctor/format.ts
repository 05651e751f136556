/** `ameide doctor`'s human report: one line per check, its fix and the commands that need it. */
import type {Style} from '../core/output/style.js'
import type {DoctorCheck, DoctorResult} from './types.js'

const MARK: Record<DoctorCheck['status'], string> = {ok: '✓', missing: '✗', unusable: '!', unknown: '?'}

export function formatDoctor(result: DoctorResult, style: Style): string {
  const colour = (c: DoctorCheck) =>
    c.status === 'ok' ? style.green : c.status === 'unknown' || !c.required ? style.yellow : style.red
  const where = result.repository.root
    ? `${result.repository.root} (${result.repository.kind === 'none' ? 'no primitives/ or GitOps overlays' : result.repository.kind})`
    : 'outside a repository'
  const out = [style.bold(`ameide doctor: ${where}`), '', copyLine(result.ameide, style), '']
  for (const c of result.checks) {
    const mark = colour(c)(MARK[c.status])
    const state = c.status === 'ok' ? '' : ` ${colour(c)(c.status)}${c.required ? style.dim(' (required)') : ''}:`
    out.push(`${mark} ${style.bold(c.title)}${state || ':'} ${c.detail}`)
    if (c.engine && c.engine.libraries.length > 0)
      out.push(
        `    ${style.dim(`built from: ${c.engine.libraries.map((l) => `${l.package.replace(/^golang-|-dev$/g, '')} ${l.version}`).join(', ')}`)}`,
      )
    if (c.fix) out.push(`    ${style.cyan('fix')}: ${c.fix}`)
    if (c.status !== 'ok') out.push(`    ${style.dim(`needed by: ${c.neededBy.map((n) => `ameide ${n}`).join(', ')}`)}`)
  }
  out.push('')
  const blocking = result.checks.filter((c) => c.required && c.status !== 'ok')
  if (result.ready) {
    const commands = result.repository.commands.length
    out.push(
      style.green(
        commands > 0
          ? `Ready: everything the ${commands} commands of this repository need is usable.`
          : 'Ready: ameide runs here.',
      ),
    )
  } else {
    out.push(style.red(`Not ready (exit 3): ${blocking.map((c) => c.title).join(', ')}.`))
  }
  return out.join('\n')
}

/** What the running copy is: a release (its sources' digest, whether its files are those packed) or a build. */
function copyLine(copy: DoctorResult['ameide'], style: Style): string {
  if (copy.origin === 'build') return `ameide ${copy.version}: ${style.dim(`a checkout's build at ${copy.root}`)}`
  const state = copy.intact ? style.green('files intact') : style.red('files changed since packing')
  return `ameide ${copy.version}: release tarball at ${copy.root}, ${state}\n    ${style.dim(`sources ${copy.sources}, contents ${copy.contents}`)}`
}
