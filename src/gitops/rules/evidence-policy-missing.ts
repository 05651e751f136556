/** `evidence-policy-missing` (`--evidence` with an evidencePolicy): no entry matches the image (fail closed). */
import {parseImageReference} from '../../images/reference.js'
import type {EvidenceRule} from './rule.js'

export const evidencePolicyMissing: EvidenceRule<'evidence-policy-missing'> = {
  id: 'evidence-policy-missing',
  kind: 'evidence',
  title: 'Digest-pinned image that no evidencePolicy entry matches',
  source: 'evidence that proves origin: a policy fails closed',
  hint: 'Add an evidencePolicy entry whose images globs match this repository (who signs it, what its provenance says).',
  checkEvidence: ({record: r, judgement: j}) =>
    j.policyMissing
      ? [
          `${r.image}: no evidencePolicy entry matches ${parseImageReference(r.image).repository}, so nothing says who may sign it.`,
        ]
      : [],
}
