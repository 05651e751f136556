// Shapes of real GitOps repositories the gate must judge exactly: kustomize entries that only rename, Helm's
// `tag: ""`, seed 004's override blocks read through the precedence chain, and values that hold a template.
import {afterAll, describe, expect, it} from 'vitest'

import {runCli} from '../../support/cli.js'
import {gitopsTree} from '../../support/gitops-fixture.js'
import {runCleanups} from '../../support/tmp.js'

type Result = {
  summary: string
  findings: Array<{rule: string; file: string; line: number; column: number; message: string}>
}

const A = 'a'.repeat(64)
const B = 'b'.repeat(64)
afterAll(runCleanups)

const treeOf = gitopsTree

const verify = async (dir: string, args: string[] = []) => {
  const run = await runCli(['gitops', 'verify', '--json', '--no-cache', ...args], {cwd: dir})
  expect(run.exitCode, run.stderr).toBeLessThan(2)
  return run.json<Result>()
}
const at = (r: Result) => r.findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.rule}`)

describe('gitops verify: kustomize images entries that only rename', () => {
  // The shape of a kustomize component that moves every image to another registry (`newName` only), beside one
  // that sets the tag, and entries with `newTag: ""` (kustomize ignores an empty newTag).
  const component = (name: string) =>
    [
      'apiVersion: kustomize.config.k8s.io/v1alpha1',
      'kind: Component',
      'images:',
      '- name: us-docker.pkg.dev/shop/demo/adservice',
      '  newName: CONTAINER_IMAGES_REGISTRY/adservice',
      '- name: redis',
      '  newName: REGISTRY/redis',
      '- name: us-docker.pkg.dev/shop/demo/cartservice',
      '  newTag: ""',
      `- name: ${name}`,
      '  newTag: latest',
      '- name: us-docker.pkg.dev/shop/demo/frontend',
      '  newName: REGISTRY/frontend',
      '  newTag: v0.10.1',
      '- name: us-docker.pkg.dev/shop/demo/email',
      '  newName: REGISTRY/email',
      `  digest: sha256:${A}`,
      '',
    ].join('\n')

  it('judges the image an entry produces: a rename keeps the tag it renames, so it draws no finding', async () => {
    const dir = await treeOf({
      'environments/registry/kustomization.yaml': component('us-docker.pkg.dev/shop/demo/checkout'),
      'sources/values/env/staging/kustomization.yaml': component('us-docker.pkg.dev/shop/demo/checkout'),
    })
    const result = await verify(dir)
    expect(at(result)).toEqual([
      // Outside an overlay only the floating newTag.
      'environments/registry/kustomization.yaml:11:11 floating-tag',
      // In an overlay also the entries that set a tag without a digest; the renames and `newTag: ""` say nothing.
      'sources/values/env/staging/kustomization.yaml:10:3 image-not-pinned',
      'sources/values/env/staging/kustomization.yaml:11:11 floating-tag',
      'sources/values/env/staging/kustomization.yaml:12:3 image-not-pinned',
    ])
    expect(result.findings[0].message).toContain('sets newTag: latest')
  })
})

describe('gitops verify: `tag: ""` in Helm values is the chart appVersion', () => {
  it('is not a floating tag; in an overlay without a digest it stays image-not-pinned', async () => {
    const values = [
      'images:',
      '  repository: us-docker.pkg.dev/shop/demo',
      '  # Overrides the image tag whose default is the chart appVersion.',
      '  tag: ""',
      'redis:',
      '  image:',
      '    repository: docker.io/library/redis',
      "    tag: ''",
      `    digest: sha256:${A}`,
      '',
    ].join('\n')
    const dir = await treeOf({
      'ameide.yaml': 'gitopsPolicy:\n  imageContract: split\n',
      'sources/values/_shared/shop.yaml': values,
      'sources/values/env/staging/shop.yaml': values,
    })
    const result = await verify(dir)
    expect(at(result)).toEqual(['sources/values/env/staging/shop.yaml:2:3 image-not-pinned'])
    expect(result.findings[0].message).toBe('images in the staging overlay has no digest.')
  })
})

describe('gitops verify: seed 004 precedence under imageContract: split', () => {
  const root = (digest: boolean) => [
    'image:',
    '  repository: registry.example/lab/jangar',
    '  tag: 5b72ee1e',
    ...(digest ? [`  digest: sha256:${A}`] : []),
  ]
  it('an override naming only a tag inherits the root repository and digest: as pinned as the root', async () => {
    const dir = await treeOf({
      'ameide.yaml': 'gitopsPolicy:\n  imageContract: split\n',
      'sources/values/env/staging/agents.yaml': [...root(true), 'controllers:', '  image: {tag: 6c83ff2f}', ''].join(
        '\n',
      ),
      // Without a root digest the override resolves to a tag: unpinned (and the root too).
      'sources/values/env/local/agents.yaml': [...root(false), 'controllers:', '  image: {tag: 6c83ff2f}', ''].join(
        '\n',
      ),
      // An override naming another repository never borrows the root digest.
      'sources/values/env/production/agents.yaml': [
        ...root(true),
        'controlPlane:',
        '  image:',
        '    repository: registry.example/lab/jangar-control-plane',
        '    tag: 5b72ee1e',
        'controllers:',
        `  image: {repository: registry.example/lab/jangar, tag: 5b72ee1e, digest: "sha256:${B}"}`,
        '',
      ].join('\n'),
    })
    const result = await verify(dir, ['--rule', 'image-not-pinned,override-precedence,lockstep-sha'])
    expect(at(result)).toEqual([
      'sources/values/env/local/agents.yaml:2:3 image-not-pinned',
      'sources/values/env/local/agents.yaml:5:11 image-not-pinned',
      'sources/values/env/production/agents.yaml:7:5 image-not-pinned',
      'sources/values/env/production/agents.yaml:7:17 override-precedence',
    ])
  })
})

describe('gitops verify: a value that holds a template is judged by no rule', () => {
  // A pull-request ApplicationSet selecting the preview image by the head sha (seed 001 F), in Helm parameters,
  // valuesObject and values, kustomize images; Flux `${ }` substitutions and Tekton `$(params.…)`.
  const appset = [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: ApplicationSet',
    'metadata:',
    '  name: previews',
    'spec:',
    '  goTemplate: true',
    '  goTemplateOptions: ["missingkey=error"]',
    '  generators:',
    '    - pullRequest:',
    '        github: {owner: shop, repo: web, labels: [preview]}',
    '        requeueAfterSeconds: 120',
    '  template:',
    "    metadata: {name: 'web-{{ .number }}', finalizers: [resources-finalizer.argocd.argoproj.io]}",
    '    spec:',
    '      project: previews',
    '      source:',
    '        repoURL: https://github.com/shop/gitops.git',
    '        targetRevision: main',
    '        path: charts/web',
    '        helm:',
    '          parameters:',
    '            - name: image.repository',
    '              value: ghcr.io/shop/web',
    '            - name: image.tag',
    "              value: '{{ .head_sha }}'",
    '          valuesObject:',
    '            worker:',
    '              image: {repository: ghcr.io/shop/worker, tag: "{{ .head_short_sha }}"}',
    '            imageTag: "{{ .head_sha }}"',
    "      destination: {name: in-cluster, namespace: 'pr-{{ .number }}'}",
    '      syncPolicy: {automated: {prune: true}}',
    '',
  ].join('\n')
  const values = [
    'api:',
    '  image:',
    '    repository: ghcr.io/shop/api',
    '    tag: ${API_TAG}',
    'job:',
    '  image: $(params.BUILDER_IMAGE)',
    'web:',
    '  image:',
    '    ref: "ghcr.io/shop/web:{{ .Values.tag }}"',
    '',
  ].join('\n')
  const kustomization = [
    'resources: [deploy.yaml]',
    'images:',
    '- name: ghcr.io/shop/api',
    '  newTag: ${API_TAG}',
    '- name: ghcr.io/shop/web',
    '  newName: ${REGISTRY}/web',
    '',
  ].join('\n')

  it('is neither floating, nor unpinned, nor a split-field violation', async () => {
    const policy = [
      'gitopsPolicy:',
      '  preview: {projects: [previews], repositories: ["https://github.com/shop/gitops.git"]}',
      '',
    ].join('\n')
    const dir = await treeOf({
      'ameide.yaml': policy,
      'argocd/previews.yaml': appset,
      'sources/values/env/staging/previews.yaml': appset,
      'sources/values/env/staging/values.yaml': values,
      'sources/values/env/staging/kustomization.yaml': kustomization,
    })
    const result = await verify(dir)
    expect(at(result)).toEqual([])
    expect(result.summary).toBe('pass')
    // The same files with literal values in place of the templates are judged (the test can fail).
    const literal = await treeOf({
      'ameide.yaml': policy,
      'sources/values/env/staging/previews.yaml': appset.replaceAll("'{{ .head_sha }}'", 'latest'),
      'sources/values/env/staging/values.yaml': values.replace('${API_TAG}', 'main'),
    })
    expect(at(await verify(literal))).toEqual([
      'sources/values/env/staging/previews.yaml:23:22 image-not-pinned',
      'sources/values/env/staging/previews.yaml:23:22 split-image-fields',
      'sources/values/env/staging/previews.yaml:25:22 floating-tag',
      'sources/values/env/staging/values.yaml:3:5 image-not-pinned',
      'sources/values/env/staging/values.yaml:3:5 split-image-fields',
      'sources/values/env/staging/values.yaml:4:10 floating-tag',
    ])
  })
})

describe('gitops verify: prose in a block string is no image reference (invalid-image-reference)', () => {
  // Only a string in an image position of an object the gate reads is an image reference: YAML embedded in a block
  // string is read when it is a Kubernetes object (apiVersion and kind), a pod spec by shape, a JSON 6902 patch, or
  // Helm values (`helm.values`, a `values.yaml` key) — never a description that happens to parse as YAML.
  const PROSE = ['  description: |', '    image: ghcr.io/x/web:latest was retired; use the pinned ref.', '']
  it('a description is not read; the same words in a real embedded manifest are', async () => {
    const dir = await treeOf({
      'sources/values/env/staging/notes.yaml': ['release:', ...PROSE, '  note: |', '    image: ghcr.io/x/web', ''].join(
        '\n',
      ),
      'sources/values/env/staging/bundle.yaml': [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata: {name: bundle}',
        'data:',
        ...PROSE,
        '  manifests: |-',
        '    apiVersion: apps/v1',
        '    kind: Deployment',
        '    metadata: {name: web}',
        '    spec:',
        '      template:',
        '        spec:',
        '          containers:',
        '            - name: web',
        '              image: ghcr.io/x/web:latest was retired',
        '            - name: sidecar',
        '              image: ghcr.io/x/sidecar:1.0',
        '',
      ].join('\n'),
    })
    const result = await verify(dir, ['--rule', 'invalid-image-reference,image-not-pinned'])
    expect(at(result)).toEqual([
      // Inside the embedded Deployment: a container's image that is no reference, and an unpinned one.
      'sources/values/env/staging/bundle.yaml:17:22 invalid-image-reference',
      'sources/values/env/staging/bundle.yaml:19:22 image-not-pinned',
    ])
  })
})
