import {execa} from 'execa'
import {createHash} from 'node:crypto'
import {copyFile, mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {CosignSigner} from '../../src/effects/cosign/signer.js'
import {runCli} from '../support/cli.js'
import {generateKeyPair, type CosignKeyPair} from '../support/cosign.js'
import {pushTinyImage, startReferrersRegistry} from '../support/referrers-registry.js'
import {startRegistry} from '../support/registry.js'
import {assertMatchesSchema} from '../support/schema.js'
import {GITHUB_ISSUER, startPrivateSigstore, type PrivateSigstore} from '../support/sigstore/index.js'
import {commitAll, initGitRepo, makeTempDir, runCleanups} from '../support/tmp.js'
import {COSIGN3_DIR, COSIGN_UNDER_TEST, TOOLS_DIR, requireTool, requireTools, toolEnv} from '../support/toolchain.js'

/**
 * A fleet in transition, on real parts: images signed by cosign 2.5 and by cosign 3 — with a key (and a provenance
 * attestation) and keyless (a private Fulcio and timestamp authority, no transparency log) — on Debian's registry
 * (no referrers API: cosign 3 writes the referrers tag schema) and on go-containerregistry's (the referrers API).
 * cosign 3's signing config and trusted root for the fleet are made with cosign 3's own `signing-config create` and
 * `trusted-root create`, so ameide's own trusted root (written from the same PEM files) is checked against cosign's.
 * Then `gitops verify --evidence` under an evidencePolicy, with the cosign under test first on PATH (this file runs
 * in both vitest projects): cosign 3 verifies every format; cosign 2 verifies its own and names cosign 3's bundles
 * `evidence-unreadable` (never `unsigned`). A vendor's signature is `signer-not-allowed` under either, and a
 * signature copied onto another image is `signature-mismatch`.
 */
const COSIGN2 = path.join(TOOLS_DIR, 'bin', 'cosign')
const COSIGN3 = path.join(COSIGN3_DIR, 'cosign')
const REPOSITORY = 'ameideio/fleet'
const IDENTITY = `^https://github\\.com/${REPOSITORY.replace('.', '\\.')}/`

let tmp: string
let sigstore: PrivateSigstore
let ours: CosignKeyPair
let vendor: CosignKeyPair
let gitops: string
let cosign3Files: {signingConfig: string; trustedRoot: string}
/** Per registry kind, per image name: its digest-pinned ref. */
const fleet: Record<string, Record<string, string>> = {}

type Signing = 'key' | 'keyless' | 'vendor'

async function sign(version: 2 | 3, how: Signing, ref: string): Promise<void> {
  const keys = how === 'vendor' ? vendor : ours
  const key = how === 'keyless' ? [] : ['--key', keys.privateKey]
  // Every signature carries a signed timestamp (the fleet's one trusted time; no transparency log).
  const v2 = [
    ...(how === 'keyless' ? ['--fulcio-url', sigstore.fulcio.url, '--insecure-skip-verify'] : []),
    '--tlog-upload=false',
    '--timestamp-server-url',
    `${sigstore.tsa.url}/api/v1/timestamp`,
  ]
  const v3 = ['--signing-config', cosign3Files.signingConfig, '--trusted-root', cosign3Files.trustedRoot]
  const env = toolEnv({
    ...keys.env,
    ...(how === 'keyless' ? {SIGSTORE_ID_TOKEN: sigstore.oidc.mint(), SIGSTORE_ROOT_FILE: sigstore.files.caRoots} : {}),
  })
  const args = ['sign', '--yes', '--allow-http-registry', ...key, ...(version === 3 ? v3 : v2), ref]
  await execa(version === 3 ? COSIGN3 : COSIGN2, args, {env, extendEnv: false, timeout: 60_000})
  if (how !== 'key') return
  const predicate = path.join(tmp, 'provenance.json')
  await writeFile(
    predicate,
    JSON.stringify({buildDefinition: {buildType: 'x', externalParameters: {}}, runDetails: {}}),
  )
  const attest = ['attest', '--yes', '--allow-http-registry', ...key, ...(version === 3 ? v3 : [...v2, '--replace'])]
  await execa(
    version === 3 ? COSIGN3 : COSIGN2,
    [...attest, '--type', 'slsaprovenance1', '--predicate', predicate, ref],
    {
      env,
      extendEnv: false,
      timeout: 60_000,
    },
  )
}

/** cosign 3's own files for the fleet: Fulcio and the timestamp authority, and their trust. */
async function makeCosign3Files(dir: string): Promise<typeof cosign3Files> {
  const since = '2020-01-01T00:00:00Z'
  const files = {
    signingConfig: path.join(dir, 'signing_config.json'),
    trustedRoot: path.join(dir, 'trusted_root.json'),
  }
  const tsa = `${sigstore.tsa.url}/api/v1/timestamp`
  const run = (args: string[]) =>
    execa(COSIGN3, args, {env: toolEnv({TUF_ROOT: path.join(dir, 'tuf')}), extendEnv: false})
  await run(['signing-config', 'create', `--fulcio=url=${sigstore.fulcio.url},api-version=1,start-time=${since},operator=test`,
    `--tsa=url=${tsa},api-version=1,start-time=${since},operator=test`, '--tsa-config=ANY', '--out', files.signingConfig]) // prettier-ignore
  await run(['trusted-root', 'create', `--fulcio=url=${sigstore.fulcio.url},certificate-chain=${sigstore.files.caRoots}`,
    `--tsa=url=${tsa},certificate-chain=${sigstore.files.tsaChain}`, '--out', files.trustedRoot]) // prettier-ignore
  return files
}

/** `<host>/<repo>@<digest>` → the registry's URL, repository and digest. */
function parts(ref: string, url: string): {url: string; repo: string; digest: string} {
  const [name, digest] = ref.split('@')
  return {url, repo: name.slice(name.indexOf('/') + 1), digest}
}

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const INDEX = 'application/vnd.oci.image.index.v1+json'

async function getJson(url: string, accept: string): Promise<any> {
  const res = await fetch(url, {headers: {Accept: accept}})
  return res.status === 200 ? res.json() : null
}

async function put(url: string, body: string, type: string): Promise<void> {
  const res = await fetch(url, {method: 'PUT', body, headers: {'Content-Type': type}})
  if (res.status !== 201) throw new Error(`PUT ${url}: ${res.status}`)
}

/** An attacker's move: the signature of `from` put where cosign looks for `to`'s (both formats, either registry). */
async function copySignature(version: 2 | 3, registryUrl: string, from: string, to: string): Promise<void> {
  const a = parts(from, registryUrl)
  const b = parts(to, registryUrl)
  const base = `${registryUrl}/v2/${a.repo}`
  if (version === 2) {
    const sig = await getJson(`${base}/manifests/${a.digest.replace(':', '-')}.sig`, MANIFEST)
    return put(`${base}/manifests/${b.digest.replace(':', '-')}.sig`, JSON.stringify(sig), MANIFEST)
  }
  const index =
    (await getJson(`${base}/referrers/${a.digest}`, INDEX)) ??
    (await getJson(`${base}/manifests/${a.digest.replace(':', '-')}`, INDEX))
  for (const entry of index.manifests) {
    const manifest = await getJson(`${base}/manifests/${entry.digest}`, MANIFEST)
    if (manifest.annotations?.['dev.sigstore.bundle.predicateType'] !== 'https://sigstore.dev/cosign/sign/v1') continue
    const subject = await fetch(`${base}/manifests/${b.digest}`, {method: 'HEAD', headers: {Accept: MANIFEST}})
    manifest.subject = {mediaType: MANIFEST, digest: b.digest, size: Number(subject.headers.get('content-length'))}
    const bytes = JSON.stringify(manifest)
    const digest = sha256(bytes)
    await put(`${base}/manifests/${digest}`, bytes, MANIFEST)
    const descriptor = {mediaType: MANIFEST, digest, size: Buffer.byteLength(bytes), artifactType: entry.artifactType}
    const tagIndex = {schemaVersion: 2, mediaType: INDEX, manifests: [descriptor]}
    // A registry without the referrers API: the tag schema's index, as cosign 3 writes it.
    if (!(await getJson(`${base}/referrers/${a.digest}`, INDEX)))
      await put(`${base}/manifests/${b.digest.replace(':', '-')}`, JSON.stringify(tagIndex), INDEX)
  }
}

const NAMES = ['key-2', 'key-3', 'keyless-2', 'keyless-3', 'vendor-2', 'vendor-3', 'forged-2', 'forged-3'] as const
const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`

beforeAll(async () => {
  requireTools('docker-registry', 'referrers-registry', 'openssl', 'git')
  tmp = await makeTempDir('ameide-cosign-fleet-')
  sigstore = await startPrivateSigstore(path.join(tmp, 'sigstore'), REPOSITORY)
  ;[ours, vendor] = await Promise.all([
    generateKeyPair(path.join(tmp, 'ours'), 'fleet-key-password-1'),
    generateKeyPair(path.join(tmp, 'vendor'), 'vendor-key-password-2'),
  ])
  await mkdir(path.join(tmp, 'cosign3'), {recursive: true})
  cosign3Files = await makeCosign3Files(path.join(tmp, 'cosign3'))
  const registries = {distribution: await startRegistry(), referrers: await startReferrersRegistry()}
  for (const [kind, registry] of Object.entries(registries)) {
    const refs: Record<string, string> = {}
    for (const name of NAMES)
      refs[name] = await pushTinyImage(registry.url, registry.host, `fleet/${name}`, `${kind}-${name}`)
    for (const version of [2, 3] as const) {
      await sign(version, 'key', refs[`key-${version}`])
      await sign(version, 'keyless', refs[`keyless-${version}`])
      await sign(version, 'vendor', refs[`vendor-${version}`])
      // the key-signed image's signature, onto the forged image of the same repository layout
      const forged = refs[`forged-${version}`].replace('/fleet/forged-', '/fleet/key-')
      refs[`forged-${version}`] = forged
      await pushTinyImage(registry.url, registry.host, `fleet/key-${version}`, `${kind}-forged-${version}`)
      await copySignature(version, registry.url, refs[`key-${version}`], forged)
    }
    fleet[kind] = refs
  }
  gitops = await gitopsCheckout()
}, 300_000)
afterAll(runCleanups)

/** A GitOps checkout pinning every image, with a policy: our key or our workflows' identity; the vendor allowed nowhere. */
async function gitopsCheckout(): Promise<string> {
  const dir = path.join(tmp, 'gitops')
  await mkdir(path.join(dir, 'keys'), {recursive: true})
  await initGitRepo(dir)
  await copyFile(ours.publicKey, path.join(dir, 'keys', 'ours.pub'))
  const images = Object.values(fleet).flatMap((refs) => Object.values(refs))
  const docs = images.map(
    (ref, i) =>
      `apiVersion: v1\nkind: Pod\nmetadata: {name: p${i}}\nspec:\n  containers:\n    - {name: c, image: "${ref}", imagePullPolicy: IfNotPresent}\n`,
  )
  await writeFile(path.join(dir, 'pods.yaml'), docs.join('---\n'))
  await writeFile(
    path.join(dir, 'ameide.yaml'),
    [
      'signing:',
      '  sigstore:',
      `    caRoots: ${path.relative(dir, sigstore.files.caRoots)}`,
      `    timestampCertificateChain: ${path.relative(dir, sigstore.files.tsaChain)}`,
      '    insecureIgnoreSct: true',
      'evidencePolicy:',
      '  - images: ["**/fleet/**"]',
      '    signers:',
      '      - key: keys/ours.pub',
      `      - {identity: "${IDENTITY.replaceAll('\\', '\\\\')}", issuer: "${GITHUB_ISSUER}"}`,
      '    sbom: optional',
      '    provenance: optional',
      '',
    ].join('\n'),
  )
  await commitAll(dir, 'the fleet')
  return dir
}

type Verify = {
  evidence: {image: string; signed: boolean; provenance: boolean}[]
  findings: {rule: string; message: string}[]
}

describe(`gitops verify --evidence of a fleet signed by cosign 2 and 3, with cosign ${COSIGN_UNDER_TEST} installed`, () => {
  let result: Verify
  beforeAll(async () => {
    const run = await runCli(['gitops', 'verify', '--json', '--evidence', '--no-tlog'], {
      cwd: gitops,
      env: toolEnv({GITHUB_ACTIONS: ''}),
    })
    expect([0, 1], run.stderr + run.stdout.slice(0, 2000)).toContain(run.exitCode)
    result = run.json<Verify>()
    assertMatchesSchema('gitops-verify.schema.json', result)
    expect(sigstore.violations()).toEqual([])
  })
  const evidence = (kind: string, name: string) => result.evidence.find((e) => e.image === fleet[kind][name])!
  const rulesOf = (kind: string, name: string) =>
    result.findings.filter((f) => f.message.includes(fleet[kind][name])).map((f) => f.rule)

  for (const kind of ['distribution', 'referrers']) {
    it(`${kind} registry: what cosign 2 signed verifies, key and keyless; the key's provenance too`, () => {
      expect(evidence(kind, 'key-2')).toMatchObject({signed: true, provenance: true})
      expect(evidence(kind, 'keyless-2')).toMatchObject({signed: true})
      expect(rulesOf(kind, 'key-2')).toEqual([])
    })

    it(`${kind} registry: what cosign 3 signed ${COSIGN_UNDER_TEST === 3 ? 'verifies' : 'is evidence-unreadable, naming cosign 3'}`, () => {
      if (COSIGN_UNDER_TEST === 3) {
        expect(evidence(kind, 'key-3')).toMatchObject({signed: true, provenance: true})
        expect(evidence(kind, 'keyless-3')).toMatchObject({signed: true})
        expect(rulesOf(kind, 'keyless-3')).toEqual([])
      } else {
        for (const name of ['key-3', 'keyless-3']) {
          expect(evidence(kind, name)).toMatchObject({signed: false})
          expect(rulesOf(kind, name)).toEqual(['evidence-unreadable'])
        }
        const finding = result.findings.find((f) => f.rule === 'evidence-unreadable')!
        expect(finding.message).toMatch(/install cosign 3/)
      }
    })

    it(`${kind} registry: a vendor's signature is signer-not-allowed (cosign 3's under cosign 2: unreadable)`, () => {
      expect(rulesOf(kind, 'vendor-2')).toEqual(['signer-not-allowed'])
      expect(rulesOf(kind, 'vendor-3')).toEqual([
        COSIGN_UNDER_TEST === 3 ? 'signer-not-allowed' : 'evidence-unreadable',
      ])
    })

    it(`${kind} registry: our signature copied onto another image is signature-mismatch, never signed`, () => {
      expect(evidence(kind, 'forged-2')).toMatchObject({signed: false})
      expect(rulesOf(kind, 'forged-2')).toEqual(['signature-mismatch'])
      expect(evidence(kind, 'forged-3')).toMatchObject({signed: false})
      expect(rulesOf(kind, 'forged-3')).toEqual([
        COSIGN_UNDER_TEST === 3 ? 'signature-mismatch' : 'evidence-unreadable',
      ])
    })
  }
})

describe('a trusted root of the user’s own (--trusted-root), as cosign 3’s trusted-root create wrote it', () => {
  it(`cosign ${COSIGN_UNDER_TEST}: ${COSIGN_UNDER_TEST === 3 ? 'used as it is, the same verdicts' : 'refused by name, nothing verified'}`, async () => {
    const run = await runCli(
      ['gitops', 'verify', '--json', '--evidence', '--no-tlog', '--trusted-root', cosign3Files.trustedRoot],
      {cwd: gitops, env: toolEnv({GITHUB_ACTIONS: ''})},
    )
    if (COSIGN_UNDER_TEST === 2) {
      expect(run.exitCode, run.stdout).toBe(3)
      expect(run.json().error).toMatchObject({code: 'COSIGN_VERSION_UNSUPPORTED'})
      expect(run.json().error.hints.join(' ')).toMatch(/install cosign 3/i)
      return
    }
    expect([0, 1], run.stderr + run.stdout.slice(0, 2000)).toContain(run.exitCode)
    const own = run.json<Verify>()
    for (const kind of ['distribution', 'referrers'])
      for (const name of ['key-2', 'key-3', 'keyless-2', 'keyless-3'])
        expect(own.evidence.find((e) => e.image === fleet[kind][name])).toMatchObject({signed: true})
  })
})

describe(`publish's signer with cosign ${COSIGN_UNDER_TEST} on a registry with the referrers API`, () => {
  it('signs and attests with a key and no log; its own check and an independent cosign verify agree', async () => {
    const registry = await startReferrersRegistry()
    const ref = await pushTinyImage(registry.url, registry.host, 'published/orders', 'publish-1')
    const signer = new CosignSigner({
      mode: 'key',
      keyRef: ours.privateKey,
      tlog: false,
      insecureRegistry: true,
      env: toolEnv(ours.env),
    })
    await signer.preflight()
    expect(await signer.hasValidSignature(ref)).toBe(false)
    await signer.sign(ref)
    const predicate = path.join(tmp, 'publish-provenance.json')
    await writeFile(
      predicate,
      JSON.stringify({buildDefinition: {buildType: 'x', externalParameters: {}}, runDetails: {}}),
    )
    await signer.attest(ref, 'slsaprovenance1', predicate)
    expect(await signer.hasValidSignature(ref)).toBe(true)
    expect(await signer.hasValidAttestation(ref, 'slsaprovenance1')).toBe(true)
    const independent = await execa(
      requireTool('cosign'),
      ['verify', '--key', ours.publicKey, '--insecure-ignore-tlog', '--allow-http-registry', ref],
      {env: toolEnv(ours.env), extendEnv: false, reject: false},
    )
    expect(independent.exitCode, independent.stderr).toBe(0)
    // cosign 3 stored a bundle as a referrer of the image (the registry's API lists it); cosign 2 a .sig tag
    const listing = await fetch(`${registry.url}/v2/published/orders/referrers/${ref.split('@')[1]}`)
    const referrers = (await listing.json()) as {manifests: unknown[]}
    expect(referrers.manifests.length > 0).toBe(COSIGN_UNDER_TEST === 3)
  })

  it('signs with a key into a private Rekor: the log holds the entry, and the signer verifies it with the log', async () => {
    const registry = await startReferrersRegistry()
    const ref = await pushTinyImage(registry.url, registry.host, 'published/billing', 'publish-rekor')
    const before = sigstore.rekor.entries.length
    const signer = new CosignSigner({
      mode: 'key',
      keyRef: ours.privateKey,
      tlog: true,
      insecureRegistry: true,
      sigstore: {rekorUrl: sigstore.rekor.url, rekorPublicKey: sigstore.files.rekorPublicKey},
      env: toolEnv(ours.env),
    })
    await signer.preflight()
    await signer.sign(ref)
    expect(sigstore.rekor.entries.length).toBe(before + 1)
    expect(await signer.hasValidSignature(ref)).toBe(true)
    expect(sigstore.violations()).toEqual([])
  })
})
