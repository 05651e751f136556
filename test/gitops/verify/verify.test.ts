import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../../support/cli.js'
import {gitopsRepo, gitopsTree} from '../../support/gitops-fixture.js'
import {assertMatchesSchema} from '../../support/schema.js'
import {makeTempDir, runCleanups} from '../../support/tmp.js'

type Result = {
  summary: string
  environments: string[]
  rules: string[]
  findings: Array<{rule: string; file: string; line: number; column: number; message: string; hint: string}>
  counts: Record<string, number>
  files: {checked: number; skipped: Array<{file: string; reason: string}>}
}

const A = 'a'.repeat(64)
const B = 'b'.repeat(64)
let repo: string

beforeAll(async () => {
  repo = await gitopsRepo()
})
afterAll(runCleanups)

const verify = (args: string[], options: {cwd?: string; env?: Record<string, string>} = {}) =>
  runCli(['gitops', 'verify', '--json', ...args], {cwd: options.cwd ?? repo, env: options.env})
const at = (r: Result) => r.findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.rule}`)

const treeOf = gitopsTree

describe('ameide gitops verify on the fixture repository (seed 000 layout)', () => {
  it('reports every rule at the exact line and column, sorted, and nothing for the decoys', async () => {
    const run = await verify([])
    expect(run.exitCode, run.stderr).toBe(1)
    const result = run.json<Result>()
    assertMatchesSchema('gitops-verify.schema.json', result)
    expect(at(result)).toEqual([
      'argocd/hooks/migrate.yaml:13:28 pull-policy-always',
      'argocd/hooks/migrate.yaml:24:18 floating-tag',
      'argocd/hooks/migrate.yaml:24:18 pull-policy-implicit',
      'argocd/primitives/orders-domain.yaml:7:20 primitive-pull-policy',
      'config/clusters/azure.yaml:5:5 dev-environment',
      'sources/values/_shared/apps/orders-smoke.yaml:3:12 floating-tag',
      // Inside `manifests: |-`: the line and column of the outer file.
      'sources/values/_shared/apps/orders-smoke.yaml:17:20 floating-tag',
      'sources/values/_shared/apps/orders-smoke.yaml:17:20 pull-policy-implicit',
      'sources/values/_shared/cluster/ameide-operators.yaml:4:12 image-not-pinned',
      'sources/values/_shared/cluster/ameide-operators.yaml:5:17 pull-policy-always',
      'sources/values/env/dev/:0:0 dev-environment',
      'sources/values/env/local/apps/orders.yaml:8:13 floating-tag',
      'sources/values/env/local/apps/orders.yaml:8:13 image-not-pinned',
      // A CRLF file without a final newline.
      'sources/values/env/local/apps/www.yaml:2:9 image-not-pinned',
      // Image maps of each convention: a block map, a flow map with a registry, a tag carrying the digest (pinned).
      'sources/values/env/production/apps/helm-apps.yaml:4:5 image-not-pinned',
      'sources/values/env/production/apps/helm-apps.yaml:4:5 split-image-fields',
      'sources/values/env/production/apps/helm-apps.yaml:7:9 image-not-pinned',
      'sources/values/env/production/apps/helm-apps.yaml:7:9 split-image-fields',
      'sources/values/env/production/apps/helm-apps.yaml:10:5 split-image-fields',
      // An init container added by a JSON 6902 patch written in a block string.
      'sources/values/env/production/apps/patches.yaml:13:19 image-not-pinned',
      'sources/values/env/production/apps/transformation.yaml:2:3 image-not-pinned',
      'sources/values/env/production/apps/transformation.yaml:2:3 split-image-fields',
      'sources/values/env/production/apps/transformation.yaml:3:8 floating-tag',
      'sources/values/env/production/globals.yaml:4:17 split-image-fields',
      // Argo CD helm.valuesObject (the rbd volume image and the pinned map pass), helm.values (a block string:
      // a pinned map with a digest field, a flow map), helm.parameters grouped by prefix (web.image, image with
      // tag latest), an inline ConfigMap's values.yaml read by a HelmRelease's valuesFrom.
      // Argo CD Image Updater's write-back file (helm.parameters image.name + image.tag) and an Application's
      // kustomize.images (`name=image`, quoted); the pinned entry passes.
      'sources/values/env/staging/apps/.argocd-source-checkout.yaml:5:14 image-not-pinned',
      'sources/values/env/staging/apps/.argocd-source-checkout.yaml:5:14 split-image-fields',
      'sources/values/env/staging/apps/argocd-kustomize.yaml:13:33 image-not-pinned',
      'sources/values/env/staging/apps/argocd-kustomize.yaml:14:12 image-not-pinned',
      'sources/values/env/staging/apps/helm-apps.yaml:15:15 image-not-pinned',
      'sources/values/env/staging/apps/helm-apps.yaml:15:15 split-image-fields',
      'sources/values/env/staging/apps/helm-apps.yaml:23:20 split-image-fields',
      'sources/values/env/staging/apps/helm-apps.yaml:27:15 split-image-fields',
      'sources/values/env/staging/apps/helm-apps.yaml:30:21 image-not-pinned',
      'sources/values/env/staging/apps/helm-apps.yaml:30:21 split-image-fields',
      'sources/values/env/staging/apps/helm-apps.yaml:32:49 image-not-pinned',
      'sources/values/env/staging/apps/helm-apps.yaml:32:49 split-image-fields',
      'sources/values/env/staging/apps/helm-apps.yaml:38:20 image-not-pinned',
      'sources/values/env/staging/apps/helm-apps.yaml:38:20 split-image-fields',
      'sources/values/env/staging/apps/helm-apps.yaml:40:20 floating-tag',
      'sources/values/env/staging/apps/helm-apps.yaml:50:7 image-not-pinned',
      'sources/values/env/staging/apps/helm-apps.yaml:50:7 split-image-fields',
      'sources/values/env/staging/apps/orders.yaml:5:10 floating-tag',
      'sources/values/env/staging/apps/orders.yaml:5:10 image-not-pinned',
      // Image maps by shape under any key; `cache` carries its digest in the tag (pinned, still split under `ref`).
      // HelmRelease values: the pinned map is only split; the pod spec embedded without apiVersion/kind is read.
      'sources/values/env/staging/apps/runner.yaml:9:7 split-image-fields',
      'sources/values/env/staging/apps/runner.yaml:16:20 image-not-pinned',
      'sources/values/env/staging/apps/shapes.yaml:3:3 image-not-pinned',
      'sources/values/env/staging/apps/shapes.yaml:3:3 split-image-fields',
      'sources/values/env/staging/apps/shapes.yaml:6:3 split-image-fields',
      // The values file of a chart in the overlay (its template's image is a Helm expression, not a reference).
      'sources/values/env/staging/charts/web/values.yaml:2:3 image-not-pinned',
      'sources/values/env/staging/charts/web/values.yaml:2:3 split-image-fields',
      // kustomize `images:`: no digest, newTag latest, neither newTag nor digest; the pinned busybox entry passes.
      'sources/values/env/staging/kustomization.yaml:8:5 image-not-pinned',
      'sources/values/env/staging/kustomization.yaml:9:13 floating-tag',
      'sources/values/env/staging/kustomization.yaml:11:5 image-not-pinned',
      'sources/values/env/staging/kustomization.yaml:15:6 image-not-pinned',
    ])
    expect(result.counts).toEqual({
      'image-not-pinned': 22,
      'floating-tag': 8,
      'split-image-fields': 17,
      'pull-policy-always': 2,
      'pull-policy-implicit': 2,
      'primitive-pull-policy': 1,
      'dev-environment': 2,
    })
    expect(result.files.skipped).toEqual([
      {file: 'argocd/applications/orders/templates/deployment.yaml', reason: expect.stringMatching(/not valid YAML/)},
    ])
    expect(result.files.checked).toBe(32)
    expect(result.environments).toEqual(['dev', 'local', 'production', 'staging'])
    const messages = result.findings.map((f) => f.message).join('\n')
    // Git revisions, chart versions, CRD schemas, Helm expressions, descriptions and .github/ are not references.
    expect(messages).not.toMatch(/targetRevision|version|openAPIV3Schema|\{\{|SIDECAR|node:latest|by hand/)
    // Volume sources (rbd.image, cephfs, iscsi) and a chart repository URL are not images.
    expect(messages).not.toMatch(/rbd|ceph|iscsi|charts\.example|chart\b/)
    for (const f of result.findings) expect(f.hint.length).toBeGreaterThan(10)
  })

  it('is deterministic: the same tree gives byte-identical JSON, from the top level or a subdirectory', async () => {
    const first = await verify([])
    const again = await verify([], {cwd: path.join(repo, 'sources/values')})
    const byRoot = await verify(['--root', repo], {cwd: path.dirname(repo)})
    expect(again.stdout).toBe(first.stdout)
    expect(byRoot.stdout).toBe(first.stdout)
  })

  it('--env and --rule narrow the report; an unknown rule is exit 2', async () => {
    const prod = (await verify(['--env', 'production', '--rule', 'image-not-pinned,floating-tag'])).json<Result>()
    expect(at(prod)).toEqual([
      'argocd/hooks/migrate.yaml:24:18 floating-tag',
      'sources/values/_shared/apps/orders-smoke.yaml:3:12 floating-tag',
      'sources/values/_shared/apps/orders-smoke.yaml:17:20 floating-tag',
      'sources/values/_shared/cluster/ameide-operators.yaml:4:12 image-not-pinned',
      'sources/values/env/production/apps/helm-apps.yaml:4:5 image-not-pinned',
      'sources/values/env/production/apps/helm-apps.yaml:7:9 image-not-pinned',
      'sources/values/env/production/apps/patches.yaml:13:19 image-not-pinned',
      'sources/values/env/production/apps/transformation.yaml:2:3 image-not-pinned',
      'sources/values/env/production/apps/transformation.yaml:3:8 floating-tag',
    ])
    expect(prod.environments).toEqual(['production'])
    // unreadable-file is always on: a file the gate could not read was checked by no rule.
    expect(prod.rules).toEqual(['unreadable-file', 'image-not-pinned', 'floating-tag'])
    const bad = await verify(['--rule', 'no-such-rule'])
    expect(bad.exitCode).toBe(2)
    expect(bad.json().error.code).toBe('UNKNOWN_RULE')
  })

  it('prints findings grouped by file in human mode, and annotations + a step summary under GitHub Actions', async () => {
    const human = await runCli(['gitops', 'verify'], {cwd: repo})
    expect(human.exitCode).toBe(1)
    expect(human.stdout).toMatch(
      /^sources\/values\/env\/local\/apps\/www\.yaml\n {2}2:9 +error .*\[image-not-pinned\]/m,
    )
    expect(human.stdout).toMatch(/FAIL: 32 file\(s\) checked, 1 skipped; 54 finding\(s\)/)
    const summary = path.join(await makeTempDir(), 'summary.md')
    const actions = await verify([], {env: {GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary}})
    expect(() => actions.json()).not.toThrow()
    expect(actions.stderr).toContain(
      '::error file=sources/values/env/local/apps/www.yaml,line=2,col=9,title=ameide gitops verify%3A image-not-pinned::',
    )
    expect(await readFile(summary, 'utf8')).toMatch(/\| floating-tag \| 8 \|/)
  })
})

describe('ameide gitops verify: passing trees and the split contract of seed 004', () => {
  it('passes a pinned tree (exit 0) and reads the layout from the repository ameide.yaml', async () => {
    const dir = await treeOf({
      'ameide.yaml': 'gitopsPolicy:\n  overlays: ["deploy/{env}/**"]\n  extraFloatingTags: [dev-placeholder]\n',
      'deploy/local/app.yaml': `image:\n  ref: ghcr.io/a/app:1@sha256:${A}\n`,
      'deploy/local/ui.yaml': 'image:\n  ref: ghcr.io/a/ui:dev-placeholder\n',
      'sources/values/env/local/ignored.yaml': 'image:\n  ref: ghcr.io/a/x:dev\n',
    })
    const run = await verify([], {cwd: dir})
    const result = run.json<Result>()
    expect(at(result)).toEqual(['deploy/local/ui.yaml:2:8 floating-tag', 'deploy/local/ui.yaml:2:8 image-not-pinned'])
    const clean = await treeOf({'sources/values/env/local/app.yaml': `image:\n  ref: ghcr.io/a/app:1@sha256:${A}\n`})
    const ok = await verify([], {cwd: clean})
    expect(ok.exitCode).toBe(0)
    expect(ok.json<Result>()).toMatchObject({summary: 'pass', findings: [], counts: {}})
  })

  it('a strict ameide.yaml: an unknown gitopsPolicy key is exit 3', async () => {
    const dir = await treeOf({'ameide.yaml': 'gitopsPolicy:\n  overlay: []\n'})
    const run = await verify([], {cwd: dir})
    expect(run.exitCode).toBe(3)
    expect(run.json().error.code).toBe('CONFIG_INVALID')
  })

  it('override-precedence and lockstep-sha follow the control plane precedence of seed 004', async () => {
    const policy = 'gitopsPolicy:\n  imageContract: split\n'
    const dir = await treeOf({
      'ameide.yaml': policy,
      // Production: the control plane inherits the root digest for another repository, and its tag differs.
      'sources/values/env/production/agents.yaml': [
        'image:',
        '  repository: registry.example/lab/jangar',
        '  tag: 5b72ee1e',
        `  digest: sha256:${A}`,
        'controlPlane:',
        '  image:',
        '    repository: registry.example/lab/jangar-control-plane',
        '    tag: 6c83ff2f',
        '',
      ].join('\n'),
      // Staging: the controllers override resolves without a digest.
      'sources/values/env/staging/agents.yaml': [
        'image:',
        '  repository: registry.example/lab/jangar',
        '  tag: 5b72ee1e',
        'controllers:',
        '  image:',
        '    tag: 5b72ee1e',
        '',
      ].join('\n'),
      // Local (no digest required) with the same shape: no override finding.
      'sources/values/env/local/agents.yaml': [
        'image:',
        '  repository: registry.example/lab/jangar',
        '  tag: 5b72ee1e',
        'controllers:',
        '  image:',
        '    tag: 5b72ee1e',
        '',
      ].join('\n'),
      // Passing production release: lockstep tags, own digests.
      'sources/values/env/production/ok.yaml': [
        'image:',
        '  repository: registry.example/lab/jangar',
        '  tag: 5b72ee1e',
        `  digest: sha256:${A}`,
        'controlPlane:',
        '  image:',
        '    repository: registry.example/lab/jangar-control-plane',
        `    digest: sha256:${B}`,
        '',
      ].join('\n'),
      // imagePolicy.requireDigest: true requires digests outside staging/production too.
      'sources/values/cluster/local/agents.yaml': [
        'imagePolicy:',
        '  requireDigest: true',
        'image:',
        '  repository: registry.example/lab/jangar',
        `  digest: sha256:${A}`,
        'controlPlane:',
        '  image:',
        '    repository: registry.example/lab/jangar-control-plane',
        '',
      ].join('\n'),
    })
    const result = (
      await verify(['--rule', 'override-precedence,lockstep-sha,split-image-fields'], {cwd: dir})
    ).json<Result>()
    expect(at(result)).toEqual([
      // requireDigest: true; the override names another repository and would inherit the root digest.
      'sources/values/cluster/local/agents.yaml:8:17 override-precedence',
      'sources/values/env/production/agents.yaml:3:8 lockstep-sha',
      'sources/values/env/production/agents.yaml:7:17 override-precedence',
      // Staging: the controllers resolve to repository + tag, no digest.
      'sources/values/env/staging/agents.yaml:6:5 override-precedence',
    ])
    expect(result.findings.find((f) => f.rule === 'lockstep-sha')?.message).toMatch(/6c83ff2f.*5b72ee1e/)
  })

  it('image-not-pinned applies to image maps by shape under split: a digest field or a tag carrying the digest', async () => {
    const dir = await treeOf({
      'ameide.yaml': 'gitopsPolicy:\n  imageContract: split\n',
      'sources/values/env/staging/apps.yaml': [
        'redis:',
        '  repository: docker.io/library/redis',
        '  tag: 7.2.4',
        'worker:',
        '  image:',
        '    repository: ghcr.io/ameideio/worker',
        `    tag: v1.2.3@sha256:${A}`,
        'api:',
        '  image:',
        '    registry: ghcr.io',
        '    repository: ameideio/api',
        '    tag: 1.0.0',
        `    digest: sha256:${B}`,
        'chart:',
        '  repository: oci://ghcr.io/ameideio/charts',
        '  tag: 1.0.0',
        '',
      ].join('\n'),
      // Shared values are not an overlay: no pinning required there.
      'sources/values/_shared/apps.yaml': 'redis:\n  repository: docker.io/library/redis\n  tag: 7.2.4\n',
    })
    const result = (await verify([], {cwd: dir})).json<Result>()
    expect(at(result)).toEqual(['sources/values/env/staging/apps.yaml:2:3 image-not-pinned'])
    expect(result.findings[0].message).toBe('redis in the staging overlay has no digest.')
  })
})
