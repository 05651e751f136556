/**
 * Untouched is known (issue 71): a source `gitops diff` cannot render (here a clusters generator without Argo CD's
 * cluster list) whose inputs are the same in both revisions never makes the diff incomplete; a change to a file its
 * Applications can read does. The fleet's shapes: a clusters ApplicationSet over a folder of this repository beside
 * an Application, and gitops-bridge's addons (a remote chart whose `$values/…` value files come from this repository,
 * the paths templated from cluster annotations). Built with real git through the built CLI.
 */
import {execFileSync} from 'node:child_process'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {diffLast, edit, history, type DiffVerdict} from '../../support/diff-repo.js'
import {runCleanups} from '../../support/tmp.js'
import {requireTool, toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

type Result = DiffVerdict

let env: Record<string, string | undefined>
beforeAll(() => {
  requireTool('kustomize')
  requireTool('helm')
  env = toolEnv()
})

/** The diff is incomplete (exit 1), named by the one not-rendered finding of `file`, in both revisions. */
function expectIncompleteAt(run: {exitCode: number; result: Result}, file: string, message: RegExp): void {
  expect(run.exitCode).toBe(1)
  expect(run.result.summary).toBe('incomplete')
  expect(run.result.failures.map((f) => [f.revision, f.file])).toEqual([
    ['base', file],
    ['head', file],
  ])
  expect(run.result.failures[0].message).toMatch(message)
}

const ORIGIN = 'https://github.com/example/fleet.git'
const configMap = (name: string, value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {a: "${value}"}\n`

const application = [
  'apiVersion: argoproj.io/v1alpha1',
  'kind: Application',
  'metadata: {name: web, namespace: argocd}',
  'spec:',
  '  project: default',
  `  source: {repoURL: '${ORIGIN}', targetRevision: HEAD, path: apps/web}`,
  '  destination: {server: https://kubernetes.default.svc, namespace: web}',
  '',
].join('\n')

const clustersSet = (path: string) =>
  [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: ApplicationSet',
    'metadata: {name: bgd, namespace: argocd}',
    'spec:',
    '  generators:',
    '  - clusters: {}',
    '  template:',
    "    metadata: {name: '{{name}}-bgd'}",
    '    spec:',
    '      project: default',
    `      source: {repoURL: '${ORIGIN}', targetRevision: HEAD, path: '${path}'}`,
    "      destination: {server: '{{server}}', namespace: bgd}",
    '',
  ].join('\n')

const fleet = (): Record<string, string> => ({
  'argocd/web.yaml': application,
  'argocd/bgd.yaml': clustersSet('apps/bgd/{{metadata.labels.tier}}'),
  'apps/web/cm.yaml': configMap('web', '1'),
  'apps/bgd/front/cm.yaml': configMap('bgd', '1'),
})

const CLUSTERS_NOT_RENDERED = /ApplicationSet bgd: the clusters generator is not rendered/

describe('a clusters ApplicationSet the change does not touch', () => {
  it('a change to another Application: its diff exactly, "changed", exit 0 — never incomplete', async () => {
    const repo = await history(fleet(), {'apps/web/cm.yaml': configMap('web', '2')})
    const {exitCode, stderr, result} = await diffLast<Result>(repo, env)
    expect(result.failures).toEqual([])
    expect(exitCode, stderr).toBe(0)
    expect(result.summary).toBe('changed')
    expect(result.deployables).toEqual([expect.objectContaining({change: 'changed', application: 'web'})])
  })

  it('a change to what its Applications read (a folder its templated path can name): incomplete, named', async () => {
    const repo = await history(fleet(), {'apps/bgd/front/cm.yaml': configMap('bgd', '2')})
    expectIncompleteAt(await diffLast<Result>(repo, env), 'argocd/bgd.yaml', CLUSTERS_NOT_RENDERED)
  })

  it('a change to the ApplicationSet itself: incomplete', async () => {
    const repo = await history(fleet(), {'argocd/bgd.yaml': clustersSet('apps/bgd/{{metadata.labels.tier}}/x')})
    const {exitCode, result} = await diffLast<Result>(repo, env)
    expect(exitCode).toBe(1)
    expect(result.failures.some((f) => CLUSTERS_NOT_RENDERED.test(f.message))).toBe(true)
  })
})

describe("gitops-bridge's addons: a remote chart with value files of this repository, paths from cluster annotations", () => {
  const addons = [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: ApplicationSet',
    'metadata: {name: addons-cert-manager}',
    'spec:',
    '  generators:',
    '  - merge:',
    '      mergeKeys: [server]',
    '      generators:',
    '      - clusters: {values: {addonChart: cert-manager, addonChartVersion: v1.13.1}}',
    '      - clusters: {selector: {matchLabels: {environment: prod}}, values: {addonChartVersion: v1.13.1}}',
    '  template:',
    "    metadata: {name: 'addon-{{name}}-{{values.addonChart}}'}",
    '    spec:',
    '      project: default',
    '      sources:',
    "      - {repoURL: '{{metadata.annotations.addons_repo_url}}', targetRevision: main, ref: values}",
    "      - chart: '{{values.addonChart}}'",
    '        repoURL: https://charts.jetstack.io',
    "        targetRevision: '{{values.addonChartVersion}}'",
    '        helm:',
    '          valueFiles:',
    '          - $values/{{metadata.annotations.addons_repo_basepath}}environments/base/addons/{{values.addonChart}}/values.yaml',
    "      destination: {namespace: cert-manager, name: '{{name}}'}",
    '',
  ].join('\n')
  const files = (): Record<string, string> => ({
    ...fleet(),
    'argocd/bgd.yaml': '', // only the addons' ApplicationSet here
    'bootstrap/addons/cert-manager.yaml': addons,
    'environments/base/addons/cert-manager/values.yaml': 'installCRDs: true\n',
  })

  it('a change to an Application beside it: exact, exit 0', async () => {
    const repo = await history(files(), {'apps/web/cm.yaml': configMap('web', '2')})
    const {exitCode, result} = await diffLast<Result>(repo, env)
    expect(result.failures).toEqual([])
    expect(exitCode).toBe(0)
    expect(result.summary).toBe('changed')
  })

  it('a change to a value file its pattern names: incomplete', async () => {
    const repo = await history(files(), {'environments/base/addons/cert-manager/values.yaml': 'installCRDs: false\n'})
    const {exitCode, result} = await diffLast<Result>(repo, env)
    expect(exitCode).toBe(1)
    expect(result.failures.map((f) => f.file)).toEqual([
      'bootstrap/addons/cert-manager.yaml',
      'bootstrap/addons/cert-manager.yaml',
    ])
  })
})

describe('an untouched source of any kind ameide cannot render changes no verdict', () => {
  const set = (name: string, generator: string, extra: string[] = []) =>
    [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: ApplicationSet',
      `metadata: {name: ${name}, namespace: argocd}`,
      'spec:',
      '  generators:',
      `  - ${generator}`,
      '  template:',
      `    metadata: {name: '${name}-{{name}}'}`,
      '    spec:',
      '      project: default',
      `      source: {repoURL: '${ORIGIN}', targetRevision: HEAD, path: 'unknowable/${name}'}`,
      "      destination: {server: https://kubernetes.default.svc, namespace: '{{name}}'}",
      ...extra,
      '',
    ].join('\n')
  const app = (name: string, source: string) =>
    [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Application',
      `metadata: {name: ${name}, namespace: argocd}`,
      'spec:',
      '  project: default',
      `  source: ${source}`,
      `  destination: {server: https://kubernetes.default.svc, namespace: ${name}}`,
      '',
    ].join('\n')
  const UNKNOWABLE: Record<string, string> = {
    'a clusters generator': set('clusters', 'clusters: {}'),
    'a clusterDecisionResource generator': set(
      'decisions',
      'clusterDecisionResource: {configMapRef: dcr, labelSelector: {matchLabels: {a: b}}}',
    ),
    'an scmProvider generator': set('scm', 'scmProvider: {github: {organization: acme}}'),
    'a pullRequest generator': set('previews', 'pullRequest: {github: {owner: acme, repo: app}}'),
    'a plugin generator': set('plugged', 'plugin: {configMapRef: {name: plugin}}'),
    'an ApplicationSet that generates one name twice': set('twice', 'list: {elements: [{name: a}, {name: a}]}'),
    'a config-management plugin source': app(
      'cmp',
      `{repoURL: '${ORIGIN}', targetRevision: HEAD, path: unknowable/cmp, plugin: {name: tanka}}`,
    ),
    'a chart of a repository not reachable offline': app(
      'remote',
      '{repoURL: https://charts.example.invalid, chart: web, targetRevision: 1.0.0}',
    ),
  }

  for (const [what, text] of Object.entries(UNKNOWABLE)) {
    it(what, async () => {
      const files = {...fleet(), 'argocd/bgd.yaml': '', 'argocd/unknowable.yaml': text, 'unknowable/cm/cm.yaml': ''}
      const repo = await history(files, {'apps/web/cm.yaml': configMap('web', '2')})
      const {exitCode, result} = await diffLast<Result>(repo, env, ['--offline'])
      expect(result.failures).toEqual([])
      expect(exitCode).toBe(0)
      expect(result.summary).toBe('changed')
      expect(result.deployables).toEqual([expect.objectContaining({change: 'changed', application: 'web'})])
      // The same source touched: the diff is incomplete (so the source is one ameide cannot render).
      const touch = text
        .replace('HEAD', 'main')
        .replace('1.0.0', '1.0.1')
        .replace('namespace: argocd', 'namespace: argo')
      const touched = await history(files, {'argocd/unknowable.yaml': touch})
      const again = await diffLast<Result>(touched, env, ['--offline'])
      expect(again.result.summary).toBe('incomplete')
      expect(again.result.failures.map((f) => f.file)).toContain('argocd/unknowable.yaml')
    })
  }
})

describe("a Helm source whose `$ref` value files come from another repository (gitops-bridge's $values)", () => {
  // The `ref:` source is another repository (an annotation the cluster lacks leaves gitops-bridge's URL a literal
  // template): not fetched, so the chart is not rendered in either revision; what it reads here is its chart folder
  // and its value files of this repository.
  const addon = [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata: {name: addon, namespace: argocd}',
    'spec:',
    '  project: default',
    '  sources:',
    "  - {repoURL: '{{metadata.annotations.addons_repo_url}}', targetRevision: main, ref: values}",
    `  - repoURL: '${ORIGIN}'`,
    '    targetRevision: HEAD',
    '    path: charts/addon',
    '    helm:',
    '      valueFiles: [$values/environments/default/addon/values.yaml, /environments/addon.yaml]',
    '  destination: {server: https://kubernetes.default.svc, namespace: addon}',
    '',
  ].join('\n')
  const files = (): Record<string, string> => ({
    ...fleet(),
    'argocd/bgd.yaml': '',
    'argocd/addon.yaml': addon,
    'charts/addon/Chart.yaml': 'apiVersion: v2\nname: addon\nversion: 0.1.0\n',
    'charts/addon/templates/cm.yaml': configMap('addon', '{{ .Values.a }}'),
    'environments/addon.yaml': 'a: "1"\n',
    'environments/default/addon/values.yaml': 'a: "2"\n',
  })
  const NOT_FETCHED = /Application addon: value file \$values\/environments\/default\/addon\/values.yaml comes from/

  it('a change beside it: exact, exit 0 — never incomplete', async () => {
    const repo = await history(files(), {'apps/web/cm.yaml': configMap('web', '2')})
    const {exitCode, result} = await diffLast<Result>(repo, env)
    expect(result.failures).toEqual([])
    expect(exitCode).toBe(0)
    expect(result.summary).toBe('changed')
    expect(result.deployables).toEqual([expect.objectContaining({change: 'changed', application: 'web'})])
  })

  it("a change to the same path in this repository as its `$values/` file (the other repository's): exact", async () => {
    const repo = await history(files(), {'environments/default/addon/values.yaml': 'a: "4"\n'})
    const {exitCode, result} = await diffLast<Result>(repo, env)
    expect(result.failures).toEqual([])
    expect(exitCode).toBe(0)
  })

  // Its chart's files, its value file of this repository, its spec: each makes the diff incomplete.
  const touches: Array<[string, Record<string, string>]> = [
    ['its chart', {'charts/addon/templates/cm.yaml': configMap('addon', '{{ .Values.a }}-x')}],
    ['its value file of this repository', {'environments/addon.yaml': 'a: "3"\n'}],
    ['its spec', {'argocd/addon.yaml': addon.replace('namespace: addon', 'namespace: addons')}],
  ]
  for (const [what, change] of touches) {
    it(`a change to ${what}: incomplete, named`, async () => {
      const repo = await history(files(), change)
      expectIncompleteAt(await diffLast<Result>(repo, env), 'argocd/addon.yaml', NOT_FETCHED)
    })
  }
})

describe('a link among the files of a source not rendered is read through', () => {
  it('a change to what a link in its chart folder resolves to: incomplete, never "no change"', async () => {
    const files = {
      'argocd/addon.yaml': [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        'metadata: {name: addon, namespace: argocd}',
        'spec:',
        '  project: default',
        '  sources:',
        '  - {repoURL: https://github.com/example/values.git, targetRevision: main, ref: values}',
        `  - {repoURL: '${ORIGIN}', targetRevision: HEAD, path: charts/addon, helm: {valueFiles: [$values/a.yaml]}}`,
        '  destination: {server: https://kubernetes.default.svc, namespace: addon}',
        '',
      ].join('\n'),
      'charts/addon/Chart.yaml': 'apiVersion: v2\nname: addon\nversion: 0.1.0\n',
      'shared/templates/cm.yaml': configMap('addon', '1'),
    }
    const repo = await history(files)
    // The base commit gains the link (charts/addon/templates → shared/templates); then the change goes through it.
    execFileSync('ln', ['-s', '../../shared/templates', 'charts/addon/templates'], {cwd: repo})
    execFileSync('git', ['add', '-A'], {cwd: repo})
    execFileSync('git', ['commit', '-qm', 'link'], {cwd: repo})
    await edit(repo, {'shared/templates/cm.yaml': configMap('addon', '2')})
    execFileSync('git', ['commit', '-qam', 'change'], {cwd: repo})
    const {exitCode, result} = await diffLast<Result>(repo, env)
    expect(exitCode).toBe(1)
    expect(result.summary).toBe('incomplete')
    expect(result.failures.map((f) => [f.revision, f.file])).toEqual([
      ['base', 'argocd/addon.yaml'],
      ['head', 'argocd/addon.yaml'],
    ])
  })
})

describe('an unknowable ApplicationSet of any generator shape the change does not touch (issue 94)', () => {
  // Each crosses or merges a git directories generator (apps2/*) with one ameide cannot evaluate offline; its
  // template's source is the git generator's folder. What its Applications read is apps2/**, whatever the rest is.
  const git = `git: {repoURL: '${ORIGIN}', revision: HEAD, directories: [{path: apps2/*}]}`
  const set = (generators: string[], path: string, goTemplate = false) =>
    [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: ApplicationSet',
      'metadata: {name: shaped, namespace: argocd}',
      'spec:',
      ...(goTemplate ? ['  goTemplate: true'] : []),
      '  generators:',
      ...generators.map((l) => `  ${l}`),
      '  template:',
      "    metadata: {name: 'shaped-{{name}}'}",
      '    spec:',
      '      project: default',
      `      source: {repoURL: '${ORIGIN}', targetRevision: HEAD, path: '${path}'}`,
      "      destination: {server: 'https://kubernetes.default.svc', namespace: shaped}",
      '',
    ].join('\n')
  const matrixOf = (other: string) => ['- matrix:', '    generators:', `    - ${git}`, `    - ${other}`]
  const SHAPES: Record<string, string> = {
    'a matrix of git directories and clusters with a selector (goTemplate)': set(
      matrixOf('clusters: {selector: {matchLabels: {env: prod}}}'),
      '{{.path.path}}',
      true,
    ),
    'a merge of git directories and clusters': set(
      ['- merge:', '    mergeKeys: [server]', '    generators:', `    - ${git}`, '    - clusters: {}'],
      '{{path}}',
    ),
    'a nested matrix: git directories × (clusters × a list)': set(
      [
        '- matrix:',
        '    generators:',
        `    - ${git}`,
        '    - matrix:',
        '        generators:',
        '        - clusters: {selector: {matchLabels: {env: prod}}}',
        '        - list: {elements: [{tier: front}]}',
      ],
      '{{path.path}}',
    ),
    'a matrix of git directories and an scmProvider': set(
      matrixOf('scmProvider: {github: {organization: acme}}'),
      '{{path}}',
    ),
    'a matrix of git directories and a pullRequest generator': set(
      matrixOf('pullRequest: {github: {owner: acme, repo: app}}'),
      '{{ .path.path }}',
      true,
    ),
    'a matrix of a plugin and a list (its places literal)': set(
      [
        '- matrix:',
        '    generators:',
        '    - plugin: {configMapRef: {name: plugin}}',
        '    - list: {elements: [{tier: front}]}',
      ],
      'apps2/{{tier}}',
    ),
  }
  const standalone = (namespace: string) =>
    [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Application',
      'metadata: {name: standalone, namespace: argocd}',
      'spec:',
      '  project: default',
      `  source: {repoURL: '${ORIGIN}', targetRevision: HEAD, path: manifests}`,
      `  destination: {server: https://kubernetes.default.svc, namespace: ${namespace}}`,
      '',
    ].join('\n')
  const files = (shaped: string): Record<string, string> => ({
    'apps/matrix.yaml': shaped,
    'apps2/front/cm.yaml': configMap('front', '1'),
    'apps2/back/cm.yaml': configMap('back', '1'),
    'standalone/app.yaml': standalone('one'),
    'manifests/cm.yaml': configMap('standalone', '1'),
  })

  for (const [shape, text] of Object.entries(SHAPES)) {
    it(`${shape}: the standalone Application's namespace changed → "changed", exit 0; its folders changed → incomplete`, async () => {
      const repo = await history(files(text), {'standalone/app.yaml': standalone('two')})
      const {exitCode, stderr, result} = await diffLast<Result>(repo, env, ['--offline'])
      expect(result.failures).toEqual([])
      expect(exitCode, stderr).toBe(0)
      expect(result.summary).toBe('changed')
      expect(result.deployables).toEqual([expect.objectContaining({change: 'changed', application: 'standalone'})])
      // A file its Applications read changed: the ApplicationSet is touched, the diff incomplete, named.
      const touched = await history(files(text), {'apps2/front/cm.yaml': configMap('front', '2')})
      const again = await diffLast<Result>(touched, env, ['--offline'])
      expect(again.exitCode).toBe(1)
      expect(again.result.summary).toBe('incomplete')
      expect(again.result.failures.map((f) => [f.revision, f.file])).toEqual([
        ['base', 'apps/matrix.yaml'],
        ['head', 'apps/matrix.yaml'],
      ])
    })
  }
})
