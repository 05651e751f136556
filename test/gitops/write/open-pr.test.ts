import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, afterEach, describe, expect, it} from 'vitest'

import {DEFAULT_GITOPS_POLICY} from '../../../src/core/config.js'
import {pullRequestForWrite} from '../../../src/gitops/pr/changes-pr.js'
import {desiredFromRefs} from '../../../src/gitops/write/input.js'
import {setImage} from '../../../src/gitops/write/write.js'
import {runCli} from '../../support/cli.js'
import {gitopsRepo} from '../../support/gitops-fixture.js'
import {objectSha, startFakeGitHub, type FakeGitHub, type FakeGitHubOptions} from '../../support/github-server.js'
import {assertMatchesSchema} from '../../support/schema.js'
import {git, runCleanups} from '../../support/tmp.js'

/**
 * --open-pr against the loopback GitHub that validates every request and response against GitHub's OpenAPI
 * description: the commit is made through blobs, tree, commit and ref, the PR is created, updated or left alone.
 */
const TOKEN = 'ghp_setImageCANARY0123456789abcdefghijkl'
const F = 'f'.repeat(64)
const E = 'e'.repeat(64)
const OPERATOR = `ghcr.io/ameideio/operator-domain:1.1.0@sha256:${F}`

const servers: FakeGitHub[] = []
afterEach(async () => {
  const all = servers.splice(0)
  for (const s of all) await s.close()
  for (const s of all) expect(s.violations).toEqual([])
})
afterAll(runCleanups)

async function setup(options: Partial<FakeGitHubOptions> = {}) {
  const repo = await gitopsRepo()
  const head = await git(repo, ['rev-parse', 'HEAD'])
  const server = await startFakeGitHub({token: TOKEN, branches: {main: head}, ...options})
  servers.push(server)
  return {repo, head, server}
}

const setImageCli = (repo: string, server: FakeGitHub, args: string[], token = TOKEN) =>
  runCli(
    [
      'gitops',
      'set-image',
      '--json',
      '--env',
      'local',
      '--open-pr',
      ...(args.includes('--repo') ? [] : ['--repo', 'ameideio/ameide-gitops']),
      ...args,
    ],
    {cwd: repo, env: {GH_TOKEN: token, GITHUB_TOKEN: '', GITHUB_API_URL: server.url}},
  )

describe('gitops set-image --open-pr', () => {
  it('commits exactly the changed files onto main through the API, opens the PR, and a rerun changes nothing', async () => {
    const {repo, head, server} = await setup()
    const run = await setImageCli(repo, server, ['--ref', OPERATOR])
    expect(run.exitCode, run.stdout + run.stderr).toBe(0)
    const result = run.json()
    assertMatchesSchema('gitops-set-image.schema.json', result)
    const branch = result.pullRequest.branch
    expect(branch).toMatch(/^ameide\/images-local-[0-9a-f]{12}$/)
    expect(result.pullRequest).toMatchObject({
      number: 100,
      action: 'created',
      url: expect.stringContaining('/pull/100'),
    })
    // The branch holds the local file byte for byte, on top of main.
    const local = await readFile(path.join(repo, 'sources/values/env/local/apps/orders.yaml'), 'utf8')
    expect(server.filesOf(branch)).toEqual({'sources/values/env/local/apps/orders.yaml': local})
    const commit = server.git.commits.get(server.git.branches.get(branch)!)!
    expect(commit.parents).toEqual([head])
    expect(server.pullBodies.get(100)).toContain(`| \`sources/values/env/local/apps/orders.yaml:8\` |`)
    for (const out of [run.stdout, run.stderr]) expect(out).not.toContain(TOKEN)
    const writes = server.requests.filter((r) => r.method !== 'GET').map((r) => r.operationId)
    // Text files go inline in the tree: four writes whatever the number of files.
    expect(writes).toEqual(['git/create-tree', 'git/create-commit', 'git/create-ref', 'pulls/create'])

    // CI reruns on the same base: the same edit, the same tree, no new commit, the same PR.
    await git(repo, ['checkout', '--', '.'])
    const before = server.requests.length
    const again = (await setImageCli(repo, server, ['--ref', OPERATOR])).json()
    expect(again.pullRequest).toEqual({...result.pullRequest, action: 'unchanged'})
    const rerunWrites = server.requests
      .slice(before)
      .filter((r) => r.method !== 'GET')
      .map((r) => r.operationId)
    expect(rerunWrites).toEqual(['git/create-tree'])

    // A new ref on the same branch: one more commit, the PR is updated.
    await git(repo, ['checkout', '--', '.'])
    const newer = `ghcr.io/ameideio/operator-domain:1.2.0@sha256:${E}`
    const updated = (await setImageCli(repo, server, ['--ref', newer, '--branch', branch])).json()
    expect(updated.pullRequest).toMatchObject({number: 100, action: 'updated', branch})
    expect(server.filesOf(branch)['sources/values/env/local/apps/orders.yaml']).toContain(newer)
    expect(server.pulls).toHaveLength(1)
  })

  it('the example workflow order: write, gate, then --open-pr commits what the first step wrote', async () => {
    const {repo, server} = await setup()
    const write = await runCli(['gitops', 'set-image', '--json', '--env', 'local', '--ref', OPERATOR], {cwd: repo})
    expect(write.json().status).toBe('applied')
    const run = (
      await setImageCli(repo, server, ['--ref', OPERATOR, '--branch', 'ameide/images-local-000000000000'])
    ).json()
    expect(run.status).toBe('none')
    expect(run.pullRequest).toMatchObject({action: 'created', branch: 'ameide/images-local-000000000000'})
    expect(Object.keys(server.filesOf('ameide/images-local-000000000000'))).toEqual([
      'sources/values/env/local/apps/orders.yaml',
    ])
  })

  it('refuses a stale checkout (exit 3) and pushes nothing', async () => {
    const {repo, server} = await setup({branches: {main: objectSha('commit', 'someone else merged')}})
    const run = await setImageCli(repo, server, ['--ref', OPERATOR])
    expect(run.exitCode).toBe(3)
    expect(run.json().error.code).toBe('STALE_CHECKOUT')
    expect(server.requests.filter((r) => r.method !== 'GET')).toEqual([])
  })

  it('maps GitHub failures: 401, 403, 404, 422 and a rate limit it cannot wait for; the token never printed', async () => {
    const {repo, server} = await setup()
    const cases: Array<[() => void, string[], number, string]> = [
      [() => {}, [], 3, 'GITHUB_BAD_TOKEN'],
      [
        () =>
          server.respondNext('git/create-tree', {
            status: 403,
            body: {message: 'Resource not accessible by integration'},
          }),
        [],
        3,
        'GITHUB_PERMISSION_DENIED',
      ],
      [() => {}, ['--repo', 'ameideio/other'], 3, 'GITHUB_NOT_FOUND'],
      [
        () =>
          server.respondNext('pulls/create', {
            status: 422,
            body: {message: 'Validation Failed', status: '422', documentation_url: 'https://docs.github.com/rest'},
          }),
        [],
        2,
        'GITHUB_REJECTED',
      ],
      [
        () =>
          server.respondNext('git/get-ref', {
            status: 429,
            headers: {'retry-after': '3600'},
            body: {message: 'API rate limit exceeded', status: '429'},
          }),
        [],
        4,
        'GITHUB_RATE_LIMITED',
      ],
    ]
    for (const [i, [arrange, extra, exitCode, code]] of cases.entries()) {
      arrange()
      await git(repo, ['checkout', '--', '.'])
      const run = await setImageCli(
        repo,
        server,
        ['--ref', OPERATOR, '--branch', `case-${i}`, ...extra],
        i === 0 ? 'ghp_wrong' : TOKEN,
      )
      expect(run.exitCode, `${code}: ${run.stdout}`).toBe(exitCode)
      expect(run.json().error.code).toBe(code)
      for (const out of [run.stdout, run.stderr]) expect(out).not.toContain(TOKEN)
    }
  })

  it('5xx: retried, then exit 4 GITHUB_UNAVAILABLE', async () => {
    const {repo, server} = await setup()
    const {result} = await setImage({
      root: repo,
      policy: DEFAULT_GITOPS_POLICY,
      dryRun: false,
      env: 'local',
      images: desiredFromRefs([OPERATOR]),
      skipped: [],
    })
    for (let i = 0; i < 3; i++) server.respondNext('git/create-tree', {status: 502, body: {message: 'Bad Gateway'}})
    const pr = {repository: 'ameideio/ameide-gitops', base: 'main', apiUrl: server.url, env: {GH_TOKEN: TOKEN}}
    await expect(
      pullRequestForWrite(repo, result, {...pr, transport: {retryBaseMs: 1, serverErrorRetries: 2}}, undefined),
    ).rejects.toMatchObject({code: 'GITHUB_UNAVAILABLE', exitCode: 4})
    expect(server.requestsFor('git/create-tree')).toHaveLength(3)
  })
})

describe('gitops promote --open-pr', () => {
  it('opens the promotion PR on a branch named for the change', async () => {
    const {repo, server} = await setup()
    const run = await runCli(
      [
        'gitops',
        'promote',
        '--json',
        '--from',
        'local',
        '--to',
        'staging',
        '--open-pr',
        '--repo',
        'ameideio/ameide-gitops',
      ],
      {cwd: repo, env: {GH_TOKEN: TOKEN, GITHUB_API_URL: server.url}},
    )
    expect(run.exitCode, run.stdout).toBe(0)
    const result = run.json()
    assertMatchesSchema('gitops-promote.schema.json', result)
    expect(result.pullRequest.branch).toMatch(/^ameide\/promote-local-to-staging-[0-9a-f]{12}$/)
    expect(Object.keys(server.filesOf(result.pullRequest.branch))).toEqual([
      'sources/values/env/staging/apps/orders.yaml',
    ])
    expect(server.pulls[0].title).toBe('Promote images local → staging')
  })
})
