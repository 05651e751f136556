/**
 * Will the images come up: each distinct image asked of its registry (a manifest HEAD: exists, digest), and with
 * evidence its digest judged as `gitops verify --evidence` judges it (src/gitops/evidence/examine.ts): signature,
 * SBOM, provenance, and (the entry's `commitMatchesTag`) the provenance's commit against the pull request's head sha.
 */
import {mapConcurrent} from '../../core/concurrency.js'
import {describeMismatch} from '../../attestations/statements.js'
import {parseImageReference, tryParseImageReference} from '../../images/reference.js'
import {examineDigest} from '../evidence/examine.js'
import type {EvidenceJudgement} from '../evidence/types.js'
import type {EvidenceFacts} from '../evidence/types.js'
import type {EvidenceVerifier} from '../evidence/types.js'

export interface ImageRegistry {
  headManifest(repository: string, reference: string): Promise<{digest: string} | null>
}

export interface Answer {
  exists: boolean
  digest: string | null
  /** Not a reference the registry can be asked about (a template left in it, a bad name). */
  unresolved?: string
  evidence?: EvidenceFacts
  /** What the evidence lacks, in the words of the findings (rule → message). */
  problems: Array<{
    rule: 'unsigned' | 'sbom-missing' | 'provenance-missing' | 'provenance-commit' | 'evidence-mismatch'
    message: string
  }>
}

export async function askImages(
  refs: readonly string[],
  registry: ImageRegistry,
  headSha: string,
  evidence: {verifier: EvidenceVerifier; concurrency: number} | undefined,
): Promise<Map<string, Answer>> {
  const settled = await mapConcurrent([...refs], evidence?.concurrency ?? 8, async (ref): Promise<Answer> => {
    const parsed = tryParseImageReference(ref)
    if (!parsed) return {exists: false, digest: null, unresolved: 'not an image reference', problems: []}
    const head = await registry.headManifest(parsed.repository, parsed.digest ?? parsed.tag ?? 'latest')
    if (!head) return {exists: false, digest: null, problems: []}
    const answer: Answer = {exists: true, digest: head.digest, problems: []}
    if (!evidence) return answer
    const pinned = `${parseImageReference(ref).repository}@${head.digest}`
    const {facts, judgement} = await examineDigest(pinned, evidence.verifier)
    answer.evidence = facts
    answer.problems = judge(facts, judgement, headSha)
    return answer
  })
  const failed = settled.find((s) => !s.ok)
  if (failed && !failed.ok) throw failed.error
  return new Map(refs.map((ref, i) => [ref, (settled[i] as {ok: true; value: Answer}).value]))
}

function judge(facts: EvidenceFacts, j: EvidenceJudgement, headSha: string): Answer['problems'] {
  if (j.policyMissing)
    return [{rule: 'evidence-mismatch', message: 'no entry of evidencePolicy matches its repository'}]
  if (!facts.signed) {
    const why = j.signerNotAllowed ? 'signed, but by none of the signers the policy allows' : 'not signed'
    return [{rule: 'unsigned', message: why}]
  }
  const out: Answer['problems'] = []
  if (!facts.sbom && j.sbomRequired) out.push({rule: 'sbom-missing', message: 'no SBOM attestation'})
  for (const p of j.sbomProblems) out.push({rule: 'evidence-mismatch', message: `SBOM: ${p}`})
  if (!facts.provenance && j.provenanceRequired) {
    out.push({rule: 'provenance-missing', message: 'no provenance attestation'})
  }
  for (const m of j.mismatches) out.push({rule: 'evidence-mismatch', message: `provenance: ${describeMismatch(m)}`})
  // As `gitops verify` judges a 40-hex tag: only an entry with commitMatchesTag requires the head sha. publish
  // re-tags an unchanged component's `:main` as `:<head sha>`, whose provenance names the commit that built it.
  const commit = facts.provenanceFacts?.commit
  if (facts.provenance && j.commitMatchesTag && commit !== headSha) {
    out.push({
      rule: 'provenance-commit',
      message: `its provenance names commit ${commit ?? '(none)'}, not the head sha ${headSha}, and its evidencePolicy entry sets commitMatchesTag (a re-tag of an unchanged component names the commit that built it)`,
    })
  }
  return out
}
