/**
 * `gitops verify --render` over what an ApplicationSet generates, evaluated offline and rendered with the real Helm:
 * the design documents' own shape — an ApplicationSet whose git files generator discovers
 * `environments/**\/component.yaml` and deploys each component's first-party chart per environment with values layered
 * `_shared` → `env/<env>`. Each finding names the generated Application and its environment and sits at the values
 * line that decided the image; a generator that needs an SCM API is `render-unavailable`, named; the checkout is
 * only read.
 */
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../../../support/cli.js'
import {assertMatchesSchema} from '../../../support/schema.js'
import {git, runCleanups} from '../../../support/tmp.js'
import {componentsApplicationSet, helmGitopsRepo, ORIGIN, requiredImageTemplate} from '../../../support/helm-repo.js'
import {requireTool, toolEnv} from '../../../support/toolchain.js'
import {cliWithoutRenderModule} from '../../../support/unbuilt-package.js'

afterAll(runCleanups)

const E = 'e'.repeat(64)

type Finding = {rule: string; severity: string; file: string; line: number; message: string}
type Result = {
  summary: string
  findings: Array<Finding & {environment?: string; application?: string; object?: {kind: string; name: string}}>
  render: {deployables: Array<{application: string; environment: string | null; status: string; objects: number}>}
}

const previews = [
  'apiVersion: argoproj.io/v1alpha1',
  'kind: ApplicationSet',
  'metadata:',
  '  name: previews',
  '  namespace: argocd',
  'spec:',
  '  goTemplate: true',
  '  goTemplateOptions: ["missingkey=error"]',
  '  generators:',
  '    - pullRequest:',
  '        github: {owner: acme, repo: app, labels: [preview]}',
  '  template:',
  '    metadata:',
  "      name: 'preview-{{ .number }}'",
  '    spec:',
  '      project: previews',
  "      destination: {server: https://kubernetes.default.svc, namespace: 'preview-{{ .number }}'}",
  '      source:',
  `        repoURL: ${ORIGIN}`,
  "        targetRevision: '{{ .head_sha }}'",
  '        path: sources/charts/apps/web',
  '',
].join('\n')

const PROD_VALUES = 'enabled: true\nimage:\n  # production still runs the release tag\n  ref: ghcr.io/acme/web:1.4.0\n'

function files(): Record<string, string> {
  return {
    'argocd/applicationsets/components.yaml': componentsApplicationSet,
    'argocd/applicationsets/previews.yaml': previews,
    'environments/staging/apps/web/component.yaml': 'name: web\n',
    'environments/production/apps/web/component.yaml': 'name: web\n',
    'environments/production/apps/worker/component.yaml': 'name: worker\n',
    'sources/charts/apps/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
    'sources/charts/apps/web/values.yaml': 'enabled: false\nimage:\n  ref: ""\n',
    'sources/charts/apps/web/templates/deployment.yaml': requiredImageTemplate,
    'sources/charts/apps/worker/Chart.yaml': 'apiVersion: v2\nname: worker\nversion: 0.1.0\n',
    // Disabled by default and enabled nowhere: renders nothing, draws nothing.
    'sources/charts/apps/worker/values.yaml': 'enabled: false\nimage:\n  ref: ""\n',
    'sources/charts/apps/worker/templates/deployment.yaml': requiredImageTemplate,
    'sources/values/_shared/apps/web/values.yaml': 'enabled: true\nimage:\n  ref: ghcr.io/acme/web:latest\n',
    'sources/values/env/staging/apps/web/values.yaml': `image:\n  ref: ghcr.io/acme/web:1.4.0@sha256:${E}\n`,
    'sources/values/env/production/apps/web/values.yaml': PROD_VALUES,
  }
}

beforeAll(() => {
  requireTool('kustomize')
  requireTool('helm')
})

describe('gitops verify --render over an ApplicationSet', () => {
  // Argo CD rules relied on: the git files generator lists tracked files matching the pattern (git pathspec) and
  // gives `path.segments` to goTemplate (applicationset/generators/git.go); each string of the template is rendered
  // with each parameter set (applicationset/utils/utils.go); value files starting with `/` resolve from the
  // repository root, later files win, a missing one is dropped with ignoreMissingValueFiles (docs/user-guide/helm.md);
  // a pullRequest generator needs the SCM API, so what it generates is not known offline.
  it('renders each generated Application and judges it at the deciding values line, per environment', async () => {
    const dir = await helmGitopsRepo(files())
    const before = await git(dir, ['status', '--porcelain', '--untracked-files=all', '--ignored'])

    const run = await runCli(['gitops', 'verify', '--render', '--json'], {cwd: dir, env: toolEnv()})
    const result = run.json<Result>()
    assertMatchesSchema('gitops-verify.schema.json', result)
    expect(run.exitCode, run.stderr).toBe(1)

    const status = Object.fromEntries(
      result.render.deployables.map((d) => [d.application, `${d.environment} ${d.status} ${d.objects}`]),
    )
    expect(status).toEqual({
      'web-staging': 'staging rendered 1',
      'web-production': 'production rendered 1',
      'worker-production': 'production rendered 0',
    })

    const images = result.findings.filter((f) => f.rule === 'image-not-pinned' || f.rule === 'floating-tag')
    const prodLine = PROD_VALUES.split('\n').findIndex((l) => l.includes('ref:')) + 1
    expect(images.map((f) => `${f.rule} ${f.file}:${f.line} ${f.environment} ${f.application}`)).toEqual([
      `image-not-pinned sources/values/env/production/apps/web/values.yaml:${prodLine} production web-production`,
    ])
    expect(images[0].object).toMatchObject({kind: 'Deployment', name: 'web-production'})
    // The _shared :latest is overridden in every environment that deploys it: replaced by the rendered verdict.
    expect(result.findings.filter((f) => f.file.startsWith('sources/values/_shared/'))).toEqual([])

    const unavailable = result.findings.filter((f) => f.rule === 'render-unavailable')
    expect(unavailable).toHaveLength(1)
    expect(unavailable[0].file).toBe('argocd/applicationsets/previews.yaml')
    expect(unavailable[0].message).toContain('pullRequest')

    expect(await git(dir, ['status', '--porcelain', '--untracked-files=all', '--ignored'])).toBe(before)
  })

  it('without the Go template engine, each ApplicationSet is render-unavailable, naming the engine and how to get it', async () => {
    const dir = await helmGitopsRepo(files())
    // Neither its WebAssembly module nor a native helper (which links the engine): the package without them.
    const run = await runCli(['gitops', 'verify', '--render', '--json'], {
      cwd: dir,
      env: toolEnv({AMEIDE_GOTEMPLATE_WASM: path.join(dir, 'no-such-engine.wasm')}),
      cli: await cliWithoutRenderModule(),
    })
    const result = run.json<Result>()
    assertMatchesSchema('gitops-verify.schema.json', result)
    // Fail closed: what the ApplicationSets generate is unknown, never guessed, never a pass.
    expect(run.exitCode, run.stderr).toBe(1)
    expect(result.render.deployables).toEqual([])
    const unavailable = result.findings.filter((f) => f.rule === 'render-unavailable')
    expect(unavailable.map((f) => f.file).sort()).toEqual([
      'argocd/applicationsets/components.yaml',
      'argocd/applicationsets/previews.yaml',
    ])
    for (const f of unavailable) {
      expect(f.message).toMatch(/the Go template engine is not built/)
      expect(f.message).toMatch(/npm run build/)
    }
  })
})
