/**
 * A render's inputs include what it reads by reference (issue 94): a Flux HelmRelease's `valuesFrom` ConfigMaps and
 * Secrets, by content, as the Flux Kustomization's build prints them — a `configMapGenerator` (or `secretGenerator`)
 * with a `kustomizeconfig.yaml` name reference, its name hashed from its content. A change to those values is a change
 * to the release's render: re-rendered where its chart can be (a chart of this repository), else `incomplete`, naming
 * the release (a chart of a Helm repository, `--offline`); a Secret's values are never shown. Real git, kustomize and
 * helm, through the built CLI.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {diffLast, history, type DiffObjects} from '../../support/diff-repo.js'
import {runCleanups} from '../../support/tmp.js'
import {requireTool, toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

let env: Record<string, string | undefined>
beforeAll(() => {
  requireTool('kustomize')
  requireTool('helm')
  env = toolEnv()
})

const FROM_HELM_REPOSITORY = [
  '      chart: podinfo',
  '      version: 6.5.0',
  '      sourceRef: {kind: HelmRepository, name: podinfo, namespace: flux-system}',
]
const FROM_THIS_REPOSITORY = [
  '      chart: ./charts/app',
  '      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}',
]

/** A Flux cluster whose Kustomization builds apps/podinfo: a HelmRelease with values a generator makes. */
function fleet(chart: string[], generator: 'configMapGenerator' | 'secretGenerator', color: string) {
  const kind = generator === 'configMapGenerator' ? 'ConfigMap' : 'Secret'
  return {
    'clusters/production/apps.yaml': [
      'apiVersion: kustomize.toolkit.fluxcd.io/v1',
      'kind: Kustomization',
      'metadata: {name: apps, namespace: flux-system}',
      'spec: {interval: 10m, path: ./apps/podinfo, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}',
      '',
    ].join('\n'),
    'apps/podinfo/repository.yaml': [
      'apiVersion: source.toolkit.fluxcd.io/v1',
      'kind: HelmRepository',
      'metadata: {name: podinfo, namespace: flux-system}',
      'spec: {url: https://stefanprodan.github.io/podinfo}',
      '',
    ].join('\n'),
    'apps/podinfo/release.yaml': [
      'apiVersion: helm.toolkit.fluxcd.io/v2',
      'kind: HelmRelease',
      'metadata: {name: podinfo, namespace: podinfo}',
      'spec:',
      '  interval: 10m',
      '  chart:',
      '    spec:',
      ...chart,
      '  valuesFrom:',
      `  - {kind: ${kind}, name: podinfo-values}`,
      '',
    ].join('\n'),
    'apps/podinfo/web.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {a: "1"}\n',
    'apps/podinfo/kustomization.yaml': [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'namespace: podinfo',
      'resources: [repository.yaml, release.yaml, web.yaml]',
      `${generator}:`,
      '- name: podinfo-values',
      '  files: [values.yaml=values.yaml]',
      'configurations: [kustomizeconfig.yaml]',
      '',
    ].join('\n'),
    'apps/podinfo/kustomizeconfig.yaml': [
      'nameReference:',
      `- kind: ${kind}`,
      '  version: v1',
      '  fieldSpecs:',
      '  - {path: spec/valuesFrom/name, kind: HelmRelease}',
      '',
    ].join('\n'),
    'apps/podinfo/values.yaml': `ui:\n  color: "${color}"\n`,
    'charts/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 1.0.0\n',
    'charts/app/templates/cm.yaml': [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: {{ .Release.Name }}-ui}',
      'data: {color: {{ .Values.ui.color | quote }}}',
      '',
    ].join('\n'),
  }
}

const values = (color: string) => ({'apps/podinfo/values.yaml': `ui:\n  color: "${color}"\n`})

describe("a HelmRelease's valuesFrom made by a kustomize generator: its content is an input of the release's render", () => {
  it('the values changed, its chart of a Helm repository not fetched (--offline): incomplete, naming the release', async () => {
    const repo = await history(fleet(FROM_HELM_REPOSITORY, 'configMapGenerator', '#34577c'), values('#000000'))
    const {exitCode, result} = await diffLast<DiffObjects>(repo, env, ['--offline'])
    expect(exitCode).toBe(1)
    expect(result.summary).toBe('incomplete')
    expect(result.failures.map((f) => [f.revision, f.file, f.application])).toEqual([
      ['base', 'apps/podinfo/release.yaml', 'podinfo/podinfo'],
      ['head', 'apps/podinfo/release.yaml', 'podinfo/podinfo'],
    ])
  })

  it('the values changed in a Secret a secretGenerator makes: incomplete, named, its values never shown', async () => {
    const repo = await history(fleet(FROM_HELM_REPOSITORY, 'secretGenerator', 'base-color-5e1f'), values('head-c0a9'))
    const {exitCode, stderr, result} = await diffLast<DiffObjects>(repo, env, ['--offline'])
    expect(exitCode).toBe(1)
    expect(result.summary).toBe('incomplete')
    expect(result.failures.map((f) => [f.revision, f.application])).toEqual([
      ['base', 'podinfo/podinfo'],
      ['head', 'podinfo/podinfo'],
    ])
    const shown = JSON.stringify(result) + stderr
    expect(shown).not.toContain('base-color-5e1f')
    expect(shown).not.toContain('head-c0a9')
  })

  it('something else in the same build changed: the release is untouched, "changed", exit 0', async () => {
    const repo = await history(fleet(FROM_HELM_REPOSITORY, 'configMapGenerator', '#34577c'), {
      'apps/podinfo/web.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {a: "2"}\n',
    })
    const {exitCode, stderr, result} = await diffLast<DiffObjects>(repo, env, ['--offline'])
    expect(result.failures).toEqual([])
    expect(exitCode, stderr).toBe(0)
    expect(result.summary).toBe('changed')
  })

  it('its chart of this repository: re-rendered with the new values, the object the chart makes changed', async () => {
    const repo = await history(fleet(FROM_THIS_REPOSITORY, 'configMapGenerator', '#34577c'), values('#000000'))
    const {exitCode, stderr, result} = await diffLast<DiffObjects>(repo, env, ['--offline'])
    expect(result.failures).toEqual([])
    expect(exitCode, stderr).toBe(0)
    expect(result.summary).toBe('changed')
    const release = result.deployables.find((d) => d.application === 'podinfo/podinfo')
    expect(release?.objects).toEqual([
      expect.objectContaining({
        change: 'changed',
        kind: 'ConfigMap',
        name: 'podinfo-ui',
        diff: expect.stringMatching(/\+ *color: "#000000"/),
      }),
    ])
  })
})
