/** `provenance-missing` (`--evidence`): every digest-pinned image has a verified SLSA provenance attestation. */
import {unreadableEvidence, type EvidenceRule} from './rule.js'

export const provenanceMissing: EvidenceRule<'provenance-missing'> = {
  id: 'provenance-missing',
  kind: 'evidence',
  title: 'Digest-pinned image without a verified SLSA provenance attestation (slsaprovenance1)',
  source: 'backlog/603 goal (provenance), backlog/671 GitOps gate',
  hint: 'Publish it with ameide primitive publish (which attests provenance), or attest it with cosign attest.',
  checkEvidence: ({record: r, judgement: j}) =>
    r.provenance || j.policyMissing || !j.provenanceRequired || unreadableEvidence(j, 'signature', 'provenance')
      ? []
      : [`${r.image} has no verified SLSA provenance attestation.`],
}
