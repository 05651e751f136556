/**
 * The ApplicationSet `clusters` generator, evaluated over the clusters Argo CD's API lists (the swagger-validating
 * stand-in, test/support/argocd-server.ts, through the real client): the cases of argo-cd v3.5.1's own
 * applicationset/generators/cluster_test.go (TestGenerateParams, TestGenerateParamsGoTemplate), their two cluster
 * Secrets served as the API serves them, and their expected parameter sets copied as they are (Argo CD's order is a Go
 * map's: compared by name). Then what the port adds: the in-cluster Secret, selector validation, matrix and template
 * override, and the failures (fail closed).
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {readRegisteredClusters} from '../../src/gitops/listings/argocd-clusters.js'
import type {RegisteredClusters} from '../../src/gitops/deployables/types.js'
import {expandDocument} from '../support/appset-expansion.js'
import {clusterJson, FakeArgoCd, localClusterJson, type FakeClusterSecret} from '../support/argocd-server.js'
import {runCli} from '../support/cli.js'
import {diffLast, history} from '../support/diff-repo.js'
import {requireTool, toolEnv} from '../support/toolchain.js'

const TOKEN = 'argocd-clusters-token-5b2e'
const FAST = JSON.stringify({retryAttempts: 2, retryDelayMs: 1})
let argo: FakeArgoCd

beforeAll(async () => {
  argo = await new FakeArgoCd(TOKEN).start()
})
afterAll(async () => {
  expect(argo.violations).toEqual([])
  await argo.stop()
})

// cluster_test.go's two Secrets (TestGenerateParams; TestGenerateParamsGoTemplate drops production's project).
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

/** The generated parameter sets, in name order (Argo CD iterates a Go map: no order to compare). */
function paramsOf(text: string, clusters: RegisteredClusters): Array<Record<string, unknown>> {
  const out = expand(text, clusters)
  expect(out.errors).toEqual([])
  expect(out.notRendered).toEqual([])
  return out.applications.map((a) => a.generatedBy!.params).sort((a, b) => String(a.name).localeCompare(String(b.name)))
}
const byName = (sets: Array<Record<string, unknown>>) =>
  [...sets].sort((a, b) => String(a.name).localeCompare(String(b.name)))

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

// TestGenerateParams' expected sets (fasttemplate), as written there.
const F_LOCAL_VALUES = {
  'values.lol1': 'lol',
  'values.lol2': '{{values.lol1}}{{values.lol1}}',
  'values.lol3': '{{values.lol2}}{{values.lol2}}{{values.lol2}}',
  'values.foo': 'bar',
  'values.bar': '{{ metadata.annotations.foo.argoproj.io }}',
  'values.no-op': '{{ this-does-not-exist }}',
  'values.bat': '{{ metadata.labels.environment }}',
  'values.aaa': 'https://kubernetes.default.svc',
}
const F_LOCAL = {
  nameNormalized: 'in-cluster',
  name: 'in-cluster',
  server: 'https://kubernetes.default.svc',
  project: '',
}
const F_PRODUCTION = {
  name: 'production_01/west',
  nameNormalized: 'production-01-west',
  server: 'https://production-01.example.com',
  'metadata.labels.environment': 'production',
  'metadata.labels.org': 'bar',
  'metadata.labels.argocd.argoproj.io/secret-type': 'cluster',
  'metadata.annotations.foo.argoproj.io': 'production',
  project: 'prod-project',
}
const F_STAGING = {
  name: 'staging-01',
  nameNormalized: 'staging-01',
  server: 'https://staging-01.example.com',
  'metadata.labels.environment': 'staging',
  'metadata.labels.org': 'foo',
  'metadata.labels.argocd.argoproj.io/secret-type': 'cluster',
  'metadata.annotations.foo.argoproj.io': 'staging',
  project: '',
}
const fValues = (server: string, env: string) => ({
  ...F_LOCAL_VALUES,
  'values.bar': env,
  'values.bat': env,
  'values.aaa': server,
})

interface Case {
  name: string
  spec: Record<string, unknown>
  want: Array<Record<string, unknown>>
}

const FAST_CASES: Case[] = [
  {
    name: 'no label selector: every Secret, then the local cluster, values rendered with each',
    spec: {values: FAST_VALUES},
    want: [
      {...F_LOCAL_VALUES, ...F_LOCAL},
      {...fValues('https://production-01.example.com', 'production'), ...F_PRODUCTION},
      {...fValues('https://staging-01.example.com', 'staging'), ...F_STAGING},
    ],
  },
  {
    name: 'secret type label selector: the Secrets, not the local cluster',
    spec: {selector: {matchLabels: {'argocd.argoproj.io/secret-type': 'cluster'}}},
    want: [F_PRODUCTION, F_STAGING],
  },
  {
    name: 'production-only: matchLabels',
    spec: {selector: {matchLabels: {environment: 'production'}}, values: {foo: 'bar'}},
    want: [{'values.foo': 'bar', ...F_PRODUCTION}],
  },
  {
    name: 'production or staging: matchExpressions In',
    spec: {
      selector: {matchExpressions: [{key: 'environment', operator: 'In', values: ['production', 'staging']}]},
      values: {foo: 'bar'},
    },
    want: [
      {'values.foo': 'bar', ...F_STAGING},
      {'values.foo': 'bar', ...F_PRODUCTION},
    ],
  },
  {
    name: 'production or staging with match labels: both must hold',
    spec: {
      selector: {
        matchExpressions: [{key: 'environment', operator: 'In', values: ['production', 'staging']}],
        matchLabels: {org: 'foo'},
      },
      values: {name: 'baz'},
    },
    want: [{'values.name': 'baz', ...F_STAGING}],
  },
]

describe("cluster_test.go TestGenerateParams (fasttemplate), over Argo CD's API", () => {
  it.each(FAST_CASES)('$name', async ({spec, want}) => {
    const clusters = await listed([clusterJson(staging), clusterJson(production), localClusterJson()])
    const got = paramsOf(appSet(generator(spec), false, '{{nameNormalized}}'), clusters)
    expect(got).toEqual(byName(want))
  })

  it('flat mode without selectors: one set, {clusters: [every set]}', async () => {
    const clusters = await listed([clusterJson(staging), clusterJson(production), localClusterJson()])
    const got = paramsOf(appSet(generator({values: FAST_VALUES, flatList: true}), false, 'flat'), clusters)
    expect(got).toHaveLength(1)
    expect(Object.keys(got[0])).toEqual(['clusters'])
    expect(byName(got[0].clusters as Array<Record<string, unknown>>)).toEqual(
      byName([
        {...F_LOCAL_VALUES, ...F_LOCAL},
        {...fValues('https://production-01.example.com', 'production'), ...F_PRODUCTION},
        {...fValues('https://staging-01.example.com', 'staging'), ...F_STAGING},
      ]),
    )
  })
})

// TestGenerateParamsGoTemplate's expected sets (production has no project there).
const G_PRODUCTION_META = {
  labels: {'argocd.argoproj.io/secret-type': 'cluster', environment: 'production', org: 'bar'},
  annotations: {'foo.argoproj.io': 'production'},
}
const G_STAGING_META = {
  labels: {'argocd.argoproj.io/secret-type': 'cluster', environment: 'staging', org: 'foo'},
  annotations: {'foo.argoproj.io': 'staging'},
}
const G_PRODUCTION = {
  name: 'production_01/west',
  nameNormalized: 'production-01-west',
  server: 'https://production-01.example.com',
  project: '',
  metadata: G_PRODUCTION_META,
}
const G_STAGING = {
  name: 'staging-01',
  nameNormalized: 'staging-01',
  server: 'https://staging-01.example.com',
  project: '',
  metadata: G_STAGING_META,
}
const G_LOCAL = {
  nameNormalized: 'in-cluster',
  name: 'in-cluster',
  server: 'https://kubernetes.default.svc',
  project: '',
}
const gValues = (bar: string, aaa: string) => ({
  lol1: 'lol',
  lol2: '<no value><no value>',
  lol3: '<no value><no value><no value>',
  foo: 'bar',
  bar,
  bat: bar,
  aaa,
  'no-op': '<no value>',
})
const G_ALL = [
  {...G_PRODUCTION, values: gValues('production', 'https://production-01.example.com')},
  {...G_STAGING, values: gValues('staging', 'https://staging-01.example.com')},
  {...G_LOCAL, values: gValues('', 'https://kubernetes.default.svc')},
]
const IN = [{key: 'environment', operator: 'In', values: ['production', 'staging']}]

const GO_CASES: Case[] = [
  {name: 'goTemplate no label selector: metadata maps, values as .values', spec: {values: GO_VALUES}, want: G_ALL},
  {
    name: 'goTemplate secret type label selector',
    spec: {selector: {matchLabels: {'argocd.argoproj.io/secret-type': 'cluster'}}},
    want: [G_PRODUCTION, G_STAGING],
  },
  {
    name: 'goTemplate production-only',
    spec: {selector: {matchLabels: {environment: 'production'}}, values: {foo: 'bar'}},
    want: [{...G_PRODUCTION, values: {foo: 'bar'}}],
  },
  {
    name: 'goTemplate production or staging',
    spec: {selector: {matchExpressions: IN}, values: {foo: 'bar'}},
    want: [
      {...G_PRODUCTION, values: {foo: 'bar'}},
      {...G_STAGING, values: {foo: 'bar'}},
    ],
  },
  {
    name: 'goTemplate production or staging with match labels',
    spec: {selector: {matchExpressions: IN, matchLabels: {org: 'foo'}}, values: {name: 'baz'}},
    want: [{...G_STAGING, values: {name: 'baz'}}],
  },
]

describe("cluster_test.go TestGenerateParamsGoTemplate, over Argo CD's API", () => {
  const secrets = () => [clusterJson(staging), clusterJson({...production, project: undefined}), localClusterJson()]

  it.each(GO_CASES)('$name', async ({spec, want}) => {
    const got = paramsOf(appSet(generator(spec), true, '{{ .nameNormalized }}'), await listed(secrets()))
    expect(got).toEqual(byName(want))
  })

  it('goTemplate flat list: with no selector, and with matchExpressions (the local cluster left out)', async () => {
    const clusters = await listed(secrets())
    const all = paramsOf(appSet(generator({values: GO_VALUES, flatList: true}), true, 'flat'), clusters)
    expect(all).toHaveLength(1)
    expect(byName(all[0].clusters as Array<Record<string, unknown>>)).toEqual(byName(G_ALL))
    const some = paramsOf(
      appSet(generator({selector: {matchExpressions: IN}, values: {foo: 'bar'}, flatList: true}), true, 'flat'),
      clusters,
    )
    expect(byName(some[0].clusters as Array<Record<string, unknown>>)).toEqual([
      {...G_PRODUCTION, values: {foo: 'bar'}},
      {...G_STAGING, values: {foo: 'bar'}},
    ])
  })
})

describe('the clusters generator beyond cluster_test.go', () => {
  it('an in-cluster Secret replaces the local cluster, and a selector may select it by its labels', async () => {
    const inCluster = {name: 'hub', server: 'https://kubernetes.default.svc', labels: {role: 'hub'}}
    const clusters = await listed([clusterJson(staging), clusterJson(inCluster)])
    const all = paramsOf(appSet(generator({}), true, '{{ .nameNormalized }}'), clusters)
    expect(all.map((p) => p.name)).toEqual(['hub', 'staging-01'])
    expect(all[0].metadata).toEqual({labels: {role: 'hub', 'argocd.argoproj.io/secret-type': 'cluster'}})
    const hub = paramsOf(appSet(generator({selector: {matchLabels: {role: 'hub'}}}), true, '{{ .name }}'), clusters)
    expect(hub.map((p) => p.name)).toEqual(['hub'])
    // NotIn and DoesNotExist hold for a Secret without the label (labels.Requirement.Matches).
    const notHub = paramsOf(
      appSet(generator({selector: {matchExpressions: [{key: 'role', operator: 'DoesNotExist'}]}}), true, '{{ .name }}'),
      clusters,
    )
    expect(notHub.map((p) => p.name)).toEqual(['staging-01'])
  })

  it('inside a matrix: each selected cluster with each list element (a child template is not used)', async () => {
    const clusters = await listed([clusterJson(staging), clusterJson(production), localClusterJson()])
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
    const out = expand(text, clusters)
    expect(out.errors).toEqual([])
    // matrix.go transforms each child with an empty template: only its parameters are kept.
    expect(out.applications.map((a) => [a.name, a.spec.project]).sort()).toEqual([
      ['api-staging-01-staging', 'default'],
      ['web-staging-01-staging', 'default'],
    ])
  })

  it("a top-level generator's template is merged over spec.template", async () => {
    const clusters = await listed([clusterJson(staging), clusterJson(production), localClusterJson()])
    const text = appSet(
      [
        '- clusters:',
        '    selector: {matchExpressions: [{key: environment, operator: Exists}]}',
        "    template: {metadata: {}, spec: {project: '{{ .metadata.labels.org }}', destination: {}}}",
      ],
      true,
      '{{ .nameNormalized }}',
    )
    const out = expand(text, clusters)
    expect(out.errors).toEqual([])
    expect(out.applications.map((a) => [a.name, a.spec.project]).sort()).toEqual([
      ['production-01-west', 'bar'],
      ['staging-01', 'foo'],
    ])
  })

  it('a selector Argo CD cannot convert fails the ApplicationSet (bad operator, bad label value)', async () => {
    const clusters = await listed([clusterJson(staging)])
    const bad = [
      {matchExpressions: [{key: 'environment', operator: 'Like', values: ['x']}]},
      {matchLabels: {environment: 'not a label value'}},
      {matchExpressions: [{key: 'environment', operator: 'In', values: []}]},
    ]
    for (const selector of bad) {
      const out = expand(appSet(generator({selector}), true, '{{ .name }}'), clusters)
      expect(out.applications).toEqual([])
      expect(out.errors).toEqual([
        expect.objectContaining({
          message: expect.stringMatching(/^error generating params: error converting label selector: /),
        }),
      ])
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
