import {randomBytes} from 'node:crypto'
import {appendFile} from 'node:fs/promises'

import type {PublishReport} from './report.js'

/**
 * Under GitHub Actions: `$GITHUB_OUTPUT` gets `images` (the images array as JSON, one line) and one output per
 * component (`<kind>-<name>` = its ref); `$GITHUB_STEP_SUMMARY` gets a markdown table. Outside Actions nothing.
 */
export async function writeGithubOutputs(
  report: PublishReport,
  env: Record<string, string | undefined>,
): Promise<boolean> {
  if (env.GITHUB_ACTIONS !== 'true') return false
  if (env.GITHUB_OUTPUT) {
    const delimiter = `ameide_${randomBytes(8).toString('hex')}`
    const lines = [`images<<${delimiter}`, JSON.stringify(report.images), delimiter]
    for (const image of report.images) if (image.ref) lines.push(`${image.component}=${image.ref}`)
    lines.push(`failed=${report.failures.length > 0}`)
    await appendFile(env.GITHUB_OUTPUT, lines.join('\n') + '\n')
  }
  if (env.GITHUB_STEP_SUMMARY) await appendFile(env.GITHUB_STEP_SUMMARY, summaryMarkdown(report))
  return true
}

export function summaryMarkdown(report: PublishReport): string {
  const cell = (s: string) => s.replaceAll('|', '\\|')
  const lines = [
    `### ameide primitive publish${report.dryRun ? ' (dry run)' : ''}: \`${report.sha.slice(0, 12)}\``,
    '',
    `Base: ${report.base ? `\`${report.base.slice(0, 12)}\` (${report.baseDescription})` : report.baseDescription}. Registry: \`${report.registry}\`.`,
    '',
    '| component | action | ref | signed | attestations | reason |',
    '| --- | --- | --- | --- | --- | --- |',
  ]
  for (const image of report.images) {
    const attestations = image.attestations.map((a) => `${a.type}: ${a.status}`).join(', ')
    lines.push(
      `| ${image.component} | ${image.action} | \`${image.ref ?? '(to build)'}\` | ${image.signature.status} | ${cell(attestations)} | ${cell(image.reason)} |`,
    )
  }
  for (const failure of report.failures)
    lines.push(`| ${failure.component} | **failed** | | | | ${cell(`${failure.code}: ${failure.message}`)} |`)
  return lines.join('\n') + '\n\n'
}
