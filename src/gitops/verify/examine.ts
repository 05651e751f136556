/**
 * The evidence of one digest, judged: which policy entry applies (first match wins), which of its signers verifies
 * the signature (each in order until one does), and what the SBOM and provenance attestations that signer verified
 * say. `gitops verify --evidence` asks it once per digest, `primitive status --evidence` once for its image link.
 * The cosign calls go through `SignerCheck` (src/gitops/verify/evidence.ts builds them): retries and the exit 4 of a
 * registry that keeps failing are theirs.
 */
import {
  describeSigner,
  policyEntryFor,
  type PolicySigner,
  type ResolvedPolicyEntry,
} from '../../core/evidence-policy.js'
import type {SignatureVerdict} from '../../effects/cosign/signer.js'
import type {AttestationType} from '../../effects/signing.js'
import {parseImageReference} from '../../images/reference.js'
import {
  decodeEnvelopes,
  describeMismatch,
  judgeProvenance,
  judgeSbom,
  type Mismatch,
  type ProvenanceFacts,
  type SbomFacts,
} from '../../attestations/statements.js'

/** cosign, for one signer. */
export interface SignerCheck {
  signatureOf(digestRef: string): Promise<SignatureVerdict>
  /**
   * The verified DSSE envelopes of that type (cosign's stdout), or null when none verified; `unreadable` when they
   * are stored in a format the installed cosign cannot read (why, with the fix).
   */
  attestationsOf(digestRef: string, type: AttestationType): Promise<{envelopes: string | null; unreadable?: string}>
}

/** Evidence the installed cosign cannot read: what (the signature, the SBOM, the provenance) and why. */
export interface UnreadableEvidence {
  what: 'signature' | 'sbom' | 'provenance'
  reason: string
}

/** Answers, per digest-pinned image, what its supply-chain evidence is (cosign in production). */
export interface EvidenceVerifier {
  /** The evidence policy (null: the flags' one signer is the policy of every image, everything required). */
  policy: ResolvedPolicyEntry[] | null
  /** The signers to try, in order, for an entry (undefined: the flags' signer), each with its cosign. */
  signersOf(entry: ResolvedPolicyEntry | undefined): Array<{signer: PolicySigner; check: SignerCheck}>
}

/** What the JSON says of one digest. */
export interface EvidenceFacts {
  signed: boolean
  sbom: boolean
  provenance: boolean
  /** 0-based index of the evidencePolicy entry that judged the image (absent: no policy, or none matched). */
  policyEntry?: number
  /** The signer that verified the signature. */
  signer?: PolicySigner
  /** What the verified provenance says (the first statement). */
  provenanceFacts?: ProvenanceFacts
  /** The verified SBOM: format and component count. */
  sbomFacts?: SbomFacts
}

/** How the facts fare against the policy; the rules turn this into findings. */
export interface EvidenceJudgement {
  /** A policy exists and no entry matches the image. */
  policyMissing: boolean
  /** The image carries signatures, but none verifies with the entry's signers. */
  signerNotAllowed: boolean
  /** The signers tried (for the message). */
  signersTried: PolicySigner[]
  sbomRequired: boolean
  provenanceRequired: boolean
  /** Provenance fields the policy does not allow (and statements that disagree with themselves). */
  mismatches: Mismatch[]
  /** `commitMatchesTag`: each use whose tag is a 40-hex commit must be the provenance's commit. */
  commitMatchesTag: boolean
  sbomProblems: string[]
  /** Evidence stored in a format the installed cosign cannot read (cosign 3's bundles under cosign 2). */
  unreadable: UnreadableEvidence[]
  /** A signature by a signer tried that is about another image (cosign's words). */
  tampered?: string
}

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
