/** Human output of a dispatch: the result on stdout, one progress line per event on stderr. */
import type {Style} from '../core/output/style.js'
import {FAILED_CONCLUSIONS, type DispatchEvent, type DispatchHttpRequest, type DispatchResult} from './types.js'

/** Human output on stdout: what was (or would be) dispatched, the run, the pull request, next steps. */
export function formatDispatch(result: DispatchResult, request: DispatchHttpRequest, style: Style): string {
  const lines = [
    `${style.bold(`${result.repository}`)} ${result.workflow}@${result.ref}${result.dryRun ? style.yellow('  [dry run: nothing sent]') : ''}`,
  ]
  lines.push(
    `  inputs: ${Object.entries(result.inputs)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  )
  if (result.dryRun) {
    lines.push(
      '',
      'Request that would be sent:',
      `  ${request.method} ${request.url}`,
      ...JSON.stringify(request.body, null, 2)
        .split('\n')
        .map((l) => `  ${l}`),
    )
  }
  if (result.run) {
    const state = result.run.conclusion ?? result.run.status ?? 'unknown'
    const colour = FAILED_CONCLUSIONS.has(result.run.conclusion ?? '')
      ? style.red
      : result.run.conclusion === 'success'
        ? style.green
        : (s: string) => s
    lines.push(`  run: ${result.run.htmlUrl} (${colour(state)}; found: ${result.run.correlation})`)
  }
  if (result.run?.status === 'completed' && !FAILED_CONCLUSIONS.has(result.run.conclusion ?? '')) {
    lines.push(
      result.pullRequest
        ? `  pull request: #${result.pullRequest.number} ${result.pullRequest.url} (${result.pullRequest.branch})`
        : `  pull request: ${style.yellow('none found')}`,
    )
  }
  lines.push('', style.bold('Next steps:'))
  result.nextSteps.forEach((step, i) => lines.push(`  ${i + 1}. ${step}`))
  return lines.join('\n')
}

/** One progress line per step (stderr). */
export function describeEvent(event: DispatchEvent): {kind: 'done' | 'info' | 'start'; text: string} {
  switch (event.type) {
    case 'validated':
      return {
        kind: 'done',
        text:
          event.against === 'local'
            ? 'Inputs valid (local rules)'
            : "Inputs accepted by the workflow's declared inputs",
      }
    case 'dispatching':
      return {kind: 'start', text: 'Dispatching the workflow'}
    case 'fallback':
      return {kind: 'info', text: event.reason}
    case 'dispatched':
      return {
        kind: 'done',
        text: event.run
          ? `Dispatched: run ${event.run.id} (${event.run.status ?? 'unknown'}) ${event.run.htmlUrl}`
          : 'Dispatched',
      }
    case 'status':
      return {kind: 'info', text: `Run ${event.status}${event.conclusion ? `: ${event.conclusion}` : ''}`}
    case 'pull-request':
      return event.pullRequest
        ? {kind: 'done', text: `Pull request #${event.pullRequest.number}: ${event.pullRequest.url}`}
        : {kind: 'info', text: 'No pull request found'}
  }
}
