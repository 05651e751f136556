/**
 * A Flux Kustomization's render fields, one Kustomization per field, each over its own copy of the same folder,
 * rendered by `gitops diff` and held to kustomize-controller's build run natively (testdata/flux-postbuild:
 * fluxcd/pkg kustomize v1.44.0 as kustomize-controller v1.10.1 pins it — its generator writing the fields into the
 * folder's kustomization, then SecureBuild), the output read as Kubernetes reads it. The objects must be the same.
 */
import {execFileSync} from 'node:child_process'
import {cpSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {addedObjects, argoReader, buildGo, byName, type AddedResult, type Obj} from '../../../support/argo-render.js'
import {diffLast, history} from '../../../support/diff-repo.js'
import {ORIGIN} from '../../../support/helm-repo.js'
import {git, makeTempDir, runCleanups} from '../../../support/tmp.js'
import {toolEnv} from '../../../support/toolchain.js'

afterAll(runCleanups)

const deployment = [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata: {name: web, labels: {app: web}}',
  'spec:',
  '  replicas: 1',
  '  selector: {matchLabels: {app: web}}',
  '  template:',
  '    metadata: {labels: {app: web}}',
  '    spec: {containers: [{name: web, image: "nginx:1.25"}]}',
  '',
].join('\n')
const service =
  'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n'
const OWN = [
  'namePrefix: own-',
  'resources: [deployment.yaml, service.yaml]',
  'images: [{name: nginx, newName: mirror.example.com/nginx, digest: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}]',
  '',
].join('\n')

interface Case {
  name: string
  /** The lines under the Kustomization's `spec:` besides path, sourceRef, interval, prune. */
  spec: string[]
  /** The folder's own kustomization (none: kustomize-controller generates one). */
  kustomization?: string | null
}

const PATCH = '{target: {kind: Deployment}, patch: "- op: replace\\n  path: /spec/replicas\\n  value: 5\\n"}'

const CASES: Case[] = [
  {name: 'none', spec: []},
  {name: 'target-namespace', spec: ['targetNamespace: shop']},
  // The generator sets the folder's namePrefix: the Kustomization's replaces the folder's own.
  {name: 'name-prefix', spec: ['namePrefix: flux-']},
  {name: 'name-suffix', spec: ['nameSuffix: -v2']},
  // An image the folder already sets: the Kustomization's tag clears the folder's digest.
  {name: 'images-merge', spec: ['images: [{name: nginx, newTag: "1.27"}]']},
  {name: 'images-new', spec: ['images: [{name: busybox, newName: ghcr.io/acme/busybox}]']},
  {name: 'patches', spec: [`patches: [${PATCH}]`]},
  {name: 'components', spec: ['components: [../../components/extra]']},
  {
    name: 'components-missing',
    spec: ['components: [../../components/extra, ../../components/nowhere]', 'ignoreMissingComponents: true'],
  },
  {name: 'generated', spec: ['namePrefix: flux-'], kustomization: null},
  // kustomize-controller keeps the build annotations, their paths relative to the folder it builds.
  {name: 'build-metadata', spec: ['buildMetadata: [originAnnotations]', 'components: [../../components/extra]']},
  {
    name: 'build-metadata-transformers',
    spec: ['buildMetadata: [transformerAnnotations, originAnnotations]', 'namePrefix: flux-'],
    kustomization: [OWN, 'configMapGenerator: [{name: generated, literals: [a=b]}]', ''].join('\n'),
  },
]

const kustomization = (c: Case) =>
  [
    'apiVersion: kustomize.toolkit.fluxcd.io/v1',
    'kind: Kustomization',
    `metadata: {name: ${c.name}, namespace: flux-system}`,
    'spec:',
    '  interval: 10m',
    `  path: ./apps/${c.name}`,
    '  prune: true',
    '  sourceRef: {kind: GitRepository, name: flux-system}',
    ...c.spec.map((l) => `  ${l}`),
    '',
  ].join('\n')

const base: Record<string, string> = {
  'clusters/prod/flux-system/gotk-sync.yaml': [
    'apiVersion: source.toolkit.fluxcd.io/v1',
    'kind: GitRepository',
    'metadata: {name: flux-system, namespace: flux-system}',
    `spec: {interval: 1m, url: ${ORIGIN}, ref: {branch: main}}`,
    '',
  ].join('\n'),
  'components/extra/kustomization.yaml':
    'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [config.yaml]\n',
  'components/extra/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\ndata: {from: component}\n',
}

let read: Awaited<ReturnType<typeof argoReader>>
let reference: string
let repo: string

beforeAll(async () => {
  read = await argoReader()
  // Go 1.27 for fluxcd/pkg kustomize v1.44.0, as render-flux-post-build.test.ts builds it.
  reference = await buildGo('test/gitops/testdata/flux-postbuild', 'flux-postbuild', '.', 'go1.27.3')
  const head: Record<string, string> = {}
  for (const c of CASES) {
    head[`clusters/prod/${c.name}.yaml`] = kustomization(c)
    head[`apps/${c.name}/deployment.yaml`] = deployment
    head[`apps/${c.name}/service.yaml`] = service
    if (c.kustomization !== null) head[`apps/${c.name}/kustomization.yaml`] = c.kustomization ?? OWN
  }
  repo = await history(base, head)
  await git(repo, ['remote', 'set-url', 'origin', ORIGIN])
}, 1_200_000)

/** The case as kustomize-controller builds it: its generator and SecureBuild over a copy of the revision. */
async function fluxRender(c: Case): Promise<Obj[]> {
  const copy = await makeTempDir('ameide-flux-kustomization-case-')
  for (const dir of [`apps/${c.name}`, 'components'])
    cpSync(path.join(repo, dir), path.join(copy, dir), {recursive: true})
  const holders = path.join(copy, 'holders.yaml')
  writeFileSync(holders, 'kind: ConfigMap\nmetadata: {name: none}\n')
  const out = execFileSync(reference, [
    path.join(copy, 'apps', c.name),
    path.join(repo, `clusters/prod/${c.name}.yaml`),
    holders,
    copy,
  ]).toString('utf8')
  return read(out, '')
}

describe("a Flux Kustomization's fields, each as kustomize-controller builds it", () => {
  let result: AddedResult

  beforeAll(async () => {
    result = (await diffLast<AddedResult>(repo, toolEnv())).result
  }, 300_000)

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const want = byName(await fluxRender(c))
    expect(Object.keys(want).length).toBeGreaterThanOrEqual(2)
    expect(byName(addedObjects(result, `apps/${c.name}`))).toEqual(want)
  })
})
