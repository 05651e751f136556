/**
 * `ameide doctor`'s `charts` line in a GitOps checkout: the chart repositories this checkout allows — what its tracked
 * files declare (a Flux HelmRepository, an Argo CD Application's repoURL, a Chart.yaml dependency) plus ameide.yaml's
 * list — the Secrets holding cosign keys, and whether fetching is off. A file not tracked declares nothing. Nothing is
 * requested (--offline, no network).
 */
import {afterAll, describe, expect, it} from 'vitest'

import {runCli} from '../support/cli.js'
import {edit} from '../support/diff-repo.js'
import {assertMatchesSchema} from '../support/schema.js'
import {commitAll, initGitRepo, makeTempDir, runCleanups} from '../support/tmp.js'

afterAll(runCleanups)

const files = (policy: string): Record<string, string> => ({
  'ameide.yaml': `gitopsPolicy:\n  charts:\n${policy}`,
  'infra/repository.yaml':
    'apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: podinfo, namespace: flux-system}\nspec:\n  url: https://stefanprodan.github.io/podinfo/\n',
  'infra/keys.yaml':
    'apiVersion: v1\nkind: Secret\nmetadata: {name: cosign-pub, namespace: flux-system}\nstringData:\n  cosign.pub: |\n    -----BEGIN PUBLIC KEY-----\n    AAAA\n    -----END PUBLIC KEY-----\n',
  'argocd/app.yaml':
    'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: web, namespace: argocd}\nspec:\n  source:\n    repoURL: oci://ghcr.io/acme/charts\n    chart: web\n    targetRevision: 1.0.0\n',
  'charts/app/Chart.yaml':
    'apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: redis\n    version: 1.x\n    repository: https://charts.example.com/stable\n',
})

async function chartsLine(policy: string) {
  const repo = await makeTempDir('ameide-doctor-charts-')
  await initGitRepo(repo)
  await edit(repo, files(policy))
  await commitAll(repo, 'fleet')
  // Not tracked: declares nothing.
  await edit(repo, {
    'untracked.yaml':
      'apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: x}\nspec:\n  url: https://untracked.example.com\n',
  })
  const run = await runCli(['doctor', '--json', '--offline'], {cwd: repo})
  const doc = run.json<{checks: Array<{id: string; status: string; detail: string; required: boolean}>}>()
  assertMatchesSchema('doctor.schema.json', doc)
  return doc.checks.find((c) => c.id === 'charts')!
}

describe('ameide doctor: chart repositories', () => {
  it('lists what the checkout declares and what ameide.yaml lists', async () => {
    const line = await chartsLine('    repositories: ["https://charts.internal.example/"]\n')
    expect(line).toMatchObject({status: 'ok', required: false})
    expect(line.detail).toContain(
      'declared here: https://charts.example.com/stable, https://stefanprodan.github.io/podinfo, oci://ghcr.io/acme/charts',
    )
    expect(line.detail).toContain('ameide.yaml lists: https://charts.internal.example/')
    expect(line.detail).toContain('cosign keys in Secrets: flux-system/cosign-pub')
    expect(line.detail).not.toContain('untracked.example.com')
  })

  it('says when fetching is off', async () => {
    const line = await chartsLine('    fetch: false\n')
    expect(line.detail).toMatch(/^fetching is off \(gitopsPolicy\.charts\.fetch: false\)/)
    expect(line.detail).toContain('ameide.yaml lists none')
  })
})
