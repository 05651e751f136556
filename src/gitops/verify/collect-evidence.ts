/** `gitops verify --evidence`: each digest asked of the registry once, judged, at every site that uses it. */
import {isDigestPinned, tryParseImageReference, formatImageReference} from '../../images/reference.js'
import {mapConcurrent} from '../../core/concurrency.js'
import type {FileImages} from '../facts/index.js'
import {examineDigest} from '../evidence/examine.js'
import type {JudgedEvidence} from '../rules/index.js'
import type {GitopsVerifyInput} from './io.js'

export async function collectEvidence(
  sites: Array<{file: string; found: FileImages}>,
  options: NonNullable<GitopsVerifyInput['evidence']>,
): Promise<JudgedEvidence[]> {
  const byDigest = new Map<string, Array<{file: string; line: number; tag?: string}>>()
  for (const {file, found} of sites) {
    for (const site of found.images) {
      const ref = tryParseImageReference(site.value.trim())
      if (!ref || !isDigestPinned(ref)) continue
      const key = formatImageReference({registry: ref.registry, path: ref.path, digest: ref.digest})
      const uses = byDigest.get(key) ?? []
      uses.push({file, line: site.line, ...(ref.tag !== undefined ? {tag: ref.tag} : {})})
      byDigest.set(key, uses)
    }
  }
  const images = [...byDigest.keys()].sort()
  // Once per digest, `concurrency` digests at a time; each digest's cosign calls one after another.
  const settled = await mapConcurrent(images, options.concurrency, async (image): Promise<JudgedEvidence> => {
    const {facts, judgement} = await examineDigest(image, options.verifier)
    const uses = byDigest.get(image)!
    return {
      record: {image, ...facts, uses: uses.map(({file, line}) => ({file, line}))},
      judgement,
      tags: uses.map((u) => u.tag),
    }
  })
  const failed = settled.find((s) => !s.ok)
  if (failed && !failed.ok) throw failed.error
  return settled.map((s) => (s as {ok: true; value: JudgedEvidence}).value)
}
