/**
 * The product uses the field table (docs/gitops-fields.md): an Application, a HelmRelease or a Flux Kustomization
 * that sets a field the table classifies unsupported is render-unavailable, the field and the table's message named,
 * and the diff incomplete — never rendered as something the controller would not deploy. The same objects without
 * the field render.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../../support/cli.js'
import {diffLast, history} from '../../support/diff-repo.js'
import {assertMatchesSchema} from '../../support/schema.js'
import {runCleanups} from '../../support/tmp.js'
import {requireTool, toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

type Finding = {rule: string; file: string; line: number; message: string}
type DiffResult = {
  summary: string
  deployables: Array<{change: string; kind: string; application?: string}>
  failures: Array<{rule: string; file: string; application?: string; message: string}>
}

let env: Record<string, string | undefined>
beforeAll(() => {
  requireTool('kustomize')
  requireTool('helm')
  env = toolEnv()
})

const deployment = (image: string) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: web}',
    'spec:',
    '  selector: {matchLabels: {app: web}}',
    '  template:',
    '    metadata: {labels: {app: web}}',
    '    spec: {containers: [{name: web, image: "' + image + '"}]}',
    '',
  ].join('\n')

/** An Application over this repository's kustomize folder, its `kustomize:` options given. */
const application = (kustomize: string[]) =>
  [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata: {name: web, namespace: argocd}',
    'spec:',
    '  project: default',
    '  destination: {server: https://kubernetes.default.svc, namespace: web}',
    '  source:',
    '    repoURL: https://github.com/example/fleet.git',
    '    path: apps/web',
    '    kustomize:',
    ...kustomize.map((l) => `      ${l}`),
    '',
  ].join('\n')

const argoFiles = (kustomize: string[]) => ({
  'apps/web/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
  'apps/web/deployment.yaml': deployment('ghcr.io/acme/web:1.0.0'),
  'argocd/web.yaml': application(kustomize),
})

async function verify(repo: string) {
  const run = await runCli(['gitops', 'verify', '--render', '--json'], {cwd: repo, env})
  const json = run.json<{findings: Finding[]}>()
  assertMatchesSchema('gitops-verify.schema.json', json)
  return json.findings.filter((f) => f.rule.startsWith('render-'))
}

describe('a field the table classifies unsupported', () => {
  it('an Application setting kustomize.version: render-unavailable at the field, the message the table gives', async () => {
    const labels = ['commonLabels: {team: shop}']
    const plain = await verify(await history(argoFiles(labels)))
    expect(plain).toEqual([])
    const repo = await history(argoFiles([...labels, 'version: v4.5.7']))
    expect(await verify(repo)).toEqual([
      expect.objectContaining({
        rule: 'render-unavailable',
        file: 'argocd/web.yaml',
        line: 12,
        message: expect.stringMatching(
          /^Application web: spec\.source\.kustomize\.version: selects another kustomize binary.*\(docs\/gitops-fields\.md/,
        ),
      }),
    ])
  })

  it('gitops diff: a head that adds the field is incomplete, the Application named, never "changed"', async () => {
    const labels = ['commonLabels: {team: shop}']
    const repo = await history(argoFiles(labels), argoFiles([...labels, 'version: v4.5.7']))
    const {exitCode, result} = await diffLast<DiffResult>(repo, env)
    expect(exitCode).toBe(1)
    expect(result.summary).toBe('incomplete')
    expect(result.deployables).toEqual([])
    expect(result.failures.map((f) => `${f.rule} ${f.application} ${f.file}`)).toEqual([
      'render-unavailable web argocd/web.yaml',
    ])
    expect(result.failures[0]!.message).toContain('spec.source.kustomize.version: selects another kustomize binary')
    // The same change of a field the gate renders: changed, complete.
    const rendered = await history(argoFiles(labels), argoFiles(['commonLabels: {team: cart}']))
    const changed = await diffLast<DiffResult>(rendered, env)
    expect(changed.result.summary).not.toBe('incomplete')
    expect(changed.result.deployables.map((d) => `${d.change} ${d.application}`)).toEqual(['changed web'])
  })

  it('a HelmRelease with upgrade.preserveValues: named; a Flux Kustomization with buildMetadata renders (exact)', async () => {
    const files = {
      'apps/web/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
      'apps/web/deployment.yaml': deployment('ghcr.io/acme/web:1.0.0'),
      'clusters/prod/web.yaml': [
        'apiVersion: kustomize.toolkit.fluxcd.io/v1',
        'kind: Kustomization',
        'metadata: {name: web, namespace: flux-system}',
        'spec:',
        '  interval: 10m',
        '  path: ./apps/web',
        '  sourceRef: {kind: GitRepository, name: flux-system}',
        '  buildMetadata: [originAnnotations]',
        '',
      ].join('\n'),
      'apps/chart/release.yaml': [
        'apiVersion: helm.toolkit.fluxcd.io/v2',
        'kind: HelmRelease',
        'metadata: {name: chart, namespace: web}',
        'spec:',
        '  chart:',
        '    spec:',
        '      chart: ./charts/web',
        '      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}',
        '  upgrade:',
        '    preserveValues: true',
        '',
      ].join('\n'),
      'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
      'charts/web/values.yaml': 'image: ghcr.io/acme/web:1.0.0\n',
      'charts/web/templates/deployment.yaml': deployment('{{ .Values.image }}'),
    }
    const found = await verify(await history(files))
    expect(found).toContainEqual(
      expect.objectContaining({
        rule: 'render-unavailable',
        file: 'apps/chart/release.yaml',
        line: 10,
        message: expect.stringContaining(
          'spec.upgrade.preserveValues: helm-controller reuses the values of the release in the cluster',
        ),
      }),
    )
    // buildMetadata is exact now (flux-kustomization-fields.test.ts): nothing named for it.
    expect(found.filter((f) => f.file === 'clusters/prod/web.yaml' || /buildMetadata/.test(f.message))).toEqual([])
  })
})
