/**
 * A Flux Kustomization printed by a parent's build (the home-ops shape: a root Kustomization over a folder whose
 * kustomization prints each app's `ks.yaml`) that ameide cannot render — its `postBuild.substituteFrom` names a Secret
 * the revision does not hold, so its variables are unknown — must not make every diff incomplete: what it deploys
 * depends on its printed spec, the files its own build reads and that Secret (the cluster's, the same in both
 * revisions), none of which a change to another app's folder touches. Found by the real-history suite on
 * npawelek/home-ops (test/history), where every commit was `incomplete` with the render-unavailable failures of the
 * ~70 Kustomizations substituting from `cluster-secrets`, both revisions, whichever app the commit changed: the
 * printed Kustomization's finding read every input of its parent's build (src/gitops/gate/flux-kustomizations.ts
 * planPrinted). And a change to its own folder must make the diff incomplete: its finding read its spec only, not what
 * its folder's build reads (a wrong "unchanged"; src/gitops/flux/kustomization/roots.ts, src/gitops/gate/gate.ts).
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {diffLast, history} from '../../../support/diff-repo.js'
import {runCleanups} from '../../../support/tmp.js'
import {requireTool, toolEnv} from '../../../support/toolchain.js'

afterAll(runCleanups)

let env: Record<string, string | undefined>
beforeAll(() => {
  requireTool('kustomize')
  env = toolEnv()
})

interface Result {
  summary: string
  deployables: Array<{objects: Array<{change: string; kind: string; namespace?: string; name: string}>}>
  images: Array<{from: string | null; to: string | null}>
  failures: Array<{revision: string; rule: string; file: string; message: string}>
}

const deployment = (name: string, image: string) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    `metadata: {name: ${name}}`,
    'spec:',
    `  selector: {matchLabels: {app: ${name}}}`,
    '  template:',
    `    metadata: {labels: {app: ${name}}}`,
    `    spec: {containers: [{name: ${name}, image: "${image}"}]}`,
    '',
  ].join('\n')

/** An app's ks.yaml: its folder kubernetes/apps/shop/<name>/app, substituting from `cluster-secrets` when `secret`. */
const appKs = (name: string, secret: boolean) =>
  [
    'apiVersion: kustomize.toolkit.fluxcd.io/v1',
    'kind: Kustomization',
    `metadata: {name: ${name}}`,
    'spec:',
    '  interval: 30m',
    `  path: ./kubernetes/apps/shop/${name}/app`,
    '  prune: true',
    '  sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}',
    '  targetNamespace: shop',
    ...(secret ? ['  postBuild:', '    substituteFrom:', '      - {kind: Secret, name: cluster-secrets}'] : []),
    '',
  ].join('\n')

/** cluster-apps' patch on every Kustomization it prints (npawelek/home-ops': defaults for their HelmReleases). */
const defaults = [
  '  patches:',
  '    - patch: |-',
  '        apiVersion: kustomize.toolkit.fluxcd.io/v1',
  '        kind: Kustomization',
  '        metadata: {name: _}',
  '        spec:',
  '          patches:',
  '            - patch: |-',
  '                apiVersion: helm.toolkit.fluxcd.io/v2',
  '                kind: HelmRelease',
  '                metadata: {name: _}',
  '                spec: {install: {crds: CreateReplace}}',
  '              target: {group: helm.toolkit.fluxcd.io, kind: HelmRelease}',
  '      target: {group: kustomize.toolkit.fluxcd.io, kind: Kustomization}',
]

/**
 * The home-ops layout: cluster-apps over kubernetes/apps, a folder of namespace folders printing the apps' ks.yaml
 * (patched by cluster-apps when `patched`).
 */
const files = (apiImage: string, patched: boolean): Record<string, string> => ({
  'kubernetes/flux/cluster/ks.yaml': [
    'apiVersion: kustomize.toolkit.fluxcd.io/v1',
    'kind: Kustomization',
    'metadata: {name: cluster-apps, namespace: flux-system}',
    'spec:',
    '  interval: 1h',
    '  path: ./kubernetes/apps',
    '  prune: true',
    '  sourceRef: {kind: GitRepository, name: flux-system}',
    ...(patched ? defaults : []),
    '',
  ].join('\n'),
  'kubernetes/apps/shop/kustomization.yaml': 'namespace: shop\nresources:\n  - ./web/ks.yaml\n  - ./api/ks.yaml\n',
  'kubernetes/apps/shop/web/ks.yaml': appKs('web', true),
  'kubernetes/apps/shop/web/app/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
  'kubernetes/apps/shop/web/app/deployment.yaml': deployment('web', 'ghcr.io/acme/web:${WEB_TAG}'),
  'kubernetes/apps/shop/api/ks.yaml': appKs('api', false),
  'kubernetes/apps/shop/api/app/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
  'kubernetes/apps/shop/api/app/deployment.yaml': deployment('api', apiImage),
})

/** The api app's image moved (another app's folder), or the web app's own Deployment changed. */
const OTHER = {'kubernetes/apps/shop/api/app/deployment.yaml': deployment('api', 'ghcr.io/acme/api:1.1.0')}
const OWN = {'kubernetes/apps/shop/web/app/deployment.yaml': deployment('web', 'ghcr.io/acme/web:${WEB_TAG}-debug')}

describe('a printed Flux Kustomization ameide cannot render (its substituteFrom Secret not held)', () => {
  it.each([
    ['printed patched by its parent', true],
    ['printed as its file says', false],
  ])("%s, another app's image moved: changed, no failure", async (_, patched) => {
    const repo = await history(files('ghcr.io/acme/api:1.0.0', patched), OTHER)
    const {exitCode, stderr, result} = await diffLast<Result>(repo, env, ['--no-cache'])
    expect(result.failures).toEqual([])
    expect(result.summary).toBe('changed')
    expect(exitCode, stderr).toBe(0)
  })

  it.each([
    ['printed patched by its parent', true],
    ['printed as its file says', false],
  ])("%s, its own folder changed (the Deployment's image): incomplete, its failure named", async (_, patched) => {
    const repo = await history(files('ghcr.io/acme/api:1.0.0', patched), OWN)
    const {exitCode, result} = await diffLast<Result>(repo, env, ['--no-cache'])
    expect(result.summary).toBe('incomplete')
    expect(result.failures).toContainEqual(
      expect.objectContaining({rule: 'render-unavailable', file: 'kubernetes/apps/shop/web/ks.yaml'}),
    )
    expect(exitCode).toBe(1)
  })
})
