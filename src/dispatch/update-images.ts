/** `primitive gitops update-images`: the workflow inputs (env, source_sha, refs) from a publish report. */
import {parseEnvironment} from '../core/environment.js'
import {usageError} from '../core/errors.js'
import {readPublishReport} from '../publish/read-report.js'

/** GitHub's limit on a dispatch's inputs, all of them together (characters of the JSON object). */
export const MAX_DISPATCH_INPUTS_CHARS = 65_535

/**
 * The inputs of the GitOps repository's update-image-refs workflow from a publish report: `env`, `source_sha`
 * and `refs` (compact JSON, repository → digest-pinned ref). Every ref is validated as set-image would; inputs over
 * GitHub's size limit are refused (exit 2) rather than cut.
 */
export async function updateImagesInputs(
  reportFile: string,
  env: string,
): Promise<{inputs: Record<string, string>; sha: string; skipped: Array<{component: string; reason: string}>}> {
  parseEnvironment(env)
  const {images, skipped, sha} = await readPublishReport(reportFile)
  if (!sha) throw usageError('INVALID_REPORT', `--report ${reportFile} has no 40-hex sha.`)
  if (images.length === 0) throw usageError('NOTHING_TO_UPDATE', `--report ${reportFile} holds no published image.`)
  const refs = JSON.stringify(Object.fromEntries(images.map((i) => [i.parsed.repository, i.ref])))
  const inputs = {env, source_sha: sha, refs}
  const size = JSON.stringify(inputs).length
  if (size > MAX_DISPATCH_INPUTS_CHARS) {
    throw usageError(
      'INPUTS_TOO_LARGE',
      `The workflow inputs would be ${size} characters; GitHub accepts at most ${MAX_DISPATCH_INPUTS_CHARS} (${images.length} refs).`,
      [
        'Split the report (e.g. publish --component per group) or run ameide gitops set-image --open-pr in the GitOps CI.',
      ],
    )
  }
  return {inputs, sha, skipped}
}
