/**
 * `gitops diff` on a change the API server refuses to apply (issue 95, "what an update may not change"), with real git
 * and kustomize through the built CLI: an Argo CD Application whose Deployment's selector changes is `update-refused`
 * — first in the verdict, first in the Markdown, exit 1 with `--exit-code` — while one marked `Replace=true` is
 * replaced; a Flux Kustomization with `spec.force` replaces; a removed object says whether its controller deletes it.
 */
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {diffJson, edit} from '../../support/diff-repo.js'
import {commitAll, git, initGitRepo, makeTempDir, runCleanups} from '../../support/tmp.js'
import {requireTool, toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

const ORIGIN = 'https://github.com/acme/fleet.git'

type Result = {
  summary: string
  counts: {findingsIntroduced: number}
  verdict: {introduced: Array<{rule: string; file: string; application?: string; message: string}>}
  deployables: Array<{
    application?: string
    objects: Array<{
      change: string
      kind: string
      name: string
      update?: {outcome: string; fields: Array<{field: string}>; needs?: string; replacedBy?: string}
      prune?: {pruned: boolean | null; why: string}
    }>
  }>
  failures: unknown[]
}

let env: Record<string, string | undefined>
beforeAll(() => {
  requireTool('kustomize')
  env = toolEnv()
})

const deployment = (name: string, app: string, annotations = '') =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    ...(annotations ? ['  annotations:', `    ${annotations}`] : []),
    'spec:',
    '  selector:',
    `    matchLabels: {app: ${app}}`,
    '  template:',
    `    metadata: {labels: {app: ${app}}}`,
    '    spec:',
    `      containers: [{name: web, image: 'ghcr.io/acme/web:1.0.0@sha256:${'a'.repeat(64)}', imagePullPolicy: IfNotPresent}]`,
    '',
  ].join('\n')
const configMap = (name: string, annotations = '') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${annotations ? `  annotations:\n    ${annotations}\n` : ''}data: {a: "1"}\n`

const argoApplication = [
  'apiVersion: argoproj.io/v1alpha1',
  'kind: Application',
  'metadata: {name: web, namespace: argocd}',
  'spec:',
  '  project: default',
  '  destination: {server: https://kubernetes.default.svc, namespace: web}',
  `  source: {repoURL: '${ORIGIN}', path: web, targetRevision: HEAD}`,
  '  syncPolicy: {automated: {prune: true}}',
  '',
].join('\n')

/** A repository with `files` on main, and a branch `pr` committing `change`. */
async function prRepo(files: Record<string, string>, change: Record<string, string | null>) {
  const dir = await makeTempDir('ameide-diff-immutable-')
  await initGitRepo(dir)
  await git(dir, ['remote', 'add', 'origin', ORIGIN])
  await edit(dir, files)
  await commitAll(dir, 'base')
  await git(dir, ['checkout', '-q', '-b', 'pr'])
  await edit(dir, change)
  await commitAll(dir, 'the change')
  return dir
}

const objectsOf = (r: Result) => r.deployables.flatMap((d) => d.objects)

describe('gitops diff: what an update may not change', () => {
  it("Argo CD: a Deployment's selector changed is update-refused (first in the verdict and the Markdown, exit 1 with --exit-code); one marked Replace=true is replaced; a removed ConfigMap is pruned or kept", async () => {
    const replace = 'argocd.argoproj.io/sync-options: Replace=true'
    const repo = await prRepo(
      {
        'apps/web.yaml': argoApplication,
        'web/api.yaml': deployment('api', 'api'),
        'web/worker.yaml': deployment('worker', 'worker', replace),
        'web/settings.yaml': configMap('settings'),
        'web/kept.yaml': configMap('kept', 'argocd.argoproj.io/sync-options: Prune=false'),
      },
      {
        'web/api.yaml': deployment('api', 'api-v2'),
        'web/worker.yaml': deployment('worker', 'worker-v2', replace),
        'web/settings.yaml': null,
        'web/kept.yaml': null,
      },
    )
    const markdown = path.join(repo, '..', `${path.basename(repo)}.md`)
    const {exitCode, stderr, result} = await diffJson<Result>(repo, env, [
      '--head',
      'HEAD',
      '--exit-code',
      '--markdown',
      markdown,
    ])
    expect(exitCode, stderr).toBe(1)
    expect(result.summary).toBe('changed')
    expect(result.failures).toEqual([])
    const byName = new Map(objectsOf(result).map((o) => [o.name, o]))
    expect(byName.get('api')?.update).toMatchObject({outcome: 'refused', fields: [{field: 'spec.selector'}]})
    expect(byName.get('api')?.update?.needs).toMatch(/Argo CD \(Application web\) needs the sync option Replace=true/)
    expect(byName.get('worker')?.update).toEqual({
      outcome: 'replaced',
      fields: [expect.objectContaining({field: 'spec.selector'})],
      replacedBy: `${replace} on the object`,
    })
    expect(byName.get('settings')?.prune).toMatchObject({pruned: true})
    expect(byName.get('kept')?.prune).toMatchObject({pruned: false, why: expect.stringMatching(/Prune=false/)})
    // One finding, for the refused update only, first.
    expect(result.verdict.introduced.filter((f) => f.rule === 'update-refused')).toHaveLength(1)
    expect(result.verdict.introduced[0]).toMatchObject({
      rule: 'update-refused',
      file: 'apps/web.yaml',
      application: 'web',
      message: expect.stringMatching(/^Deployment web\/api: the API server refuses this update.*spec\.selector/),
    })
    const md = await readFile(markdown, 'utf8')
    const sections = [...md.matchAll(/^### (.*)$/gm)].map((m) => m[1])
    expect(sections[0]).toBe('Updates of immutable fields')
    expect(md).toContain('> [!CAUTION]')
    expect(md).toMatch(/\| Deployment web\/api \| `spec.selector` \| \*\*refused\*\*/)
    expect(md).toMatch(/\| Deployment web\/worker \| `spec.selector` \| replaced/)
    expect(sections).toContain('Removed, left in the cluster')
    expect(md).toMatch(/ConfigMap web\/kept \| Prune=false/)

    // Without --exit-code the diff is compared: exit 0, the finding still reported.
    const plain = await diffJson<Result>(repo, env, ['--head', 'HEAD'])
    expect(plain.exitCode, plain.stderr).toBe(0)
    expect(plain.result.verdict.introduced[0].rule).toBe('update-refused')
  })

  it('an update the API server accepts (the replicas changed, the selector kept) has no update and no finding', async () => {
    const repo = await prRepo(
      {'apps/web.yaml': argoApplication, 'web/api.yaml': deployment('api', 'api')},
      {'web/api.yaml': deployment('api', 'api').replace('spec:\n', 'spec:\n  replicas: 3\n')},
    )
    const {exitCode, stderr, result} = await diffJson<Result>(repo, env, ['--head', 'HEAD', '--exit-code'])
    expect(exitCode, stderr).toBe(1)
    const [api] = objectsOf(result)
    expect(api.change).toBe('changed')
    expect(api).not.toHaveProperty('update')
    expect(result.verdict.introduced).toEqual([])
  })

  it('Flux: a StatefulSet whose serviceName changes under a Kustomization with spec.force is replaced; prune: disabled keeps', async () => {
    const kustomization = (force: boolean) =>
      [
        'apiVersion: kustomize.toolkit.fluxcd.io/v1',
        'kind: Kustomization',
        'metadata: {name: apps, namespace: flux-system}',
        'spec:',
        '  interval: 10m',
        '  path: ./apps',
        '  prune: true',
        ...(force ? ['  force: true'] : []),
        '  sourceRef: {kind: GitRepository, name: flux-system}',
        '',
      ].join('\n')
    const sts = (service: string) =>
      `apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: db}\nspec:\n  serviceName: ${service}\n  selector: {matchLabels: {app: db}}\n  template: {metadata: {labels: {app: db}}, spec: {containers: []}}\n`
    const files = {
      'clusters/production/apps.yaml': kustomization(true),
      'apps/db.yaml': sts('db'),
      'apps/old.yaml': configMap('old', 'kustomize.toolkit.fluxcd.io/prune: disabled').replace(
        'name: old',
        'name: old\n  namespace: db',
      ),
    }
    const repo = await prRepo(files, {'apps/db.yaml': sts('db-headless'), 'apps/old.yaml': null})
    const {exitCode, stderr, result} = await diffJson<Result>(repo, env, ['--head', 'HEAD'])
    expect(exitCode, stderr).toBe(0)
    const byName = new Map(objectsOf(result).map((o) => [o.name, o]))
    expect(byName.get('db')?.update).toMatchObject({
      outcome: 'replaced',
      fields: [{field: 'spec.serviceName'}],
      replacedBy: 'spec.force: true on Flux Kustomization flux-system/apps',
    })
    expect(byName.get('old')?.prune).toMatchObject({pruned: false, why: expect.stringMatching(/prune: disabled/)})
    expect(result.verdict.introduced).toEqual([])
  })
})
