/**
 * `gitops diff` (and `gitops verify --render`) on repositories shaped like the public examples — argocd-example-apps
 * (a directory app, a chart, a kustomization over a base, an app of apps, jsonnet, a config management plugin) and a
 * Flux fleet (a Kustomization over a plain folder, a HelmRelease from a HelmRepository) — with real git, helm and
 * kustomize and the built CLI: each change's Application, objects and image moves; `incomplete` (exit 1) exactly where
 * the change touches what cannot be rendered offline; "No change" (exit 0) where nothing deployed changed; the layout
 * read as verify reads it, with and without ameide.yaml.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../../support/cli.js'
import {diffJson, edit} from '../../support/diff-repo.js'
import {
  childApplication,
  EXAMPLE_ORIGIN,
  exampleApps,
  fleet,
  FLEET_ORIGIN,
  guestbookImage,
  PIN,
} from '../../support/example-apps.js'
import {assertMatchesSchema} from '../../support/schema.js'
import {commitAll, git, initGitRepo, makeTempDir, runCleanups} from '../../support/tmp.js'
import {requireTool, toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

type Result = {
  summary: string
  layout?: {source: string; layout: string; preset: string; evidence: string[]}
  applications: {
    added: Array<{kind: string; environment: string | null; name: string}>
    removed: Array<{kind: string; environment: string | null; name: string}>
  }
  images: Array<{
    application?: string
    source: string
    from: string | null
    to: string | null
    pinned: boolean
    file: string
  }>
  verdict: {introduced: Array<{rule: string; file: string; application?: string}>; fixed: Array<{rule: string}>}
  deployables: Array<{
    change: string
    kind: string
    environment: string | null
    application?: string
    source: string
    objects: Array<{change: string; kind: string; name: string}>
  }>
  failures: Array<{revision: string; rule: string; file: string; line?: number; application?: string; message: string}>
}

let env: Record<string, string | undefined>
beforeAll(() => {
  requireTool('kustomize')
  requireTool('helm')
  env = toolEnv()
})

/** A repository with `files` on main, and a branch `pr` where `change` is committed. */
async function prRepo(
  files: Record<string, string>,
  change: Record<string, string | null>,
  origin = EXAMPLE_ORIGIN,
): Promise<string> {
  const dir = await makeTempDir('ameide-diff-sources-')
  await initGitRepo(dir)
  await git(dir, ['remote', 'add', 'origin', origin])
  await edit(dir, files)
  await commitAll(dir, 'base')
  await git(dir, ['checkout', '-q', '-b', 'pr'])
  await edit(dir, change)
  await commitAll(dir, 'the change')
  return dir
}

const diff = (repo: string, args: string[] = []) => diffJson<Result>(repo, env, ['--head', 'HEAD', ...args])

const brief = (r: Result) => r.deployables.map((d) => `${d.change} ${d.kind} ${d.application ?? '-'} ${d.source}`)

describe('gitops diff on argocd-example-apps shapes', () => {
  it('a plain manifest moved from a pinned digest to :latest: the directory Application, the image move and the finding introduced', async () => {
    const floating = 'gcr.io/heptio-images/ks-guestbook-demo:latest'
    const repo = await prRepo(exampleApps(), {
      'guestbook/guestbook-ui-deployment.yaml': exampleApps()['guestbook/guestbook-ui-deployment.yaml'].replace(
        guestbookImage,
        floating,
      ),
    })
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(result.summary).toBe('changed')
    expect(result.layout).toMatchObject({source: 'detected', layout: 'argocd'})
    expect(brief(result)).toEqual(['changed directory guestbook guestbook'])
    expect(result.deployables[0].objects).toEqual([expect.objectContaining({change: 'changed', kind: 'Deployment'})])
    expect(result.images).toEqual([
      expect.objectContaining({
        application: 'guestbook',
        from: guestbookImage,
        to: floating,
        pinned: false,
        file: 'guestbook/guestbook-ui-deployment.yaml',
      }),
    ])
    expect(result.verdict.introduced.map((f) => [f.rule, f.file, f.application])).toEqual([
      ['floating-tag', 'guestbook/guestbook-ui-deployment.yaml', 'guestbook'],
      ['image-not-pinned', 'guestbook/guestbook-ui-deployment.yaml', 'guestbook'],
    ])
    expect(result.failures).toEqual([])
    // verify --render on the same head judges the directory source too.
    const verify = await runCli(['gitops', 'verify', '--render', '--json'], {cwd: repo, env})
    const v = verify.json<{findings: Array<{rule: string; file: string; application?: string}>}>()
    expect(v.findings).toContainEqual(
      expect.objectContaining({
        rule: 'floating-tag',
        file: 'guestbook/guestbook-ui-deployment.yaml',
        application: 'guestbook',
      }),
    )
  })

  it('a repository nothing names (no origin remote): the change to its source is unknown, incomplete, never "unchanged"', async () => {
    const floating = 'gcr.io/heptio-images/ks-guestbook-demo:latest'
    const change = {
      'guestbook/guestbook-ui-deployment.yaml': exampleApps()['guestbook/guestbook-ui-deployment.yaml'].replace(
        guestbookImage,
        floating,
      ),
    }
    const repo = await prRepo(exampleApps(), change)
    await git(repo, ['remote', 'remove', 'origin'])
    const {exitCode, result} = await diff(repo)
    expect(exitCode).toBe(1)
    expect(result.summary).toBe('incomplete')
    // The app of apps (which holds guestbook's Application) is named: what it deploys here is unknown.
    expect(result.failures.map((f) => [f.revision, f.application])).toContainEqual(['head', 'apps'])
    expect(result.failures.find((f) => f.application === 'apps')?.message).toMatch(
      /may be this repository, which has no origin remote.*add the origin remote/,
    )
    // Named by its remote, the same change renders.
    await git(repo, ['remote', 'add', 'origin', EXAMPLE_ORIGIN])
    const named = await diff(repo)
    expect(named.result.images).toEqual([expect.objectContaining({application: 'guestbook', to: floating})])
  })

  it('values, kustomize images and a kustomize base: each deployable with its image moves', async () => {
    const files = exampleApps()
    const repo = await prRepo(files, {
      'helm-guestbook/values.yaml': files['helm-guestbook/values.yaml'].replace(`0.1${PIN}`, `0.3${PIN}`),
      'kustomize-guestbook/kustomization.yaml': files['kustomize-guestbook/kustomization.yaml'].replace(
        `newTag: 0.1${PIN}`,
        'newTag: "0.4"',
      ),
      'kustomize-base/service.yaml': files['kustomize-base/service.yaml'].replace('port: 80', 'port: 8080'),
    })
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(result.summary).toBe('changed')
    expect(brief(result)).toEqual([
      'changed Application helm-guestbook helm-guestbook',
      'changed kustomize kustomize-guestbook kustomize-guestbook',
    ])
    const kustomized = result.deployables.find((d) => d.kind === 'kustomize')!
    expect(kustomized.objects.map((o) => `${o.change} ${o.kind} ${o.name}`)).toEqual([
      'changed Deployment kustomize-guestbook-ui',
      'changed Service kustomize-guestbook-ui',
    ])
    expect(result.images.map((i) => [i.application, i.from, i.to, i.pinned])).toEqual([
      [
        'helm-guestbook',
        `gcr.io/heptio-images/ks-guestbook-demo:0.1${PIN}`,
        `gcr.io/heptio-images/ks-guestbook-demo:0.3${PIN}`,
        true,
      ],
      [
        'kustomize-guestbook',
        `gcr.io/heptio-images/ks-guestbook-demo:0.1${PIN}`,
        'gcr.io/heptio-images/ks-guestbook-demo:0.4',
        false,
      ],
    ])
    expect(result.verdict.introduced).toEqual([
      expect.objectContaining({rule: 'image-not-pinned', file: 'kustomize-guestbook/kustomization.yaml'}),
    ])
  })

  it('Applications written as one-line flow mappings (the root, and a child the chart prints) are read as any other', async () => {
    const root = `{apiVersion: argoproj.io/v1alpha1, kind: Application, metadata: {name: apps, namespace: argocd}, spec: {project: default, destination: {server: 'https://kubernetes.default.svc', namespace: argocd}, source: {repoURL: '${EXAMPLE_ORIGIN}', path: apps, targetRevision: HEAD}}}\n`
    const child = `{apiVersion: argoproj.io/v1alpha1, kind: Application, metadata: {name: guestbook, namespace: argocd}, spec: {project: default, destination: {server: '{{ .Values.spec.destination.server }}', namespace: guestbook}, source: {repoURL: '{{ .Values.spec.source.repoURL }}', targetRevision: HEAD, path: guestbook}}}\n`
    const files: Record<string, string> = {
      ...exampleApps(),
      'root-app.yaml': root,
      'apps/templates/guestbook.yaml': child,
    }
    const floating = 'gcr.io/heptio-images/ks-guestbook-demo:latest'
    const repo = await prRepo(files, {
      'guestbook/guestbook-ui-deployment.yaml': files['guestbook/guestbook-ui-deployment.yaml'].replace(
        guestbookImage,
        floating,
      ),
    })
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(brief(result)).toEqual(['changed directory guestbook guestbook'])
    expect(result.images).toEqual([expect.objectContaining({application: 'guestbook', to: floating})])
  })

  it('Applications added and removed through the app of apps, with the objects of the added one', async () => {
    const child = exampleApps()['apps/templates/guestbook.yaml']
    const repo = await prRepo(exampleApps(), {
      'apps/templates/guestbook-2.yaml': child
        .replace('name: guestbook', 'name: guestbook-2')
        .replace('namespace: guestbook', 'namespace: guestbook-2'),
      'apps/templates/kustomize-guestbook.yaml': null,
    })
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(result.summary).toBe('changed')
    expect(result.applications).toEqual({
      added: [{kind: 'Application', environment: null, name: 'guestbook-2'}],
      removed: [{kind: 'Application', environment: null, name: 'kustomize-guestbook'}],
    })
    expect(brief(result)).toEqual([
      'changed Application apps apps',
      'added directory guestbook-2 guestbook',
      'removed kustomize kustomize-guestbook kustomize-guestbook',
    ])
    const added = result.deployables.find((d) => d.application === 'guestbook-2')!
    expect(added.objects.map((o) => `${o.change} ${o.kind} ${o.name}`)).toEqual([
      'added Deployment guestbook-ui',
      'added Service guestbook-ui',
    ])
    expect(result.images).toContainEqual(
      expect.objectContaining({application: 'guestbook-2', from: null, to: guestbookImage}),
    )
  })

  it('an ApplicationSet the app of apps prints is expanded: its Applications added, changed and their objects', async () => {
    // Helm's raw strings keep the ApplicationSet's own templates ({{name}}) out of the chart's render.
    const element = (name: string) => [`      - name: ${name}`, '        path: guestbook']
    const printedSet = (...names: string[]) =>
      [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: ApplicationSet',
        'metadata:',
        '  name: guestbooks',
        '  namespace: argocd',
        'spec:',
        '  generators:',
        '  - list:',
        '      elements:',
        ...names.flatMap(element),
        '  template:',
        '    metadata:',
        "      name: '{{`{{name}}`}}'",
        '    spec:',
        '      project: default',
        '      source:',
        `        repoURL: ${EXAMPLE_ORIGIN}`,
        '        targetRevision: HEAD',
        "        path: '{{`{{path}}`}}'",
        '      destination:',
        '        server: https://kubernetes.default.svc',
        "        namespace: '{{`{{name}}`}}'",
        '',
      ].join('\n')
    const files: Record<string, string> = {...exampleApps(), 'apps/templates/guestbooks.yaml': printedSet('blue')}
    const repo = await prRepo(files, {'apps/templates/guestbooks.yaml': printedSet('blue', 'green')})
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(result.summary).toBe('changed')
    expect(result.failures).toEqual([])
    expect(result.applications.added).toEqual([{kind: 'Application', environment: null, name: 'green'}])
    const green = result.deployables.find((d) => d.application === 'green')!
    expect(green.objects.map((o) => `${o.change} ${o.kind} ${o.name}`)).toEqual([
      'added Deployment guestbook-ui',
      'added Service guestbook-ui',
    ])
    // A change to the folder a generated Application deploys: that Application changed, beside the written one.
    const folder = await prRepo(files, {
      'guestbook/guestbook-ui-svc.yaml': files['guestbook/guestbook-ui-svc.yaml'].replace('port: 80', 'port: 81'),
    })
    const second = await diff(folder)
    expect(second.exitCode, second.stderr).toBe(0)
    expect(brief(second.result)).toEqual(['changed directory blue guestbook', 'changed directory guestbook guestbook'])
  })

  it('a kustomize patch shaped as an ApplicationSet (an overlay of the list) is part of the set its Application prints, never a set of its own', async () => {
    const list = (...names: string[]) =>
      [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: ApplicationSet',
        'metadata:',
        '  name: guestbooks',
        'spec:',
        '  generators:',
        '  - list:',
        '      elements:',
        ...names.map((n) => `      - name: ${n}`),
        '',
      ].join('\n')
    const base = list('blue').replace(
      /\n$/,
      [
        '',
        '  template:',
        '    metadata:',
        "      name: '{{name}}'",
        '    spec:',
        '      project: default',
        `      source: {repoURL: '${EXAMPLE_ORIGIN}', targetRevision: HEAD, path: guestbook}`,
        "      destination: {server: 'https://kubernetes.default.svc', namespace: '{{name}}'}",
        '',
      ].join('\n'),
    )
    const sets = childApplication('sets', 'sets/dev')
      .replace('{{ .Values.spec.destination.server }}', 'https://kubernetes.default.svc')
      .replace('{{ .Values.spec.source.repoURL }}', EXAMPLE_ORIGIN)
      .replace('{{ .Values.spec.source.targetRevision }}', 'HEAD')
    const files = {
      ...exampleApps(),
      'root-sets.yaml': sets,
      'sets/base/kustomization.yaml': 'resources:\n- set.yaml\n',
      'sets/base/set.yaml': base,
      'sets/dev/kustomization.yaml':
        'resources:\n- ../base\npatches:\n- path: patch-list.yaml\n  target:\n    kind: ApplicationSet\n    name: guestbooks\n',
      'sets/dev/patch-list.yaml': list('green'),
    }
    const repo = await prRepo(files, {'sets/dev/patch-list.yaml': list('green', 'red')})
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(result.failures).toEqual([])
    expect(result.applications).toEqual({
      added: [{kind: 'Application', environment: null, name: 'red'}],
      removed: [],
    })
  })

  it('an app of apps that renders itself ends: each Application is followed once', async () => {
    const files: Record<string, string> = {...exampleApps(), 'apps/templates/apps.yaml': childApplication('apps')}
    const repo = await prRepo(files, {
      'guestbook/guestbook-ui-svc.yaml': files['guestbook/guestbook-ui-svc.yaml'].replace('port: 80', 'port: 81'),
    })
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(brief(result)).toEqual(['changed directory guestbook guestbook'])
  })

  it('an ApplicationSet in a file that a kustomization also prints: each Application is followed, and found, once', async () => {
    const set = [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: ApplicationSet',
      'metadata:',
      '  name: plugins',
      'spec:',
      '  generators:',
      '  - list:',
      '      elements:',
      '      - name: cmp',
      '  template:',
      '    metadata:',
      "      name: '{{name}}'",
      '    spec:',
      '      project: default',
      '      source:',
      `        repoURL: ${EXAMPLE_ORIGIN}`,
      '        targetRevision: HEAD',
      '        path: guestbook',
      '        plugin:',
      '          name: kustomize-build-with-helm',
      "      destination: {server: 'https://kubernetes.default.svc', namespace: '{{name}}'}",
      '',
    ].join('\n')
    const sets = childApplication('sets', 'sets')
      .replace('{{ .Values.spec.destination.server }}', 'https://kubernetes.default.svc')
      .replace('{{ .Values.spec.source.repoURL }}', EXAMPLE_ORIGIN)
      .replace('{{ .Values.spec.source.targetRevision }}', 'HEAD')
    const files: Record<string, string> = {
      ...exampleApps(),
      'root-sets.yaml': sets,
      'sets/kustomization.yaml': 'resources:\n- set.yaml\n',
      'sets/set.yaml': set,
    }
    const repo = await prRepo(files, {
      'guestbook/guestbook-ui-svc.yaml': files['guestbook/guestbook-ui-svc.yaml'].replace('port: 80', 'port: 81'),
    })
    const {exitCode, result} = await diff(repo)
    expect(exitCode).toBe(1)
    expect(result.failures.map((f) => `${f.revision} ${f.file}:${f.line} ${f.application}`)).toEqual([
      'base sets/set.yaml:19 cmp',
      'head sets/set.yaml:19 cmp',
    ])
  })

  it('an .argocd-source-<app>.yaml override swaps the image: diff and verify --render judge the new one, at the override', async () => {
    const override = 'helm:\n  parameters:\n  - name: image.tag\n    value: latest\n'
    const repo = await prRepo(exampleApps(), {'helm-guestbook/.argocd-source-helm-guestbook.yaml': override})
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(brief(result)).toEqual(['changed Application helm-guestbook helm-guestbook'])
    expect(result.images).toEqual([
      expect.objectContaining({
        application: 'helm-guestbook',
        to: 'gcr.io/heptio-images/ks-guestbook-demo:latest',
        file: 'helm-guestbook/.argocd-source-helm-guestbook.yaml',
      }),
    ])
    expect(result.verdict.introduced.map((f) => f.rule).sort()).toEqual(['floating-tag', 'image-not-pinned'])
    const verify = await runCli(['gitops', 'verify', '--render', '--json'], {cwd: repo, env})
    expect(verify.json<{findings: Array<{rule: string; file: string}>}>().findings).toContainEqual(
      expect.objectContaining({rule: 'floating-tag', file: 'helm-guestbook/.argocd-source-helm-guestbook.yaml'}),
    )
    // The override for another Application (or a broken one) is not merged: .argocd-source.yaml is, for every one.
    const shared = await prRepo(exampleApps(), {
      'helm-guestbook/.argocd-source-other.yaml': override,
      'helm-guestbook/.argocd-source.yaml':
        'helm:\n  parameters:\n  - name: image.repository\n    value: ghcr.io/acme/guestbook\n',
    })
    const second = await diff(shared)
    expect(second.result.images.map((i) => i.to)).toEqual([`ghcr.io/acme/guestbook:0.1${PIN}`])
  })

  it('an argocd-image-updater override of a kustomize Application (kustomize.images) moves its image', async () => {
    const override = 'kustomize:\n  images:\n  - gcr.io/heptio-images/ks-guestbook-demo:0.5\n'
    const repo = await prRepo(exampleApps(), {'kustomize-guestbook/.argocd-source-kustomize-guestbook.yaml': override})
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(brief(result)).toEqual(['changed kustomize kustomize-guestbook kustomize-guestbook'])
    expect(result.images).toEqual([
      expect.objectContaining({
        application: 'kustomize-guestbook',
        from: `gcr.io/heptio-images/ks-guestbook-demo:0.1${PIN}`,
        to: 'gcr.io/heptio-images/ks-guestbook-demo:0.5',
      }),
    ])
    expect(result.verdict.introduced).toEqual([
      expect.objectContaining({
        rule: 'image-not-pinned',
        file: 'kustomize-guestbook/.argocd-source-kustomize-guestbook.yaml',
      }),
    ])
  })

  it('jsonnet rendered by the render module, a plugin source touched: incomplete, the plugin named, exit 1', async () => {
    const repo = await prRepo(exampleApps(), {
      'jsonnet-guestbook/params.libsonnet': "{name: 'jsonnet-guestbook-ui-2'}\n",
      'plugin-app/kasane.jsonnet': '{a: 1}\n',
    })
    const {exitCode, result} = await diff(repo)
    expect(exitCode).toBe(1)
    expect(result.summary).toBe('incomplete')
    // The jsonnet source's imported params moved the Service's name: one removed, one added.
    expect(result.deployables.map((d) => [d.change, d.kind, d.application, d.source])).toEqual([
      ['changed', 'directory', 'jsonnet-guestbook', 'jsonnet-guestbook'],
    ])
    expect(result.deployables[0]!.objects.map((o) => `${o.change} ${o.kind} ${o.name}`).sort()).toEqual([
      'added Service jsonnet-guestbook-ui-2',
      'removed Service jsonnet-guestbook-ui',
    ])
    const named = [...new Set(result.failures.map((f) => `${f.rule} ${f.application}`))].sort()
    expect(named).toEqual(['render-unavailable plugin-app'])
    expect(result.failures.find((f) => f.application === 'plugin-app')!.message).toMatch(/plugin kasane/)
    const human = await runCli(['gitops', 'diff', '--head', 'HEAD'], {cwd: repo, env})
    const lines = human.stdout.split('\n').filter(Boolean)
    expect(lines[1]).toMatch(/^Layout: argocd \(detected/)
    expect(lines[2]).toMatch(/^Not rendered \(\d+\) — this diff is incomplete/)
  })

  it("a remote chart's pinned version or its value file here touched: incomplete, named", async () => {
    const files = exampleApps()
    const changes: Array<Record<string, string>> = [
      {'values/podinfo.yaml': 'replicaCount: 3\n'},
      {'remote-chart.yaml': files['remote-chart.yaml'].replace('6.5.0', '6.6.0')},
    ]
    for (const change of changes) {
      const {exitCode, result} = await diff(await prRepo(files, change))
      expect(exitCode).toBe(1)
      expect(result.summary).toBe('incomplete')
      expect([...new Set(result.failures.map((f) => `${f.rule} ${f.application}`))]).toEqual([
        'render-unavailable podinfo',
      ])
    }
  })

  it('the directory source beside an untouched remote chart changed: changed, exit 0, not incomplete', async () => {
    const files = exampleApps()
    const repo = await prRepo(files, {
      'podinfo-extra/config.yaml': files['podinfo-extra/config.yaml'].replace('level: info', 'level: debug'),
    })
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(result.summary).toBe('changed')
    expect(brief(result)).toEqual(['changed directory podinfo podinfo-extra'])
    expect(result.failures).toEqual([])
  })

  it('files nothing deploys touched, jsonnet and plugins untouched: "No change", exit 0', async () => {
    const repo = await prRepo(exampleApps(), {
      'README.md': '# example apps, documented\n',
      'recursive/old/legacy.yaml': exampleApps()['recursive/old/legacy.yaml'].replace('legacy:latest', 'legacy:2'),
      'recursive/notes.txt': 'kind: Service\n',
      'recursive/settings.yaml': 'replicas: 4\n',
    })
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(result.summary).toBe('unchanged')
    expect(result.failures).toEqual([])
    expect(result.deployables).toEqual([])
    const human = await runCli(['gitops', 'diff', '--head', 'HEAD'], {cwd: repo, env})
    expect(human.stdout).toContain('No change to what is deployed.')
  })

  it('a directory source that no longer parses in the head is incomplete there, never removed', async () => {
    const repo = await prRepo(exampleApps(), {
      'guestbook/guestbook-ui-svc.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: [broken\n',
    })
    const {exitCode, result} = await diff(repo)
    expect(exitCode).toBe(1)
    expect(result.summary).toBe('incomplete')
    expect(result.deployables).toEqual([])
    expect(result.applications).toEqual({added: [], removed: []})
    expect(result.failures).toEqual([
      expect.objectContaining({revision: 'head', rule: 'render-failed', application: 'guestbook'}),
    ])
  })

  it('verify --render reads a directory source as Argo CD does: recurse, exclude, lists, skipped and unrelated files', async () => {
    const repo = await prRepo(exampleApps(), {})
    const run = await runCli(['gitops', 'verify', '--render', '--json'], {cwd: repo, env})
    const v = run.json<{
      render: {directories: Array<{application: string; dir: string; status: string; objects: number}>}
      findings: Array<{rule: string; file: string; application?: string}>
    }>()
    assertMatchesSchema('gitops-verify.schema.json', v)
    expect(v.render.directories.map((d) => [d.application, d.dir, d.status, d.objects]).sort()).toEqual([
      ['guestbook', 'guestbook', 'rendered', 2],
      ['jsonnet-guestbook', 'jsonnet-guestbook', 'rendered', 1],
      ['podinfo', 'podinfo-extra', 'rendered', 1],
      ['recursive', 'recursive', 'rendered', 2],
    ])
    const layout = await runCli(['gitops', 'verify', '--print-layout', '--json'], {cwd: repo, env})
    const l = layout.json<{layout: {renderDirectories: Array<{application: string; files: string[]}>}}>()
    assertMatchesSchema('gitops-verify.schema.json', l)
    expect(l.layout.renderDirectories.find((d) => d.application === 'recursive')!.files).toEqual([
      'recursive/draft.yaml',
      'recursive/settings.yaml',
      'recursive/sub/config.yaml',
      'recursive/web.yaml',
    ])
    const rendered = v.findings.filter((f) => f.application === 'recursive').map((f) => f.file)
    expect(rendered).not.toContain('recursive/old/legacy.yaml')
    expect(rendered).not.toContain('recursive/draft.yaml')
  })
})

describe('gitops diff on a Flux fleet', () => {
  it('a workflow file touched: "No change", exit 0, although the HelmRelease chart is not fetched', async () => {
    const repo = await prRepo(
      fleet(),
      {'.github/workflows/ci.yaml': 'on: [push, pull_request]\njobs: {}\n'},
      FLEET_ORIGIN,
    )
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(result.summary).toBe('unchanged')
    expect(result.layout).toMatchObject({source: 'detected', layout: 'flux'})
    expect(result.failures).toEqual([])
  })

  it('the values ConfigMap of a HelmRelease whose chart is not fetched touched: incomplete, named', async () => {
    const files = fleet()
    const repo = await prRepo(
      files,
      {
        'apps/production/podinfo-values.yaml': files['apps/production/podinfo-values.yaml'].replace(
          '#34577c',
          '#000000',
        ),
      },
      FLEET_ORIGIN,
    )
    const {exitCode, result} = await diff(repo)
    expect(exitCode).toBe(1)
    expect(result.summary).toBe('incomplete')
    expect(result.failures.map((f) => [f.revision, f.application])).toEqual([
      ['base', 'podinfo/podinfo'],
      ['head', 'podinfo/podinfo'],
    ])
  })

  it('an image moved in the plain folder a Kustomization deploys; the HelmRelease changed is incomplete, named', async () => {
    const files = fleet()
    const repo = await prRepo(
      files,
      {
        'apps/production/web/deployment.yaml': files['apps/production/web/deployment.yaml'].replace(
          `web:1.0.0${PIN}`,
          'web:1.1.0',
        ),
        'apps/production/podinfo.yaml': files['apps/production/podinfo.yaml'].replace(
          'replicaCount: 2',
          'replicaCount: 3',
        ),
      },
      FLEET_ORIGIN,
    )
    const {exitCode, result} = await diff(repo)
    expect(exitCode).toBe(1)
    expect(result.summary).toBe('incomplete')
    expect(result.images).toEqual([
      expect.objectContaining({
        source: 'apps/production',
        from: `ghcr.io/acme/web:1.0.0${PIN}`,
        to: 'ghcr.io/acme/web:1.1.0',
      }),
    ])
    expect(brief(result)).toEqual(['changed kustomize - apps/production'])
    expect(result.failures.map((f) => [f.revision, f.application])).toEqual([
      ['base', 'podinfo/podinfo'],
      ['head', 'podinfo/podinfo'],
    ])
  })
})

describe('gitops diff: one layout with verify, with and without ameide.yaml', () => {
  const overlays = (tag: string): Record<string, string> => ({
    'base/kustomization.yaml': 'resources:\n- deployment.yaml\n',
    'base/deployment.yaml': `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: ghcr.io/acme/web:1.0.0${PIN}\n`,
    'overlays/staging/kustomization.yaml': `resources:\n- ../../base\nimages:\n- name: ghcr.io/acme/web\n  newTag: ${tag}\n`,
    'overlays/production/kustomization.yaml': 'resources:\n- ../../base\n',
  })

  for (const configured of [false, true]) {
    it(`an overlay's image change is reported ${configured ? 'with' : 'without'} ameide.yaml`, async () => {
      const files = {
        ...overlays('1.0.0'),
        ...(configured ? {'ameide.yaml': 'gitopsPolicy:\n  preset: kustomize\n'} : {}),
      }
      const repo = await prRepo(files, {
        'overlays/staging/kustomization.yaml': overlays('1.2.0')['overlays/staging/kustomization.yaml'],
      })
      const {exitCode, stderr, result} = await diff(repo)
      expect(exitCode, stderr).toBe(0)
      expect(result.layout).toMatchObject(
        configured ? {source: 'configured', preset: 'kustomize'} : {source: 'detected', layout: 'kustomize'},
      )
      expect(result.summary).toBe('changed')
      expect(result.deployables).toEqual([
        expect.objectContaining({
          change: 'changed',
          kind: 'kustomize',
          environment: 'staging',
          source: 'overlays/staging',
        }),
      ])
      expect(result.images.map((i) => i.to)).toEqual(['ghcr.io/acme/web:1.2.0'])
    })
  }

  it('a repository with nothing to render: incomplete, exit 1, saying so first', async () => {
    const repo = await prRepo({'README.md': '# nothing\n', 'notes/a.yaml': 'a: 1\n'}, {'notes/a.yaml': 'a: 2\n'})
    const {exitCode, result} = await diff(repo)
    expect(exitCode).toBe(1)
    expect(result.summary).toBe('incomplete')
    expect(result.failures[0]).toMatchObject({rule: 'render-unavailable', file: '.'})
    expect(result.failures[0].message).toMatch(/^Nothing to render/)
  })
})
