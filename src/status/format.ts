import type {Style} from '../core/output/style.js'
import type {LinkState, StatusResult} from './types.js'

const MARK: Record<LinkState, string> = {
  done: '✓',
  pending: '–',
  behind: '✗',
  absent: '✗',
  failed: '✗',
  unknown: '?',
}

/**
 * Human output: per primitive a title, one line per link (✓ done, – pending PR, ✗ behind/absent/failed, ? unknown,
 * with the reason) and the next command; then a summary line.
 */
export function formatStatus(result: StatusResult, style: Style): string {
  const color = (state: LinkState, s: string) =>
    state === 'done' ? style.green(s) : state === 'pending' || state === 'unknown' ? style.yellow(s) : style.red(s)
  const lines: string[] = []
  for (const p of result.primitives) {
    lines.push(
      `${style.bold(`${p.kind}/${p.name}`)} ${style.dim(`${p.component} @ ${result.sha.slice(0, 12)}`)}  ${
        p.done ? style.green('done') : style.red('NOT DONE')
      }`,
    )
    for (const l of p.links) {
      const title = l.env ? `${l.link} ${l.env}` : l.link
      lines.push(`  ${color(l.state, MARK[l.state])} ${title.padEnd(22)} ${l.state.padEnd(8)} ${l.summary}`)
    }
    for (const step of p.nextSteps) lines.push(`  ${style.bold('next:')} ${step}`)
  }
  const done = result.primitives.filter((p) => p.done).length
  lines.push(
    `${done} of ${result.primitives.length} primitive${result.primitives.length === 1 ? '' : 's'} done` +
      style.dim(
        ` (requests: registry ${result.requests.registry}, GitHub ${result.requests.github}, Argo CD ${result.requests.argocd})`,
      ),
  )
  return lines.join('\n')
}
