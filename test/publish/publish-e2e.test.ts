import {readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {generateKeyPair, verifyImage, type CosignKeyPair, verifyAttestation} from '../support/cosign.js'
import {getManifest, startRegistry, writeDockerConfig, type Registry} from '../support/registry.js'
import {runCli} from '../support/cli.js'
import {assertMatchesSchema} from '../support/schema.js'
import {commitAll, git, makeTempDir, runCleanups} from '../support/tmp.js'
import {requireTools} from '../support/toolchain.js'
import {allTags, buildSetup, createMonorepo, IDS, publishCli, type BuildSetup, type Monorepo} from './fixture.js'

/**
 * The whole flow on real parts: docker-registry, buildah (vfs, chroot), cosign 2.5 with a per-run key and no
 * transparency log, cdxgen SBOMs. One monorepo, scenarios in order: first publish (+ --update-main), one change
 * (1 built, 2 retagged), rerun (all existing), dry run (no writes), --update-main on the branch commit.
 */
const KEY_PASSWORD = 'e2e-key-password-41d7'

let registry: Registry
let setup: BuildSetup
let repo: Monorepo
let keys: CosignKeyPair
let env: Record<string, string>
let ns: string
let tmp: string

type Report = {
  sha: string
  images: {
    component: string
    action: string
    digest: string
    ref: string
    source?: string
    signature: {status: string; verified: boolean}
    attestations: {type: string; status: string}[]
    main?: {action: string; previousDigest: string | null}
    platforms: string[]
    reason: string
  }[]
  failures: unknown[]
  [k: string]: unknown
}

const byComponent = (report: Report) => Object.fromEntries(report.images.map((i) => [i.component, i]))

async function publish(args: string[], extraEnv: Record<string, string> = {}) {
  const run = await publishCli(repo.dir, ns, ['--key', keys.privateKey, '--no-tlog', '--jobs', '3', ...args], {
    ...env,
    ...extraEnv,
  })
  for (const output of [run.stdout, run.stderr]) expect(output).not.toContain(KEY_PASSWORD)
  return run
}

beforeAll(async () => {
  requireTools('buildah', 'docker-registry', 'cosign', 'cdxgen', 'skopeo')
  tmp = await makeTempDir('ameide-publish-e2e-')
  registry = await startRegistry()
  keys = await generateKeyPair(path.join(tmp, 'keys'), KEY_PASSWORD)
  setup = await buildSetup(tmp, registry)
  const dockerConfig = path.join(tmp, 'docker-config')
  await writeDockerConfig(registry, dockerConfig) // an open registry: empty auths
  env = {...setup.env, ...keys.env, DOCKER_CONFIG: dockerConfig}
  ns = `${registry.host}/e2e`
  repo = await createMonorepo(path.join(tmp, 'mono'), setup.base, registry.host)
}, 180_000)
afterAll(runCleanups)

async function verifyAll(report: Report): Promise<void> {
  for (const image of report.images) {
    const payloads = await verifyImage(keys, image.ref)
    expect(payloads.length).toBeGreaterThan(0)
    for (const type of ['cyclonedx', 'slsaprovenance1']) {
      await verifyAttestation(keys, image.ref, type)
    }
  }
}

describe('ameide primitive publish (buildah, cosign, cdxgen, real registry)', () => {
  let first: Report
  let second: Report

  it('first publish: every component is built, signed, attested; --update-main points :main at the reported digests', async () => {
    const run = await publish(['--update-main'])
    expect(run.exitCode, run.stderr + run.stdout.slice(0, 3000)).toBe(0)
    first = run.json<Report>()
    assertMatchesSchema('publish.schema.json', first)
    expect(first.sha).toBe(await git(repo.dir, ['rev-parse', 'HEAD']))
    expect(first.images.map((i) => i.component)).toEqual(IDS)
    for (const image of first.images) {
      expect(image.action).toBe('built')
      expect(image.reason).toMatch(/first commit/)
      expect(image.ref).toBe(`${ns}/primitive-${image.component}:${first.sha}@${image.digest}`)
      expect(image.signature).toMatchObject({status: 'signed', verified: true})
      expect(image.attestations.map((a) => [a.type, a.status])).toEqual([
        ['cyclonedx', 'attested'],
        ['slsaprovenance1', 'attested'],
      ])
      expect(image.main).toEqual({action: 'moved', previousDigest: null})
      expect(image.platforms).toEqual(['linux/amd64'])
      // the digest of record is the registry's, under both tags
      const repoName = `e2e/primitive-${image.component}`
      expect((await getManifest(registry, repoName, first.sha)).digest).toBe(image.digest)
      expect((await getManifest(registry, repoName, 'main')).digest).toBe(image.digest)
    }
    await verifyAll(first)
  })

  it('a commit changing one component: 1 built, 2 retagged with the digest of :main, no :main move', async () => {
    await git(repo.dir, ['checkout', '-q', '-b', 'feature'])
    await repo.touch('domain/orders', 'domain/orders v2\n')
    await commitAll(repo.dir, 'change orders')
    const run = await publish([])
    expect(run.exitCode, run.stderr + run.stdout.slice(0, 3000)).toBe(0)
    second = run.json<Report>()
    assertMatchesSchema('publish.schema.json', second)
    const images = byComponent(second)
    const before = byComponent(first)
    expect(images['domain-orders'].action).toBe('built')
    expect(images['domain-orders'].reason).toMatch(/1 file\(s\) changed under primitives\/domain\/orders\/.*app\.txt/)
    expect(images['domain-orders'].digest).not.toBe(before['domain-orders'].digest)
    for (const id of ['agent-triage', 'process-billing']) {
      expect(images[id].action).toBe('retagged')
      expect(images[id].digest).toBe(before[id].digest)
      expect(images[id].source).toBe(`${ns}/primitive-${id}:main@${before[id].digest}`)
      // signatures and attestations live on the digest: found, not redone
      expect(images[id].signature.status).toBe('existing')
      expect(images[id].attestations.map((a) => a.status)).toEqual(['existing', 'existing'])
    }
    expect((await getManifest(registry, 'e2e/primitive-domain-orders', 'main')).digest).toBe(
      before['domain-orders'].digest,
    )
    await verifyAll(second)
  })

  it('rerun: all existing, nothing pushed, nothing re-signed; GitHub outputs and summary written', async () => {
    const tagsBefore = await allTags(registry.url)
    const outputFile = path.join(tmp, 'gh-output')
    const summaryFile = path.join(tmp, 'gh-summary')
    await writeFile(outputFile, '')
    await writeFile(summaryFile, '')
    const reportFile = path.join(tmp, 'report.json')
    const run = await publish(['--output', reportFile], {
      GITHUB_ACTIONS: 'true',
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
    })
    expect(run.exitCode, run.stderr + run.stdout.slice(0, 3000)).toBe(0)
    const third = run.json<Report>()
    expect(JSON.parse(await readFile(reportFile, 'utf8'))).toEqual(third)
    for (const image of third.images) {
      expect(image.action).toBe('existing')
      expect(image.digest).toBe(byComponent(second)[image.component].digest)
      expect(image.signature.status).toBe('existing')
      expect(image.attestations.map((a) => a.status)).toEqual(['existing', 'existing'])
    }
    expect(await allTags(registry.url)).toEqual(tagsBefore)

    const outputs = await readFile(outputFile, 'utf8')
    const images = /images<<(\S+)\n(.*)\n\1\n/s.exec(outputs)
    expect(JSON.parse(images![2])).toEqual(third.images)
    for (const image of third.images) expect(outputs).toContain(`\n${image.component}=${image.ref}\n`)
    const summary = await readFile(summaryFile, 'utf8')
    expect(summary).toContain('| component | action | ref |')
    for (const image of third.images) expect(summary).toContain(`\`${image.ref}\``)
  })

  it('dry run: resolves the plan and writes nothing to the registry', async () => {
    await repo.touch('process/billing', 'process/billing v2\n')
    await commitAll(repo.dir, 'change billing')
    const tagsBefore = await allTags(registry.url)
    const run = await publish(['--dry-run'])
    expect(run.exitCode, run.stderr + run.stdout.slice(0, 3000)).toBe(0)
    const plan = run.json<Report>()
    assertMatchesSchema('publish.schema.json', plan)
    expect(plan.dryRun).toBe(true)
    const images = byComponent(plan)
    expect(images['process-billing']).toMatchObject({action: 'built', digest: null, ref: null})
    expect(images['domain-orders']).toMatchObject({action: 'built'}) // changed since main too
    expect(images['agent-triage']).toMatchObject({
      action: 'retagged',
      digest: byComponent(first)['agent-triage'].digest,
    })
    expect(images['agent-triage'].signature.status).toBe('planned')
    expect(await allTags(registry.url)).toEqual(tagsBefore)

    // the same plan in human form: stdout is the plan, nothing pushed either
    const human = await runCli(
      ['primitive', 'publish', '--registry', ns, '--key', keys.privateKey, '--no-tlog', '--dry-run'],
      {cwd: repo.dir, env},
    )
    expect(human.exitCode, human.stderr).toBe(0)
    expect(human.stdout).toContain('[dry run: nothing pushed or signed]')
    expect(human.stdout).toMatch(/retag\s+agent-triage/)
    expect(human.stdout).toMatch(/build\s+process-billing/)
    expect(await allTags(registry.url)).toEqual(tagsBefore)
  })

  it('--update-main moves :main only to digests just reported', async () => {
    await git(repo.dir, ['checkout', '-q', 'HEAD~1']) // the "change orders" commit, already published
    const run = await publish(['--update-main'])
    expect(run.exitCode, run.stderr + run.stdout.slice(0, 3000)).toBe(0)
    const report = run.json<Report>()
    const images = byComponent(report)
    expect(images['domain-orders'].main).toEqual({
      action: 'moved',
      previousDigest: byComponent(first)['domain-orders'].digest,
    })
    expect(images['agent-triage'].main).toEqual({
      action: 'unchanged',
      previousDigest: byComponent(first)['agent-triage'].digest,
    })
    for (const image of report.images) {
      expect((await getManifest(registry, `e2e/primitive-${image.component}`, 'main')).digest).toBe(image.digest)
    }
  })
})
