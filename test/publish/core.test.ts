import {createHash} from 'node:crypto'
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeEach, describe, expect, it} from 'vitest'

import {DEFAULT_CONFIG} from '../../src/core/config.js'
import {failureError, remoteError} from '../../src/core/errors.js'
import type {Progress} from '../../src/core/output/progress.js'
import type {BuildRequest, Builder} from '../../src/effects/builders/builder.js'
import type {Manifest, ManifestHead, Registry} from '../../src/effects/registry/registry.js'
import type {AttestationType, SbomGenerator, Signer} from '../../src/effects/signing.js'
import {publish, type PublishOptions} from '../../src/publish/publish.js'
import type {PublishReport} from '../../src/publish/report.js'
import {chooseSigning, supplyChainFor, type SigningChoice} from '../../src/publish/signing.js'
import {NO_SIGN, type SupplyChain} from '../../src/publish/supply-chain.js'
import {assertMatchesSchema} from '../support/schema.js'
import {commitAll, initGitRepo, makeTempDir, runCleanups} from '../support/tmp.js'

/**
 * The publish core in-process, with its seams filled by fakes: an in-memory registry implementing `Registry`, a
 * builder that pushes a synthetic image into it, a signer that keeps signatures and attestations in memory. Real
 * git repositories (change detection is git's). What the fakes cannot show (real bytes on a real registry, buildah,
 * cosign) is in publish-e2e.test.ts and publish-faults.test.ts.
 */
afterAll(runCleanups)

const NS = 'registry.test/ns'
const repoOf = (id: string) => `${NS}/primitive-${id}`
const ORDERS = repoOf('domain-orders')
const BILLING = repoOf('process-billing')
const TRIAGE = repoOf('agent-triage')

const digestOf = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`
const json = (value: unknown) => Buffer.from(JSON.stringify(value))

type Op = 'HEAD' | 'GET' | 'PUT' | 'BLOB'

/** A registry in memory: manifests by digest, tags, blobs; every call logged; faults injected per call. */
class MemoryRegistry implements Registry {
  readonly manifests = new Map<string, Manifest>()
  readonly tags = new Map<string, string>()
  readonly blobs = new Map<string, Buffer>()
  readonly calls: string[] = []
  /** Return an error to fail that call. */
  fault: (op: Op, repository: string, reference: string) => Error | undefined = () => undefined

  private call(op: Op, repository: string, reference: string): void {
    this.calls.push(`${op} ${repository}:${reference}`)
    const error = this.fault(op, repository, reference)
    if (error) throw error
  }

  private find(repository: string, reference: string): Manifest | null {
    const digest = reference.startsWith('sha256:') ? reference : this.tags.get(`${repository}:${reference}`)
    return (digest && this.manifests.get(`${repository}@${digest}`)) || null
  }

  async getManifest(repository: string, reference: string): Promise<Manifest | null> {
    this.call('GET', repository, reference)
    return this.find(repository, reference)
  }

  async headManifest(repository: string, reference: string): Promise<ManifestHead | null> {
    this.call('HEAD', repository, reference)
    const found = this.find(repository, reference)
    return found && {digest: found.digest, mediaType: found.mediaType, size: found.size}
  }

  async putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    this.call('PUT', repository, reference)
    return this.store(repository, reference, bytes, mediaType)
  }

  async getBlob(repository: string, digest: string): Promise<Buffer> {
    this.call('BLOB', repository, digest)
    const blob = this.blobs.get(digest)
    if (!blob) throw new Error(`no blob ${digest}`)
    return blob
  }

  /** Stores without logging (seeding, and the fake builder's push). */
  store(repository: string, tag: string, bytes: Buffer, mediaType: string): string {
    const digest = digestOf(bytes)
    this.manifests.set(`${repository}@${digest}`, {digest, mediaType, size: bytes.length, bytes: Buffer.from(bytes)})
    this.tags.set(`${repository}:${tag}`, digest)
    return digest
  }

  /** A single-platform OCI image (its config blob says the platform) under `tag`. */
  pushImage(repository: string, tag: string, content: string, arch = 'amd64'): string {
    const config = json({os: 'linux', architecture: arch, content})
    this.blobs.set(digestOf(config), config)
    const manifest = json({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config), size: config.length},
      layers: [],
    })
    return this.store(repository, tag, manifest, 'application/vnd.oci.image.manifest.v1+json')
  }

  /** A two-platform OCI index (plus an attestation manifest, which is no platform) under `tag`. */
  pushIndex(repository: string, tag: string): string {
    const index = json({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {digest: this.pushImage(repository, 'amd64', 'x', 'amd64'), platform: {os: 'linux', architecture: 'amd64'}},
        {digest: this.pushImage(repository, 'arm64', 'x', 'arm64'), platform: {os: 'linux', architecture: 'arm64'}},
        {digest: `sha256:${'e'.repeat(64)}`, platform: {os: 'unknown', architecture: 'unknown'}},
      ],
    })
    return this.store(repository, tag, index, 'application/vnd.oci.image.index.v1+json')
  }

  digestAt(repository: string, tag: string): string | undefined {
    return this.tags.get(`${repository}:${tag}`)
  }

  writes(): string[] {
    return this.calls.filter((c) => c.startsWith('PUT'))
  }
}

/** Builds by pushing a synthetic image of the Dockerfile's content into the memory registry. */
class FakeBuilder implements Builder {
  readonly name = 'buildah' as const
  readonly built: BuildRequest[] = []
  fail: (request: BuildRequest) => Error | undefined = () => undefined

  constructor(private readonly registry: MemoryRegistry) {}

  async available(): Promise<boolean> {
    return true
  }

  async buildAndPush(request: BuildRequest) {
    this.built.push(request)
    const error = this.fail(request)
    if (error) throw error
    const at = request.imageRef.lastIndexOf(':')
    const content = await readFile(request.dockerfile, 'utf8')
    this.registry.pushImage(request.imageRef.slice(0, at), request.imageRef.slice(at + 1), content)
    return {builderId: 'https://ameide.io/builders/fake@1'}
  }
}

/** cosign's job in memory: signatures and attestations by digest ref; predicates must be real JSON files. */
class FakeSigner implements Signer {
  readonly signatures = new Set<string>()
  readonly attestations = new Map<string, unknown>()
  readonly calls: string[] = []

  async preflight(): Promise<void> {
    this.calls.push('preflight')
  }

  async hasValidSignature(digestRef: string): Promise<boolean> {
    return this.signatures.has(digestRef)
  }

  async sign(digestRef: string): Promise<void> {
    this.calls.push(`sign ${digestRef}`)
    this.signatures.add(digestRef)
  }

  async verify(digestRef: string): Promise<void> {
    if (!this.signatures.has(digestRef)) throw failureError('SIGNATURE_INVALID', `${digestRef} is not signed`)
  }

  async hasValidAttestation(digestRef: string, type: AttestationType): Promise<boolean> {
    return this.attestations.has(`${digestRef} ${type}`)
  }

  /** The stored predicate as cosign prints it: one DSSE envelope whose in-toto statement is about the digest. */
  async verifiedAttestations(digestRef: string, type: AttestationType): Promise<string | null> {
    if (!this.attestations.has(`${digestRef} ${type}`)) return null
    const statement = {
      _type: 'https://in-toto.io/Statement/v0.1',
      predicateType: type === 'slsaprovenance1' ? 'https://slsa.dev/provenance/v1' : 'https://cyclonedx.org/bom',
      subject: [{name: digestRef.split('@')[0], digest: {sha256: digestRef.split('@sha256:')[1]}}],
      predicate: this.attestations.get(`${digestRef} ${type}`),
    }
    const payload = Buffer.from(JSON.stringify(statement)).toString('base64')
    return `${JSON.stringify({payloadType: 'application/vnd.in-toto+json', payload, signatures: []})}\n`
  }

  async attest(digestRef: string, type: AttestationType, predicateFile: string): Promise<void> {
    this.calls.push(`attest ${type} ${digestRef}`)
    this.attestations.set(`${digestRef} ${type}`, JSON.parse(await readFile(predicateFile, 'utf8')))
  }

  async verifyAttestation(digestRef: string, type: AttestationType): Promise<void> {
    if (!this.attestations.has(`${digestRef} ${type}`))
      throw failureError('ATTESTATION_INVALID', `${digestRef} has no ${type}`)
  }
}

const fakeSbom: SbomGenerator = {
  tool: 'syft',
  attestationType: 'cyclonedx',
  generate: async (digestRef, outFile) =>
    writeFile(outFile, JSON.stringify({bomFormat: 'CycloneDX', subject: digestRef})),
}

const silent: Progress = {start() {}, update() {}, succeed() {}, fail() {}, info() {}, stop() {}}

let dir: string
let first: string
let second: string
let registry: MemoryRegistry
let builder: FakeBuilder
let signer: FakeSigner

/**
 * A monorepo with three components and two commits: the second changes domain/orders only. The registry has
 * `:main` of orders and of billing (an index), none of triage.
 */
beforeEach(async () => {
  dir = await makeTempDir('ameide-publish-core-')
  await initGitRepo(dir)
  for (const component of ['agent/triage', 'domain/orders', 'process/billing']) {
    await mkdir(path.join(dir, 'primitives', component), {recursive: true})
    await writeFile(path.join(dir, 'primitives', component, 'Dockerfile'), `FROM scratch\n# ${component} v1\n`)
  }
  first = await commitAll(dir, 'first')
  await writeFile(path.join(dir, 'primitives/domain/orders/Dockerfile'), 'FROM scratch\n# domain/orders v2\n')
  second = await commitAll(dir, 'second')
  registry = new MemoryRegistry()
  registry.pushImage(ORDERS, 'main', 'orders v1')
  registry.pushIndex(BILLING, 'main')
  builder = new FakeBuilder(registry)
  signer = new FakeSigner()
})

function options(over: Partial<PublishOptions> = {}): PublishOptions {
  return {
    repoRoot: dir,
    registry: NS,
    insecureRegistry: false,
    base: first,
    baseBranch: 'main',
    all: false,
    components: [],
    sharedInputs: DEFAULT_CONFIG.publish.sharedInputs,
    platforms: [],
    buildArgs: {},
    updateMain: false,
    jobs: 2,
    dryRun: false,
    builderChoice: 'buildah',
    env: {},
    ameideVersion: '0.0.0-test',
    ...over,
  }
}

async function signed(choice: SigningChoice = {mode: 'key', keyRef: 'cosign.key', tlog: false}): Promise<SupplyChain> {
  return supplyChainFor(choice, {
    sbomChoice: 'auto',
    selectSbom: async () => fakeSbom,
    provenance: true,
    signer: () => signer,
  })
}

async function run(over: Partial<PublishOptions> = {}, supplyChain: SupplyChain = NO_SIGN): Promise<PublishReport> {
  let selected = 0
  const report = await publish(options(over), {
    client: registry,
    selectBuilder: async () => {
      selected++
      return builder
    },
    supplyChain,
    progress: silent,
    now: () => 1_700_000_000_000,
  })
  assertMatchesSchema('publish.schema.json', report)
  if (over.dryRun) expect(selected).toBe(0)
  return report
}

const byComponent = (report: PublishReport) => Object.fromEntries(report.images.map((i) => [i.component, i]))

describe('publish core: build, retag, existing', () => {
  it('builds the changed component, re-tags the unchanged one with :main, builds the one without :main', async () => {
    const mainOfBilling = registry.digestAt(BILLING, 'main')!
    const report = await run()
    const images = byComponent(report)
    expect(report.failures).toEqual([])
    expect(report.images.map((i) => i.component)).toEqual(['agent-triage', 'domain-orders', 'process-billing'])

    expect(images['domain-orders']).toMatchObject({action: 'built', digest: registry.digestAt(ORDERS, second)})
    expect(images['domain-orders'].reason).toContain('primitives/domain/orders')
    expect(images['agent-triage'].action).toBe('built')
    expect(images['agent-triage'].reason).toContain(':main does not exist yet: built instead')
    expect(builder.built.map((b) => b.imageRef).sort()).toEqual([`${TRIAGE}:${second}`, `${ORDERS}:${second}`])

    // The retag: :main's exact bytes under :<sha>, one PUT, the same digest, the index's platforms.
    expect(images['process-billing']).toMatchObject({
      action: 'retagged',
      digest: mainOfBilling,
      ref: `${BILLING}:${second}@${mainOfBilling}`,
      source: `${BILLING}:main@${mainOfBilling}`,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      platforms: ['linux/amd64', 'linux/arm64'],
    })
    expect(registry.digestAt(BILLING, second)).toBe(mainOfBilling)
    expect(registry.writes()).toEqual([`PUT ${BILLING}:${second}`])
    // Built images take their platform from the config blob.
    expect(images['domain-orders'].platforms).toEqual(['linux/amd64'])
    // :main never moves without --update-main.
    expect(images['domain-orders'].main).toBeUndefined()
    expect(registry.digestAt(ORDERS, 'main')).not.toBe(images['domain-orders'].digest)
  })

  it('re-tags a single-manifest :main in 3 requests, as an index: HEAD :<sha>, GET :main, PUT :<sha>', async () => {
    const single = registry.pushImage(BILLING, 'main', 'billing v1', 'arm64')
    const report = await run({components: [{kind: 'process', name: 'billing'}]})
    expect(report.failures).toEqual([])
    expect(report.images[0]).toMatchObject({
      action: 'retagged',
      digest: single,
      source: `${BILLING}:main@${single}`,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      // Its platform is in the config blob, which a retag does not read (the dry run says the same).
      platforms: [],
    })
    expect(registry.calls).toEqual([`HEAD ${BILLING}:${second}`, `GET ${BILLING}:main`, `PUT ${BILLING}:${second}`])
    expect(registry.digestAt(BILLING, second)).toBe(single)
  })

  it('a re-tag names the commit that built :main, as its verified provenance says (the tag is this commit)', async () => {
    const single = registry.pushImage(BILLING, 'main', 'billing v1', 'arm64')
    const builtBy = 'b'.repeat(40)
    signer.signatures.add(`${BILLING}@${single}`)
    signer.attestations.set(`${BILLING}@${single} slsaprovenance1`, {
      buildDefinition: {
        externalParameters: {repository: 'https://github.com/ameideio/ameide', sha: builtBy},
        resolvedDependencies: [
          {uri: `git+https://github.com/ameideio/ameide@${builtBy}`, digest: {gitCommit: builtBy}},
        ],
      },
      runDetails: {builder: {id: 'https://ameide.io/builders/fake@1'}},
    })
    const report = await run({components: [{kind: 'process', name: 'billing'}]}, await signed())
    expect(report.images[0]).toMatchObject({
      action: 'retagged',
      tag: second,
      source: `${BILLING}:main@${single}`,
      sourceCommit: builtBy,
    })
    // The provenance of :main is kept, never replaced by one claiming this commit.
    expect(signer.calls.filter((c) => c.startsWith('attest slsaprovenance1'))).toEqual([])
    // Without a provenance on :main there is no commit to name: a new one is attested, and no sourceCommit.
    signer.attestations.clear()
    registry.tags.delete(`${BILLING}:${second}`)
    const again = await run({components: [{kind: 'process', name: 'billing'}]}, await signed())
    expect(again.images[0].action).toBe('retagged')
    expect(again.images[0]).not.toHaveProperty('sourceCommit')
    expect(signer.calls.filter((c) => c.startsWith('attest slsaprovenance1'))).toHaveLength(1)
  })

  it("reads a re-tagged single manifest's platform from its config only for a provenance predicate", async () => {
    const single = registry.pushImage(BILLING, 'main', 'billing v1', 'arm64')
    const report = await run({components: [{kind: 'process', name: 'billing'}]}, await signed())
    expect(report.images[0]).toMatchObject({action: 'retagged', digest: single, platforms: []})
    expect(registry.calls.filter((c) => c.startsWith('BLOB'))).toHaveLength(1)
    const provenance = signer.attestations.get(`${BILLING}@${single} slsaprovenance1`) as {
      buildDefinition: {externalParameters: {platforms: string[]}}
    }
    expect(provenance.buildDefinition.externalParameters.platforms).toEqual(['linux/arm64'])

    // --platform names the platforms itself: no config read.
    registry.calls.length = 0
    signer.attestations.clear()
    signer.signatures.clear()
    registry.tags.delete(`${BILLING}:${second}`)
    await run({components: [{kind: 'process', name: 'billing'}], platforms: ['linux/arm64']}, await signed())
    expect(registry.calls.filter((c) => c.startsWith('BLOB'))).toEqual([])
  })

  it('reuses an existing :<sha> as is: no build, no write', async () => {
    const existing = registry.pushImage(ORDERS, second, 'built elsewhere')
    const report = await run({components: [{kind: 'domain', name: 'orders'}]})
    expect(report.images).toHaveLength(1)
    expect(report.images[0]).toMatchObject({action: 'existing', digest: existing})
    expect(report.images[0].reason).toContain('already exists')
    expect(report.builder).toBeNull()
    expect(builder.built).toEqual([])
    expect(registry.writes()).toEqual([])
  })

  it('a dry run reports the same images as the run, writes nothing and selects no builder or signer', async () => {
    registry.pushImage(TRIAGE, second, 'built elsewhere')
    const supplyChain = await signed()
    const dry = await run({dryRun: true, updateMain: true}, supplyChain)
    expect(registry.writes()).toEqual([])
    expect(signer.calls).toEqual([])
    const planned = byComponent(dry)
    expect(planned['domain-orders']).toMatchObject({action: 'built', digest: null, ref: null, mediaType: null})
    expect(planned['domain-orders'].signature).toEqual({status: 'planned', mode: 'key', tlog: false, verified: false})
    expect(planned['process-billing'].signature.reason).toBe('only if no valid signature exists')
    // An index carries its platforms: the dry run reports them without a registry read.
    expect(planned['process-billing'].platforms).toEqual(['linux/amd64', 'linux/arm64'])
    expect(planned['process-billing'].attestations).toEqual([
      {type: 'cyclonedx', status: 'planned', tool: 'auto'},
      {type: 'slsaprovenance1', status: 'planned', tool: 'ameide'},
    ])
    expect(planned['process-billing'].main).toEqual({
      action: 'unchanged',
      previousDigest: registry.digestAt(BILLING, 'main'),
    })
    expect(planned['domain-orders'].main).toEqual({
      action: 'planned',
      previousDigest: registry.digestAt(ORDERS, 'main'),
    })

    // One record function: what the plan knows reads the same in the dry run and in the run.
    const real = byComponent(await run({updateMain: true}, supplyChain))
    const known = [
      'component',
      'repository',
      'tag',
      'digest',
      'ref',
      'action',
      'reason',
      'source',
      'mediaType',
    ] as const
    for (const id of ['agent-triage', 'process-billing']) {
      for (const field of known) expect(planned[id][field]).toEqual(real[id][field])
    }
    expect(planned['domain-orders'].reason).toBe(real['domain-orders'].reason)
  })
})

describe('publish core: --update-main', () => {
  it('moves :main to the digests just reported, leaves it where it already is, and creates it when missing', async () => {
    const oldOrders = registry.digestAt(ORDERS, 'main')!
    const billing = registry.digestAt(BILLING, 'main')!
    const report = await run({updateMain: true})
    const images = byComponent(report)
    expect(images['domain-orders'].main).toEqual({action: 'moved', previousDigest: oldOrders})
    expect(images['process-billing'].main).toEqual({action: 'unchanged', previousDigest: billing})
    expect(images['agent-triage'].main).toEqual({action: 'moved', previousDigest: null})
    for (const image of report.images) expect(registry.digestAt(image.repository, 'main')).toBe(image.digest)
    expect(
      registry
        .writes()
        .filter((w) => w.endsWith(':main'))
        .sort(),
    ).toEqual([`PUT ${TRIAGE}:main`, `PUT ${ORDERS}:main`])
  })

  it('an existing :<sha> moves :main too (read with one HEAD), and a failed move is that component failure', async () => {
    registry.pushImage(TRIAGE, second, 'built elsewhere')
    registry.fault = (op, repository, reference) =>
      op === 'PUT' && repository === ORDERS && reference === 'main'
        ? remoteError('REGISTRY_UNAVAILABLE', 'PUT main: 503 (gave up after 4 attempts)')
        : undefined
    const report = await run({updateMain: true})
    const images = byComponent(report)
    expect(images['agent-triage']).toMatchObject({action: 'existing', main: {action: 'moved', previousDigest: null}})
    expect(registry.calls).toContain(`HEAD ${TRIAGE}:main`)
    // orders was built and reported; only moving its :main failed.
    expect(images['domain-orders'].action).toBe('built')
    expect(images['domain-orders'].main).toBeUndefined()
    expect(report.failures).toEqual([
      {component: 'domain-orders', code: 'REGISTRY_UNAVAILABLE', message: expect.any(String), exitCode: 4},
    ])
  })
})

describe('publish core: per-component failures', () => {
  it('a failed build, a failed retag and a failed plan read are each that component failure; the others complete', async () => {
    registry.pushImage(TRIAGE, 'main', 'triage v1')
    builder.fail = (request) =>
      request.imageRef.startsWith(ORDERS) ? failureError('BUILD_FAILED', 'buildah build failed (exit 1)') : undefined
    registry.fault = (op, repository) =>
      op === 'PUT' && repository === BILLING
        ? remoteError('REGISTRY_UNAVAILABLE', 'PUT: 503 (gave up after 4 attempts)')
        : undefined
    const report = await run()
    expect(report.images.map((i) => [i.component, i.action])).toEqual([['agent-triage', 'retagged']])
    expect(report.failures).toEqual([
      {component: 'domain-orders', code: 'BUILD_FAILED', message: 'buildah build failed (exit 1)', exitCode: 1},
      {component: 'process-billing', code: 'REGISTRY_UNAVAILABLE', message: expect.any(String), exitCode: 4},
    ])

    registry.fault = (op, repository) =>
      op === 'HEAD' && repository === TRIAGE ? remoteError('REGISTRY_UNAVAILABLE', 'HEAD: 503') : undefined
    builder.fail = () => undefined
    const planFailed = await run()
    expect(planFailed.failures.map((f) => [f.component, f.code])).toEqual([['agent-triage', 'REGISTRY_UNAVAILABLE']])
    expect(planFailed.images.map((i) => i.component)).toEqual(['domain-orders', 'process-billing'])
  })

  it('a signature that does not verify fails that component only', async () => {
    signer.verify = async (digestRef) => {
      if (digestRef.startsWith(BILLING)) throw failureError('SIGNATURE_INVALID', 'cosign verify failed')
    }
    const report = await run({}, await signed())
    expect(report.failures.map((f) => [f.component, f.code])).toEqual([['process-billing', 'SIGNATURE_INVALID']])
    expect(report.images.map((i) => i.component)).toEqual(['agent-triage', 'domain-orders'])
  })
})

describe('publish core: the supply-chain step', () => {
  it('signs and attests every image by digest, and on a rerun adds only what is missing', async () => {
    const supplyChain = await signed()
    const report = await run({}, supplyChain)
    expect(signer.calls[0]).toBe('preflight')
    expect(report.signing).toEqual({enabled: true, mode: 'key', tlog: false, keyRef: 'cosign.key'})
    expect(report.sbom).toEqual({enabled: true, tool: 'syft', type: 'cyclonedx'})
    for (const image of report.images) {
      const digestRef = `${image.repository}@${image.digest}`
      expect(image.signature).toEqual({status: 'signed', mode: 'key', tlog: false, verified: true})
      expect(image.attestations.map((a) => [a.type, a.status])).toEqual([
        ['cyclonedx', 'attested'],
        ['slsaprovenance1', 'attested'],
      ])
      expect(signer.signatures.has(digestRef)).toBe(true)
      const provenance = signer.attestations.get(`${digestRef} slsaprovenance1`) as {
        buildDefinition: {externalParameters: Record<string, unknown>}
        runDetails: {builder: {id: string}}
      }
      expect(provenance.runDetails.builder.id).toBe(
        image.action === 'built' ? 'https://ameide.io/builders/fake@1' : 'https://ameide.io/builders/reused-digest',
      )
    }

    // Rerun of the same commit: every :<sha> exists and is signed and attested: nothing is added.
    signer.calls.length = 0
    const rerun = await run({}, await signed())
    expect(rerun.images.map((i) => i.action)).toEqual(['existing', 'existing', 'existing'])
    for (const image of rerun.images) {
      expect(image.signature.status).toBe('existing')
      expect(image.attestations.map((a) => a.status)).toEqual(['existing', 'existing'])
    }
    expect(signer.calls).toEqual(['preflight'])
  })

  it('NO_SIGN records every part as skipped and never reaches a signer', async () => {
    const report = await run()
    expect(report.signing).toEqual({enabled: false})
    expect(report.sbom).toEqual({enabled: false})
    expect(report.provenance).toEqual({enabled: false})
    for (const image of report.images) {
      expect(image.signature).toEqual({status: 'skipped', verified: false, reason: 'signing is off (--no-sign)'})
      expect(image.attestations.map((a) => a.reason)).toEqual([
        'signing is off (--no-sign): no attestations',
        'signing is off (--no-sign): no attestations',
      ])
    }
    expect(signer.calls).toEqual([])
  })

  it('--sbom none and --no-provenance are recorded as skipped, the signature still made', async () => {
    const supplyChain = await supplyChainFor(
      {mode: 'keyless', tlog: true},
      {sbomChoice: 'none', selectSbom: async () => null, provenance: false, signer: () => signer},
    )
    const report = await run({components: [{kind: 'process', name: 'billing'}]}, supplyChain)
    expect(report.signing).toEqual({enabled: true, mode: 'keyless', tlog: true})
    expect(report.sbom).toEqual({enabled: false})
    expect(report.images[0].signature.status).toBe('signed')
    expect(report.images[0].attestations).toEqual([
      {type: 'cyclonedx', status: 'skipped', reason: '--sbom none'},
      {type: 'slsaprovenance1', status: 'skipped', reason: '--no-provenance'},
    ])
  })
})

describe('publish signing policy', () => {
  const flags = {keyless: false, sign: true, tlog: true}

  it('--key is key mode (over --keyless); --keyless or GitHub Actions is keyless; --no-sign is off', () => {
    expect(chooseSigning({...flags, key: 'k.pem', keyless: true}, {})).toEqual({
      mode: 'key',
      tlog: true,
      keyRef: 'k.pem',
    })
    expect(chooseSigning({...flags, keyless: true}, {})).toMatchObject({mode: 'keyless', tlog: true})
    expect(
      chooseSigning({...flags, certificateOidcIssuer: 'https://issuer.example'}, {GITHUB_ACTIONS: 'true'}),
    ).toMatchObject({mode: 'keyless', certificateOidcIssuer: 'https://issuer.example'})
    expect(chooseSigning({...flags, sign: false}, {})).toEqual({mode: 'off'})
  })

  it('no key, not keyless and not in GitHub Actions is exit 3 SIGNING_NOT_CONFIGURED', () => {
    let error: unknown
    try {
      chooseSigning(flags, {GITHUB_ACTIONS: 'false'})
    } catch (e) {
      error = e
    }
    expect(error).toMatchObject({code: 'SIGNING_NOT_CONFIGURED', exitCode: 3})
  })

  it('signing off is the NO_SIGN step, whatever the SBOM and provenance settings', async () => {
    const step = await supplyChainFor(
      {mode: 'off'},
      {sbomChoice: 'syft', selectSbom: async () => fakeSbom, provenance: true, signer: () => signer},
    )
    expect(step).toBe(NO_SIGN)
  })
})
