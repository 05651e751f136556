import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import type {SignatureVerdict} from '../../../src/effects/cosign/signer.js'

import {loadConfig} from '../../../src/core/config.js'
import {policyEntryFor, resolveEvidencePolicy} from '../../../src/core/evidence-policy.js'
import {AmeideError} from '../../../src/core/errors.js'
import {
  decodeEnvelopes,
  judgeProvenance,
  judgeSbom,
  parseGitDependency,
  tagCommitMismatch,
  type Statement,
} from '../../../src/attestations/statements.js'
import {examineDigest} from '../../../src/gitops/evidence/examine.js'
import type {EvidenceVerifier} from '../../../src/gitops/evidence/types.js'
import type {SignerCheck} from '../../../src/gitops/evidence/types.js'
import {checkEvidence} from '../../../src/gitops/rules/index.js'
import {buildProvenancePredicate} from '../../../src/publish/provenance.js'
import {makeTempDir} from '../../support/tmp.js'

/** The pure half of evidence policies: matching entries, decoding envelopes, judging statements, the findings. */
const DIGEST = `sha256:${'a'.repeat(64)}`
const SHA = '1'.repeat(40)
const OTHER_SHA = '2'.repeat(40)
const REPO = 'https://github.com/ameideio/ameide'

/** The provenance `primitive publish` writes, as an in-toto statement about DIGEST. */
function provenance(overrides: {repository?: string; sha?: string; builderId?: string} = {}): Statement {
  const predicate = buildProvenancePredicate({
    repository: overrides.repository ?? `${REPO}.git`,
    sha: overrides.sha ?? SHA,
    dockerfile: 'primitives/domain/orders/Dockerfile',
    context: 'primitives/domain/orders',
    buildArgs: {},
    platforms: [],
    component: 'domain-orders',
    builderId: overrides.builderId ?? 'https://ameide.io/builders/buildah@1.39.3',
    startedOn: new Date(0),
    finishedOn: new Date(0),
  })
  return statement('https://slsa.dev/provenance/v1', predicate)
}

const statement = (predicateType: string, predicate: unknown, digest = DIGEST): Statement => ({
  _type: 'https://in-toto.io/Statement/v0.1',
  predicateType,
  subject: [{name: 'r.example/x', digest: {sha256: digest.slice(7)}}],
  predicate,
})

const envelope = (s: Statement) =>
  JSON.stringify({
    payloadType: 'application/vnd.in-toto+json',
    payload: Buffer.from(JSON.stringify(s)).toString('base64'),
    signatures: [{keyid: '', sig: 'x'}],
  })

const POLICY = {
  sourceRepositories: [REPO],
  builders: ['https://ameide.io/builders/*'],
  buildTypes: ['https://ameide.io/buildtypes/primitive-image/v1'],
  commitMatchesTag: true,
}

describe('judging a SLSA v1 provenance', () => {
  it('the provenance publish writes passes a policy written for it, and says where it came from', () => {
    const {facts, mismatches} = judgeProvenance(provenance(), DIGEST, POLICY)
    expect(mismatches).toEqual([])
    expect(facts).toEqual({
      repository: REPO,
      commit: SHA,
      builder: 'https://ameide.io/builders/buildah@1.39.3',
      buildType: 'https://ameide.io/buildtypes/primitive-image/v1',
    })
  })

  it('another repository, builder or build type: each a mismatch naming the field, the allowed and the found', () => {
    expect(
      judgeProvenance(provenance({repository: 'https://github.com/evil/fork'}), DIGEST, POLICY).mismatches,
    ).toEqual([{field: 'repository', allowed: REPO, found: 'https://github.com/evil/fork'}])
    expect(judgeProvenance(provenance({builderId: 'https://evil.example/builder'}), DIGEST, POLICY).mismatches).toEqual(
      [{field: 'builder', allowed: 'https://ameide.io/builders/*', found: 'https://evil.example/builder'}],
    )
    // `*` stays within one path segment: a deeper builder id is another builder.
    expect(
      judgeProvenance(provenance({builderId: 'https://ameide.io/builders/x/y'}), DIGEST, POLICY).mismatches[0].field,
    ).toBe('builder')
    const other = provenance()
    ;(other.predicate as {buildDefinition: {buildType: string}}).buildDefinition.buildType = 'https://evil/type'
    expect(judgeProvenance(other, DIGEST, POLICY).mismatches).toEqual([
      {field: 'buildType', allowed: POLICY.buildTypes[0], found: 'https://evil/type'},
    ])
  })

  it('externalParameters.repository and the git+ dependency must agree; so must the commits', () => {
    const forged = provenance()
    const def = (forged.predicate as {buildDefinition: {resolvedDependencies: {uri: string}[]}}).buildDefinition
    def.resolvedDependencies[0].uri = `git+https://github.com/evil/fork@${SHA}`
    expect(judgeProvenance(forged, DIGEST, undefined).mismatches).toEqual([
      {
        field: 'resolvedDependencies',
        allowed: `the git+ dependency names externalParameters.repository (${REPO})`,
        found: 'git+https://github.com/evil/fork',
      },
    ])
    const twoCommits = provenance()
    ;(
      twoCommits.predicate as {buildDefinition: {externalParameters: {sha: string}}}
    ).buildDefinition.externalParameters.sha = OTHER_SHA
    expect(judgeProvenance(twoCommits, DIGEST, undefined).mismatches.map((m) => m.field)).toEqual(['commit'])
    // No git+ dependency at all: the source is not proven.
    def.resolvedDependencies = []
    expect(judgeProvenance(forged, DIGEST, POLICY).mismatches).toEqual([
      {field: 'repository', allowed: REPO, found: 'no git+ resolved dependency naming the source'},
    ])
  })

  it('a statement about another digest is a subject mismatch, whatever the policy', () => {
    const other = `sha256:${'b'.repeat(64)}`
    expect(judgeProvenance(provenance(), other, undefined).mismatches).toEqual([
      {field: 'subject', allowed: other, found: DIGEST},
    ])
  })

  it('commitMatchesTag: a 40-hex tag other than the commit names both; other tags are not commits', () => {
    expect(tagCommitMismatch(OTHER_SHA, SHA)).toEqual({
      field: 'commit',
      allowed: `${OTHER_SHA} (the reference's tag)`,
      found: SHA,
    })
    expect(tagCommitMismatch(SHA, SHA)).toBeUndefined()
    expect(tagCommitMismatch('v1.2.3', SHA)).toBeUndefined()
    expect(tagCommitMismatch(undefined, SHA)).toBeUndefined()
  })

  it('git+ URIs: the revision after the path, never the user of the authority', () => {
    expect(parseGitDependency(`git+https://github.com/a/b@${SHA}`)).toEqual({
      repository: 'https://github.com/a/b',
      commit: SHA,
    })
    expect(parseGitDependency('git+ssh://git@github.com/a/b')).toEqual({repository: 'ssh://git@github.com/a/b'})
    expect(parseGitDependency('https://github.com/a/b')).toBeUndefined()
  })
})

describe('judging an SBOM attestation', () => {
  it('CycloneDX and SPDX documents that name components pass with their format and count', () => {
    const cdx = {bomFormat: 'CycloneDX', specVersion: '1.6', components: [{name: 'busybox'}, {name: 'musl'}]}
    expect(judgeSbom(statement('https://cyclonedx.org/bom', cdx), DIGEST)).toEqual({
      facts: {format: 'cyclonedx', components: 2},
    })
    const spdx = {spdxVersion: 'SPDX-2.3', packages: [{name: 'busybox'}]}
    expect(judgeSbom(statement('https://spdx.dev/Document', spdx), DIGEST)).toEqual({
      facts: {format: 'spdx', components: 1},
    })
  })

  it('a predicate that is no SBOM, names nothing, or is about another digest is a problem', () => {
    expect(judgeSbom(statement('https://cyclonedx.org/bom', {hello: 'world'}), DIGEST).problem).toMatch(
      /not a CycloneDX document/,
    )
    const empty = {bomFormat: 'CycloneDX', specVersion: '1.6', components: []}
    expect(judgeSbom(statement('https://cyclonedx.org/bom', empty), DIGEST).problem).toMatch(/names no components/)
    const unnamed = {bomFormat: 'CycloneDX', specVersion: '1.6', components: [{name: 'a'}, {version: '1'}]}
    expect(judgeSbom(statement('https://cyclonedx.org/bom', unnamed), DIGEST).problem).toBe(
      '1 of its 2 components have no name',
    )
    const good = {bomFormat: 'CycloneDX', specVersion: '1.6', components: [{name: 'a'}]}
    expect(judgeSbom(statement('https://cyclonedx.org/bom', good, `sha256:${'c'.repeat(64)}`), DIGEST).problem).toMatch(
      /its subject is sha256:c+, not sha256:a+/,
    )
  })
})

describe('decoding cosign verify-attestation output', () => {
  it('one statement per line; a line that is no in-toto envelope is a problem, never skipped', () => {
    const out = `${envelope(provenance())}\n${envelope(statement('https://cyclonedx.org/bom', {}))}\nnot json\n`
    const {statements, problems} = decodeEnvelopes(out)
    expect(statements.map((s) => s.predicateType)).toEqual([
      'https://slsa.dev/provenance/v1',
      'https://cyclonedx.org/bom',
    ])
    expect(problems).toHaveLength(1)
    expect(decodeEnvelopes(JSON.stringify({payloadType: 'text/plain', payload: 'eA=='})).problems[0]).toMatch(
      /not in-toto/,
    )
  })
})

describe('policy entries', () => {
  const policy = resolveEvidencePolicy([
    {images: ['ghcr.io/ameideio/primitive-*'], signers: [{key: 'keys/p.pub'}], provenance: POLICY},
    {images: ['docker.io/library/*', 'quay.io/**'], signers: [{key: 'keys/v.pub'}], provenance: 'optional'},
  ])

  it('first match wins; * within a segment, ** across; defaults spelt out', () => {
    expect(policyEntryFor(policy, 'ghcr.io/ameideio/primitive-domain-orders')?.index).toBe(0)
    expect(policyEntryFor(policy, 'ghcr.io/ameideio/primitive-x/nested')).toBeUndefined()
    expect(policyEntryFor(policy, 'docker.io/library/nginx')?.index).toBe(1)
    expect(policyEntryFor(policy, 'quay.io/org/deep/image')?.index).toBe(1)
    expect(policyEntryFor(policy, 'ghcr.io/someone/else')).toBeUndefined()
    expect(policy[0]).toMatchObject({provenance: {required: true, commitMatchesTag: true}, sbom: {required: true}})
    expect(policy[1]).toMatchObject({provenance: {required: false}, sbom: {required: true}})
  })

  it('a bad policy is exit 3 CONFIG_INVALID naming where: schema, regexp, key outside the repository', async () => {
    const dir = await makeTempDir('ameide-evidence-policy-')
    const invalid = async (yaml: string) => {
      await writeFile(path.join(dir, 'ameide.yaml'), yaml)
      const error = await loadConfig(dir).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(AmeideError)
      expect((error as AmeideError).code).toBe('CONFIG_INVALID')
      expect((error as AmeideError).exitCode).toBe(3)
      return (error as AmeideError).message
    }
    expect(
      await invalid('evidencePolicy:\n  - images: ["a/*"]\n    signers: [{identity: "(", issuer: "https://i"}]\n'),
    ).toMatch(/evidencePolicy\.0\.signers\.0\.identity: not a regular expression/)
    expect(await invalid('evidencePolicy:\n  - images: ["a/*"]\n    signers: [{key: ../outside.pub}]\n')).toMatch(
      /evidencePolicy\.0\.signers\.0\.key: "..\/outside.pub" is not a path inside the repository/,
    )
    expect(await invalid('evidencePolicy:\n  - images: ["a/*"]\n    signers: []\n')).toMatch(
      /evidencePolicy\.0\.signers: must NOT have fewer than 1 items/,
    )
    expect(
      await invalid(
        'evidencePolicy:\n  - images: ["a/*"]\n    signers: [{key: k.pub}]\n    provenance: {builder: x}\n',
      ),
    ).toMatch(/evidencePolicy\.0\.provenance/)
    expect(
      await invalid('evidencePolicy:\n  - images: ["a/*"]\n    signers: [{key: k.pub}]\n    sbom: maybe\n'),
    ).toMatch(/evidencePolicy\.0\.sbom/)
    await writeFile(
      path.join(dir, 'ameide.yaml'),
      'evidencePolicy:\n  - images: ["a/*"]\n    signers: [{key: k.pub}, {identity: "^x$", issuer: "https://i"}]\n    provenance: {commitMatchesTag: true}\n    sbom: optional\n',
    )
    expect((await loadConfig(dir)).config.evidencePolicy).toHaveLength(1)
  })
})

describe('examining a digest (signers in order, once each, findings)', () => {
  /** A verifier whose signers answer from a table; every call is logged. */
  function fake(
    answers: Record<string, SignatureVerdict['status']>,
    attestations: Record<string, string | null | {unreadable: string}>,
    policy = resolveEvidencePolicy([
      {images: ['r.example/**'], signers: [{key: 'a.pub'}, {key: 'b.pub'}], provenance: POLICY},
    ]),
  ) {
    const calls: string[] = []
    const checkOf = (name: string): SignerCheck => ({
      signatureOf: async () => {
        calls.push(`verify ${name}`)
        const status = answers[name] ?? 'unsigned'
        return status === 'verified' || status === 'unsigned' ? {status} : {status, reason: `cosign said ${status}`}
      },
      attestationsOf: async (_ref, type) => {
        calls.push(`verify-attestation ${name} ${type}`)
        const answer = attestations[type] ?? null
        return typeof answer === 'object' && answer !== null ? {envelopes: null, ...answer} : {envelopes: answer}
      },
    })
    const verifier: EvidenceVerifier = {
      policy,
      signersOf: (entry) =>
        (entry?.signers ?? []).map((signer) => ({signer, check: checkOf('key' in signer ? signer.key : 'keyless')})),
    }
    return {verifier, calls}
  }
  const image = `r.example/x@${DIGEST}`
  const cdx = envelope(
    statement('https://cyclonedx.org/bom', {bomFormat: 'CycloneDX', specVersion: '1.6', components: [{name: 'a'}]}),
  )

  const findings = async (verifier: EvidenceVerifier, tags: Array<string | undefined> = [undefined]) => {
    const {facts, judgement} = await examineDigest(image, verifier)
    const uses = tags.map((_, i) => ({file: `f${i}.yaml`, line: 1}))
    return {
      facts,
      findings: checkEvidence([{record: {image, ...facts, uses}, judgement, tags}]).map(
        (f) => `${f.file} ${f.rule}: ${f.message}`,
      ),
    }
  }

  it('tries the signers in order until one verifies, then asks the attestations with that signer only', async () => {
    const {verifier, calls} = fake(
      {'a.pub': 'other-signer', 'b.pub': 'verified'},
      {cyclonedx: cdx, slsaprovenance1: envelope(provenance())},
    )
    const result = await findings(verifier, [SHA])
    expect(result.findings).toEqual([])
    expect(result.facts).toMatchObject({
      signed: true,
      signer: {key: 'b.pub'},
      policyEntry: 0,
      sbomFacts: {components: 1},
    })
    expect(calls).toEqual([
      'verify a.pub',
      'verify b.pub',
      'verify-attestation b.pub cyclonedx',
      'verify-attestation b.pub slsaprovenance1',
    ])
  })

  it('signed by none of the signers: signer-not-allowed (not unsigned); no signature at all: unsigned', async () => {
    const other = await findings(fake({'a.pub': 'other-signer', 'b.pub': 'other-signer'}, {}).verifier)
    expect(other.findings.map((f) => f.split(':')[0])).toEqual([
      'f0.yaml sbom-missing',
      'f0.yaml provenance-missing',
      'f0.yaml signer-not-allowed',
    ])
    expect(other.findings.join('\n')).toContain('none of the signers evidencePolicy[0] allows (key a.pub; key b.pub)')
    const none = await findings(fake({}, {}).verifier)
    expect(none.findings.some((f) => f.startsWith('f0.yaml unsigned:'))).toBe(true)
    expect(none.findings.some((f) => f.includes('signer-not-allowed'))).toBe(false)
  })

  it('a signature cosign cannot read is evidence-unreadable with the fix, never unsigned nor a missing SBOM', async () => {
    const {verifier} = fake({'a.pub': 'unreadable', 'b.pub': 'unreadable'}, {})
    const result = await findings(verifier)
    expect(result.findings).toEqual([`f0.yaml evidence-unreadable: ${image}: its signature is cosign said unreadable.`])
  })

  it('a signed image whose SBOM only cosign 3 can read: evidence-unreadable for it, the provenance judged as usual', async () => {
    const {verifier} = fake({'a.pub': 'verified'}, {cyclonedx: {unreadable: 'in a bundle'}, slsaprovenance1: null})
    const rules = (await findings(verifier)).findings.map((f) => f.split(':')[0])
    expect(rules).toEqual(['f0.yaml provenance-missing', 'f0.yaml evidence-unreadable'])
  })

  it('a valid signature about another image: signature-mismatch, not unsigned', async () => {
    const {verifier} = fake({'a.pub': 'tampered', 'b.pub': 'unsigned'}, {})
    const rules = (await findings(verifier)).findings.map((f) => f.split(':')[0])
    expect(rules).toEqual(['f0.yaml sbom-missing', 'f0.yaml provenance-missing', 'f0.yaml signature-mismatch'])
  })

  it('commitMatchesTag is judged per use: the use whose tag is another commit names both commits', async () => {
    const {verifier} = fake({'a.pub': 'verified'}, {cyclonedx: cdx, slsaprovenance1: envelope(provenance())})
    const result = await findings(verifier, [SHA, OTHER_SHA, 'v1'])
    expect(result.findings).toEqual([
      `f1.yaml provenance-mismatch: ${image}: provenance commit: the policy allows ${OTHER_SHA} (the reference's tag); the attestation says ${SHA}.`,
    ])
  })

  it('an image no entry matches is evidence-policy-missing, and cosign is never asked', async () => {
    const {verifier, calls} = fake(
      {},
      {},
      resolveEvidencePolicy([{images: ['elsewhere/*'], signers: [{key: 'a.pub'}]}]),
    )
    expect((await findings(verifier)).findings).toEqual([
      `f0.yaml evidence-policy-missing: ${image}: no evidencePolicy entry matches r.example/x, so nothing says who may sign it.`,
    ])
    expect(calls).toEqual([])
  })

  it('cosign verifying an attestation but printing nothing readable is a finding, never a pass', async () => {
    const {verifier} = fake({'a.pub': 'verified'}, {cyclonedx: '\n', slsaprovenance1: 'garbage\n'})
    const result = await findings(verifier, [SHA])
    expect(result.findings.map((f) => f.split(': ')[0])).toEqual([
      'f0.yaml provenance-mismatch',
      'f0.yaml provenance-mismatch',
      'f0.yaml sbom-invalid',
    ])
    expect(result.findings.join('\n')).toContain('an attestation cosign verified could not be read')
    // …and with no commit to compare, the commit tag is not taken on trust.
    expect(result.findings.join('\n')).toContain(
      `the policy allows ${SHA} (the reference's tag); the attestation says (no commit)`,
    )
    expect(result.findings.join('\n')).toContain('cosign verified an attestation but printed no statement')
  })

  it('optional SBOM and provenance: their absence is no finding, a bad SBOM still is', async () => {
    const policy = resolveEvidencePolicy([
      {images: ['r.example/**'], signers: [{key: 'a.pub'}], provenance: 'optional', sbom: 'optional'},
    ])
    expect((await findings(fake({'a.pub': 'verified'}, {}, policy).verifier)).findings).toEqual([])
    const bad = envelope(statement('https://cyclonedx.org/bom', {hello: 'world'}))
    const result = await findings(fake({'a.pub': 'verified'}, {cyclonedx: bad}, policy).verifier)
    expect(result.findings.map((f) => f.split(':')[0])).toEqual(['f0.yaml sbom-invalid'])
  })
})
