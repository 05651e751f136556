import type {Style} from '../core/output/style.js'
import type {ScaffoldResult} from './scaffold.js'

/** Human output: the file tree with created/skipped, then the next steps. */
export function formatScaffold(result: ScaffoldResult, style: Style): string {
  const created = result.files.filter((f) => f.action === 'create').length
  const skipped = result.files.length - created
  const verb = result.dryRun ? 'Would create' : 'Created'
  const lines = [
    `${style.bold(`${result.kind}/${result.name}`)} (${result.language}) in ${result.path}/${result.dryRun ? style.yellow('  [dry run: nothing written]') : ''}`,
    '',
  ]
  for (const file of result.files) {
    const relative = file.path.slice(result.path.length + 1)
    const mark =
      file.action === 'create' ? style.green(result.dryRun ? '+ create' : '+ created') : style.dim('= skipped (exists)')
    lines.push(`  ${mark.padEnd(0)}  ${relative}`)
  }
  lines.push('', `${verb} ${created} file(s), skipped ${skipped} existing.`, '', style.bold('Next steps:'))
  result.nextSteps.forEach((step, i) => lines.push(`  ${i + 1}. ${step}`))
  return lines.join('\n')
}
