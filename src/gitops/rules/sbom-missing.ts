/** `sbom-missing` (`--evidence`): every digest-pinned image has a verified SBOM attestation. */
import {attestationMissing, type EvidenceRule} from './rule.js'

export const sbomMissing: EvidenceRule<'sbom-missing'> = {
  id: 'sbom-missing',
  kind: 'evidence',
  title: 'Digest-pinned image without a verified SBOM attestation (cyclonedx or spdxjson)',
  source: 'backlog/603 goal (SBOM), backlog/671 GitOps gate',
  hint: 'Publish it with ameide primitive publish (which attests an SBOM), or attest one with cosign attest.',
  checkEvidence: attestationMissing('sbom', 'SBOM'),
}
