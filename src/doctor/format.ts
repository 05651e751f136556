/** `ameide doctor`'s human report: one line per check, its fix and the commands that need it. */
import type {Style} from '../core/output/style.js'
import type {CheckState, DoctorCheck, DoctorResult} from './types.js'

/** ✓ ready, ! optional or degraded, ✗ a command of this repository cannot run. */
const MARK: Record<CheckState, string> = {ok: '✓', warn: '!', fail: '✗'}

/** The report. */
export function formatDoctor(result: DoctorResult, style: Style): string {
  const colour = (c: DoctorCheck) => ({ok: style.green, warn: style.yellow, fail: style.red})[c.state]
  const where = result.repository.root
    ? `${result.repository.root} (${result.repository.kind === 'none' ? 'no primitives/ or GitOps overlays' : result.repository.kind})`
    : 'outside a repository'
  const out = [style.bold(`ameide doctor: ${where}`), '', copyLine(result.ameide, style), '']
  for (const c of result.checks) {
    const mark = colour(c)(MARK[c.state])
    const state = c.status === 'ok' ? '' : ` ${colour(c)(c.status)}${c.required ? style.dim(' (required)') : ''}:`
    out.push(`${mark} ${style.bold(c.title)}${state || ':'} ${c.detail}`)
    if (c.engine && c.engine.modules.length > 0)
      out.push(
        `    ${style.dim(
          `built from: ${c.engine.modules
            .map(
              (m) =>
                `${m.path
                  .replace(/\/v\d+$/, '')
                  .split('/')
                  .pop()} ${m.version}`,
            )
            .join(', ')}`,
        )}`,
      )
    if (c.fix) out.push(`    ${style.cyan('fix')}: ${c.fix}`)
    if (c.status !== 'ok') out.push(`    ${style.dim(`needed by: ${c.neededBy.map((n) => `ameide ${n}`).join(', ')}`)}`)
  }
  out.push('', verdict(result, style))
  return out.join('\n')
}

/** The last line: ready (with how many lines are marked !), or not ready and what blocks. */
function verdict(result: DoctorResult, style: Style): string {
  const failing = result.checks.filter((c) => c.state === 'fail')
  if (failing.length > 0) return style.red(`Not ready (exit 3): ${failing.map((c) => c.title).join(', ')}.`)
  const commands = result.repository.commands.length
  const warned = result.checks.filter((c) => c.state === 'warn').length
  const notes = warned > 0 ? ` (${warned} marked ! ${warned === 1 ? 'is' : 'are'} optional or degraded)` : ''
  return style.green(
    commands > 0
      ? `Ready: everything the ${commands} commands of this repository need is usable${notes}.`
      : `Ready: ameide runs here${notes}.`,
  )
}

/** What the running copy is: a release (its sources' digest, whether its files are those packed) or a build. */
function copyLine(copy: DoctorResult['ameide'], style: Style): string {
  if (copy.origin === 'build') return `ameide ${copy.version}: ${style.dim(`a checkout's build at ${copy.root}`)}`
  const state = copy.intact ? style.green('files intact') : style.red('files changed since packing')
  return `ameide ${copy.version}: release tarball at ${copy.root}, ${state}\n    ${style.dim(`sources ${copy.sources}, contents ${copy.contents}`)}`
}
