/**
 * DISPATCH, the second step: send the planned request (again without return_run_details where GitHub does not know
 * the field) and settle which run it started, returned by GitHub or found (find-run.ts).
 */
import {
  GitHubApiError,
  asAmeideError,
  guardGitHub,
  type GitHubClient,
  type WorkflowRun,
} from '../effects/github/index.js'
import {findDispatchedRun} from './find-run.js'
import type {DispatchPlan} from './plan.js'
import type {Correlation, DispatchTimings, Emit} from './types.js'

export interface Dispatched {
  runRef: {id: number; url: string; htmlUrl: string; correlation: Correlation}
  run: WorkflowRun
  etag?: string
  dispatchedAt: Date
}

export async function dispatch(
  plan: DispatchPlan,
  c: GitHubClient,
  timings: DispatchTimings,
  emit: Emit,
): Promise<Dispatched> {
  const {request, repoRef, body, ctx} = plan
  plan.signal?.throwIfAborted()
  emit({type: 'dispatching'})
  const dispatchedAt = new Date()
  let runRef: Dispatched['runRef'] | null = null
  try {
    const out = await c.dispatchWorkflow(repoRef, request.workflow, body)
    if (out.kind === 'details') runRef = {id: out.runId, url: out.runUrl, htmlUrl: out.htmlUrl, correlation: 'returned'}
    else emit({type: 'fallback', reason: 'GitHub accepted the dispatch without run details (204); looking for the run'})
  } catch (error) {
    if (!(error instanceof GitHubApiError && rejectsRunDetails(error))) throw asAmeideError(error, ctx('dispatch'))
    emit({
      type: 'fallback',
      reason: `GitHub does not know return_run_details (${error.status}); dispatching without it`,
    })
    delete body.return_run_details
    await guardGitHub(() => c.dispatchWorkflow(repoRef, request.workflow, body), ctx('dispatch'))
  }
  plan.sent = true
  // A run GitHub named is known from here on, even to a call cancelled before it is read (cancel.ts).
  if (runRef) plan.outcome.result.run = {...runRef, status: null, conclusion: null}

  if (runRef) {
    const id = runRef.id
    const got = await guardGitHub(() => c.getWorkflowRun(repoRef, id), ctx('follow'))
    return {runRef, run: got!.run, etag: got!.etag, dispatchedAt}
  }
  const found = await findDispatchedRun(c, plan, dispatchedAt, timings)
  const run = found.run
  return {runRef: {id: run.id, url: run.url, htmlUrl: run.htmlUrl, correlation: found.correlation}, run, dispatchedAt}
}

/** GHES 3.20 and older answer 400/422 to the unknown `return_run_details` field. */
function rejectsRunDetails(error: GitHubApiError): boolean {
  return (error.status === 400 || error.status === 422) && /return_run_details/i.test(error.githubMessage)
}
