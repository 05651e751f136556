import {createHash} from 'node:crypto'
import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {FakeArgoCd} from '../support/argocd-server.js'
import {runCli} from '../support/cli.js'
import {generateKeyPair, signImage} from '../support/cosign.js'
import {startFakeGitHub, type FakeGitHub} from '../support/github-server.js'
import {freePort, startRegistry, type Registry} from '../support/registry.js'
import {assertMatchesSchema} from '../support/schema.js'
import {commitAll, initGitRepo, makeTempDir, runCleanups} from '../support/tmp.js'
import {toolEnv} from '../support/toolchain.js'

/**
 * `ameide primitive status` against real parts: a real OCI registry (images pushed over the distribution API), the
 * GitHub stand-in (GitHub's OpenAPI description) holding the GitOps repository's files and pull requests, and the
 * Argo CD stand-in (Argo CD's swagger description). Every link in every state; --all with the request count; a dead
 * registry; no tokens.
 */
const GH_TOKEN = 'ghp_status-test-token-8f2a61'
const ARGO_TOKEN = 'argocd-canary-token-31c9d7e5'
const FAST = JSON.stringify({retryAttempts: 2, retryDelayMs: 5})
const NS = 'st'

let registry: Registry
let github: FakeGitHub
let argo: FakeArgoCd
let mono: string
let sha: string
const digests: Record<string, string> = {}

/** Pushes a tiny OCI image (empty config, no layers, a label to make it unique) as `repo:tag…`; returns its digest. */
async function pushImage(repo: string, tags: string[], label: string): Promise<string> {
  const config = Buffer.from(JSON.stringify({architecture: 'amd64', os: 'linux', config: {Labels: {label}}}))
  const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`
  const start = await fetch(`${registry.url}/v2/${repo}/blobs/uploads/`, {method: 'POST'})
  expect(start.status).toBe(202)
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
  for (const tag of tags) {
    const res = await fetch(`${registry.url}/v2/${repo}/manifests/${tag}`, {
      method: 'PUT',
      body: manifest,
      headers: {'content-type': 'application/vnd.oci.image.manifest.v1+json'},
    })
    expect(res.status).toBe(201)
  }
  return `sha256:${createHash('sha256').update(manifest).digest('hex')}`
}

const wiringFiles = (component: string) => ({
  [`environments/_shared/components/apps/primitives/${component}/component.yaml`]: `name: ${component}\nproject: apps\n`,
  [`sources/values/_shared/apps/${component}.yaml`]: `enabled: false\n`,
})

const overlay = (ref: string, enabled = true) =>
  `# written by CI (ameide gitops set-image)\nenabled: ${enabled}\nimage:\n  ref: ${ref}  # pinned\nreplicas: 1\n`

async function writeMonorepo(dir: string, primitives: string[], registryRef: string): Promise<string> {
  await initGitRepo(dir)
  await writeFile(
    path.join(dir, 'ameide.yaml'),
    `registry: ${registryRef}\ngitops:\n  repository: ameideio/ameide-gitops\n  ref: main\n`,
  )
  for (const p of primitives) {
    await mkdir(path.join(dir, 'primitives', p), {recursive: true})
    await writeFile(path.join(dir, 'primitives', p, 'README.md'), `# ${p}\n`)
  }
  return commitAll(dir, 'primitives')
}

function status(args: string[], env: Record<string, string | undefined> = {}, cwd = mono) {
  return runCli(['primitive', 'status', ...args], {
    cwd,
    env: {
      GH_TOKEN,
      GITHUB_TOKEN: '',
      GITHUB_API_URL: github.url,
      ARGOCD_AUTH_TOKEN: ARGO_TOKEN,
      AMEIDE_TEST_TIMINGS: FAST,
      PATH: '/usr/bin:/bin',
      ...env,
    },
  })
}

const linkOf = (doc: any, kind: string, name: string, link: string, env?: string) =>
  doc.primitives
    .find((p: any) => p.kind === kind && p.name === name)
    .links.find((l: any) => l.link === link && (env === undefined || l.env === env))

beforeAll(async () => {
  registry = await startRegistry()
  github = await startFakeGitHub({token: GH_TOKEN})
  argo = await new FakeArgoCd(ARGO_TOKEN).start()
  mono = await makeTempDir('ameide-status-')
  sha = await writeMonorepo(
    mono,
    ['domain/orders', 'agent/triage', 'process/billing', 'projection/ledger'],
    `${registry.host}/${NS}`,
  )
  const repo = (kind: string, name: string) => `${NS}/primitive-${kind}-${name}`
  digests.orders = await pushImage(repo('domain', 'orders'), [sha, 'main'], 'orders')
  digests.ordersOld = await pushImage(repo('domain', 'orders'), ['0'.repeat(40)], 'orders-old')
  digests.triage = await pushImage(repo('agent', 'triage'), [sha], 'triage')
  digests.triageOld = await pushImage(repo('agent', 'triage'), ['main'], 'triage-old')
  digests.ledger = await pushImage(repo('projection', 'ledger'), [sha, 'main'], 'ledger')
  const ref = (kind: string, name: string, digest: string) => `${registry.host}/${repo(kind, name)}:${sha}@${digest}`
  github.commitFiles('main', {
    ...wiringFiles('domain-orders-v0'),
    'sources/values/env/dev/apps/domain-orders-v0.yaml': overlay(ref('domain', 'orders', digests.orders)),
    'sources/values/env/dev/apps/agent-triage-v0.yaml': overlay(
      `${registry.host}/${repo('agent', 'triage')}:old@${digests.triageOld}`,
    ),
    'sources/values/env/dev/apps/process-billing-v0.yaml': 'enabled: false\n',
    ...wiringFiles('projection-ledger-v0'),
    'sources/values/env/dev/apps/projection-ledger-v0.yaml': overlay(
      `${registry.host}/${repo('projection', 'ledger')}:main`,
    ),
    'sources/values/env/staging/apps/projection-ledger-v0.yaml': overlay(
      ref('projection', 'ledger', digests.ledger),
      false,
    ),
  })
  github.pulls.push(
    {
      number: 7,
      branch: 'scaffold/agent-triage-v0',
      base: 'main',
      state: 'open',
      title: 'scaffold',
      createdAt: new Date(),
    },
    {
      number: 8,
      branch: `ameide/images-staging-${sha.slice(0, 12)}`,
      base: 'main',
      state: 'open',
      title: 'images',
      createdAt: new Date(),
    },
    {
      number: 9,
      branch: 'scaffold/process-billing-v0',
      base: 'main',
      state: 'closed',
      title: 'old',
      createdAt: new Date(),
    },
  )
  argo.apps.set('dev-domain-orders-v0', {
    sync: 'Synced',
    health: 'Healthy',
    images: [ref('domain', 'orders', digests.orders)],
  })
  argo.apps.set('staging-domain-orders-v0', {sync: 'OutOfSync', health: 'Healthy', images: []})
  argo.apps.set('dev-agent-triage-v0', {sync: 'Synced', health: 'Healthy', images: [`x@${digests.triageOld}`]})
  argo.apps.set('dev-projection-ledger-v0', {sync: 'Synced', health: 'Degraded', images: []})
  argo.apps.set('staging-projection-ledger-v0', {sync: 'Synced', health: 'Healthy', images: [], forbidden: true})
})

afterAll(async () => {
  expect(github.violations.slice(0, 3)).toEqual([])
  expect(argo.violations.slice(0, 3)).toEqual([])
  await github.close()
  await argo.stop()
  await runCleanups()
})

describe.concurrent('primitive status', () => {
  it('reports every link of every primitive, in each state, with one exact next command', async () => {
    const run = await status([
      '--all',
      '--skip-verify',
      '--env',
      'dev',
      '--env',
      'staging',
      '--argocd-server',
      argo.url,
      '--json',
    ])
    expect(run.exitCode, run.stderr).toBe(1)
    const doc = run.json()
    assertMatchesSchema('primitive-status.schema.json', doc)
    expect(doc.sha).toBe(sha)
    expect(doc.summary).toBe('not-done')
    expect(doc.primitives.map((p: any) => `${p.kind}/${p.name}`)).toEqual([
      'agent/triage',
      'domain/orders',
      'process/billing',
      'projection/ledger',
    ])
    const state = (k: string, n: string, l: string, e?: string) => linkOf(doc, k, n, l, e).state

    // domain/orders: published, wired, enabled and running in dev; an images PR for staging; staging app out of sync.
    expect(linkOf(doc, 'domain', 'orders', 'image').details).toMatchObject({
      digest: digests.orders,
      mainDigest: digests.orders,
    })
    expect(state('domain', 'orders', 'image')).toBe('done')
    expect(state('domain', 'orders', 'wiring')).toBe('done')
    expect(linkOf(doc, 'domain', 'orders', 'enablement', 'dev')).toMatchObject({
      state: 'done',
      details: {refState: 'current'},
    })
    expect(linkOf(doc, 'domain', 'orders', 'deployed', 'dev')).toMatchObject({
      state: 'done',
      details: {liveDigest: true},
    })
    expect(linkOf(doc, 'domain', 'orders', 'enablement', 'staging')).toMatchObject({
      state: 'pending',
      pullRequest: {number: 8, branch: `ameide/images-staging-${sha.slice(0, 12)}`},
    })
    expect(state('domain', 'orders', 'deployed', 'staging')).toBe('behind')
    expect(doc.primitives[1].nextSteps).toEqual([
      `gh pr merge ${linkOf(doc, 'domain', 'orders', 'enablement', 'staging').pullRequest.url}`,
    ])

    // agent/triage: the scaffold PR is open (pending); dev pins an older digest (behind); :main is another digest.
    expect(linkOf(doc, 'agent', 'triage', 'image').details.mainDigest).toBe(digests.triageOld)
    expect(linkOf(doc, 'agent', 'triage', 'wiring')).toMatchObject({state: 'pending', pullRequest: {number: 7}})
    expect(linkOf(doc, 'agent', 'triage', 'enablement', 'dev')).toMatchObject({
      state: 'behind',
      details: {refState: 'older'},
    })
    expect(linkOf(doc, 'agent', 'triage', 'deployed', 'dev')).toMatchObject({
      state: 'behind',
      details: {liveDigest: false},
    })
    expect(doc.primitives[0].nextSteps[0]).toMatch(/^gh pr merge http/)

    // process/billing: nothing published, no wiring, the old scaffold PR is closed, no application: absent.
    for (const l of ['image', 'wiring']) expect(state('process', 'billing', l)).toBe('absent')
    expect(linkOf(doc, 'process', 'billing', 'enablement', 'dev')).toMatchObject({
      state: 'absent',
      details: {enabled: false, refState: 'absent'},
    })
    expect(state('process', 'billing', 'deployed', 'dev')).toBe('absent')
    expect(doc.primitives[2].nextSteps).toEqual([`ameide primitive publish --component process/billing --sha ${sha}`])

    // projection/ledger: dev's ref is not digest-pinned (behind), staging does not enable it, dev's app is degraded,
    // staging's app answers 403 (missing or not visible: unknown, never a guess).
    expect(linkOf(doc, 'projection', 'ledger', 'enablement', 'dev')).toMatchObject({
      state: 'behind',
      details: {refState: 'unpinned'},
    })
    // The images PR of this commit into staging covers every image of the commit's report.
    expect(linkOf(doc, 'projection', 'ledger', 'enablement', 'staging')).toMatchObject({
      state: 'pending',
      details: {enabled: false},
      pullRequest: {number: 8},
    })
    expect(state('projection', 'ledger', 'deployed', 'dev')).toBe('failed')
    expect(linkOf(doc, 'projection', 'ledger', 'deployed', 'staging')).toMatchObject({
      state: 'unknown',
      reason: expect.stringMatching(/403/),
    })
    expect(doc.primitives[3].nextSteps).toEqual([
      `ameide gitops set-image --env dev --ref ${registry.host}/${NS}/primitive-projection-ledger:${sha}@${digests.ledger} --open-pr --repo ameideio/ameide-gitops`,
    ])
    expect(doc.nextSteps).toEqual(doc.primitives.flatMap((p: any) => p.nextSteps))
    expect(run.stdout).not.toContain(ARGO_TOKEN)
    expect(run.stdout).not.toContain(GH_TOKEN)
  })

  it('is done (exit 0) when every link holds, and prints one line per link', async () => {
    const run = await status(['--kind', 'domain', '--name', 'orders', '--skip-verify', '--argocd-server', argo.url])
    expect(run.exitCode, run.stdout + run.stderr).toBe(0)
    expect(run.stdout).toMatch(/✓ image\s+done/)
    expect(run.stdout).toMatch(/✓ wiring\s+done/)
    expect(run.stdout).toMatch(/✓ enablement dev\s+done/)
    expect(run.stdout).toMatch(/✓ deployed dev\s+done/)
    expect(run.stdout).toContain('1 of 1 primitive done')
  })

  it('runs the verify checks unless --skip-verify: a primitive missing its files fails verify', async () => {
    const run = await status(['--kind', 'domain', '--name', 'orders', '--json'])
    expect(run.exitCode).toBe(1)
    const doc = run.json()
    assertMatchesSchema('primitive-status.schema.json', doc)
    expect(doc.primitives[0].links[0]).toMatchObject({link: 'verify', state: 'failed'})
    expect(doc.primitives[0].nextSteps).toEqual(['ameide primitive verify --kind domain --name orders'])
  })

  it('without tokens the GitHub and Argo CD links are unknown with the reason (exit 1), never a crash', async () => {
    const run = await status(
      ['--kind', 'domain', '--name', 'orders', '--skip-verify', '--argocd-server', argo.url, '--json'],
      {GH_TOKEN: '', ARGOCD_AUTH_TOKEN: ''},
    )
    expect(run.exitCode, run.stderr).toBe(1)
    const doc = run.json()
    assertMatchesSchema('primitive-status.schema.json', doc)
    expect(linkOf(doc, 'domain', 'orders', 'image').state).toBe('done')
    for (const l of ['wiring', 'enablement', 'deployed']) {
      expect(linkOf(doc, 'domain', 'orders', l)).toMatchObject({
        state: 'unknown',
        reason: expect.stringMatching(/token|TOKEN/),
      })
    }
    expect(doc.requests.github).toBe(0)
    expect(doc.requests.argocd).toBe(0)
  })

  it('a registry that is not there: the image link is unknown, exit 4, the result still printed', async () => {
    const dir = await makeTempDir('ameide-status-dead-')
    await writeMonorepo(dir, ['domain/orders'], `127.0.0.1:${await freePort()}/${NS}`)
    const run = await status(['--kind', 'domain', '--name', 'orders', '--skip-verify', '--json'], {}, dir)
    expect(run.exitCode, run.stderr).toBe(4)
    const doc = run.json()
    assertMatchesSchema('primitive-status.schema.json', doc)
    expect(linkOf(doc, 'domain', 'orders', 'image')).toMatchObject({
      state: 'unknown',
      reason: expect.stringMatching(/gave up after 2 attempts/),
    })
    // Each of the two HEADs (:<sha>, :main) tried twice.
    expect(doc.requests.registry).toBe(4)
    // The overlay pins another registry's image: nothing of this repository is enabled.
    expect(linkOf(doc, 'domain', 'orders', 'enablement', 'dev').state).toBe('absent')
  })

  it('Argo CD failing after retries makes deployed unknown and exits 4', async () => {
    const failing = await new FakeArgoCd(ARGO_TOKEN).start()
    failing.failNext = 2
    const run = await status([
      '--kind',
      'domain',
      '--name',
      'orders',
      '--skip-verify',
      '--argocd-server',
      failing.url,
      '--json',
    ])
    await failing.stop()
    expect(failing.requests).toHaveLength(2)
    expect(failing.violations).toEqual([])
    expect(run.exitCode, run.stderr).toBe(4)
    expect(linkOf(run.json(), 'domain', 'orders', 'deployed', 'dev')).toMatchObject({
      state: 'unknown',
      reason: expect.stringMatching(/503/),
    })
  })

  it('--evidence asks cosign as gitops verify does: signed without SBOM and provenance is failed', async () => {
    const keys = await generateKeyPair(path.join(await makeTempDir('ameide-status-keys-'), 'k'), 'status-key-pw-41d0')
    await signImage(keys, `${registry.host}/${NS}/primitive-domain-orders@${digests.orders}`)
    const run = await status(
      [
        '--kind',
        'domain',
        '--name',
        'orders',
        '--skip-verify',
        '--evidence',
        '--key',
        keys.publicKey,
        '--no-tlog',
        '--json',
      ],
      {...toolEnv({TUF_ROOT: path.join(keys.dir, 'tuf')}), GH_TOKEN, GITHUB_API_URL: github.url},
    )
    expect(run.exitCode, run.stderr).toBe(1)
    const doc = run.json()
    assertMatchesSchema('primitive-status.schema.json', doc)
    expect(linkOf(doc, 'domain', 'orders', 'image')).toMatchObject({
      state: 'failed',
      summary: expect.stringContaining('evidence fails: sbom-missing, provenance-missing'),
      details: {evidence: {signed: true, sbom: false, provenance: false, signer: {key: keys.publicKey}}},
    })
    // The findings gitops verify --evidence would report for this ref, with the same rules and messages.
    expect(
      linkOf(doc, 'domain', 'orders', 'image').details.evidence.findings.map((f: {rule: string}) => f.rule),
    ).toEqual(['sbom-missing', 'provenance-missing'])
    expect(doc.primitives[0].nextSteps).toEqual([`ameide primitive publish --component domain/orders --sha ${sha}`])
  })

  it('rejects bad input with exit 2 before asking anyone', async () => {
    for (const args of [
      ['--all', '--env', 'Dev'],
      ['--all', '--argocd-server', 'ftp://x'],
    ]) {
      const run = await status([...args, '--json'])
      expect(run.exitCode, args.join(' ')).toBe(2)
      assertMatchesSchema('error.schema.json', run.json())
    }
  })

  it('--all over many primitives makes a bounded, stated number of requests per primitive', async () => {
    const n = 60
    const dir = await makeTempDir('ameide-status-many-')
    const names = Array.from({length: n}, (_, i) => `domain/p${String(i).padStart(3, '0')}`)
    await writeMonorepo(dir, names, `${registry.host}/${NS}`)
    const gh = await startFakeGitHub({token: GH_TOKEN})
    const cd = await new FakeArgoCd(ARGO_TOKEN).start()
    // 150 open PRs: the listing takes two pages of 100, once for the whole run.
    for (let i = 0; i < 150; i++) {
      gh.pulls.push({
        number: 100 + i,
        branch: `feature/x-${i}`,
        base: 'main',
        state: 'open',
        title: 'x',
        createdAt: new Date(),
      })
    }
    const run = await status(
      ['--all', '--skip-verify', '--env', 'dev', '--env', 'staging', '--argocd-server', cd.url, '--json'],
      {GITHUB_API_URL: gh.url},
      dir,
    )
    await gh.close()
    await cd.stop()
    expect(gh.violations).toEqual([])
    expect(cd.violations).toEqual([])
    expect(run.exitCode, run.stderr).toBe(1)
    const doc = run.json()
    assertMatchesSchema('primitive-status.schema.json', doc)
    expect(doc.primitives).toHaveLength(n)
    // Registry: HEAD :<sha> and HEAD :main per primitive. GitHub: 2 wiring files + 1 overlay per env per primitive,
    // and the open-PR listing (2 pages) once. Argo CD: one Application per env per primitive.
    expect(doc.requests).toEqual({registry: 2 * n, github: 4 * n + 2, argocd: 2 * n})
    expect(gh.requests).toHaveLength(4 * n + 2)
    expect(gh.requestsFor('pulls/list').map((r) => r.query.page)).toEqual(['1', '2'])
    expect(cd.requests).toHaveLength(2 * n)
  })
})
