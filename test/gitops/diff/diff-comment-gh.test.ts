/**
 * The `gh`-only recipe of docs/examples/github/gitops-diff-comment.yaml, run as Actions runs it: its step's `run`
 * script and `env`, read from the file, under `bash --noprofile --norc -eo pipefail` with the real `gh` (Debian's), against
 * the fake GitHub that checks every request against GitHub's OpenAPI description, with that job's token permissions
 * (actions: read, pull-requests: write). `gh` reaches the fake as `GH_HOST=github.localhost` through HTTP_PROXY: it
 * speaks plain HTTP to that host only, and sends the token as it would to github.com. The artifact is what
 * `gitops diff --markdown-parts` writes (renderMarkdownParts), with the pull-request number and summary part 1 writes.
 */
import {execa} from 'execa'
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseDocument} from 'yaml'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {renderMarkdownParts} from '../../../src/gitops/diff/markdown-parts.js'
import type {GitopsDiffResult} from '../../../src/gitops/diff/types.js'
import {bigResult as result} from '../../support/diff-result.js'
import {startFakeGitHub, type FakeGitHub} from '../../support/github-server.js'
import {makeTempDir, runCleanups} from '../../support/tmp.js'
import {requireTool} from '../../support/toolchain.js'

const WORKFLOW = fileURLToPath(new URL('../../../docs/examples/github/gitops-diff-comment.yaml', import.meta.url))
const TOKEN = 'ghs_workflow_run_token_0123456789'
const BOT = 'github-actions[bot]'
const PR = 7
const HEAD = 'c0ffee'.padEnd(40, '0')

interface Step {
  name?: string
  run?: string
  env?: Record<string, string>
}

let gh: string
let step: Required<Pick<Step, 'run' | 'env'>>
const servers: FakeGitHub[] = []

beforeAll(async () => {
  gh = requireTool('gh')
  const workflow = parseDocument(await readFile(WORKFLOW, 'utf8')).toJS() as {jobs: {comment: {steps: Step[]}}}
  const found = workflow.jobs.comment.steps.find((s) => s.run?.includes('gh api'))
  if (!found?.run || !found.env) throw new Error(`${WORKFLOW} has no step that runs gh api`)
  step = {run: found.run, env: found.env}
})

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()))
  await runCleanups()
})

async function github(): Promise<FakeGitHub> {
  const server = await startFakeGitHub({
    token: TOKEN,
    login: BOT,
    jobPermissions: {actions: 'read', 'pull-requests': 'write'},
    existingPulls: [{number: PR, branch: 'change', headSha: HEAD}],
  })
  servers.push(server)
  return server
}

/** The artifact part 1 uploads: the comment parts, the pull-request number and the summary. */
async function artifact(diff: GitopsDiffResult, pr = String(PR)): Promise<{dir: string; parts: string[]}> {
  const dir = await makeTempDir('ameide-gh-artifact-')
  const parts = renderMarkdownParts(diff)
  for (const [i, p] of parts.entries()) await writeFile(path.join(dir, `comment-${i + 1}.md`), p)
  await writeFile(path.join(dir, 'pr-number'), `${pr}\n`)
  await writeFile(path.join(dir, 'summary'), `${diff.summary}\n`)
  return {dir, parts}
}

/** The step's script, as Actions runs a `run:` with `shell: bash`, in the step's environment. */
async function recipe(server: FakeGitHub, dir: string, headSha = HEAD) {
  const runnerTemp = await makeTempDir('ameide-gh-runner-')
  await mkdir(path.join(runnerTemp, 'home'), {recursive: true})
  const script = path.join(runnerTemp, 'step.sh')
  await writeFile(script, step.run)
  const expressions: Record<string, string> = {
    GH_TOKEN: TOKEN,
    GH_REPO: `${server.owner}/${server.repo}`,
    HEAD_SHA: headSha,
    DIR: dir,
  }
  // Each `${{ … }}` of the step's env is the value Actions would put there; the literal ones as the file writes them.
  const env = Object.fromEntries(Object.entries(step.env).map(([k, v]) => [k, v.includes('${{') ? expressions[k]! : v]))
  return execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
    reject: false,
    env: {
      ...env,
      PATH: `${path.dirname(gh)}:/usr/bin:/bin`,
      HOME: path.join(runnerTemp, 'home'),
      RUNNER_TEMP: runnerTemp,
      GH_HOST: 'github.localhost',
      HTTP_PROXY: server.url,
      GH_PROMPT_DISABLED: '1',
      GH_NO_UPDATE_NOTIFIER: '1',
    },
    extendEnv: false,
  })
}

const ours = (server: FakeGitHub) => server.comments.comments.filter((c) => c.login === BOT)
const marker = (n: number) => `<!-- ameide-gitops-diff key=. part=${n} -->`

describe('the gh-only comment recipe, run', () => {
  it('two pushes leave one comment per part, edited in place; a longer diff adds parts, a shorter deletes them', async () => {
    const server = await github()
    const decoy = server.comments.seed(PR, `${marker(1)}\nsomeone else's`, 'someone')
    const first = await artifact(result(1, 3))
    const run1 = await recipe(server, first.dir)
    expect(run1.stderr).toBe('')
    expect(run1.exitCode).toBe(0)
    expect(ours(server).map((c) => c.body)).toEqual([`${marker(1)}\n${first.parts[0]}`])
    const id = ours(server)[0]!.id

    const long = await artifact(result(30, 120))
    expect(long.parts.length).toBeGreaterThan(2)
    expect((await recipe(server, long.dir)).exitCode).toBe(0)
    expect(ours(server).map((c) => c.body)).toEqual(long.parts.map((p, i) => `${marker(i + 1)}\n${p}`))
    expect(ours(server)[0]!.id).toBe(id)
    expect(server.requestsFor('issues/update-comment')).toHaveLength(1)

    const short = await artifact(result(2, 3))
    expect((await recipe(server, short.dir)).exitCode).toBe(0)
    expect(ours(server).map((c) => [c.id, c.body])).toEqual([[id, `${marker(1)}\n${short.parts[0]}`]])
    expect(server.requestsFor('issues/delete-comment')).toHaveLength(long.parts.length - 1)
    expect(decoy.body).toBe(`${marker(1)}\nsomeone else's`)
    expect(server.violations).toEqual([])
    // Every request was the job's own token's, and gh asked nothing but the REST operations the recipe names.
    const asked = new Set(server.requests.map((r) => r.operationId))
    expect([...asked].sort()).toEqual([
      'issues/create-comment',
      'issues/delete-comment',
      'issues/list-comments',
      'issues/update-comment',
      'pulls/get',
    ])
  })

  it('"No change" replaces the comment when a push changes nothing; nothing is posted where none was', async () => {
    const server = await github()
    expect((await recipe(server, (await artifact(result(0, 0))).dir)).exitCode).toBe(0)
    expect(server.requestsFor('issues/create-comment')).toHaveLength(0)

    expect((await recipe(server, (await artifact(result(1, 3))).dir)).exitCode).toBe(0)
    const unchanged = await artifact(result(0, 0))
    expect((await recipe(server, unchanged.dir)).exitCode).toBe(0)
    expect(ours(server).map((c) => c.body)).toEqual([`${marker(1)}\n${unchanged.parts[0]}`])
    expect(ours(server)[0]!.body).toContain('**No change to what is deployed.**')
    expect(server.violations).toEqual([])
  })

  it('refuses an artifact whose pull request is not at the commit diffed, or whose number is not a number', async () => {
    const server = await github()
    const moved = await recipe(server, (await artifact(result(1, 3))).dir, 'f'.repeat(40))
    expect(moved.exitCode).toBe(1)
    expect(moved.stderr).toContain(`pull request ${PR} is not at the commit that was diffed`)
    const injected = await recipe(server, (await artifact(result(1, 3), '7; touch /tmp/x')).dir)
    expect(injected.exitCode).toBe(1)
    expect(injected.stderr).toContain("the artifact's pull-request number is not a number")
    expect(server.requestsFor('issues/create-comment')).toHaveLength(0)
    expect(server.violations).toEqual([])
  })
})
