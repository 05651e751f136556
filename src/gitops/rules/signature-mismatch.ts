/**
 * `signature-mismatch` (`--evidence`): a signature that verifies with an allowed key or identity, but is about
 * another image (copied onto this digest): the image is not signed, and someone moved a signature.
 */
import type {EvidenceRule} from './rule.js'

export const signatureMismatch: EvidenceRule<'signature-mismatch'> = {
  id: 'signature-mismatch',
  kind: 'evidence',
  title: 'Digest-pinned image carrying a valid signature made for another image',
  source: 'backlog/603 goal (every image signed), backlog/671 GitOps gate',
  hint: 'A signature was copied onto this digest: publish the image (which signs this digest), and find who moved it.',
  checkEvidence: ({record: r, judgement: j}) =>
    j.tampered && !r.signed ? [`${r.image} carries a signature made for another image: ${j.tampered}.`] : [],
}
