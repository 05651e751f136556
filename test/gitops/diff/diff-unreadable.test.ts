/**
 * What the fail-closed fuzz found (./diff-fail-closed-fuzz.test.ts), each held here on its minimal shape: what a root
 * could not read is an unknown whatever the change touches — a declaration that does not parse, a document of a kind
 * nothing defines where Argo CD or Flux objects are expected, an app of apps that does not render or renders such a
 * kind, a kustomization that does not parse under an Application. Each: incomplete, exit 1, named — never "No change".
 * Built with real git through the built CLI.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {diffLast, type DiffVerdict} from '../../support/diff-repo.js'
import {exampleApps, EXAMPLE_ORIGIN} from '../../support/example-apps.js'
import {fixtureHistory, type Files} from '../../support/fixture-repos.js'
import {fluxTeams, handAppliedCluster, ORIGIN, teamConfigMap, webConfigMap} from '../../support/root-shapes.js'
import {runCleanups} from '../../support/tmp.js'
import {requireTool, toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

let env: Record<string, string | undefined>
beforeAll(() => {
  requireTool('kustomize')
  requireTool('helm')
  env = toolEnv()
})

/** The diff of `change` over `files`: incomplete, exit 1, a failure on `file` whose message matches `message`. */
async function expectIncomplete(origin: string, files: Files, change: Files, file: string, message: RegExp) {
  const run = await diffLast<DiffVerdict>(await fixtureHistory(origin, files, change), env)
  expect(run.exitCode, run.stderr).toBe(1)
  expect(run.result.summary).toBe('incomplete')
  const on = run.result.failures.filter((f) => f.file === file)
  expect(on.map((f) => f.revision)).toEqual(['base', 'head'])
  expect(on[0].message).toMatch(message)
}

const apps = exampleApps
/** A change the kustomize child of the app of apps deploys (its base's Service). */
const serviceChange = {'kustomize-base/service.yaml': apps()['kustomize-base/service.yaml'].replace('80', '81')}

describe('a declaration that cannot be read reaches every change', () => {
  it('an Application applied from a file that does not parse: a change under its path is incomplete', async () => {
    const files = {...apps(), 'root-app.yaml': `${apps()['root-app.yaml']}broken: [unclosed\n`}
    await expectIncomplete(EXAMPLE_ORIGIN, files, serviceChange, 'root-app.yaml', /is not read: .*any change may/s)
  })

  it('an Application of a kind nothing defines in an overlay applied by hand: incomplete, the kind named', async () => {
    const files = handAppliedCluster(false)
    files['cluster/apps/base/web.yaml'] = files['cluster/apps/base/web.yaml'].replace(
      'kind: Application',
      'kind: Aplication',
    )
    const change = {'manifests/web/cm.yaml': webConfigMap('2')}
    await expectIncomplete(ORIGIN, files, change, 'cluster/apps/base/web.yaml', /Aplication is a kind nothing defines/)
  })

  it('a Flux Kustomization of a kind nothing defines: a change under its path is never a guessed change', async () => {
    const files = fluxTeams()
    files['clusters/prod/apps.yaml'] = files['clusters/prod/apps.yaml'].replace(
      'kind: Kustomization',
      'kind: Kustomisation',
    )
    const change = {'apps/team-a/cm.yaml': teamConfigMap('team-a', '2')}
    await expectIncomplete(ORIGIN, files, change, 'clusters/prod/apps.yaml', /Kustomisation is a kind nothing defines/)
  })
})

describe('an app of apps that cannot be read reaches every change', () => {
  it('its chart does not render: a change its children deploy is incomplete, the parent named', async () => {
    const files = {...apps(), 'apps/values.yaml': `${apps()['apps/values.yaml']}broken: [unclosed\n`}
    await expectIncomplete(EXAMPLE_ORIGIN, files, serviceChange, 'root-app.yaml', /Applications it renders are unknown/)
  })

  it('its chart renders an Application of a kind nothing defines: incomplete, never the other children alone', async () => {
    const template = 'apps/templates/kustomize-guestbook.yaml'
    const files = {...apps(), [template]: apps()[template].replace('kind: Application', 'kind: Aplication')}
    await expectIncomplete(EXAMPLE_ORIGIN, files, serviceChange, template, /renders argoproj.io\/v1alpha1 Aplication/)
  })

  it("a child's kustomization does not parse: a change to the base it named is incomplete", async () => {
    const file = 'kustomize-guestbook/kustomization.yaml'
    const files = {...apps(), [file]: `${apps()[file]}broken: [unclosed\n`}
    const run = await diffLast<DiffVerdict>(await fixtureHistory(EXAMPLE_ORIGIN, files, serviceChange), env)
    expect(run.exitCode, run.stderr).toBe(1)
    expect(run.result.summary).toBe('incomplete')
    expect(run.result.failures.some((f) => f.message.includes('kustomize-guestbook'))).toBe(true)
  })
})
