/**
 * Finding what a dispatch started when GitHub did not say: the run (by the correlation id in its title, else the
 * actor's run closest in time) and, once it completed, the pull request it opened (by branch, else by name).
 */
import {setTimeout as sleep} from 'node:timers/promises'

import {remoteError} from '../core/errors.js'
import {guardGitHub, type GitHubClient, type RepoRef, type WorkflowRun} from '../effects/github/index.js'
import {workflowRunsHint} from './cancel.js'
import type {DispatchPlan} from './plan.js'
import type {Correlation, DispatchRequest, DispatchResult, DispatchTimings} from './types.js'

export async function findDispatchedRun(
  client: GitHubClient,
  plan: Pick<DispatchPlan, 'repoRef' | 'request' | 'inputs' | 'distinctIdInput' | 'ctx' | 'signal'>,
  dispatchedAt: Date,
  timings: DispatchTimings,
): Promise<{run: WorkflowRun; correlation: Correlation}> {
  const {repoRef: repo, request, inputs, distinctIdInput} = plan
  const ctx = plan.ctx('follow')
  const since = new Date(dispatchedAt.getTime() - timings.clockSkewMs)
  const actor = await guardGitHub(() => client.authenticatedLogin(), ctx)
  const distinctId = distinctIdInput ? inputs[distinctIdInput] : undefined
  let delay = timings.findRunDelayMs
  for (let attempt = 1; attempt <= timings.findRunAttempts; attempt++) {
    const runs = await guardGitHub(
      () =>
        client.listWorkflowRuns(repo, request.workflow, {
          event: 'workflow_dispatch',
          branch: request.ref,
          ...(actor ? {actor} : {}),
        }),
      ctx,
    )
    if (distinctId) {
      const match = runs.find((r) => r.displayTitle.includes(distinctId))
      if (match) return {run: match, correlation: 'distinct-id'}
    }
    const candidates = runs.filter(
      (r) => Date.parse(r.createdAt) >= since.getTime() && (!actor || !r.actor || r.actor === actor),
    )
    // With a correlation input, only the last attempt falls back to timing (the title may lack the id).
    if (candidates.length > 0 && (!distinctId || attempt === timings.findRunAttempts)) {
      const closest = candidates.sort(
        (a, b) =>
          Math.abs(Date.parse(a.createdAt) - dispatchedAt.getTime()) -
          Math.abs(Date.parse(b.createdAt) - dispatchedAt.getTime()),
      )[0]
      return {run: closest, correlation: 'heuristic'}
    }
    if (attempt < timings.findRunAttempts) {
      await sleep(delay, undefined, {signal: plan.signal})
      delay = Math.min(timings.findRunMaxDelayMs, delay * 2)
    }
  }
  throw remoteError(
    'RUN_NOT_FOUND',
    `The workflow was dispatched but its run did not appear in ${request.repository} in time.`,
    [workflowRunsHint(request), 'Do not dispatch again before checking: the run may just be queued.'],
  )
}

/** The PR the run opened: open on `prBranch`, else the newest since the dispatch whose branch holds `prSearch`. */
export async function findPullRequest(
  client: GitHubClient,
  repo: RepoRef,
  request: DispatchRequest,
  dispatchedAt: Date,
  timings: DispatchTimings,
): Promise<DispatchResult['pullRequest']> {
  const branch = request.prBranch
  const exact = await client.listPullRequests(repo, {state: 'open', head: `${repo.owner}:${branch}`})
  const pick = exact.find((pr) => pr.branch === branch)
  if (pick) return {number: pick.number, url: pick.htmlUrl, branch: pick.branch}
  const needle = request.prSearch
  const since = dispatchedAt.getTime() - timings.clockSkewMs
  const recent = (await client.listPullRequests(repo, {state: 'all'}))
    .filter((pr) => pr.branch.includes(needle) && Date.parse(pr.createdAt) >= since)
    .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))
  return recent[0] ? {number: recent[0].number, url: recent[0].htmlUrl, branch: recent[0].branch} : null
}
