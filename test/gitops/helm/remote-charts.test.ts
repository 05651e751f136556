/**
 * Charts from outside the repository (issue 55), with real parts on loopback only: an HTTP chart repository
 * (node:http serving what the real `helm package` and `helm repo index` made), Debian's docker-registry for OCI (the
 * chart pushed with the real `helm push`), real git, helm and kustomize. A chart version bump diffs as `helm template`
 * of both versions says; a head that adds or redirects a repository, a tampered archive and --offline are named and
 * request nothing from a host the base did not declare; a second run fetches nothing.
 */
import {execa} from 'execa'
import {watch} from 'node:fs'
import {readdir, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {chartClientEnv, packageChart, startChartServer, webChart, type ChartServer} from '../../support/chart-server.js'
import {runCli} from '../../support/cli.js'
import {generateKeyPair, signImage, type CosignKeyPair} from '../../support/cosign.js'
import {diffJson, diffLast, edit, history} from '../../support/diff-repo.js'
import {startRegistry, writeDockerConfig, type Registry} from '../../support/registry.js'
import {assertMatchesSchema} from '../../support/schema.js'
import {commitAll, makeTempDir, runCleanups} from '../../support/tmp.js'
import {requireTool} from '../../support/toolchain.js'

afterAll(runCleanups)

interface Chart {
  repository: string
  name: string
  version: string
  digest: string
  fromCache: boolean
  requested?: string
}
interface Result {
  summary: string
  charts?: Chart[]
  images: Array<{from: string | null; to: string | null; environment: string | null}>
  deployables: Array<{
    change: string
    kind: string
    source: string
    environment: string | null
    objects: Array<{change: string; kind: string; name: string; diff: string}>
  }>
  failures: Array<{revision: string; rule: string; file: string; message: string; dependency?: unknown}>
}

let env: Record<string, string>
let server: ChartServer
let elsewhere: ChartServer
beforeAll(async () => {
  requireTool('kustomize')
  requireTool('helm')
  env = await chartClientEnv('ameide-charts-home-')
  const home = env.HOME
  server = await startChartServer([webChart('1.0.0'), webChart('1.1.0'), webChart('1.2.0-rc.1')])
  elsewhere = await startChartServer([webChart('1.0.0'), webChart('1.1.0')])
  // A credential for every loopback server: none may ever be sent to a chart repository over HTTP.
  const auths = Object.fromEntries(
    [server.host, elsewhere.host].map((h) => [h, {auth: Buffer.from('user:s3cret-chart').toString('base64')}]),
  )
  await edit(home, {'.docker/config.json': JSON.stringify({auths})})
})

const policy = (...hosts: string[]) =>
  `gitopsPolicy:\n  charts:\n    insecure: [${hosts.map((h) => JSON.stringify(h)).join(', ')}]\n`

const diff = (repo: string, args: string[] = []) => diffLast<Result>(repo, env, args)

const fluxKustomization = (env: string) =>
  [
    'apiVersion: kustomize.toolkit.fluxcd.io/v1',
    'kind: Kustomization',
    'metadata: {name: apps, namespace: flux-system}',
    'spec:',
    '  interval: 10m',
    `  path: ./apps/${env}`,
    '  prune: true',
    '  sourceRef: {kind: GitRepository, name: flux-system}',
    '',
  ].join('\n')

const helmRepository = (url: string, extra = '') =>
  [
    'apiVersion: source.toolkit.fluxcd.io/v1',
    'kind: HelmRepository',
    'metadata: {name: charts, namespace: flux-system}',
    'spec:',
    '  interval: 10m',
    `  url: ${url}`,
    extra,
    '',
  ].join('\n')

const helmRelease = (version: string, values = '  values: {replicaCount: 2}', repo = 'charts') =>
  [
    'apiVersion: helm.toolkit.fluxcd.io/v2',
    'kind: HelmRelease',
    'metadata: {name: web, namespace: web}',
    'spec:',
    '  interval: 10m',
    '  chart:',
    '    spec:',
    '      chart: web',
    `      version: "${version}"`,
    `      sourceRef: {kind: HelmRepository, name: ${repo}, namespace: flux-system}`,
    values,
    '',
  ].join('\n')

const fluxFiles = (url: string, version: string): Record<string, string> => ({
  'ameide.yaml': policy('127.0.0.1'),
  'clusters/production/apps.yaml': fluxKustomization('production'),
  'apps/production/kustomization.yaml': 'resources:\n  - repository.yaml\n  - release.yaml\n',
  'apps/production/repository.yaml': helmRepository(url),
  'apps/production/release.yaml': helmRelease(version),
})

/** HelmRelease web whose chartRef names OCIRepository flux-system/web, `values` lines added to its spec. */
const chartRefRelease = (...values: string[]) =>
  [
    'apiVersion: helm.toolkit.fluxcd.io/v2',
    'kind: HelmRelease',
    'metadata: {name: web, namespace: web}',
    'spec:',
    '  interval: 10m',
    '  chartRef: {kind: OCIRepository, name: web, namespace: flux-system}',
    ...values,
    '',
  ].join('\n')

/** The objects `helm template` renders for chart web `version` (as packaged) whose bodies differ between two versions. */
async function helmTemplateChanges(from: string, to: string, values: string): Promise<string[]> {
  const render = async (version: string) => {
    const file = path.join(await makeTempDir('ameide-values-'), 'v.yaml')
    await writeFile(file, values)
    const {stdout} = await execa(requireTool('helm'), [
      'template',
      'web',
      path.join(server.dir, 'src', `web-${version}`, 'web'),
      '--namespace',
      'web',
      '--values',
      file,
    ])
    return new Map(
      stdout
        .split(/^---$/m)
        .filter((d) => /kind:/.test(d))
        .map((d) => [`${/kind: (\S+)/.exec(d)![1]} ${/name: (\S+)/.exec(d)![1]}`, d.replace(/^# Source:.*$/m, '')]),
    )
  }
  const [a, b] = await Promise.all([render(from), render(to)])
  return [...a.keys()]
    .filter((k) => a.get(k) !== b.get(k))
    .map((k) => `changed ${k}`)
    .sort()
}

const changedObjects = (r: Result) =>
  r.deployables.flatMap((d) => d.objects.map((o) => `${o.change} ${o.kind} ${o.name}`)).sort()

describe('a Flux HelmRelease over an HTTP HelmRepository', () => {
  it('a version bump diffs as helm template of both versions says; a second run fetches nothing', async () => {
    const repo = await history(fluxFiles(server.url, '1.0.0'), {'apps/production/release.yaml': helmRelease('1.1.0')})
    const before = server.requests.length
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(result.failures).toEqual([])
    expect(result.summary).toBe('changed')
    expect(changedObjects(result)).toEqual(
      [...(await helmTemplateChanges('1.0.0', '1.1.0', 'replicaCount: 2\n')), 'changed HelmRelease web'].sort(),
    )
    expect(result.images).toContainEqual(
      expect.objectContaining({from: 'ghcr.io/acme/web:1.0.0', to: 'ghcr.io/acme/web:1.1.0'}),
    )
    expect(result.charts?.map((c) => [c.repository, c.name, c.version, c.fromCache]).sort()).toEqual([
      [server.url, 'web', '1.0.0', false],
      [server.url, 'web', '1.1.0', false],
    ])
    const index = await readFile(path.join(server.dir, 'index.yaml'), 'utf8')
    for (const c of result.charts!) expect(index).toContain(`digest: ${c.digest.replace('sha256:', '')}`)
    expect(server.requests.length).toBeGreaterThan(before)
    // No credential reaches a chart repository over HTTP, though the docker config holds one for its host.
    expect(server.requests.filter((r) => r.headers.authorization !== undefined)).toEqual([])

    const again = server.requests.length
    const second = await diff(repo)
    expect(second.result.summary).toBe('changed')
    expect(changedObjects(second.result)).toEqual(changedObjects(result))
    expect(server.requests.length).toBe(again)
    expect(second.result.charts).toBeUndefined()
    // A new render of a version fetched before: the chart cache answers it by digest, nothing requested.
    await edit(repo, {'apps/production/release.yaml': helmRelease('1.1.0', '  values: {replicaCount: 3}')})
    await commitAll(repo, 'replicas')
    const third = await diff(repo)
    expect(changedObjects(third.result)).toEqual(['changed Deployment web', 'changed HelmRelease web'])
    expect(third.result.charts).toEqual([expect.objectContaining({version: '1.1.0', fromCache: true})])
    expect(server.requests.length).toBe(again)
  })

  it('a range resolves as Helm resolves it (the newest stable), the resolved version shown', async () => {
    const repo = await history(fluxFiles(server.url, '1.0.0'), {'apps/production/release.yaml': helmRelease('1.x')})
    const {exitCode, stderr, result} = await diff(repo, ['--no-cache'])
    expect(exitCode, stderr).toBe(0)
    expect(result.charts).toContainEqual(expect.objectContaining({version: '1.1.0', requested: '1.x'}))
    expect(result.images).toContainEqual(expect.objectContaining({to: 'ghcr.io/acme/web:1.1.0'}))
  })

  it('a chartRef to a HelmChart of the HelmRepository: its version bump diffs as the chart.spec bump does', async () => {
    // The HelmChart in flux-system, its local sourceRef the HelmRepository there (source-controller v1.9.1).
    const helmChart = (version: string) =>
      [
        'apiVersion: source.toolkit.fluxcd.io/v1',
        'kind: HelmChart',
        'metadata: {name: web, namespace: flux-system}',
        'spec:',
        '  interval: 10m',
        '  chart: web',
        `  version: "${version}"`,
        '  sourceRef: {kind: HelmRepository, name: charts}',
        '',
      ].join('\n')
    const release = [
      'apiVersion: helm.toolkit.fluxcd.io/v2',
      'kind: HelmRelease',
      'metadata: {name: web, namespace: web}',
      'spec:',
      '  interval: 10m',
      '  chartRef: {kind: HelmChart, name: web, namespace: flux-system}',
      '  values: {replicaCount: 2}',
      '',
    ].join('\n')
    const files = {
      ...fluxFiles(server.url, '1.0.0'),
      'apps/production/kustomization.yaml': 'resources:\n  - repository.yaml\n  - chart.yaml\n  - release.yaml\n',
      'apps/production/chart.yaml': helmChart('1.0.0'),
      'apps/production/release.yaml': release,
    }
    const repo = await history(files, {'apps/production/chart.yaml': helmChart('1.1.0')})
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(result.failures).toEqual([])
    expect(changedObjects(result)).toEqual(
      [...(await helmTemplateChanges('1.0.0', '1.1.0', 'replicaCount: 2\n')), 'changed HelmChart web'].sort(),
    )
    expect(result.images).toContainEqual(
      expect.objectContaining({from: 'ghcr.io/acme/web:1.0.0', to: 'ghcr.io/acme/web:1.1.0'}),
    )
  })

  it('a head that redirects the repository, or adds one, requests nothing from it and is named', async () => {
    const changes: Array<Record<string, string>> = [
      {'apps/production/repository.yaml': helmRepository(elsewhere.url)},
      {
        'apps/production/other.yaml': helmRepository(elsewhere.url).replace('name: charts', 'name: other'),
        'apps/production/kustomization.yaml': 'resources:\n  - repository.yaml\n  - other.yaml\n  - release.yaml\n',
        'apps/production/release.yaml': helmRelease('1.1.0', '  values: {replicaCount: 2}', 'other'),
      },
    ]
    for (const change of changes) {
      const repo = await history(fluxFiles(server.url, '1.0.0'), change)
      const {exitCode, result} = await diff(repo)
      expect(exitCode).toBe(1)
      expect(result.summary).toBe('incomplete')
      expect(result.failures).toContainEqual(
        expect.objectContaining({
          revision: 'head',
          rule: 'render-unavailable',
          file: 'apps/production/release.yaml',
          message: expect.stringContaining(`from ${elsewhere.url}`),
        }),
      )
      expect(result.failures[0].message).toContain('the base revision does not declare this repository')
    }
    expect(elsewhere.requests).toEqual([])
  })

  it('--offline requests nothing: the bump is named, never "No change"', async () => {
    const before = server.requests.length
    const repo = await history(fluxFiles(server.url, '1.0.0'), {'apps/production/release.yaml': helmRelease('1.1.0')})
    const {exitCode, result} = await diff(repo, ['--offline'])
    expect(exitCode).toBe(1)
    expect(result.summary).toBe('incomplete')
    expect(result.failures.map((f) => [f.revision, f.rule])).toEqual([
      ['base', 'render-unavailable'],
      ['head', 'render-unavailable'],
    ])
    expect(result.failures[1].message).toContain('--offline')
    expect(server.requests.length).toBe(before)
  })

  it('a tampered archive (not the index digest) is refused before anything reads it', async () => {
    const tampered = await startChartServer([webChart('1.0.0'), webChart('1.1.0')])
    // The archive of 1.1.0 replaced by other bytes (a real chart: 1.1.0 with another template) after indexing.
    const other = await makeTempDir('ameide-tampered-')
    const {tgz} = await packageChart(other, webChart('1.1.0', {'templates/evil.yaml': 'kind: ConfigMap\n'}))
    await writeFile(path.join(tampered.dir, 'web-1.1.0.tgz'), await readFile(tgz))
    const files = {...fluxFiles(tampered.url, '1.0.0')}
    const repo = await history(files, {'apps/production/release.yaml': helmRelease('1.1.0')})
    const {exitCode, result} = await diff(repo, ['--no-cache'])
    expect(exitCode).toBe(1)
    expect(result.summary).toBe('incomplete')
    expect(result.failures).toContainEqual(
      expect.objectContaining({
        revision: 'head',
        rule: 'render-refused',
        message: expect.stringContaining('hashes to'),
      }),
    )
  })
})

describe('an Argo CD Application whose source is a remote chart', () => {
  const application = (version: string, tagPrefix?: string) =>
    [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Application',
      'metadata: {name: web, namespace: argocd}',
      'spec:',
      '  project: default',
      '  destination: {server: https://kubernetes.default.svc, namespace: web}',
      '  source:',
      `    repoURL: ${server.url}`,
      '    chart: web',
      `    targetRevision: ${version}`,
      ...(tagPrefix === undefined ? [] : [`    tagPrefix: ${tagPrefix}`]),
      '    helm:',
      '      valuesObject: {message: from-argo}',
      '',
    ].join('\n')

  it('a targetRevision bump diffs into the objects helm template says change', async () => {
    const repo = await history(
      {'ameide.yaml': policy('127.0.0.1'), 'argocd/web.yaml': application('1.0.0')},
      {'argocd/web.yaml': application('1.1.0')},
    )
    const {exitCode, stderr, result} = await diff(repo, ['--no-cache'])
    expect(exitCode, stderr).toBe(0)
    expect(result.failures).toEqual([])
    expect(changedObjects(result)).toEqual(await helmTemplateChanges('1.0.0', '1.1.0', 'message: from-argo\n'))
    expect(result.images).toContainEqual(
      expect.objectContaining({from: 'ghcr.io/acme/web:1.0.0', to: 'ghcr.io/acme/web:1.1.0'}),
    )
  })

  it('tagPrefix is for git tags only: a chart source picks its version as without it (the repo-server resolves a Helm or OCI source without it)', async () => {
    const same = await history(
      {'ameide.yaml': policy('127.0.0.1'), 'argocd/web.yaml': application('1.0.0')},
      {'argocd/web.yaml': application('1.0.0', 'web-')},
    )
    const unchanged = await diff(same, ['--no-cache'])
    expect(unchanged.exitCode, unchanged.stderr).toBe(0)
    expect(unchanged.result.failures).toEqual([])
    expect(changedObjects(unchanged.result)).toEqual([])
    // A source of this repository whose targetRevision is a semver range: the highest tag it matches (its tagPrefix
    // stripped), not the revision under review — its folder's change is not deployed, said with the range.
    const local = (value: string) => ({
      'argocd/local.yaml': [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        'metadata: {name: local, namespace: argocd}',
        'spec:',
        '  project: default',
        '  destination: {server: https://kubernetes.default.svc, namespace: web}',
        '  source: {repoURL: https://github.com/example/fleet.git, path: deploy, targetRevision: "1.*", tagPrefix: release/}',
        '',
      ].join('\n'),
      'deploy/cm.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {level: ${value}}\n`,
    })
    const ours = await history({'ameide.yaml': policy('127.0.0.1'), ...local('info')}, local('debug'))
    const moved = await diff(ours, ['--no-cache'])
    expect(moved.exitCode, moved.stderr).toBe(0)
    expect(moved.result.failures).toEqual([])
    expect(changedObjects(moved.result)).toEqual([])
    const pinned = await history(
      {'ameide.yaml': policy('127.0.0.1'), ...local('info')},
      {
        'argocd/local.yaml': local('info')['argocd/local.yaml'].replace('"1.*"', '"2.*"'),
      },
    )
    const repinned = await diff(pinned, ['--no-cache'])
    expect(repinned.exitCode).toBe(1)
    expect(repinned.result.failures.map((f) => f.message).join('\n')).toContain('pinned to the tags matching 2.*')
    const bumped = await history(
      {'ameide.yaml': policy('127.0.0.1'), 'argocd/web.yaml': application('1.0.0', 'web-')},
      {'argocd/web.yaml': application('1.1.0', 'web-')},
    )
    const {exitCode, stderr, result} = await diff(bumped, ['--no-cache'])
    expect(exitCode, stderr).toBe(0)
    expect(changedObjects(result)).toEqual(await helmTemplateChanges('1.0.0', '1.1.0', 'message: from-argo\n'))
  })
})

describe('nothing of a revision is written to the host (issue 62: the revision held in memory)', () => {
  const app = (name: string, source: string[]) =>
    [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Application',
      `metadata: {name: ${name}, namespace: argocd}`,
      'spec:',
      '  project: default',
      `  destination: {server: https://kubernetes.default.svc, namespace: ${name}}`,
      '  source:',
      ...source.map((l) => `    ${l}`),
      '',
    ].join('\n')
  const local = (path: string, extra: string[] = []) => [
    'repoURL: https://github.com/example/fleet.git',
    'targetRevision: HEAD',
    `path: ${path}`,
    ...extra,
  ]
  const deployment = (image: string) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      containers: [{name: api, image: ${image}}]\n`
  /** A fleet whose every render goes where a folder was written before: each changes in the head. */
  const files = (v: string) => ({
    'ameide.yaml': policy('127.0.0.1'),
    // A chart fetched, unpacked and rendered.
    'argocd/remote.yaml': app('remote', [`repoURL: ${server.url}`, 'chart: web', `targetRevision: ${v}`]),
    // A chart with a file:// dependency missing from charts/: built in a copy (helm dependency build).
    'argocd/umbrella.yaml': app('umbrella', local('charts/umbrella', ['helm:', '  valueFiles: ["values,prod.yaml"]'])),
    'charts/umbrella/Chart.yaml':
      'apiVersion: v2\nname: umbrella\nversion: 0.1.0\ndependencies:\n  - name: lib\n    version: 0.1.0\n    repository: file://../lib\n',
    // A value file whose name helm would split: copied under a plain name.
    'charts/umbrella/values,prod.yaml': `lib:\n  tag: "${v}"\n`,
    'charts/lib/Chart.yaml': 'apiVersion: v2\nname: lib\nversion: 0.1.0\n',
    'charts/lib/templates/cm.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lib}\ndata: {tag: {{ .Values.tag | quote }}}\n',
    // A kustomize overlay: built through a wrapper.
    'argocd/api.yaml': app('api', local('overlays/prod')),
    'overlays/prod/kustomization.yaml': 'resources: [../../base]\nnamePrefix: prod-\n',
    'base/kustomization.yaml': 'resources: [deployment.yaml]\n',
    'base/deployment.yaml': deployment(`ghcr.io/acme/api:${v}`),
  })

  it('gitops diff over a fetched chart, a copied chart, a plain-path copy and a kustomize wrapper: the temporary folder stays empty', async () => {
    const repo = await history(files('1.0.0'), files('1.1.0'))
    const tmp = await makeTempDir('ameide-watched-tmp-')
    const written: string[] = []
    const watcher = watch(tmp, {recursive: true}, (event, name) => written.push(`${event} ${name}`))
    try {
      // Node's own compile cache (bin/run.js) is kept elsewhere: it is no content of the revision.
      const compileCache = await makeTempDir('ameide-compile-cache-')
      const run = await diffJson<Result>(repo, {...env, TMPDIR: tmp, NODE_COMPILE_CACHE: compileCache}, [
        '--base',
        'HEAD^',
        '--head',
        'HEAD',
        '--no-cache',
      ])
      expect(run.exitCode, run.stderr).toBe(0)
      expect(run.result.failures).toEqual([])
      const changed = run.result.deployables.filter((d) => d.change !== 'unchanged').map((d) => d.source)
      // overlays/prod once: Application api deploys it, so kustomize's overlays/<env>/ guesses it no more.
      expect(changed.sort()).toEqual(['charts/umbrella', `${server.url}/web`, 'overlays/prod'])
      expect(changedObjects(run.result)).toEqual([
        'changed ConfigMap lib',
        'changed ConfigMap remote-config',
        'changed Deployment prod-api',
        'changed Deployment remote',
      ])
    } finally {
      watcher.close()
    }
    expect(written).toEqual([])
    expect(await readdir(tmp)).toEqual([])
  })
})

describe('a chart of the repository whose dependency lives in a chart repository', () => {
  const chartYaml = (version: string) =>
    `apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: web\n    version: "${version}"\n    repository: ${server.url}\n    import-values:\n      - {child: x, parent: y}\n`
  /** The chart with the Chart.lock the real `helm dependency update` writes for it. */
  const umbrella = async (version: string) => {
    const dir = await makeTempDir('ameide-umbrella-')
    await edit(dir, {'Chart.yaml': chartYaml(version)})
    await execa(requireTool('helm'), ['dependency', 'update', dir], {env})
    return {
      'charts/app/Chart.yaml': chartYaml(version),
      'charts/app/Chart.lock': await readFile(path.join(dir, 'Chart.lock'), 'utf8'),
      'charts/app/values.yaml': 'web:\n  message: umbrella\n',
    }
  }
  const application = [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata: {name: app, namespace: argocd}',
    'spec:',
    '  project: default',
    '  destination: {server: https://kubernetes.default.svc, namespace: web}',
    '  source:',
    '    repoURL: https://github.com/example/fleet.git',
    '    targetRevision: HEAD',
    '    path: charts/app',
    '',
  ].join('\n')

  it('Chart.lock bumped: the dependency of both versions fetched and rendered', async () => {
    const repo = await history(
      {'ameide.yaml': policy('127.0.0.1'), 'argocd/app.yaml': application, ...(await umbrella('1.0.0'))},
      await umbrella('1.1.0'),
    )
    const {exitCode, stderr, result} = await diff(repo, ['--no-cache'])
    expect(exitCode, stderr).toBe(0)
    expect(result.failures).toEqual([])
    expect(changedObjects(result)).toEqual(['changed ConfigMap app-config', 'changed Deployment app'])
    expect(result.images).toContainEqual(
      expect.objectContaining({from: 'ghcr.io/acme/web:1.0.0', to: 'ghcr.io/acme/web:1.1.0'}),
    )
    expect(result.charts?.map((c) => c.version).sort()).toEqual(['1.0.0', '1.1.0'])
  })

  it('Chart.yaml changed but not its Chart.lock: out of sync, as helm dependency build says, nothing fetched', async () => {
    const base = await umbrella('1.0.0')
    // The constraint still admits the locked version: only the lock's digest (Helm's hash of both lists) tells.
    const stale = {'charts/app/Chart.yaml': chartYaml('>=1.0.0 <2.0.0')}
    const repo = await history({'ameide.yaml': policy('127.0.0.1'), 'argocd/app.yaml': application, ...base}, stale)
    // helm itself refuses it so.
    const copy = await makeTempDir('ameide-stale-')
    await edit(copy, {...base, ...stale})
    const helmSays = await execa(requireTool('helm'), ['dependency', 'build', path.join(copy, 'charts/app')], {
      env,
      reject: false,
    })
    expect(helmSays.stderr).toContain(
      'the lock file (Chart.lock) is out of sync with the dependencies file (Chart.yaml)',
    )
    const before = server.requests.length
    const {exitCode, result} = await diff(repo, ['--no-cache'])
    expect(exitCode).toBe(1)
    expect(result.failures).toEqual([
      expect.objectContaining({
        revision: 'head',
        rule: 'render-failed',
        file: 'argocd/app.yaml',
        message: expect.stringContaining(
          'charts/app/Chart.lock: the lock file (Chart.lock) is out of sync with the dependencies file (Chart.yaml)',
        ),
      }),
    ])
    expect(result.charts?.map((c) => c.version)).toEqual(['1.0.0'])
    expect(server.requests.slice(before).filter((r) => r.path.includes('1.1.0'))).toEqual([])
  })

  it("a dependency's archive that is not its index's digest is refused", async () => {
    const tampered = await startChartServer([webChart('1.0.0')])
    const other = await makeTempDir('ameide-tampered-dep-')
    const {tgz} = await packageChart(other, webChart('1.0.0', {'templates/evil.yaml': 'kind: ConfigMap\n'}))
    await writeFile(path.join(tampered.dir, 'web-1.0.0.tgz'), await readFile(tgz))
    const chart = {
      'charts/app/Chart.yaml': `apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: web\n    version: 1.0.0\n    repository: ${tampered.url}\n`,
    }
    const repo = await history(
      {'ameide.yaml': policy('127.0.0.1'), 'argocd/app.yaml': application, ...chart},
      {'charts/app/values.yaml': 'web:\n  message: changed\n'},
    )
    const {exitCode, result} = await diff(repo, ['--no-cache'])
    expect(exitCode).toBe(1)
    expect(result.failures).toContainEqual(
      expect.objectContaining({rule: 'render-refused', message: expect.stringContaining('hashes to')}),
    )
  })
})

describe('an OCI chart (docker-registry, pushed with helm push)', () => {
  let registry: Registry
  beforeAll(async () => {
    requireTool('docker-registry')
    registry = await startRegistry()
    for (const v of ['1.0.0', '1.1.0'])
      await execa(
        requireTool('helm'),
        ['push', path.join(server.dir, `web-${v}.tgz`), `oci://${registry.host}/charts`, '--plain-http'],
        {env},
      )
  })

  it('a HelmRepository of type oci: the bump diffs, the manifest digest recorded; a second run fetches nothing', async () => {
    // Plain HTTP because the base's HelmRepository says `insecure` (ameide.yaml lists no host).
    const files = {
      ...fluxFiles(`oci://${registry.host}/charts`, '1.0.0'),
      'ameide.yaml': policy(),
      'apps/production/repository.yaml': helmRepository(
        `oci://${registry.host}/charts`,
        '  type: oci\n  insecure: true',
      ),
    }
    const repo = await history(files, {'apps/production/release.yaml': helmRelease('1.1.0')})
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(result.failures).toEqual([])
    expect(changedObjects(result)).toEqual(
      [...(await helmTemplateChanges('1.0.0', '1.1.0', 'replicaCount: 2\n')), 'changed HelmRelease web'].sort(),
    )
    const manifest = await fetch(`${registry.url}/v2/charts/web/manifests/1.1.0`, {
      headers: {Accept: 'application/vnd.oci.image.manifest.v1+json'},
    })
    expect(result.charts).toContainEqual(
      expect.objectContaining({
        version: '1.1.0',
        digest: manifest.headers.get('docker-content-digest'),
        fromCache: false,
      }),
    )
    const second = await diff(repo)
    expect(second.result.charts).toBeUndefined()
    expect(changedObjects(second.result)).toEqual(changedObjects(result))
    await edit(repo, {'apps/production/release.yaml': helmRelease('1.1.0', '  values: {replicaCount: 3}')})
    await commitAll(repo, 'replicas')
    const third = await diff(repo)
    expect(third.result.charts).toEqual([expect.objectContaining({version: '1.1.0', fromCache: true})])
  })

  it('an OCIRepository: insecure asks over plain HTTP, ref.semver names the version, ref.digest pins the manifest', async () => {
    const oci = (ref: string, insecure = true) =>
      [
        'apiVersion: source.toolkit.fluxcd.io/v1',
        'kind: OCIRepository',
        'metadata: {name: web, namespace: flux-system}',
        'spec:',
        '  interval: 10m',
        `  url: oci://${registry.host}/charts/web`,
        `  ref: ${ref}`,
        ...(insecure ? ['  insecure: true'] : []),
        '',
      ].join('\n')
    const hr = chartRefRelease('  values: {replicaCount: 2}')
    // ameide.yaml lists no host: plain HTTP only because the base's OCIRepository says insecure.
    const files = (ref: string, insecure = true) => ({
      ...fluxFiles(`oci://${registry.host}/charts`, '1.0.0'),
      'ameide.yaml': policy(),
      'apps/production/repository.yaml': oci(ref, insecure),
      'apps/production/release.yaml': hr,
    })
    const manifest = await fetch(`${registry.url}/v2/charts/web/manifests/1.1.0`, {
      headers: {Accept: 'application/vnd.oci.image.manifest.v1+json'},
    })
    const digest = manifest.headers.get('docker-content-digest')!
    for (const head of ['{semver: "1.1.0"}', `{digest: "${digest}"}`, `{tag: "1.0.0", digest: "${digest}"}`]) {
      const repo = await history(files('{semver: "1.0.0"}'), {'apps/production/repository.yaml': oci(head)})
      const {exitCode, stderr, result} = await diff(repo, ['--no-cache'])
      expect(exitCode, stderr).toBe(0)
      expect(result.failures).toEqual([])
      expect(changedObjects(result)).toEqual(
        [...(await helmTemplateChanges('1.0.0', '1.1.0', 'replicaCount: 2\n')), 'changed OCIRepository web'].sort(),
      )
      expect(result.charts).toContainEqual(expect.objectContaining({digest}))
    }
    // A range: the gate lists no tags, so it is named, never rendered as some version.
    const range = await diff(
      await history(files('{semver: "1.0.0"}'), {'apps/production/repository.yaml': oci('{semver: "1.x"}')}),
      ['--no-cache'],
    )
    expect(range.result.failures).toEqual([
      expect.objectContaining({
        revision: 'head',
        rule: 'render-unavailable',
        message: expect.stringContaining('asks for the range 1.x'),
      }),
    ])
    // Without insecure: HTTPS, refused by the plain-HTTP registry, named.
    const verify = await runCli(['gitops', 'verify', '--render', '--json', '--no-cache'], {
      cwd: await history(files('{semver: "1.0.0"}', false)),
      env,
    })
    expect(verify.json().findings).toContainEqual(
      expect.objectContaining({
        rule: 'render-unavailable',
        message: expect.stringContaining(`https://${registry.host}/v2/charts/web/manifests/1.0.0`),
      }),
    )
  })
})

describe('HTTPS by default, loopback included, as Helm and Flux ask', () => {
  /** A HelmRepository of type oci on the plain-HTTP loopback chart server, `extra` lines added to its spec. */
  const files = (extra = '') => ({
    ...fluxFiles(`oci://${server.host}/charts`, '1.0.0'),
    'ameide.yaml': policy(),
    'apps/production/repository.yaml': helmRepository(`oci://${server.host}/charts`, `  type: oci${extra}`),
  })

  it('an OCI chart whose source does not say insecure is asked over HTTPS: no plain request, render-unavailable, named', async () => {
    const before = server.requests.length
    // The head calling the repository insecure changes nothing: the base decides how a host is reached.
    const repo = await history(files(), {
      'apps/production/release.yaml': helmRelease('1.1.0'),
      'apps/production/repository.yaml': helmRepository(`oci://${server.host}/charts`, '  type: oci\n  insecure: true'),
    })
    const {exitCode, result} = await diff(repo, ['--no-cache'])
    expect(exitCode).toBe(1)
    expect(result.summary).toBe('incomplete')
    expect(result.failures.map((f) => [f.revision, f.rule])).toEqual([
      ['base', 'render-unavailable'],
      ['head', 'render-unavailable'],
    ])
    for (const f of result.failures) {
      expect(f.message).toContain(`https://${server.host}/v2/charts/web/manifests/`)
      expect(f.message).toContain('insecure')
    }
    // The server saw TLS handshakes, never an HTTP request.
    expect(server.requests.slice(before)).toEqual([])
  })

  it('gitops verify --render: the same, and with gitopsPolicy.charts.insecure listing the host, plain HTTP is asked', async () => {
    const before = server.requests.length
    const repo = await history(files())
    const refused = await runCli(['gitops', 'verify', '--render', '--require-render', '--json', '--no-cache'], {
      cwd: repo,
      env,
    })
    expect(refused.exitCode, refused.stdout).toBe(1)
    expect(refused.json().render.deployables).toEqual([expect.objectContaining({status: 'unavailable'})])
    expect(refused.json().findings).toEqual([
      expect.objectContaining({
        rule: 'render-unavailable',
        message: expect.stringContaining(`https://${server.host}/v2/charts/web/manifests/1.0.0`),
      }),
    ])
    expect(refused.json().findings[0].message).toContain('gitopsPolicy.charts.insecure')
    expect(server.requests.slice(before)).toEqual([])
    await edit(repo, {'ameide.yaml': policy(server.host)})
    await commitAll(repo, 'insecure')
    await runCli(['gitops', 'verify', '--render', '--json', '--no-cache'], {cwd: repo, env})
    expect(server.requests.slice(before).map((r) => r.path)).toContain('/v2/charts/web/manifests/1.0.0')
  })

  it('a dependency on a repository the base does not declare: the repository and the Chart.yaml line that asked, named by diff and verify --render alike', async () => {
    const app = (name: string) =>
      [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        `metadata: {name: ${name}, namespace: argocd}`,
        'spec:',
        '  project: default',
        '  destination: {server: https://kubernetes.default.svc, namespace: web}',
        '  source:',
        '    repoURL: https://github.com/example/fleet.git',
        '    targetRevision: HEAD',
        `    path: charts/${name}`,
        '',
      ].join('\n')
    const chart = (repository: string) =>
      `apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - {name: web, version: 1.0.0, repository: ${repository}}\n`
    const before = elsewhere.requests.length
    const repo = await history(
      {'ameide.yaml': policy('127.0.0.1'), 'argocd/app.yaml': app('app'), 'charts/app/Chart.yaml': chart(server.url)},
      {'charts/app/Chart.yaml': chart(elsewhere.url)},
    )
    const {exitCode, result} = await diff(repo, ['--no-cache'])
    expect(exitCode).toBe(1)
    const head = result.failures.find((f) => f.revision === 'head')!
    expect(head.rule).toBe('render-unavailable')
    expect(head.message).toContain(elsewhere.url)
    expect(head.message).toContain('charts/app/Chart.yaml')
    expect(head.message).toContain('does not declare this repository')
    const asked = {chart: 'web', repository: elsewhere.url, file: 'charts/app/Chart.yaml', line: 5}
    expect(head.dependency).toEqual(asked)
    const human = await runCli(['gitops', 'diff', '--no-cache'], {cwd: repo, env})
    expect(human.stdout).toContain(`chart web from ${elsewhere.url} (a dependency in charts/app/Chart.yaml:5)`)
    // gitops verify --render on the same head, a pull request's checkout: it fetches nothing, and says which
    // dependency of which Chart.yaml (at its line) asked for which repository, as diff does.
    const verify = ['gitops', 'verify', '--render', '--require-render', '--untrusted', '--no-cache']
    const json = await runCli([...verify, '--json'], {cwd: repo, env})
    expect(json.exitCode).toBe(1)
    const verified = json.json<{
      findings: Array<{rule: string; severity: string; message: string; dependency?: unknown}>
    }>()
    assertMatchesSchema('gitops-verify.schema.json', verified)
    expect(verified.findings).toEqual([
      expect.objectContaining({rule: 'render-unavailable', severity: 'error', dependency: asked}),
    ])
    expect(verified.findings[0].message).toContain(
      `chart web from ${elsewhere.url} (a dependency in charts/app/Chart.yaml:5)`,
    )
    expect(verified.findings[0].message).toContain('--untrusted')
    const text = await runCli(verify, {cwd: repo, env})
    expect(text.exitCode).toBe(1)
    expect(text.stdout).toContain(
      `chart web from ${elsewhere.url} (a dependency in charts/app/Chart.yaml:5) is not fetched (--untrusted`,
    )
    expect(elsewhere.requests.slice(before)).toEqual([])
  })
})

describe('Flux spec.verify of an OCI chart (cosign, a throwaway key)', () => {
  let registry: Registry
  let signer: CosignKeyPair
  let stranger: CosignKeyPair
  const digestOf = async (version: string) => {
    const res = await fetch(`${registry.url}/v2/charts/web/manifests/${version}`, {
      headers: {Accept: 'application/vnd.oci.image.manifest.v1+json'},
    })
    return res.headers.get('docker-content-digest')!
  }
  beforeAll(async () => {
    requireTool('docker-registry')
    requireTool('cosign')
    registry = await startRegistry()
    for (const v of ['1.0.0', '1.1.0', '1.2.0-rc.1'])
      await execa(
        requireTool('helm'),
        ['push', path.join(server.dir, `web-${v}.tgz`), `oci://${registry.host}/charts`, '--plain-http'],
        {env},
      )
    signer = await generateKeyPair(await makeTempDir('ameide-chart-signer-'), 'test-only-password')
    stranger = await generateKeyPair(await makeTempDir('ameide-chart-stranger-'), 'test-only-password')
    // 1.0.0 and 1.1.0 signed; 1.2.0-rc.1 not.
    for (const v of ['1.0.0', '1.1.0']) await signImage(signer, `${registry.host}/charts/web@${await digestOf(v)}`)
  })

  const keySecret = async (keys: CosignKeyPair, name = 'cosign-pub') =>
    [
      'apiVersion: v1',
      'kind: Secret',
      `metadata: {name: ${name}, namespace: flux-system}`,
      'stringData:',
      '  cosign.pub: |',
      ...(await readFile(keys.publicKey, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => `    ${l}`),
      '',
    ].join('\n')
  const verifyBlock = (secret?: string) =>
    `      verify:\n        provider: cosign\n${secret ? `        secretRef: {name: ${secret}}\n` : ''}`
  /** A HelmRelease of chart web from a HelmRepository of type oci, its chart template verified. */
  const release = (version: string, secret?: string) =>
    helmRelease(version).replace('      sourceRef:', `${verifyBlock(secret)}      sourceRef:`)
  const files = async (keys: CosignKeyPair | undefined, version = '1.0.0'): Promise<Record<string, string>> => ({
    ...fluxFiles(`oci://${registry.host}/charts`, version),
    'apps/production/kustomization.yaml': 'resources:\n  - repository.yaml\n  - release.yaml\n',
    'apps/production/repository.yaml': helmRepository(`oci://${registry.host}/charts`, '  type: oci'),
    'apps/production/release.yaml': release(version, 'cosign-pub'),
    ...(keys ? {'clusters/production/cosign-pub.yaml': await keySecret(keys)} : {}),
  })

  it("signed by the key the base's Secret holds: verified, then rendered", async () => {
    const repo = await history(await files(signer), {'apps/production/release.yaml': release('1.1.0', 'cosign-pub')})
    const {exitCode, stderr, result} = await diff(repo, ['--no-cache'])
    expect(exitCode, stderr).toBe(0)
    expect(result.failures).toEqual([])
    expect(result.images).toContainEqual(expect.objectContaining({to: 'ghcr.io/acme/web:1.1.0'}))
  })

  it('an OCIRepository with spec.verify: verified the same way', async () => {
    const oci = (tag: string) =>
      [
        'apiVersion: source.toolkit.fluxcd.io/v1',
        'kind: OCIRepository',
        'metadata: {name: web, namespace: flux-system}',
        'spec:',
        '  interval: 10m',
        `  url: oci://${registry.host}/charts/web`,
        `  ref: {tag: "${tag}"}`,
        '  verify:',
        '    provider: cosign',
        '    secretRef: {name: cosign-pub}',
        '',
      ].join('\n')
    const hr = chartRefRelease()
    const base = {
      ...(await files(signer)),
      'apps/production/repository.yaml': oci('1.0.0'),
      'apps/production/release.yaml': hr,
    }
    const signed = await history(base, {'apps/production/repository.yaml': oci('1.1.0')})
    const ok = await diff(signed, ['--no-cache'])
    expect(ok.exitCode, ok.stderr).toBe(0)
    expect(ok.result.images).toContainEqual(expect.objectContaining({to: 'ghcr.io/acme/web:1.1.0'}))
    const unsigned = await history(base, {'apps/production/repository.yaml': oci('1.2.0-rc.1')})
    const refused = await diff(unsigned, ['--no-cache'])
    expect(refused.exitCode).toBe(1)
    expect(refused.result.failures).toEqual([
      expect.objectContaining({
        revision: 'head',
        rule: 'render-refused',
        message: expect.stringContaining('carries no signature cosign verifies'),
      }),
    ])
  })

  it('an unsigned version, or one signed by another key, is refused; the key is the base’s, never the head’s', async () => {
    const unsigned = await history(await files(signer), {
      'apps/production/release.yaml': release('1.2.0-rc.1', 'cosign-pub'),
    })
    const a = await diff(unsigned, ['--no-cache'])
    expect(a.exitCode).toBe(1)
    expect(a.result.failures).toEqual([
      expect.objectContaining({
        revision: 'head',
        rule: 'render-refused',
        message: expect.stringContaining('carries no signature cosign verifies'),
      }),
    ])
    // The base trusts only the stranger's key; a head that swaps in the signer's key changes nothing.
    const swapped = await history(await files(stranger), {
      'apps/production/release.yaml': release('1.1.0', 'cosign-pub'),
      'clusters/production/cosign-pub.yaml': await keySecret(signer),
    })
    const b = await diff(swapped, ['--no-cache'])
    expect(b.exitCode).toBe(1)
    expect(b.result.failures.map((f) => [f.revision, f.rule])).toEqual([
      ['base', 'render-refused'],
      ['head', 'render-refused'],
    ])
    expect(b.result.failures[1].message).toContain(
      'is signed, but not by any public key of Secret flux-system/cosign-pub',
    )
  })

  it('a key that lives only in a cluster Secret: render-unavailable, named, never rendered unverified', async () => {
    const repo = await history(await files(undefined), {
      'apps/production/release.yaml': release('1.1.0', 'cosign-pub'),
    })
    const {exitCode, result} = await diff(repo, ['--no-cache'])
    expect(exitCode).toBe(1)
    expect(result.failures.map((f) => [f.revision, f.rule])).toEqual([
      ['base', 'render-unavailable'],
      ['head', 'render-unavailable'],
    ])
    expect(result.failures[1].message).toContain('Secret flux-system/cosign-pub')
    expect(result.failures[1].message).toContain('not rendered unverified')
    expect(result.charts).toBeUndefined()
  })
})

describe('registry credentials (docker-registry with htpasswd auth)', () => {
  let registry: Registry
  let phisher: ChartServer
  let credEnv: Record<string, string>
  const secrets = () => {
    const {user, password} = registry.credentials!
    return [password, Buffer.from(`${user}:${password}`).toString('base64')]
  }
  beforeAll(async () => {
    requireTool('docker-registry')
    requireTool('htpasswd')
    registry = await startRegistry({auth: 'htpasswd', user: 'charts', password: 'test-only-r3gistry-secret'})
    // A second loopback host that asks every request for a credential, and counts what it is sent.
    phisher = await startChartServer([], {challenge: true})
    const dockerDir = await makeTempDir('ameide-docker-config-')
    const file = await writeDockerConfig(registry, dockerDir)
    // The docker config holds a credential for each host: only a host the base declares may be sent its own.
    const config = JSON.parse(await readFile(file, 'utf8')) as {auths: Record<string, {auth: string}>}
    config.auths[phisher.host] = {auth: Buffer.from('other:its-own-credential').toString('base64')}
    await writeFile(file, JSON.stringify(config))
    credEnv = {...env, DOCKER_CONFIG: dockerDir}
    for (const v of ['1.0.0', '1.1.0'])
      await execa(
        requireTool('helm'),
        ['push', path.join(server.dir, `web-${v}.tgz`), `oci://${registry.host}/charts`, '--plain-http'],
        {env: {...env, HELM_REGISTRY_CONFIG: file}},
      )
  })
  const files = (host: string) => ({
    ...fluxFiles(`oci://${host}/charts`, '1.0.0'),
    'ameide.yaml': policy('127.0.0.1'),
    'apps/production/repository.yaml': helmRepository(`oci://${host}/charts`, '  type: oci'),
  })
  const run = (repo: string, json: boolean) =>
    runCli(['gitops', 'diff', '--base', 'HEAD^', '--head', 'HEAD', '--no-cache', ...(json ? ['--json'] : [])], {
      cwd: repo,
      env: credEnv,
    })

  it('sent to the registry the base declares (the bump renders), never printed', async () => {
    const repo = await history(files(registry.host), {'apps/production/release.yaml': helmRelease('1.1.0')})
    const json = await run(repo, true)
    expect(json.exitCode, json.stderr).toBe(0)
    expect(json.json<Result>().images).toContainEqual(expect.objectContaining({to: 'ghcr.io/acme/web:1.1.0'}))
    const human = await run(repo, false)
    expect(human.exitCode, human.stderr).toBe(0)
    for (const out of [json.stdout, json.stderr, human.stdout, human.stderr])
      for (const secret of secrets()) expect(out).not.toContain(secret)
  })

  it('never sent to a host the base does not declare, nor to another declared host', async () => {
    // The head points the repository at the other host: nothing is requested from it.
    const redirected = await history(files(registry.host), {
      'apps/production/repository.yaml': helmRepository(`oci://${phisher.host}/charts`, '  type: oci'),
    })
    const a = await run(redirected, true)
    expect(a.exitCode).toBe(1)
    expect(a.json<Result>().failures).toContainEqual(
      expect.objectContaining({revision: 'head', rule: 'render-unavailable'}),
    )
    expect(phisher.requests).toEqual([])
    // Both declared, the release from the other host: it asks for a credential and is sent its own, never the
    // registry's.
    const both = await history(
      {
        ...files(registry.host),
        'apps/production/other.yaml': helmRepository(`oci://${phisher.host}/charts`, '  type: oci').replace(
          'name: charts',
          'name: other',
        ),
        'apps/production/kustomization.yaml': 'resources:\n  - repository.yaml\n  - other.yaml\n  - release.yaml\n',
      },
      {'apps/production/release.yaml': helmRelease('1.1.0', '  values: {replicaCount: 2}', 'other')},
    )
    for (const json of [true, false]) {
      const b = await run(both, json)
      expect(b.exitCode).toBe(1)
      for (const secret of secrets()) expect(b.stdout + b.stderr).not.toContain(secret)
    }
    expect(phisher.requests.length).toBeGreaterThan(0)
    const sent = phisher.requests.map((r) => r.headers.authorization).filter((h) => h !== undefined)
    expect(sent.length).toBeGreaterThan(0)
    expect(new Set(sent)).toEqual(new Set([`Basic ${Buffer.from('other:its-own-credential').toString('base64')}`]))
  })
})

describe('the limits of fetching (AMEIDE_CHART_LIMITS lowers them for the test)', () => {
  const limited = async (repository: ChartServer, limits: string) => {
    const repo = await history(fluxFiles(repository.url, '1.0.0'), {
      'apps/production/release.yaml': helmRelease('1.1.0'),
    })
    const run = await runCli(['gitops', 'diff', '--base', 'HEAD^', '--head', 'HEAD', '--json', '--no-cache'], {
      cwd: repo,
      env: {...env, AMEIDE_CHART_LIMITS: limits},
    })
    const result = run.json<Result>()
    assertMatchesSchema('gitops-diff.schema.json', result)
    expect(run.exitCode).toBe(1)
    expect(result.summary).toBe('incomplete')
    expect(result.failures.map((f) => [f.revision, f.rule])).toEqual([
      ['base', 'render-limit'],
      ['head', 'render-limit'],
    ])
    return result.failures[1].message
  }

  it('a chart archive over the size limit', async () => {
    expect(await limited(server, 'archiveBytes=256')).toMatch(/over the 256-byte limit/)
  })

  it('an index too large', async () => {
    expect(await limited(server, 'indexBytes=128')).toMatch(/index\.yaml.*over the 128-byte limit/)
  })

  it('a response slower than the time limit', async () => {
    const slow = await startChartServer([webChart('1.0.0'), webChart('1.1.0')], {delayMs: 3_000})
    expect(await limited(slow, 'timeoutMs=200')).toMatch(/aborted due to timeout \(\d+ ms\)/)
  }, 60_000)
})

describe("flux2-kustomize-helm-example's shape", () => {
  const valuesMap = (message: string, replicas: number) =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-values, namespace: web}\ndata:\n  values.yaml: |\n    message: ${message}\n    replicaCount: ${replicas}\n`
  const release = (env: string) =>
    helmRelease('1.0.0', `  valuesFrom:\n    - {kind: ConfigMap, name: web-values}\n  values: {image: {tag: "${env}"}}`)
  const files = (): Record<string, string> => {
    const out: Record<string, string> = {'ameide.yaml': policy('127.0.0.1')}
    for (const env of ['staging', 'production']) {
      out[`clusters/${env}/apps.yaml`] = fluxKustomization(env)
      out[`clusters/${env}/infrastructure.yaml`] = fluxKustomization(env)
        .replace('name: apps', 'name: infra-controllers')
        .replace(`./apps/${env}`, './infrastructure/controllers')
      out[`apps/${env}/kustomization.yaml`] = 'resources:\n  - ../base/web\n  - release.yaml\n'
      out[`apps/${env}/release.yaml`] = release(env).replace('namespace: web}', `namespace: web}\n# ${env}`)
    }
    out['infrastructure/controllers/kustomization.yaml'] = 'resources:\n  - repository.yaml\n'
    out['infrastructure/controllers/repository.yaml'] = helmRepository(server.url)
    out['apps/base/web/kustomization.yaml'] = 'resources:\n  - values.yaml\n'
    out['apps/base/web/values.yaml'] = valuesMap('hello', 1)
    return out
  }

  it('a values change diffs into the Deployment and ConfigMap it changes, in every environment', async () => {
    const repo = await history(files(), {'apps/base/web/values.yaml': valuesMap('changed', 3)})
    const {exitCode, stderr, result} = await diff(repo, ['--no-cache'])
    expect(exitCode, stderr).toBe(0)
    expect(result.failures).toEqual([])
    const helm = result.deployables.filter((d) => d.kind === 'HelmRelease')
    expect(helm).toHaveLength(2)
    for (const d of helm) {
      expect(d.objects.map((o) => `${o.change} ${o.kind} ${o.name}`).sort()).toEqual([
        'changed ConfigMap web-config',
        'changed Deployment web',
      ])
      expect(d.objects.find((o) => o.kind === 'Deployment')!.diff).toContain('+  replicas: 3')
      expect(d.objects.find((o) => o.kind === 'ConfigMap')!.diff).toContain('+  message: changed')
    }
  })
})
