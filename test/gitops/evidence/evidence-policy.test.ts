import {execa} from 'execa'
import {copyFile, mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {buildSetup, createMonorepo, publishCli, type Monorepo} from '../../publish/fixture.js'
import {runCli} from '../../support/cli.js'
import {attestImage, generateKeyPair, signImage, verifyAttestation, type CosignKeyPair} from '../../support/cosign.js'
import {startRegistry, type Registry} from '../../support/registry.js'
import {assertMatchesSchema} from '../../support/schema.js'
import {commitAll, initGitRepo, makeTempDir, runCleanups} from '../../support/tmp.js'
import {requireTool, requireTools} from '../../support/toolchain.js'

/**
 * `gitops verify --evidence` with an evidencePolicy, on real parts: one component published by `ameide primitive
 * publish` (built, signed, SBOM and provenance attested with the primitives key) passes the policy written for it.
 * Then copies of one image, each signed and attested with that same key the way an attacker holding it would
 * (`cosign attest --replace`): another source repository, another builder id, another commit than the tag, an SBOM
 * predicate that is no SBOM — each draws its finding naming the field. An image signed with the vendor key (allowed
 * for vendor-* only) under primitive-* is signer-not-allowed; a vendor image passes its lighter entry; an image no
 * entry matches is evidence-policy-missing.
 */
const SOURCE = 'https://github.com/ameideio/ameide'
const OTHER_COMMIT = 'f'.repeat(40)
const PUBLISH_FLAGS = () => ['--key', primitives.privateKey, '--no-tlog']
let registry: Registry
let primitives: CosignKeyPair
let vendor: CosignKeyPair
let env: Record<string, string>
let published: {ref: string; digest: string; tag: string}
let provenance: {buildDefinition: Record<string, any>; runDetails: Record<string, any>}
let sbom: unknown
let tmp: string
let gitops: string
let mono: Monorepo
const refs: Record<string, string> = {}

/** The published image's bytes under another repository (same digest): `<host>/<repo>@<digest>`. */
async function copyImage(repo: string): Promise<string> {
  await execa(
    requireTool('skopeo'),
    ['copy', '--quiet', '--src-tls-verify=false', '--dest-tls-verify=false', '--preserve-digests',
      `docker://${published.ref.replace(/:[0-9a-f]{40}@/, '@')}`, `docker://${registry.host}/${repo}:1`],
    {env, extendEnv: false},
  ) // prettier-ignore
  return `${registry.host}/${repo}@${published.digest}`
}

/** The payload of the one attestation of `type` on `ref`, verified with the primitives key. */
async function predicateOf(ref: string, type: string): Promise<any> {
  const line = (await verifyAttestation(primitives, ref, type)).trim().split('\n')[0]
  const envelope = JSON.parse(line) as {payload: string}
  return (JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as {predicate: unknown}).predicate
}

beforeAll(async () => {
  requireTools('buildah', 'docker-registry', 'cosign', 'cdxgen', 'skopeo')
  tmp = await makeTempDir('ameide-evidence-policy-')
  registry = await startRegistry()
  primitives = await generateKeyPair(path.join(tmp, 'primitives'), 'primitives-key-password-7a1')
  vendor = await generateKeyPair(path.join(tmp, 'vendor'), 'vendor-key-password-2b9')
  const setup = await buildSetup(tmp, registry)
  env = {...setup.env, ...primitives.env}
  mono = await createMonorepo(path.join(tmp, 'mono'), setup.base, registry.host, ['domain/orders'])
  await execa('git', ['remote', 'add', 'origin', `${SOURCE}.git`], {cwd: mono.dir})
  const run = await publishCli(mono.dir, `${registry.host}/ev`, [...PUBLISH_FLAGS(), '--update-main'], env)
  expect(run.exitCode, run.stderr + run.stdout.slice(0, 2000)).toBe(0)
  published = run.json().images[0]
  refs.published = published.ref
  provenance = await predicateOf(published.ref, 'slsaprovenance1')
  sbom = await predicateOf(published.ref, 'cyclonedx')

  // The forgeries: the same digest under other primitive-* repositories, signed and attested with the same key.
  const forge = async (name: string, change: (p: typeof provenance) => void, sbomPredicate: unknown = sbom) => {
    const ref = await copyImage(`ev/primitive-${name}`)
    const forged = structuredClone(provenance)
    change(forged)
    await signImage(primitives, ref)
    await attestImage(primitives, ref, 'cyclonedx', sbomPredicate)
    await attestImage(primitives, ref, 'slsaprovenance1', forged)
    return ref
  }
  refs.repository = await forge('forged-repository', (p) => {
    p.buildDefinition.externalParameters.repository = 'https://github.com/evil/fork'
    p.buildDefinition.resolvedDependencies[0].uri = `git+https://github.com/evil/fork@${published.tag}`
  })
  refs.builder = await forge('forged-builder', (p) => {
    p.runDetails.builder.id = 'https://evil.example/builders/laptop'
  })
  // A genuine provenance (the published commit), pinned under another commit's tag: a re-tag carries its builder.
  refs.commit = (await forge('forged-commit', () => {})).replace('@', `:${OTHER_COMMIT}@`)
  refs.sbom = await forge('forged-sbom', () => {}, {hello: 'world'})
  // Signed with the vendor key, which the policy allows for vendor-* only.
  refs.vendorSigned = await copyImage('ev/primitive-signed-by-vendor')
  await signImage(vendor, refs.vendorSigned)
  refs.vendor = await copyImage('ev/vendor-tool')
  await signImage(vendor, refs.vendor)
  refs.unmatched = await copyImage('elsewhere/tool')

  gitops = path.join(tmp, 'gitops')
  await mkdir(path.join(gitops, 'keys'), {recursive: true})
  await mkdir(path.join(gitops, 'sources/values/env/production'), {recursive: true})
  await initGitRepo(gitops)
  await copyFile(primitives.publicKey, path.join(gitops, 'keys/primitives.pub'))
  await copyFile(vendor.publicKey, path.join(gitops, 'keys/vendor.pub'))
  await writeFile(path.join(gitops, 'ameide.yaml'), policyYaml())
  await commitAll(gitops, 'policy')
}, 600_000)
afterAll(runCleanups)

function policyYaml(builders = ['https://ameide.io/builders/*']): string {
  return [
    'evidencePolicy:',
    `  - images: ["${registry.host}/ev/primitive-*"]`,
    '    signers:',
    '      - key: keys/primitives.pub',
    '    provenance:',
    `      sourceRepositories: ["${SOURCE}"]`,
    `      builders: ${JSON.stringify(builders)}`,
    '      buildTypes: ["https://ameide.io/buildtypes/primitive-image/v1"]',
    '      commitMatchesTag: true',
    '    sbom: required',
    `  - images: ["${registry.host}/ev/vendor-*"]`,
    '    signers: [{key: keys/vendor.pub}]',
    '    provenance: optional',
    '    sbom: optional',
    '',
  ].join('\n')
}

/** One values file pinning each of `names` (the i-th at line 3·i+3), then `gitops verify --evidence`. */
async function verifyPinned(names: string[], extra: string[] = []) {
  const lines = names.flatMap((name) => [`${name}:`, '  image:', `    ref: ${refs[name]}`])
  await writeFile(path.join(gitops, 'sources/values/env/production/apps.yaml'), `${lines.join('\n')}\n`)
  return runCli(['gitops', 'verify', '--evidence', '--no-tlog', ...extra], {cwd: gitops, env})
}

type Finding = {rule: string; line: number; message: string}

describe('gitops verify --evidence with an evidencePolicy (real registry, real cosign)', () => {
  it('passes the image primitive publish made, and shows who signed it and what its provenance and SBOM say', async () => {
    const run = await verifyPinned(['published', 'vendor'], ['--json'])
    expect(run.exitCode, run.stdout).toBe(0)
    const result = run.json()
    assertMatchesSchema('gitops-verify.schema.json', result)
    const [mine, theirs] = [refs.published, refs.vendor].map((r) =>
      result.evidence.find((e: {image: string}) => e.image === r.replace(/:[0-9a-f]{40}@/, '@')),
    )
    expect(mine).toMatchObject({
      signed: true,
      sbom: true,
      provenance: true,
      policyEntry: 0,
      signer: {key: 'keys/primitives.pub'},
      provenanceFacts: {
        repository: SOURCE,
        commit: published.tag,
        buildType: 'https://ameide.io/buildtypes/primitive-image/v1',
      },
      sbomFacts: {format: 'cyclonedx'},
    })
    expect(mine.provenanceFacts.builder).toMatch(/^https:\/\/ameide\.io\/builders\/buildah@/)
    expect(mine.sbomFacts.components).toBeGreaterThan(0)
    expect(theirs).toMatchObject({
      signed: true,
      sbom: false,
      provenance: false,
      policyEntry: 1,
      signer: {key: 'keys/vendor.pub'},
    })

    // Human output: one line per digest, with the signer and what the provenance says.
    const human = await runCli(['gitops', 'verify', '--evidence', '--no-tlog'], {
      cwd: gitops,
      env: {...env, NO_COLOR: '1'},
    })
    expect(human.exitCode).toBe(0)
    const line = human.stdout.split('\n').find((l) => l.includes(refs.published.replace(/:[0-9a-f]{40}@/, '@')))
    expect(line).toContain('✓ signed ✓ sbom ✓ provenance')
    expect(line).toContain(
      `signer key keys/primitives.pub; provenance ${SOURCE}@${published.tag} by https://ameide.io/builders/buildah@`,
    )
    expect(line).toMatch(/sbom cyclonedx, \d+ components; policy entry 0/)
  })

  it('attestations forged with the same key each draw their finding, naming the field; who signed and no entry too', async () => {
    const names = ['published', 'repository', 'builder', 'commit', 'sbom', 'vendorSigned', 'unmatched']
    const run = await verifyPinned(names, ['--json'])
    expect(run.exitCode, run.stdout).toBe(1)
    const result = run.json()
    assertMatchesSchema('gitops-verify.schema.json', result)
    const at = (name: string) =>
      result.findings
        .filter((f: Finding) => f.line === 3 * names.indexOf(name) + 3)
        .map((f: Finding) => `${f.rule}: ${f.message.slice(f.message.indexOf(': ') + 2)}`)
    expect(at('published')).toEqual([])
    expect(at('repository')).toEqual([
      `provenance-mismatch: provenance repository: the policy allows ${SOURCE}; the attestation says https://github.com/evil/fork.`,
    ])
    expect(at('builder')).toEqual([
      'provenance-mismatch: provenance builder: the policy allows https://ameide.io/builders/*; the attestation says https://evil.example/builders/laptop.',
    ])
    expect(at('commit')).toEqual([
      `provenance-mismatch: provenance commit: the policy allows ${OTHER_COMMIT} (the reference's tag); the attestation says ${published.tag}.`,
    ])
    expect(at('sbom')).toEqual([
      'sbom-invalid: the SBOM attestation is invalid: the cyclonedx predicate is not a CycloneDX document (bomFormat "CycloneDX", specVersion).',
    ])
    expect(at('vendorSigned').map((f: string) => f.split(':')[0])).toEqual([
      'provenance-missing',
      'sbom-missing',
      'signer-not-allowed',
    ])
    expect(at('vendorSigned')[2]).toContain('none of the signers evidencePolicy[0] allows (key keys/primitives.pub)')
    expect(at('unmatched')).toEqual([
      `evidence-policy-missing: no evidencePolicy entry matches ${registry.host}/elsewhere/tool, so nothing says who may sign it.`,
    ])
    // The forged images are signed with the allowed key: no unsigned finding anywhere, one finding per forgery.
    expect(result.counts).toEqual({
      'provenance-mismatch': 3,
      'sbom-invalid': 1,
      'signer-not-allowed': 1,
      'sbom-missing': 1,
      'provenance-missing': 1,
      'evidence-policy-missing': 1,
    })
  })

  it('a re-tag carries the commit that built :main: the report names it, commitMatchesTag names both', async () => {
    await writeFile(path.join(mono.dir, 'README.md'), '# test monorepo, docs only\n')
    await commitAll(mono.dir, 'docs only: no component changes')
    const run = await publishCli(mono.dir, `${registry.host}/ev`, PUBLISH_FLAGS(), env)
    expect(run.exitCode, run.stderr + run.stdout.slice(0, 2000)).toBe(0)
    const report = run.json()
    assertMatchesSchema('publish.schema.json', report)
    const [image] = report.images
    expect(image).toMatchObject({
      action: 'retagged',
      digest: published.digest,
      source: `${registry.host}/ev/primitive-domain-orders:main@${published.digest}`,
      sourceCommit: published.tag,
    })
    expect(image.tag).not.toBe(published.tag)
    refs.retagged = image.ref
    const verify = await verifyPinned(['retagged'], ['--json'])
    expect(verify.exitCode, verify.stdout).toBe(1)
    expect(verify.json().findings.map((f: Finding) => f.message)).toEqual([
      `${refs.retagged.replace(/:[0-9a-f]{40}@/, '@')}: provenance commit: the policy allows ${image.tag} (the reference's tag); the attestation says ${published.tag}.`,
    ])
  })

  it('with a policy the signer flags are refused (exit 2); a key file that is not there is exit 3 CONFIG_INVALID', async () => {
    const flag = await verifyPinned(['published'], ['--json', '--key', primitives.publicKey])
    expect(flag.exitCode).toBe(2)
    expect(flag.json().error.message).toContain('evidencePolicy')
    await writeFile(path.join(gitops, 'ameide.yaml'), policyYaml().replace('keys/vendor.pub', 'keys/gone.pub'))
    const missing = await verifyPinned(['published'], ['--json'])
    await writeFile(path.join(gitops, 'ameide.yaml'), policyYaml())
    expect(missing.exitCode).toBe(3)
    expect(missing.json().error).toMatchObject({code: 'CONFIG_INVALID'})
    expect(missing.json().error.message).toContain('evidencePolicy.1.signers.0.key: keys/gone.pub is missing')
  })
})

// Keep the forged predicates honest: the copies really carry the published provenance, changed in one field only.
describe('the forgeries', () => {
  it('differ from the published provenance in the forged field only', async () => {
    const forged = await predicateOf(refs.builder, 'slsaprovenance1')
    expect({...forged, runDetails: {...forged.runDetails, builder: provenance.runDetails.builder}}).toEqual(provenance)
  })
})
