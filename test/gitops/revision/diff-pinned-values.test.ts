/**
 * A multi-source Application whose chart reads `$values/…` from a `ref:` source of this repository pinned to another
 * revision (a tag, a branch): Argo CD reads those files from that revision, so a change to them in the pull request
 * is not deployed (unchanged); those files are read from the clone at the pin's commit, so a moved pin shows the
 * rendered change, and a ref the clone does not hold is unknowable (incomplete, said with the ref); a `ref:` source at
 * the revision under review is read from it (changed). Real git, the built CLI, helm.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {diffLast, edit, history, type DiffVerdict} from '../../support/diff-repo.js'
import {commitAll, git, runCleanups} from '../../support/tmp.js'
import {requireTool, toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

type Result = Omit<DiffVerdict, 'deployables'> & {
  deployables: Array<{application?: string; objects: Array<{diff: string}>}>
}

let env: Record<string, string | undefined>
beforeAll(() => {
  requireTool('helm')
  env = toolEnv()
})

const ORIGIN = 'https://github.com/example/fleet.git'
const application = (valuesRevision: string) =>
  [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata: {name: web, namespace: argocd}',
    'spec:',
    '  project: default',
    '  sources:',
    `    - {repoURL: '${ORIGIN}', targetRevision: HEAD, path: charts/web, helm: {valueFiles: [$values/values/web.yaml]}}`,
    `    - {repoURL: '${ORIGIN}', targetRevision: '${valuesRevision}', ref: values}`,
    '  destination: {server: https://kubernetes.default.svc, namespace: web}',
    '',
  ].join('\n')

const files = (valuesRevision: string) => ({
  'argocd/web.yaml': application(valuesRevision),
  'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
  'charts/web/templates/cm.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {level: {{ .Values.level | quote }}}\n',
  'values/web.yaml': 'level: info\n',
})
const change = {'values/web.yaml': 'level: debug\n'}

async function tagged(base: Record<string, string>, next: Record<string, string>) {
  const repo = await history(base, next)
  await git(repo, ['tag', 'v1', 'main'])
  await git(repo, ['branch', 'release-1', 'main'])
  return repo
}

describe("a $values ref source's targetRevision", () => {
  it('HEAD: the revision under review, its value file read from it: changed', async () => {
    const repo = await tagged(files('HEAD'), change)
    const {exitCode, result} = await diffLast<DiffVerdict>(repo, env)
    expect(result.failures).toEqual([])
    expect(exitCode).toBe(0)
    expect(result.summary).toBe('changed')
  })

  it.each(['v1', 'release-1'])(
    'pinned to %s: the value file the pull request changes is not what Argo CD reads: unchanged',
    async (rev) => {
      const repo = await tagged(files(rev), change)
      const {exitCode, result} = await diffLast<DiffVerdict>(repo, env)
      expect(result.failures).toEqual([])
      expect(exitCode).toBe(0)
      expect(result.summary).toBe('unchanged')
    },
  )

  it('the pin moved to another commit: the value file read from each commit, the change shown', async () => {
    const repo = await tagged(files('v1'), {})
    await git(repo, ['checkout', '-q', '-b', 'side', 'main'])
    await edit(repo, {'values/web.yaml': 'level: warn\n'})
    await commitAll(repo, 'warn')
    await git(repo, ['tag', 'v2'])
    await git(repo, ['checkout', '-q', 'pr'])
    await edit(repo, {'argocd/web.yaml': application('v2'), 'values/web.yaml': 'level: debug\n'})
    await commitAll(repo, 'moved')
    const {exitCode, result} = await diffLast<Result>(repo, env)
    expect(result.failures).toEqual([])
    expect(exitCode).toBe(0)
    expect(result.summary).toBe('changed')
    const web = result.deployables.find((d) => d.application === 'web')!
    expect(web.objects[0].diff).toContain('-  level: info')
    expect(web.objects[0].diff).toContain('+  level: warn')
  })

  it('a ref this clone does not hold: not rendered, said with the ref', async () => {
    const repo = await tagged(files('v1'), {'argocd/web.yaml': application('stable')})
    const {exitCode, result} = await diffLast<DiffVerdict>(repo, env)
    expect(exitCode).toBe(1)
    expect(result.summary).toBe('incomplete')
    const head = result.failures.find((f) => f.revision === 'head')
    expect(head?.message).toContain(
      'value file $values/values/web.yaml comes from source $values of this repository, pinned to ref stable (not in this clone)',
    )
  })
})
