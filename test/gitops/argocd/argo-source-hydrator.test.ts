/**
 * An Argo CD Application with a Source Hydrator, rendered by `gitops diff` as Argo CD v3.5.1 deploys it: the
 * hydrator has the repo-server render `SourceHydrator.GetDrySource()` (repoURL, path, targetRevision, helm,
 * kustomize, directory, plugin — nothing else) with the Application's name and destination and no cluster state, the
 * commit server writes those objects unchanged to `syncSource.path`, and the Application syncs them. The Helm and
 * kustomize options run through both forms in argo-helm-fields and argo-kustomize-fields; here: the source's own
 * fields (the variables, a directory, jsonnet), what Argo CD refuses, an ApplicationSet's template, and a change of
 * where the objects are committed, which changes nothing deployed.
 */
import {execFileSync} from 'node:child_process'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {addedObjects, argoReader, byName, type AddedResult, type Obj} from '../../support/argo-render.js'
import {runCli} from '../../support/cli.js'
import {diffLast, history} from '../../support/diff-repo.js'
import {formApplication, hydratorApplication, ORIGIN, type SourceForm} from '../../support/helm-repo.js'
import {git, makeTempDir, runCleanups} from '../../support/tmp.js'
import {requireTool, toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

const files: Record<string, string> = {
  'charts/demo/Chart.yaml': 'apiVersion: v2\nname: demo\nversion: 0.1.0\n',
  'charts/demo/values.yaml': 'where: nowhere\n',
  'charts/demo/templates/cm.yaml': [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata: {name: "{{ .Release.Name }}"}',
    'data:',
    '  where: {{ .Values.where | quote }}',
    '  kubeVersion: {{ .Capabilities.KubeVersion.Version | quote }}',
    '',
  ].join('\n'),
  'manifests/a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n',
  'manifests/skip.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: skip}\n',
  'manifests/nested/b.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n',
  'manifests/nested/c.json': '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}\n',
  'jsonnet/app/main.jsonnet': [
    "local lib = import 'naming.libsonnet';",
    'function(suffix) {',
    "  apiVersion: 'v1', kind: 'ConfigMap',",
    "  metadata: {name: lib.name(std.extVar('team'), suffix)},",
    '}',
    '',
  ].join('\n'),
  'jsonnet/lib/naming.libsonnet': "{name(team, suffix):: team + '-' + suffix}\n",
  'apps/.keep': '',
}

const VARIABLES = '$ARGOCD_APP_SOURCE_PATH|$ARGOCD_APP_SOURCE_REPO_URL|$ARGOCD_APP_SOURCE_TARGET_REVISION'
const directory = ['path: manifests', 'directory: {recurse: true, include: "{*.yaml,nested/*}", exclude: skip.yaml}']
const jsonnet = [
  'path: jsonnet/app',
  'directory:',
  '  jsonnet:',
  '    tlas: [{name: suffix, value: $ARGOCD_APP_NAME}]',
  '    extVars: [{name: team, value: payments}]',
  '    libs: [jsonnet/lib]',
]
const dry = (name: string, source: string[], extra = '') => hydratorApplication(name, source.join('\n'), extra)
const both = (name: string, source: string[]) =>
  Object.fromEntries(
    (['spec.source', 'spec.sourceHydrator.drySource'] as SourceForm[]).map((form) => [
      `apps/${name}-${form === 'spec.source' ? 'source' : 'dry'}.yaml`,
      formApplication(form, `${name}-${form === 'spec.source' ? 'source' : 'dry'}`, source.join('\n')),
    ]),
  )

const apps: Record<string, string> = {
  // spec.source is not read beside a hydrator; a dry source's `chart` and `ref` are no fields of it (pruned).
  'apps/env.yaml': dry(
    'env',
    [
      'path: charts/demo',
      'chart: elsewhere',
      'ref: values',
      `helm: {parameters: [{name: where, value: "${VARIABLES}"}]}`,
    ],
    `  source: {repoURL: ${ORIGIN}, path: manifests, targetRevision: HEAD}`,
  ),
  ...both('dir', directory),
  ...both('jsonnet', jsonnet),
  'apps/other.yaml': dry('other', ['path: charts/demo']).replace(
    `repoURL: ${ORIGIN}`,
    'repoURL: https://github.com/acme/other.git',
  ),
  'apps/plugin.yaml': dry('plugin', ['path: manifests', 'plugin: {name: kasane}']),
  'apps/no-branch.yaml': dry('no-branch', ['path: charts/demo']).replace('targetBranch: environments/no-branch, ', ''),
  'apps/root.yaml': dry('root', ['path: charts/demo']).replace('path: hydrated/root', 'path: ./'),
  'apps/staging.yaml': dry('staging', ['path: charts/demo'], '    hydrateTo: {}'),
  'apps/set.yaml': [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: ApplicationSet',
    'metadata: {name: teams, namespace: argocd}',
    'spec:',
    '  goTemplate: true',
    '  generators: [{list: {elements: [{team: red}, {team: blue}]}}]',
    '  template:',
    "    metadata: {name: 'set-{{ .team }}'}",
    '    spec:',
    '      project: default',
    '      destination: {server: https://kubernetes.default.svc, namespace: dev}',
    '      sourceHydrator:',
    `        drySource: {repoURL: ${ORIGIN}, targetRevision: HEAD, path: charts/demo, helm: {parameters: [{name: where, value: '{{ .team }}'}]}}`,
    "        syncSource: {targetBranch: environments/dev, path: 'hydrated/{{ .team }}'}",
    '',
  ].join('\n'),
}

interface Failure {
  rule: string
  application?: string
  file: string
  line: number
  message: string
}
type Result = AddedResult & {summary: string; failures: Failure[]}

let read: Awaited<ReturnType<typeof argoReader>>
let repo: string
let result: Result

beforeAll(async () => {
  read = await argoReader()
  repo = await history(files, apps)
  await git(repo, ['remote', 'set-url', 'origin', ORIGIN])
  result = (await diffLast<Result>(repo, toolEnv())).result
}, 600_000)

/** The chart as the hydrator has the repo-server render it: helm 4.2.1's default Kubernetes version, no API versions. */
async function helmRender(release: string, where: string): Promise<Obj[]> {
  const dir = await makeTempDir('ameide-hydrator-helm-')
  const out = execFileSync(
    requireTool('helm'),
    [
      'template',
      '.',
      '--name-template',
      release,
      '--namespace',
      'dev',
      '--kube-version',
      '1.36.0',
      '--set',
      `where=${where}`,
      '--include-crds',
    ],
    {
      cwd: path.join(repo, 'charts/demo'),
      env: toolEnv({HELM_CACHE_HOME: dir, HELM_CONFIG_HOME: dir, HELM_DATA_HOME: dir}),
    },
  ).toString('utf8')
  return read(out, 'dev')
}

const failureOf = (application: string) => result.failures.filter((f) => f.application === application)
const lineOf = (file: string, text: string) => apps[file].split('\n').findIndex((l) => l.includes(text)) + 1

describe("an Application's Source Hydrator, as Argo CD hydrates and syncs it", () => {
  it("renders the dry source alone, with its path, repoURL and targetRevision as the Application's variables", async () => {
    const want = byName(await helmRender('env', `charts/demo|${ORIGIN}|HEAD`))
    expect(byName(addedObjects(result, 'env'))).toEqual(want)
    // The repo-server's helm's own Kubernetes version: not gitopsPolicy.render's (1.34), which a spec.source gets.
    expect(Object.values(want)[0]!.data).toMatchObject({kubeVersion: 'v1.36.0'})
    expect(failureOf('env')).toEqual([])
  })

  it('a dry directory source renders what the same spec.source renders: recurse, include, exclude', () => {
    const got = byName(addedObjects(result, 'dir-dry'))
    expect(Object.keys(got).sort()).toEqual(['ConfigMap/dev/a', 'ConfigMap/dev/b', 'ConfigMap/dev/c'])
    expect(got).toEqual(byName(addedObjects(result, 'dir-source')))
  })

  it('a dry jsonnet source renders what the same spec.source renders: TLAs, extVars, libs', () => {
    const got = byName(addedObjects(result, 'jsonnet-dry'))
    expect(Object.keys(got)).toEqual(['ConfigMap/dev/payments-jsonnet-dry'])
    const source = addedObjects(result, 'jsonnet-source')
    expect(source.map((o) => o.metadata.name)).toEqual(['payments-jsonnet-source'])
  })

  it('a dry source of another repository is render-unavailable, named at spec.sourceHydrator.drySource.repoURL', () => {
    expect(failureOf('other')).toEqual([
      expect.objectContaining({
        rule: 'render-unavailable',
        file: 'apps/other.yaml',
        line: lineOf('apps/other.yaml', 'acme/other.git'),
        message: expect.stringContaining('https://github.com/acme/other.git is not this repository') as string,
      }),
    ])
    expect(result.summary).toBe('incomplete')
  })

  it('a dry plugin source is render-unavailable, the plugin named', () => {
    expect(failureOf('plugin')).toEqual([
      expect.objectContaining({rule: 'render-unavailable', message: expect.stringMatching(/plugin kasane/)}),
    ])
  })

  it('refuses what Argo CD refuses to hydrate, with its message', () => {
    const said = (app: string) => failureOf(app).map((f) => `${f.rule} ${f.message}`)
    expect(said('no-branch')).toEqual([
      'render-failed Application no-branch: spec.sourceHydrator.syncSource.targetBranch is required',
    ])
    expect(said('root')).toEqual([
      'render-failed Application root: app is configured to hydrate to the repository root (branch "environments/root", path "./") which is not allowed',
    ])
    expect(said('staging')).toEqual([
      'render-failed Application staging: when spec.sourceHydrator.hydrateTo is set, spec.sourceHydrator.hydrateTo.targetBranch is required',
    ])
    for (const app of ['no-branch', 'root', 'staging'])
      expect(result.deployables.filter((d) => d.application === app)).toEqual([])
  })

  it("an ApplicationSet's template with a Source Hydrator: each generated Application renders its dry source", async () => {
    for (const team of ['red', 'blue']) {
      const want = byName(await helmRender(`set-${team}`, team))
      expect(byName(addedObjects(result, `set-${team}`))).toEqual(want)
    }
  })

  it("verify --print-layout lists the dry source as the generated Applications' source", async () => {
    const run = await runCli(['gitops', 'verify', '--print-layout', '--json'], {cwd: repo, env: toolEnv()})
    const {layout} = run.json<{
      layout: {applicationSets: Array<{applications: Array<{name: string; sources: unknown}>}>}
    }>()
    expect(layout.applicationSets.flatMap((s) => s.applications.map((a) => [a.name, a.sources]))).toEqual([
      ['set-red', [{repoURL: ORIGIN, path: 'charts/demo', valueFiles: []}]],
      ['set-blue', [{repoURL: ORIGIN, path: 'charts/demo', valueFiles: []}]],
    ])
  })

  it('Argo CD hydrates a hydration together or not at all: one failing fails the others; two writing one path both fail', async () => {
    // One hydration: the same dry repository and revision, committed to the same branch.
    const member = (name: string, chart: string, dest = `hydrated/${name}`, branch = 'environments/group') =>
      dry(name, [`path: ${chart}`])
        .replace(`path: hydrated/${name}`, `path: ${dest}`)
        .replace(`targetBranch: environments/${name}`, `targetBranch: ${branch}`)
    const grouped = await history(
      {
        ...files,
        'charts/broken/Chart.yaml': 'apiVersion: v2\nname: broken\nversion: 0.1.0\n',
        'charts/broken/templates/cm.yaml': '{{ fail "this chart does not render" }}\n',
      },
      {
        'apps/g-ok.yaml': member('g-ok', 'charts/demo'),
        'apps/g-bad.yaml': member('g-bad', 'charts/broken'),
        'apps/d-one.yaml': member('d-one', 'charts/demo', 'hydrated/shared', 'environments/dupes'),
        'apps/d-two.yaml': member('d-two', 'manifests', 'hydrated/shared', 'environments/dupes'),
        'apps/d-three.yaml': member('d-three', 'manifests', 'hydrated/three', 'environments/dupes'),
        'apps/alone.yaml': member('alone', 'charts/demo', 'hydrated/alone', 'environments/alone'),
        'apps/u-ok.yaml': member('u-ok', 'charts/demo', 'hydrated/u-ok', 'environments/unknown'),
        'apps/u-plugin.yaml': member(
          'u-plugin',
          'manifests\nplugin: {name: kasane}',
          'hydrated/u',
          'environments/unknown',
        ),
      },
    )
    await git(grouped, ['remote', 'set-url', 'origin', ORIGIN])
    const {result: r} = await diffLast<Result>(grouped, toolEnv())
    const said = (app: string) => r.failures.filter((f) => f.application === app).map((f) => `${f.rule} ${f.message}`)
    const group = (branch: string) =>
      `Argo CD hydrates it with the Applications of its hydration (${ORIGIN} at HEAD, committed to ${ORIGIN} branch ${branch}), together or not at all: Failed to hydrate:`
    expect(said('g-bad')).toEqual([expect.stringMatching(/^render-failed .*this chart does not render/)])
    expect(said('g-ok')).toEqual([
      `render-failed Application g-ok: ${group('environments/group')} cannot hydrate because application argocd/g-bad has an error`,
    ])
    // validateApplications: each of the two names the other; the third fails with the group.
    const shared = `repo=${ORIGIN}, path=hydrated/shared`
    expect(said('d-one')).toEqual([
      `render-failed Application d-one: ${group('environments/dupes')} app argocd/d-two hydrator uses the same destination: ${shared}`,
    ])
    expect(said('d-two')).toEqual([
      `render-failed Application d-two: ${group('environments/dupes')} app argocd/d-one hydrator uses the same destination: ${shared}`,
    ])
    expect(said('d-three')).toEqual([
      `render-failed Application d-three: ${group('environments/dupes')} cannot hydrate because application argocd/d-one and 1 more have errors`,
    ])
    // Nothing of a group that does not hydrate is deployed; a hydration of its own is.
    for (const app of ['g-ok', 'g-bad', 'd-one', 'd-two', 'd-three'])
      expect(r.deployables.filter((d) => d.application === app)).toEqual([])
    // A member whose render is not known here leaves the group's outcome unknown: named, never rendered as deployed.
    expect(said('u-ok')).toEqual([
      `render-unavailable Application u-ok: ${group('environments/unknown').replace(' Failed to hydrate:', '')} it is hydrated only if argocd/u-plugin renders, which is not rendered here, so what it deploys is not known.`,
    ])
    expect(r.deployables.filter((d) => d.application === 'u-ok')).toEqual([])
    expect(said('alone')).toEqual([])
    expect(r.deployables.map((d) => d.application)).toContain('alone')
  }, 120_000)

  it('where the hydrated objects are committed (syncSource, hydrateTo) changes nothing deployed', async () => {
    const base = dry('moved', ['path: charts/demo'])
    const head = base
      .replace('path: hydrated/moved', 'path: elsewhere/moved, repoURL: https://github.com/acme/hydrated.git')
      .replace('targetBranch: environments/moved', 'targetBranch: environments/prod')
      .concat('\n    hydrateTo: {targetBranch: environments/prod-next}\n')
    const moved = await history({...files, 'apps/moved.yaml': base}, {'apps/moved.yaml': head})
    await git(moved, ['remote', 'set-url', 'origin', ORIGIN])
    const {result: r} = await diffLast<Result>(moved, toolEnv())
    expect(r.failures).toEqual([])
    expect(r.summary).toBe('unchanged')
    // The dry source's change does change it.
    const changed = await history(
      {...files, 'apps/moved.yaml': base},
      {'apps/moved.yaml': base.replace('path: charts/demo', 'path: charts/demo\n      helm: {releaseName: other}')},
    )
    await git(changed, ['remote', 'set-url', 'origin', ORIGIN])
    expect((await diffLast<Result>(changed, toolEnv())).result.summary).toBe('changed')
  }, 120_000)
})
