/**
 * The bound on what one ApplicationSet may generate offline is the policy's (`gitopsPolicy.maxApplications`), and in
 * `gitops diff` the base's: a head that raises it is not obeyed (an attacker's revision cannot make the gate expand
 * more than the base allows), a base that raises it is. Built with real git through the built CLI.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../../../support/cli.js'
import {diffLast, history, type DiffVerdict} from '../../../support/diff-repo.js'
import {runCleanups} from '../../../support/tmp.js'
import {requireTool, toolEnv} from '../../../support/toolchain.js'

afterAll(runCleanups)

let env: Record<string, string | undefined>
beforeAll(() => {
  requireTool('kustomize')
  env = toolEnv()
})

const ORIGIN = 'https://github.com/example/fleet.git'

/** A list ApplicationSet of `n` elements, each an Application of folder apps/web. */
const listSet = (n: number) =>
  [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: ApplicationSet',
    'metadata: {name: fleet, namespace: argocd}',
    'spec:',
    '  goTemplate: true',
    '  generators:',
    `  - list: {elements: [${Array.from({length: n}, (_, i) => `{idx: "${i}"}`).join(', ')}]}`,
    '  template:',
    "    metadata: {name: 'web-{{.idx}}'}",
    '    spec:',
    '      project: default',
    `      source: {repoURL: '${ORIGIN}', targetRevision: HEAD, path: apps/web}`,
    "      destination: {server: https://kubernetes.default.svc, namespace: 'web-{{.idx}}'}",
    '',
  ].join('\n')

/** A matrix of two lists of `n` elements each: n² parameter sets. */
const matrixSet = (n: number) =>
  [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: ApplicationSet',
    'metadata: {name: grid, namespace: argocd}',
    'spec:',
    '  goTemplate: true',
    '  generators:',
    '  - matrix:',
    '      generators:',
    `      - list: {elements: [${Array.from({length: n}, (_, i) => `{row: "${i}"}`).join(', ')}]}`,
    `      - list: {elements: [${Array.from({length: n}, (_, i) => `{col: "${i}"}`).join(', ')}]}`,
    '  template:',
    "    metadata: {name: 'grid-{{.row}}-{{.col}}'}",
    '    spec:',
    '      project: default',
    `      source: {repoURL: '${ORIGIN}', targetRevision: HEAD, path: apps/web}`,
    "      destination: {server: https://kubernetes.default.svc, namespace: 'grid'}",
    '',
  ].join('\n')

const configMap = (value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {a: "${value}"}\n`
const policy = (max: number) => `gitopsPolicy:\n  maxApplications: ${max}\n`

const fleet = (max: number, set = listSet(30)): Record<string, string> => ({
  'ameide.yaml': policy(max),
  'argocd/fleet.yaml': set,
  'apps/web/cm.yaml': configMap('1'),
})

const BOUND = (max: number) =>
  new RegExp(
    `more than ${max} (Applications|parameter sets) \\(gitopsPolicy\\.maxApplications\\): not evaluated offline`,
  )

describe('gitopsPolicy.maxApplications', () => {
  it('gitops verify --render: an ApplicationSet past the bound is an error naming it; within it, its Applications are read', async () => {
    const past = await history(fleet(20))
    const over = await runCli(['gitops', 'verify', '--render', '--json'], {cwd: past, env})
    expect(over.exitCode, over.stderr).toBe(1)
    const messages = (over.json() as {findings: Array<{message: string}>}).findings.map((f) => f.message).join('\n')
    expect(messages).toMatch(BOUND(20))
    const within = await history(fleet(30))
    const under = await runCli(['gitops', 'verify', '--render', '--json'], {cwd: within, env})
    expect(under.stdout).not.toMatch(/gitopsPolicy\.maxApplications/)
  })

  it('a matrix whose parameter sets pass the bound is refused before its Applications are made', async () => {
    const repo = await history(fleet(50, matrixSet(8)))
    const run = await runCli(['gitops', 'verify', '--render', '--json'], {cwd: repo, env})
    expect(run.stdout).toMatch(BOUND(50))
  })

  it('gitops diff: the base bounds both revisions — a head raising it is not obeyed, a base raising it is', async () => {
    const change = {'apps/web/cm.yaml': configMap('2')}
    const raisedByHead = await history(fleet(20), {...change, 'ameide.yaml': policy(100)})
    const refused = await diffLast<DiffVerdict>(raisedByHead, env)
    expect(refused.exitCode, refused.stderr).toBe(1)
    expect(refused.result.summary).toBe('incomplete')
    expect(refused.result.failures.map((f) => [f.revision, f.file])).toEqual([
      ['base', 'argocd/fleet.yaml'],
      ['head', 'argocd/fleet.yaml'],
    ])
    expect(refused.result.failures[0].message).toMatch(BOUND(20))

    const raisedByBase = await history(fleet(100), change)
    const read = await diffLast<DiffVerdict>(raisedByBase, env)
    expect(read.result.failures).toEqual([])
    expect(read.exitCode, read.stderr).toBe(0)
    expect(read.result.deployables).toHaveLength(30)
    expect(read.result.deployables.every((d) => d.change === 'changed')).toBe(true)
  })
})
