import {mkdir, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {buildSetup, createMonorepo, publishCli} from '../../publish/fixture.js'
import {runCli} from '../../support/cli.js'
import {generateKeyPair, signImage, type CosignKeyPair} from '../../support/cosign.js'
import {pushBaseImage} from '../../support/images.js'
import {freePort, startRegistry, writeDockerConfig, type Registry} from '../../support/registry.js'
import {assertMatchesSchema} from '../../support/schema.js'
import {commitAll, initGitRepo, makeTempDir, runCleanups} from '../../support/tmp.js'
import {requireTools} from '../../support/toolchain.js'

/**
 * --evidence on real parts: images published (built, signed, attested) by `ameide primitive publish` into a real
 * registry, an unsigned image and one signed without attestations; cosign verifies each digest once.
 */
const KEY_PASSWORD = 'evidence-key-password-5c1e'
let registry: Registry
let keys: CosignKeyPair
let env: Record<string, string>
let published: Array<{component: string; ref: string; digest: string}>
let unsigned: string
let signedOnly: string
let gitops: string
let reportFile: string

beforeAll(async () => {
  requireTools('buildah', 'docker-registry', 'cosign', 'cdxgen')
  const tmp = await makeTempDir('ameide-gitops-evidence-')
  registry = await startRegistry()
  keys = await generateKeyPair(path.join(tmp, 'keys'), KEY_PASSWORD)
  const setup = await buildSetup(tmp, registry)
  const dockerConfig = path.join(tmp, 'docker-config')
  await writeDockerConfig(registry, dockerConfig)
  env = {...setup.env, ...keys.env, DOCKER_CONFIG: dockerConfig}
  const mono = await createMonorepo(path.join(tmp, 'mono'), setup.base, registry.host)
  const run = await publishCli(mono.dir, `${registry.host}/ev`, ['--key', keys.privateKey, '--no-tlog'], env)
  expect(run.exitCode, run.stderr).toBe(0)
  published = run.json().images
  reportFile = path.join(tmp, 'publish.json')
  await writeFile(reportFile, run.stdout)
  unsigned = (await pushBaseImage(registry, setup.benv, {repo: 'ev/unsigned', tag: '1'})).ref
  signedOnly = (await pushBaseImage(registry, setup.benv, {repo: 'ev/signed-only', tag: '1'})).ref
  await signImage(keys, signedOnly)

  gitops = path.join(tmp, 'gitops')
  await mkdir(path.join(gitops, 'sources/values/env/local/apps'), {recursive: true})
  await mkdir(path.join(gitops, 'sources/values/env/production/apps'), {recursive: true})
  await initGitRepo(gitops)
  const [orders, triage] = [published[1], published[0]]
  await writeFile(
    path.join(gitops, 'sources/values/env/local/apps/orders.yaml'),
    `image:\n  ref: ${orders.ref}\nsmoke:\n  image:\n    ref: ${unsigned}\n`,
  )
  await writeFile(path.join(gitops, 'sources/values/env/local/apps/triage.yaml'), `image:\n  ref: ${triage.ref}\n`)
  await writeFile(
    path.join(gitops, 'sources/values/env/production/apps/orders.yaml'),
    `image:\n  ref: ${orders.ref}\nsidecar:\n  image:\n    ref: ${signedOnly}\n`,
  )
  await commitAll(gitops, 'refs')
}, 300_000)
afterAll(runCleanups)

const evidence = (args: string[]) =>
  runCli(['gitops', 'verify', '--json', '--evidence', '--key', keys.publicKey, '--no-tlog', ...args], {
    cwd: gitops,
    env,
  })

describe('ameide gitops verify --evidence (real registry, real cosign)', () => {
  it('passes images published by ameide primitive publish, and names the unsigned and unattested ones', async () => {
    const run = await evidence([])
    expect(run.exitCode, run.stderr).toBe(1)
    const result = run.json()
    assertMatchesSchema('gitops-verify.schema.json', result)
    const byImage = Object.fromEntries(result.evidence.map((e: {image: string}) => [e.image, e])) as Record<
      string,
      {signed: boolean; sbom: boolean; provenance: boolean; uses: unknown[]}
    >
    const ordersKey = `${registry.host}/ev/primitive-domain-orders@${published[1].digest}`
    // Each digest once, with every place that uses it.
    expect(result.evidence).toHaveLength(4)
    expect(byImage[ordersKey]).toMatchObject({signed: true, sbom: true, provenance: true})
    expect(byImage[ordersKey].uses).toEqual([
      {file: 'sources/values/env/local/apps/orders.yaml', line: 2},
      {file: 'sources/values/env/production/apps/orders.yaml', line: 2},
    ])
    expect(byImage[unsigned]).toMatchObject({signed: false, sbom: false, provenance: false})
    expect(byImage[signedOnly]).toMatchObject({signed: true, sbom: false, provenance: false})
    expect(
      result.findings.map((f: {file: string; line: number; rule: string}) => `${f.file}:${f.line} ${f.rule}`),
    ).toEqual([
      'sources/values/env/local/apps/orders.yaml:5 provenance-missing',
      'sources/values/env/local/apps/orders.yaml:5 sbom-missing',
      'sources/values/env/local/apps/orders.yaml:5 unsigned',
      'sources/values/env/production/apps/orders.yaml:5 provenance-missing',
      'sources/values/env/production/apps/orders.yaml:5 sbom-missing',
    ])
  })

  it('--env narrows the digests asked about; a wrong key makes every image unsigned', async () => {
    const prod = (await evidence(['--env', 'production'])).json()
    expect(prod.evidence.map((e: {image: string}) => e.image).sort()).toEqual(
      [`${registry.host}/ev/primitive-domain-orders@${published[1].digest}`, signedOnly].sort(),
    )
    const other = await generateKeyPair(path.join(await makeTempDir(), 'other'), 'other-password-1')
    const wrong = await runCli(
      ['gitops', 'verify', '--json', '--evidence', '--key', other.publicKey, '--no-tlog', '--env', 'local'],
      {cwd: gitops, env},
    )
    expect(wrong.json().evidence.every((e: {signed: boolean}) => !e.signed)).toBe(true)
  })

  it('set-image takes a real publish report: the stale ref is rewritten, the current one left, the unwired one listed', async () => {
    const dir = path.join(await makeTempDir('ameide-gitops-report-'), 'gitops')
    await mkdir(path.join(dir, 'sources/values/env/local'), {recursive: true})
    await initGitRepo(dir)
    const [triage, orders] = [published[0], published[1]]
    const old = `${registry.host}/ev/primitive-agent-triage:0000000@sha256:${'0'.repeat(64)}`
    await writeFile(
      path.join(dir, 'sources/values/env/local/apps.yaml'),
      `# local\ntriage:\n  image:\n    ref: ${old}  # stale\norders:\n  image:\n    ref: "${orders.ref}"\n`,
    )
    await commitAll(dir, 'overlay')
    const run = await runCli(['gitops', 'set-image', '--json', '--env', 'local', '--report', reportFile], {cwd: dir})
    expect(run.exitCode, run.stdout).toBe(0)
    const result = run.json()
    assertMatchesSchema('gitops-set-image.schema.json', result)
    expect(result.changes).toEqual([
      {
        file: 'sources/values/env/local/apps.yaml',
        line: 4,
        component: 'agent-triage',
        repository: `${registry.host}/ev/primitive-agent-triage`,
        from: old,
        to: triage.ref,
        convention: {form: 'reference', evidence: 'reference', why: 'a one-string reference takes the whole ref'},
      },
    ])
    expect(result.unchanged.map((u: {component: string}) => u.component)).toEqual(['domain-orders'])
    expect(result.notFound.map((n: {component: string}) => n.component)).toEqual(['process-billing'])
    expect(await readFile(path.join(dir, 'sources/values/env/local/apps.yaml'), 'utf8')).toBe(
      `# local\ntriage:\n  image:\n    ref: ${triage.ref}  # stale\norders:\n  image:\n    ref: "${orders.ref}"\n`,
    )
  })

  it('a registry that keeps failing is exit 4 (VERIFY_REMOTE_FAILED) after the retry budget', async () => {
    const dir = await makeTempDir('ameide-gitops-down-')
    await initGitRepo(dir)
    await mkdir(path.join(dir, 'sources/values/env/local'), {recursive: true})
    const port = await freePort()
    await writeFile(
      path.join(dir, 'sources/values/env/local/app.yaml'),
      `image:\n  ref: 127.0.0.1:${port}/gone/app:1@sha256:${'e'.repeat(64)}\n`,
    )
    await commitAll(dir, 'down')
    const run = await runCli(['gitops', 'verify', '--json', '--evidence', '--key', keys.publicKey, '--no-tlog'], {
      cwd: dir,
      env,
    })
    expect(run.exitCode, run.stdout).toBe(4)
    expect(run.json().error.code).toBe('VERIFY_REMOTE_FAILED')
  }, 120_000)

  it('without cosign on PATH, --evidence is exit 3 before any registry call', async () => {
    const run = await runCli(['gitops', 'verify', '--json', '--evidence', '--key', keys.publicKey], {
      cwd: gitops,
      // git (to find the checkout) but no cosign: the folders of git and of this Node, nothing else.
      env: {PATH: [path.dirname(process.execPath), '/usr/bin', '/bin'].join(path.delimiter)},
    })
    expect(run.exitCode).toBe(3)
    expect(run.json().error.code).toBe('COSIGN_NOT_FOUND')
  })
})
