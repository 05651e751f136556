/**
 * A Helm chart folder of this repository pinned to another revision (an Application's `targetRevision` naming a tag,
 * a branch or a commit the clone holds): read from the clone at that commit and rendered as Argo CD deploys it — a
 * pull request changing the chart in the branch under review changes nothing deployed (unchanged), one moving the pin
 * to another commit shows the rendered change, a link of the pinned tree leaving it is refused, and a pin the clone
 * does not hold stays render-unavailable, named. Real git, the built CLI, helm.
 */
import {symlink} from 'node:fs/promises'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {diffLast, edit, type DiffObjects} from '../../support/diff-repo.js'
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

type Result = DiffObjects

const application = (revision: string, valueFile?: string) =>
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
    ...(valueFile ? [`    helm: {valueFiles: [${valueFile}]}`] : []),
    '  destination: {server: https://kubernetes.default.svc, namespace: web}',
    '',
  ].join('\n')

const template = (level: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {level: {{ .Values.level | quote }}, from: ${level}}\n`

const chart = (level: string) => ({
  'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
  'charts/web/values.yaml': 'level: info\n',
  'charts/web/templates/cm.yaml': template(level),
})

/**
 * main: the Application pinned to `revision` and the chart (`from: one`), tagged v1; tag v2 on a side branch, the
 * chart saying `from: two` (and `side` holding a link of the chart that leaves the repository); then a branch `pr`
 * off main committing `change`.
 */
async function pinnedRepo(revision: string, change: Record<string, string>): Promise<string> {
  const dir = await makeTempDir('ameide-pinned-chart-')
  await initGitRepo(dir)
  await git(dir, ['remote', 'add', 'origin', ORIGIN])
  await edit(dir, {...chart('one'), 'argocd/web.yaml': application(revision)})
  await commitAll(dir, 'base')
  await git(dir, ['tag', 'v1'])
  await git(dir, ['checkout', '-q', '-b', 'side'])
  await edit(dir, chart('two'))
  await commitAll(dir, 'two')
  await git(dir, ['tag', 'v2'])
  await symlink('/etc/passwd', path.join(dir, 'charts/web/templates/escape.yaml'))
  await commitAll(dir, 'a link out')
  await git(dir, ['tag', 'escape'])
  await git(dir, ['checkout', '-q', 'main'])
  await git(dir, ['checkout', '-q', '-b', 'pr'])
  await edit(dir, change)
  await commitAll(dir, 'the change')
  return dir
}

describe('a Helm chart pinned to another revision of this repository', () => {
  it('pinned to v1 while the pull request changes the chart in its branch: what Argo CD deploys is unchanged', async () => {
    const repo = await pinnedRepo('v1', {'charts/web/templates/cm.yaml': template('three')})
    const {exitCode, result} = await diffLast<Result>(repo, env)
    expect(result.failures).toEqual([])
    expect(exitCode).toBe(0)
    expect(result.summary).toBe('unchanged')
  })

  it('the pin moved from v1 to v2: the chart of each commit rendered, the change shown', async () => {
    const repo = await pinnedRepo('v1', {'argocd/web.yaml': application('v2')})
    const {exitCode, result} = await diffLast<Result>(repo, env)
    expect(result.failures).toEqual([])
    expect(exitCode).toBe(0)
    expect(result.summary).toBe('changed')
    const web = result.deployables.find((d) => d.application === 'web')!
    expect(web.objects.map((o) => [o.change, o.kind, o.name])).toEqual([['changed', 'ConfigMap', 'web']])
    expect(web.objects[0].diff).toContain('-  from: one')
    expect(web.objects[0].diff).toContain('+  from: two')
  })

  it("a value file of the chart folder is the pinned commit's, not the branch's", async () => {
    const repo = await pinnedRepo('v1', {
      'argocd/web.yaml': application('v2', 'values.yaml'),
      'charts/web/values.yaml': 'level: debug\n',
    })
    const {result} = await diffLast<Result>(repo, env)
    expect(result.failures).toEqual([])
    const web = result.deployables.find((d) => d.application === 'web')!
    expect(web.objects[0].diff).toContain('+  from: two')
    expect(web.objects[0].diff).not.toContain('debug')
  })

  it('a link of the pinned tree that leaves it: refused, never read', async () => {
    const repo = await pinnedRepo('v1', {'argocd/web.yaml': application('escape')})
    const {exitCode, result} = await diffLast<Result>(repo, env)
    expect(exitCode).toBe(1)
    const head = result.failures.filter((f) => f.revision === 'head')
    expect(head.map((f) => f.rule)).toEqual(['render-refused'])
    expect(head[0].message).toContain('source path charts/web leaves the revision of this repository (')
    expect(JSON.stringify(result)).not.toContain('root:')
  })

  it('a submodule in the pinned chart folder: another repository, not rendered, named', async () => {
    const repo = await pinnedRepo('v1', {})
    await git(repo, ['checkout', '-q', '-b', 'with-submodule', 'v2'])
    const commit = 'd'.repeat(40)
    await git(repo, ['update-index', '--add', '--cacheinfo', `160000,${commit},charts/web/vendor`])
    await git(repo, ['commit', '-q', '-m', 'a submodule'])
    await git(repo, ['tag', 'sub'])
    await git(repo, ['checkout', '-q', 'pr'])
    await edit(repo, {'argocd/web.yaml': application('sub')})
    await commitAll(repo, 'pinned to the submodule')
    const {exitCode, result} = await diffLast<Result>(repo, env)
    expect(exitCode).toBe(1)
    const head = result.failures.filter((f) => f.revision === 'head')
    expect(head.map((f) => f.rule)).toEqual(['render-unavailable'])
    expect(head[0].message).toContain(`charts/web/vendor is a git submodule (commit ${commit.slice(0, 12)})`)
  })

  it('a commit this clone does not hold: not rendered, named', async () => {
    const missing = 'b'.repeat(40)
    const repo = await pinnedRepo('v1', {'argocd/web.yaml': application(missing)})
    const {exitCode, result} = await diffLast<Result>(repo, env)
    expect(exitCode).toBe(1)
    expect(result.failures.map((f) => [f.revision, f.rule])).toEqual([['head', 'render-unavailable']])
    expect(result.failures[0].message).toContain(`is pinned to commit ${missing}`)
    expect(result.failures[0].message).toContain('which this clone does not resolve to a commit')
  })

  it('a short commit the clone holds: read there', async () => {
    const repo = await pinnedRepo('v1', {})
    const v2 = (await git(repo, ['rev-parse', 'v2'])).trim()
    await edit(repo, {'argocd/web.yaml': application(v2.slice(0, 10))})
    await commitAll(repo, 'pinned to a short commit')
    const {exitCode, result} = await diffLast<Result>(repo, env)
    expect(result.failures).toEqual([])
    expect(exitCode).toBe(0)
    const web = result.deployables.find((d) => d.application === 'web')!
    expect(web.objects[0].diff).toContain('+  from: two')
  })
})

describe('gitops verify --render', () => {
  it('renders the chart of the revision checked out (no pin outside gitops diff)', async () => {
    const repo = await pinnedRepo('v2', {})
    const run = await runCli(['gitops', 'verify', '--render', '--json'], {cwd: repo, env})
    const doc = run.json<{render: {deployables: Array<{application?: string; status: string}>}}>()
    expect(doc.render.deployables.map((d) => [d.application, d.status])).toEqual([['web', 'rendered']])
  })
})
