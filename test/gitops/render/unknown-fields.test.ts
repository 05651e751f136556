/**
 * Will it apply: a field the schema of the cluster's minor does not have is refused by the API server's strict field
 * validation (kubectl apply's default), so the gate says so — each built-in kind's fields per minor, from Kubernetes'
 * own OpenAPI v3 of that release (dist/kubernetes/openapi-fields.json).
 */
import {afterAll, describe, expect, it} from 'vitest'

import {runCli} from '../../support/cli.js'
import {helmGitopsRepo, originApplication} from '../../support/helm-repo.js'
import {assertMatchesSchema} from '../../support/schema.js'
import {runCleanups} from '../../support/tmp.js'
import {toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

const env = toolEnv()

type Finding = {rule: string; message: string; object?: {kind: string; name: string}}

async function invalid(objects: string, policy = ''): Promise<{exitCode: number; findings: string[]}> {
  const repo = await helmGitopsRepo({
    ...(policy ? {'ameide.yaml': policy} : {}),
    'argocd/app.yaml': originApplication('app', 'path: app'),
    'app/objects.yaml': objects,
  })
  const run = await runCli(['gitops', 'verify', '--render', '--json'], {cwd: repo, env})
  const result = run.json<{findings: Finding[]}>()
  assertMatchesSchema('gitops-verify.schema.json', result)
  const findings = result.findings
    .filter((f) => f.rule === 'schema-invalid')
    .map((f) => `${f.object!.kind} ${f.object!.name}: ${f.message.slice(f.message.indexOf('): ') + 3)}`)
    .sort()
  return {exitCode: run.exitCode, findings}
}

const minor = (m: string) => `gitopsPolicy:\n  render:\n    kubernetesVersion: "${m}"\n`

const deployment = (spec: string[], container: string[] = []) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: web, labels: {any-label: "x"}, annotations: {any/annotation: "y"}}',
    'spec:',
    '  selector: {matchLabels: {app: web}}',
    '  template:',
    '    metadata: {labels: {app: web}}',
    '    spec:',
    '      containers:',
    '        - name: web',
    '          image: registry.example/web@sha256:' + 'a'.repeat(64),
    ...container.map((l) => `          ${l}`),
    ...spec.map((l) => `  ${l}`),
    '',
  ].join('\n')

const service = (spec: string[]) =>
  [
    'apiVersion: v1',
    'kind: Service',
    'metadata: {name: web}',
    'spec:',
    '  ports: [{port: 80}]',
    ...spec.map((l) => `  ${l}`),
    '',
  ].join('\n')

describe('gitops verify --render: fields the cluster does not know', () => {
  it('a misspelt field of a built-in kind is schema-invalid at its pointer; maps of any keys and valid objects pass', async () => {
    const {exitCode, findings} = await invalid(
      [
        deployment(['replcas: 2'], ['imagePullPolcy: Always', 'env: [{name: A, value: b, valeu: c}]']),
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: any-keys}\ndata: {whatever: "x", "a.b": "y"}\n',
        deployment([]).replace('name: web,', 'name: fine,'),
      ].join('---\n'),
    )
    expect(exitCode).toBe(1)
    expect(findings).toEqual([
      expect.stringMatching(
        /^Deployment web: \/spec\/replcas unknown field "replcas": apps\/v1\/Deployment of Kubernetes 1\.34 \(k8s\.io\/kubernetes@v1\.34\.\d+\) has no such field, and the API server's strict field validation \(kubectl apply's default\) refuses it\.$/,
      ),
      expect.stringMatching(
        /^Deployment web: \/spec\/template\/spec\/containers\/0\/env\/0\/valeu unknown field "valeu"/,
      ),
      expect.stringMatching(
        /^Deployment web: \/spec\/template\/spec\/containers\/0\/imagePullPolcy unknown field "imagePullPolcy"/,
      ),
    ])
  })

  it("a field newer than the cluster's minor is refused there, naming the minors that have it, and passes from them on", async () => {
    const objects = [
      service(['trafficDistribution: PreferClose']),
      deployment(['replicas: 1']).replace('    spec:\n', '    spec:\n      resources: {limits: {cpu: "1"}}\n'),
    ].join('---\n')
    const at129 = await invalid(objects, minor('1.29'))
    expect(at129.exitCode).toBe(1)
    expect(at129.findings).toEqual([
      expect.stringMatching(
        /^Deployment web: \/spec\/template\/spec\/resources unknown field "resources": apps\/v1\/Deployment of Kubernetes 1\.29 .*; Kubernetes 1\.32, 1\.33, 1\.34, 1\.35, 1\.36, 1\.37 have it\.$/,
      ),
      expect.stringMatching(
        /^Service web: \/spec\/trafficDistribution unknown field "trafficDistribution": v1\/Service of Kubernetes 1\.29 \(k8s\.io\/kubernetes@v1\.29\.15\) .*; Kubernetes 1\.30, 1\.31, 1\.32, 1\.33, 1\.34, 1\.35, 1\.36, 1\.37 have it\.$/,
      ),
    ])
    expect((await invalid(objects, minor('1.31'))).findings).toEqual([
      expect.stringMatching(/^Deployment web: \/spec\/template\/spec\/resources unknown field/),
    ])
    expect(await invalid(objects, minor('1.32'))).toEqual({exitCode: 0, findings: []})
  })

  it("a chart's CRD nested deeper than recursion holds: its unknown field found; past ameide's bound, an error naming it", async () => {
    // Written as text: the object itself is too deep for JSON.stringify's recursion.
    const deepCrd = (levels: number) =>
      JSON.stringify({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: {name: 'deeps.deep.example.com'},
        spec: {
          group: 'deep.example.com',
          scope: 'Namespaced',
          names: {plural: 'deeps', singular: 'deep', kind: 'Deep', listKind: 'DeepList'},
          versions: [{name: 'v1', served: true, storage: true, schema: {openAPIV3Schema: 'SCHEMA'}}],
        },
      }).replace(
        '"SCHEMA"',
        `${'{"type":"object","properties":{"n":'.repeat(levels)}{"type":"string","descripton":"x"}${'}}'.repeat(levels)}`,
      )
    const verifyDeep = async (levels: number) => {
      const repo = await helmGitopsRepo({
        'argocd/crds.yaml': originApplication('crds', 'path: charts/deep'),
        'charts/deep/Chart.yaml': 'apiVersion: v2\nname: deep\nversion: 0.1.0\n',
        'charts/deep/crds/deep.yaml': `${deepCrd(levels)}\n`,
      })
      const run = await runCli(['gitops', 'verify', '--render', '--json'], {cwd: repo, env})
      expect(run.stdout).not.toContain('INTERNAL_ERROR')
      return {exitCode: run.exitCode, findings: run.json<{findings: Finding[]}>().findings}
    }
    const deep = await verifyDeep(1000)
    const unknown = deep.findings.filter((f) => f.message.includes('unknown field "descripton"'))
    expect(unknown.map((f) => f.rule)).toEqual(['schema-invalid'])
    expect(unknown[0]!.message).toContain(`openAPIV3Schema${'/properties/n'.repeat(1000)}/descripton`)
    const past = await verifyDeep(1100)
    expect(past.exitCode).toBe(1)
    expect(past.findings.map((f) => f.message).join('\n')).toContain(
      'nest deeper than 2048 levels, more than ameide follows',
    )
  })

  it('the newest minors: a field 1.36 added, and an alpha field 1.36 dropped', async () => {
    const pod = (field: string) => deployment([]).replace('    spec:\n', `    spec:\n      ${field}\n`)
    const objects = [
      pod('schedulingGroup: {podGroupName: g}'),
      pod('workloadRef: {name: w, podGroup: g}').replace('name: web,', 'name: alpha,'),
    ].join('---\n')
    expect((await invalid(objects, minor('1.35'))).findings).toEqual([
      expect.stringMatching(
        /^Deployment web: \/spec\/template\/spec\/schedulingGroup unknown field "schedulingGroup": apps\/v1\/Deployment of Kubernetes 1\.35 .*; Kubernetes 1\.36, 1\.37 have it\.$/,
      ),
    ])
    expect((await invalid(objects, minor('1.37'))).findings).toEqual([
      expect.stringMatching(
        /^Deployment alpha: \/spec\/template\/spec\/workloadRef unknown field "workloadRef": apps\/v1\/Deployment of Kubernetes 1\.37 \(k8s\.io\/kubernetes@v1\.37\.2\) .*; Kubernetes 1\.35 has it\.$/,
      ),
    ])
  })
})
