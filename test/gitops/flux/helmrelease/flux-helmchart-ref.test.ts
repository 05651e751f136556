/**
 * A Flux HelmRelease whose `chartRef` names a HelmChart (issue 61, item 4). helm-controller v1.6.3 (getSource) reads
 * the HelmChart from `chartRef.namespace`, else the HelmRelease's; the HelmChart's `sourceRef` is local to its own
 * namespace (source-controller v1.9.1); what it holds is what source-controller builds from it — the same HelmChart
 * helm-controller makes from a `chart.spec`. So a HelmRelease over a HelmChart renders what the same release with that
 * `chart.spec` renders (held here against the chart.spec path, exact in remote-charts and diff-history), object for
 * object; a HelmChart nobody references renders nothing of its chart.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {diffLast, history} from '../../../support/diff-repo.js'
import {runCleanups} from '../../../support/tmp.js'
import {requireTool, toolEnv} from '../../../support/toolchain.js'

afterAll(runCleanups)

let env: Record<string, string | undefined>
beforeAll(() => {
  requireTool('kustomize')
  requireTool('helm')
  env = toolEnv()
})

interface Obj {
  change: string
  kind: string
  namespace?: string
  name: string
  diff: string
}
interface Result {
  summary: string
  deployables: Array<{kind: string; application?: string; source: string; objects: Obj[]}>
  images: Array<{to: string | null}>
  failures: Array<{revision: string; rule: string; file: string; message: string}>
}

const deployment = [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata: {name: {{ .Release.Name }}, namespace: {{ .Release.Namespace }}}',
  'spec:',
  '  replicas: {{ .Values.replicas }}',
  '  selector: {matchLabels: {app: web}}',
  '  template:',
  '    metadata: {labels: {app: web}}',
  '    spec: {containers: [{name: web, image: {{ .Values.image | quote }}}]}',
  '',
].join('\n')

const chart: Record<string, string> = {
  'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
  'charts/web/values.yaml': 'image: ghcr.io/acme/web:1.0.0\nreplicas: 1\nport: 80\n',
  'charts/web/values-prod.yaml': 'image: ghcr.io/acme/web:2.0.0\nreplicas: 2\n',
  'charts/web/templates/deployment.yaml': deployment,
  'charts/web/templates/values.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}-values}\ndata: {values: {{ toJson .Values | quote }}}\n',
  'clusters/sync.yaml': [
    'apiVersion: source.toolkit.fluxcd.io/v1',
    'kind: GitRepository',
    'metadata: {name: flux-system, namespace: flux-system}',
    'spec: {interval: 1m, url: https://github.com/example/fleet.git, ref: {branch: main}}',
    '',
  ].join('\n'),
}

/** The chart template's fields, as YAML lines (a `chart.spec`'s, or a HelmChart's spec). */
const TEMPLATE = [
  'chart: ./charts/web',
  'valuesFiles: [charts/web/values-prod.yaml, charts/web/values-missing.yaml]',
  'ignoreMissingValuesFiles: true',
]

const release = (name: string, chartLines: string[], extra: string[] = []) =>
  [
    'apiVersion: helm.toolkit.fluxcd.io/v2',
    'kind: HelmRelease',
    `metadata: {name: ${name}, namespace: web}`,
    'spec:',
    '  interval: 10m',
    ...chartLines.map((l) => `  ${l}`),
    '  values: {port: 8080}',
    ...extra.map((l) => `  ${l}`),
    '',
  ].join('\n')

const viaSpec = (name: string) =>
  release(name, [
    'chart:',
    '  spec:',
    ...TEMPLATE.map((l) => `    ${l}`),
    '    sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}',
  ])

const helmChart = (name: string, namespace: string, lines: string[] = TEMPLATE, source = 'flux-system') =>
  [
    'apiVersion: source.toolkit.fluxcd.io/v1',
    'kind: HelmChart',
    `metadata: {name: ${name}, namespace: ${namespace}}`,
    'spec:',
    '  interval: 10m',
    '  reconcileStrategy: Revision',
    ...lines.map((l) => `  ${l}`),
    `  sourceRef: {kind: GitRepository, name: ${source}}`,
    '',
  ].join('\n')

const viaRef = (name: string, chartName: string, namespace?: string) =>
  release(name, [`chartRef: {kind: HelmChart, name: ${chartName}${namespace ? `, namespace: ${namespace}` : ''}}`])

const diff = (repo: string) => diffLast<Result>(repo, env, ['--no-cache'])

/** The objects a deployable renders, its release's name taken out (the two releases differ only by it). */
const rendered = (r: Result, application: string) => {
  const d = r.deployables.find((x) => x.application === application)
  expect(d, `${application} in ${JSON.stringify(r.deployables.map((x) => x.application))}`).toBeDefined()
  const name = application.split('/')[1]!
  return d!.objects
    .map((o) => ({...o, name: o.name.replaceAll(name, 'R'), diff: o.diff.replaceAll(name, 'R')}))
    .sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`))
}

describe("a HelmRelease's chartRef to a HelmChart, rendered as the chart.spec helm-controller makes it from", () => {
  it('chartRef HelmChart: the objects of the same release with that chart.spec, valuesFiles and ignoreMissingValuesFiles included', async () => {
    const repo = await history(chart, {
      'apps/spec.yaml': viaSpec('by-spec'),
      'apps/ref.yaml': viaRef('by-ref', 'web', 'flux-system'),
      'clusters/helmchart.yaml': helmChart('web', 'flux-system'),
    })
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(result.failures).toEqual([])
    const bySpec = rendered(result, 'web/by-spec')
    expect(bySpec.map((o) => `${o.kind} ${o.namespace} ${o.name}`)).toEqual([
      'ConfigMap web R-values',
      'Deployment web R',
    ])
    // valuesFiles replace the chart's defaults; the missing one skipped; spec.values over them.
    expect(bySpec[0]!.diff).toContain(`values: '{"image":"ghcr.io/acme/web:2.0.0","port":8080,"replicas":2}'`)
    expect(rendered(result, 'web/by-ref')).toEqual(bySpec)
  })

  it('the HelmChart changed (a values file added): the release that references it re-renders; one that does not stays', async () => {
    const repo = await history(
      {
        ...chart,
        'apps/ref.yaml': viaRef('by-ref', 'web', 'flux-system'),
        'apps/spec.yaml': viaSpec('by-spec'),
        'apps/helmchart.yaml': helmChart('web', 'flux-system', ['chart: ./charts/web']),
      },
      {
        'apps/helmchart.yaml': helmChart('web', 'flux-system', [
          'chart: ./charts/web',
          'valuesFiles: [charts/web/values-prod.yaml]',
        ]),
      },
    )
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(result.failures).toEqual([])
    expect(result.images).toContainEqual(expect.objectContaining({to: 'ghcr.io/acme/web:2.0.0'}))
    const changed = result.deployables.flatMap((d) => d.objects.map((o) => `${d.kind} ${o.change} ${o.kind} ${o.name}`))
    expect(changed.sort()).toEqual([
      'HelmRelease changed ConfigMap by-ref-values',
      'HelmRelease changed Deployment by-ref',
    ])
  })

  it("the HelmChart's sourceRef is read in the HelmChart's namespace, the chartRef's namespace defaulting to the release's", async () => {
    // HelmChart web/web names GitRepository flux-system, which web does not hold: not the sync source of flux-system.
    const repo = await history(chart, {
      'apps/ref.yaml': viaRef('by-ref', 'web'),
      'apps/helmchart.yaml': helmChart('web', 'web'),
    })
    const {exitCode, result} = await diff(repo)
    expect(exitCode).toBe(1)
    expect(result.summary).toBe('incomplete')
    expect(result.failures).toEqual([
      expect.objectContaining({
        revision: 'head',
        rule: 'render-unavailable',
        file: 'apps/ref.yaml',
        message: expect.stringContaining(
          'HelmRelease web/by-ref: HelmChart web/web: chart ./charts/web comes from GitRepository web/flux-system',
        ),
      }),
    ])
    // In flux-system, the same HelmChart renders.
    const moved = await diff(
      await history(chart, {
        'apps/ref.yaml': viaRef('by-ref', 'web', 'flux-system'),
        'apps/helmchart.yaml': helmChart('web', 'flux-system'),
      }),
    )
    expect(moved.result.failures).toEqual([])
    expect(rendered(moved.result, 'web/by-ref').map((o) => o.kind)).toEqual(['ConfigMap', 'Deployment'])
  })

  it('a chartRef to a HelmChart the repository does not define: render-unavailable, named at the chartRef', async () => {
    const repo = await history(chart, {'apps/ref.yaml': viaRef('by-ref', 'nowhere', 'flux-system')})
    const {exitCode, result} = await diff(repo)
    expect(exitCode).toBe(1)
    expect(result.failures).toEqual([
      expect.objectContaining({
        rule: 'render-unavailable',
        file: 'apps/ref.yaml',
        message: expect.stringContaining('HelmChart flux-system/nowhere, which this repository does not define'),
      }),
    ])
  })

  it('a HelmChart nobody references renders nothing of its chart: only the HelmChart object itself', async () => {
    // apps/ is a render root ameide.yaml declares (a root only ameide's own rules found would make the diff incomplete).
    const declared = {
      ...chart,
      'ameide.yaml': 'gitopsPolicy:\n  render:\n    roots: [apps]\n',
      'apps/kustomization.yaml': 'resources: []\n',
    }
    const repo = await history(declared, {
      'apps/kustomization.yaml': 'resources: [helmchart.yaml]\n',
      'apps/helmchart.yaml': helmChart('web', 'flux-system'),
    })
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(result.failures).toEqual([])
    expect(result.deployables.flatMap((d) => d.objects.map((o) => `${o.change} ${o.kind} ${o.name}`))).toEqual([
      'added HelmChart web',
    ])
    expect(result.images).toEqual([])
  })
})
