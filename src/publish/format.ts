import type {Style} from '../core/output/style.js'
import type {PublishReport} from './report.js'

/** Human output: one block per image (action, ref, reason, signature/attestations), then failures. */
export function formatPublishReport(report: PublishReport, style: Style): string {
  const lines: string[] = []
  const head = `Publish ${report.sha.slice(0, 12)} to ${report.registry}`
  lines.push(style.bold(head) + (report.dryRun ? style.yellow('  [dry run: nothing pushed or signed]') : ''))
  lines.push(
    style.dim(
      `base: ${report.base ? `${report.base.slice(0, 12)} (${report.baseDescription})` : report.baseDescription}`,
    ),
  )
  const signing = report.signing.enabled ? `${report.signing.mode}${report.signing.tlog ? '' : ', no tlog'}` : 'off'
  lines.push(
    style.dim(
      `signing: ${signing}; sbom: ${report.sbom.enabled ? report.sbom.tool : 'off'}; provenance: ${report.provenance.enabled ? 'on' : 'off'}`,
    ),
    '',
  )
  if (report.shard) {
    lines.splice(
      -1,
      0,
      style.dim(
        `shard ${report.shard.id} of plan ${report.shard.plan.slice(0, 19)}…: ${report.shard.components.length} component(s); \`publish merge\` combines the shards`,
      ),
    )
  }
  const verb = (action: string) =>
    report.dryRun ? ({built: 'build', retagged: 'retag', existing: 'existing'}[action] ?? action) : action
  for (const image of report.images) {
    const color = image.action === 'built' ? style.green : image.action === 'retagged' ? style.cyan : style.dim
    lines.push(`${color(verb(image.action).padEnd(9))} ${style.bold(image.component)}`)
    lines.push(`          ${image.ref ?? `${image.repository}:${image.tag} (digest after the build)`}`)
    lines.push(style.dim(`          ${image.reason}`))
    const extras = [`signature ${image.signature.status}`, ...image.attestations.map((a) => `${a.type} ${a.status}`)]
    if (image.platforms.length > 0) extras.push(image.platforms.join(','))
    if (image.main) extras.push(`:main ${image.main.action}`)
    if (image.sourceCommit) extras.push(`built from ${image.sourceCommit}`)
    lines.push(style.dim(`          ${extras.join(' · ')}`))
  }
  for (const failure of report.failures) {
    lines.push(`${style.red('failed'.padEnd(9))} ${style.bold(failure.component)}  ${style.dim(`(${failure.code})`)}`)
    lines.push(`          ${failure.message}`)
    for (const hint of failure.hints ?? []) lines.push(`          ${style.dim(`hint: ${hint}`)}`)
  }
  const count = (a: string) => report.images.filter((i) => i.action === a).length
  lines.push(
    '',
    `${count('built')} built, ${count('retagged')} retagged, ${count('existing')} existing, ${report.failures.length} failed` +
      (report.dryRun ? ' (planned)' : '') +
      style.dim(` in ${(report.durationMs / 1000).toFixed(1)} s`),
  )
  if (report.matrix) {
    lines.push('', `matrix: ${report.matrix.include.length} shard(s) (--shard I/N, then \`publish merge\`)`)
    for (const entry of report.matrix.include) {
      const rest = entry.components.length - entry.builds.length
      lines.push(
        `  ${entry.shard.padEnd(7)} ${entry.builds.length > 0 ? `build ${entry.builds.join(', ')}` : 'no build'}` +
          style.dim(rest > 0 ? ` (+${rest} re-tag or reuse)` : ''),
      )
    }
  }
  return lines.join('\n')
}
