/**
 * A Flux Kustomization's `spec.path` (issue 61): kustomize-controller builds that folder and nothing else. When a head
 * moves the path to another folder, the folder it left is not deployed by it any more; a folder a Flux Kustomization
 * builds is never also built as an overlay root of the layout (the flux preset's `apps/{env}/**`), so each object is
 * reported once, where Flux deploys it.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../../../support/cli.js'
import {diffJson, diffLast, history} from '../../../support/diff-repo.js'
import {runCleanups} from '../../../support/tmp.js'
import {requireTool, toolEnv} from '../../../support/toolchain.js'

afterAll(runCleanups)

let env: Record<string, string | undefined>
beforeAll(() => {
  requireTool('kustomize')
  env = toolEnv()
})

interface Result {
  summary: string
  deployables: Array<{
    change: string
    source: string
    foundBy?: string
    movedFrom?: string
    objects: Array<{change: string; kind: string; namespace?: string; name: string}>
  }>
  images: Array<{from: string | null; to: string | null}>
  failures: Array<{revision: string; rule: string; file: string; message: string}>
}

const deployment = (image: string) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: web, namespace: shop}',
    'spec:',
    '  selector: {matchLabels: {app: web}}',
    '  template:',
    '    metadata: {labels: {app: web}}',
    `    spec: {containers: [{name: web, image: "${image}"}]}`,
    '',
  ].join('\n')

const ks = (path: string, extra: string[] = []) =>
  [
    'apiVersion: kustomize.toolkit.fluxcd.io/v1',
    'kind: Kustomization',
    'metadata: {name: apps, namespace: flux-system}',
    'spec:',
    '  interval: 10m',
    `  path: ${path}`,
    '  prune: true',
    '  sourceRef: {kind: GitRepository, name: flux-system}',
    ...extra.map((l) => `  ${l}`),
    '',
  ].join('\n')

const folder = (dir: string, image = 'ghcr.io/acme/web:1.0.0') => ({
  [`${dir}/kustomization.yaml`]: 'resources:\n  - deployment.yaml\n',
  [`${dir}/deployment.yaml`]: deployment(image),
})

/** Every object the diff reports, with the folder that reports it. */
const reported = (r: Result) =>
  r.deployables.flatMap((d) => d.objects.map((o) => `${d.source}: ${o.change} ${o.kind} ${o.name}`)).sort()

const diff = (repo: string) => diffLast<Result>(repo, env, ['--no-cache'])

/** The tenant's Kustomization `team` (apps) over ./team/base, with `extra` spec lines after its path. */
const teamKs = (extra: string[] = []) =>
  [
    'apiVersion: kustomize.toolkit.fluxcd.io/v1',
    'kind: Kustomization',
    'metadata: {name: team, namespace: apps}',
    'spec:',
    '  interval: 5m',
    '  path: ./team/base',
    ...extra,
    '  prune: true',
    '  sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}',
    '',
  ].join('\n')

/** A diff that says what changed: no failure, exit 0, `changed`; its result. */
async function changedCleanly(repo: string) {
  const {exitCode, stderr, result} = await diff(repo)
  expect(result.failures).toEqual([])
  expect(exitCode, stderr).toBe(0)
  expect(result.summary).toBe('changed')
  return result
}

/** A diff that cannot say what is deployed: exit 1, incomplete; the failures it names on `file`. */
async function incompleteOn(repo: string, file: string) {
  const {exitCode, stderr, result} = await diff(repo)
  expect(exitCode, stderr).toBe(1)
  expect(result.summary).toBe('incomplete')
  return result.failures.filter((f) => f.file === file)
}

describe("a Flux Kustomization's spec.path, as kustomize-controller builds it", () => {
  it('spec.path moved to another folder, the objects moved with it: each reported once, nothing changed but the path', async () => {
    const repo = await history(
      {'clusters/prod/apps.yaml': ks('./apps/a'), ...folder('apps/a')},
      {
        'clusters/prod/apps.yaml': ks('./apps/b'),
        'apps/a/kustomization.yaml': null,
        'apps/a/deployment.yaml': null,
        ...folder('apps/b'),
      },
    )
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(result.failures).toEqual([])
    expect(reported(result)).toEqual(['clusters/prod: changed Kustomization apps'])
    expect(result.images).toEqual([])
  })

  it('spec.path moved, the old folder kept: one deployable moved (the Kustomization Flux knows it by), the Deployment changed once', async () => {
    const repo = await history(
      {'clusters/prod/apps.yaml': ks('./apps/a'), ...folder('apps/a'), ...folder('apps/b', 'ghcr.io/acme/web:2.0.0')},
      {'clusters/prod/apps.yaml': ks('./apps/b')},
    )
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(result.failures).toEqual([])
    // The same Deployment shop/web, deployed from apps/b now: one change of its image, not three objects.
    expect(reported(result)).toEqual(['apps/b: changed Deployment web', 'clusters/prod: changed Kustomization apps'])
    expect(result.deployables.find((d) => d.source === 'apps/b')).toMatchObject({
      change: 'changed',
      movedFrom: 'apps/a',
    })
    expect(result.images).toEqual([
      expect.objectContaining({from: 'ghcr.io/acme/web:1.0.0', to: 'ghcr.io/acme/web:2.0.0'}),
    ])
  })

  it('spec.path: a folder a Flux Kustomization builds is its root, never also an overlay root of the layout', async () => {
    const repo = await history({
      'clusters/prod/apps.yaml': ks('./apps/a', ['targetNamespace: other']),
      ...folder('apps/a'),
      ...folder('apps/b'),
    })
    const layout = await runCli(['gitops', 'verify', '--print-layout', '--json'], {cwd: repo, env})
    const roots = layout.json<{layout: {renderRoots: Array<{dir: string; rule?: string}>}}>().layout.renderRoots
    expect(roots.map((r) => [r.dir, r.rule])).toEqual([
      ['apps/a', 'spec.path of a Flux Kustomization'],
      ['clusters/prod', expect.stringContaining('bootstrap')],
    ])
  })
})

describe("a Flux Kustomization a parent's build patches (flux2-multi-tenancy's tenants/<env>)", () => {
  // clusters/prod applies tenants/prod, whose kustomization patches the base tenant's Kustomization to another path:
  // kustomize-controller applies the patched one, while ameide plans each Kustomization from its file.
  const tenant = teamKs()
  const files = {
    'clusters/prod/apps.yaml': ks('./tenants/prod').replace('name: apps', 'name: tenants'),
    'tenants/base/kustomization.yaml': 'resources: [team.yaml]\n',
    'tenants/base/team.yaml': tenant,
    'tenants/prod/kustomization.yaml': [
      'resources: [../base]',
      'patches:',
      '- patch: |-',
      '    apiVersion: kustomize.toolkit.fluxcd.io/v1',
      '    kind: Kustomization',
      '    metadata: {name: team, namespace: apps}',
      '    spec: {path: ./team/prod}',
      '',
    ].join('\n'),
    ...folder('team/base'),
    ...folder('team/prod'),
  }

  it('a change to the folder the patched Kustomization deploys: changed, once, in the environment of its parent', async () => {
    const repo = await history(files, folder('team/prod', 'ghcr.io/acme/web:2.0.0'))
    const result = await changedCleanly(repo)
    expect(reported(result)).toEqual(['team/prod: changed Deployment web'])
    expect(result.images).toEqual([
      expect.objectContaining({from: 'ghcr.io/acme/web:1.0.0', to: 'ghcr.io/acme/web:2.0.0'}),
    ])
    expect(result.deployables.find((d) => d.source === 'team/prod')).toMatchObject({environment: 'prod'})
  })

  it('a change to the folder the file names, which kustomize-controller no longer deploys once patched: unchanged', async () => {
    const repo = await history(files, folder('team/base', 'ghcr.io/acme/web:2.0.0'))
    const {exitCode, stderr, result} = await diff(repo)
    expect(result.failures).toEqual([])
    expect(exitCode, stderr).toBe(0)
    expect(result.summary).toBe('unchanged')
  })

  it('the patch moves the path to another folder: the objects reported as moved with it, not incomplete', async () => {
    const repo = await history(
      {...files, ...folder('team/prod-b', 'ghcr.io/acme/web:2.0.0')},
      {'tenants/prod/kustomization.yaml': files['tenants/prod/kustomization.yaml'].replace('team/prod', 'team/prod-b')},
    )
    const {exitCode, stderr, result} = await diff(repo)
    expect(result.failures).toEqual([])
    expect(exitCode, stderr).toBe(0)
    // The Kustomization its parent prints changed its path; the Deployment moved with it, its image changed once.
    expect(reported(result)).toEqual([
      'team/prod-b: changed Deployment web',
      'tenants/prod: changed Kustomization team',
    ])
    expect(result.deployables.find((d) => d.source === 'team/prod-b')).toMatchObject({movedFrom: 'team/prod'})
    expect(result.images).toEqual([
      expect.objectContaining({from: 'ghcr.io/acme/web:1.0.0', to: 'ghcr.io/acme/web:2.0.0'}),
    ])
  })

  it('a patch to a folder that holds no file: render-failed as for the file, naming the build', async () => {
    const patched = files['tenants/prod/kustomization.yaml']
    const repo = await history(files, {'tenants/prod/kustomization.yaml': patched.replace('team/prod', 'team/nowhere')})
    const named = await incompleteOn(repo, 'tenants/base/team.yaml')
    expect(named.map((f) => [f.revision, f.rule])).toEqual([['head', 'render-failed']])
    expect(named[0].message).toContain('a folder that holds no file')
    expect(named[0].message).toContain('tenants/prod')
  })

  it('a patch to a path out of the revision: refused, naming the path', async () => {
    const patched = files['tenants/prod/kustomization.yaml']
    const repo = await history(files, {
      'tenants/prod/kustomization.yaml': patched.replace('./team/prod', '../elsewhere'),
    })
    const named = await incompleteOn(repo, 'tenants/base/team.yaml')
    expect(named.map((f) => [f.revision, f.rule])).toEqual([['head', 'render-refused']])
    expect(named[0].message).toContain('leaves the revision')
    expect(named[0].message).toContain('as tenants/prod')
  })

  it('a change nothing the patched Kustomization reads: unchanged, exit 0', async () => {
    const repo = await history({...files, 'docs/readme.yaml': 'a: 1\n'}, {'docs/readme.yaml': 'a: 2\n'})
    const {exitCode, stderr, result} = await diff(repo)
    expect(result.failures).toEqual([])
    expect(exitCode, stderr).toBe(0)
    expect(result.summary).toBe('unchanged')
  })

  it('gitops verify --render agrees: the printed root rendered in its parent environment, the file root not', async () => {
    const repo = await history(files)
    const run = await runCli(['gitops', 'verify', '--render', '--json'], {cwd: repo, env})
    const out = run.json<{
      findings: Array<{rule: string}>
      render: {roots: Array<{dir: string; environment: string | null; status: string}>}
    }>()
    // (Its image findings are the fixture's: a tag, no pull policy.)
    expect(out.findings.filter((f) => f.rule.startsWith('render-'))).toEqual([])
    const dirs = out.render.roots.map((r) => [r.dir, r.environment, r.status])
    expect(dirs).toContainEqual(['team/prod', 'prod', 'rendered'])
    expect(dirs.map((d) => d[0])).not.toContain('team/base')
  })

  it('with the render cache: a change to the patch, then to the printed folder, each seen', async () => {
    const patch = files['tenants/prod/kustomization.yaml']
    const repo = await history(
      {...files, ...folder('team/prod-b')},
      {'tenants/prod/kustomization.yaml': patch.replace('team/prod', 'team/prod-b')},
      folder('team/prod-b', 'ghcr.io/acme/web:2.0.0'),
    )
    const first = await diffJson<Result>(repo, env, ['--base', 'HEAD~2', '--head', 'HEAD~1'])
    expect(first.result.failures).toEqual([])
    // The same objects from the other folder: only the Kustomization its parent prints changed.
    expect(reported(first.result)).toEqual(['tenants/prod: changed Kustomization team'])
    const second = await diffJson<Result>(repo, env, ['--base', 'HEAD~1', '--head', 'HEAD'])
    expect(second.result.failures).toEqual([])
    expect(second.exitCode, second.stderr).toBe(0)
    expect(reported(second.result)).toEqual(['team/prod-b: changed Deployment web'])
  })

  it('patched twice over, the outer build rendered last: incomplete, naming the fields', async () => {
    // clusters/prod (an overlay the layout's glob guesses, rendered after the declared roots) patches the tenants
    // Kustomization to tenants/prod, which patches the team's: the tenants' file root was rendered before the build
    // that patches it, so what it deploys is not known — and what that deploys may print Kustomizations over any
    // folder: a change to the team's folder is incomplete, never a pass.
    const nested = {
      ...files,
      'clusters/prod/apps.yaml': ks('./tenants/base').replace('name: apps', 'name: tenants'),
      'clusters/prod/kustomization.yaml': [
        'resources: [apps.yaml]',
        'patches:',
        '- patch: |-',
        '    apiVersion: kustomize.toolkit.fluxcd.io/v1',
        '    kind: Kustomization',
        '    metadata: {name: tenants, namespace: flux-system}',
        '    spec: {path: ./tenants/prod}',
        '',
      ].join('\n'),
    }
    const repo = await history(nested, folder('team/prod', 'ghcr.io/acme/web:2.0.0'))
    const named = await incompleteOn(repo, 'clusters/prod/apps.yaml')
    expect(named.map((f) => [f.revision, f.rule])).toEqual([
      ['base', 'render-unavailable'],
      ['head', 'render-unavailable'],
    ])
    expect(named[0].message).toContain('spec.path')
  })

  it("the printed root's inputs hold its parent's build: a change there to a root that fails is incomplete", async () => {
    // team/prod does not build (a resource it names is missing): its failure is keyed by what it reads, and what it
    // reads includes the build that prints its Kustomization.
    const broken = {...files, 'team/prod/kustomization.yaml': 'resources:\n  - deployment.yaml\n  - missing.yaml\n'}
    const patch = files['tenants/prod/kustomization.yaml']
    const repo = await history(broken, {'tenants/prod/kustomization.yaml': `# the prod tenants\n${patch}`})
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(1)
    expect(result.summary).toBe('incomplete')
    expect(result.failures.map((f) => [f.revision, f.rule, f.file])).toEqual([
      ['base', 'render-failed', 'team/prod/kustomization.yaml'],
      ['head', 'render-failed', 'team/prod/kustomization.yaml'],
    ])
  })

  it("a patch that sets the Kustomization's images: the tag the printed object sets is what is deployed", async () => {
    const images = (tag: string) =>
      files['tenants/prod/kustomization.yaml'].replace(
        'spec: {path: ./team/prod}',
        `spec: {path: ./team/prod, images: [{name: ghcr.io/acme/web, newTag: "${tag}"}]}`,
      )
    const repo = await history(
      {...files, 'tenants/prod/kustomization.yaml': images('1.5.0')},
      {'tenants/prod/kustomization.yaml': images('1.6.0')},
    )
    const {exitCode, stderr, result} = await diff(repo)
    expect(result.failures).toEqual([])
    expect(exitCode, stderr).toBe(0)
    expect(reported(result)).toEqual(['team/prod: changed Deployment web', 'tenants/prod: changed Kustomization team'])
    expect(result.images).toEqual([
      expect.objectContaining({from: 'ghcr.io/acme/web:1.5.0', to: 'ghcr.io/acme/web:1.6.0'}),
    ])
  })

  it('a patch to another source: render-unavailable, named with the build, never a pass', async () => {
    const patched = files['tenants/prod/kustomization.yaml'].replace(
      'spec: {path: ./team/prod}',
      'spec: {path: ./team/prod, sourceRef: {kind: OCIRepository, name: team, namespace: apps}}',
    )
    const repo = await history(files, {'tenants/prod/kustomization.yaml': patched})
    const named = await incompleteOn(repo, 'tenants/base/team.yaml')
    expect(named.map((f) => [f.revision, f.rule])).toEqual([['head', 'render-unavailable']])
    expect(named[0].message).toContain('OCIRepository')
    expect(named[0].message).toContain('as tenants/prod')
  })

  it('another cluster applies the tenant as written: its folder deployed there, the patched one in prod', async () => {
    const staging = {
      'clusters/staging/apps.yaml': ks('./tenants/staging').replace('name: apps', 'name: tenants'),
      'tenants/staging/kustomization.yaml': 'resources: [../base]\n',
    }
    const repo = await history(
      {...files, ...staging},
      {
        ...folder('team/base', 'ghcr.io/acme/web:3.0.0'),
        ...folder('team/prod', 'ghcr.io/acme/web:2.0.0'),
      },
    )
    const {exitCode, stderr, result} = await diff(repo)
    expect(result.failures).toEqual([])
    expect(exitCode, stderr).toBe(0)
    expect(reported(result)).toEqual(['team/base: changed Deployment web', 'team/prod: changed Deployment web'])
  })
})

describe("a Flux Kustomization a parent's post-build substitutes", () => {
  // clusters/prod applies tenants/base with a variable kustomize-controller substitutes in what it builds, the
  // tenant's Kustomization too: it applies that Kustomization with the variable's value.
  const files = {
    'clusters/prod/apps.yaml': ks('./tenants/base', ['postBuild: {substitute: {team_ns: team-prod}}']).replace(
      'name: apps',
      'name: tenants',
    ),
    'tenants/base/kustomization.yaml': 'resources: [team.yaml]\n',
    'tenants/base/team.yaml': teamKs(['  targetNamespace: ${team_ns}']),
    ...folder('team/base'),
  }

  it('a change to the folder it deploys: changed, in the namespace the substituted variable names', async () => {
    const repo = await history(files, folder('team/base', 'ghcr.io/acme/web:2.0.0'))
    const result = await changedCleanly(repo)
    expect(result.deployables.flatMap((d) => d.objects.map((o) => `${o.kind} ${o.namespace}/${o.name}`))).toEqual([
      'Deployment team-prod/web',
    ])
    expect(result.images).toEqual([
      expect.objectContaining({from: 'ghcr.io/acme/web:1.0.0', to: 'ghcr.io/acme/web:2.0.0'}),
    ])
  })

  it('a change to the variable: the objects move to the namespace it names', async () => {
    const changed = files['clusters/prod/apps.yaml'].replace('team-prod', 'team-blue')
    const repo = await history(files, {'clusters/prod/apps.yaml': changed})
    const {exitCode, stderr, result} = await diff(repo)
    expect(result.failures).toEqual([])
    expect(exitCode, stderr).toBe(0)
    const moved = result.deployables.flatMap((d) =>
      d.objects.map((o) => `${o.change} ${o.kind} ${o.namespace}/${o.name}`),
    )
    expect(moved).toEqual(
      expect.arrayContaining(['added Deployment team-blue/web', 'removed Deployment team-prod/web']),
    )
  })

  it('a path the variable completes: the folder it names rendered (the file alone names none), verify agreeing', async () => {
    const tenant = files['tenants/base/team.yaml'].replace('./team/base', './team/${team_env}')
    const withPath = {
      ...files,
      'clusters/prod/apps.yaml': files['clusters/prod/apps.yaml'].replace(
        '{team_ns: team-prod}',
        '{team_ns: team-prod, team_env: prod}',
      ),
      'tenants/base/team.yaml': tenant,
      ...folder('team/prod'),
    }
    const repo = await history(withPath, folder('team/prod', 'ghcr.io/acme/web:2.0.0'))
    const {exitCode, stderr, result} = await diff(repo)
    expect(result.failures).toEqual([])
    expect(exitCode, stderr).toBe(0)
    expect(reported(result)).toEqual(['team/prod: changed Deployment web'])
    const run = await runCli(['gitops', 'verify', '--render', '--json'], {cwd: repo, env})
    const out = run.json<{findings: Array<{rule: string}>; render: {roots: Array<{dir: string; status: string}>}}>()
    expect(out.findings.filter((f) => f.rule.startsWith('render-'))).toEqual([])
    expect(out.render.roots.map((r) => [r.dir, r.status])).toContainEqual(['team/prod', 'rendered'])
  })

  it('a path naming a variable the parent does not set: its post-build fails, and the file stays render-failed', async () => {
    const tenant = files['tenants/base/team.yaml'].replace('./team/base', './team/${team_env}')
    const repo = await history(
      {...files, 'tenants/base/team.yaml': tenant},
      folder('team/base', 'ghcr.io/acme/web:2.0.0'),
    )
    const run = await runCli(['gitops', 'verify', '--render', '--json'], {cwd: repo, env})
    const out = run.json<{findings: Array<{rule: string; file: string; message: string}>}>()
    const failed = out.findings.filter((f) => f.rule === 'render-failed')
    expect(failed.map((f) => f.file)).toEqual(['tenants/base/kustomization.yaml', 'tenants/base/team.yaml'])
    expect(failed[0].message).toContain('variable not set')
    expect(failed[1].message).toContain('a folder that holds no file')
    // A change the failures' inputs hold (the tenant's file): incomplete, never "No change".
    const touched = await history(
      {...files, 'tenants/base/team.yaml': tenant},
      {'tenants/base/team.yaml': tenant.replace('interval: 5m', 'interval: 6m')},
    )
    const {exitCode, result} = await diff(touched)
    expect(exitCode).toBe(1)
    expect(result.summary).toBe('incomplete')
  })
})
