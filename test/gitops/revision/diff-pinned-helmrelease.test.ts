/**
 * A Flux HelmRelease whose chart comes from a GitRepository of this repository pinned to another revision (its
 * `spec.ref` a tag, a branch): source-controller packages the chart from that commit, so the chart and its
 * `valuesFiles` are read from the clone at it — a pull request changing the chart in its own branch changes nothing
 * deployed, a moved ref shows the rendered change, a link of that tree leaving it is refused, and a ref the clone does
 * not hold is render-unavailable, named (moving it is an input: incomplete). `gitops verify --render` reads it alike.
 * Real git, the built CLI, helm.
 */
import {symlink} from 'node:fs/promises'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {
  diffLast,
  edit,
  history,
  type DiffObjects,
  fleetGitRepository as gitRepository,
  movedTo,
} from '../../support/diff-repo.js'
import {runCli} from '../../support/cli.js'
import {commitAll, git, runCleanups} from '../../support/tmp.js'
import {requireTool, toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

let env: Record<string, string | undefined>
beforeAll(() => {
  requireTool('helm')
  env = toolEnv()
})

const release = [
  'apiVersion: helm.toolkit.fluxcd.io/v2',
  'kind: HelmRelease',
  'metadata: {name: web, namespace: apps}',
  'spec:',
  '  interval: 1m',
  '  chart:',
  '    spec:',
  '      chart: ./charts/web',
  '      valuesFiles: [charts/web/values.yaml, values/web.yaml]',
  '      sourceRef: {kind: GitRepository, name: fleet, namespace: flux-system}',
  '',
].join('\n')

const chart = (from: string, level: string) => ({
  'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
  'charts/web/values.yaml': 'level: info\n',
  'charts/web/templates/cm.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {level: {{ .Values.level | quote }}, from: ${from}}\n`,
  'values/web.yaml': `level: ${level}\n`,
})

/** main: the source pinned to `ref`, the chart (`from: one`), tagged v1; then branch `pr` commits `change`. */
async function pinnedRepo(ref: string, change: Record<string, string>) {
  const repo = await history({
    ...chart('one', 'warn'),
    'flux/source.yaml': gitRepository(ref),
    'apps/web.yaml': release,
  })
  await git(repo, ['tag', 'v1', 'main'])
  await edit(repo, change)
  await commitAll(repo, 'the change')
  return repo
}

describe('a HelmRelease chart of a pinned GitRepository of this repository', () => {
  it('pinned to v1 while the pull request changes the chart and its values file: unchanged', async () => {
    const repo = await pinnedRepo('{tag: v1}', chart('two', 'debug'))
    const {exitCode, result} = await diffLast<DiffObjects>(repo, env)
    expect(result.failures).toEqual([])
    expect(exitCode).toBe(0)
    expect(result.summary).toBe('unchanged')
  })

  it('at the branch under review: the pull request changes what is deployed', async () => {
    const repo = await pinnedRepo('{branch: main}', chart('two', 'debug'))
    const {result} = await diffLast<DiffObjects>(repo, env)
    expect(result.failures).toEqual([])
    expect(result.summary).toBe('changed')
  })

  it("the ref moved to v2: each commit's chart and values files rendered, the change shown", async () => {
    const repo = await pinnedRepo('{tag: v1}', {})
    await movedTo(repo, 'v2', () => edit(repo, chart('two', 'error')), {
      'flux/source.yaml': gitRepository('{tag: v2}'),
      ...chart('three', 'debug'),
    })
    const {exitCode, result} = await diffLast<DiffObjects>(repo, env)
    expect(result.failures).toEqual([])
    expect(exitCode).toBe(0)
    expect(result.summary).toBe('changed')
    const web = result.deployables.find((d) => d.application === 'apps/web')!
    expect(web.objects.map((o) => [o.change, o.kind, o.name])).toEqual([['changed', 'ConfigMap', 'web']])
    expect(web.objects[0].diff).toContain('-  from: one')
    expect(web.objects[0].diff).toContain('+  from: two')
    expect(web.objects[0].diff).toContain('+  level: error')
    expect(web.objects[0].diff).not.toMatch(/three|debug/)
  })

  it('a link of the pinned tree under the chart that leaves it: refused, never read', async () => {
    const repo = await pinnedRepo('{tag: v1}', {})
    await movedTo(repo, 'escape', () => symlink('/etc/passwd', path.join(repo, 'charts/web/templates/x.yaml')), {
      'flux/source.yaml': gitRepository('{tag: escape}'),
    })
    const {exitCode, result} = await diffLast<DiffObjects>(repo, env)
    expect(exitCode).toBe(1)
    const head = result.failures.filter((f) => f.revision === 'head')
    expect(head.map((f) => [f.rule, f.file])).toEqual([['render-refused', 'apps/web.yaml']])
    expect(head[0].message).toContain('chart path ./charts/web leaves the revision of this repository (')
  })

  it('a ref the clone does not hold: not rendered, the ref named; moving it is incomplete, never unchanged', async () => {
    const repo = await pinnedRepo('{tag: v1}', {'flux/source.yaml': gitRepository('{tag: v9}')})
    const {exitCode, result} = await diffLast<DiffObjects>(repo, env)
    expect(exitCode).toBe(1)
    expect(result.failures.map((f) => [f.revision, f.rule, f.file])).toEqual([
      ['head', 'render-unavailable', 'apps/web.yaml'],
    ])
    expect(result.failures[0].message).toContain(
      'comes from GitRepository flux-system/fleet, pinned to tag v9: source-controller packages it from that revision',
    )
    await edit(repo, {'flux/source.yaml': gitRepository('{tag: v10}')})
    await commitAll(repo, 'v9 to v10')
    const moved = await diffLast<DiffObjects>(repo, env)
    expect(moved.result.summary).toBe('incomplete')
  })

  it('gitops verify --render judges the chart of the pinned commit', async () => {
    const repo = await pinnedRepo('{tag: v1}', {'charts/web/templates/cm.yaml': 'not: [yaml\n'})
    const run = await runCli(['gitops', 'verify', '--render', '--json', '--root', repo], {env})
    const result = run.json<{render: {deployables: Array<{application?: string; status: string; objects: number}>}}>()
    expect(result.render.deployables.map((d) => [d.application, d.status, d.objects])).toEqual([
      ['apps/web', 'rendered', 1],
    ])
  })
})
