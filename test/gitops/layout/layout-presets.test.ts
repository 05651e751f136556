import {mkdir, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {runCli} from '../../support/cli.js'
import {gitopsRepo} from '../../support/gitops-fixture.js'
import {assertMatchesSchema} from '../../support/schema.js'
import {commitAll, git, initGitRepo, makeTempDir, runCleanups} from '../../support/tmp.js'

type Entry = {file: string; zone: string | null; env?: string; pinning: boolean}
type Result = {
  summary: string
  environments: string[]
  findings: unknown[]
  layout: {preset: string; environments: string[]; files: Entry[]}
}

afterAll(runCleanups)

const DEPLOY =
  'apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ghcr.io/acme/app:v1\n'

/** A GitOps repository made of the given files, every one a Deployment with an unpinned image. */
async function treeOf(files: string[], config: string): Promise<string> {
  const dir = await makeTempDir('ameide-gitops-layout-')
  await initGitRepo(dir)
  for (const file of files) {
    await mkdir(path.dirname(path.join(dir, file)), {recursive: true})
    await writeFile(path.join(dir, file), DEPLOY)
  }
  await writeFile(path.join(dir, 'ameide.yaml'), config)
  await commitAll(dir, 'case')
  return dir
}

const printLayout = async (cwd: string, json = true) => {
  const run = await runCli(['gitops', 'verify', '--print-layout', ...(json ? ['--json'] : [])], {cwd})
  expect(run.exitCode, run.stderr).toBe(0)
  return run
}
const rows = (r: Result) =>
  r.layout.files.map((f) => `${f.file} ${f.zone ?? '-'}${f.env ? ` ${f.env}` : ''} ${f.pinning ? 'pin' : ''}`.trim())

describe('gitopsPolicy.preset and gitops verify --print-layout', () => {
  it('seed (the default): the shared fixture, every file in its zone, exit 0 although the gate fails', async () => {
    const repo = await gitopsRepo()
    const gate = await runCli(['gitops', 'verify', '--json'], {cwd: repo})
    expect(gate.exitCode).toBe(1)
    const result = (await printLayout(repo)).json<Result>()
    assertMatchesSchema('gitops-verify.schema.json', result)
    expect(result.summary).toBe('pass')
    expect(result.findings).toEqual([])
    expect(result.layout.preset).toBe('seed')
    expect(result.layout.environments).toEqual(['dev', 'local', 'production', 'staging'])
    const r = rows(result)
    expect(r).toContain('sources/values/env/staging/kustomization.yaml overlay staging pin')
    expect(r).toContain('sources/values/_shared/cluster/ameide-operators.yaml cluster pin')
    expect(r).toContain('sources/values/_shared/kustomize/base/gateway.yaml shared')
    expect(r).toContain('argocd/hooks/migrate.yaml argocd')
    expect(r).toContain('config/clusters/azure.yaml cluster-config')
    expect(r).toContain('environments/local/components/apps/orders.yaml components')
    expect(result.layout.files.map((f) => f.file)).toEqual([...result.layout.files.map((f) => f.file)].sort())
    const human = (await printLayout(repo, false)).stdout
    expect(human).toMatch(/sources\/values\/env\/production\/globals\.yaml +overlay production +digest required/)
    expect(human).toMatch(/33 YAML file\(s\): 33 read by the gate, 23 of them checked for pinning/)
  })

  it('kustomize: overlays/<env>/ at the root and under an app, base folders never an environment', async () => {
    const repo = await treeOf(
      [
        'base/deploy.yaml',
        'overlays/prod/deploy.yaml',
        'shop/base/deploy.yaml',
        'shop/bases/redis/deploy.yaml',
        'shop/overlays/base/deploy.yaml',
        'shop/overlays/staging/patch.yml',
        'components/metrics/deploy.yaml',
        'docs/example.yaml',
      ],
      'gitopsPolicy:\n  preset: kustomize\n',
    )
    const result = (await printLayout(repo)).json<Result>()
    assertMatchesSchema('gitops-verify.schema.json', result)
    expect(result.layout.preset).toBe('kustomize')
    expect(result.layout.environments).toEqual(['prod', 'staging'])
    expect(rows(result)).toEqual([
      'ameide.yaml -',
      'base/deploy.yaml shared',
      'components/metrics/deploy.yaml components',
      'docs/example.yaml -',
      'overlays/prod/deploy.yaml overlay prod pin',
      'shop/base/deploy.yaml shared',
      'shop/bases/redis/deploy.yaml shared',
      // `overlays/base/` is a base folder, not an environment named "base".
      'shop/overlays/base/deploy.yaml shared',
      'shop/overlays/staging/patch.yml overlay staging pin',
    ])
    // The gate follows the same layout: unpinned only in the two overlays.
    const gate = (await runCli(['gitops', 'verify', '--json', '--rule', 'image-not-pinned'], {cwd: repo})).json<{
      findings: Array<{file: string}>
    }>()
    expect(gate.findings.map((f) => f.file)).toEqual(['overlays/prod/deploy.yaml', 'shop/overlays/staging/patch.yml'])
  })

  it('flux: clusters/<env>/ and apps/<env>/; apps/base and infrastructure shared; explicit keys override the preset', async () => {
    const files = [
      'apps/base/podinfo/release.yaml',
      'apps/production/podinfo-values.yaml',
      'apps/staging/podinfo-values.yaml',
      'clusters/production/apps.yaml',
      'clusters/staging/flux-system/gotk-components.yaml',
      'infrastructure/base/ingress.yaml',
      'infrastructure/controllers/cert-manager.yaml',
      'kubernetes/apps/dev/app.yaml',
    ]
    const repo = await treeOf(files, 'gitopsPolicy:\n  preset: flux\n')
    const result = (await printLayout(repo)).json<Result>()
    assertMatchesSchema('gitops-verify.schema.json', result)
    expect(result.layout.environments).toEqual(['production', 'staging'])
    expect(rows(result)).toEqual([
      'ameide.yaml -',
      'apps/base/podinfo/release.yaml shared',
      'apps/production/podinfo-values.yaml overlay production pin',
      'apps/staging/podinfo-values.yaml overlay staging pin',
      'clusters/production/apps.yaml overlay production pin',
      'clusters/staging/flux-system/gotk-components.yaml overlay staging pin',
      'infrastructure/base/ingress.yaml shared',
      'infrastructure/controllers/cert-manager.yaml shared',
      'kubernetes/apps/dev/app.yaml -',
    ])

    // A key set next to the preset wins over the preset's value; the other preset keys stay.
    const single = await treeOf(
      files,
      "gitopsPolicy:\n  preset: flux\n  cluster: ['kubernetes/**']\n  environments: [production]\n",
    )
    const custom = (await printLayout(single)).json<Result>()
    expect(custom.layout.environments).toEqual(['production', 'staging'])
    expect(rows(custom)).toContain('kubernetes/apps/dev/app.yaml cluster pin')
    expect(rows(custom)).toContain('apps/base/podinfo/release.yaml shared')
  })

  it('set-image writes the overlay a preset finds, and names the environments found when --env is none of them', async () => {
    const repo = await treeOf(
      ['shop/base/deploy.yaml', 'shop/overlays/prod/deploy.yaml', 'shop/overlays/staging/deploy.yaml'],
      'gitopsPolicy:\n  preset: kustomize\n',
    )
    const ref = `ghcr.io/acme/app:v2@sha256:${'c'.repeat(64)}`
    const run = await runCli(['gitops', 'set-image', '--env', 'prod', '--ref', ref, '--json'], {cwd: repo})
    expect(run.exitCode, run.stderr).toBe(0)
    expect(await git(repo, ['diff', '--name-only'])).toBe('shop/overlays/prod/deploy.yaml')
    expect(await readFile(path.join(repo, 'shop/overlays/prod/deploy.yaml'), 'utf8')).toBe(
      DEPLOY.replace('ghcr.io/acme/app:v1', ref),
    )
    const missing = await runCli(['gitops', 'set-image', '--env', 'qa', '--ref', ref, '--json'], {cwd: repo})
    expect(missing.exitCode).toBe(2)
    expect(missing.json<{error: {code: string; hints: string[]}}>().error).toMatchObject({
      code: 'ENVIRONMENT_NOT_FOUND',
      hints: [expect.stringContaining('Environments: prod, staging;')],
    })
  })

  it('rejects an unknown preset with CONFIG_INVALID', async () => {
    const repo = await treeOf(['overlays/prod/deploy.yaml'], 'gitopsPolicy:\n  preset: argo\n')
    const run = await runCli(['gitops', 'verify', '--print-layout', '--json'], {cwd: repo})
    expect(run.exitCode).not.toBe(0)
    expect(run.stdout + run.stderr).toMatch(/CONFIG_INVALID[\s\S]*preset/)
  })
})
