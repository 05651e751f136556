/**
 * `gitops diff` and `gitops verify --render` on an Argo CD Application whose directory source is jsonnet (issue 54),
 * with real git and the built CLI: the render module's go-jsonnet evaluates it as the repo-server does (a TLA naming
 * `$ARGOCD_APP_NAME`, a code extVar, `libs`), so an image moved by a file the jsonnet imports from outside its folder
 * and its libs is the Application's image move; without the module (a package copy without dist/render-module) the source is
 * render-unavailable, named, and the diff incomplete.
 */
import {afterAll, describe, expect, it} from 'vitest'

import {runCli} from '../../support/cli.js'
import {edit} from '../../support/diff-repo.js'
import {assertMatchesSchema} from '../../support/schema.js'
import {commitAll, git, initGitRepo, makeTempDir, runCleanups} from '../../support/tmp.js'
import {toolEnv} from '../../support/toolchain.js'
import {cliWithoutRenderModule} from '../../support/unbuilt-package.js'

afterAll(runCleanups)

const ORIGIN = 'https://github.com/acme/shop-gitops.git'
const PIN = `@sha256:${'b'.repeat(64)}`

// The render module evaluates the jsonnet and renders the rest: no binary is needed.
const env = toolEnv()

const application = [
  'apiVersion: argoproj.io/v1alpha1',
  'kind: Application',
  'metadata:',
  '  name: shop',
  '  namespace: argocd',
  'spec:',
  '  project: default',
  '  destination:',
  '    server: https://kubernetes.default.svc',
  '    namespace: shop',
  '  source:',
  `    repoURL: ${ORIGIN}`,
  '    targetRevision: HEAD',
  '    path: jsonnet-app',
  '    directory:',
  '      jsonnet:',
  '        tlas:',
  '          - name: name',
  '            value: $ARGOCD_APP_NAME-web',
  '        extVars:',
  '          - name: replicas',
  '            value: "1 + 2"',
  '            code: true',
  '        libs:',
  '          - vendor',
  '',
].join('\n')

const files = (tag: string): Record<string, string> => ({
  'shop.yaml': application,
  'jsonnet-app/main.jsonnet': [
    "local k = import 'k.libsonnet';",
    "local release = import '../releases/web.libsonnet';",
    'function(name) [',
    "  k.deployment(name, 'ghcr.io/acme/web:' + release.tag, std.extVar('replicas')),",
    "  {apiVersion: 'v1', kind: 'Service', metadata: {name: name}, spec: {selector: {app: name}, ports: [{port: 80}]}},",
    ']',
    '',
  ].join('\n'),
  'vendor/k.libsonnet': [
    '{',
    '  deployment(name, image, replicas): {',
    "    apiVersion: 'apps/v1', kind: 'Deployment', metadata: {name: name},",
    '    spec: {',
    '      replicas: replicas, selector: {matchLabels: {app: name}},',
    "      template: {metadata: {labels: {app: name}}, spec: {containers: [{name: 'web', image: image}]}},",
    '    },',
    '  },',
    '}',
    '',
  ].join('\n'),
  // Outside the source's folder and its libs: only an import reaches it.
  'releases/web.libsonnet': `{tag: '${tag}'}\n`,
})

async function prRepo(base: Record<string, string>, change: Record<string, string>): Promise<string> {
  const dir = await makeTempDir('ameide-diff-jsonnet-')
  await initGitRepo(dir)
  await git(dir, ['remote', 'add', 'origin', ORIGIN])
  await edit(dir, base)
  await commitAll(dir, 'base')
  await git(dir, ['checkout', '-q', '-b', 'pr'])
  await edit(dir, change)
  await commitAll(dir, 'the change')
  return dir
}

type DiffResult = {
  summary: string
  deployables: Array<{
    change: string
    kind: string
    application?: string
    source: string
    objects: Array<{change: string; kind: string; name: string}>
  }>
  images: Array<{application?: string; from: string | null; to: string | null; file: string}>
  failures: Array<{rule: string; application?: string; message: string}>
}

async function diff(repo: string, cli?: string) {
  const run = await runCli(['gitops', 'diff', '--base', 'main', '--head', 'HEAD', '--json'], {
    cwd: repo,
    env,
    ...(cli ? {cli} : {}),
  })
  const result = run.json<DiffResult>()
  assertMatchesSchema('gitops-diff.schema.json', result)
  return {exitCode: run.exitCode, stderr: run.stderr, result}
}

describe('gitops diff and verify --render: an Argo CD jsonnet directory source', () => {
  it("an image moved by a file the jsonnet imports: the Application's Deployment changed, the image move named", async () => {
    const repo = await prRepo(files(`1.0${PIN}`), {'releases/web.libsonnet': `{tag: '1.1${PIN}'}\n`})
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(result.summary).toBe('changed')
    expect(result.failures).toEqual([])
    expect(result.deployables.map((d) => [d.change, d.kind, d.application, d.source])).toEqual([
      ['changed', 'directory', 'shop', 'jsonnet-app'],
    ])
    // The TLA's `$ARGOCD_APP_NAME` substituted: the objects are shop-web.
    expect(result.deployables[0]!.objects).toEqual([
      expect.objectContaining({change: 'changed', kind: 'Deployment', name: 'shop-web'}),
    ])
    expect(result.images).toEqual([
      expect.objectContaining({
        application: 'shop',
        from: `ghcr.io/acme/web:1.0${PIN}`,
        to: `ghcr.io/acme/web:1.1${PIN}`,
        // The image is built in code (no line of a file writes it): attributed to the Application, `how` unknown.
        file: 'shop.yaml',
      }),
    ])
  })

  it('verify --render judges what the jsonnet renders and names go-jsonnet', async () => {
    const repo = await prRepo(files(`1.0${PIN}`), {'releases/web.libsonnet': "{tag: 'latest'}\n"})
    const run = await runCli(['gitops', 'verify', '--render', '--json'], {cwd: repo, env})
    const v = run.json<{
      render: {
        tools: {jsonnet?: string | null}
        directories: Array<{application: string; dir: string; status: string; objects: number}>
        images: Array<{image: string}>
      }
      findings: Array<{rule: string; file: string; application?: string}>
    }>()
    assertMatchesSchema('gitops-verify.schema.json', v)
    expect(v.render.tools.jsonnet).toBe('v0.22.0')
    expect(v.render.directories.map((d) => [d.application, d.dir, d.status, d.objects])).toEqual([
      ['shop', 'jsonnet-app', 'rendered', 2],
    ])
    expect(v.findings.filter((f) => f.application === 'shop').map((f) => [f.rule, f.file])).toEqual(
      expect.arrayContaining([
        ['floating-tag', 'shop.yaml'],
        ['image-not-pinned', 'shop.yaml'],
      ]),
    )
  })

  it("a jsonnet evaluation error fails the source with go-jsonnet's message", async () => {
    const repo = await prRepo(files(`1.0${PIN}`), {'releases/web.libsonnet': "{tag: error 'no release'}\n"})
    const {exitCode, result} = await diff(repo)
    expect(exitCode).toBe(1)
    expect(result.summary).toBe('incomplete')
    expect(result.failures).toEqual([
      expect.objectContaining({
        rule: 'render-failed',
        application: 'shop',
        message: expect.stringMatching(
          /Failed to evaluate jsonnet "main.jsonnet": RUNTIME ERROR: no release\n\s+releases\/web.libsonnet:1:7-25/,
        ),
      }),
    ])
  })

  it('without the render module the jsonnet source is render-unavailable, named', async () => {
    const repo = await prRepo(files(`1.0${PIN}`), {'releases/web.libsonnet': `{tag: '1.1${PIN}'}\n`})
    // The built package without dist/render-module (test/support/unbuilt-package.ts): a source build without Go.
    const {exitCode, result} = await diff(repo, await cliWithoutRenderModule())
    expect(exitCode).toBe(1)
    expect(result.summary).toBe('incomplete')
    expect(result.deployables).toEqual([])
    expect(result.failures.map((f) => [f.rule, f.application])).toContainEqual(['render-unavailable', 'shop'])
    expect(result.failures.find((f) => f.application === 'shop')!.message).toMatch(
      /holds jsonnet \(jsonnet-app\/main.jsonnet\), which Argo CD evaluates with go-jsonnet: .*render module .*not built/,
    )
  })
})
