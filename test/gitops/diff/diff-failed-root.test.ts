/**
 * A root that fails to build is an unknown, never an absence (issue 94, shape 1): a cluster repository applied by hand
 * (`kubectl apply -k cluster/overlays/default`) holds its Application and AppProject in kustomize bases; an AppProject
 * with a duplicate key makes the overlay fail, so the Application it would apply is unknown in that revision — a
 * change it could reach makes the diff incomplete, naming the root and its error; the Application is neither dropped
 * (never "removed") nor shown as deployed; and `gitops verify --render` says the same root failed. Built with real
 * git through the built CLI.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../../support/cli.js'
import {diffLast, history, type DiffVerdict} from '../../support/diff-repo.js'
import {assertMatchesSchema} from '../../support/schema.js'
import {
  appProject,
  fluxTeams,
  HAND_ROOT,
  handAppliedCluster,
  teamConfigMap,
  webConfigMap,
} from '../../support/root-shapes.js'
import {runCleanups} from '../../support/tmp.js'
import {requireTool, toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

type Result = DiffVerdict & {applications: {added: unknown[]; removed: unknown[]}}

let env: Record<string, string | undefined>
beforeAll(() => {
  requireTool('kustomize')
  env = toolEnv()
})

const ROOT = HAND_ROOT
const DUPLICATE_KEY = /mapping key "sourceRepos" already defined/
const cluster = handAppliedCluster
const project = appProject
const configMap = webConfigMap

/** Each failure names the failing root and its error, in `revisions`, on the Application web. */
function expectRootNamed(result: Result, revisions: string[]): void {
  expect(result.failures.map((f) => f.revision)).toEqual(revisions)
  for (const f of result.failures) {
    expect(f.rule).toBe('render-failed')
    expect(f.message).toContain(`kustomize build ${ROOT}`)
    expect(f.message).toMatch(DUPLICATE_KEY)
    expect(f.message).toContain('Application web')
  }
}

describe('a root applied by hand that fails to build', () => {
  it('both revisions fail, the ConfigMap its Application deploys changes: incomplete, exit 1, the root named', async () => {
    const repo = await history(cluster(true), {'manifests/web/cm.yaml': configMap('2')})
    const run = await diffLast<Result>(repo, env)
    expect(run.exitCode, run.stderr).toBe(1)
    expect(run.result.summary).toBe('incomplete')
    expectRootNamed(run.result, ['base', 'head'])
    // Neither dropped nor shown as deployed: no deployable of web, no Application added or removed.
    expect(run.result.deployables).toEqual([])
    expect(run.result.applications).toEqual({added: [], removed: []})

    // The gate on the same revision says the same root failed.
    const verify = await runCli(['gitops', 'verify', '--render', '--json'], {cwd: repo, env})
    const verified = verify.json<{findings: Array<{rule: string; file: string; message: string}>}>()
    assertMatchesSchema('gitops-verify.schema.json', verified)
    expect(verify.exitCode).toBe(1)
    const failed = verified.findings.filter((f) => f.rule === 'render-failed')
    expect(failed.map((f) => f.file)).toContain(`${ROOT}/kustomization.yaml`)
    expect(failed.every((f) => DUPLICATE_KEY.test(f.message))).toBe(true)
  })

  it('the head breaks the root and changes the ConfigMap: incomplete, web neither removed nor its objects', async () => {
    const repo = await history(cluster(false), {
      'cluster/projects/team.yaml': project(true),
      'manifests/web/cm.yaml': configMap('2'),
    })
    const run = await diffLast<Result>(repo, env)
    expect(run.exitCode, run.stderr).toBe(1)
    expect(run.result.summary).toBe('incomplete')
    expect(run.result.failures.some((f) => f.revision === 'head' && f.message.includes('Application web'))).toBe(true)
    expect(run.result.deployables).toEqual([])
    expect(run.result.applications).toEqual({added: [], removed: []})
  })

  it('the head fixes the root: web is not "added" from nothing, the base is the unknown', async () => {
    const repo = await history(cluster(true), {
      'cluster/projects/team.yaml': project(false),
      'manifests/web/cm.yaml': configMap('2'),
    })
    const run = await diffLast<Result>(repo, env)
    expect(run.exitCode, run.stderr).toBe(1)
    expect(run.result.summary).toBe('incomplete')
    expect(run.result.failures.some((f) => f.revision === 'base' && f.message.includes('Application web'))).toBe(true)
    expect(run.result.deployables).toEqual([])
    expect(run.result.applications).toEqual({added: [], removed: []})
  })

  it('a change nothing the root applies could reach: unchanged, exit 0', async () => {
    const repo = await history(cluster(true), {'README.md': '# fleet, again\n'})
    const run = await diffLast<Result>(repo, env)
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.result.summary).toBe('unchanged')
    expect(run.result.failures).toEqual([])
  })
})

describe('a Flux cluster folder that fails to build', () => {
  // clusters/prod is applied by the bootstrap's flux-system Kustomization; a ConfigMap there with a duplicate key makes
  // its build fail, so the `apps` Kustomization it applies is unknown in that revision (never "changed" as if applied).
  const broken = {
    ...fluxTeams(),
    'clusters/prod/settings.yaml': [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: settings, namespace: flux-system}',
      'data: {a: "1"}',
      'data: {a: "2"}',
      '',
    ].join('\n'),
  }

  it('a change under ./apps: incomplete, exit 1, the Kustomization and the failing folder named', async () => {
    const repo = await history(broken, {'apps/team-a/cm.yaml': teamConfigMap('team-a', '2')})
    const run = await diffLast<Result>(repo, env)
    expect(run.exitCode, run.stderr).toBe(1)
    expect(run.result.summary).toBe('incomplete')
    expect(run.result.deployables).toEqual([])
    const named = run.result.failures.filter((f) => f.file === 'clusters/prod/apps.yaml')
    expect(named.map((f) => f.revision)).toEqual(['base', 'head'])
    expect(named[0].message).toContain('Flux Kustomization flux-system/apps')
    expect(named[0].message).toContain('kustomize build clusters/prod failed')
    expect(named[0].message).toMatch(/mapping key "data" already defined/)
  })

  it('a change nothing it applies could reach: unchanged, exit 0', async () => {
    const repo = await history(broken, {'README.md': '# fleet\n'})
    const run = await diffLast<Result>(repo, env)
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.result.summary).toBe('unchanged')
  })
})
