import {randomBytes} from 'node:crypto'
import {chmod, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {AmeideError} from '../../../src/core/errors.js'
import {CosignSigner, keylessIdentityFromEnv, type CosignSignerOptions} from '../../../src/effects/cosign/signer.js'
import {selectSbomGenerator} from '../../../src/effects/sbom.js'
import {buildProvenancePredicate} from '../../../src/publish/provenance.js'
import {generateKeyPair, verifyImage, type CosignKeyPair, verifyAttestation} from '../../support/cosign.js'
import {startFaultProxy} from '../../support/fault-proxy.js'
import {buildahEnv, pushBaseImage, type PushedImage} from '../../support/images.js'
import {startRegistry, type Registry} from '../../support/registry.js'
import {makeTempDir, runCleanups} from '../../support/tmp.js'
import {COSIGN_UNDER_TEST, REPO_ROOT, requireTools, toolEnv} from '../../support/toolchain.js'

const FAST_RETRY = {attempts: 3, baseDelayMs: 50, maxDelayMs: 200, maxRetryAfterMs: 2000}

let registry: Registry
let tmp: string
let keys: CosignKeyPair
let password: string
let image: PushedImage
let spyLog: string
let spyCosign: string

/** A wrapper that records every argv and all output of the real cosign, to prove the password never shows. */
async function writeSpy(realCosign: string): Promise<void> {
  spyLog = path.join(tmp, 'cosign-spy.log')
  spyCosign = path.join(tmp, 'cosign-spy.sh')
  await writeFile(
    spyCosign,
    `#!/bin/sh\nprintf 'ARGV: %s\\n' "$*" >> '${spyLog}'\n'${realCosign}' "$@" > '${spyLog}.out' 2> '${spyLog}.err'\nrc=$?\ncat '${spyLog}.out' >> '${spyLog}'; cat '${spyLog}.err' >> '${spyLog}'\ncat '${spyLog}.out'; cat '${spyLog}.err' >&2\nexit $rc\n`,
  )
  await chmod(spyCosign, 0o755)
}

function signer(extra: Partial<CosignSignerOptions> = {}): CosignSigner {
  return new CosignSigner({
    mode: 'key',
    keyRef: keys.privateKey,
    tlog: false,
    insecureRegistry: true,
    env: keys.env,
    binary: spyCosign,
    retryPolicy: FAST_RETRY,
    ...extra,
  })
}

async function pushFreshImage(repo: string): Promise<PushedImage> {
  const benv = await buildahEnv(path.join(tmp, repo), {insecureRegistries: [registry.host]})
  return pushBaseImage(registry, benv, {repo, tag: 'main'})
}

beforeAll(async () => {
  const tools = requireTools('cosign', 'buildah', 'docker-registry', 'busybox', 'skopeo', 'cdxgen')
  registry = await startRegistry()
  tmp = await makeTempDir('ameide-cosign-test-')
  password = `pw-${randomBytes(12).toString('hex')}`
  keys = await generateKeyPair(path.join(tmp, 'keys'), password)
  await writeSpy(tools.cosign)
  image = await pushFreshImage('primitive-domain-signed')
})

afterAll(runCleanups)

describe('cosign signer, key mode, no transparency log (real cosign, real registry)', () => {
  it('hasValidSignature is false before signing and true after; verify passes, also as an independent cosign process', async () => {
    const s = signer()
    await s.preflight()
    expect(await s.hasValidSignature(image.ref)).toBe(false)
    await s.sign(image.ref)
    expect(await s.hasValidSignature(image.ref)).toBe(true)
    await s.verify(image.ref)
    const payloads = (await verifyImage(keys, image.ref)) as {critical: {image: {'docker-manifest-digest': string}}}[]
    expect(payloads[0].critical.image['docker-manifest-digest']).toBe(image.digest)
  })

  it('signs by digest only, passes the key by reference and never puts the password on argv or in any output', async () => {
    await expect(signer().signArgs(`${registry.host}/x:main`)).rejects.toThrow(/sha256/)
    const log = await readFile(spyLog, 'utf8')
    expect(log).toContain('ARGV: sign --yes --key')
    // cosign 3 refuses --tlog-upload=false: a signing config without a log, written by ameide, instead
    expect(log).toContain(COSIGN_UNDER_TEST === 3 ? '--signing-config' : '--tlog-upload=false')
    if (COSIGN_UNDER_TEST === 3) expect(log).not.toMatch(/--tlog-upload|--rekor-url|--fulcio-url/)
    expect(log).toContain('ARGV: verify --key')
    expect(log).toContain('--insecure-ignore-tlog')
    expect(log).not.toContain(password)
  })

  it('verify of an unsigned digest fails with SIGNATURE_INVALID (exit 1)', async () => {
    const unsigned = await pushFreshImage('primitive-domain-unsigned')
    const error = await signer()
      .verify(unsigned.ref)
      .catch((e: unknown) => e)
    expect((error as AmeideError).code).toBe('SIGNATURE_INVALID')
    expect((error as AmeideError).exitCode).toBe(1)
  })

  it('attests a real cdxgen CycloneDX SBOM and an ameide SLSA v1 provenance; cosign verify-attestation accepts both', async () => {
    const s = signer()
    await s.preflight()
    const sbom = await selectSbomGenerator('auto', {
      repoRoot: REPO_ROOT,
      env: toolEnv({PATH: toolEnv().PATH}),
      insecureRegistry: true,
    })
    expect(sbom?.tool).toBe('cdxgen') // syft is not installed here
    const sbomFile = path.join(tmp, 'sbom.json')
    await sbom!.generate(image.ref, sbomFile)
    const bom = JSON.parse(await readFile(sbomFile, 'utf8')) as {bomFormat: string; components?: {name: string}[]}
    expect(bom.bomFormat).toBe('CycloneDX')
    expect(bom.components?.some((c) => /busybox/i.test(c.name))).toBe(true)

    expect(await s.hasValidAttestation(image.ref, 'cyclonedx')).toBe(false)
    await s.attest(image.ref, sbom!.attestationType, sbomFile)
    expect(await s.hasValidAttestation(image.ref, 'cyclonedx')).toBe(true)

    const sha = '0123456789abcdef0123456789abcdef01234567'
    const predicate = buildProvenancePredicate({
      repository: 'https://github.com/ameideio/demo.git',
      sha,
      dockerfile: 'primitives/domain/signed/Dockerfile',
      context: 'primitives/domain/signed',
      buildArgs: {},
      platforms: [],
      component: 'domain-signed',
      builderId: 'https://ameide.io/builders/buildah@1.28.2',
      startedOn: new Date('2026-01-01T00:00:00Z'),
      finishedOn: new Date('2026-01-01T00:00:05Z'),
    })
    const provenanceFile = path.join(tmp, 'provenance.json')
    await writeFile(provenanceFile, JSON.stringify(predicate))
    expect(await s.hasValidAttestation(image.ref, 'slsaprovenance1')).toBe(false)
    await s.attest(image.ref, 'slsaprovenance1', provenanceFile)
    await s.verifyAttestation(image.ref, 'slsaprovenance1')
    await s.verifyAttestation(image.ref, 'cyclonedx')

    // Independent processes, as a deployer would run them.
    for (const [type, predicateType] of [
      ['cyclonedx', 'https://cyclonedx.org/bom'],
      ['slsaprovenance1', 'https://slsa.dev/provenance/v1'],
    ] as const) {
      const out = await verifyAttestation(keys, image.ref, type)
      const statements = out
        .trim()
        .split('\n')
        .map(
          (line) =>
            JSON.parse(Buffer.from((JSON.parse(line) as {payload: string}).payload, 'base64').toString('utf8')) as {
              predicateType: string
              subject: {digest: {sha256: string}}[]
              predicate: unknown
            },
        )
      expect(statements.map((st) => st.predicateType)).toContain(predicateType)
      expect(statements[0].subject[0].digest.sha256).toBe(image.digest.replace('sha256:', ''))
      if (type === 'slsaprovenance1')
        expect(statements[0].predicate).toMatchObject({buildDefinition: {externalParameters: {sha}}})
    }
    // Rerun: cosign 2's --replace keeps one attestation per type; cosign 3 keeps each as a referrer (publish
    // attests only where none of the type verifies: test/publish/publish-e2e.test.ts reruns).
    await s.attest(image.ref, 'slsaprovenance1', provenanceFile)
    const again = await verifyAttestation(keys, image.ref, 'slsaprovenance1')
    expect(again.trim().split('\n')).toHaveLength(COSIGN_UNDER_TEST === 3 ? 2 : 1)
    expect(await s.hasValidAttestation(image.ref, 'slsaprovenance1')).toBe(true)
    expect(await readFile(spyLog, 'utf8')).not.toContain(password)
  })

  it('retries cosign through 503s; gives up with exit 4 when they outlast the budget; a rerun converges', async () => {
    const target = await pushFreshImage('primitive-domain-flaky')
    const isPut = (method: string, p: string) => method === 'PUT' && p.includes('/manifests/')
    const down = await startFaultProxy(registry.url, {mode: '503', times: 1000, match: isPut})
    try {
      // cosign (go-containerregistry) already retries 5xx itself for a few seconds; one ameide attempt keeps this fast.
      const error = await signer({retryPolicy: {...FAST_RETRY, attempts: 1}})
        .sign(target.ref.replace(registry.host, down.host))
        .catch((e: unknown) => e)
      expect((error as AmeideError).code).toBe('SIGN_REMOTE_FAILED')
      expect((error as AmeideError).exitCode).toBe(4)
      expect((error as AmeideError).message).not.toContain(password)
      expect(down.requests.some((r) => r.injected)).toBe(true)
    } finally {
      await down.stop()
    }
    expect(await signer().hasValidSignature(target.ref)).toBe(false)

    const flaky = await startFaultProxy(registry.url, {mode: '503', times: 2, match: isPut})
    try {
      await signer().sign(target.ref.replace(registry.host, flaky.host))
      expect(flaky.requests.filter((r) => r.injected)).toHaveLength(2)
    } finally {
      await flaky.stop()
    }
    expect(await signer().hasValidSignature(target.ref)).toBe(true)
  })
})

describe('cosign preflight (fails before any build)', () => {
  const expectCode = async (promise: Promise<unknown>, code: string, exitCode: number) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(AmeideError)
    expect((error as AmeideError).code).toBe(code)
    expect((error as AmeideError).exitCode).toBe(exitCode)
    return error as AmeideError
  }

  it('cosign missing → COSIGN_NOT_FOUND, exit 3, with an install hint', async () => {
    const error = await expectCode(
      signer({binary: path.join(tmp, 'no-such-cosign')}).preflight(),
      'COSIGN_NOT_FOUND',
      3,
    )
    expect(error.hints.join(' ')).toMatch(/install/i)
  })

  it('keyless in GitHub Actions without ACTIONS_ID_TOKEN_REQUEST_URL → exit 3 "add permissions: id-token: write"', async () => {
    const env = {
      ...keys.env,
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: 'ameideio/demo',
      ACTIONS_ID_TOKEN_REQUEST_URL: undefined,
    }
    const error = await expectCode(
      signer({mode: 'keyless', keyRef: undefined, tlog: true, env, ...keylessIdentityFromEnv(env)}).preflight(),
      'OIDC_TOKEN_UNAVAILABLE',
      3,
    )
    expect(error.hints.join(' ')).toContain('permissions: id-token: write')
  })

  it('keyless identity defaults inside GitHub Actions pin the repository and GitHub’s issuer', () => {
    const identity = keylessIdentityFromEnv({GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'ameideio/demo.x'})
    expect(identity).toEqual({
      certificateIdentityRegexp: '^https://github\\.com/ameideio/demo\\.x/',
      certificateOidcIssuer: 'https://token.actions.githubusercontent.com',
    })
    expect(keylessIdentityFromEnv({})).toBeUndefined()
  })

  it('unreadable key file → COSIGN_KEY_UNREADABLE, exit 3', async () => {
    await expectCode(signer({keyRef: path.join(tmp, 'missing.key')}).preflight(), 'COSIGN_KEY_UNREADABLE', 3)
  })

  it('encrypted key without COSIGN_PASSWORD → COSIGN_PASSWORD_MISSING, exit 3', async () => {
    await expectCode(signer({env: {...keys.env, COSIGN_PASSWORD: undefined}}).preflight(), 'COSIGN_PASSWORD_MISSING', 3)
  })

  it('wrong password → COSIGN_KEY_INVALID, exit 3, and the wrong password is not in the message', async () => {
    const wrong = `wrong-${randomBytes(8).toString('hex')}`
    const error = await expectCode(
      signer({env: {...keys.env, COSIGN_PASSWORD: wrong}}).preflight(),
      'COSIGN_KEY_INVALID',
      3,
    )
    expect(error.message + error.hints.join(' ')).not.toContain(wrong)
  })
})
