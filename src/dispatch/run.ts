/**
 * A workflow dispatch followed to its pull request, end to end: plan → dispatch → follow. Plans first (inputs,
 * declared-input check, the exact request), acts second; a dry run stops after planning. Shared by
 * `primitive gitops scaffold` and `primitive gitops update-images`.
 */
import {dispatch} from './dispatch.js'
import {follow} from './follow.js'
import {planDispatch} from './plan.js'
import {DEFAULT_TIMINGS, type DispatchDeps, type DispatchOutcome, type DispatchRequest} from './types.js'

export async function dispatchAndFollow(request: DispatchRequest, deps: DispatchDeps = {}): Promise<DispatchOutcome> {
  const timings = {...DEFAULT_TIMINGS, ...deps.timings}
  const emit = deps.onEvent ?? (() => {})
  const plan = await planDispatch(request, deps, timings, emit)
  const {result} = plan.outcome
  if (request.dryRun || !plan.client) {
    result.nextSteps = [
      ...(plan.client
        ? []
        : ["Set GH_TOKEN (or run `gh auth login`) to also check the inputs against the workflow's declared inputs."]),
      'Run the same command without --dry-run to dispatch the workflow (add --wait to follow it to its pull request).',
    ]
    return plan.outcome
  }
  const dispatched = await dispatch(plan, plan.client, timings, emit)
  result.run = {...dispatched.runRef, status: dispatched.run.status, conclusion: dispatched.run.conclusion}
  emit({type: 'dispatched', run: result.run})
  if (!request.wait) {
    result.nextSteps = [
      `Follow the run: ${dispatched.runRef.htmlUrl} (or: gh run watch ${dispatched.runRef.id} -R ${request.repository}).`,
      'Next time, add --wait to follow the run to its pull request.',
    ]
    return plan.outcome
  }
  await follow(plan, plan.client, dispatched, timings, emit)
  return plan.outcome
}
