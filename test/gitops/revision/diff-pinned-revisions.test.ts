/**
 * Revisions as the controllers resolve them: a same-repository source at the branch under review (or `HEAD`) deploys
 * the revision under review; one pinned to another branch, a tag or a commit (an Application's `targetRevision`, a
 * Flux GitRepository's `ref`) deploys that ref — never the pull request's folder: an Application's, and a Flux
 * Kustomization's over such a GitRepository, is read from the clone at that ref's commit (a link leaving that tree
 * refused), a ref the clone does not hold said with the ref. A source object that moves (an
 * OCIRepository's tag) touches the Kustomization built from it. Real git, the built CLI.
 */
import {symlink} from 'node:fs/promises'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {
  diffLast,
  edit,
  history,
  type DiffVerdict,
  fleetGitRepository as gitRepository,
  movedTo,
} from '../../support/diff-repo.js'
import {git, runCleanups} from '../../support/tmp.js'
import {requireTool, toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

type Result = DiffVerdict

let env: Record<string, string | undefined>
beforeAll(() => {
  requireTool('kustomize')
  env = toolEnv()
})

const ORIGIN = 'https://github.com/example/fleet.git'
const configMap = (name: string, value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {a: "${value}"}\n`

const application = (revision: string) =>
  [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata: {name: web, namespace: argocd}',
    'spec:',
    '  project: default',
    `  source: {repoURL: '${ORIGIN}', targetRevision: '${revision}', path: apps/web}`,
    '  destination: {server: https://kubernetes.default.svc, namespace: web}',
    '',
  ].join('\n')

/** A repository whose main holds `files` (tagged v1), and a branch `pr` committing `change`. */
async function tagged(files: Record<string, string>, change: Record<string, string>) {
  const repo = await history(files, change)
  await git(repo, ['tag', 'v1', 'main'])
  await git(repo, ['branch', 'release-1', 'main'])
  return repo
}

describe("an Application's targetRevision", () => {
  const files = (revision: string) => ({
    'argocd/web.yaml': application(revision),
    'apps/web/cm.yaml': configMap('w', '1'),
  })
  const change = {'apps/web/cm.yaml': configMap('w', '2')}

  it.each(['HEAD', 'main', 'pr', ''])('%s: the revision under review, its folder rendered: changed', async (rev) => {
    const repo = await tagged(files(rev), change)
    const {exitCode, result} = await diffLast<Result>(repo, env)
    expect(exitCode).toBe(0)
    expect(result.summary).toBe('changed')
    expect(result.deployables).toEqual([expect.objectContaining({change: 'changed', application: 'web'})])
  })

  it.each(['v1', 'release-1', 'a'.repeat(40)])(
    'pinned to %s: the folder the pull request changes is not what Argo CD deploys: unchanged',
    async (rev) => {
      const repo = await tagged(files(rev), change)
      const {exitCode, result} = await diffLast<Result>(repo, env)
      expect(result.failures).toEqual([])
      expect(exitCode).toBe(0)
      expect(result.summary).toBe('unchanged')
    },
  )

  it('moved from one pin to another at the same commit: that folder rendered from it in both, unchanged', async () => {
    const repo = await tagged(files('release-1'), {'argocd/web.yaml': application('v1')})
    const {exitCode, result} = await diffLast<Result>(repo, env)
    expect(result.failures).toEqual([])
    expect(exitCode).toBe(0)
    expect(result.summary).toBe('unchanged')
  })

  it('moved to a commit whose folder differs: each commit read, the change shown', async () => {
    const repo = await tagged(files('v1'), {})
    await movedTo(repo, 'v2', () => edit(repo, {'apps/web/cm.yaml': configMap('w', '3')}), {
      'argocd/web.yaml': application('v2'),
      'apps/web/cm.yaml': configMap('w', '4'),
    })
    const {exitCode, result} = await diffLast<Result & {deployables: Array<{objects: Array<{diff: string}>}>}>(
      repo,
      env,
    )
    expect(result.failures).toEqual([])
    expect(exitCode).toBe(0)
    expect(result.summary).toBe('changed')
    const diff = result.deployables[0].objects[0].diff
    expect(diff).toContain('-  a: "1"')
    expect(diff).toContain('+  a: "3"')
  })

  it('a ref this clone does not hold: not rendered, named', async () => {
    const repo = await tagged(files('HEAD'), {'argocd/web.yaml': application('stable')})
    const {exitCode, result} = await diffLast<Result>(repo, env)
    expect(exitCode).toBe(1)
    expect(result.failures.map((f) => [f.revision, f.rule])).toEqual([['head', 'render-unavailable']])
    expect(result.failures[0].message).toContain('pinned to ref stable (not in this clone)')
  })
})

describe("an Application's targetRevision over a kustomize folder", () => {
  const files = (revision: string) => ({
    'argocd/web.yaml': application(revision),
    'apps/web/kustomization.yaml': 'resources: [cm.yaml]\nnamePrefix: k-\n',
    'apps/web/cm.yaml': configMap('w', '1'),
  })

  it('pinned to v1 while the pull request changes the folder: unchanged', async () => {
    const repo = await tagged(files('v1'), {'apps/web/cm.yaml': configMap('w', '2')})
    const {exitCode, result} = await diffLast<Result>(repo, env)
    expect(result.failures).toEqual([])
    expect(exitCode).toBe(0)
    expect(result.summary).toBe('unchanged')
  })

  it('moved to a commit whose folder differs: built from each commit, the change shown', async () => {
    const repo = await tagged(files('v1'), {})
    await movedTo(repo, 'v2', () => edit(repo, {'apps/web/cm.yaml': configMap('w', '3')}), {
      'argocd/web.yaml': application('v2'),
      'apps/web/cm.yaml': configMap('w', '4'),
    })
    type Objects = Result & {deployables: Array<{kind: string; objects: Array<{name: string; diff: string}>}>}
    const {exitCode, result} = await diffLast<Objects>(repo, env)
    expect(result.failures).toEqual([])
    expect(exitCode).toBe(0)
    expect(result.summary).toBe('changed')
    const [web] = result.deployables
    expect(web.kind).toBe('kustomize')
    expect(web.objects.map((o) => o.name)).toEqual(['k-w'])
    expect(web.objects[0].diff).toContain('-  a: "1"')
    expect(web.objects[0].diff).toContain('+  a: "3"')
  })

  it('a link of the pinned tree under the folder that leaves it: refused', async () => {
    const repo = await tagged(files('v1'), {})
    await movedTo(repo, 'escape', () => symlink('/etc/passwd', path.join(repo, 'apps/web/escape.yaml')), {
      'argocd/web.yaml': application('escape'),
    })
    const {exitCode, result} = await diffLast<Result>(repo, env)
    expect(exitCode).toBe(1)
    const head = result.failures.filter((f) => f.revision === 'head')
    expect(head.map((f) => f.rule)).toEqual(['render-refused'])
    expect(head[0].message).toContain('source path apps/web leaves the revision of this repository (')
  })
})

const kustomization = (kind: string, name: string) =>
  [
    'apiVersion: kustomize.toolkit.fluxcd.io/v1',
    'kind: Kustomization',
    'metadata: {name: z, namespace: flux-system}',
    `spec: {interval: 1m, path: ./z, prune: true, namePrefix: p-, sourceRef: {kind: ${kind}, name: ${name}}}`,
    '',
  ].join('\n')

describe("a Flux GitRepository's ref", () => {
  const files = (ref: string) => ({
    'flux/source.yaml': gitRepository(ref),
    'flux/z.yaml': kustomization('GitRepository', 'fleet'),
    'z/cm.yaml': configMap('z', '1'),
  })
  const change = {'z/cm.yaml': configMap('z', '2')}

  it('the branch under review: rendered, changed', async () => {
    const repo = await tagged(files('{branch: main}'), change)
    const {exitCode, result} = await diffLast<Result>(repo, env)
    expect(exitCode).toBe(0)
    expect(result.summary).toBe('changed')
  })

  it.each(['{tag: v1}', '{branch: release-1}', '{semver: ">=1.0.0"}'])(
    '%s: kustomize-controller builds that revision: unchanged',
    async (ref) => {
      const repo = await tagged(files(ref), change)
      const {exitCode, result} = await diffLast<Result>(repo, env)
      expect(result.failures).toEqual([])
      expect(exitCode).toBe(0)
      expect(result.summary).toBe('unchanged')
    },
  )

  it("pinned to a tag: built from the tag's folder with the Kustomization's fields, never the branch's folder", async () => {
    const prefixed = kustomization('GitRepository', 'fleet').replace('namePrefix: p-', 'namePrefix: q-')
    const repo = await tagged(files('{tag: v1}'), {...change, 'flux/z.yaml': prefixed})
    type Objects = Omit<Result, 'deployables'> & {
      deployables: Array<{source: string; objects: Array<{name: string; change: string; diff: string}>}>
    }
    const {exitCode, result} = await diffLast<Objects>(repo, env)
    expect(result.failures).toEqual([])
    expect(exitCode).toBe(0)
    const built = result.deployables.filter((d) => d.source === 'z').flatMap((d) => d.objects)
    expect(built.map((o) => [o.change, o.name]).sort()).toEqual([
      ['added', 'q-z'],
      ['removed', 'p-z'],
    ])
    // The tag's value, never the pull request's.
    expect(built.find((o) => o.name === 'q-z')?.diff).toContain('+  a: "1"')
  })

  it('the ref moved to a tag whose folder differs: built from each commit, the object change shown', async () => {
    const repo = await tagged(files('{tag: v1}'), {})
    await movedTo(repo, 'v2', () => edit(repo, {'z/cm.yaml': configMap('z', '3')}), {
      'flux/source.yaml': gitRepository('{tag: v2}'),
      'z/cm.yaml': configMap('z', '4'),
    })
    type Objects = Omit<Result, 'deployables'> & {
      deployables: Array<{source: string; objects: Array<{name: string; diff: string}>}>
    }
    const {exitCode, result} = await diffLast<Objects>(repo, env)
    expect(result.failures).toEqual([])
    expect(exitCode).toBe(0)
    expect(result.summary).toBe('changed')
    const built = result.deployables.filter((d) => d.source === 'z')
    expect(built.map((d) => d.objects.map((o) => o.name))).toEqual([['p-z']])
    expect(built[0].objects[0].diff).toContain('-  a: "1"')
    expect(built[0].objects[0].diff).toContain('+  a: "3"')
  })

  it('a link of the pinned tree under its path that leaves it: refused', async () => {
    const repo = await tagged(files('{tag: v1}'), {})
    await movedTo(repo, 'escape', () => symlink('/etc/passwd', path.join(repo, 'z/escape.yaml')), {
      'flux/source.yaml': gitRepository('{tag: escape}'),
    })
    const {exitCode, result} = await diffLast<Result>(repo, env)
    expect(exitCode).toBe(1)
    const head = result.failures.filter((f) => f.revision === 'head')
    expect(head.map((f) => [f.rule, f.file])).toEqual([['render-refused', 'flux/z.yaml']])
    expect(head[0].message).toContain('leaves the revision of this repository at tag escape (commit ')
  })

  it('a HelmRelease the pinned tree prints: its chart not rendered, said', async () => {
    const repo = await tagged(files('{tag: v1}'), {})
    const release = [
      'apiVersion: helm.toolkit.fluxcd.io/v2',
      'kind: HelmRelease',
      'metadata: {name: web, namespace: apps}',
      'spec: {interval: 1m, chart: {spec: {chart: web, sourceRef: {kind: HelmRepository, name: charts}}}}',
      '',
    ].join('\n')
    await movedTo(repo, 'v2', () => edit(repo, {'z/hr.yaml': release}), {
      'flux/source.yaml': gitRepository('{tag: v2}'),
    })
    const {exitCode, result} = await diffLast<Result>(repo, env)
    expect(exitCode).toBe(1)
    expect(result.failures.map((f) => [f.revision, f.rule, f.file])).toEqual([
      ['head', 'render-unavailable', 'flux/z.yaml'],
    ])
    expect(result.failures[0].message).toContain('prints HelmRelease apps/p-web, whose chart helm-controller renders')
  })

  it('a ref this clone does not hold: not rendered, the ref named', async () => {
    const repo = await tagged(files('{tag: v1}'), {'flux/source.yaml': gitRepository('{tag: v9}')})
    const {exitCode, result} = await diffLast<Result>(repo, env)
    expect(exitCode).toBe(1)
    expect(result.failures.map((f) => [f.revision, f.rule, f.file])).toEqual([
      ['head', 'render-unavailable', 'flux/z.yaml'],
    ])
    expect(result.failures[0].message).toContain(
      'pinned to tag v9: kustomize-controller builds that revision, which this clone does not resolve to a commit',
    )
  })
})

describe('a moved source object touches what is built from it', () => {
  const oci = (tag: string) =>
    [
      'apiVersion: source.toolkit.fluxcd.io/v1',
      'kind: OCIRepository',
      'metadata: {name: app, namespace: flux-system}',
      `spec: {interval: 1m, url: oci://ghcr.io/acme/manifests, ref: {tag: '${tag}'}}`,
      '',
    ].join('\n')

  it("an OCIRepository's tag moved in its own file: the Kustomization over it is incomplete, never left out", async () => {
    const repo = await history(
      {'flux/oci.yaml': oci('1.0.0'), 'flux/z.yaml': kustomization('OCIRepository', 'app')},
      {'flux/oci.yaml': oci('1.0.1')},
    )
    const {exitCode, result} = await diffLast<Result>(repo, env)
    expect(exitCode).toBe(1)
    expect(result.summary).toBe('incomplete')
    expect(result.failures.map((f) => [f.revision, f.file])).toEqual([
      ['base', 'flux/z.yaml'],
      ['head', 'flux/z.yaml'],
    ])
  })

  it('a file it does not read changed: untouched', async () => {
    const repo = await history(
      {'flux/oci.yaml': oci('1.0.0'), 'flux/z.yaml': kustomization('OCIRepository', 'app'), 'z/cm.yaml': 'x: 1\n'},
      {'z/cm.yaml': 'x: 2\n'},
    )
    const {exitCode, result} = await diffLast<Result>(repo, env)
    expect(result.failures).toEqual([])
    expect(exitCode).toBe(0)
  })
})
