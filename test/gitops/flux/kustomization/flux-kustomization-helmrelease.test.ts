/**
 * A HelmRelease as the Flux Kustomization that deploys it applies it: kustomize-controller applies the HelmRelease
 * its build prints — patched by the folder's overlay, its variables substituted by the post-build, moved by
 * targetNamespace — and helm-controller renders the chart from that object. `gitops diff` renders the built one:
 * flux2-kustomize-helm-example's overlay patch of a base release's values, a Kustomization's targetNamespace and its
 * postBuild.substitute, each a folder of one repository; a folder that only includes the base renders the file's.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {diffLast, history} from '../../../support/diff-repo.js'
import {runCleanups} from '../../../support/tmp.js'
import {requireTool, toolEnv} from '../../../support/toolchain.js'

afterAll(runCleanups)

const ORIGIN = 'https://github.com/example/fleet.git'

const chart: Record<string, string> = {
  'charts/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 1.0.0\n',
  'charts/app/values.yaml': 'image: ghcr.io/acme/app:0.1.0\nreplicas: 1\n',
  'charts/app/templates/deployment.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: {{ .Release.Name }}}',
    'spec:',
    '  replicas: {{ .Values.replicas }}',
    '  selector: {matchLabels: {app: {{ .Release.Name }}}}',
    '  template:',
    '    metadata: {labels: {app: {{ .Release.Name }}}}',
    '    spec: {containers: [{name: app, image: {{ .Values.image | quote }}}]}',
    '',
  ].join('\n'),
}

const release = (name: string, values: string) =>
  [
    'apiVersion: helm.toolkit.fluxcd.io/v2',
    'kind: HelmRelease',
    `metadata: {name: ${name}, namespace: web}`,
    'spec:',
    '  interval: 10m',
    '  chart:',
    '    spec:',
    '      chart: ./charts/app',
    '      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}',
    `  values: ${values}`,
    '',
  ].join('\n')

const kustomization = (name: string, extra: string[] = []) =>
  [
    'apiVersion: kustomize.toolkit.fluxcd.io/v1',
    'kind: Kustomization',
    `metadata: {name: ${name}, namespace: flux-system}`,
    'spec:',
    '  interval: 10m',
    `  path: ./apps/${name}`,
    '  prune: true',
    '  sourceRef: {kind: GitRepository, name: flux-system}',
    ...extra.map((l) => `  ${l}`),
    '',
  ].join('\n')

const patch = (tag: string) =>
  [
    'apiVersion: helm.toolkit.fluxcd.io/v2',
    'kind: HelmRelease',
    'metadata: {name: patched, namespace: web}',
    'spec:',
    `  values: {image: "ghcr.io/acme/app:${tag}", replicas: 2}`,
    '',
  ].join('\n')

const base: Record<string, string> = {
  ...chart,
  'clusters/prod/flux-system/gotk-sync.yaml': [
    'apiVersion: source.toolkit.fluxcd.io/v1',
    'kind: GitRepository',
    'metadata: {name: flux-system, namespace: flux-system}',
    `spec: {interval: 1m, url: ${ORIGIN}, ref: {branch: main}}`,
    '',
  ].join('\n'),
  // flux2-kustomize-helm-example: a base release, an overlay patching its values.
  'apps/base/patched/release.yaml': release('patched', '{replicas: 1}'),
  'apps/base/patched/kustomization.yaml': 'resources: [release.yaml]\n',
  'apps/overlay/kustomization.yaml': 'resources: [../base/patched]\npatches: [{path: values.yaml}]\n',
  'apps/overlay/values.yaml': patch('1.0.0'),
  'clusters/prod/overlay.yaml': kustomization('overlay'),
  // A folder that only includes the base: the file's release, as written.
  'apps/plain/kustomization.yaml': 'resources: [../base/patched]\nnamespace: plain\n',
  'clusters/prod/plain.yaml': kustomization('plain'),
  'apps/moved/release.yaml': release('moved', '{image: "ghcr.io/acme/app:2.0.0"}'),
  'clusters/prod/moved.yaml': kustomization('moved'),
  'apps/substituted/release.yaml': release('substituted', '{image: "ghcr.io/acme/app:${TAG}"}'),
  'clusters/prod/substituted.yaml': kustomization('substituted', ['postBuild: {substitute: {TAG: "3.0.0"}}']),
}

const head: Record<string, string> = {
  'apps/overlay/values.yaml': patch('1.1.0'),
  'clusters/prod/moved.yaml': kustomization('moved', ['targetNamespace: shop']),
  'clusters/prod/substituted.yaml': kustomization('substituted', ['postBuild: {substitute: {TAG: "3.1.0"}}']),
}

interface Result {
  summary: string
  failures: unknown[]
  images: Array<{application?: string; from: string | null; to: string | null}>
  deployables: Array<{
    change: string
    kind: string
    application?: string
    objects: Array<{change: string; kind: string; namespace?: string; name: string}>
  }>
}

let result: Result

beforeAll(async () => {
  requireTool('helm')
  requireTool('kustomize')
  const repo = await history(base, head)
  result = (await diffLast<Result>(repo, toolEnv(), ['--no-cache'])).result
}, 600_000)

const releaseObjects = (application: string) =>
  result.deployables
    .filter((d) => d.kind === 'HelmRelease' && d.application === application)
    .flatMap((d) => d.objects.map((o) => `${o.change} ${o.kind} ${o.namespace ?? ''}/${o.name}`))

describe('a HelmRelease as the Flux Kustomization that deploys it applies it', () => {
  it("an overlay's patch of a base release's values: the patched image moves; the folder that only includes the base is unchanged", () => {
    expect(result.failures).toEqual([])
    expect(result.images).toContainEqual(
      expect.objectContaining({
        application: 'web/patched',
        from: 'ghcr.io/acme/app:1.0.0',
        to: 'ghcr.io/acme/app:1.1.0',
      }),
    )
    expect(releaseObjects('web/patched')).toEqual(['changed Deployment web/patched'])
    expect(releaseObjects('plain/patched')).toEqual([])
  })

  it("targetNamespace: the chart's objects move to the namespace helm-controller renders the release in", () => {
    expect(releaseObjects('web/moved')).toEqual(['removed Deployment web/moved'])
    expect(releaseObjects('shop/moved')).toEqual(['added Deployment shop/moved'])
  })

  it("postBuild.substitute: the release's values as substituted, its image moved", () => {
    expect(result.images).toContainEqual(
      expect.objectContaining({
        application: 'web/substituted',
        from: 'ghcr.io/acme/app:3.0.0',
        to: 'ghcr.io/acme/app:3.1.0',
      }),
    )
  })
})
