import {randomUUID} from 'node:crypto'
import {setTimeout as sleep} from 'node:timers/promises'

import {prerequisiteError, remoteError, usageError} from '../core/errors.js'
import {
  GitHubApiError,
  asAmeideError,
  guardGitHub,
  openGitHub,
  type GitHubStage,
  type DispatchBody,
  type GitHubClient,
  type GitHubTransportOptions,
  type RepoRef,
  type WorkflowRun,
} from '../effects/github/index.js'
import {
  DeclaredInputsError,
  checkAgainstDeclared,
  correlationInput,
  parseDeclaredInputs,
  workflowInputs,
  type PrimitiveInputs,
} from './inputs.js'

export type Correlation = 'returned' | 'distinct-id' | 'heuristic'

/** The `--json` result (schemas/gitops-scaffold.schema.json). */
export interface GitopsScaffoldResult {
  repository: string
  workflow: string
  ref: string
  inputs: Record<string, string>
  dryRun: boolean
  run: {
    id: number
    url: string
    htmlUrl: string
    status: string | null
    conclusion: string | null
    correlation: Correlation
  } | null
  pullRequest: {number: number; url: string; branch: string} | null
  nextSteps: string[]
}

export interface GitopsScaffoldRequest {
  primitive: PrimitiveInputs
  /** OWNER/NAME */
  repository: string
  workflow: string
  ref: string
  /** Head branch of the PR the workflow opens; placeholders {kind} {name} {version}. */
  branchPattern: string
  apiUrl: string
  wait: boolean
  timeoutMs: number
  dryRun: boolean
  env: NodeJS.ProcessEnv
}

/**
 * Any GitOps workflow dispatch followed to its PR (gitops scaffold, update-images): the inputs are already
 * built, the PR branch is known, `prSearch` finds a PR on another branch name made for the same thing.
 */
export interface WorkflowDispatchRequest extends Omit<GitopsScaffoldRequest, 'primitive' | 'branchPattern'> {
  inputs: Record<string, string>
  prBranch: string
  prSearch: string
  /** Next steps once the PR is found, after "Review and merge". */
  afterPr: string[]
}

/** Delays. Defaults suit GitHub; tests pass milliseconds. Not user-facing flags. */
export interface GitopsTimings {
  /** Poll interval while following a run: starts here, grows by pollFactor, capped at pollMaxMs. */
  pollInitialMs: number
  pollMaxMs: number
  pollFactor: number
  /** Listing runs to find a dispatched run (when GitHub did not return it): attempts and delay between them. */
  findRunAttempts: number
  findRunDelayMs: number
  findRunMaxDelayMs: number
  /** "Just before the dispatch": margin for clock skew between this machine and GitHub. */
  clockSkewMs: number
  transport: Partial<GitHubTransportOptions>
}

export const DEFAULT_TIMINGS: GitopsTimings = {
  pollInitialMs: 2000,
  pollMaxMs: 15_000,
  pollFactor: 1.5,
  findRunAttempts: 12,
  findRunDelayMs: 1000,
  findRunMaxDelayMs: 5000,
  clockSkewMs: 10_000,
  transport: {},
}

export type GitopsEvent =
  | {type: 'validated'; against: 'local' | 'workflow'; inputs: Record<string, string>}
  | {type: 'dispatching'}
  | {type: 'fallback'; reason: string}
  | {type: 'dispatched'; run: NonNullable<GitopsScaffoldResult['run']> | null}
  | {type: 'status'; status: string | null; conclusion: string | null; htmlUrl: string}
  | {type: 'pull-request'; pullRequest: GitopsScaffoldResult['pullRequest']}

export interface DispatchRequest {
  method: 'POST'
  url: string
  body: DispatchBody
}

export interface GitopsScaffoldOutcome {
  result: GitopsScaffoldResult
  /** The exact dispatch request (sent, or in a dry run the one that would be sent). */
  request: DispatchRequest
  /** Where the token came from, or null when none was used (a dry run without one). */
  tokenSource: string | null
}

export interface GitopsScaffoldDeps {
  timings?: Partial<GitopsTimings>
  onEvent?: (event: GitopsEvent) => void
  /** For tests: a client instead of the octokit one. */
  client?: GitHubClient
}

/** Run conclusions that make the command exit 1. */
export const FAILED_CONCLUSIONS = new Set([
  'failure',
  'cancelled',
  'timed_out',
  'startup_failure',
  'action_required',
  'stale',
])

export function runFailed(result: GitopsScaffoldResult): boolean {
  return result.run?.status === 'completed' && FAILED_CONCLUSIONS.has(result.run.conclusion ?? '')
}

/**
 * Validates, dispatches the GitOps workflow, finds its run and, with `wait`, follows it to its PR.
 * Plans first (inputs, declared-input check, the exact request), acts second; a dry run stops after planning.
 */
export async function gitopsScaffold(
  request: GitopsScaffoldRequest,
  deps: GitopsScaffoldDeps = {},
): Promise<GitopsScaffoldOutcome> {
  const {primitive, branchPattern, ...rest} = request
  const {kind, name, version} = primitive
  return dispatchAndFollow(
    {
      ...rest,
      inputs: workflowInputs(primitive),
      prBranch: expandBranch({branchPattern, primitive}),
      prSearch: `${kind}-${name}-${version}`,
      afterPr: ['Enabling the primitive and setting image.ref are separate GitOps pull requests.'],
    },
    deps,
  )
}

/**
 * Validates the inputs against the workflow's declared inputs, dispatches it, finds its run and, with `wait`,
 * follows it to its PR: plan → dispatch → follow. A dry run stops after planning. Shared by `primitive gitops
 * scaffold` and `primitive gitops update-images`.
 */
export async function dispatchAndFollow(
  request: WorkflowDispatchRequest,
  deps: GitopsScaffoldDeps = {},
): Promise<GitopsScaffoldOutcome> {
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

/** What planning settles: the client (none in a dry run without a token), the exact request, the result so far. */
interface DispatchPlan {
  request: WorkflowDispatchRequest
  repoRef: RepoRef
  client: GitHubClient | null
  /** The inputs as dispatched (with the correlation id when the workflow declares one). */
  inputs: Record<string, string>
  distinctIdInput?: string
  body: DispatchBody
  outcome: GitopsScaffoldOutcome
  ctx: (stage: DispatchStage) => GitHubStage
}

interface Dispatched {
  runRef: {id: number; url: string; htmlUrl: string; correlation: Correlation}
  run: WorkflowRun
  etag?: string
  dispatchedAt: Date
}

type Emit = (event: GitopsEvent) => void

type DispatchStage = 'read' | 'dispatch' | 'follow'

/** PLAN: the token (optional in a dry run), the workflow's declared inputs, the exact request. Sends no write. */
async function planDispatch(
  request: WorkflowDispatchRequest,
  deps: GitopsScaffoldDeps,
  timings: GitopsTimings,
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
    client: deps.client,
  })
  const client = github?.client ?? null

  let distinctIdInput: string | undefined
  if (client) {
    distinctIdInput = await checkDeclaredInputs(client, repoRef, request, inputs, ctx)
    emit({type: 'validated', against: 'workflow', inputs: {...inputs}})
  }

  const body: DispatchBody = {ref: request.ref, inputs, return_run_details: true}
  const dispatchRequest: DispatchRequest = {
    method: 'POST',
    url: `${request.apiUrl.replace(/\/+$/, '')}/repos/${owner}/${repo}/actions/workflows/${encodeURIComponent(request.workflow)}/dispatches`,
    body,
  }
  const result: GitopsScaffoldResult = {
    repository: request.repository,
    workflow: request.workflow,
    ref: request.ref,
    inputs,
    dryRun: request.dryRun,
    run: null,
    pullRequest: null,
    nextSteps: [],
  }
  const outcome: GitopsScaffoldOutcome = {result, request: dispatchRequest, tokenSource: github?.tokenSource ?? null}
  return {request, repoRef, client, inputs, distinctIdInput, body, outcome, ctx}
}

/**
 * Reads the workflow file at the ref and checks the inputs against its `workflow_dispatch` inputs (exit 2 or 3,
 * nothing dispatched). Adds the correlation input when the workflow declares one and returns its name.
 */
async function checkDeclaredInputs(
  client: GitHubClient,
  repoRef: RepoRef,
  request: WorkflowDispatchRequest,
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

/** DISPATCH: send it (without return_run_details where GitHub does not know it) and find its run. */
async function dispatch(plan: DispatchPlan, c: GitHubClient, timings: GitopsTimings, emit: Emit): Promise<Dispatched> {
  const {request, repoRef, body, ctx} = plan
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

  if (runRef) {
    const id = runRef.id
    const got = await guardGitHub(() => c.getWorkflowRun(repoRef, id), ctx('follow'))
    return {runRef, run: got!.run, etag: got!.etag, dispatchedAt}
  }
  const found = await findDispatchedRun(
    c,
    repoRef,
    request,
    dispatchedAt,
    plan.inputs,
    plan.distinctIdInput,
    timings,
    ctx('follow'),
  )
  const run = found.run
  return {runRef: {id: run.id, url: run.url, htmlUrl: run.htmlUrl, correlation: found.correlation}, run, dispatchedAt}
}

/** FOLLOW: poll the run (backoff, conditional requests) until it completes or the deadline passes, then its PR. */
async function follow(
  plan: DispatchPlan,
  c: GitHubClient,
  dispatched: Dispatched,
  timings: GitopsTimings,
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
    await sleep(Math.min(delay, remaining))
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
export function nextPollDelay(delay: number, timings: Pick<GitopsTimings, 'pollFactor' | 'pollMaxMs'>): number {
  return Math.min(timings.pollMaxMs, Math.round(delay * timings.pollFactor))
}

/** GHES 3.20 and older answer 400/422 to the unknown `return_run_details` field. */
function rejectsRunDetails(error: GitHubApiError): boolean {
  return (error.status === 400 || error.status === 422) && /return_run_details/i.test(error.githubMessage)
}

async function findDispatchedRun(
  client: GitHubClient,
  repo: RepoRef,
  request: WorkflowDispatchRequest,
  dispatchedAt: Date,
  inputs: Record<string, string>,
  distinctIdInput: string | undefined,
  timings: GitopsTimings,
  ctx: GitHubStage,
): Promise<{run: WorkflowRun; correlation: Correlation}> {
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
      await sleep(delay)
      delay = Math.min(timings.findRunMaxDelayMs, delay * 2)
    }
  }
  throw remoteError(
    'RUN_NOT_FOUND',
    `The workflow was dispatched but its run did not appear in ${request.repository} in time.`,
    [
      `Look for it at https://github.com/${request.repository}/actions/workflows/${request.workflow} (or the same path on your GitHub Enterprise Server).`,
      'Do not dispatch again before checking: the run may just be queued.',
    ],
  )
}

export function expandBranch(request: Pick<GitopsScaffoldRequest, 'branchPattern' | 'primitive'>): string {
  const {kind, name, version} = request.primitive
  return request.branchPattern.replaceAll('{kind}', kind).replaceAll('{name}', name).replaceAll('{version}', version)
}

async function findPullRequest(
  client: GitHubClient,
  repo: RepoRef,
  request: WorkflowDispatchRequest,
  dispatchedAt: Date,
  timings: GitopsTimings,
): Promise<GitopsScaffoldResult['pullRequest']> {
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
