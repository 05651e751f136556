/**
 * A workflow dispatch followed to its pull request, end to end: plan → dispatch → follow. Plans first (inputs,
 * declared-input check, the exact request), acts second; a dry run stops after planning. Shared by
 * `primitive gitops scaffold` and `primitive gitops update-images`. A cancelled call (deps.signal) ends CANCELLED,
 * saying what it left (cancel.ts).
 */
import {cancelledError} from './cancel.js'
import {dispatch} from './dispatch.js'
import {follow} from './follow.js'
import {planDispatch, type DispatchPlan} from './plan.js'
import {
  DEFAULT_TIMINGS,
  type DispatchDeps,
  type DispatchOutcome,
  type DispatchRequest,
  type DispatchTimings,
  type Emit,
} from './types.js'

export async function dispatchAndFollow(request: DispatchRequest, deps: DispatchDeps = {}): Promise<DispatchOutcome> {
  const timings = {...DEFAULT_TIMINGS, ...deps.timings}
  const emit = deps.onEvent ?? (() => {})
  let plan: DispatchPlan | undefined
  try {
    plan = await planDispatch(request, deps, timings, emit)
    return await act(plan, timings, emit)
  } catch (error) {
    if (deps.signal?.aborted) throw cancelledError(request, plan)
    throw error
  }
}

async function act(plan: DispatchPlan, timings: DispatchTimings, emit: Emit): Promise<DispatchOutcome> {
  const {request} = plan
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
