/**
 * The evidence of one digest, judged: which policy entry applies (first match wins), which of its signers verifies
 * the signature (each in order until one does), and what the SBOM and provenance attestations that signer verified
 * say. `gitops verify --evidence` asks it once per digest, `primitive status --evidence` once for its image link.
 * The cosign calls go through `SignerCheck` (src/gitops/evidence/verifier.ts builds them): retries and the exit 4 of a
 * registry that keeps failing are theirs.
 */
import type {EvidenceJudgement} from './types.js'
import type {EvidenceFacts} from './types.js'
import type {EvidenceVerifier} from './types.js'
import type {UnreadableEvidence} from './types.js'
import type {SignerCheck} from './types.js'
import {
  describeSigner,
  policyEntryFor,
  type PolicySigner,
  type ResolvedPolicyEntry,
} from '../../core/evidence-policy.js'
import type {AttestationType} from '../../effects/signing.js'
import {parseImageReference} from '../../images/reference.js'
import {decodeEnvelopes, describeMismatch, judgeProvenance, judgeSbom} from '../../attestations/statements.js'

const NOTHING_PRINTED = 'cosign verified an attestation but printed no statement'

export async function examineDigest(
  image: string,
  verifier: EvidenceVerifier,
): Promise<{facts: EvidenceFacts; judgement: EvidenceJudgement}> {
  const ref = parseImageReference(image)
  const digest = ref.digest!
  const entry = verifier.policy ? policyEntryFor(verifier.policy, ref.repository) : undefined
  const judgement: EvidenceJudgement = {
    policyMissing: verifier.policy !== null && entry === undefined,
    signerNotAllowed: false,
    signersTried: [],
    sbomRequired: entry?.sbom.required ?? true,
    provenanceRequired: entry?.provenance.required ?? true,
    mismatches: [],
    commitMatchesTag: entry?.provenance.commitMatchesTag ?? false,
    sbomProblems: [],
    unreadable: [],
  }
  const facts: EvidenceFacts = {signed: false, sbom: false, provenance: false}
  if (judgement.policyMissing) return {facts, judgement}
  if (entry) facts.policyEntry = entry.index

  const chosen = await chooseSigner(image, verifier, entry, judgement)
  if (!chosen) return {facts, judgement}
  facts.signed = true
  facts.signer = chosen.signer
  const {check} = chosen
  await examineSbom(image, digest, check, facts, judgement)
  await examineProvenance(image, digest, check, entry, facts, judgement)
  return {facts, judgement}
}

/**
 * The first signer whose signature verifies (each one tried is recorded). Only a policy names who may sign: with
 * the flags, a signature by another key stays `unsigned` as it always was.
 */
async function chooseSigner(
  image: string,
  verifier: EvidenceVerifier,
  entry: ResolvedPolicyEntry | undefined,
  judgement: EvidenceJudgement,
): Promise<{signer: PolicySigner; check: SignerCheck} | undefined> {
  let otherSigner = false
  for (const candidate of verifier.signersOf(entry)) {
    judgement.signersTried.push(candidate.signer)
    const verdict = await candidate.check.signatureOf(image)
    if (verdict.status === 'verified') return candidate
    if (verdict.status === 'other-signer') otherSigner = true
    if (verdict.status === 'tampered') judgement.tampered ??= verdict.reason
    if (verdict.status === 'unreadable') noteUnreadable(judgement, 'signature', verdict.reason)
  }
  // A signature of an allowed signer moved from another image is the finding (signature-mismatch), not the others.
  judgement.signerNotAllowed = otherSigner && entry !== undefined && judgement.tampered === undefined
  return undefined
}

/** The SBOM: CycloneDX, else SPDX; every verified statement of the type must be an SBOM of this digest. */
async function examineSbom(
  image: string,
  digest: string,
  check: SignerCheck,
  facts: EvidenceFacts,
  judgement: EvidenceJudgement,
): Promise<void> {
  const sbom =
    (await envelopes(check, image, 'cyclonedx', 'sbom', judgement)) ??
    (await envelopes(check, image, 'spdxjson', 'sbom', judgement))
  if (sbom === null) return
  facts.sbom = true
  const {statements, problems} = decodeEnvelopes(sbom)
  judgement.sbomProblems.push(...problems)
  // cosign said it verified one: nothing readable is no SBOM (fail closed).
  if (statements.length === 0 && problems.length === 0) judgement.sbomProblems.push(NOTHING_PRINTED)
  for (const statement of statements) {
    const judged = judgeSbom(statement, digest)
    if (judged.problem) judgement.sbomProblems.push(judged.problem)
    else facts.sbomFacts ??= judged.facts
  }
}

/** The provenance: every verified statement is judged (an extra statement signed with the same key is no escape). */
async function examineProvenance(
  image: string,
  digest: string,
  check: SignerCheck,
  entry: ResolvedPolicyEntry | undefined,
  facts: EvidenceFacts,
  judgement: EvidenceJudgement,
): Promise<void> {
  const provenance = await envelopes(check, image, 'slsaprovenance1', 'provenance', judgement)
  if (provenance === null) return
  facts.provenance = true
  const {statements, problems} = decodeEnvelopes(provenance)
  for (const problem of problems) judgement.mismatches.push({field: 'statement', allowed: 'in-toto', found: problem})
  if (statements.length === 0 && problems.length === 0) {
    judgement.mismatches.push({field: 'statement', allowed: 'an in-toto statement', found: NOTHING_PRINTED})
  }
  const required = entry?.provenance
  for (const statement of statements) {
    const judged = judgeProvenance(statement, digest, required)
    facts.provenanceFacts ??= judged.facts
    for (const m of judged.mismatches) {
      if (!judgement.mismatches.some((k) => describeMismatch(k) === describeMismatch(m))) judgement.mismatches.push(m)
    }
    // Two statements naming two commits: the tag is compared with each (the first is shown).
    if (judged.facts.commit !== facts.provenanceFacts.commit) {
      judgement.mismatches.push({
        field: 'commit',
        allowed: 'one commit across the provenance statements',
        found: `${facts.provenanceFacts.commit ?? '(none)'} and ${judged.facts.commit ?? '(none)'}`,
      })
    }
  }
}

/** The verified envelopes of a type, or null; a format cosign cannot read is noted in the judgement. */
async function envelopes(
  check: SignerCheck,
  image: string,
  type: AttestationType,
  what: UnreadableEvidence['what'],
  judgement: EvidenceJudgement,
): Promise<string | null> {
  const answer = await check.attestationsOf(image, type)
  if (answer.envelopes === null && answer.unreadable) noteUnreadable(judgement, what, answer.unreadable)
  return answer.envelopes
}

function noteUnreadable(judgement: EvidenceJudgement, what: UnreadableEvidence['what'], reason: string): void {
  if (!judgement.unreadable.some((u) => u.what === what && u.reason === reason))
    judgement.unreadable.push({what, reason})
}

/**
 * One line of what the evidence says, for human output: `signer key keys/a.pub; provenance https://…/repo@<commit>
 * by <builder> (<buildType>); sbom cyclonedx, 12 components`.
 */
export function describeEvidence(facts: EvidenceFacts): string {
  const parts: string[] = []
  if (facts.signer) parts.push(`signer ${describeSigner(facts.signer)}`)
  const p = facts.provenanceFacts
  if (p) {
    const source = `${p.repository ?? '(no repository)'}@${p.commit ?? '(no commit)'}`
    parts.push(`provenance ${source} by ${p.builder ?? '(no builder)'} (${p.buildType ?? 'no build type'})`)
  }
  if (facts.sbomFacts) parts.push(`sbom ${facts.sbomFacts.format}, ${facts.sbomFacts.components} components`)
  if (facts.policyEntry !== undefined) parts.push(`policy entry ${facts.policyEntry}`)
  return parts.join('; ')
}
