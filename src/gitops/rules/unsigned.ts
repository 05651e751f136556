/** `unsigned` (`--evidence`): every digest-pinned image has a valid signature. */
import {unreadableEvidence, type EvidenceRule} from './rule.js'

export const unsigned: EvidenceRule<'unsigned'> = {
  id: 'unsigned',
  kind: 'evidence',
  title: 'Digest-pinned image without a valid signature',
  source: 'backlog/603 goal (every image signed), backlog/671 GitOps gate',
  hint: 'Publish it with ameide primitive publish (which signs), or check the verification key / identity.',
  checkEvidence: ({record: r, judgement: j}) =>
    r.signed || j.policyMissing || j.signerNotAllowed || j.tampered || unreadableEvidence(j, 'signature')
      ? []
      : [`${r.image} has no valid signature.`],
}
