/** `signer-not-allowed` (`--evidence` with an evidencePolicy): the digest is signed, but by none of its entry's signers. */
import {describeSigner} from '../../core/evidence-policy.js'
import type {EvidenceRule} from './rule.js'

export const signerNotAllowed: EvidenceRule<'signer-not-allowed'> = {
  id: 'signer-not-allowed',
  kind: 'evidence',
  title: 'Digest-pinned image signed, but by none of the signers its evidencePolicy entry allows',
  source: 'evidence that proves origin, backlog/603 goal (every image signed)',
  hint: 'Sign it with a key or identity the matching evidencePolicy entry lists, or fix the entry (images globs, signers).',
  checkEvidence: ({record: r, judgement: j}) =>
    j.signerNotAllowed
      ? [
          `${r.image} is signed, but by none of the signers evidencePolicy[${r.policyEntry}] allows (${j.signersTried.map(describeSigner).join('; ')}).`,
        ]
      : [],
}
