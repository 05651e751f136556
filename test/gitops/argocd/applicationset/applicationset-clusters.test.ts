/**
 * The ApplicationSet `clusters` generator, evaluated over the clusters Argo CD's API lists (the swagger-validating
 * stand-in, test/support/argocd-server.ts, through the real client) and held to Argo CD v3.5.1's own code: the oracle
 * (test/support/argo-oracle.ts) runs the ApplicationSet controller's GenerateApplications over the same clusters, held
 * as cluster Secrets in a fake controller-runtime client, and answers each generator's parameter sets
 * (generators.Transform) and the Applications. The cases are those of argo-cd v3.5.1's own
 * applicationset/generators/cluster_test.go (TestGenerateParams, TestGenerateParamsGoTemplate: their two cluster
 * Secrets and their generator specs), then what the port adds: the in-cluster Secret, selector validation, matrix and
 * template override, and the failures (fail closed). Argo CD's order is a Go map's: compared by name.
 */
import * as YAML from 'yaml'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {readRegisteredClusters} from '../../../../src/gitops/argocd/applicationset/clusters-listing.js'
import type {RegisteredClusters} from '../../../../src/gitops/model/types.js'
import {startOracle, type GenerateAnswer, type Oracle} from '../../../support/argo-oracle.js'
import {expandDocument} from '../../../support/appset-expansion.js'
import {clusterJson, FakeArgoCd, localClusterJson, type FakeClusterSecret} from '../../../support/argocd-server.js'
import {runCli} from '../../../support/cli.js'
import {diffLast, history} from '../../../support/diff-repo.js'
import {requireTool, toolEnv} from '../../../support/toolchain.js'

const TOKEN = 'argocd-clusters-token-5b2e'
const FAST = JSON.stringify({retryAttempts: 2, retryDelayMs: 1})
let argo: FakeArgoCd
let oracle: Oracle

beforeAll(async () => {
  oracle = await startOracle()
  argo = await new FakeArgoCd(TOKEN).start()
}, 1_800_000)
afterAll(async () => {
  oracle?.stop()
  expect(argo.violations).toEqual([])
  await argo.stop()
})

// cluster_test.go's two Secrets (TestGenerateParamsGoTemplate drops production's project).
const staging: FakeClusterSecret = {
  name: 'staging-01',
  server: 'https://staging-01.example.com',
  labels: {'argocd.argoproj.io/secret-type': 'cluster', environment: 'staging', org: 'foo'},
  annotations: {'foo.argoproj.io': 'staging'},
}
const production: FakeClusterSecret = {
  name: 'production_01/west',
  server: 'https://production-01.example.com',
  project: 'prod-project',
  labels: {'argocd.argoproj.io/secret-type': 'cluster', environment: 'production', org: 'bar'},
  annotations: {'foo.argoproj.io': 'production'},
}

/** The clusters as `--argocd-server` reads them: the real client against the stand-in serving `served`. */
async function listed(served: object[], token = TOKEN): Promise<RegisteredClusters> {
  argo.clusters = served as never
  const read = await readRegisteredClusters(argo.url, {ARGOCD_AUTH_TOKEN: token, AMEIDE_TEST_TIMINGS: FAST})
  return read!
}

/** The Secrets as the API serves them (the local cluster added where none names https://kubernetes.default.svc). */
const served = (secrets: FakeClusterSecret[]) => [
  ...secrets.map(clusterJson),
  ...(secrets.some((c) => c.server === 'https://kubernetes.default.svc') ? [] : [localClusterJson()]),
]

/** An ApplicationSet with `generators` (YAML lines), one Application per set named by `name`. */
function appSet(generators: string[], goTemplate: boolean, name: string): string {
  return [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: ApplicationSet',
    'metadata: {name: fleet, namespace: argocd}',
    'spec:',
    `  goTemplate: ${goTemplate}`,
    '  generators:',
    ...generators.map((l) => `    ${l}`),
    '  template:',
    `    metadata: {name: '${name}'}`,
    '    spec:',
    '      project: default',
    '      source: {repoURL: https://github.com/acme/gitops.git, path: apps/web}',
    `      destination: {server: '${goTemplate ? '{{ .server }}' : '{{server}}'}', namespace: web}`,
    '',
  ].join('\n')
}

const expand = (text: string, clusters?: RegisteredClusters) =>
  expandDocument(text, 'fleet.yaml', clusters ? {clusters} : {})

type Params = Record<string, unknown>
/** Parameter sets in name order, a flat list's `clusters` too (Argo CD iterates a Go map: no order to compare). */
const byName = (sets: Params[]): Params[] =>
  [...sets]
    .map((p) => (Array.isArray(p.clusters) ? {...p, clusters: byName(p.clusters as Params[])} : p))
    .sort((a, b) => String(a.name).localeCompare(String(b.name)))

/** What Argo CD's GenerateApplications makes of `text` over the cluster Secrets `secrets`. */
function argoGenerate(text: string, secrets: FakeClusterSecret[]): Promise<GenerateAnswer> {
  return oracle.generate({
    applicationSet: YAML.parse(text) as Record<string, unknown>,
    clusters: secrets,
  })
}

/** An Application as both sides name and place it. */
const shape = (name: string, spec: Record<string, unknown>) => ({
  name,
  project: spec.project,
  source: spec.source,
  destination: spec.destination,
})

/**
 * `text` expanded by `gitops diff` over the clusters the API lists for `secrets`, and by Argo CD over the Secrets:
 * the same parameter sets (each top-level generator's) and the same Applications. Returns Argo CD's answer.
 */
async function expectSame(text: string, secrets: FakeClusterSecret[]): Promise<GenerateAnswer> {
  const want = await argoGenerate(text, secrets)
  expect(want.error).toBeUndefined()
  const out = expand(text, await listed(served(secrets)))
  expect(out.errors).toEqual([])
  expect(out.notRendered).toEqual([])
  if (want.params?.length === 1)
    expect(byName(out.applications.map((a) => a.generatedBy!.params))).toEqual(byName(want.params[0] ?? []))
  const apps = (want.applications ?? []).map((a) => shape(a.metadata.name, a.spec)).sort(byAppName)
  expect(apps.length).toBeGreaterThan(0)
  expect(out.applications.map((a) => shape(a.name, a.spec as Record<string, unknown>)).sort(byAppName)).toEqual(apps)
  return want
}
const byAppName = (a: {name: string}, b: {name: string}) => a.name.localeCompare(b.name)

/**
 * KNOWN: `gitops diff` reports a generator's failure as `error generating params: <the generator's error>` (the
 * controller's log line), where Argo CD's ApplicationSet condition carries the generator's error alone
 * (applicationset_controller.go: `Message: err.Error()`). The prefix is kept: every generator's failures and their
 * tests share it; the rest of the message is Argo CD's.
 */
const GENERATION_ERROR_PREFIX = 'error generating params: '

/** cluster_test.go's `values` of the "no label selector" and flat cases. */
const FAST_VALUES = {
  lol1: 'lol',
  lol2: '{{values.lol1}}{{values.lol1}}',
  lol3: '{{values.lol2}}{{values.lol2}}{{values.lol2}}',
  foo: 'bar',
  bar: '{{ metadata.annotations.foo.argoproj.io }}',
  bat: '{{ metadata.labels.environment }}',
  aaa: '{{ server }}',
  'no-op': '{{ this-does-not-exist }}',
}
const GO_VALUES = {
  lol1: 'lol',
  lol2: '{{ .values.lol1 }}{{ .values.lol1 }}',
  lol3: '{{ .values.lol2 }}{{ .values.lol2 }}{{ .values.lol2 }}',
  foo: 'bar',
  bar: '{{ if not (empty .metadata) }}{{index .metadata.annotations "foo.argoproj.io" }}{{ end }}',
  bat: '{{ if not (empty .metadata) }}{{.metadata.labels.environment}}{{ end }}',
  aaa: '{{ .server }}',
  'no-op': '{{ .thisDoesNotExist }}',
}

const generator = (spec: Record<string, unknown>) => [`- clusters: ${JSON.stringify(spec)}`]

const IN = [{key: 'environment', operator: 'In', values: ['production', 'staging']}]

/** cluster_test.go's generator specs (TestGenerateParams; TestGenerateParamsGoTemplate with GO_VALUES). */
const specs = (values: Record<string, string>) => [
  {name: 'no label selector: every Secret, then the local cluster, values rendered with each', spec: {values}},
  {
    name: 'secret type label selector: the Secrets, not the local cluster',
    spec: {selector: {matchLabels: {'argocd.argoproj.io/secret-type': 'cluster'}}},
  },
  {
    name: 'production-only: matchLabels',
    spec: {selector: {matchLabels: {environment: 'production'}}, values: {foo: 'bar'}},
  },
  {name: 'production or staging: matchExpressions In', spec: {selector: {matchExpressions: IN}, values: {foo: 'bar'}}},
  {
    name: 'production or staging with match labels: both must hold',
    spec: {selector: {matchExpressions: IN, matchLabels: {org: 'foo'}}, values: {name: 'baz'}},
  },
  {name: 'flat list without selectors: one set, {clusters: [every set]}', spec: {values, flatList: true}},
  {
    name: 'flat list with matchExpressions (the local cluster left out)',
    spec: {selector: {matchExpressions: IN}, values: {foo: 'bar'}, flatList: true},
  },
]

describe("cluster_test.go TestGenerateParams (fasttemplate), as Argo CD's GenerateApplications", () => {
  it.each(specs(FAST_VALUES))('$name', async ({spec}) => {
    const name = spec.flatList ? 'flat' : '{{nameNormalized}}'
    await expectSame(appSet(generator(spec), false, name), [staging, production])
  })
})

describe("cluster_test.go TestGenerateParamsGoTemplate, as Argo CD's GenerateApplications", () => {
  it.each(specs(GO_VALUES))('goTemplate $name', async ({spec}) => {
    const name = spec.flatList ? 'flat' : '{{ .nameNormalized }}'
    await expectSame(appSet(generator(spec), true, name), [staging, {...production, project: undefined}])
  })
})

describe('the clusters generator beyond cluster_test.go', () => {
  it('an in-cluster Secret replaces the local cluster, and a selector may select it by its labels', async () => {
    const inCluster = {name: 'hub', server: 'https://kubernetes.default.svc', labels: {role: 'hub'}}
    const all = await expectSame(appSet(generator({}), true, '{{ .nameNormalized }}'), [staging, inCluster])
    expect(all.applications?.map((a) => a.metadata.name).sort()).toEqual(['hub', 'staging-01'])
    const hub = await expectSame(appSet(generator({selector: {matchLabels: {role: 'hub'}}}), true, '{{ .name }}'), [
      staging,
      inCluster,
    ])
    expect(hub.applications?.map((a) => a.metadata.name)).toEqual(['hub'])
    // NotIn and DoesNotExist hold for a Secret without the label (labels.Requirement.Matches).
    const absent = {selector: {matchExpressions: [{key: 'role', operator: 'DoesNotExist'}]}}
    await expectSame(appSet(generator(absent), true, '{{ .name }}'), [staging, inCluster])
  })

  it('inside a matrix: each selected cluster with each list element (a child template is not used)', async () => {
    const text = appSet(
      [
        '- matrix:',
        '    generators:',
        '      - clusters:',
        '          selector: {matchLabels: {org: foo}}',
        "          values: {tier: '{{ .metadata.labels.environment }}'}",
        "          template: {metadata: {}, spec: {project: '{{ .values.tier }}', destination: {}}}",
        '      - list: {elements: [{app: web}, {app: api}]}',
      ],
      true,
      '{{ .app }}-{{ .nameNormalized }}-{{ .values.tier }}',
    )
    const want = await expectSame(text, [staging, production])
    expect(want.applications).toHaveLength(2)
  })

  it("a top-level generator's template is merged over spec.template", async () => {
    const text = appSet(
      [
        '- clusters:',
        '    selector: {matchExpressions: [{key: environment, operator: Exists}]}',
        "    template: {metadata: {}, spec: {project: '{{ .metadata.labels.org }}', destination: {}}}",
      ],
      true,
      '{{ .nameNormalized }}',
    )
    const want = await expectSame(text, [staging, production])
    expect(want.applications?.map((a) => a.spec.project).sort()).toEqual(['bar', 'foo'])
  })

  it("a selector Argo CD cannot convert fails the ApplicationSet with Argo CD's message", async () => {
    const clusters = await listed(served([staging]))
    const bad = [
      {matchExpressions: [{key: 'environment', operator: 'Like', values: ['x']}]},
      {matchLabels: {environment: 'not a label value'}},
      {matchExpressions: [{key: 'environment', operator: 'In', values: []}]},
      {matchExpressions: [{key: 'environment', operator: 'Exists', values: ['x']}]},
      {matchLabels: {'bad key': 'x'}},
      {matchLabels: {'Example.com/x': 'y'}},
      {matchLabels: {'a/b/c': 'y'}},
    ]
    for (const selector of bad) {
      const text = appSet(generator({selector}), true, '{{ .name }}')
      const want = await argoGenerate(text, [staging])
      expect(want.applications ?? []).toEqual([])
      expect(want.error).toMatch(/^error getting cluster secrets: error converting label selector: /)
      const out = expand(text, clusters)
      expect(out.applications).toEqual([])
      expect(out.errors.map((e) => e.message)).toEqual([`${GENERATION_ERROR_PREFIX}${want.error}`])
    }
  })

  it('without --argocd-server the generator is not rendered, named, as before', () => {
    const out = expand(appSet(generator({}), true, '{{ .name }}'))
    expect(out.applications).toEqual([])
    expect(out.notRendered).toEqual([
      expect.objectContaining({generator: 'clusters', why: expect.stringMatching(/--argocd-server/)}),
    ])
  })
})

describe('a cluster list that cannot be read fails closed', () => {
  it('a server that keeps failing, a refused token, no token: the generator fails, nothing generated, no token printed', async () => {
    argo.failNext = 2
    const failing = await listed([clusterJson(staging)])
    expect(argo.failNext).toBe(0)
    const refused = await listed([clusterJson(staging)], 'wrong-token')
    const none = (await readRegisteredClusters(argo.url, {}))!
    for (const [clusters, why] of [
      [failing, /Argo CD's cluster list could not be read: GET .*\/api\/v1\/clusters: HTTP 503/],
      [refused, /refused the token \(401\)/],
      [none, /ARGOCD_AUTH_TOKEN is not set/],
    ] as const) {
      const text = appSet(['- list: {elements: [{name: steady}]}', ...generator({})], true, '{{ .name }}')
      const out = expand(text, clusters)
      expect(out.applications).toEqual([])
      expect(out.errors).toHaveLength(1)
      expect(out.errors[0].message).toMatch(/^error generating params: error getting cluster secrets: /)
      expect(out.errors[0].message).toMatch(why)
      expect(JSON.stringify(out)).not.toContain(TOKEN)
    }
  })

  it('a 200 that is not a cluster list is no list, never an empty one', async () => {
    const html = async () => new Response('<html>argo</html>', {status: 200})
    const read = await readRegisteredClusters('https://argocd.example.com', {ARGOCD_AUTH_TOKEN: TOKEN}, {fetch: html})
    expect(read).toEqual({
      unreadable: expect.stringMatching(/could not be read: GET the cluster list: Argo CD answered 200/),
    })
  })
})

describe('gitops diff --argocd-server (the built CLI)', () => {
  interface DiffResult {
    summary: string
    deployables: Array<{
      change: string
      application?: string
      objects: Array<{change: string; kind: string; namespace?: string; name: string}>
    }>
    failures: Array<{rule: string; message: string}>
  }
  const FLEET = [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: ApplicationSet',
    'metadata: {name: fleet, namespace: argocd}',
    'spec:',
    '  goTemplate: true',
    '  generators:',
    '    - clusters:',
    '        selector: {matchExpressions: [{key: environment, operator: Exists}]}',
    '  template:',
    "    metadata: {name: '{{ .nameNormalized }}-web'}",
    '    spec:',
    '      project: default',
    '      source: {repoURL: https://github.com/example/fleet.git, targetRevision: HEAD, path: apps/web}',
    "      destination: {server: '{{ .server }}', namespace: '{{ .metadata.labels.environment }}'}",
    '',
  ].join('\n')
  const configMap = (tier: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {tier: ${tier}}\n`

  it("renders a cluster-generated Application's change, one cluster list for both revisions; without it, nothing", async () => {
    requireTool('kustomize')
    requireTool('helm')
    argo.clusters = [clusterJson(staging), clusterJson(production), localClusterJson()]
    const repo = await history(
      {'argocd/fleet.yaml': FLEET, 'apps/web/configmap.yaml': configMap('one')},
      {'apps/web/configmap.yaml': configMap('two')},
    )
    const env = toolEnv({ARGOCD_AUTH_TOKEN: TOKEN, AMEIDE_TEST_TIMINGS: FAST})
    const listsBefore = argo.requests.filter((r) => r.operationId === 'ClusterService_List').length
    const withArgo = await diffLast<DiffResult>(repo, env, ['--argocd-server', argo.url])
    // One list for both revisions.
    expect(argo.requests.filter((r) => r.operationId === 'ClusterService_List').length - listsBefore).toBe(1)
    expect(withArgo.result.failures).toEqual([])
    expect(withArgo.result.summary).toBe('changed')
    const changed = withArgo.result.deployables
      .map((d) => [d.application, d.change, d.objects.map((o) => `${o.change} ${o.kind}/${o.namespace}/${o.name}`)])
      .sort()
    expect(changed).toEqual([
      ['production-01-west-web', 'changed', ['changed ConfigMap/production/web']],
      ['staging-01-web', 'changed', ['changed ConfigMap/staging/web']],
    ])
    expect(withArgo.stderr).not.toContain(TOKEN)

    // Without Argo CD nothing the generator would generate is rendered: a change to a file its Applications could
    // read (this repository's) is incomplete, the generator named — never "unchanged".
    const without = await diffLast<DiffResult>(repo, env)
    expect(without.result.deployables).toEqual([])
    expect(without.exitCode).toBe(1)
    expect(without.result.summary).toBe('incomplete')
    expect(without.result.failures.map((f) => [f.rule, f.message])).toEqual(
      ['base', 'head'].map(() => [
        'render-unavailable',
        expect.stringMatching(/^ApplicationSet fleet: the clusters generator is not rendered/),
      ]),
    )
    expect(argo.requests.filter((r) => r.operationId === 'ClusterService_List').length - listsBefore).toBe(1)
  })

  it('without --argocd-server, Applications of another repository: a change to this one leaves the diff complete', async () => {
    requireTool('kustomize')
    const elsewhere = FLEET.replace('https://github.com/example/fleet.git', 'https://github.com/example/other.git')
    const repo = await history(
      {'argocd/fleet.yaml': elsewhere, 'apps/web/configmap.yaml': configMap('one')},
      {'apps/web/configmap.yaml': configMap('two')},
    )
    const run = await diffLast<DiffResult>(repo, toolEnv({AMEIDE_TEST_TIMINGS: FAST}))
    expect(run.result.failures).toEqual([])
    expect(run.exitCode).toBe(0)
    // The same with the ApplicationSet's repository templated: it may be this one.
    const templated = FLEET.replace('https://github.com/example/fleet.git', "'{{ .metadata.annotations.repo }}'")
    const again = await history(
      {'argocd/fleet.yaml': templated, 'apps/web/configmap.yaml': configMap('one')},
      {'apps/web/configmap.yaml': configMap('two')},
    )
    const blind = await diffLast<DiffResult>(again, toolEnv({AMEIDE_TEST_TIMINGS: FAST}))
    expect(blind.result.summary).toBe('incomplete')
  })

  it('fails closed through the CLI: no token is a render-failed finding (exit 1), a bad server is exit 2', async () => {
    requireTool('kustomize')
    requireTool('helm')
    argo.clusters = [clusterJson(staging), clusterJson(production), localClusterJson()]
    const repo = await history(
      {'argocd/fleet.yaml': FLEET, 'apps/web/configmap.yaml': configMap('one')},
      {'argocd/fleet.yaml': FLEET.replace('path: apps/web', 'path: apps/web/')},
    )
    const noToken = await diffLast<DiffResult>(repo, toolEnv({ARGOCD_AUTH_TOKEN: ''}), ['--argocd-server', argo.url])
    expect(noToken.exitCode).toBe(1)
    expect(noToken.result.summary).toBe('incomplete')
    // The ApplicationSet changed: its failure in each revision is listed.
    expect(noToken.result.failures.map((f) => [f.rule, (f as {revision?: string}).revision, f.message])).toEqual(
      ['base', 'head'].map((revision) => [
        'render-failed',
        revision,
        expect.stringMatching(
          /^ApplicationSet fleet: error generating params: error getting cluster secrets: ARGOCD_AUTH_TOKEN is not set/,
        ),
      ]),
    )
    const run = await runCli(['gitops', 'diff', '--json', '--argocd-server', 'ftp://argocd.example.com'], {
      cwd: repo,
      env: toolEnv({ARGOCD_AUTH_TOKEN: TOKEN}),
    })
    expect(run.exitCode).toBe(2)
    expect(run.json<{error: {code: string}}>().error.code).toBe('INVALID_ARGOCD_SERVER')
  })
})
