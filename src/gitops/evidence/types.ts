import type {Mismatch} from '../../attestations/statements.js'
import type {SbomFacts} from '../../attestations/statements.js'
import type {ProvenanceFacts} from '../../attestations/statements.js'
import type {PolicySigner} from '../../core/evidence-policy.js'
import type {ResolvedPolicyEntry} from '../../core/evidence-policy.js'
import type {AttestationType} from '../../effects/signing.js'
import type {SignatureVerdict} from '../../effects/cosign/signer.js'

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
