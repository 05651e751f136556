/**
 * PLAN, the first step of a dispatch: the token (optional in a dry run), the workflow's declared inputs read at the
 * ref and checked (exit 2 or 3, nothing dispatched), the correlation input, the exact request. Sends no write.
 */
import {randomUUID} from 'node:crypto'

import {prerequisiteError, usageError} from '../core/errors.js'
import {
  guardGitHub,
  openGitHub,
  type DispatchBody,
  type GitHubClient,
  type GitHubStage,
  type RepoRef,
} from '../effects/github/index.js'
import {DeclaredInputsError, checkAgainstDeclared, correlationInput, parseDeclaredInputs} from './inputs.js'
import type {
  DispatchDeps,
  DispatchHttpRequest,
  DispatchOutcome,
  DispatchRequest,
  DispatchTimings,
  Emit,
} from './types.js'

/** What planning settles: the client (none in a dry run without a token), the exact request, the result so far. */
export interface DispatchPlan {
  request: DispatchRequest
  repoRef: RepoRef
  client: GitHubClient | null
  /** The inputs as dispatched (with the correlation id when the workflow declares one). */
  inputs: Record<string, string>
  distinctIdInput?: string
  body: DispatchBody
  outcome: DispatchOutcome
  ctx: (stage: DispatchStage) => GitHubStage
  /** Ends the waits and requests of a cancelled call (DispatchDeps.signal). */
  signal?: AbortSignal
  /** Set once GitHub answered the dispatch request: a run may exist from then on. */
  sent: boolean
}

export type DispatchStage = 'read' | 'dispatch' | 'follow'

export async function planDispatch(
  request: DispatchRequest,
  deps: DispatchDeps,
  timings: DispatchTimings,
  emit: Emit,
): Promise<DispatchPlan> {
  const [owner, repo] = request.repository.split('/')
  const repoRef: RepoRef = {owner, repo}
  const ctx = (stage: DispatchStage): GitHubStage => ({
    stage,
    repository: request.repository,
    workflow: request.workflow,
    ref: request.ref,
  })
  const inputs = {...request.inputs}
  emit({type: 'validated', against: 'local', inputs: {...inputs}})

  const github = await openGitHub({
    env: request.env,
    apiUrl: request.apiUrl,
    required: !request.dryRun,
    transport: timings.transport,
    signal: deps.signal,
    client: deps.client,
  })
  const client = github?.client ?? null

  let distinctIdInput: string | undefined
  if (client) {
    distinctIdInput = await checkDeclaredInputs(client, repoRef, request, inputs, ctx)
    emit({type: 'validated', against: 'workflow', inputs: {...inputs}})
  }

  const body: DispatchBody = {ref: request.ref, inputs, return_run_details: true}
  const http: DispatchHttpRequest = {
    method: 'POST',
    url: `${request.apiUrl.replace(/\/+$/, '')}/repos/${owner}/${repo}/actions/workflows/${encodeURIComponent(request.workflow)}/dispatches`,
    body,
  }
  const outcome: DispatchOutcome = {
    result: {
      repository: request.repository,
      workflow: request.workflow,
      ref: request.ref,
      inputs,
      dryRun: request.dryRun,
      run: null,
      pullRequest: null,
      nextSteps: [],
    },
    request: http,
    tokenSource: github?.tokenSource ?? null,
  }
  return {request, repoRef, client, inputs, distinctIdInput, body, outcome, ctx, signal: deps.signal, sent: false}
}

/**
 * Reads the workflow file at the ref and checks the inputs against its `workflow_dispatch` inputs (exit 2 or 3,
 * nothing dispatched). Adds the correlation input when the workflow declares one and returns its name.
 */
async function checkDeclaredInputs(
  client: GitHubClient,
  repoRef: RepoRef,
  request: DispatchRequest,
  inputs: Record<string, string>,
  ctx: DispatchPlan['ctx'],
): Promise<string | undefined> {
  const where = `.github/workflows/${request.workflow} in ${request.repository}@${request.ref}`
  const text = await guardGitHub(
    () => client.readFile(repoRef, `.github/workflows/${request.workflow}`, request.ref),
    ctx('read'),
  )
  let declared
  try {
    declared = await parseDeclaredInputs(text)
  } catch (error) {
    if (!(error instanceof DeclaredInputsError)) throw error
    throw prerequisiteError('WORKFLOW_FILE_INVALID', `${where}: ${error.message}.`)
  }
  if (declared === null) {
    throw prerequisiteError('WORKFLOW_NOT_DISPATCHABLE', `${where} has no workflow_dispatch trigger.`, [
      'Add `on: workflow_dispatch` with its inputs to the workflow, on the default branch.',
    ])
  }
  const distinctIdInput = correlationInput(declared)
  if (distinctIdInput) inputs[distinctIdInput] = randomUUID()
  const problems = checkAgainstDeclared(inputs, declared)
  if (problems.length > 0) {
    const codes = new Set(problems.map((p) => p.code))
    throw usageError(
      codes.size === 1 ? problems[0].code : 'INPUTS_NOT_ACCEPTED',
      `The workflow ${request.workflow} at ${request.ref} would reject these inputs: ${problems.map((p) => p.message).join('; ')}.`,
      [
        `Declared inputs: ${declared.map((d) => `${d.name}${d.required ? '*' : ''}${d.options ? `(${d.options.join('|')})` : ''}`).join(', ') || '(none)'}.`,
        "Nothing was dispatched. Fix the flags, or the workflow's on.workflow_dispatch.inputs.",
      ],
    )
  }
  return distinctIdInput
}
