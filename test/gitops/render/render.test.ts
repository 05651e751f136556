import {readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {runCli} from '../../support/cli.js'
import {assertMatchesSchema} from '../../support/schema.js'
import {commitAll, git, initGitRepo, makeTempDir, runCleanups, writeFiles} from '../../support/tmp.js'
import {toolEnv} from '../../support/toolchain.js'
import {cliWithoutRenderModule} from '../../support/unbuilt-package.js'

afterAll(runCleanups)

const E = 'e'.repeat(64)
const PINNED = `ghcr.io/acme/app:4b1e9f0@sha256:${E}`

const deployment = (name: string, image: string, init?: string) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  selector:',
    `    matchLabels: {app: ${name}}`,
    '  template:',
    `    metadata: {labels: {app: ${name}}}`,
    '    spec:',
    ...(init ? ['      initContainers:', '        - name: init', `          image: ${init}`] : []),
    '      containers:',
    '        - name: app',
    `          image: ${image}`,
    '          imagePullPolicy: IfNotPresent',
    '',
  ].join('\n')

/** An Application in the staging overlay over the chart charts/web of this repository. */
const WEB_APPLICATION = [
  'apiVersion: argoproj.io/v1alpha1',
  'kind: Application',
  'metadata: {name: web-staging}',
  'spec:',
  '  source:',
  '    repoURL: https://github.com/acme/gitops.git',
  '    path: charts/web',
  '',
].join('\n')

/** A kustomize-layout GitOps repository: a base with a floating image, overlays that re-pin, patch or break it. */
async function renderRepo(extra: Record<string, string> = {}): Promise<string> {
  const dir = await makeTempDir('ameide-render-case-')
  await initGitRepo(dir)
  const files: Record<string, string> = {
    'ameide.yaml': 'gitopsPolicy:\n  preset: kustomize\n',
    'app/base/kustomization.yaml': 'resources:\n  - deployment.yaml\n  - worker.yaml\n',
    'app/base/deployment.yaml': deployment('web', 'ghcr.io/acme/app:latest', 'busybox:1.36'),
    'app/base/worker.yaml': deployment('worker', 'ghcr.io/acme/worker:v2'),
    // staging re-pins the base image through images: (pinned, whatever the base says); worker stays unpinned.
    'app/overlays/staging/kustomization.yaml': [
      'namespace: staging',
      'resources:',
      '  - ../../base',
      'patches:',
      '  - path: init-patch.yaml',
      'images:',
      '  - name: ghcr.io/acme/app',
      '    newTag: 4b1e9f0',
      `    digest: sha256:${E}`,
      '',
    ].join('\n'),
    'app/overlays/staging/init-patch.yaml': [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: web',
      'spec:',
      '  template:',
      '    spec:',
      '      initContainers:',
      '        - name: init',
      '          image: busybox:latest',
      '',
    ].join('\n'),
    // production: an invalid port (schema) and a CRD (counted, not failed).
    'app/overlays/production/kustomization.yaml': 'resources:\n  - ../../base\n  - broken.yaml\n  - crd-object.yaml\n',
    'app/overlays/production/broken.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n    - port: http\n',
    'app/overlays/production/crd-object.yaml':
      'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  image: whatever:latest\n',
    ...extra,
  }
  await writeFiles(dir, files)
  await commitAll(dir, 'render case')
  return dir
}

type Finding = {
  rule: string
  severity: string
  file: string
  line: number
  message: string
  object?: {kind: string; namespace?: string; name: string; container?: string}
  environment?: string
}
type Result = {
  summary: string
  findings: Finding[]
  counts: Record<string, number>
  render: {
    roots: Array<{dir: string; environment: string | null; status: string; objects: number}>
    images: Array<{
      environment: string | null
      object: Finding['object']
      image: string
      file: string
      line: number
      how: string
    }>
    unknownKinds: Array<{kind: string; count: number}>
    objects: number
    containers: number
  }
  layout?: {renderRoots: Array<{dir: string; environment: string | null; via: string}>}
}

// The render module renders: no binary is needed (the last case runs with none on PATH).
const env = toolEnv()

const verify = async (cwd: string, args: string[] = []) => {
  const run = await runCli(['gitops', 'verify', '--render', '--json', ...args], {cwd, env})
  const result = run.json<Result>()
  assertMatchesSchema('gitops-verify.schema.json', result)
  return {run, result}
}

describe('gitops verify --render', () => {
  it('judges the rendered containers at the source line that decided each image, per environment', async () => {
    const repo = await renderRepo()
    const before = await git(repo, ['status', '--porcelain', '--untracked-files=all'])
    const {run, result} = await verify(repo)
    expect(run.exitCode, run.stderr).toBe(1)
    expect(result.render.roots.map((r) => `${r.dir} ${r.environment} ${r.status}`)).toEqual([
      'app/overlays/production production rendered',
      'app/overlays/staging staging rendered',
    ])
    const images = result.render.images.map(
      (i) => `${i.environment} ${i.object!.name}/${i.object!.container} ${i.image} ${i.how} ${i.file}:${i.line}`,
    )
    expect(images).toEqual(
      expect.arrayContaining([
        // the images: entry pins the base's :latest
        `staging web/app ${PINNED} images app/overlays/staging/kustomization.yaml:7`,
        // the patch decided the init container
        'staging web/init busybox:latest patch app/overlays/staging/init-patch.yaml:10',
        'staging worker/app ghcr.io/acme/worker:v2 manifest app/base/worker.yaml:13',
        'production web/app ghcr.io/acme/app:latest manifest app/base/deployment.yaml:16',
        'production web/init busybox:1.36 manifest app/base/deployment.yaml:13',
      ]),
    )
    const rendered = result.findings.filter((f) => f.object)
    const line = (f: Finding) =>
      `${f.rule} ${f.environment} ${f.object!.kind}/${f.object!.name}/${f.object!.container} ${f.file}:${f.line}`
    const imageFindings = rendered.filter((f) => f.rule === 'image-not-pinned' || f.rule === 'floating-tag').map(line)
    // staging's web/app is pinned by the overlay: no finding, although the base says :latest.
    expect(imageFindings.filter((l) => l.includes('staging Deployment/web/app'))).toEqual([])
    expect(imageFindings).toContain('floating-tag staging Deployment/web/init app/overlays/staging/init-patch.yaml:10')
    expect(imageFindings).toContain('image-not-pinned staging Deployment/worker/app app/base/worker.yaml:13')
    expect(imageFindings).toContain('floating-tag production Deployment/web/app app/base/deployment.yaml:16')
    expect(rendered.find((f) => f.object?.container === 'init' && f.environment === 'staging')!.object).toEqual({
      kind: 'Deployment',
      namespace: 'staging',
      name: 'web',
      container: 'init',
    })
    // The source-level findings of the files the roots read gave way to the rendered ones.
    expect(result.findings.filter((f) => f.rule === 'floating-tag' && !f.object)).toEqual([])
    // Schema: the Service's port is a string; the CRD kind is counted, not failed.
    const schema = result.findings.filter((f) => f.rule === 'schema-invalid')
    expect(schema.map((f) => `${f.file}:${f.line} ${f.object!.kind}/${f.object!.name}`)).toEqual([
      'app/overlays/production/broken.yaml:6 Service/web',
    ])
    expect(schema[0].message).toContain('/spec/ports/0/port')
    expect(result.render.unknownKinds).toEqual([{apiVersion: 'example.com/v1', kind: 'Widget', count: 1}])
    // The checkout is untouched.
    expect(await git(repo, ['status', '--porcelain', '--untracked-files=all'])).toBe(before)
    // Human output names the object and the environment.
    const human = await runCli(['gitops', 'verify', '--render'], {cwd: repo, env})
    expect(human.stdout).toContain('rendered: Deployment staging/web container init, environment staging')
    expect(human.stdout).toMatch(/no schema for Widget \(example\.com\/v1\) ×1/)
  })

  it("a root that does not render is render-failed with kustomize's own message; a remote base is not fetched", async () => {
    const repo = await renderRepo({
      'app/overlays/qa/kustomization.yaml': 'resources:\n  - ../../base\n  - missing.yaml\n',
      'app/overlays/remote/kustomization.yaml': 'resources:\n  - https://github.com/acme/bases//app?ref=v1\n',
    })
    const {run, result} = await verify(repo, ['--env', 'qa', '--env', 'remote'])
    expect(run.exitCode, run.stderr).toBe(1)
    const failed = result.findings.find((f) => f.rule === 'render-failed')!
    expect(failed).toMatchObject({file: 'app/overlays/qa/kustomization.yaml', environment: 'qa', severity: 'error'})
    expect(failed.message).toMatch(/missing\.yaml/)
    expect(failed.message).not.toContain(repo)
    expect(failed.message).not.toMatch(/ameide-render-/)
    const remote = result.findings.find((f) => f.rule === 'render-unavailable')!
    expect(remote).toMatchObject({file: 'app/overlays/remote/kustomization.yaml', line: 2, severity: 'warning'})
    expect(remote.message).toContain('https://github.com/acme/bases//app?ref=v1')
    const strict = await verify(repo, ['--env', 'remote', '--require-render'])
    expect(strict.result.findings.find((f) => f.rule === 'render-unavailable')!.severity).toBe('error')
    expect(strict.run.exitCode).toBe(1)
  })

  it('an image set by a transformer that names no source line says so, rather than guessing', async () => {
    const repo = await renderRepo({
      'app/overlays/qa/kustomization.yaml': [
        'resources:',
        '  - ../../base',
        '  - versions.yaml',
        'replacements:',
        '  - source: {kind: ConfigMap, name: versions, fieldPath: data.web}',
        '    targets:',
        '      - select: {kind: Deployment, name: web}',
        '        fieldPaths:',
        '          - spec.template.spec.containers.[name=app].image',
        '',
      ].join('\n'),
      'app/overlays/qa/versions.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: versions\ndata:\n  web: ghcr.io/acme/app:v9\n',
    })
    const {result} = await verify(repo, ['--env', 'qa'])
    const web = result.render.images.find((i) => i.object!.name === 'web' && i.object!.container === 'app')!
    expect(web).toMatchObject({
      image: 'ghcr.io/acme/app:v9',
      how: 'unknown',
      file: 'app/overlays/qa/kustomization.yaml',
    })
    const f = result.findings.find(
      (x) => x.rule === 'image-not-pinned' && x.object?.name === 'web' && x.object.container === 'app',
    )!
    expect(f.file).toBe('app/overlays/qa/kustomization.yaml')
    expect(f.message).toContain('the source line could not be determined')
  })

  it('without the render module a chart of this repository is render-unavailable naming the fix, an error; a remote chart keeps its reason', async () => {
    const repo = await renderRepo({
      'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
      'charts/web/values.yaml': 'image: {repository: ghcr.io/acme/app, tag: v1}\n',
      'app/overlays/staging/web-app.yaml': WEB_APPLICATION,
      'app/overlays/staging/redis.yaml': [
        'apiVersion: helm.toolkit.fluxcd.io/v2',
        'kind: HelmRelease',
        'metadata: {name: redis}',
        'spec:',
        '  chart:',
        '    spec:',
        '      chart: redis',
        '      sourceRef: {kind: HelmRepository, name: bitnami}',
        '',
      ].join('\n'),
    })
    await git(repo, ['remote', 'add', 'origin', 'https://github.com/acme/gitops.git'])
    // The built package without dist/render-module (test/support/unbuilt-package.ts): a source build without Go.
    const run = await runCli(['gitops', 'verify', '--render', '--json', '--env', 'staging'], {
      cwd: repo,
      cli: await cliWithoutRenderModule(),
    })
    const result = run.json<Result & {render: {tools: {helm: string | null}}}>()
    assertMatchesSchema('gitops-verify.schema.json', result)
    expect(result.render.tools.helm).toBeNull()
    // Fails closed: nothing rendered, so each render-unavailable is an error and the verdict fail (exit 1).
    expect(run.exitCode).toBe(1)
    const unavailable = result.findings.filter((f) => f.rule === 'render-unavailable' && /redis|web-app/.test(f.file))
    expect(unavailable.map((f) => f.file)).toEqual([
      'app/overlays/staging/redis.yaml',
      'app/overlays/staging/web-app.yaml',
    ])
    expect(unavailable[1]).toMatchObject({environment: 'staging', severity: 'error'})
    expect(unavailable[1].message).toContain('charts/web')
    expect(unavailable[1].message).toContain('the render module is not built')
    expect(unavailable[1].message).toContain('npm run build with the Go module proxy reachable')
    expect(unavailable[0].message).toContain('HelmRepository default/bitnami')
    // The kustomize root too: nothing renders without the module.
    expect(
      result.findings.some((f) => f.rule === 'render-unavailable' && /kustomize did not run/.test(f.message)),
    ).toBe(true)
  })

  it('where WebAssembly would render and no module is installed, each root is render-unavailable naming the package, never failed or passed', async () => {
    const repo = await renderRepo({
      'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
      'charts/web/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n',
      'app/overlays/staging/web-app.yaml': WEB_APPLICATION,
    })
    await git(repo, ['remote', 'add', 'origin', 'https://github.com/acme/gitops.git'])
    // An install of the CLI and a native helper package, told to render in WebAssembly, without the WebAssembly one.
    const noModule = {AMEIDE_RENDER_ENGINE: 'wasm', AMEIDE_RENDER_MODULE: path.join(repo, 'no-such-render.wasm')}
    const run = await runCli(['gitops', 'verify', '--render', '--json', '--no-cache', '--env', 'staging'], {
      cwd: repo,
      env: {...env, ...noModule},
    })
    const result = run.json<Result>()
    assertMatchesSchema('gitops-verify.schema.json', result)
    expect(run.exitCode).toBe(1)
    const notRendered = result.findings.filter((f) => f.rule.startsWith('render-'))
    expect(notRendered.length).toBeGreaterThanOrEqual(2)
    for (const f of notRendered) {
      expect(f).toMatchObject({rule: 'render-unavailable', severity: 'error'})
      expect(f.message).toContain('the WebAssembly module is not installed (the package @ameide/render-wasm')
    }
    expect(notRendered.map((f) => f.file)).toContain('app/overlays/staging/web-app.yaml')
    // doctor says the same of this installation, and how to add the module.
    const doctor = await runCli(['doctor', '--offline', '--json'], {cwd: repo, env: {...env, ...noModule}})
    const line = doctor.json<{checks: Array<{id: string}>}>().checks.find((c) => c.id === 'render-module')
    expect(line).toMatchObject({
      status: 'unusable',
      renderers: {wasm: null, engine: 'wasm: AMEIDE_RENDER_ENGINE=wasm'},
      fix: expect.stringContaining('npm install --global --force @ameide/render-wasm@'),
    })
  })

  it('set-image followed by --render shows the new digest in the rendered objects', async () => {
    const repo = await renderRepo({
      'app/overlays/staging/kustomization.yaml':
        'namespace: staging\nresources:\n  - ../../base\nimages:\n  - name: ghcr.io/acme/worker\n    newTag: v2\n',
    })
    const first = await verify(repo, ['--env', 'staging'])
    expect(first.result.render.images.find((i) => i.object!.name === 'worker')!.image).toBe('ghcr.io/acme/worker:v2')
    const ref = `ghcr.io/acme/worker:4b1e9f0@sha256:${E}`
    const report = path.join(await makeTempDir(), 'publish.json')
    await writeFile(
      report,
      JSON.stringify({schemaVersion: 1, images: [{component: 'domain-worker', ref}], failures: []}),
    )
    const set = await runCli(['gitops', 'set-image', '--env', 'staging', '--report', report, '--json'], {cwd: repo})
    expect(set.exitCode, set.stdout + set.stderr).toBe(0)
    const after = await verify(repo, ['--env', 'staging'])
    const worker = after.result.render.images.find((i) => i.object!.name === 'worker')!
    expect(worker).toMatchObject({image: ref, how: 'images', file: 'app/overlays/staging/kustomization.yaml'})
    expect(after.result.findings.filter((f) => f.object?.name === 'worker')).toEqual([])
  })

  it("a warm run renders nothing (cache keyed by the inputs' blob ids); a changed input renders again", async () => {
    const repo = await renderRepo()
    const cold = await verify(repo)
    expect(cold.result.render.roots.map((r) => r.status)).toEqual(['rendered', 'rendered'])
    const warm = await verify(repo)
    expect(warm.result.render.roots.map((r) => r.status)).toEqual(['cached', 'cached'])
    expect(warm.result.findings).toEqual(cold.result.findings)
    await writeFile(path.join(repo, 'app/base/worker.yaml'), deployment('worker', `ghcr.io/acme/worker:v3@sha256:${E}`))
    const changed = await verify(repo)
    expect(changed.result.render.roots.map((r) => r.status)).toEqual(['rendered', 'rendered'])
    expect(changed.result.render.images.filter((i) => i.object!.name === 'worker').map((i) => i.image)).toEqual([
      `ghcr.io/acme/worker:v3@sha256:${E}`,
      `ghcr.io/acme/worker:v3@sha256:${E}`,
    ])
  })

  it('--print-layout lists the render roots; gitopsPolicy.render.roots overrides the discovery', async () => {
    const repo = await renderRepo()
    const run = await runCli(['gitops', 'verify', '--print-layout', '--json'], {cwd: repo, env})
    expect(run.exitCode).toBe(0)
    const result = run.json<Result>()
    assertMatchesSchema('gitops-verify.schema.json', result)
    expect(result.layout!.renderRoots.map((r) => `${r.dir} ${r.environment} ${r.via}`)).toEqual([
      'app/overlays/production production overlay',
      'app/overlays/staging staging overlay',
    ])
    await writeFile(
      path.join(repo, 'ameide.yaml'),
      'gitopsPolicy:\n  preset: kustomize\n  render:\n    roots: [app/overlays/staging, app/nothing]\n',
    )
    // render: {…} turns rendering on without --render; a configured folder without a kustomization is a finding
    const configured = (await runCli(['gitops', 'verify', '--json'], {cwd: repo, env})).json<Result>()
    expect(configured.render.roots.map((r) => r.dir)).toEqual(['app/overlays/staging'])
    expect(configured.findings.find((f) => f.rule === 'render-failed')).toMatchObject({file: 'app/nothing/', line: 0})
    await writeFile(path.join(repo, 'ameide.yaml'), 'gitopsPolicy:\n  render: {kubernetesVersion: "1.20"}\n')
    const bad = await runCli(['gitops', 'verify', '--json'], {cwd: repo, env})
    expect(bad.exitCode).toBe(3)
    expect(bad.json().error.code).toBe('CONFIG_INVALID')
    expect(await readFile(path.join(repo, 'ameide.yaml'), 'utf8')).toContain('1.20')
  })

  it('with no kustomize or helm on PATH --render renders every root: the module needs no binary', async () => {
    const repo = await renderRepo()
    const run = await runCli(['gitops', 'verify', '--render', '--no-cache', '--json'], {
      cwd: repo,
      // git (to find the checkout) but no kustomize or helm: the folders of git and of this Node, nothing else.
      env: {PATH: [path.dirname(process.execPath), '/usr/bin', '/bin'].join(path.delimiter)},
    })
    const result = run.json<Result>()
    expect(run.exitCode, run.stdout).toBe(1) // the repository's own unpinned images
    assertMatchesSchema('gitops-verify.schema.json', result)
    expect(result.findings.filter((f) => /^render-(unavailable|failed)$/.test(f.rule))).toEqual([])
    expect(result.findings.some((f) => f.rule === 'image-not-pinned')).toBe(true)
  })
})
