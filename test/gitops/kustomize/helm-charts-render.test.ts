/**
 * kustomize `helmCharts` rendered by `gitops diff` where Argo CD would inflate them (issue 94): the repository's
 * argocd-cm says `kustomize.buildOptions: --enable-helm`. The oracle is the real thing on the same files: kustomize
 * 5.8.1 built natively from the render module's go.sum (no overlay: it executes helm), `kustomize build --enable-helm
 * --helm-command helm` with the set-up's helm 4.1.4, which pulls the chart itself from the loopback chart repository
 * (node:http serving what `helm package` and `helm repo index` made) — the destination namespace given as Argo CD
 * gives it. The gate fetches the chart as it fetches an Application's remote chart (only from a repository the
 * base's policy allows, never with --offline) and the render module inflates it with its own Helm. The same objects.
 * Where Argo CD would not inflate — no --enable-helm in argocd-cm, a Flux Kustomization (kustomize-controller never
 * passes it) — the root fails as their builds fail; where nothing says, or the repository is not allowed, or
 * --offline: render-unavailable, the chart and repository named, nothing requested.
 */
import {execFileSync} from 'node:child_process'
import {cp} from 'node:fs/promises'
import path from 'node:path'
import * as YAML from 'yaml'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {addedObjects, buildGo, byName, type Obj} from '../../support/argo-render.js'
import {chartClientEnv, startChartServer, webChart, type ChartServer} from '../../support/chart-server.js'
import {diffLast, history} from '../../support/diff-repo.js'
import {ORIGIN, originApplication} from '../../support/helm-repo.js'
import {runNative} from '../../support/native-render.js'
import {git, makeTempDir, runCleanups} from '../../support/tmp.js'
import {requireTool} from '../../support/toolchain.js'

afterAll(runCleanups)

interface Result {
  deployables: Array<{
    application?: string
    source: string
    objects: Array<{name: string; namespace?: string; diff: string}>
  }>
  summary: string
  charts?: Array<{repository: string; name: string; version: string}>
  verdict: {introduced: Array<{rule: string; file: string; message: string}>}
}

let env: Record<string, string>
let server: ChartServer
let kustomize: string
let helm: string

beforeAll(async () => {
  helm = requireTool('helm')
  env = await chartClientEnv('ameide-kustomize-charts-home-')
  server = await startChartServer([webChart('1.0.0'), webChart('1.1.0')])
  kustomize = await buildGo('src/effects/render-module/go', 'kustomize', 'sigs.k8s.io/kustomize/kustomize/v5')
}, 600_000)

const ARGOCD_CM = (options: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: argocd-cm, namespace: argocd}\ndata:\n  kustomize.buildOptions: ${JSON.stringify(options)}\n`

/** ameide.yaml: the loopback repository allowed (listed) and reached over plain HTTP. */
const policy = (listed = true) =>
  `gitopsPolicy:\n  charts:\n    insecure: ["127.0.0.1"]\n${listed ? `    repositories: ["${server.url}"]\n` : ''}`

/** A local chart `local` under the kustomization's chart home: a ConfigMap of its values. */
const LOCAL_CHART = {
  'apps/web/vendored/local/Chart.yaml': 'apiVersion: v2\nname: local\nversion: 0.3.0\n',
  'apps/web/vendored/local/values.yaml': 'colour: blue\nsize: 1\n',
  'apps/web/vendored/local/templates/cm.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-local\ndata:\n  colour: {{ .Values.colour | quote }}\n  size: {{ .Values.size | quote }}\n  kube: {{ .Capabilities.KubeVersion.Version | quote }}\n  api: {{ .Capabilities.APIVersions.Has "example.com/v1alpha1" | quote }}\n',
}

/** The kustomization: the docs' form of a chart of the repository, a local chart with a values file, a resource. */
const kustomization = () =>
  [
    'resources: [extra.yaml]',
    'helmGlobals: {chartHome: vendored}',
    'helmCharts:',
    '- name: web',
    `  repo: ${server.url}`,
    '  version: 1.0.0',
    '  releaseName: shop',
    '  namespace: dev',
    '  includeCRDs: true',
    '  valuesInline:',
    '    replicaCount: 3',
    '    message: inflated',
    '- name: local',
    '  releaseName: paint',
    '  valuesFile: prod-values.yaml',
    'commonLabels: {team: web}',
    '',
  ].join('\n')

const app = (source = 'path: apps/web') => ({
  'apps/web/kustomization.yaml': kustomization(),
  'apps/web/extra.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\ndata: {a: b}\n',
  'apps/web/prod-values.yaml': 'colour: red\n',
  ...LOCAL_CHART,
  'argocd/web.yaml': originApplication('web', source),
})

async function repo(base: Record<string, string>, head: Record<string, string | null>): Promise<string> {
  const dir = await history({'argocd/.keep': '', ...base}, head)
  await git(dir, ['remote', 'set-url', 'origin', ORIGIN])
  return dir
}

/** The oracle: kustomize --enable-helm with helm on a copy of `dir/apps/web` (helm pulls the chart into it). */
async function oracle(dir: string, flags = ['--helm-kube-version', '1.34.0']): Promise<Obj[]> {
  const copy = path.join(await makeTempDir('ameide-kustomize-oracle-'), 'repo')
  await cp(dir, copy, {recursive: true})
  const home = await makeTempDir('ameide-kustomize-oracle-home-')
  const args = ['build', path.join(copy, 'apps/web'), '--enable-helm', '--helm-command', helm]
  const run = await runNative(kustomize, [...args, ...flags], copy, {HOME: home})
  expect(run.exit, run.stderr).toBe(0)
  const objects = YAML.parseAllDocuments(run.stdout).map((d) => d.toJS() as Obj)
  for (const o of objects) o.metadata.namespace ??= 'dev' // Argo CD's destination namespace
  return objects
}

describe('kustomize helmCharts where argocd-cm says --enable-helm', () => {
  it('rendered: the objects kustomize --enable-helm with helm builds, the chart fetched from the allowed repository', async () => {
    const dir = await repo({'ameide.yaml': policy(), 'argocd/argocd-cm.yaml': ARGOCD_CM('--enable-helm')}, app())
    const before = server.requests.length
    const {result} = await diffLast<Result>(dir, env)
    expect(result.verdict.introduced.filter((f) => f.rule.startsWith('render-'))).toEqual([])
    const want = byName(await oracle(dir))
    expect(Object.keys(want).sort()).toEqual([
      'ConfigMap/dev/extra',
      'ConfigMap/dev/paint-local',
      'ConfigMap/dev/shop-config',
      'Deployment/dev/shop',
    ])
    expect(byName(addedObjects(result, 'web'))).toEqual(want)
    expect(result.charts).toContainEqual(expect.objectContaining({name: 'web', version: '1.0.0'}))
    expect(server.requests.slice(before).map((r) => r.path)).toContain('/web-1.0.0.tgz')
  }, 300_000)

  it("the Application's kustomize.kubeVersion and apiVersions: --helm-kube-version and --helm-api-versions", async () => {
    const source = 'path: apps/web\nkustomize:\n  kubeVersion: "v1.29.0"\n  apiVersions: [example.com/v1alpha1]'
    const dir = await repo({'ameide.yaml': policy(), 'argocd/argocd-cm.yaml': ARGOCD_CM('--enable-helm')}, app(source))
    const {result} = await diffLast<Result>(dir, env)
    const flags = ['--helm-kube-version', '1.29.0', '--helm-api-versions', 'example.com/v1alpha1']
    const want = byName(await oracle(dir, flags))
    expect(want['ConfigMap/dev/paint-local']).toMatchObject({data: {kube: 'v1.29.0', api: 'true'}})
    expect(byName(addedObjects(result, 'web'))).toEqual(want)
  }, 300_000)

  it('the policy says it where the repository holds no argocd-cm', async () => {
    const withPolicy = `${policy()}  render:\n    kustomizeBuildOptions: "--enable-helm --load-restrictor LoadRestrictionsRootOnly"\n`
    const dir = await repo({'ameide.yaml': withPolicy}, app())
    const {result} = await diffLast<Result>(dir, env)
    expect(result.verdict.introduced.filter((f) => f.rule.startsWith('render-'))).toEqual([])
    expect(byName(addedObjects(result, 'web'))).toEqual(byName(await oracle(dir)))
  }, 300_000)

  it("a repository the base's kustomization names is allowed: a version bump diffs as both versions inflate", async () => {
    const base = {'ameide.yaml': policy(false), 'argocd/argocd-cm.yaml': ARGOCD_CM('--enable-helm'), ...app()}
    const bumped = kustomization().replace('version: 1.0.0', 'version: 1.1.0')
    const dir = await repo(base, {'apps/web/kustomization.yaml': bumped})
    const {result} = await diffLast<Result>(dir, env)
    expect(result.verdict.introduced.filter((f) => f.rule.startsWith('render-'))).toEqual([])
    expect(result.charts?.map((c) => c.version).sort()).toEqual(['1.0.0', '1.1.0'])
    const config = result.deployables.flatMap((d) => d.objects).find((o) => o.name === 'shop-config')
    expect(config?.diff).toMatch(/-\s+chartVersion: 1\.0\.0\n\+\s+chartVersion: 1\.1\.0/)
  }, 300_000)

  it('a repository the base does not allow, and --offline: render-unavailable, chart and repository named, nothing asked', async () => {
    const dir = await repo({'ameide.yaml': policy(false), 'argocd/argocd-cm.yaml': ARGOCD_CM('--enable-helm')}, app())
    const before = server.requests.length
    const {result} = await diffLast<Result>(dir, env)
    expect(result.summary).toBe('incomplete')
    expect(result.verdict.introduced).toContainEqual(
      expect.objectContaining({
        rule: 'render-unavailable',
        file: 'apps/web/kustomization.yaml',
        message: expect.stringMatching(
          /\(helmCharts\): chart web 1\.0\.0 from http:\/\/127\.0\.0\.1:\d+: the base revision does not declare this repository/,
        ) as string,
      }),
    )
    const allowed = await repo({'ameide.yaml': policy(), 'argocd/argocd-cm.yaml': ARGOCD_CM('--enable-helm')}, app())
    const {result: offline} = await diffLast<Result>(allowed, env, ['--offline'])
    expect(offline.verdict.introduced).toContainEqual(
      expect.objectContaining({
        rule: 'render-unavailable',
        message: expect.stringMatching(
          /\(helmCharts\): chart web 1\.0\.0 from http:\/\/127\.0\.0\.1:\d+ is not fetched \(--offline\)/,
        ) as string,
      }),
    )
    expect(server.requests.length).toBe(before)
  }, 300_000)
})

describe('kustomize helmCharts where helm would name the release by the clock', () => {
  it('no releaseName: render-unavailable, named, never a name made up', async () => {
    const unnamed = {
      ...app(),
      'apps/web/kustomization.yaml': 'helmGlobals: {chartHome: vendored}\nhelmCharts: [{name: local}]\n',
    }
    const dir = await repo({'ameide.yaml': policy(), 'argocd/argocd-cm.yaml': ARGOCD_CM('--enable-helm')}, unnamed)
    const {result} = await diffLast<Result>(dir, env)
    expect(result.verdict.introduced).toContainEqual(
      expect.objectContaining({
        rule: 'render-unavailable',
        file: 'apps/web/kustomization.yaml',
        message: expect.stringContaining('chart local: it names no releaseName') as string,
      }),
    )
  }, 300_000)
})

describe('kustomize helmCharts of another tree (an Application pinned to a tag)', () => {
  it('not inflated there: render-unavailable, said why, never a failure Argo CD would not have', async () => {
    const {'argocd/web.yaml': _, ...folder} = app()
    const pinned = originApplication('web', 'path: apps/web').replace('targetRevision: HEAD', 'targetRevision: v1')
    const base = {'ameide.yaml': policy(), 'argocd/argocd-cm.yaml': ARGOCD_CM('--enable-helm'), ...folder}
    const dir = await repo(base, {'argocd/web.yaml': pinned})
    await git(dir, ['tag', 'v1', 'main'])
    const {result} = await diffLast<Result>(dir, env)
    expect(result.verdict.introduced).toContainEqual(
      expect.objectContaining({
        rule: 'render-unavailable',
        message: expect.stringContaining(
          'it inflates Helm charts, and the gate inflates them only in the roots of the revision under review',
        ) as string,
      }),
    )
    expect(result.verdict.introduced.filter((f) => f.rule === 'render-failed')).toEqual([])
  }, 300_000)
})

/** The finding of a root kustomize builds without --enable-helm, in kustomize's own words. */
const FAILS_WITHOUT_ENABLE_HELM = expect.objectContaining({
  rule: 'render-failed',
  message: expect.stringContaining('must specify --enable-helm') as string,
})

describe('kustomize helmCharts where nothing inflates them', () => {
  it('argocd-cm without --enable-helm: the root fails as kustomize does without it', async () => {
    const dir = await repo({'ameide.yaml': policy(), 'argocd/argocd-cm.yaml': ARGOCD_CM('--load-restrictor x')}, app())
    const {result} = await diffLast<Result>(dir, env)
    const copy = await makeTempDir('ameide-kustomize-plain-')
    await cp(dir, copy, {recursive: true})
    const plain = await runNative(kustomize, ['build', path.join(copy, 'apps/web')], copy)
    expect(plain.stderr).toContain('must specify --enable-helm')
    expect(result.verdict.introduced).toContainEqual(FAILS_WITHOUT_ENABLE_HELM)
  }, 300_000)

  it('a Flux Kustomization: kustomize-controller never passes --enable-helm, so the root fails as its build does', async () => {
    const flux = {
      'clusters/dev/apps.yaml': [
        'apiVersion: kustomize.toolkit.fluxcd.io/v1',
        'kind: Kustomization',
        'metadata: {name: web, namespace: flux-system}',
        'spec: {interval: 10m, path: ./apps/web, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}',
        '',
      ].join('\n'),
      ...Object.fromEntries(Object.entries(app()).filter(([f]) => f !== 'argocd/web.yaml')),
    }
    const dir = await repo({'ameide.yaml': policy(), 'argocd/argocd-cm.yaml': ARGOCD_CM('--enable-helm')}, flux)
    const {result} = await diffLast<Result>(dir, env)
    expect(result.verdict.introduced).toContainEqual(FAILS_WITHOUT_ENABLE_HELM)
  }, 300_000)

  it('no argocd-cm and no policy: render-unavailable, each chart and repository named', async () => {
    const dir = await repo({'ameide.yaml': policy()}, app())
    const {result} = await diffLast<Result>(dir, env)
    expect(result.verdict.introduced).toContainEqual(
      expect.objectContaining({
        rule: 'render-unavailable',
        file: 'apps/web/kustomization.yaml',
        message: expect.stringContaining(
          `(helmCharts: web 1.0.0 from ${server.url}, local from vendored/): Argo CD inflates them only with --enable-helm`,
        ) as string,
      }),
    )
  }, 300_000)
})

it('the oracle is what it says: helm on PATH for kustomize', () => {
  expect(execFileSync(helm, ['version', '--short'], {encoding: 'utf8'})).toMatch(/^v4\./)
})
