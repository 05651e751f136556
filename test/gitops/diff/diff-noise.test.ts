/**
 * `gitops diff`'s noise policy on real git repositories with the real render module and the built CLI: a chart bump
 * over many Applications reads as one folded line per deployable (human, Markdown, JSON) plus the real changes, out
 * of --exit-code's count; a caBundle change next to folded metadata still shows in full; the BASE's ignore rules
 * (ameide.yaml, an Application's ignoreDifferences with jsonPointers and jqPathExpressions) apply and the head's do
 * not; managedFieldsManagers is named as not applied offline.
 */
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../../support/cli.js'
import {diffJson, edit} from '../../support/diff-repo.js'
import {ORIGIN, originApplication} from '../../support/helm-repo.js'
import {commitAll, git, initGitRepo, makeTempDir, runCleanups} from '../../support/tmp.js'
import {requireTool, toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

type Ref = {kind: string; name: string; rules?: string[]}
type Result = {
  summary: string
  counts: Record<string, number>
  noise: {foldChartMetadata: boolean; rules: string[]; notApplied: Array<{source: string; what: string; why: string}>}
  deployables: Array<{
    change: string
    application?: string
    objects: Array<{kind: string; name: string; diff: string}>
    folded?: {line: string; changes: string[]; objects: Ref[]}
    ignored?: Ref[]
    counts: Record<string, number>
  }>
}

const D = 'd'.repeat(64)
const APPS = 12

const labels = (indent: string) =>
  [
    `${indent}labels:`,
    `${indent}  helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}`,
    `${indent}  app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}`,
  ].join('\n')

const template = [
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata:',
  '  name: {{ .Release.Name }}-config',
  labels('  '),
  'data:',
  '  greeting: hello',
  '---',
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: {{ .Release.Name }}',
  labels('  '),
  'spec:',
  '  replicas: {{ .Values.replicas }}',
  '  selector:',
  '    matchLabels: {app: {{ .Release.Name }}}',
  '  template:',
  '    metadata:',
  '      labels: {app: {{ .Release.Name }}}',
  '      annotations:',
  '        checksum/config: {{ .Chart.Version | sha256sum }}',
  '    spec:',
  '      containers:',
  '        - name: app',
  `          image: ghcr.io/acme/app:1.0.0@sha256:${D}`,
  '---',
  'apiVersion: admissionregistration.k8s.io/v1',
  'kind: MutatingWebhookConfiguration',
  'metadata:',
  '  name: {{ .Release.Name }}-hook',
  labels('  '),
  'webhooks:',
  '  - name: hook.acme.io',
  '    admissionReviewVersions: [v1]',
  '    sideEffects: None',
  '    clientConfig:',
  '      url: https://hook.acme.io/mutate',
  '      caBundle: {{ .Values.caBundle | quote }}',
  '',
].join('\n')

const chart = (version: string) => `apiVersion: v2\nname: app\nversion: ${version}\nappVersion: "${version}"\n`

/** An Application of the shared chart; `values`: its helm values (YAML lines), `extra`: more spec lines. */
const app = (i: number, values = 'replicas: 1\ncaBundle: Q0EtMQ==', extra = '') =>
  originApplication(
    `app-${i}`,
    ['path: charts/app', 'helm:', '  values: |', ...values.split('\n').map((l) => `    ${l}`)].join('\n'),
    extra,
  )

function baseFiles(config?: string): Record<string, string> {
  const files: Record<string, string> = {
    'charts/app/Chart.yaml': chart('1.0.0'),
    'charts/app/values.yaml': 'replicas: 1\ncaBundle: ""\n',
    'charts/app/templates/all.yaml': template,
  }
  for (let i = 1; i <= APPS; i++) files[`apps/app-${i}.yaml`] = app(i)
  if (config !== undefined) files['ameide.yaml'] = config
  return files
}

async function prRepo(files: Record<string, string>, change: Record<string, string | null>): Promise<string> {
  const dir = await makeTempDir('ameide-diff-noise-')
  await initGitRepo(dir)
  await git(dir, ['remote', 'add', 'origin', ORIGIN])
  await edit(dir, files)
  await commitAll(dir, 'base')
  await git(dir, ['checkout', '-q', '-b', 'pr'])
  await edit(dir, change)
  await commitAll(dir, 'the change')
  return dir
}

let env: Record<string, string | undefined>
beforeAll(() => {
  requireTool('helm')
  env = toolEnv()
})

const diff = (repo: string, args: string[] = []) =>
  diffJson<Result>(repo, env, ['--base', 'main', '--head', 'HEAD', '--no-cache', ...args])
const byApp = (r: Result, name: string) => r.deployables.find((d) => d.application === name)!

describe('gitops diff: chart-bump metadata folded', () => {
  it('a chart bump over many Applications is one folded line per deployable plus the real changes', async () => {
    const repo = await prRepo(baseFiles(), {
      'charts/app/Chart.yaml': chart('1.0.1'),
      // A real change next to the bump: app-3's replicas, app-5's caBundle.
      'apps/app-3.yaml': app(3, 'replicas: 3\ncaBundle: Q0EtMQ=='),
      'apps/app-5.yaml': app(5, 'replicas: 1\ncaBundle: Q0EtMg=='),
    })
    const {exitCode, result} = await diff(repo, ['--exit-code'])
    expect(result.summary).toBe('changed')
    expect(exitCode).toBe(1)
    expect(result.counts).toMatchObject({objectsChanged: 2, objectsFolded: APPS * 3 - 2, deployablesChanged: 2})
    expect(result.deployables).toHaveLength(APPS)
    for (const d of result.deployables) {
      expect(d.folded?.line).toMatch(/^metadata only: .*helm\.sh\/chart app-1\.0\.0 → app-1\.0\.1.* on [23] objects$/)
      expect(d.counts.folded).toBe(d.folded?.objects.length)
    }
    expect(byApp(result, 'app-1').folded!.changes).toEqual([
      'app.kubernetes.io/version 1.0.0 → 1.0.1',
      'checksum/config changed',
      'helm.sh/chart app-1.0.0 → app-1.0.1',
    ])
    expect(byApp(result, 'app-1').objects).toEqual([])
    // The Deployment with a real change shows in full: its replicas and its chart label.
    const deployment = byApp(result, 'app-3').objects
    expect(deployment.map((o) => o.kind)).toEqual(['Deployment'])
    expect(deployment[0].diff).toMatch(/^\+ {2}replicas: 3$/m)
    expect(deployment[0].diff).toMatch(/^\+ {4}helm\.sh\/chart: app-1\.0\.1$/m)
    // A caBundle change next to folded metadata still shows, metadata included.
    const hook = byApp(result, 'app-5').objects
    expect(hook.map((o) => o.kind)).toEqual(['MutatingWebhookConfiguration'])
    expect(hook[0].diff).toMatch(/^\+ +caBundle: Q0EtMg==$/m)
    expect(hook[0].diff).toMatch(/^\+ {4}helm\.sh\/chart: app-1\.0\.1$/m)

    const human = await runCli(['gitops', 'diff', '--base', 'main', '--head', 'HEAD', '--markdown', '../noise.md'], {
      cwd: repo,
      env,
    })
    expect(human.stdout).toContain(`${APPS * 3 - 2} objects folded (chart metadata only), 0 ignored by policy`)
    expect(human.stdout).toContain(
      '≈ metadata only: app.kubernetes.io/version 1.0.0 → 1.0.1, checksum/config changed, helm.sh/chart app-1.0.0 → app-1.0.1 on 3 objects',
    )
    const markdown = await readFile(path.join(repo, '..', 'noise.md'), 'utf8')
    expect(markdown).toContain('### Folded and ignored')
    expect(markdown).toContain(`${APPS * 3 - 2} objects folded (chart metadata only), 0 ignored by policy`)
    // One row per distinct fold, and every deployable's own line.
    expect(markdown.match(/^- .* · Application app-[0-9]+ \(charts\/app\): metadata only: /gm)).toHaveLength(APPS)
    const rows = [
      ...markdown.matchAll(
        /^\| metadata only: .*helm\.sh\/chart app-1\.0\.0 → app-1\.0\.1 \| ([0-9]+) \| ([0-9]+) \|$/gm,
      ),
    ]
    expect(rows.reduce((n, m) => n + Number(m[1]), 0)).toBe(APPS)
    expect(rows.reduce((n, m) => n + Number(m[2]), 0)).toBe(APPS * 3 - 2)
  })

  it('a bump and nothing else is no change, and passes --exit-code; ameide.yaml can turn folding off', async () => {
    const repo = await prRepo(baseFiles(), {'charts/app/Chart.yaml': chart('1.0.1')})
    const {exitCode, result} = await diff(repo, ['--exit-code'])
    expect(exitCode).toBe(0)
    expect(result.summary).toBe('unchanged')
    expect(result.counts).toMatchObject({objectsChanged: 0, objectsFolded: APPS * 3, deployablesChanged: 0})
    const human = await runCli(['gitops', 'diff', '--base', 'main', '--head', 'HEAD'], {cwd: repo, env})
    expect(human.stdout).toContain(
      `No change to what is deployed. Not changes: ${APPS * 3} objects folded (chart metadata only)`,
    )

    const off = await prRepo(baseFiles('gitopsPolicy:\n  diff:\n    foldChartMetadata: false\n'), {
      'charts/app/Chart.yaml': chart('1.0.1'),
    })
    const unfolded = await diff(off, ['--exit-code'])
    expect(unfolded.exitCode).toBe(1)
    expect(unfolded.result.counts).toMatchObject({objectsChanged: APPS * 3, objectsFolded: 0})
  })
})

describe('gitops diff: ignore rules of the base', () => {
  const baseConfig =
    'gitopsPolicy:\n  diff:\n    ignore:\n      - kind: Deployment\n        jsonPointers: [/spec/replicas]\n'
  const ignoring = [
    '  ignoreDifferences:',
    '    - group: admissionregistration.k8s.io',
    '      kind: MutatingWebhookConfiguration',
    '      jqPathExpressions: [".webhooks[]?.clientConfig.caBundle"]',
    '      managedFieldsManagers: [kube-controller-manager]',
  ].join('\n')

  it("applies the base's rules and Applications' ignoreDifferences, never the head's", async () => {
    const files = {...baseFiles(baseConfig), 'apps/app-4.yaml': app(4, undefined, ignoring)}
    const repo = await prRepo(files, {
      'apps/app-1.yaml': app(1, 'replicas: 5\ncaBundle: Q0EtMQ=='),
      'apps/app-2.yaml': app(2, 'replicas: 1\ncaBundle: Q0EtMg=='),
      'apps/app-4.yaml': app(4, 'replicas: 1\ncaBundle: Q0EtMg==', ignoring),
      // The head adds a rule that would hide app-2's caBundle: reported, not applied.
      'ameide.yaml': `${baseConfig}      - kind: MutatingWebhookConfiguration\n        lines: ["caBundle"]\n`,
    })
    const {exitCode, result} = await diff(repo, ['--exit-code'])
    expect(exitCode).toBe(1)
    expect(result.counts).toMatchObject({objectsChanged: 1, objectsIgnored: 2})
    expect(byApp(result, 'app-1').ignored).toEqual([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'app-1',
        namespace: 'dev',
        rules: ['ameide.yaml gitopsPolicy.diff.ignore[0]'],
      },
    ])
    expect(byApp(result, 'app-2').objects.map((o) => o.kind)).toEqual(['MutatingWebhookConfiguration'])
    expect(byApp(result, 'app-4').ignored?.map((o) => [o.kind, o.rules])).toEqual([
      ['MutatingWebhookConfiguration', ['Application app-4 ignoreDifferences[0]']],
    ])
    expect(result.noise.rules).toEqual([
      'ameide.yaml gitopsPolicy.diff.ignore[0]',
      'Application app-4 ignoreDifferences[0]',
    ])
    expect(result.noise.notApplied).toEqual([
      expect.objectContaining({
        source: 'Application app-4 ignoreDifferences[0]',
        what: 'managedFieldsManagers kube-controller-manager',
      }),
    ])
    const human = await runCli(['gitops', 'diff', '--base', 'main', '--head', 'HEAD'], {cwd: repo, env})
    expect(human.stdout).toContain('≈ ignored: 1 object by ameide.yaml gitopsPolicy.diff.ignore[0]')
    expect(human.stdout).toContain('0 objects folded (chart metadata only), 2 ignored by policy')
    expect(human.stdout).toContain('managedFieldsManagers kube-controller-manager is not applied')
  })
})
