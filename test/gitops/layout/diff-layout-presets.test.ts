/**
 * The layout preset never hides what the repository declares: Applications, ApplicationSets and Flux objects are read
 * the same way whatever the preset (detected or configured), and kustomize's own `overlays/<env>/` folders are
 * overlays under every preset — a preset decides the gate's zones and environments, not what is deployed. Built with
 * real git through the built CLI, the render module building each kustomization.
 */
import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {diffLast, history, type DiffVerdict} from '../../support/diff-repo.js'
import {runCli} from '../../support/cli.js'
import {runCleanups} from '../../support/tmp.js'
import {requireTool, toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

type Result = DiffVerdict

let env: Record<string, string | undefined>
beforeAll(() => {
  requireTool('kustomize')
  env = toolEnv()
})

const ORIGIN = 'https://github.com/example/fleet.git'
/** Undefined: detected; else the preset ameide.yaml sets in both revisions. */
const PRESETS = [undefined, 'seed', 'kustomize', 'flux', 'plain'] as const
type Preset = (typeof PRESETS)[number]

const configMap = (name: string, value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {a: "${value}"}\n`

const clustersSet = (path: string) =>
  [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: ApplicationSet',
    'metadata: {name: web, namespace: argocd}',
    'spec:',
    '  generators:',
    '  - clusters: {}',
    '  template:',
    "    metadata: {name: '{{name}}-web'}",
    '    spec:',
    '      project: default',
    `      source: {repoURL: '${ORIGIN}', targetRevision: HEAD, path: ${path}}`,
    "      destination: {server: '{{server}}', namespace: web}",
    '',
  ].join('\n')

const application = (name: string, path: string) =>
  [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    `metadata: {name: ${name}, namespace: argocd}`,
    'spec:',
    '  project: default',
    `  source: {repoURL: '${ORIGIN}', targetRevision: HEAD, path: ${path}}`,
    `  destination: {server: https://kubernetes.default.svc, namespace: ${name}}`,
    '',
  ].join('\n')

const fluxObjects = [
  'apiVersion: source.toolkit.fluxcd.io/v1',
  'kind: GitRepository',
  'metadata: {name: fleet, namespace: flux-system}',
  `spec: {interval: 1m, url: '${ORIGIN}', ref: {branch: main}}`,
  '---',
  'apiVersion: kustomize.toolkit.fluxcd.io/v1',
  'kind: Kustomization',
  'metadata: {name: z, namespace: flux-system}',
  'spec: {interval: 1m, path: ./z, prune: true, sourceRef: {kind: GitRepository, name: fleet}}',
  '',
].join('\n')

/** kustomize overlays of one base: `x/base`, `x/overlays/{dev,prod}`. */
const overlays = (): Record<string, string> => ({
  'x/base/kustomization.yaml': 'resources: [cm.yaml]\n',
  'x/base/cm.yaml': configMap('x', '1'),
  'x/overlays/dev/kustomization.yaml': 'resources: [../../base]\nnamespace: dev\n',
  'x/overlays/prod/kustomization.yaml': 'resources: [../../base]\nnamespace: prod\n',
})

/** `files` with ameide.yaml setting `preset` (none: detected). */
const withPreset = (files: Record<string, string>, preset: Preset) =>
  preset === undefined ? files : {...files, 'ameide.yaml': `gitopsPolicy:\n  preset: ${preset}\n`}

describe('an ApplicationSet beside kustomize overlays (the minimal shape)', () => {
  const files = {...overlays(), 'apps/appset.yaml': clustersSet('x/overlays/dev'), 'other/readme.txt': 'hi\n'}

  it.each(PRESETS)('a file under other/ committed: unchanged, exit 0, under preset %s', async (preset) => {
    const repo = await history(withPreset(files, preset), {'other/notes.yaml': 'a: 1\n'})
    const {exitCode, stderr, result} = await diffLast<Result>(repo, env)
    expect(result.failures).toEqual([])
    expect(exitCode, stderr).toBe(0)
    expect(result.summary).toBe('unchanged')
  })

  it('a change to the base the overlay builds from: incomplete, named by the ApplicationSet', async () => {
    const repo = await history(files, {'x/base/cm.yaml': configMap('x', '2')})
    const {exitCode, result} = await diffLast<Result>(repo, env)
    expect(exitCode).toBe(1)
    expect(result.summary).toBe('incomplete')
    expect(result.failures.map((f) => f.file)).toEqual(['apps/appset.yaml', 'apps/appset.yaml'])
  })
})

describe('a folder named argocd/ beside an overlay kustomize refuses to build', () => {
  const files = {
    'argocd/web.yaml': application('web', 'web'),
    'web/cm.yaml': configMap('web', '1'),
    ...overlays(),
    'x/overlays/dev/kustomization.yaml': 'resources: [../../base, missing.yaml]\n',
  }

  it.each(PRESETS)('a change to what it builds: incomplete, the overlay named, under preset %s', async (preset) => {
    const repo = await history(withPreset(files, preset), {'x/base/cm.yaml': configMap('x', '2')})
    const {exitCode, result} = await diffLast<Result>(repo, env)
    expect(exitCode).toBe(1)
    expect(result.summary).toBe('incomplete')
    expect(result.failures.map((f) => [f.revision, f.rule, f.file])).toEqual([
      ['base', 'render-failed', 'x/overlays/dev/kustomization.yaml'],
      ['head', 'render-failed', 'x/overlays/dev/kustomization.yaml'],
    ])
  })
})

describe('an Application deploying one overlay of kustomize overlays/<env>/', () => {
  // The other overlay's kustomization names an Argo CD kind (a patch targeting Applications, which it holds none of):
  // its build is looked at, and it prints no Application, so it is no bootstrap either.
  const files = {
    ...overlays(),
    'x/overlays/prod/kustomization.yaml': [
      'resources: [../../base]',
      'namespace: prod',
      'patches:',
      '- patch: \'[{"op": "add", "path": "/metadata/labels", "value": {}}]\'',
      '  target:',
      '    kind: Application',
      '',
    ].join('\n'),
    'argocd/web.yaml': application('web', 'x/overlays/dev'),
  }

  it.each(PRESETS)(
    'a change to the base: only the Application changed (its overlay not guessed again, the other overlay deployed by nothing), under preset %s',
    async (preset) => {
      const repo = await history(withPreset(files, preset), {'x/base/cm.yaml': configMap('x', '2')})
      const {exitCode, stderr, result} = await diffLast<Result>(repo, env)
      expect(exitCode, stderr).toBe(0)
      expect(result.failures).toEqual([])
      const changed = result.deployables.filter((d) => d.change !== 'unchanged')
      expect(changed.map((d) => [d.application ?? null, d.source])).toEqual([['web', 'x/overlays/dev']])
    },
  )
})

describe('an app of apps applied by hand: kustomize build bootstrap/overlays/<env> | kubectl apply -f -', () => {
  // The base's Application is a placeholder the overlay patches (ai-accelerator's shape): it is applied only as the
  // overlay's build prints it, never alone, so its placeholder path is never rendered.
  const files = {
    'bootstrap/base/kustomization.yaml': 'resources: [cluster.yaml]\n',
    'bootstrap/base/cluster.yaml': application('cluster', 'patch-me-see-overlays'),
    'bootstrap/overlays/prod/kustomization.yaml': [
      'resources: [../../base]',
      'patches:',
      '- target: {kind: Application, name: cluster}',
      '  patch: |-',
      '    - {op: replace, path: /spec/source/path, value: clusters/prod}',
      '',
    ].join('\n'),
    'clusters/prod/cm.yaml': configMap('prod', '1'),
  }

  it.each(PRESETS)(
    'a change to the folder the printed Application deploys: that Application changed, exit 0, under preset %s',
    async (preset) => {
      const repo = await history(withPreset(files, preset), {'clusters/prod/cm.yaml': configMap('prod', '2')})
      const {exitCode, stderr, result} = await diffLast<Result>(repo, env)
      expect(result.failures).toEqual([])
      expect(exitCode, stderr).toBe(0)
      const changed = result.deployables.filter((d) => d.change !== 'unchanged')
      expect(changed.map((d) => [d.application ?? null, d.source, d.environment])).toEqual([
        ['cluster', 'clusters/prod', 'prod'],
      ])
    },
  )

  it('a Flux Kustomization over the same base and a patch: its build is what Flux applies, so its Application changed', async () => {
    const flux = [
      ...fluxObjects.split('\n').slice(0, 5),
      'apiVersion: kustomize.toolkit.fluxcd.io/v1',
      'kind: Kustomization',
      'metadata: {name: apps, namespace: flux-system}',
      'spec: {interval: 1m, path: ./deploy/prod, prune: true, sourceRef: {kind: GitRepository, name: fleet}}',
      '',
    ].join('\n')
    // deploy/prod is no overlay a glob guesses: only the Flux Kustomization builds it.
    const {'bootstrap/overlays/prod/kustomization.yaml': patched, ...rest} = files
    const fleet = {...rest, 'deploy/prod/kustomization.yaml': patched.replace('../../base', '../../bootstrap/base')}
    const repo = await history({...fleet, 'flux/sync.yaml': flux}, {'clusters/prod/cm.yaml': configMap('prod', '2')})
    const {exitCode, stderr, result} = await diffLast<Result>(repo, env)
    expect(result.failures).toEqual([])
    expect(exitCode, stderr).toBe(0)
    const changed = result.deployables.filter((d) => d.change !== 'unchanged')
    expect(changed.map((d) => [d.application ?? null, d.source])).toEqual([['cluster', 'clusters/prod']])
  })

  it('an app of apps that deploys its own folder (its file among the resources) is read as written: unchanged shape', async () => {
    const repo = await history(
      {
        'argocd/kustomization.yaml': 'resources: [root.yaml, web.yaml]\n',
        'argocd/root.yaml': application('root', 'argocd'),
        'argocd/web.yaml': application('web', 'web'),
        'web/cm.yaml': configMap('web', '1'),
      },
      {'web/cm.yaml': configMap('web', '2')},
    )
    const {exitCode, stderr, result} = await diffLast<Result>(repo, env)
    expect(result.failures).toEqual([])
    expect(exitCode, stderr).toBe(0)
    const changed = result.deployables.filter((d) => d.change !== 'unchanged')
    expect(changed.map((d) => [d.application ?? null, d.source])).toEqual([['web', 'web']])
  })

  it('the base and its overlay removed: the printed Application removed, its objects with it', async () => {
    const repo = await history(files, {
      'bootstrap/base/kustomization.yaml': null,
      'bootstrap/base/cluster.yaml': null,
      'bootstrap/overlays/prod/kustomization.yaml': null,
    })
    const {exitCode, stderr, result} = await diffLast<Result>(repo, env)
    expect(result.failures).toEqual([])
    expect(exitCode, stderr).toBe(0)
    expect(result.deployables.map((d) => [d.change, d.application ?? null, d.source])).toContainEqual([
      'removed',
      'cluster',
      'clusters/prod',
    ])
  })
})

/** What the revision declares deployed, as `gitops verify --print-layout --json` lists it (environments aside). */
async function declared(repo: string): Promise<unknown> {
  const run = await runCli(['gitops', 'verify', '--print-layout', '--json'], {cwd: repo, env})
  const layout = run.json<{layout: Record<string, Array<Record<string, unknown>>>}>().layout
  const strip = (list: Array<Record<string, unknown>> = []) =>
    list.map(({environment: _e, ...rest}) => JSON.stringify(rest)).sort()
  return {
    roots: strip(layout.renderRoots),
    deployables: strip(layout.renderDeployables),
    directories: strip(layout.renderDirectories),
    applicationSets: (layout.applicationSets ?? []).length,
  }
}

describe('the same repository under every preset', () => {
  const parts = fc.record({
    appSet: fc.constantFrom(undefined, 'x/overlays/dev', 'x/overlays/prod', 'web'),
    app: fc.boolean(),
    broken: fc.boolean(),
    flux: fc.boolean(),
    change: fc.constantFrom('other/notes.yaml', 'x/base/cm.yaml', 'web/cm.yaml', 'z/cm.yaml', 'y/overlays/dev/k.yaml'),
  })

  it('gives the same declared deployables and the same verdict (property)', async () => {
    await fc.assert(
      fc.asyncProperty(parts, async (p) => {
        const files: Record<string, string> = {...overlays(), 'web/cm.yaml': configMap('web', '1')}
        files['z/cm.yaml'] = configMap('z', '1')
        if (p.appSet) files['deploy/appset.yaml'] = clustersSet(p.appSet)
        if (p.app) files['argocd/web.yaml'] = application('web', 'web')
        if (p.flux) files['flux/sync.yaml'] = fluxObjects
        if (p.broken) {
          files['y/overlays/dev/kustomization.yaml'] = 'resources: [k.yaml, missing.yaml]\n'
          files['y/overlays/dev/k.yaml'] = configMap('y', '1')
        }
        const change = {[p.change]: configMap('changed', '2')}
        const seen: Array<{preset: Preset; declared: unknown; summary: string; exitCode: number}> = []
        for (const preset of PRESETS) {
          const repo = await history(withPreset(files, preset), change)
          const {exitCode, result} = await diffLast<Result>(repo, env)
          seen.push({preset, declared: await declared(repo), summary: result.summary, exitCode})
        }
        for (const s of seen.slice(1)) {
          expect({...s, preset: seen[0].preset}, `preset ${s.preset} against detected`).toEqual(seen[0])
        }
      }),
      {numRuns: Number(process.env.LAYOUT_PRESET_RUNS ?? 4), seed: 79, endOnFailure: true},
    )
  })
})
