/**
 * The reader of a `primitive publish --json` report (report.ts is its type), for the commands that write its refs
 * elsewhere: `gitops set-image --report` and `primitive gitops update-images`.
 */
import {readFile} from 'node:fs/promises'

import {usageError} from '../core/errors.js'
import {parseDesiredRef, uniqueDesired, type DesiredImage, type SkippedImage} from '../images/desired.js'

const COMPONENT = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$/

/**
 * A `primitive publish` report (schemaVersion 1): its images with a ref; failed components and images without a
 * ref (a dry run's builds) are skipped and listed. Anything malformed is exit 2.
 */
export async function readPublishReport(
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
    throw usageError('INVALID_REPORT', `--report ${file}: images/failures are not lists.`)
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
    if (typeof image.ref !== 'string') throw usageError('INVALID_REPORT', `--report ${file}: ${component} has no ref.`)
    images.push(parseDesiredRef(image.ref, component, `--report ${file} (${component})`))
  }
  const sha = typeof report.sha === 'string' && /^[0-9a-f]{40}$/.test(report.sha) ? report.sha : undefined
  return {images: uniqueDesired(images), skipped: skipped.sort((a, b) => a.component.localeCompare(b.component)), sha}
}

/** Component names come from another repository's CI: `<kind>-<name>`, nothing that could name a path. */
function checkComponent(value: unknown, file: string): string {
  if (typeof value !== 'string' || !COMPONENT.test(value)) {
    throw usageError('INVALID_REPORT', `--report ${file}: component ${JSON.stringify(value)} is not <kind>-<name>.`)
  }
  return value
}
