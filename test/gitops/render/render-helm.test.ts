/**
 * `gitops verify --render` over Helm deployables, with the render module (Helm 4.1.4, the product's one renderer)
 * and, as the oracle, the Helm 3.18 binary (`helm3`; Argo CD <= 3.4, Flux < 2.8) through the same core: an Argo CD repository in the design documents' layout (first-party charts under
 * sources/charts/apps, a vendored third-party chart, values layered _shared → env/<env>) and a Flux repository whose
 * HelmRelease takes its chart from its own GitRepository and values from a ConfigMap. Every finding at its deciding
 * line, nothing on what an environment pins, the checkout untouched.
 */
import {readFileSync} from 'node:fs'
import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../../support/cli.js'
import {assertMatchesSchema} from '../../support/schema.js'
import {git, runCleanups} from '../../support/tmp.js'
import {helmGitopsRepo, ORIGIN, requiredImageTemplate} from '../../support/helm-repo.js'
import {nativeHelm} from '../../support/native-render.js'
import {REPO_ROOT, requireTool, toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

const E = 'e'.repeat(64)

type Finding = {
  rule: string
  severity: string
  file: string
  line: number
  message: string
  object?: {kind: string; namespace?: string; name: string; container?: string}
  environment?: string
  application?: string
}
type Result = {
  summary: string
  findings: Finding[]
  render: {
    tools: {helm: string | null; kustomize: string}
    deployables: Array<{
      application: string
      kind: string
      chart: string
      environment: string | null
      status: string
      objects: number
      differential: number
    }>
    images: Array<{
      environment: string | null
      application?: string
      object: Finding['object']
      image: string
      file: string
      line: number
      how: string
    }>
  }
}

/** The 1-based line of the first line of `text` containing `needle`. */
const lineOf = (text: string, needle: string) => {
  const n = text.split('\n').findIndex((l) => l.includes(needle))
  if (n < 0) throw new Error(`fixture has no line with ${needle}`)
  return n + 1
}

const redisTemplate = [
  'apiVersion: apps/v1',
  'kind: StatefulSet',
  'metadata:',
  '  name: {{ .Release.Name }}-redis',
  'spec:',
  '  serviceName: redis',
  '  selector:',
  '    matchLabels: {app: redis}',
  '  template:',
  '    metadata:',
  '      labels: {app: redis}',
  '    spec:',
  '      containers:',
  '        - name: redis',
  '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"',
  '        - name: exporter',
  '          image: "ghcr.io/acme/{{ .Chart.Name }}-exporter:{{ .Chart.AppVersion }}"',
  '',
].join('\n')

const app = (name: string, env: string, chart: string, helm: string[]) =>
  [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata:',
    `  name: ${name}`,
    '  namespace: argocd',
    'spec:',
    '  project: default',
    `  destination: {server: https://kubernetes.default.svc, namespace: ${env}}`,
    '  source:',
    `    repoURL: ${ORIGIN}`,
    `    path: ${chart}`,
    '    helm:',
    ...helm.map((l) => `      ${l}`),
    '',
  ].join('\n')

/** An Argo CD repository in the design documents' layout. */
function argoFiles(): Record<string, string> {
  const files: Record<string, string> = {
    'sources/charts/apps/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
    // Disabled by default: a component nobody enables renders nothing.
    'sources/charts/apps/web/values.yaml': 'enabled: false\nimage:\n  ref: ""\n',
    'sources/charts/apps/web/templates/deployment.yaml': requiredImageTemplate,
    'sources/values/_shared/apps/web/values.yaml': 'enabled: true\nimage:\n  ref: ghcr.io/acme/web:latest\n',
    'sources/values/env/staging/apps/web/values.yaml': `image:\n  ref: ghcr.io/acme/web:1.4.0@sha256:${E}\n`,
    'sources/values/env/production/apps/web/values.yaml': 'image:\n  ref: ghcr.io/acme/web:1.4.0\n',
    'sources/charts/third_party/redis/Chart.yaml':
      'apiVersion: v2\nname: redis\nversion: 18.0.0\nappVersion: "7.9.9"\n',
    'sources/charts/third_party/redis/values.yaml': 'image:\n  repository: docker.io/library/redis\n  tag: 7.2.4\n',
    'sources/charts/third_party/redis/templates/statefulset.yaml': redisTemplate,
  }
  const valueFiles = (env: string) => [
    'valueFiles:',
    '  - /sources/values/_shared/apps/web/*.yaml',
    `  - /sources/values/env/${env}/apps/web/*.yaml`,
    'ignoreMissingValueFiles: true',
  ]
  files['environments/staging/web.yaml'] = app(
    'web-staging',
    'staging',
    'sources/charts/apps/web',
    valueFiles('staging'),
  )
  files['environments/production/web.yaml'] = app(
    'web-production',
    'production',
    'sources/charts/apps/web',
    valueFiles('production'),
  )
  // local: no environment values and nothing enabling it — disabled, renders nothing.
  files['environments/local/web.yaml'] = app('web-local', 'local', 'sources/charts/apps/web', [
    'valueFiles:',
    '  - /sources/values/env/local/apps/web/values.yaml',
    'ignoreMissingValueFiles: true',
  ])
  // preview: enabled by a parameter, but no image.ref anywhere — Helm's `required` fails the render.
  files['environments/preview/web.yaml'] = app('web-preview', 'preview', 'sources/charts/apps/web', [
    'parameters:',
    '  - name: enabled',
    '    value: "true"',
  ])
  files['environments/production/redis.yaml'] = app(
    'redis-production',
    'production',
    'sources/charts/third_party/redis',
    ['releaseName: cache', 'parameters:', '  - name: image.tag', '    value: 7.2-alpine', '    forceString: true'],
  )
  return files
}

const MODULE = 'the render module'

/**
 * Runs `gitops verify --render --json` with `helm`: the render module (the product, through the CLI), or a Helm
 * binary (the oracle, test/support/native-render.ts) through the product's own core — the CLI renders only with the
 * module — with the module's kustomize and the CLI's render cache.
 */
async function verifyWith(helm: string, cwd: string) {
  if (helm === MODULE) {
    const run = await runCli(['gitops', 'verify', '--render', '--json'], {cwd, env: toolEnv()})
    const result = run.json<Result>()
    assertMatchesSchema('gitops-verify.schema.json', result)
    return {run, result}
  }
  const [{verifyGitops}, {loadConfig}, {sharedRenderModule}, {moduleKustomize}, {gitRemoteUrl}] = await Promise.all([
    import('../../../src/gitops/verify/verify.js'),
    import('../../../src/core/config.js'),
    import('../../../src/effects/render-module/host.js'),
    import('../../../src/effects/render-module/kustomize.js'),
    import('../../../src/effects/git.js'),
  ])
  const {config, gitopsKeys} = await loadConfig(cwd)
  const origin = await gitRemoteUrl(cwd)
  const policy = {...config.gitopsPolicy}
  if (policy.preview.repositories.length === 0 && origin) policy.preview = {...policy.preview, repositories: [origin]}
  const verified = await verifyGitops({
    root: cwd,
    policy,
    gitopsKeys,
    cacheVersion: CLI_VERSION,
    render: {kustomize: moduleKustomize(sharedRenderModule()!), helm: nativeHelm(helm), requireRender: () => false},
  })
  const result = JSON.parse(JSON.stringify(verified)) as Result
  assertMatchesSchema('gitops-verify.schema.json', result)
  return {run: {exitCode: result.summary === 'fail' ? 1 : 0, stderr: ''}, result}
}

/** The CLI's version, which keys its render cache: the oracle's runs share the CLI's cache. */
const CLI_VERSION = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {version: string})
  .version

let helms: Record<string, string>
beforeAll(() => {
  // The Helm cases need both Helm lines and kustomize: they fail (never skip) without them.
  requireTool('kustomize')
  helms = {module: MODULE, helm3: requireTool('helm3')}
})

// The render module (Helm 4.1.4's own code) and the Helm 3 binary (Argo CD <= 3.4, Flux < 2.8); the module and the
// Helm 4 binary are held to the same output by test/gitops/render-module/render-module.test.ts.
describe.each([
  ['module', 'v4.'],
  ['helm3', 'v3.'],
])('gitops verify --render with Helm deployables (%s)', (name, major) => {
  // Argo CD rules relied on (argoproj/argo-cd reposerver/repository/repository.go, docs/user-guide/helm.md): a source
  // path holding Chart.yaml is Helm; value files resolve from the chart folder, `/x` from the repository root, globs
  // expand lexically, one --values each, in list order; ignoreMissingValueFiles drops a missing file; precedence is
  // chart values.yaml < valueFiles < values/valuesObject < parameters; release = releaseName, else the Application's
  // name; a `required` value that is missing fails `helm template` (and so the sync) with Helm's message.
  it('judges each Application at the values line that decided the image, per environment', async () => {
    const files = argoFiles()
    const repo = await helmGitopsRepo(files)
    const before = await git(repo, ['status', '--porcelain', '--untracked-files=all', '--ignored'])
    const {run, result} = await verifyWith(helms[name], repo)
    expect(run.exitCode, run.stderr).toBe(1)
    expect(result.render.tools.helm).toMatch(new RegExp(`^${major.replace('.', '\\.')}`))
    expect(result.render.tools.kustomize).not.toBe('')
    const status = Object.fromEntries(result.render.deployables.map((d) => [d.application, `${d.status} ${d.objects}`]))
    expect(status).toEqual({
      'web-staging': 'rendered 1',
      'web-production': 'rendered 1',
      'web-local': 'rendered 0',
      'web-preview': 'failed 0',
      'redis-production': 'rendered 1',
    })
    const images = result.findings.filter((f) => f.rule === 'image-not-pinned' || f.rule === 'floating-tag')

    // Argo CD: valueFiles in list order, later files win; the env file sets image.ref, so its line decides.
    const prodValues = files['sources/values/env/production/apps/web/values.yaml']
    const web = images.filter((f) => f.application === 'web-production')
    expect(web.map((f) => `${f.rule} ${f.file}:${f.line} ${f.environment}`)).toEqual([
      `image-not-pinned sources/values/env/production/apps/web/values.yaml:${lineOf(prodValues, 'ref:')} production`,
    ])
    expect(web[0].object).toMatchObject({kind: 'Deployment', name: 'web-production', container: 'web'})
    expect(web[0].message).toContain('confirmed by a differential render')

    // Nothing on what staging pins, nothing on the _shared :latest every environment overrides (replaced by the render).
    expect(images.filter((f) => f.environment === 'staging')).toEqual([])
    expect(result.findings.filter((f) => f.file.startsWith('sources/values/_shared/'))).toEqual([])
    // A disabled component renders nothing and draws nothing.
    expect(result.findings.filter((f) => f.application === 'web-local')).toEqual([])

    // Helm's `required`: render-failed with Helm's own message, the deployable and the environment.
    const failed = result.findings.filter((f) => f.rule === 'render-failed')
    expect(failed).toHaveLength(1)
    expect(failed[0]).toMatchObject({
      file: 'environments/preview/web.yaml',
      environment: 'preview',
      application: 'web-preview',
    })
    expect(failed[0].message).toContain('image.ref is required: set it in sources/values')

    // Argo CD: parameters (--set / --set-string) take precedence over every values layer: the entry decides the tag.
    const redisApp = files['environments/production/redis.yaml']
    const redis = images.filter((f) => f.application === 'redis-production' && f.object?.container === 'redis')
    expect(redis.map((f) => `${f.rule} ${f.file}:${f.line}`)).toEqual([
      `image-not-pinned environments/production/redis.yaml:${lineOf(redisApp, '- name: image.tag')}`,
    ])
    expect(redis[0].object?.name).toBe('cache-redis')
    expect(redis[0].message).toContain('image.tag in parameters')
    // An image assembled in a template from no values key: the template line, said so.
    const exporter = images.filter((f) => f.object?.container === 'exporter')
    expect(exporter.map((f) => `${f.file}:${f.line}`)).toEqual([
      `sources/charts/third_party/redis/templates/statefulset.yaml:${lineOf(redisTemplate, 'exporter:')}`,
    ])
    expect(exporter[0].message).toContain('no single values line decides it')

    // --print-layout names the deployables and the renderers (the module's: the CLI renders with nothing else).
    const layout = await runCli(['gitops', 'verify', '--print-layout', '--json'], {cwd: repo, env: toolEnv()})
    const printed = layout.json<{
      layout: {renderTools: {helm: string}; renderDeployables: Array<{application: string; chart: string}>}
    }>()
    assertMatchesSchema('gitops-verify.schema.json', printed)
    if (name === 'module') expect(printed.layout.renderTools.helm).toBe(result.render.tools.helm)
    expect(printed.layout.renderDeployables.map((d) => d.application).sort()).toEqual([
      'redis-production',
      'web-local',
      'web-preview',
      'web-production',
      'web-staging',
    ])

    const after = await git(repo, ['status', '--porcelain', '--untracked-files=all', '--ignored'])
    expect(after).toBe(before)
  })

  // The cache rule (ours): a deployable's answer is keyed by its chart's files, its value files, its spec and the
  // renderers' versions, so a warm run renders nothing and a changed value file renders only its deployable again.
  it('a warm run renders nothing; a changed value file renders that deployable again', async () => {
    const repo = await helmGitopsRepo(argoFiles())
    const cold = await verifyWith(helms[name], repo)
    expect(cold.result.render.deployables.every((d) => d.status !== 'cached')).toBe(true)
    const warm = await verifyWith(helms[name], repo)
    // A cached failure is still reported as failed; nothing is rendered again, no differential render either.
    expect(warm.result.render.deployables.map((d) => `${d.application} ${d.status} ${d.differential}`)).toEqual(
      cold.result.render.deployables.map((d) => `${d.application} ${d.status === 'failed' ? 'failed' : 'cached'} 0`),
    )
    expect(warm.result.findings).toEqual(cold.result.findings)
    await writeFile(
      path.join(repo, 'sources/values/env/production/apps/web/values.yaml'),
      `image:\n  ref: ghcr.io/acme/web:1.5.0@sha256:${E}\n`,
    )
    const changed = await verifyWith(helms[name], repo)
    const status = Object.fromEntries(changed.result.render.deployables.map((d) => [d.application, d.status]))
    expect(status['web-production']).toBe('rendered')
    expect(status['web-staging']).toBe('cached') // its inputs are unchanged
    expect(changed.result.findings.filter((f) => f.application === 'web-production')).toEqual([])
  })

  // helm-controller rules relied on (fluxcd/helm-controller, api/v2 helmrelease_types.go; docs "Values references"):
  // the chart path is relative to the GitRepository's root; valuesFrom entries merge in order (valuesKey default
  // values.yaml), spec.values on top; release name [targetNamespace-]name; a HelmRepository chart needs the network.
  it('Flux: a HelmRelease from its own GitRepository, valuesFrom a ConfigMap, judged at the ConfigMap line', async () => {
    const configMap = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: web-values',
      '  namespace: apps',
      'data:',
      '  values.yaml: |',
      '    replicaCount: 2',
      '    image:',
      '      tag: 6.5.0',
      '',
    ].join('\n')
    const release = (name: string, extra: string[]) =>
      [
        'apiVersion: helm.toolkit.fluxcd.io/v2',
        'kind: HelmRelease',
        'metadata:',
        `  name: ${name}`,
        '  namespace: apps',
        'spec:',
        '  interval: 10m',
        '  chart:',
        '    spec:',
        '      chart: ./charts/podinfo',
        '      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}',
        ...extra,
        '',
      ].join('\n')
    const files: Record<string, string> = {
      'ameide.yaml': 'gitopsPolicy:\n  preset: flux\n',
      'clusters/staging/flux-system/gotk-sync.yaml': [
        'apiVersion: source.toolkit.fluxcd.io/v1',
        'kind: GitRepository',
        'metadata: {name: flux-system, namespace: flux-system}',
        `spec: {url: ${ORIGIN}, ref: {branch: main}, interval: 1m}`,
        '',
      ].join('\n'),
      'charts/podinfo/Chart.yaml': 'apiVersion: v2\nname: podinfo\nversion: 6.5.0\n',
      'charts/podinfo/values.yaml':
        'replicaCount: 1\nimage:\n  repository: ghcr.io/stefanprodan/podinfo\n  tag: 6.0.0\n',
      'charts/podinfo/templates/deployment.yaml': [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: {{ .Release.Name }}',
        'spec:',
        '  replicas: {{ .Values.replicaCount }}',
        '  selector:',
        '    matchLabels: {app: podinfo}',
        '  template:',
        '    metadata:',
        '      labels: {app: podinfo}',
        '    spec:',
        '      containers:',
        '        - name: podinfo',
        '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"',
        '',
      ].join('\n'),
      'apps/staging/web-values.yaml': configMap,
      // helm-controller: valuesFrom entries merged in order, then spec.values on top; release [targetNamespace-]name.
      'apps/staging/web.yaml': release('web', ['  valuesFrom:', '    - kind: ConfigMap', '      name: web-values']),
      'apps/staging/pinned.yaml': release('pinned', [
        '  valuesFrom:',
        '    - kind: ConfigMap',
        '      name: web-values',
        '  values:',
        '    image:',
        `      tag: 6.5.0@sha256:${E}`,
      ]),
      'apps/staging/redis.yaml': [
        'apiVersion: helm.toolkit.fluxcd.io/v2',
        'kind: HelmRelease',
        'metadata: {name: redis, namespace: apps}',
        'spec:',
        '  chart:',
        '    spec:',
        '      chart: redis',
        '      sourceRef: {kind: HelmRepository, name: bitnami}',
        '',
      ].join('\n'),
    }
    const repo = await helmGitopsRepo(files)
    const before = await git(repo, ['status', '--porcelain', '--untracked-files=all', '--ignored'])
    const {result} = await verifyWith(helms[name], repo)
    const status = Object.fromEntries(result.render.deployables.map((d) => [d.application, d.status]))
    expect(status).toEqual({'apps/web': 'rendered', 'apps/pinned': 'rendered'})
    const images = result.findings.filter((f) => f.rule === 'image-not-pinned')
    expect(images.map((f) => `${f.application} ${f.file}:${f.line} ${f.environment}`)).toEqual([
      `apps/web apps/staging/web-values.yaml:${lineOf(configMap, 'tag: 6.5.0')} staging`,
    ])
    expect(images[0].message).toContain('image.tag in ConfigMap web-values')
    const unavailable = result.findings.filter((f) => f.rule === 'render-unavailable')
    expect(unavailable).toHaveLength(1)
    expect(unavailable[0]).toMatchObject({file: 'apps/staging/redis.yaml', application: 'apps/redis'})
    expect(unavailable[0].message).toContain('HelmRepository')
    expect(await git(repo, ['status', '--porcelain', '--untracked-files=all', '--ignored'])).toBe(before)
  })
})

describe('gitops verify --render with Helm deployables (the module): what is never fetched, confined paths, Capabilities', () => {
  // Argo CD rule: a source's repoURL names the repository the repo-server clones, a `chart:` source a Helm repository
  // it downloads from; offline, neither is this checkout, so neither is rendered (and nothing is fetched).
  it('an Application over another repository or a Helm repository chart is one render-unavailable naming it', async () => {
    const repo = await helmGitopsRepo({
      'environments/staging/remote.yaml': [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        'metadata: {name: other}',
        'spec:',
        '  destination: {namespace: staging}',
        '  source:',
        '    repoURL: https://github.com/someone/else.git',
        '    path: charts/web',
        '---',
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        'metadata: {name: ingress}',
        'spec:',
        '  destination: {namespace: staging}',
        '  source:',
        '    repoURL: https://kubernetes.github.io/ingress-nginx',
        '    chart: ingress-nginx',
        '    targetRevision: 4.11.0',
        '',
      ].join('\n'),
    })
    const {result} = await verifyWith(helms.module, repo)
    const unavailable = result.findings.filter((f) => f.rule === 'render-unavailable')
    expect(unavailable.map((f) => [f.application, f.line])).toEqual([
      ['other', 7],
      ['ingress', 10],
    ])
    expect(unavailable[0].message).toContain('https://github.com/someone/else.git')
    expect(unavailable[1].message).toContain('ingress-nginx')
  })

  // Argo CD rules: a value file that resolves outside the repository root is refused ("resolved to outside repository
  // root"); `$values/x` resolves from the root of the `ref: values` source; on "missing in charts/" the repo-server
  // runs `helm dependency build`, which works offline for `file://` dependencies only.
  it('confines value files to the repository, resolves $values refs, builds file:// dependencies outside the checkout', async () => {
    const files: Record<string, string> = {
      'sources/charts/apps/api/Chart.yaml': [
        'apiVersion: v2',
        'name: api',
        'version: 0.1.0',
        'dependencies:',
        '  - name: sidecar',
        '    version: 0.1.0',
        '    repository: file://../../lib/sidecar',
        '',
      ].join('\n'),
      'sources/charts/apps/api/values.yaml': 'image: ghcr.io/acme/api:1.0.0\n',
      'sources/charts/apps/api/templates/pod.yaml':
        'apiVersion: v1\nkind: Pod\nmetadata: {name: api}\nspec:\n  containers:\n    - name: api\n      image: {{ .Values.image }}\n',
      'sources/charts/lib/sidecar/Chart.yaml': 'apiVersion: v2\nname: sidecar\nversion: 0.1.0\n',
      'sources/charts/lib/sidecar/values.yaml': `image: ghcr.io/acme/sidecar:2.0.0@sha256:${E}\n`,
      'sources/charts/lib/sidecar/templates/pod.yaml':
        'apiVersion: v1\nkind: Pod\nmetadata: {name: sidecar}\nspec:\n  containers:\n    - name: sidecar\n      image: {{ .Values.image }}\n',
      'sources/values/env/staging/apps/api/values.yaml': 'image: ghcr.io/acme/api:1.1.0\n',
    }
    const multi = [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Application',
      'metadata: {name: api-staging}',
      'spec:',
      '  destination: {namespace: staging}',
      '  sources:',
      `    - repoURL: ${ORIGIN}`,
      '      path: sources/charts/apps/api',
      '      helm:',
      '        valueFiles: [$values/sources/values/env/staging/apps/api/values.yaml]',
      `    - repoURL: ${ORIGIN}`,
      '      ref: values',
      '---',
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Application',
      'metadata: {name: api-escape}',
      'spec:',
      '  destination: {namespace: staging}',
      '  source:',
      `    repoURL: ${ORIGIN}`,
      '    path: sources/charts/apps/api',
      '    helm:',
      '      valueFiles: [../../../../../etc/passwd]',
      '',
    ].join('\n')
    files['environments/staging/api.yaml'] = multi
    const repo = await helmGitopsRepo(files)
    const before = await git(repo, ['status', '--porcelain', '--untracked-files=all', '--ignored'])
    const {result} = await verifyWith(helms.module, repo)
    const status = Object.fromEntries(result.render.deployables.map((d) => [d.application, `${d.status} ${d.objects}`]))
    expect(status).toEqual({'api-staging': 'rendered 2'})
    const images = result.findings.filter((f) => f.rule === 'image-not-pinned')
    expect(images.map((f) => `${f.application} ${f.file}:${f.line}`)).toEqual([
      'api-staging sources/values/env/staging/apps/api/values.yaml:1',
    ])
    // A value file that leaves the revision is refused (render-refused, an error), never read.
    const refused = result.findings.filter((f) => f.rule === 'render-refused')
    expect(refused.map((f) => [f.application, f.line, f.severity])).toEqual([
      ['api-escape', lineOf(multi, '../../../../../etc/passwd'), 'error'],
    ])
    expect(refused[0].message).toContain('resolves outside the revision')
    // helm dependency build ran in a temporary copy: no Chart.lock, no charts/*.tgz in the checkout.
    expect(await git(repo, ['status', '--porcelain', '--untracked-files=all', '--ignored'])).toBe(before)
  })

  // Argo CD passes --kube-version (the cluster's version) and one --api-versions per group/version and
  // group/version/Kind of the cluster's discovery; offline they come from gitopsPolicy.render, so a chart's
  // Capabilities checks render as they would on the cluster.
  it('renders Capabilities checks with gitopsPolicy.render.kubernetesVersion and apiVersions', async () => {
    const template = [
      '{{- if and (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1/ServiceMonitor") (eq .Capabilities.KubeVersion.Minor "34") }}',
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {name: exporter}',
      'spec:',
      '  containers:',
      '    - name: exporter',
      '      image: ghcr.io/acme/exporter:{{ .Values.tag }}',
      '{{- end }}',
      '',
    ].join('\n')
    const files = (apiVersions: string) => ({
      'ameide.yaml': `gitopsPolicy:\n  render:\n    apiVersions: ${apiVersions}\n`,
      'sources/charts/apps/mon/Chart.yaml': 'apiVersion: v2\nname: mon\nversion: 0.1.0\n',
      'sources/charts/apps/mon/values.yaml': 'tag: "1.0"\n',
      'sources/charts/apps/mon/templates/pod.yaml': template,
      'environments/staging/mon.yaml': app('mon', 'staging', 'sources/charts/apps/mon', ['releaseName: mon']),
    })
    const withMonitoring = await helmGitopsRepo(
      files('[monitoring.coreos.com/v1, monitoring.coreos.com/v1/ServiceMonitor]'),
    )
    const on = await verifyWith(helms.module, withMonitoring)
    expect(on.result.render.deployables.map((d) => d.objects)).toEqual([1])
    expect(on.result.findings.filter((f) => f.rule === 'image-not-pinned').map((f) => `${f.file}:${f.line}`)).toEqual([
      'sources/charts/apps/mon/values.yaml:1',
    ])
    const without = await helmGitopsRepo(files('[]'))
    const off = await verifyWith(helms.module, without)
    expect(off.result.render.deployables.map((d) => d.objects)).toEqual([0])
  })
})

describe('gitops verify --render with Helm deployables: the renderers in the cache key', () => {
  // The render cache's key holds the helm version that rendered: another Helm (a new module; here the Helm 3 binary
  // of the oracle through the same core and cache) renders everything again.
  it('a warm run after helm changed renders again with the new helm; the next warm run renders nothing', async () => {
    const repo = await helmGitopsRepo(argoFiles())
    const cold = await verifyWith(helms.module, repo)
    const warm = await verifyWith(helms.module, repo)
    expect(warm.result.render.deployables.map((d) => d.status)).toEqual(
      cold.result.render.deployables.map((d) => (d.status === 'failed' ? 'failed' : 'cached')),
    )
    expect(warm.result.render.tools.helm).toMatch(/^v4\./)
    expect(warm.result.findings).toEqual(cold.result.findings)
    expect(warm.result.render.images).toEqual(cold.result.render.images)

    const switched = await verifyWith(helms.helm3, repo)
    expect(switched.result.render.tools.helm).toMatch(/^v3\./)
    expect(switched.result.render.deployables.every((d) => d.status !== 'cached')).toBe(true)
    expect(switched.result.findings).toEqual(cold.result.findings)

    const again = await verifyWith(helms.helm3, repo)
    expect(again.result.render.tools.helm).toMatch(/^v3\./)
    expect(again.result.render.deployables.every((d) => d.status === 'cached' || d.status === 'failed')).toBe(true)
    expect(again.result.render.deployables.some((d) => d.status === 'cached')).toBe(true)
    expect(again.result.findings).toEqual(cold.result.findings)
  })
})
