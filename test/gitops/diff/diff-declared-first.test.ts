/**
 * Declarations first, guesses only where nothing is declared (issue 94, shape 2): a folder a declared root builds — a
 * Flux Kustomization's path and what the kustomization there includes, an Argo CD Application's source and what it
 * includes — is never also a root the layout's overlay glob guessed. Built with real git through the built CLI.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {diffLast, history, type DiffVerdict} from '../../support/diff-repo.js'
import {argoPlatform, fluxTeams, teamConfigMap} from '../../support/root-shapes.js'
import {runCleanups} from '../../support/tmp.js'
import {requireTool, toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

type Result = Omit<DiffVerdict, 'deployables'> & {
  deployables: Array<DiffVerdict['deployables'][number] & {foundBy?: string}>
}

let env: Record<string, string | undefined>
beforeAll(() => {
  requireTool('kustomize')
  env = toolEnv()
})

const configMap = teamConfigMap

/** The one deployable changed: the declared one over `source`, never a guessed environment `guessed` beside it. */
function expectOnlyDeclared(result: Result, source: string, guessed: string): void {
  expect(result.summary).toBe('changed')
  expect(result.failures).toEqual([])
  expect(result.deployables.map((d) => d.environment)).not.toContain(guessed)
  expect(result.deployables.filter((d) => d.foundBy?.startsWith('overlay glob'))).toEqual([])
  expect(result.deployables).toHaveLength(1)
  expect(result.deployables[0]).toMatchObject({change: 'changed', source})
}

describe('a folder a declared root builds is never also a guessed root', () => {
  it('flux: a change under apps/team-a/ is one change, of the cluster apps Kustomization', async () => {
    const repo = await history(fluxTeams(), {'apps/team-a/cm.yaml': configMap('team-a', '2')})
    const run = await diffLast<Result>(repo, env)
    expect(run.exitCode, run.stderr).toBe(0)
    expectOnlyDeclared(run.result, 'apps', 'team-a')
  })

  it('argocd: a change under an overlay the Application includes is one change, of the Application', async () => {
    const repo = await history(argoPlatform(), {'web/base/cm.yaml': configMap('web', '2')})
    const run = await diffLast<Result>(repo, env)
    expect(run.exitCode, run.stderr).toBe(0)
    expectOnlyDeclared(run.result, 'platform', 'prod')
    expect(run.result.deployables[0].application).toBe('platform')
  })
})
