/**
 * A Flux HelmRelease's values and release name, one HelmRelease per case, rendered by `gitops diff` and held to
 * helm-controller's own code run natively (testdata/flux-values: fluxcd/pkg chartutil v1.27.1
 * ChartValuesFromReferences as helm-controller v1.6.3 composes spec.values and spec.valuesFrom, its ConfigMaps and
 * Secrets from a file; the API type's GetReleaseName). The chart prints `.Values` as JSON into a ConfigMap named after
 * the release: ameide's render must hold the values the reference composes, key for key, under its release name.
 * Then what the gate does not follow is named, and `chart.spec.ignoreMissingValuesFiles` as source-controller has it.
 */
import {execFileSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {addedObjects, buildGo, type AddedResult} from '../../../support/argo-render.js'
import {diffLast, history} from '../../../support/diff-repo.js'
import {runCleanups} from '../../../support/tmp.js'
import {requireTool, toolEnv} from '../../../support/toolchain.js'

afterAll(runCleanups)

interface Case {
  name: string
  /** Its namespace (default: its name). */
  namespace?: string
  /** The lines under the HelmRelease's `spec:` besides its chart. */
  spec: string[]
  /** The ConfigMaps and Secrets of its namespace (the case's name), as YAML. */
  holders?: string
}

const b64 = (s: string) => Buffer.from(s).toString('base64')
const configMap = (ns: string, name: string, data: Record<string, string>) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: ${ns}}\ndata: ${JSON.stringify(data)}\n`
const secret = (ns: string, name: string, data: Record<string, string>) =>
  `apiVersion: v1\nkind: Secret\nmetadata: {name: ${name}, namespace: ${ns}}\ndata: ${JSON.stringify(Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])))}\n`

const CASES: Case[] = [
  {
    name: 'values-from-order',
    spec: [
      'values: {image: {tag: "3.0"}, replicas: 4}',
      'valuesFrom:',
      '  - {kind: ConfigMap, name: common}',
      '  - {kind: Secret, name: private, valuesKey: extra.yaml}',
    ],
    holders: [
      configMap('values-from-order', 'common', {'values.yaml': 'image: {repo: nginx, tag: "1.0"}\nlist: [a, b]\n'}),
      secret('values-from-order', 'private', {'extra.yaml': 'image: {tag: "2.0"}\nlist: [c]\ntoken: s3cret\n'}),
    ].join('---\n'),
  },
  {
    name: 'optional',
    spec: [
      'valuesFrom:',
      '  - {kind: ConfigMap, name: absent, optional: true}',
      '  - {kind: ConfigMap, name: present, valuesKey: nowhere.yaml, optional: true}',
      '  - {kind: Secret, name: absent, optional: true}',
      '  - {kind: ConfigMap, name: present}',
    ],
    holders: configMap('optional', 'present', {'values.yaml': 'kept: true\n'}),
  },
  {
    name: 'target-path',
    spec: [
      'values: {image: {repo: nginx}}',
      'valuesFrom:',
      '  - {kind: ConfigMap, name: v, valuesKey: tag, targetPath: image.tag}',
      '  - {kind: ConfigMap, name: v, valuesKey: config, targetPath: config\\.yaml}',
      '  - {kind: Secret, name: s, valuesKey: password, targetPath: db.password}',
    ],
    holders: [
      configMap('target-path', 'v', {tag: '1.2.3-rc.1', config: 'mode: fast\nlevel: info\n'}),
      secret('target-path', 's', {password: 'pa$$ word'}),
    ].join('---\n'),
  },
  {
    // strvals' types: booleans and null in any case, integers not written with a leading zero; quotes make a string.
    name: 'target-path-typed',
    spec: [
      'valuesFrom:',
      ...['three', 'zero', 'padded', 'negative', 'upper', 'lower', 'nothing', 'quoted', 'single', 'empty', 'text'].map(
        (k) => `  - {kind: ConfigMap, name: v, valuesKey: ${k}, targetPath: typed.${k}}`,
      ),
    ],
    holders: configMap('target-path-typed', 'v', {
      three: '3',
      zero: '0',
      padded: '007',
      negative: '-5',
      upper: 'TRUE',
      lower: 'false',
      nothing: 'Null',
      quoted: '"3"',
      single: "'on'",
      empty: '',
      text: 'multi\nline: value\n',
    }),
  },
  {
    name: 'target-path-literal',
    spec: [
      'valuesFrom:',
      '  - {kind: ConfigMap, name: v, valuesKey: json, targetPath: settings.json, literal: true}',
      '  - {kind: ConfigMap, name: v, valuesKey: number, targetPath: port, literal: true}',
    ],
    holders: configMap('target-path-literal', 'v', {json: '{"a": [1, 2], "b": "x=y,z"}\\', number: '8080'}),
  },
  {
    name: 'target-path-under-values',
    // spec.values is merged last: over what a targetPath set at the same key.
    spec: [
      'values: {image: {tag: from-values}, nothing: null}',
      'valuesFrom:',
      '  - {kind: ConfigMap, name: v, targetPath: image.tag}',
      '  - {kind: ConfigMap, name: v, targetPath: image.other}',
    ],
    holders: configMap('target-path-under-values', 'v', {'values.yaml': 'from-config-map'}),
  },
  {name: 'release-name', spec: ['releaseName: shop-web', 'values: {a: 1}']},
  {name: 'release-name-target', namespace: 'apps', spec: ['targetNamespace: shop', 'values: {a: 1}']},
]

const chart: Record<string, string> = {
  'charts/values/Chart.yaml': 'apiVersion: v2\nname: values\nversion: 0.1.0\n',
  'charts/values/templates/values.yaml': [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata: {name: {{ .Release.Name }}-values}',
    'data: {values: {{ toJson .Values | quote }}}',
    '',
  ].join('\n'),
}

const release = (c: Case) =>
  [
    'apiVersion: helm.toolkit.fluxcd.io/v2',
    'kind: HelmRelease',
    `metadata: {name: ${c.name}, namespace: ${c.namespace ?? c.name}}`,
    'spec:',
    '  interval: 10m',
    '  chart:',
    '    spec:',
    '      chart: ./charts/values',
    '      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}',
    ...c.spec.map((l) => `  ${l}`),
    '',
  ].join('\n')

let reference: string
let result: AddedResult & {failures: Array<{application?: string; message: string}>}

beforeAll(async () => {
  requireTool('helm')
  requireTool('kustomize')
  reference = await buildGo('test/gitops/flux/helmrelease/testdata/flux-values', 'flux-values')
  const head: Record<string, string> = {}
  for (const c of CASES) {
    head[`apps/${c.name}/release.yaml`] = release(c)
    if (c.holders) head[`apps/${c.name}/holders.yaml`] = c.holders
  }
  const repo = await history(chart, head)
  result = (await diffLast<typeof result>(repo, toolEnv(), ['--no-cache'])).result
}, 1_200_000)

/** helm-controller's values and release name for the case, natively: chartutil's and the API type's. */
function flux(c: Case): {values: unknown; releaseName: string} {
  const dir = mkdtempSync(path.join(tmpdir(), 'ameide-flux-values-'))
  writeFileSync(path.join(dir, 'release.yaml'), release(c))
  writeFileSync(path.join(dir, 'holders.yaml'), c.holders ?? 'kind: None\n')
  const out = execFileSync(reference, [path.join(dir, 'release.yaml'), path.join(dir, 'holders.yaml')])
  return JSON.parse(out.toString('utf8')) as {values: unknown; releaseName: string}
}

/** The values the chart saw in ameide's render, and the release name it rendered with. */
function ameide(c: Case): {values: unknown; releaseName: string} {
  const objects = addedObjects(result, `${c.namespace ?? c.name}/${c.name}`)
  const cm = objects.find((o) => o.kind === 'ConfigMap')!
  return {
    values: JSON.parse((cm as unknown as {data: {values: string}}).data.values) as unknown,
    releaseName: cm.metadata.name.replace(/-values$/, ''),
  }
}

describe("a Flux HelmRelease's values, as helm-controller composes them (fluxcd/pkg chartutil, natively)", () => {
  it('renders every case', () => {
    expect(result.failures).toEqual([])
  })

  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const want = flux(c)
    expect(Object.keys(want.values as object).length).toBeGreaterThan(0)
    expect(ameide(c)).toEqual(want)
  })
})

describe('what the gate does not follow is named; a missing values file as source-controller has it', () => {
  const named = (spec: string[], chartSpec: string[] = []) =>
    release({name: 'web', namespace: 'web', spec}).replace(
      '      sourceRef:',
      [...chartSpec.map((l) => `      ${l}`), '      sourceRef:'].join('\n'),
    )
  const failuresOf = async (files: Record<string, string>) => {
    const repo = await history(chart, files)
    const {result: r} = await diffLast<{failures: Array<{rule: string; message: string}>}>(repo, toolEnv(), [
      '--no-cache',
    ])
    return r.failures.map((f) => `${f.rule}: ${f.message}`)
  }

  it('valuesFrom targetPath: a value helm --set would split or read as a list is render-unavailable, named; literal renders it', async () => {
    const holders = configMap('web', 'v', {list: 'a,b', braces: '{a}'})
    for (const key of ['list', 'braces']) {
      const spec = ['valuesFrom:', `  - {kind: ConfigMap, name: v, valuesKey: ${key}, targetPath: image.tag}`]
      expect(await failuresOf({'apps/web.yaml': named(spec), 'apps/holders.yaml': holders})).toEqual([
        expect.stringMatching(
          /^render-unavailable: HelmRelease web\/web: valuesFrom ConfigMap web\/v .*targetPath image\.tag: its value is parsed as helm --set parses one/,
        ),
      ])
      const literal = [...spec.slice(0, 1), spec[1]!.replace('}', ', literal: true}')]
      expect(await failuresOf({'apps/web.yaml': named(literal), 'apps/holders.yaml': holders})).toEqual([])
    }
  })

  it('chart.spec.ignoreMissingValuesFiles: a values file the revision lacks is skipped; without it the release fails', async () => {
    const files = ['valuesFiles: [charts/values/nowhere.yaml]']
    expect(
      await failuresOf({'apps/web.yaml': named(['values: {a: 1}'], [...files, 'ignoreMissingValuesFiles: true'])}),
    ).toEqual([])
    expect(await failuresOf({'apps/web.yaml': named(['values: {a: 1}'], files)})).toEqual([
      'render-failed: HelmRelease web/web: values file charts/values/nowhere.yaml is not in this repository.',
    ])
  })
})
