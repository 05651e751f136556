/**
 * `gitops verify --render` and `gitops preview` resolve a source pinned to another revision of this repository as
 * `gitops diff` does: the gate judges what that revision deploys — the chart of the tag it names, read from the clone
 * at that commit — not the checkout's folder; a source at the branch checked out, the default branch or a branch the
 * CI job reviews (GITHUB_BASE_REF, GITHUB_HEAD_REF) is the checkout; a pin the clone does not hold is
 * render-unavailable, named. Real git, the built CLI, helm.
 */
import {createHash} from 'node:crypto'
import {cp} from 'node:fs/promises'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {edit} from '../../support/diff-repo.js'
import {runCli} from '../../support/cli.js'
import {commitAll, git, initGitRepo, makeTempDir, runCleanups} from '../../support/tmp.js'
import {requireTool, toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

let env: Record<string, string | undefined>
beforeAll(() => {
  requireTool('helm')
  env = toolEnv()
})

const ORIGIN = 'https://github.com/example/fleet.git'
const PINNED = `registry.example/web@sha256:${createHash('sha256').update('web').digest('hex')}`

const application = (revision: string) =>
  [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata: {name: web, namespace: argocd}',
    'spec:',
    '  project: default',
    '  source:',
    `    repoURL: '${ORIGIN}'`,
    `    targetRevision: '${revision}'`,
    '    path: charts/web',
    '  destination: {server: https://kubernetes.default.svc, namespace: web}',
    '',
  ].join('\n')

const deployment = (image: string) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: web}',
    'spec:',
    '  selector: {matchLabels: {app: web}}',
    '  template:',
    '    metadata: {labels: {app: web}}',
    '    spec:',
    `      containers: [{name: web, image: '${image}'}]`,
    '',
  ].join('\n')

/** Tag v1: the chart deploys a digest-pinned image. Then branch `feature`: the chart moves to a floating tag. */
async function pinnedRepo(revision: string): Promise<string> {
  const dir = await makeTempDir('ameide-verify-pinned-')
  await initGitRepo(dir)
  await git(dir, ['remote', 'add', 'origin', ORIGIN])
  await edit(dir, {
    'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
    'charts/web/templates/deployment.yaml': deployment(PINNED),
    'argocd/web.yaml': application(revision),
  })
  await commitAll(dir, 'base')
  await git(dir, ['tag', 'v1'])
  await git(dir, ['checkout', '-q', '-b', 'feature'])
  await edit(dir, {'charts/web/templates/deployment.yaml': deployment('registry.example/web:latest')})
  await commitAll(dir, 'a floating tag')
  return dir
}

interface Verify {
  render: {deployables: Array<{application?: string; status: string; objects: number}>}
  findings: Array<{rule: string; application?: string; message: string}>
}

async function verify(repo: string, extraEnv: Record<string, string> = {}) {
  // --root: the checkout named, as a job names it (a plain folder too).
  const run = await runCli(['gitops', 'verify', '--render', '--json', '--root', repo], {env: {...env, ...extraEnv}})
  return run.json<Verify>()
}

const unpinned = (r: Verify) => r.findings.filter((f) => f.rule === 'image-not-pinned').length
const statuses = (r: Verify) => r.render.deployables.map((d) => [d.application, d.status, d.objects])

describe('gitops verify --render over a source pinned to another revision of this repository', () => {
  it("pinned to tag v1: the gate judges v1's chart (pinned image), not the branch's floating tag", async () => {
    const result = await verify(await pinnedRepo('v1'))
    expect(statuses(result)).toEqual([['web', 'rendered', 1]])
    expect(unpinned(result)).toBe(0)
  })

  it("at HEAD or at the branch checked out: the checkout's chart is judged (the floating tag found)", async () => {
    for (const revision of ['HEAD', 'feature']) {
      const result = await verify(await pinnedRepo(revision))
      expect(statuses(result)).toEqual([['web', 'rendered', 1]])
      expect(unpinned(result)).toBe(1)
    }
  })

  it('detached, as a pull request job checks out: the branch GITHUB_HEAD_REF names is the checkout', async () => {
    const repo = await pinnedRepo('feature')
    await git(repo, ['checkout', '-q', '--detach'])
    await git(repo, ['branch', '-q', '-D', 'feature'])
    const job = {
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_HEAD_REF: 'feature',
      GITHUB_BASE_REF: 'main',
    }
    const result = await verify(repo, job)
    expect(statuses(result)).toEqual([['web', 'rendered', 1]])
    expect(unpinned(result)).toBe(1)
    // Outside the job, `feature` is a branch this clone no longer holds: what it deploys is unknown, said with the ref.
    const outside = await verify(repo)
    expect(statuses(outside)).toEqual([])
    const said = outside.findings.filter((f) => f.rule === 'render-unavailable').map((f) => f.message)
    expect(said).toEqual([
      `Application web: source ${ORIGIN} is pinned to ref feature (not in this clone): Argo CD deploys charts/web from that revision, which this clone does not resolve to a commit (nothing is fetched), so it is not rendered.`,
    ])
  })

  it('a folder that is no git clone has no other revision: the folder is what is judged', async () => {
    const repo = await pinnedRepo('v1')
    const plain = await makeTempDir('ameide-verify-plain-')
    await cp(path.join(repo, 'charts'), path.join(plain, 'charts'), {recursive: true})
    await cp(path.join(repo, 'argocd'), path.join(plain, 'argocd'), {recursive: true})
    // No origin remote: the policy names this repository's URL.
    await edit(plain, {'ameide.yaml': `gitopsPolicy:\n  preview: {repositories: ['${ORIGIN}']}\n`})
    const result = await verify(plain)
    expect(statuses(result)).toEqual([['web', 'rendered', 1]])
    expect(unpinned(result)).toBe(1)
  })
})
