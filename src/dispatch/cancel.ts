/**
 * A cancelled dispatch (DispatchDeps.signal): the error the call ends with says what was left behind — nothing
 * before the dispatch request was answered; after it, a run that goes on in GitHub Actions, by its address when
 * it was known.
 */
import {failureError, type AmeideError} from '../core/errors.js'
import type {DispatchPlan} from './plan.js'
import type {DispatchRequest} from './types.js'

export function cancelledError(request: DispatchRequest, plan: DispatchPlan | undefined): AmeideError {
  if (!plan?.sent) {
    return failureError('CANCELLED', `Cancelled before ${request.workflow} was dispatched: nothing was sent.`, [
      'Run the same command again to dispatch it.',
    ])
  }
  const run = plan.outcome.result.run
  if (run) {
    return failureError('CANCELLED', `Cancelled while following run ${run.id}: the run goes on in GitHub Actions.`, [
      `Follow it at ${run.htmlUrl} (or: gh run watch ${run.id} -R ${request.repository}).`,
      'Do not dispatch again: the run opens its pull request when it completes.',
    ])
  }
  return failureError('CANCELLED', `Cancelled after ${request.workflow} was dispatched, before its run was found.`, [
    workflowRunsHint(request),
    'Do not dispatch again before checking: the run may just be queued.',
  ])
}

/** Where the workflow's runs are listed. */
export const workflowRunsHint = (request: Pick<DispatchRequest, 'repository' | 'workflow'>): string =>
  `Look for it at https://github.com/${request.repository}/actions/workflows/${request.workflow} (or the same path on your GitHub Enterprise Server).`
