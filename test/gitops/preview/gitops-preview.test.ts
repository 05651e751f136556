import {createHash} from 'node:crypto'
import {copyFile, mkdir, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../../support/cli.js'
import {buildProvenancePredicate} from '../../../src/publish/provenance.js'
import {attestImage, generateKeyPair, signImage, type CosignKeyPair} from '../../support/cosign.js'
import {startRegistry, type Registry} from '../../support/registry.js'
import {assertMatchesSchema} from '../../support/schema.js'
import {commitAll, git, initGitRepo, makeTempDir, runCleanups, writeFiles} from '../../support/tmp.js'
import {requireTools} from '../../support/toolchain.js'

/**
 * `ameide gitops preview` on real parts: a real OCI registry (Debian's docker-registry) holding images at :<head sha>
 * (two signed with cosign, one unsigned, one missing), helm rendering the charts, cosign verifying. The examples'
 * preview ApplicationSet, and a matrix of a list and a pull-request generator with a Namespace lane.
 */
const SHA = '4f2c0a9d81b3e6f7a5c4d3b2e1f0a9b8c7d6e5f4'
const REPOSITORY = 'https://github.com/ameideio/ameide'
const PR = ['--pr', '42', '--head-sha', SHA, '--repository', REPOSITORY]
const BUILT_AT = '0123456789abcdef0123456789abcdef01234567'
const EXAMPLE = await readFile(path.resolve('docs/examples/gitops/preview-applicationset.yaml'), 'utf8')

let registry: Registry
let keys: CosignKeyPair
const digests: Record<string, string> = {}

/** A tiny OCI image (empty config, no layers, a label making it unique) pushed as `repo:tag`; its digest. */
async function pushImage(repo: string, tag: string): Promise<string> {
  const config = Buffer.from(JSON.stringify({architecture: 'amd64', os: 'linux', config: {Labels: {repo}}}))
  const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`
  const start = await fetch(`${registry.url}/v2/${repo}/blobs/uploads/`, {method: 'POST'})
  const location = new URL(start.headers.get('location')!, registry.url)
  location.searchParams.set('digest', configDigest)
  const put = await fetch(location, {
    method: 'PUT',
    body: config,
    headers: {'content-type': 'application/octet-stream'},
  })
  expect(put.status).toBe(201)
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length},
      layers: [],
    }),
  )
  const res = await fetch(`${registry.url}/v2/${repo}/manifests/${tag}`, {
    method: 'PUT',
    body: manifest,
    headers: {'content-type': 'application/vnd.oci.image.manifest.v1+json'},
  })
  expect(res.status).toBe(201)
  return `sha256:${createHash('sha256').update(manifest).digest('hex')}`
}

const APP_CHART = {
  'Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\n',
  'templates/deployment.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: app}',
    'spec:',
    '  selector: {matchLabels: {app: app}}',
    '  template:',
    '    metadata: {labels: {app: app}}',
    '    spec:',
    '      containers:',
    '        - name: app',
    '          image: {{ .Values.image.ref }}',
    '',
  ].join('\n'),
}
const NAMESPACE_CHART = {
  'Chart.yaml': 'apiVersion: v2\nname: preview-namespace\nversion: 0.1.0\n',
  'templates/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {{ .Values.namespace }}\n',
}

/** The matrix: a list of lanes (the Namespace lane first) × the pull-request generator. */
function matrixAppSet(lanes: string[]): string {
  const elements = lanes.map((name) =>
    name === 'namespace'
      ? {name, chart: 'sources/charts/preview-namespace'}
      : {name, chart: 'sources/charts/primitives/app'},
  )
  return `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: lanes
  namespace: argocd
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
    - matrix:
        generators:
          - list:
              elements: ${JSON.stringify(elements)}
          - pullRequest:
              github: {owner: ameideio, repo: ameide, labels: [preview]}
              filters: [{branchMatch: "^feature/.*"}]
              requeueAfterSeconds: 300
  template:
    metadata:
      name: "{{ .name }}-pr-{{ .number }}"
      finalizers: [resources-finalizer.argocd.argoproj.io]
    spec:
      project: previews
      source:
        repoURL: https://github.com/ameideio/ameide-gitops.git
        targetRevision: main
        path: "{{ .chart }}"
        helm:
          parameters:
            - name: image.ref
              value: "${registry.host}/demo/{{ .name }}:{{ .head_sha }}"
            - name: namespace
              value: "pr-{{ .number }}"
      destination:
        server: https://kubernetes.default.svc
        namespace: "pr-{{ .number }}"
      syncPolicy:
        automated: {prune: true, selfHeal: true}
`
}

/** A GitOps checkout (origin: the example's repository) with the charts, an evidencePolicy and `appset`. */
async function gitops(appset: string, provenance = 'optional'): Promise<string> {
  const dir = await makeTempDir('ameide-preview-')
  await initGitRepo(dir)
  await git(dir, ['remote', 'add', 'origin', 'https://github.com/ameideio/ameide-gitops.git'])
  const files: Record<string, string> = {
    'argocd/previews.yaml': appset,
    'sources/values/env/preview/orders.yaml': 'image:\n  ref: ""\n',
    'ameide.yaml': [
      'gitopsPolicy:',
      '  preview: {projects: [previews], webhook: true}',
      'evidencePolicy:',
      `  - images: ["${registry.host}/demo/*"]`,
      '    signers: [{key: keys/cosign.pub}]',
      `    provenance: ${provenance}`,
      '    sbom: optional',
      '',
    ].join('\n'),
  }
  for (const [f, t] of Object.entries(APP_CHART)) files[`sources/charts/primitives/app/${f}`] = t
  for (const [f, t] of Object.entries(APP_CHART)) files[`sources/charts/primitives/orders/${f}`] = t
  for (const [f, t] of Object.entries(NAMESPACE_CHART)) files[`sources/charts/preview-namespace/${f}`] = t
  await writeFiles(dir, files)
  await mkdir(path.join(dir, 'keys'))
  await copyFile(keys.publicKey, path.join(dir, 'keys/cosign.pub'))
  await commitAll(dir, 'previews')
  return dir
}

interface Result {
  previewed: boolean
  ready: boolean
  pr: {number: number; headSha: string}
  applicationSets: Array<{name: string; previewed: boolean; reason?: string}>
  applications: Array<{
    name: string
    namespace: string
    ready: boolean
    images: Array<{
      ref: string
      digest: string | null
      exists: boolean
      evidence?: {signed: boolean; provenance?: boolean; provenanceFacts?: {commit?: string}}
    }>
  }>
  findings: Array<{rule: string; message: string; application?: string; image?: string; fix?: string}>
}

const preview = async (dir: string, args: string[]) => {
  const run = await runCli(['gitops', 'preview', '--root', dir, '--json', ...args], {env: keys.env})
  const result = run.json<Result>()
  assertMatchesSchema('gitops-preview.schema.json', result)
  return {run, result}
}

beforeAll(async () => {
  requireTools('docker-registry', 'cosign', 'helm')
  const tmp = await makeTempDir('ameide-preview-keys-')
  registry = await startRegistry()
  keys = await generateKeyPair(path.join(tmp, 'keys'), 'preview-key-password-7d3a')
  for (const name of ['orders', 'triage', 'billing', 'retagged']) digests[name] = await pushImage(`demo/${name}`, SHA)
  for (const name of ['orders', 'triage', 'retagged'])
    await signImage(keys, `${registry.host}/demo/${name}@${digests[name]}`)
  // What publish's re-tag of an unchanged component leaves at :<head sha>: the provenance of the commit that built it.
  const built = buildProvenancePredicate({
    repository: 'https://github.com/ameideio/ameide',
    sha: BUILT_AT,
    dockerfile: 'primitives/domain/retagged/Dockerfile',
    context: 'primitives/domain/retagged',
    buildArgs: {},
    platforms: [],
    component: 'domain-retagged',
    builderId: 'https://ameide.io/builders/buildah@1.28.2',
    startedOn: new Date(0),
    finishedOn: new Date(0),
  })
  await attestImage(keys, `${registry.host}/demo/retagged@${digests.retagged}`, 'slsaprovenance1', built)
}, 180_000)
afterAll(runCleanups)

describe('ameide gitops preview (real registry, helm, cosign)', () => {
  it("the example's ApplicationSet: a PR without the label is not previewed, with the filter that dropped it", async () => {
    const dir = await gitops(
      EXAMPLE.replace('ghcr.io/ameideio/primitive-domain-orders', `${registry.host}/demo/orders`),
    )
    const {run, result} = await preview(dir, PR)
    expect(run.exitCode, run.stderr).toBe(1)
    expect(result.previewed).toBe(false)
    expect(result.applications).toEqual([])
    expect(result.applicationSets).toEqual([
      {
        name: 'primitives-preview',
        file: 'argocd/previews.yaml',
        previewed: false,
        reason: expect.stringContaining('github.labels'),
      },
    ])
    expect(result.findings.map((f) => f.rule)).toEqual(['not-previewed'])
    // A matrix drops the PR once per list element: its reason is said once.
    const matrix = await preview(await gitops(matrixAppSet(['namespace', 'orders', 'triage'])), PR)
    expect(matrix.result.applicationSets[0].reason).toBe('github.labels: the pull request lacks the label preview')
  })

  it.each([
    {
      name: 'gitlab-labels',
      provider: 'gitlab',
      config: '{project: ameideio/ameide, labels: [preview]}',
      repository: 'https://gitlab.com/ameideio/ameide',
    },
    {
      name: 'gitea-labels',
      provider: 'gitea',
      config: '{api: "https://gitea.example.com/", owner: ameideio, repo: ameide, labels: [preview]}',
      repository: 'https://gitea.example.com/ameideio/ameide',
    },
    {
      name: 'azuredevops-labels',
      provider: 'azuredevops',
      config: '{organization: ameideio, project: ameide, repo: ameide, labels: [preview]}',
      repository: 'https://dev.azure.com/ameideio/ameide/_git/ameide',
    },
  ])('$name: a PR without every label is not previewed; with them it is', async ({provider, config, repository}) => {
    const appset = matrixAppSet(['namespace', 'orders']).replace(
      'github: {owner: ameideio, repo: ameide, labels: [preview]}',
      `${provider}: ${config}`,
    )
    const dir = await gitops(appset)
    const pr = ['--pr', '42', '--head-sha', SHA, '--repository', repository, '--branch', 'feature/x']
    const dropped = await preview(dir, pr)
    expect(dropped.result.applicationSets[0].reason).toBe(
      `${provider}.labels: the pull request lacks the label preview`,
    )
    const labelled = await preview(dir, [...pr, '--label', 'preview'])
    expect(labelled.result.previewed).toBe(true)
  })

  it('the repository: a generator of another repository does not list the PR; a GitLab project by ID is a finding; a GitLab state that is not open drops it', async () => {
    const dir = await gitops(matrixAppSet(['namespace', 'orders']))
    const args = ['--pr', '42', '--head-sha', SHA, '--label', 'preview', '--branch', 'feature/x']
    const other = await preview(dir, [...args, '--repository', 'https://github.com/ameideio/other'])
    expect(other.result.previewed).toBe(false)
    expect(other.result.applicationSets[0].reason).toBe(
      'github: it lists the pull requests of github ameideio/ameide, not of https://github.com/ameideio/other',
    )
    // GitHub's names are not case-sensitive, and a clone URL names the repository as well.
    const same = await preview(dir, [...args, '--repository', 'https://github.com/AmeideIO/Ameide.git'])
    expect(same.result.previewed).toBe(true)
    expect(same.result.pr).toMatchObject({repository: 'https://github.com/AmeideIO/Ameide.git', repositoryFrom: 'flag'})
    const byId = await preview(
      await gitops(
        matrixAppSet(['namespace', 'orders']).replace(
          'github: {owner: ameideio, repo: ameide, labels: [preview]}',
          'gitlab: {project: "42", labels: [preview]}',
        ),
      ),
      [...args, '--repository', 'https://gitlab.com/ameideio/ameide'],
    )
    expect(byId.result.findings).toContainEqual(
      expect.objectContaining({
        rule: 'pull-request-input-missing',
        message: expect.stringContaining('named by its ID'),
      }),
    )
    // GitLab lists the merge requests of the state asked (every state when none): the one under review is open.
    const merged = await preview(
      await gitops(
        matrixAppSet(['namespace', 'orders']).replace(
          'github: {owner: ameideio, repo: ameide, labels: [preview]}',
          'gitlab: {project: ameideio/ameide, pullRequestState: merged}',
        ),
      ),
      [...args, '--repository', 'https://gitlab.com/ameideio/ameide'],
    )
    expect(merged.result.applicationSets[0].reason).toBe(
      'gitlab.pullRequestState merged: the pull request under review is open',
    )
  })

  it("no --repository: the one repository every pull-request generator lists is the PR's (inferred, said); two repositories, or a GitLab project by ID, still ask", async () => {
    const second = matrixAppSet(['triage']).replace('  name: lanes\n', '  name: more-lanes\n')
    const args = ['--pr', '42', '--head-sha', SHA, '--label', 'preview', '--branch', 'feature/x']
    const one = `${matrixAppSet(['namespace', 'orders'])}---\n${second.replace('owner: ameideio', 'owner: AmeideIO')}`
    const dir = await gitops(one)
    const {run, result} = await preview(dir, args)
    expect(run.exitCode, JSON.stringify(result.findings)).toBe(0)
    expect(result).toMatchObject({
      previewed: true,
      ready: true,
      findings: [],
      pr: {repository: REPOSITORY, repositoryFrom: 'generators'},
    })
    expect(result.applications.map((a) => [a.name, a.ready])).toEqual([
      ['namespace-pr-42', true],
      ['orders-pr-42', true],
      ['triage-pr-42', true],
    ])
    const human = await runCli(['gitops', 'preview', '--root', dir, ...args])
    expect(human.exitCode).toBe(0)
    expect(human.stdout).toContain(`repository ${REPOSITORY}: inferred, every pull-request generator lists it`)
    // --repository still decides: another repository's pull request is not listed.
    const flagged = await preview(dir, [...args, '--repository', 'https://github.com/ameideio/other'])
    expect(flagged.result).toMatchObject({previewed: false, pr: {repositoryFrom: 'flag'}})
    // So does a pull_request event's base repository.
    const event = path.join(dir, '..', `event-${path.basename(dir)}.json`)
    await writeFile(
      event,
      JSON.stringify({pull_request: {base: {repo: {html_url: 'https://github.com/ameideio/other'}}}}),
    )
    const actions = {GITHUB_ACTIONS: 'true', GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event}
    const evented = await runCli(['gitops', 'preview', '--root', dir, '--json', ...args], {env: actions})
    expect(evented.json<Result>()).toMatchObject({previewed: false, pr: {repositoryFrom: 'event'}})

    const askFor = (r: Result) => r.findings.filter((f) => f.rule === 'pull-request-input-missing')
    const two = await gitops(
      `${matrixAppSet(['namespace', 'orders'])}---\n${second.replace('repo: ameide', 'repo: other')}`,
    )
    const differ = await preview(two, args)
    expect(differ.run.exitCode).toBe(1)
    expect(differ.result.ready).toBe(false)
    expect(differ.result.pr).not.toHaveProperty('repository')
    expect(askFor(differ.result).map((f) => f.message)).toEqual([
      expect.stringContaining(
        'ApplicationSet lanes lists the pull requests of github ameideio/ameide; this run does not say',
      ),
      expect.stringContaining(
        'ApplicationSet more-lanes lists the pull requests of github ameideio/other; this run does not say',
      ),
    ])
    for (const f of askFor(differ.result)) expect(f.fix).toContain('--repository URL')
    const byId = second.replace(
      'github: {owner: ameideio, repo: ameide, labels: [preview]}',
      'gitlab: {project: "42", labels: [preview]}',
    )
    const unknown = await preview(await gitops(byId), args)
    expect(askFor(unknown.result)).toHaveLength(1)
    expect(unknown.result.ready).toBe(false)
  })

  it("pullRequest values: rendered with the pull request's parameters, the template reads them as .values", async () => {
    const appset = matrixAppSet(['namespace', 'orders'])
      .replace(
        '              github: {owner: ameideio, repo: ameide, labels: [preview]}',
        '              github: {owner: ameideio, repo: ameide, labels: [preview]}\n              values: {lane: "pr-{{ .number }}-{{ .branch_slug }}"}',
      )
      .replace('      name: "{{ .name }}-pr-{{ .number }}"', '      name: "{{ .name }}-{{ .values.lane }}"')
    const {result} = await preview(await gitops(appset), [...PR, '--label', 'preview', '--branch', 'feature/Orders_X'])
    expect(result.applications.map((a) => a.name).sort()).toEqual([
      'namespace-pr-42-feature-orders-x',
      'orders-pr-42-feature-orders-x',
    ])
  })

  it('continueOnRepoNotFoundError: the pull request under review is in its repository, so it is listed as without it', async () => {
    const base = matrixAppSet(['namespace', 'orders'])
    const tolerant = base.replace(
      '              github: {owner: ameideio, repo: ameide, labels: [preview]}',
      '              github: {owner: ameideio, repo: ameide, labels: [preview]}\n              continueOnRepoNotFoundError: true',
    )
    expect(tolerant).not.toBe(base)
    const args = [...PR, '--label', 'preview', '--branch', 'feature/x']
    const [without, with_] = [await preview(await gitops(base), args), await preview(await gitops(tolerant), args)]
    expect(with_.result.applications.map((a) => a.name).sort()).toEqual(['namespace-pr-42', 'orders-pr-42'])
    // The same, but for the line the images are found at: the ApplicationSet has one line more.
    const seen = (r: typeof without.result) => ({
      applications: r.applications.map((a) => ({...a, images: a.images.map((i) => ({...i, line: undefined}))})),
      findings: r.findings.map((f) => [f.rule, f.application, f.image]),
    })
    expect(seen(with_.result)).toEqual(seen(without.result))
  })

  it("with the label: the controller's name and namespace, the image found by digest, the missing namespace lane a finding", async () => {
    const dir = await gitops(
      EXAMPLE.replace('ghcr.io/ameideio/primitive-domain-orders', `${registry.host}/demo/orders`),
    )
    const {run, result} = await preview(dir, [...PR, '--label', 'preview'])
    expect(run.exitCode, run.stderr).toBe(1)
    expect(result.previewed).toBe(true)
    expect(result.applications.map((a) => [a.name, a.namespace])).toEqual([['orders-pr-42', 'pr-42']])
    expect(result.applications[0].images).toMatchObject([
      {ref: `${registry.host}/demo/orders:${SHA}`, digest: digests.orders, exists: true},
    ])
    expect(result.findings.map((f) => [f.rule, f.application])).toEqual([['namespace-missing', 'orders-pr-42']])
  })

  it("a template source pinned to a tag of the GitOps repository: that tag's chart renders, not the checkout's", async () => {
    const orders = EXAMPLE.replace('ghcr.io/ameideio/primitive-domain-orders', `${registry.host}/demo/orders`)
    const dir = await gitops(orders.replace('targetRevision: main', 'targetRevision: v1'))
    await git(dir, ['tag', 'v1'])
    const moved = APP_CHART['templates/deployment.yaml'].replace('.Values.image.ref }}', '.Values.image.ref }}-next')
    await writeFiles(dir, {'sources/charts/primitives/orders/templates/deployment.yaml': moved})
    await commitAll(dir, 'the chart moves on')
    const refs = (r: Result) => r.applications.flatMap((a) => a.images.map((i) => [i.ref, i.exists]))
    const pinned = await preview(dir, [...PR, '--label', 'preview'])
    expect(refs(pinned.result)).toEqual([[`${registry.host}/demo/orders:${SHA}`, true]])
    await writeFiles(dir, {'argocd/previews.yaml': orders})
    await commitAll(dir, 'at main')
    const current = await preview(dir, [...PR, '--label', 'preview'])
    expect(refs(current.result)).toEqual([[`${registry.host}/demo/orders:${SHA}-next`, false]])
  })

  it('a matrix of a list and a pull-request generator: each missing or unsigned image named with its Application and fix', async () => {
    const dir = await gitops(matrixAppSet(['namespace', 'orders', 'triage', 'billing', 'search']))
    const args = [...PR, '--label', 'preview', '--branch', 'feature/x', '--evidence', '--no-tlog']
    const {run, result} = await preview(dir, args)
    expect(run.exitCode, run.stderr).toBe(1)
    expect(result.applications.map((a) => [a.name, a.namespace, a.ready])).toEqual([
      ['billing-pr-42', 'pr-42', false],
      ['namespace-pr-42', 'pr-42', true],
      ['orders-pr-42', 'pr-42', true],
      ['search-pr-42', 'pr-42', false],
      ['triage-pr-42', 'pr-42', true],
    ])
    const named = result.findings.map((f) => [f.rule, f.application, f.image])
    expect(named).toEqual([
      ['unsigned', 'billing-pr-42', `${registry.host}/demo/billing:${SHA}`],
      ['image-missing', 'search-pr-42', `${registry.host}/demo/search:${SHA}`],
    ])
    for (const f of result.findings) expect(f.fix).toContain(`ameide primitive publish --sha ${SHA}`)
    const orders = result.applications.find((a) => a.name === 'orders-pr-42')!
    expect(orders.images[0].evidence?.signed).toBe(true)
    const human = await runCli(['gitops', 'preview', '--root', dir, ...args], {env: keys.env})
    expect(human.stdout).toContain('✗ search-pr-42 → namespace pr-42: not ready')
    expect(human.stdout).toContain(`fix: ameide primitive publish --sha ${SHA}`)
  })

  it('a branch the filters do not match is not previewed; a PR whose images are all there and signed is ready (exit 0)', async () => {
    const dir = await gitops(matrixAppSet(['namespace', 'orders', 'triage']))
    const dropped = await preview(dir, [...PR, '--label', 'preview', '--branch', 'main'])
    expect(dropped.run.exitCode).toBe(1)
    expect(dropped.result.applicationSets[0].reason).toContain('filters.0.branchMatch')
    const markdown = path.join(dir, '..', `preview-${path.basename(dir)}.md`)
    const args = [
      ...PR,
      '--label',
      'preview',
      '--branch',
      'feature/x',
      '--evidence',
      '--no-tlog',
      '--markdown',
      markdown,
    ]
    const {run, result} = await preview(dir, args)
    expect(run.exitCode, JSON.stringify(result.findings)).toBe(0)
    expect(result).toMatchObject({previewed: true, ready: true, pr: {number: 42, headSha: SHA}, findings: []})
    expect(await readFile(markdown, 'utf8')).toContain('🟢 ready')
  })

  it('a re-tagged image (provenance of the commit that built it) is ready unless its entry sets commitMatchesTag', async () => {
    const args = [...PR, '--label', 'preview', '--branch', 'feature/x', '--evidence', '--no-tlog']
    const lanes = matrixAppSet(['namespace', 'retagged'])
    const {run, result} = await preview(await gitops(lanes), args)
    expect(run.exitCode, JSON.stringify(result.findings)).toBe(0)
    const image = result.applications.find((a) => a.name === 'retagged-pr-42')!.images[0]
    expect(image.evidence).toMatchObject({signed: true, provenance: true, provenanceFacts: {commit: BUILT_AT}})
    const human = await runCli(['gitops', 'preview', '--root', await gitops(lanes), ...args], {env: keys.env})
    expect(human.stdout).toContain(`✓ signed ✗ sbom ✓ provenance built at ${BUILT_AT.slice(0, 12)}`)

    const strict = await preview(await gitops(lanes, '{commitMatchesTag: true}'), args)
    expect(strict.run.exitCode).toBe(1)
    expect(strict.result.findings).toMatchObject([
      {
        rule: 'provenance-commit',
        application: 'retagged-pr-42',
        message: expect.stringContaining(`names commit ${BUILT_AT}, not the head sha ${SHA}`),
        fix: expect.stringContaining('commitMatchesTag'),
      },
    ])
  })

  it("title and author: a template reading one this run lacks is a finding with its flag; given, they render as Go's slug and regexp decide", async () => {
    const appset = matrixAppSet(['namespace', 'orders'])
      .replace('filters: [{branchMatch: "^feature/.*"}]', 'filters: [{branchMatch: "^feature/(?P<topic>[a-z_]+)$"}]')
      .replace(
        'finalizers: [resources-finalizer.argocd.argoproj.io]',
        'finalizers: [resources-finalizer.argocd.argoproj.io]\n      annotations: {by: "{{ .author }}", slug: "{{ .branch_slug }}"}',
      )
    const dir = await gitops(appset)
    const args = [...PR, '--label', 'preview', '--branch', 'feature/orders_pagination']
    const missing = await preview(dir, args)
    expect(missing.run.exitCode).toBe(1)
    const finding = missing.result.findings.find((f) => f.rule === 'pull-request-input-missing')
    expect(finding).toMatchObject({fix: expect.stringContaining('--author LOGIN')})
    expect(finding?.message).toContain('{{ .author }}')
    // Not Go's bare "map has no entry for key": the finding above says it.
    expect(missing.result.findings.filter((f) => f.message.includes('no entry for key'))).toEqual([])
    const given = await preview(dir, [...args, '--author', 'octocat', '--title', 'Orders: paginate'])
    expect(given.result.findings.map((f) => f.rule)).not.toContain('pull-request-input-missing')
    expect(given.result.previewed).toBe(true)
    expect(given.result.pr).toMatchObject({author: 'octocat', title: 'Orders: paginate'})
    // A branch the RE2 pattern (a (?P<name>) group: no JavaScript regexp) does not match is dropped.
    const dropped = await preview(dir, [...PR, '--label', 'preview', '--branch', 'feature/Orders', '--author', 'x'])
    expect(dropped.result.applicationSets[0].reason).toContain('filters.0.branchMatch')
    // A pattern Go does not compile fails the generator with Go's message.
    const bad = await gitops(appset.replace('^feature/(?P<topic>[a-z_]+)$', 'a{1001}'))
    const failed = await preview(bad, [...args, '--author', 'x'])
    expect(failed.result.findings.find((f) => f.rule === 'generation-failed')?.message).toContain(
      'error compiling BranchMatch regexp "a{1001}": error parsing regexp: invalid repeat count',
    )
  })

  it("a filter's titleMatch and targetBranchMatch match the title and base branch, as Argo CD's ListPullRequests does; without --title it is a finding", async () => {
    const appset = matrixAppSet(['namespace', 'orders']).replace(
      'filters: [{branchMatch: "^feature/.*"}]',
      'filters: [{branchMatch: "^feature/.*", targetBranchMatch: "^main$", titleMatch: "^(?i)orders:"}]',
    )
    const dir = await gitops(appset)
    const args = [...PR, '--label', 'preview', '--branch', 'feature/x']
    const previewed = await preview(dir, [...args, '--target-branch', 'main', '--title', 'ORDERS: paginate'])
    expect(previewed.result.previewed).toBe(true)
    const dropped = await preview(dir, [...args, '--target-branch', 'main', '--title', 'Billing: invoices'])
    expect(dropped.result.applicationSets[0].reason).toContain('filters.0.titleMatch "^(?i)orders:" does not match')
    const released = await preview(dir, [...args, '--title', 'Orders: x', '--target-branch', 'release'])
    expect(released.result.applicationSets[0].reason).toContain('filters.0.targetBranchMatch "^main$" does not match')
    const untitled = await preview(dir, [...args, '--target-branch', 'main'])
    expect(untitled.run.exitCode).toBe(1)
    expect(untitled.result.findings.find((f) => f.rule === 'pull-request-input-missing')).toMatchObject({
      message: expect.stringContaining('(titleMatch: ^(?i)orders:)'),
      fix: expect.stringContaining('--title'),
    })
    const bad = await preview(await gitops(appset.replace('^(?i)orders:', 'a{1001}')), [
      ...args,
      '--target-branch',
      'main',
      '--title',
      'x',
    ])
    expect(bad.result.findings.find((f) => f.rule === 'generation-failed')?.message).toContain(
      'error compiling TitleMatch regexp "a{1001}"',
    )
  })

  it('bad input is a usage error (exit 2), never an internal one', async () => {
    const dir = await gitops(EXAMPLE)
    const run = await runCli(['gitops', 'preview', '--root', dir, '--pr', '42', '--head-sha', 'abc'])
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('INVALID_PULL_REQUEST')
  })
})
