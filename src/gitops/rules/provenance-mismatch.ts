/**
 * `provenance-mismatch` (`--evidence`): the verified SLSA provenance says something the evidencePolicy entry does not
 * allow — its subject is another digest, another source repository, builder, build type, or (commitMatchesTag)
 * another commit than the 40-hex tag of the reference — or disagrees with itself.
 */
import {describeMismatch, tagCommitMismatch} from '../../attestations/statements.js'
import type {EvidenceRule} from './rule.js'

export const provenanceMismatch: EvidenceRule<'provenance-mismatch'> = {
  id: 'provenance-mismatch',
  kind: 'evidence',
  title:
    'Verified SLSA provenance that says what the evidencePolicy does not allow (repository, builder, build type, commit)',
  source: 'evidence that proves origin, backlog/603 goal ("Git commit → deployed artifact")',
  hint: 'Deploy an image built from the allowed repository by an allowed builder (a re-tagged image carries the commit that built it: pin that commit’s tag), or fix evidencePolicy.',
  checkEvidence: ({record: r, judgement: j, tags}, use) => {
    const mismatches = [...j.mismatches]
    if (j.commitMatchesTag && r.provenance) {
      const m = tagCommitMismatch(tags[use], r.provenanceFacts?.commit)
      if (m) mismatches.push(m)
    }
    return mismatches.map((m) => `${r.image}: provenance ${describeMismatch(m)}.`)
  },
}
