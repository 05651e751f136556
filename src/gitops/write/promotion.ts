/** gitops promote's input: the digest-pinned refs of one overlay. */
import {failureError} from '../../core/errors.js'
import {isDigestPinned, tryParseImageReference} from '../../images/reference.js'
import type {GitopsPolicy} from '../layout/index.js'
import type {DesiredImage, SkippedImage} from './input.js'
import {readOverlay} from './overlay.js'
import {kustomizeRef, mapRef, mapRepository} from './refs.js'

/**
 * Promotion: the exact refs (repository, tag, digest) of one overlay, to be written into another. Only
 * digest-pinned source references are promoted; the rest are listed with a reason.
 */
export async function promotionInput(
  root: string,
  policy: GitopsPolicy,
  from: string,
  components: string[] | undefined,
): Promise<{images: DesiredImage[]; skipped: SkippedImage[]}> {
  const {files} = await readOverlay(root, policy, from)
  const byRepository = new Map<string, DesiredImage>()
  const skipped = new Map<string, SkippedImage>()
  const conflicts: string[] = []
  for (const {file, sites, maps, kustomize} of files) {
    // kustomize entries (`newName|name:newTag@digest`) and image maps (`[registry/]repository:tag@digest`, or a tag
    // carrying the digest) read as one reference each, like any other site.
    const entries = kustomize.map((k) => ({line: k.line, value: kustomizeRef(k)}))
    const mapped = maps.filter((m) => !m.fields.ref && mapRepository(m)).map((m) => ({line: m.line, value: mapRef(m)}))
    for (const site of [...sites, ...mapped, ...entries]) {
      const ref = tryParseImageReference(site.value.trim())
      if (!ref) continue
      const component = componentOf(ref.path)
      if (components && !components.includes(component)) continue
      if (!isDigestPinned(ref) || ref.tag === undefined) {
        skipped.set(ref.repository, {component, reason: `${file}:${site.line} ${site.value} is not digest-pinned`})
        continue
      }
      const seen = byRepository.get(ref.repository)
      if (seen && seen.ref !== site.value) conflicts.push(`${ref.repository}: ${seen.ref} and ${site.value}`)
      byRepository.set(ref.repository, {component, ref: site.value, parsed: ref})
    }
  }
  if (conflicts.length > 0) {
    throw failureError(
      'AMBIGUOUS_SOURCE',
      `The ${from} overlay holds two refs for one repository (${conflicts.join('; ')}).`,
      ['Make the source overlay agree with itself first; nothing was written.'],
    )
  }
  for (const repository of byRepository.keys()) skipped.delete(repository)
  return {
    images: [...byRepository.values()].sort((a, b) => a.parsed.repository.localeCompare(b.parsed.repository)),
    skipped: [...skipped.values()].sort((a, b) => a.component.localeCompare(b.component)),
  }
}

/** `ameideio/primitive-domain-orders` → `domain-orders`; other images are named by their last path segment. */
function componentOf(repositoryPath: string): string {
  const last = repositoryPath.split('/').pop() ?? repositoryPath
  return last.startsWith('primitive-') ? last.slice('primitive-'.length) : last
}
