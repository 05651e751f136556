/** `sbom-invalid` (`--evidence`): a verified SBOM attestation that is no CycloneDX or SPDX document naming components. */
import type {EvidenceRule} from './rule.js'

export const sbomInvalid: EvidenceRule<'sbom-invalid'> = {
  id: 'sbom-invalid',
  kind: 'evidence',
  title: 'Verified SBOM attestation that is not a CycloneDX or SPDX document naming components',
  source: 'evidence that proves origin, backlog/603 goal (SBOM)',
  hint: 'Attest the SBOM an SBOM tool wrote (ameide primitive publish does: syft or cdxgen), with cosign attest --replace.',
  checkEvidence: ({record: r, judgement: j}) =>
    j.sbomProblems.map((p) => `${r.image}: the SBOM attestation is invalid: ${p}.`),
}
