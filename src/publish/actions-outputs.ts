import {mdCode, mdText} from '../core/output/markdown.js'
import {appendOutputs, appendStepSummary, inActions} from '../effects/actions.js'

import type {PublishReport} from './report.js'

/**
 * Under GitHub Actions: `$GITHUB_OUTPUT` gets `images` (the images array as JSON, one line), one output per
 * component (`<kind>-<name>` = its ref), `failed`, and for a dry run `matrix`; `$GITHUB_STEP_SUMMARY` gets a
 * markdown table. Outside Actions nothing.
 */
export async function writeGithubOutputs(
  report: PublishReport,
  env: Record<string, string | undefined>,
): Promise<boolean> {
  if (!inActions(env)) return false
  await appendOutputs(env, [
    {name: 'images', value: JSON.stringify(report.images), block: true},
    ...report.images.filter((i) => i.ref).map((i) => ({name: i.component, value: i.ref!})),
    {name: 'failed', value: String(report.failures.length > 0)},
    // The dry run's shard matrix, one line: `strategy.matrix: ${{ fromJSON(needs.<job>.outputs.matrix) }}`.
    ...(report.matrix ? [{name: 'matrix', value: JSON.stringify(report.matrix)}] : []),
  ])
  await appendStepSummary(env, summaryMarkdown(report))
  return true
}

export function summaryMarkdown(report: PublishReport): string {
  const lines = [
    `### ameide primitive publish${report.shard ? ` (shard ${report.shard.id})` : ''}${report.dryRun ? ' (dry run)' : ''}: \`${report.sha.slice(0, 12)}\``,
    '',
    `Base: ${report.base ? `\`${report.base.slice(0, 12)}\` (${report.baseDescription})` : report.baseDescription}. Registry: \`${report.registry}\`.`,
    '',
    '| component | action | ref | signed | attestations | reason |',
    '| --- | --- | --- | --- | --- | --- |',
  ]
  for (const image of report.images) {
    const attestations = image.attestations.map((a) => `${a.type}: ${a.status}`).join(', ')
    lines.push(
      `| ${mdText(image.component)} | ${image.action} | ${mdCode(image.ref ?? '(to build)')} | ${image.signature.status} | ${mdText(attestations)} | ${mdText(image.reason)} |`,
    )
  }
  for (const failure of report.failures)
    lines.push(`| ${mdText(failure.component)} | **failed** | | | | ${mdText(`${failure.code}: ${failure.message}`)} |`)
  return lines.join('\n') + '\n\n'
}
