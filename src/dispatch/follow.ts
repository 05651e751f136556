/**
 * FOLLOW, the third step (with --wait): poll the run with backoff and conditional requests until it completes or
 * --timeout passes, then look for the pull request it opened and say what to do next.
 */
import {setTimeout as sleep} from 'node:timers/promises'

import {remoteError} from '../core/errors.js'
import {guardGitHub, type GitHubClient} from '../effects/github/index.js'
import type {Dispatched} from './dispatch.js'
import {findPullRequest} from './find-run.js'
import type {DispatchPlan} from './plan.js'
import {runFailed, type DispatchTimings, type Emit} from './types.js'

export async function follow(
  plan: DispatchPlan,
  c: GitHubClient,
  dispatched: Dispatched,
  timings: DispatchTimings,
  emit: Emit,
): Promise<void> {
  const {request, repoRef, ctx} = plan
  const {result} = plan.outcome
  const {runRef} = dispatched
  let {run, etag} = dispatched
  const deadline = Date.now() + request.timeoutMs
  let delay = timings.pollInitialMs
  let lastStatus = run.status
  while (run.status !== 'completed') {
    const remaining = deadline - Date.now()
    if (remaining <= 0) {
      throw remoteError(
        'WAIT_TIMEOUT',
        `The run did not complete within the --timeout (status: ${run.status}): ${runRef.htmlUrl}`,
        [
          `It is still running; follow it at ${runRef.htmlUrl} (or: gh run watch ${runRef.id} -R ${request.repository}).`,
          'Do not dispatch again: the run will open its pull request when it completes.',
        ],
      )
    }
    await sleep(Math.min(delay, remaining), undefined, {signal: plan.signal})
    delay = nextPollDelay(delay, timings)
    const got = await guardGitHub(() => c.getWorkflowRun(repoRef, runRef.id, etag), ctx('follow'))
    if (got) {
      run = got.run
      etag = got.etag ?? etag
    }
    if (run.status !== lastStatus) {
      lastStatus = run.status
      emit({type: 'status', status: run.status, conclusion: run.conclusion, htmlUrl: run.htmlUrl})
    }
  }
  result.run = {...result.run!, status: run.status, conclusion: run.conclusion}

  if (runFailed(result)) {
    result.nextSteps = [
      `The workflow run ended ${run.conclusion}; read its logs: ${runRef.htmlUrl}`,
      'Fix the cause, then run this command again.',
    ]
    return
  }
  result.pullRequest = await guardGitHub(
    () => findPullRequest(c, repoRef, request, dispatched.dispatchedAt, timings),
    ctx('follow'),
  )
  emit({type: 'pull-request', pullRequest: result.pullRequest})
  result.nextSteps = result.pullRequest
    ? [`Review and merge the GitOps pull request: ${result.pullRequest.url}`, ...request.afterPr]
    : [
        `The run completed (${run.conclusion}) but no pull request was found for branch ${request.prBranch}; read the run: ${runRef.htmlUrl}`,
        'When the GitOps files already exist, the workflow may have had nothing to change.',
      ]
}

/** The poll interval after `delay`: grows by pollFactor up to pollMaxMs (2 s, 3 s, 4.5 s, … 15 s by default). */
export function nextPollDelay(delay: number, timings: Pick<DispatchTimings, 'pollFactor' | 'pollMaxMs'>): number {
  return Math.min(timings.pollMaxMs, Math.round(delay * timings.pollFactor))
}
