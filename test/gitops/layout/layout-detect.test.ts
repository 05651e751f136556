/**
 * Layout detection and the gate that checked nothing: small GitOps checkouts in temp dirs, the built CLI run on each
 * without an ameide.yaml (detected) and with one (configured: explicit settings always win).
 */
import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {cover, detectLayout} from '../../../src/gitops/layout/detect.js'
import {signalsOf} from '../../../src/gitops/layout/scan.js'
import {runCli} from '../../support/cli.js'
import {assertMatchesSchema} from '../../support/schema.js'
import {gitopsTree} from '../../support/gitops-fixture.js'
import {runCleanups} from '../../support/tmp.js'

afterAll(runCleanups)

const deployment = (image: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ${image}\n`

const HELMRELEASE = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: redis
spec:
  values:
    image:
      repository: ghcr.io/acme/redis
      tag: latest
`

const checkout = gitopsTree

type Detection = {source: string; layout: string; preset: string; imageContract: string; evidence: string[]}
type Result = {summary: string; files: {checked: number}; counts: Record<string, number>; detection: Detection}

const verify = async (cwd: string, ...args: string[]) => {
  const run = await runCli(['gitops', 'verify', '--json', '--no-cache', ...args], {cwd})
  const doc = run.json()
  assertMatchesSchema(doc.error ? 'error.schema.json' : 'gitops-verify.schema.json', doc)
  return {run, doc}
}

describe('gitops verify: a gate that checked nothing does not pass', () => {
  it('a checkout with no GitOps file: NOTHING_CHECKED, exit 3, naming the layout and what it found', async () => {
    const dir = await checkout({'README.md': '# not GitOps\n', 'docker-compose.yaml': 'services:\n  app: {}\n'})
    const {run, doc} = await verify(dir)
    expect(run.exitCode).toBe(3)
    expect(doc.error.code).toBe('NOTHING_CHECKED')
    expect(doc.error.message).toContain('the none layout (detected; preset seed)')
    expect(doc.error.message).toContain('1 YAML file(s)')
    expect(doc.error.message).toContain('overlays sources/values/env/{env}/**')
    expect(doc.error.hints.join(' ')).toContain('--print-layout')

    const human = await runCli(['gitops', 'verify'], {cwd: dir, env: {NO_COLOR: '1'}})
    expect(human.exitCode).toBe(3)
    expect(human.stdout).not.toContain('PASS')
    // --print-layout stays the tool to see why: exit 0.
    const layout = await runCli(['gitops', 'verify', '--print-layout', '--json'], {cwd: dir})
    expect(layout.exitCode).toBe(0)
    expect(layout.json().layout.detection.layout).toBe('none')
  })

  it('an explicit layout that matches nothing fails too, with its empty globs and the layouts the files suggest', async () => {
    const dir = await checkout({
      'ameide.yaml': 'gitopsPolicy:\n  preset: kustomize\n',
      'manifests/app.yaml': deployment('ghcr.io/acme/app:v1'),
    })
    const {run, doc} = await verify(dir)
    expect(run.exitCode).toBe(3)
    expect(doc.error.code).toBe('NOTHING_CHECKED')
    expect(doc.error.message).toContain('set in ameide.yaml')
    expect(doc.error.message).toContain('overlays **/overlays/{env}/**')
    expect(doc.error.hints.join(' ')).toContain('plain (1 file(s))')
  })

  it('--render --require-render with no root and no deployable fails with NOTHING_CHECKED', async () => {
    const dir = await checkout({
      'ameide.yaml': 'gitopsPolicy:\n  cluster: ["cluster/**"]\n',
      'cluster/values.yaml': 'image:\n  ref: ghcr.io/acme/app:v1@sha256:' + 'a'.repeat(64) + '\n',
    })
    const plain = await verify(dir)
    expect(plain.run.exitCode).toBe(0)
    const {run, doc} = await verify(dir, '--render', '--require-render')
    expect(run.exitCode).toBe(3)
    expect(doc.error.code).toBe('NOTHING_CHECKED')
    expect(doc.error.message).toContain('found nothing to render')
  })
})

describe('gitops verify: the layout detected from the checkout', () => {
  it('Flux objects outside clusters/<env>/: the flux preset, the manifests folder as cluster values, split contract', async () => {
    const dir = await checkout({
      'kubernetes/apps/redis/helmrelease.yaml': HELMRELEASE,
      'kubernetes/apps/web/deploy.yaml': deployment('ghcr.io/acme/web:v2'),
      'docker/compose.yaml': 'services:\n  web:\n    image: ghcr.io/acme/web:latest\n',
    })
    const {run, doc} = await verify(dir)
    const r = doc as Result
    expect(run.exitCode).toBe(1)
    expect(r.detection).toMatchObject({source: 'detected', layout: 'flux', preset: 'flux', imageContract: 'split'})
    expect(r.detection.evidence[0]).toContain('toolkit.fluxcd.io objects (HelmRelease)')
    expect(r.files.checked).toBe(2)
    // The split map's floating tag is found; under the split contract it is no split-image-fields finding.
    expect(r.counts).toMatchObject({'floating-tag': 1, 'image-not-pinned': 2})
    expect(r.counts['split-image-fields']).toBeUndefined()

    const human = await runCli(['gitops', 'verify', '--no-cache'], {cwd: dir, env: {NO_COLOR: '1'}})
    expect(human.stdout).toContain('Layout: flux (detected; preset flux, image contract split)')
    expect(human.stdout).toContain("outside the flux preset's zones are read as cluster values: kubernetes/**")
  })

  it('kustomize overlays/<env>/: the kustomize preset, environments from the folders', async () => {
    const dir = await checkout({
      'app/base/deploy.yaml': deployment('ghcr.io/acme/app:v1'),
      'app/overlays/staging/kustomization.yaml':
        'resources:\n  - ../../base\nimages:\n  - name: ghcr.io/acme/app\n    newTag: v2\n',
    })
    const {doc} = await verify(dir)
    const r = doc as Result & {environments: string[]}
    expect(r.detection).toMatchObject({layout: 'kustomize', preset: 'kustomize', imageContract: 'ref'})
    expect(r.detection.evidence[0]).toBe('kustomize overlays: app/overlays/staging')
    expect(r.environments).toEqual(['staging'])
    expect(r.counts['image-not-pinned']).toBe(1)
  })

  it('a plain folder of manifests: its folders as cluster values; charts’ templates and compose files left out', async () => {
    const dir = await checkout({
      'web/deploy.yaml': deployment('ghcr.io/acme/web:latest'),
      'chart/Chart.yaml': 'apiVersion: v2\nname: chart\nversion: 1.0.0\n',
      'chart/templates/deploy.yaml': deployment('{{ .Values.image }}'),
      'compose/docker-compose.yaml': 'services:\n  a:\n    image: redis\n',
    })
    const {doc} = await verify(dir)
    const r = doc as Result
    expect(r.detection).toMatchObject({layout: 'plain', preset: 'plain'})
    expect(r.files.checked).toBe(1)
    expect(r.counts).toMatchObject({'floating-tag': 1, 'image-not-pinned': 1})
  })

  it('Argo CD apps-of-apps: the Applications’ folder is the argocd zone, the manifests cluster values', async () => {
    const application =
      'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: web\nspec:\n  source:\n    path: manifests/web\n'
    const dir = await checkout({
      'apps/web.yaml': application,
      'manifests/web/deploy.yaml': deployment('ghcr.io/acme/web:v1'),
    })
    const {doc} = await verify(dir)
    const r = doc as Result & {detection: {added: {cluster: string[]; argocd: string[]; overlays: string[]}}}
    expect(r.detection).toMatchObject({layout: 'argocd', preset: 'plain'})
    expect(r.detection.added).toEqual({argocd: ['apps/**'], cluster: ['manifests/**'], overlays: []})
    expect(r.files.checked).toBe(2)
    expect(r.counts['image-not-pinned']).toBe(1)
  })

  it('the design documents’ layout is recognised by its paths alone; explicit settings always win', async () => {
    const dir = await checkout({
      'sources/values/env/local/app.yaml': 'image:\n  ref: ghcr.io/acme/app:v1\n',
      'overlays/prod/deploy.yaml': deployment('ghcr.io/acme/app:v1'),
    })
    const detected = (await verify(dir)).doc as Result
    expect(detected.detection).toMatchObject({layout: 'seed', preset: 'seed', imageContract: 'ref'})
    expect(detected.files.checked).toBe(1)

    await writeFile(path.join(dir, 'ameide.yaml'), 'gitopsPolicy:\n  preset: kustomize\n  imageContract: ref\n')
    const configured = (await verify(dir)).doc as Result
    expect(configured.detection).toMatchObject({source: 'configured', layout: 'kustomize', preset: 'kustomize'})
    expect(configured.files.checked).toBe(1)
  })
})

describe('gitops verify: each rule’s hint once per run (human output)', () => {
  it('three unpinned images: three findings, one hint', async () => {
    const dir = await checkout({
      'ameide.yaml': 'gitopsPolicy:\n  cluster: ["cluster/**"]\n',
      'cluster/a.yaml': deployment('ghcr.io/acme/a:v1'),
      'cluster/b.yaml': deployment('ghcr.io/acme/b:v1') + '---\n' + deployment('ghcr.io/acme/c:v1'),
    })
    const human = await runCli(['gitops', 'verify', '--no-cache', '--rule', 'image-not-pinned'], {
      cwd: dir,
      env: {NO_COLOR: '1'},
    })
    expect(human.exitCode).toBe(1)
    expect(human.stdout.match(/\[image-not-pinned\]/g)).toHaveLength(3)
    expect(human.stdout.match(/Pin the image by digest/g)).toHaveLength(1)
    expect(human.stdout).toContain('image-not-pinned (3 findings): Pin the image by digest')
    const json = (await verify(dir, '--rule', 'image-not-pinned')).doc as {findings: Array<{hint: string}>}
    expect(json.findings.every((f) => f.hint.startsWith('Pin the image by digest'))).toBe(true)
  })
})

describe('layout detection: its two pieces', () => {
  it('kustomize environments outside overlays/: their folders add overlay globs, never the seed zone', async () => {
    const files = {
      'app/base/deploy.yaml': deployment('ghcr.io/acme/app:v1'),
      'environments/prod/kustomization.yaml': 'resources:\n  - ../../app/base\n',
      'deploy/envs/dev/kustomization.yml': 'resources: []\n',
      'deploy/envs/base/kustomization.yml': 'resources: []\n',
      'manifests/job.yaml': 'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\n',
    }
    const dir = await checkout(files)
    expect(detectLayout(dir, Object.keys(files).sort())).toEqual({
      source: 'detected',
      layout: 'kustomize',
      preset: 'kustomize',
      imageContract: 'ref',
      added: {
        cluster: ['manifests/**'],
        argocd: [],
        overlays: ['deploy/envs/{env}/**', 'environments/{env}/**'],
      },
      evidence: [
        'kustomize environments outside overlays/ (deploy/envs/{env}/**, environments/{env}/**): deploy/envs/dev, environments/prod',
        "Kubernetes manifests outside the kustomize preset's zones are read as cluster values: manifests/**",
      ],
      candidates: [
        {layout: 'kustomize', files: 3},
        {layout: 'plain', files: 2},
      ],
    })
  })

  it('cover: the shallowest folder holding no file to avoid, else the file itself', () => {
    const wanted = ['kubernetes/apps/a/x.yaml', 'kubernetes/flux/y.yaml', 'deploy.yaml', 'deploy/base/z.yaml']
    const avoid = ['kubernetes/components/c.yaml', 'deploy/overlays/prod/k.yaml']
    expect(cover(wanted, avoid)).toEqual(['deploy.yaml', 'deploy/base/**', 'kubernetes/apps/**', 'kubernetes/flux/**'])
  })

  it('signalsOf: every document’s apiVersion and kind, image maps by contract, and nothing that is not a kind', () => {
    const text = [
      'apiVersion: helm.toolkit.fluxcd.io/v2',
      'kind: HelmRelease',
      'spec:',
      '  values:',
      '    redis:',
      '      repository: ghcr.io/acme/redis',
      '      tag: "7"',
      '    image:',
      '      ref: ghcr.io/acme/app:v1',
      '---',
      'apiVersion: v1',
      'kind: ghp_notakind secret value',
      '---',
      'apiVersion: apps/v1',
      'kind: Deployment # a comment',
    ].join('\n')
    expect(signalsOf('x.yaml', text)).toEqual({
      file: 'x.yaml',
      objects: [
        {apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease'},
        {apiVersion: 'apps/v1', kind: 'Deployment'},
      ],
      refMaps: 1,
      splitMaps: 1,
    })
  })
})
