import {afterEach, describe, expect, it} from 'vitest'

import {AmeideError, toErrorDocument} from '../../src/core/errors.js'
import {gitopsScaffold, type ScaffoldDispatchRequest} from '../../src/dispatch/scaffold.js'
import type {DispatchEvent, DispatchTimings} from '../../src/dispatch/types.js'
import {startFakeGitHub, type FakeGitHub, type FakeGitHubOptions} from '../support/github-server.js'
import {assertMatchesSchema} from '../support/schema.js'

/**
 * The core in-process, with millisecond poll and retry delays, against the OpenAPI-validating fake
 * GitHub: correlation fallbacks, retries, rate limits, waiting, pull-request discovery.
 */

const TOKEN = 'ghp_coreCANARY0123456789abcdefghijklmnop'
const FAST: Partial<DispatchTimings> = {
  pollInitialMs: 5,
  pollMaxMs: 20,
  findRunAttempts: 5,
  findRunDelayMs: 5,
  findRunMaxDelayMs: 20,
  transport: {retryBaseMs: 5, serverErrorRetries: 2},
}

/** A workflow without a correlation input and without run-name: the run can only be found by timing. */
const PLAIN_WORKFLOW = `name: Scaffold Primitive GitOps (PR)
on:
  workflow_dispatch:
    inputs:
      kind: {required: true, type: string}
      name: {required: true, type: string}
      version: {required: true, type: string}
      with_smoke: {type: boolean, default: false}
      env: {type: string}
jobs: {}
`

const servers: FakeGitHub[] = []
afterEach(async () => {
  const all = servers.splice(0)
  for (const s of all) await s.close()
  for (const s of all) expect(s.violations).toEqual([])
})

async function fake(options: Partial<FakeGitHubOptions> = {}): Promise<FakeGitHub> {
  const s = await startFakeGitHub({token: TOKEN, ...options})
  servers.push(s)
  return s
}

function request(server: FakeGitHub, over: Partial<ScaffoldDispatchRequest> = {}): ScaffoldDispatchRequest {
  return {
    primitive: {kind: 'domain', name: 'orders', version: 'v0', withSmoke: false},
    repository: 'ameideio/ameide-gitops',
    workflow: 'scaffold-primitive-gitops.yaml',
    ref: 'main',
    branchPattern: 'scaffold/{kind}-{name}-{version}',
    apiUrl: server.url,
    wait: false,
    timeoutMs: 30_000,
    dryRun: false,
    env: {GH_TOKEN: TOKEN},
    ...over,
  }
}

async function run(
  server: FakeGitHub,
  over: Partial<ScaffoldDispatchRequest> = {},
  timings: Partial<DispatchTimings> = FAST,
) {
  const events: DispatchEvent[] = []
  const outcome = await gitopsScaffold(request(server, over), {timings, onEvent: (e) => events.push(e)})
  assertMatchesSchema('gitops-scaffold.schema.json', outcome.result)
  return {...outcome, events}
}

async function failure(promise: Promise<unknown>): Promise<AmeideError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AmeideError)
  const doc = JSON.stringify(toErrorDocument(error as AmeideError))
  expect(doc).not.toContain(TOKEN)
  return error as AmeideError
}

describe('finding the run when GitHub does not return it', () => {
  it('GHES (400 on return_run_details): dispatches again without it and matches the distinct_id in the run title', async () => {
    const older = new Date(Date.now() - 60_000)
    const server = await fake({
      dispatch: 'ghes',
      // Decoys: same actor and branch moments ago, and one just now by someone else.
      existingRuns: [{createdAt: older}, {createdAt: new Date(), actor: 'someone-else'}],
    })
    const {result, events} = await run(server)
    const dispatches = server.requestsFor('actions/create-workflow-dispatch')
    expect(dispatches).toHaveLength(2)
    expect(dispatches[0].body).toMatchObject({return_run_details: true})
    expect(dispatches[1].body).not.toHaveProperty('return_run_details')
    expect((dispatches[1].body as {inputs: object}).inputs).toEqual((dispatches[0].body as {inputs: object}).inputs)
    const ours = server.runs.at(-1)!
    expect(result.run).toMatchObject({id: ours.id, correlation: 'distinct-id'})
    expect(ours.displayTitle).toContain(result.inputs.distinct_id)
    expect(events.some((e) => e.type === 'fallback' && e.reason.includes('return_run_details'))).toBe(true)
    const list = server.requestsFor('actions/list-workflow-runs')[0]
    expect(list.query).toEqual({event: 'workflow_dispatch', branch: 'main', actor: 'octo-dev', per_page: '50'})
  })

  it("204 and no correlation input: the heuristic picks this actor's workflow_dispatch run on the ref, retrying until it appears", async () => {
    const server = await fake({
      dispatch: 'no-content',
      workflows: [{id: 5, file: 'scaffold-primitive-gitops.yaml', yaml: PLAIN_WORKFLOW}],
      runHiddenForListings: 2,
      existingRuns: [
        {createdAt: new Date(Date.now() - 5 * 60_000)},
        {createdAt: new Date(), actor: 'someone-else'},
        {createdAt: new Date(), headBranch: 'release'},
        {createdAt: new Date(), event: 'push'},
      ],
    })
    const {result} = await run(server)
    expect(result.inputs).not.toHaveProperty('distinct_id')
    expect(server.requestsFor('actions/create-workflow-dispatch')).toHaveLength(1)
    expect(server.requestsFor('actions/list-workflow-runs').length).toBe(3)
    expect(result.run).toMatchObject({id: server.runs.at(-1)!.id, correlation: 'heuristic'})
  })

  it('an app/Actions token (no user): finds the run without the actor filter', async () => {
    const server = await fake({
      dispatch: 'no-content',
      tokenIsApp: true,
      workflows: [{id: 5, file: 'scaffold-primitive-gitops.yaml', yaml: PLAIN_WORKFLOW}],
    })
    const {result} = await run(server)
    expect(server.requestsFor('actions/list-workflow-runs')[0].query).not.toHaveProperty('actor')
    expect(result.run).toMatchObject({id: server.runs.at(-1)!.id, correlation: 'heuristic'})
  })

  it('run never appears → RUN_NOT_FOUND, exit 4', async () => {
    const server = await fake({dispatch: 'no-content', runHiddenForListings: 100})
    const error = await failure(run(server))
    expect(error.code).toBe('RUN_NOT_FOUND')
    expect(error.exitCode).toBe(4)
    expect(server.requestsFor('actions/list-workflow-runs')).toHaveLength(5)
  })
})

describe('retries and rate limits', () => {
  it('429 with Retry-After: 1 waits one second, then retries and succeeds', async () => {
    const server = await fake()
    server.respondNext('repos/get-content', {
      status: 429,
      headers: {'retry-after': '1', 'x-ratelimit-remaining': '4000'},
      body: {
        message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
        documentation_url: 'https://docs.github.com/rest',
        status: '429',
      },
    })
    const started = Date.now()
    const {result} = await run(server)
    const elapsed = Date.now() - started
    expect(elapsed).toBeGreaterThanOrEqual(950)
    expect(server.requestsFor('repos/get-content')).toHaveLength(2)
    expect(result.run?.correlation).toBe('returned')
  })

  it('a bare 429 with Retry-After (no rate-limit markers) is waited out and retried too', async () => {
    const server = await fake()
    server.respondNext('repos/get-content', {
      status: 429,
      headers: {'retry-after': '1'},
      body: {message: 'Too Many Requests', documentation_url: 'https://docs.github.com/rest', status: '429'},
    })
    const started = Date.now()
    const {result} = await run(server)
    expect(Date.now() - started).toBeGreaterThanOrEqual(950)
    expect(server.requestsFor('repos/get-content')).toHaveLength(2)
    expect(result.run).not.toBeNull()
  })

  it.each([
    ['actions/get-workflow-run', 'details'],
    ['users/get-authenticated', 'no-content'],
  ] as const)('a bare 429 on %s goes through the same wait (no call bypasses it)', async (operation, dispatch) => {
    const server = await fake({dispatch})
    server.respondNext(operation, {
      status: 429,
      headers: {'retry-after': '1'},
      body: {message: 'Too Many Requests', documentation_url: 'https://docs.github.com/rest', status: '429'},
    })
    const started = Date.now()
    const {result} = await run(server)
    expect(Date.now() - started).toBeGreaterThanOrEqual(950)
    expect(server.requestsFor(operation)).toHaveLength(2)
    expect(result.run).not.toBeNull()
  })

  it('403 with X-RateLimit-Remaining: 0 waits until the reset, then retries', async () => {
    const server = await fake()
    server.respondNext('repos/get-content', {
      status: 403,
      headers: {'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000))},
      body: {
        message: 'API rate limit exceeded for user ID 1.',
        documentation_url: 'https://docs.github.com/rest',
        status: '403',
      },
    })
    const {result} = await run(server)
    expect(server.requestsFor('repos/get-content')).toHaveLength(2)
    expect(result.run).not.toBeNull()
  })

  it('a rate limit that resets too far away → GITHUB_RATE_LIMITED, exit 4 (not a permission error)', async () => {
    const server = await fake()
    server.respondNext('repos/get-content', {
      status: 403,
      headers: {'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600)},
      body: {
        message: 'API rate limit exceeded for user ID 1.',
        documentation_url: 'https://docs.github.com/rest',
        status: '403',
      },
    })
    const error = await failure(run(server))
    expect([error.code, error.exitCode]).toEqual(['GITHUB_RATE_LIMITED', 4])
  })

  it('5xx then success: retried', async () => {
    const server = await fake()
    const unavailable = {status: 503, body: {message: 'Service Unavailable'}}
    server.respondNext('actions/create-workflow-dispatch', unavailable, unavailable)
    const {result} = await run(server)
    expect(server.requestsFor('actions/create-workflow-dispatch')).toHaveLength(3)
    expect(result.run?.correlation).toBe('returned')
  })

  it('5xx beyond the retry budget → GITHUB_UNAVAILABLE, exit 4; a token echoed by GitHub stays redacted', async () => {
    const server = await fake()
    const broken = {status: 502, body: {message: `Bad Gateway (${TOKEN})`}}
    server.respondNext('repos/get-content', broken, broken, broken, broken)
    const error = await failure(run(server))
    expect([error.code, error.exitCode]).toEqual(['GITHUB_UNAVAILABLE', 4])
    expect(error.message).toContain('Bad Gateway (***)')
    expect(server.requestsFor('repos/get-content')).toHaveLength(3)
    expect(server.requestsFor('actions/create-workflow-dispatch')).toHaveLength(0)
  })
})

describe('--wait', () => {
  it('polls with conditional requests, reports each status change, and finds the PR on the deterministic branch', async () => {
    const server = await fake({runStatuses: ['queued', 'in_progress', 'completed'], pollsPerStep: 3})
    const {result, events} = await run(server, {wait: true})
    expect(result.run).toMatchObject({status: 'completed', conclusion: 'success'})
    expect(events.filter((e) => e.type === 'status').map((e) => (e as {status: string}).status)).toEqual([
      'in_progress',
      'completed',
    ])
    expect(server.notModified).toBeGreaterThan(0)
    const polls = server.requestsFor('actions/get-workflow-run')
    expect(polls.slice(1).every((r) => typeof r.headers['if-none-match'] === 'string')).toBe(true)
    expect(result.pullRequest).toEqual({
      number: 100,
      url: 'https://github.com/ameideio/ameide-gitops/pull/100',
      branch: 'scaffold/domain-orders-v0',
    })
  })

  it('no PR on the deterministic branch: the newest PR created after the dispatch whose branch contains kind-name-version', async () => {
    const server = await fake({
      runStatuses: ['queued', 'completed'],
      prBranch: 'gitops/auto-domain-orders-v0-7f3a',
      existingPulls: [{branch: 'gitops/auto-domain-orders-v0-old', createdAt: new Date(Date.now() - 3_600_000)}],
    })
    const {result} = await run(server, {wait: true})
    expect(result.pullRequest).toMatchObject({branch: 'gitops/auto-domain-orders-v0-7f3a', number: 101})
  })

  it('says plainly when no PR was found', async () => {
    const server = await fake({runStatuses: ['queued', 'completed'], prBranch: null})
    const {result} = await run(server, {wait: true})
    expect(result.pullRequest).toBeNull()
    expect(result.nextSteps[0]).toContain('no pull request was found for branch scaffold/domain-orders-v0')
  })

  it('times out → WAIT_TIMEOUT, exit 4, with the run URL', async () => {
    const server = await fake({
      runStatuses: ['queued', 'in_progress', 'in_progress', 'in_progress', 'completed'],
      pollsPerStep: 1000,
    })
    const error = await failure(run(server, {wait: true, timeoutMs: 150}))
    expect([error.code, error.exitCode]).toEqual(['WAIT_TIMEOUT', 4])
    expect(error.message).toContain(`https://github.com/ameideio/ameide-gitops/actions/runs/${server.runs[0].id}`)
    expect(server.requestsFor('actions/get-workflow-run').length).toBeGreaterThan(2)
  })
})
