import {readFile} from 'node:fs/promises'

import {usageError} from '../../core/errors.js'
import {
  FLOATING_TAGS,
  InvalidImageReference,
  isDigestPinned,
  parseImageReference,
  type ImageReference,
} from '../../images/reference.js'

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

const COMPONENT = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$/

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

/** `--ref` values (repeatable). Two refs for one repository are a conflict (exit 2). */
export function desiredFromRefs(refs: string[]): DesiredImage[] {
  return unique(refs.map((ref, i) => parseDesiredRef(ref.trim(), undefined, `--ref #${i + 1}`)))
}

/**
 * A `primitive publish` report (schemaVersion 1): its images with a ref; failed components and images without a
 * ref (a dry run's builds) are skipped and listed. Anything malformed is exit 2.
 */
export async function desiredFromReport(
  file: string,
): Promise<{images: DesiredImage[]; skipped: SkippedImage[]; sha: string | undefined}> {
  let doc: unknown
  try {
    doc = JSON.parse(await readFile(file, 'utf8'))
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'is not JSON'
    throw usageError('INVALID_REPORT', `--report ${file} ${why}.`, [
      'Pass the --json output of ameide primitive publish.',
    ])
  }
  const report = doc as {schemaVersion?: unknown; sha?: unknown; images?: unknown; failures?: unknown}
  if (report?.schemaVersion !== 1) {
    throw usageError(
      'INVALID_REPORT',
      `--report ${file}: schemaVersion ${JSON.stringify(report?.schemaVersion)} is not 1.`,
      ['Pass the --json output of ameide primitive publish (schemaVersion 1).'],
    )
  }
  if (!Array.isArray(report.images) || (report.failures !== undefined && !Array.isArray(report.failures))) {
    throw usageError('INVALID_REPORT', `--report ${file}: images/failures are not lists.`, [REPORT_HINT])
  }
  const skipped: SkippedImage[] = []
  for (const f of (report.failures ?? []) as Array<{component?: unknown; code?: unknown}>) {
    skipped.push({component: checkComponent(f.component, file), reason: `failed to publish (${String(f.code)})`})
  }
  const failed = new Set(skipped.map((s) => s.component))
  const images: DesiredImage[] = []
  for (const image of report.images as Array<{component?: unknown; ref?: unknown}>) {
    const component = checkComponent(image.component, file)
    if (failed.has(component)) continue
    if (image.ref === null) {
      skipped.push({component, reason: 'no ref in the report (a dry run)'})
      continue
    }
    if (typeof image.ref !== 'string') {
      throw usageError('INVALID_REPORT', `--report ${file}: ${component} has no ref.`, [REPORT_HINT])
    }
    images.push(parseDesiredRef(image.ref, component, `--report ${file} (${component})`))
  }
  const sha = typeof report.sha === 'string' && /^[0-9a-f]{40}$/.test(report.sha) ? report.sha : undefined
  return {images: unique(images), skipped: skipped.sort((a, b) => a.component.localeCompare(b.component)), sha}
}

const REPORT_HINT = 'Pass the --json output of ameide primitive publish (schemaVersion 1), unedited.'

/** Component names come from another repository's CI: `<kind>-<name>`, nothing that could name a path. */
function checkComponent(value: unknown, file: string): string {
  if (typeof value !== 'string' || !COMPONENT.test(value)) {
    throw usageError('INVALID_REPORT', `--report ${file}: component ${JSON.stringify(value)} is not <kind>-<name>.`, [
      'Component names are <kind>-<name> in lower case (domain-orders); pass the report ameide primitive publish wrote, unedited.',
    ])
  }
  return value
}

function unique(images: DesiredImage[]): DesiredImage[] {
  const byRepository = new Map<string, DesiredImage>()
  for (const image of images) {
    const seen = byRepository.get(image.parsed.repository)
    if (seen && seen.ref !== image.ref) {
      throw usageError(
        'CONFLICTING_REFS',
        `Two refs for ${image.parsed.repository}: ${seen.ref} and ${image.ref}; one repository gets one ref.`,
        ['Pass one ref per repository (--ref or the report); drop the stale one.'],
      )
    }
    byRepository.set(image.parsed.repository, image)
  }
  return [...byRepository.values()].sort((a, b) => a.parsed.repository.localeCompare(b.parsed.repository))
}
