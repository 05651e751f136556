/** `provenance-missing` (`--evidence`): every digest-pinned image has a verified SLSA provenance attestation. */
import {attestationMissing, type EvidenceRule} from './rule.js'

export const provenanceMissing: EvidenceRule<'provenance-missing'> = {
  id: 'provenance-missing',
  kind: 'evidence',
  title: 'Digest-pinned image without a verified SLSA provenance attestation (slsaprovenance1)',
  source: 'backlog/603 goal (provenance), backlog/671 GitOps gate',
  hint: 'Publish it with ameide primitive publish (which attests provenance), or attest it with cosign attest.',
  checkEvidence: attestationMissing('provenance', 'SLSA provenance'),
}
