/**
 * `evidence-unreadable` (`--evidence`): the digest's signature or attestations are stored in a format the cosign on
 * PATH cannot read (Sigstore bundles, which cosign 3 writes, under cosign 2): said with the fix, never `unsigned`.
 */
import type {EvidenceRule} from './rule.js'

export const evidenceUnreadable: EvidenceRule<'evidence-unreadable'> = {
  id: 'evidence-unreadable',
  kind: 'evidence',
  title: 'Digest-pinned image whose evidence is in a format the installed cosign cannot read',
  source: 'backlog/603 goal (every image signed), backlog/671 GitOps gate',
  hint: 'Install cosign 3 where the gate runs (sigstore/cosign-installer installs it by default): it reads both formats.',
  checkEvidence: ({record: r, judgement: j}) => j.unreadable.map((u) => `${r.image}: its ${u.what} is ${u.reason}.`),
}
