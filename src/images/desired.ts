/**
 * A ref to write into a GitOps overlay: digest-pinned, with a commit tag, never a floating one; and the images of
 * one write, one ref per repository. Read from --ref flags (gitops/write/input.ts) or a publish report
 * (publish/read-report.ts).
 */
import {usageError} from '../core/errors.js'
import {
  FLOATING_TAGS,
  InvalidImageReference,
  isDigestPinned,
  parseImageReference,
  type ImageReference,
} from './reference.js'

/** An image to write: the exact reference, and the component it came from (when a publish report named it). */
export interface DesiredImage {
  component: string | undefined
  ref: string
  parsed: ImageReference
}

export interface SkippedImage {
  component: string
  reason: string
}

/**
 * A ref to write: only `<repository>:<tag>@sha256:<64 hex>`. A floating tag, a missing tag or digest, or a
 * malformed repository is exit 2 before any file is touched.
 */
export function parseDesiredRef(ref: string, component: string | undefined, origin: string): DesiredImage {
  let parsed: ImageReference
  try {
    parsed = parseImageReference(ref)
  } catch (error) {
    if (!(error instanceof InvalidImageReference)) throw error
    throw usageError('INVALID_IMAGE_REF', `${origin}: ${error.message}.`, [REF_HINT])
  }
  if (!isDigestPinned(parsed) || parsed.tag === undefined) {
    throw usageError(
      'INVALID_IMAGE_REF',
      `${origin}: ${JSON.stringify(ref)} is not <repository>:<tag>@sha256:<64 hex>; only digest-pinned refs are written.`,
      [REF_HINT],
    )
  }
  if (FLOATING_TAGS.has(parsed.tag)) {
    throw usageError(
      'INVALID_IMAGE_REF',
      `${origin}: ${JSON.stringify(ref)} carries the floating tag :${parsed.tag}.`,
      ['Use the commit-sha tag the publish report gives.'],
    )
  }
  return {component, ref, parsed}
}

const REF_HINT = 'e.g. ghcr.io/ameideio/primitive-domain-orders:3f9c2a1…@sha256:<64 hex> (from the publish report)'

/** One ref per repository, sorted; two different refs for one repository are a conflict (exit 2). */
export function uniqueDesired(images: DesiredImage[]): DesiredImage[] {
  const byRepository = new Map<string, DesiredImage>()
  for (const image of images) {
    const seen = byRepository.get(image.parsed.repository)
    if (seen && seen.ref !== image.ref) {
      throw usageError(
        'CONFLICTING_REFS',
        `Two refs for ${image.parsed.repository}: ${seen.ref} and ${image.ref}; one repository gets one ref.`,
      )
    }
    byRepository.set(image.parsed.repository, image)
  }
  return [...byRepository.values()].sort((a, b) => a.parsed.repository.localeCompare(b.parsed.repository))
}
