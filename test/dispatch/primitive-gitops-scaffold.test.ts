import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {chmod, readFile, readdir, symlink, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import {execa} from 'execa'

import {CLI, runCli, type CliRun} from '../support/cli.js'
import {startFakeGitHub, type FakeGitHub, type FakeGitHubOptions} from '../support/github-server.js'
import {assertMatchesSchema} from '../support/schema.js'
import {commitAll, initGitRepo, makeTempDir, runCleanups} from '../support/tmp.js'

/**
 * `ameide primitive gitops scaffold` as users and CI run it: the built binary, against a fake GitHub that
 * validates every request and response against GitHub's OpenAPI description.
 */

const CANARY = `ghp_CANARY${createHash('sha256').update(String(process.pid)).digest('hex').slice(0, 30)}`

let repoDir: string
let binDir: string
let emptyBin: string
const servers: FakeGitHub[] = []

beforeAll(async () => {
  // A monorepo checkout with one committed file: the command must leave it exactly as it was.
  repoDir = await makeTempDir('ameide-gitops-repo-')
  await initGitRepo(repoDir)
  await writeFile(path.join(repoDir, 'README.md'), '# monorepo\n')
  await commitAll(repoDir, 'init')
  // PATH for the CLI: git only (so no real `gh` is found), or git plus a fake `gh`.
  const gitPath = (await execa('sh', ['-c', 'command -v git'])).stdout.trim()
  emptyBin = await makeTempDir('ameide-bin-')
  await symlink(gitPath, path.join(emptyBin, 'git'))
  binDir = await makeTempDir('ameide-bin-gh-')
  await symlink(gitPath, path.join(binDir, 'git'))
  await writeFile(
    path.join(binDir, 'gh'),
    `#!/bin/sh\n[ "$1 $2" = "auth token" ] && echo "${CANARY}" && exit 0\nexit 1\n`,
  )
  await chmod(path.join(binDir, 'gh'), 0o755)
})

afterEach(async () => {
  const all = servers.splice(0)
  for (const s of all) await s.close()
  for (const s of all)
    expect(
      s.violations,
      "the CLI sent, or the fake sent, something GitHub's OpenAPI description does not allow",
    ).toEqual([])
})

afterAll(runCleanups)

async function fake(options: Partial<FakeGitHubOptions> = {}): Promise<FakeGitHub> {
  const s = await startFakeGitHub({token: CANARY, ...options})
  servers.push(s)
  return s
}

interface RunOptions {
  token?: string | null
  viaGh?: boolean
  server?: FakeGitHub
}

async function gitops(args: string[], options: RunOptions = {}): Promise<CliRun> {
  const token = options.token === undefined ? CANARY : options.token
  const run = await runCli(['primitive', 'gitops', 'scaffold', ...args], {
    cwd: repoDir,
    env: {
      GH_TOKEN: options.viaGh ? undefined : (token ?? undefined),
      GITHUB_TOKEN: undefined,
      GITHUB_API_URL: options.server?.url,
      PATH: options.viaGh ? binDir : emptyBin,
      HOME: repoDir,
    },
  })
  // The canary token never appears anywhere, whatever happened.
  expect(run.stdout).not.toContain(CANARY)
  expect(run.stderr).not.toContain(CANARY)
  return run
}

function expectError(run: CliRun, code: string, exitCode: number) {
  expect(run.exitCode, run.stderr + run.stdout).toBe(exitCode)
  const doc = run.json()
  assertMatchesSchema('error.schema.json', doc)
  expect(doc.error.code).toBe(code)
  return doc.error as {message: string; hints: string[]}
}

async function treeDigest(dir: string): Promise<string> {
  const entries = await readdir(dir, {recursive: true, withFileTypes: true})
  const files = entries.filter(
    (e) => e.isFile() && !path.join(e.parentPath, e.name).includes(`${path.sep}.git${path.sep}`),
  )
  const hash = createHash('sha256')
  for (const f of files.map((e) => path.join(e.parentPath, e.name)).sort()) hash.update(f).update(await readFile(f))
  const status = await execa('git', ['status', '--porcelain', '--ignored'], {cwd: dir})
  return `${hash.digest('hex')}|${status.stdout}`
}

const BASE = ['--kind', 'domain', '--name', 'orders']

describe('dry run', () => {
  it('without a token: validates locally, prints the exact request, sends nothing, exit 0', async () => {
    const server = await fake()
    const before = await treeDigest(repoDir)
    const run = await gitops([...BASE, '--with-smoke', '--env', 'dev', '--dry-run', '--json'], {token: null, server})
    expect(run.exitCode, run.stderr).toBe(0)
    const doc = run.json()
    assertMatchesSchema('gitops-scaffold.schema.json', doc)
    expect(doc).toEqual({
      repository: 'ameideio/ameide-gitops',
      workflow: 'scaffold-primitive-gitops.yaml',
      ref: 'main',
      inputs: {kind: 'domain', name: 'orders', version: 'v0', with_smoke: 'true', env: 'dev'},
      dryRun: true,
      run: null,
      pullRequest: null,
      nextSteps: expect.arrayContaining([expect.stringContaining('GH_TOKEN')]),
    })
    expect(server.requests).toEqual([])
    expect(await treeDigest(repoDir)).toBe(before)

    const human = await gitops([...BASE, '--dry-run'], {token: null, server})
    expect(human.exitCode).toBe(0)
    expect(human.stdout).toContain(
      `POST ${server.url}/repos/ameideio/ameide-gitops/actions/workflows/scaffold-primitive-gitops.yaml/dispatches`,
    )
    expect(human.stdout).toContain('"return_run_details": true')
    expect(human.stdout).toContain('"with_smoke": "false"')
    expect(human.stdout).not.toContain('"env"')
    expect(server.requests).toEqual([])
  })

  it('with a token: also checks the declared inputs (reads the workflow file only) and adds the distinct_id', async () => {
    const server = await fake()
    const run = await gitops([...BASE, '--dry-run', '--json'], {server})
    expect(run.exitCode, run.stderr).toBe(0)
    const doc = run.json()
    assertMatchesSchema('gitops-scaffold.schema.json', doc)
    expect(doc.inputs.distinct_id).toMatch(/^[0-9a-f-]{36}$/)
    expect(server.requests.map((r) => r.operationId)).toEqual(['repos/get-content'])
    expect(server.requests[0].query).toEqual({ref: 'main'})
    expect(server.runs).toEqual([])
  })
})

describe('local validation (exit 2 before anything is sent)', () => {
  it.each([
    [['--kind', 'daemon', '--name', 'orders'], 'INVALID_KIND'],
    [['--kind', 'domain', '--name', 'Orders'], 'INVALID_NAME'],
    [[...BASE, '--version', '1'], 'INVALID_VERSION'],
    [[...BASE, '--env', 'Dev_1'], 'INVALID_ENVIRONMENT'],
    [[...BASE, '--repo', 'no-slash'], 'INVALID_REPOSITORY'],
    [[...BASE, '--workflow', '../x.yaml'], 'INVALID_WORKFLOW'],
    [[...BASE, '--timeout', 'soon'], 'INVALID_DURATION'],
    [[...BASE, '--api-url', 'ftp://x'], 'INVALID_API_URL'],
  ])('%j → %s', async (args, code) => {
    const server = await fake()
    const run = await gitops([...args, '--json'], {server})
    expectError(run, code, 2)
    expect(server.requests).toEqual([])
  })

  it('rejects inputs the workflow does not accept (choice option, undeclared input, missing required) before dispatching', async () => {
    const server = await fake()
    const badEnv = await gitops([...BASE, '--env', 'qa', '--json'], {server})
    const e1 = expectError(badEnv, 'INPUT_NOT_ALLOWED', 2)
    expect(e1.message).toContain('"qa" is not one of its options (dev, staging, production)')

    const noEnvInput = await fake({
      workflows: [
        {
          id: 7,
          file: 'scaffold-primitive-gitops.yaml',
          yaml: 'on:\n  workflow_dispatch:\n    inputs:\n      kind: {required: true}\n      name: {required: true}\n      version: {}\n      with_smoke: {type: boolean}\n      owner_team: {required: true}\n',
        },
      ],
    })
    const run = await gitops([...BASE, '--env', 'dev', '--json'], {server: noEnvInput})
    const e2 = expectError(run, 'INPUTS_NOT_ACCEPTED', 2)
    expect(e2.message).toContain('input "env" is not declared')
    expect(e2.message).toContain('requires input "owner_team"')
    for (const s of [server, noEnvInput]) expect(s.requestsFor('actions/create-workflow-dispatch')).toEqual([])
  })
})

describe('dispatch', () => {
  it('200 with run details: reports the returned run, writes no file, exit 0', async () => {
    const server = await fake()
    const before = await treeDigest(repoDir)
    const run = await gitops([...BASE, '--with-smoke', '--json'], {server})
    expect(run.exitCode, run.stderr).toBe(0)
    const doc = run.json()
    assertMatchesSchema('gitops-scaffold.schema.json', doc)
    const id = server.runs[0].id
    expect(doc.run).toEqual({
      id,
      url: `${server.url}/repos/ameideio/ameide-gitops/actions/runs/${id}`,
      htmlUrl: `https://github.com/ameideio/ameide-gitops/actions/runs/${id}`,
      status: 'in_progress',
      conclusion: null,
      correlation: 'returned',
    })
    expect(doc.pullRequest).toBeNull()
    const [dispatch] = server.requestsFor('actions/create-workflow-dispatch')
    expect(dispatch.body).toEqual({ref: 'main', inputs: {...doc.inputs}, return_run_details: true})
    expect(doc.inputs).toMatchObject({kind: 'domain', name: 'orders', version: 'v0', with_smoke: 'true'})
    expect(doc.inputs).not.toHaveProperty('env')
    expect(await treeDigest(repoDir)).toBe(before)
  })

  it('human mode: one line per step on stderr, summary on stdout', async () => {
    const server = await fake()
    const run = await gitops(BASE, {server})
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stderr).toContain('Inputs valid (local rules)')
    expect(run.stderr).toContain("Inputs accepted by the workflow's declared inputs")
    expect(run.stderr).toMatch(
      /Dispatched: run \d+ \(in_progress\) https:\/\/github\.com\/ameideio\/ameide-gitops\/actions\/runs\/\d+/,
    )
    expect(run.stdout).toContain('found: returned')
  })

  it('takes the token from `gh auth token` when GH_TOKEN and GITHUB_TOKEN are unset', async () => {
    const server = await fake()
    const run = await gitops([...BASE, '--json'], {server, viaGh: true})
    expect(run.exitCode, run.stderr).toBe(0)
    expect(server.requests.every((r) => r.headers.authorization === `token ${CANARY}`)).toBe(true)
  })

  it('no token at all → exit 3 with a hint', async () => {
    const server = await fake()
    const run = await gitops([...BASE, '--json'], {token: null, server})
    const e = expectError(run, 'GITHUB_TOKEN_MISSING', 3)
    expect(e.hints.join(' ')).toContain('gh auth login')
    expect(server.requests).toEqual([])
  })
})

describe('GitHub errors map to distinct codes and exits', () => {
  it('401 → GITHUB_BAD_TOKEN, exit 3', async () => {
    const server = await fake()
    const run = await gitops([...BASE, '--json'], {server, token: 'ghp_wrongwrongwrong'})
    expect(expectError(run, 'GITHUB_BAD_TOKEN', 3).message).toContain('Bad credentials')
  })

  it('403 without rate-limit headers on dispatch → GITHUB_PERMISSION_DENIED (actions:write), exit 3; GitHub echoing the token is redacted', async () => {
    const server = await fake()
    server.respondNext('actions/create-workflow-dispatch', {
      status: 403,
      body: {
        message: `Resource not accessible by personal access token ${CANARY}`,
        documentation_url: 'https://docs.github.com/rest',
        status: '403',
      },
    })
    const run = await gitops([...BASE, '--json'], {server})
    const e = expectError(run, 'GITHUB_PERMISSION_DENIED', 3)
    expect(e.message).toContain('actions:write')
    expect(e.message).toContain('Resource not accessible by personal access token ***')
    expect(server.requestsFor('actions/create-workflow-dispatch')).toHaveLength(1)
  })

  it('404 → GITHUB_NOT_FOUND with the default-branch hint, exit 3', async () => {
    const server = await fake()
    const run = await gitops([...BASE, '--repo', 'ameideio/nope', '--json'], {server})
    const e = expectError(run, 'GITHUB_NOT_FOUND', 3)
    expect(e.message).toContain('ameideio/nope')
    expect(e.hints.join(' ')).toContain('must exist on the default branch')
  })

  it("422 → GITHUB_INPUTS_REJECTED with GitHub's message, exit 2", async () => {
    const server = await fake()
    server.respondNext('actions/create-workflow-dispatch', {
      status: 422,
      body: {
        message: 'Unexpected inputs provided: ["with_smoke"]',
        documentation_url: 'https://docs.github.com/rest',
        status: '422',
      },
    })
    const run = await gitops([...BASE, '--json'], {server})
    expect(expectError(run, 'GITHUB_INPUTS_REJECTED', 2).message).toContain(
      'Unexpected inputs provided: ["with_smoke"]',
    )
  })
})

describe('--wait', () => {
  it('follows the run to success and reports the PR it opened', async () => {
    const server = await fake({runStatuses: ['queued', 'completed']})
    const run = await gitops([...BASE, '--wait', '--json'], {server})
    expect(run.exitCode, run.stderr).toBe(0)
    const doc = run.json()
    assertMatchesSchema('gitops-scaffold.schema.json', doc)
    expect(doc.run).toMatchObject({status: 'completed', conclusion: 'success', correlation: 'returned'})
    expect(doc.pullRequest).toEqual({
      number: 100,
      url: 'https://github.com/ameideio/ameide-gitops/pull/100',
      branch: 'scaffold/domain-orders-v0',
    })
    expect(doc.nextSteps[0]).toContain('https://github.com/ameideio/ameide-gitops/pull/100')
    expect(server.requestsFor('pulls/list')[0].query).toMatchObject({
      state: 'open',
      head: 'ameideio:scaffold/domain-orders-v0',
    })
  })

  it('a failed run → exit 1 with the run URL, in JSON and human mode', async () => {
    const server = await fake({runStatuses: ['queued', 'completed'], conclusion: 'failure'})
    const run = await gitops([...BASE, '--wait', '--json'], {server})
    expect(run.exitCode, run.stderr).toBe(1)
    const doc = run.json()
    assertMatchesSchema('gitops-scaffold.schema.json', doc)
    expect(doc.run).toMatchObject({status: 'completed', conclusion: 'failure'})
    expect(doc.pullRequest).toBeNull()
    expect(doc.nextSteps[0]).toContain(doc.run.htmlUrl)
    expect(server.requestsFor('pulls/list')).toEqual([])
  })
})

describe('cancelled under a parent (ameide mcp: SIGTERM)', () => {
  it('while following: stops polling, exit 1 CANCELLED naming the run, which goes on', async () => {
    const server = await fake({runStatuses: ['queued', 'in_progress', 'completed'], pollsPerStep: 1000})
    const child = spawn(process.execPath, [CLI, 'primitive', 'gitops', 'scaffold', ...BASE, '--wait', '--json'], {
      cwd: repoDir,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {...process.env, GH_TOKEN: CANARY, GITHUB_TOKEN: '', GITHUB_API_URL: server.url, PATH: emptyBin},
    })
    let stdout = ''
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    child.on('message', (m: {progress?: string}) => {
      if (m.progress?.startsWith('Dispatched: run ')) child.kill('SIGTERM')
    })
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect(exitCode, stdout).toBe(1)
    const doc = JSON.parse(stdout) as {error: {code: string; message: string; hints: string[]}}
    assertMatchesSchema('error.schema.json', doc)
    const id = server.runs[0].id
    expect(doc.error).toMatchObject({code: 'CANCELLED', message: expect.stringContaining(`run ${id}`)})
    expect(doc.error.hints[0]).toContain(`/actions/runs/${id}`)
    const atEnd = server.requests.length
    await new Promise((resolve) => setTimeout(resolve, 2500))
    expect(server.requests.length).toBe(atEnd)
  })
})
