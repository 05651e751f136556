/**
 * `invalid-image-reference`: a value where an image reference belongs that is none (bytes that are not UTF-8, a NUL,
 * upper case, a malformed digest…). The reference rules cannot judge it, so it is a finding, never silence.
 */
import {InvalidImageReference, parseImageReference} from '../../images/reference.js'
import {q} from './common.js'
import {finding, type GitopsFinding, type PolicyRule} from './rule.js'

export const invalidImageReference: PolicyRule<'invalid-image-reference'> = {
  id: 'invalid-image-reference',
  kind: 'policy',
  title: 'A value where an image reference belongs is not a valid reference',
  source: 'OCI distribution reference grammar (src/images/reference.ts); fail closed',
  hint: 'Write a reference as <registry>/<path>:<tag>@sha256:<64 hex>, in UTF-8, lowercase path (or a Helm/env template expression).',
  checkFile({file, found}) {
    const out: GitopsFinding[] = []
    for (const site of found.images) {
      const why = invalidity(site.value.trim())
      if (why !== undefined) {
        const shown = site.value.length > 120 ? `${site.value.slice(0, 120)}…` : site.value
        out.push(
          finding(invalidImageReference, file, site, `${q(shown)} (${site.path}) is not an image reference: ${why}.`),
        )
      }
    }
    return out
  },
}

/** Why `value` is no reference, or undefined when it is one. */
function invalidity(value: string): string | undefined {
  if (value.includes('\uFFFD')) return 'it holds bytes that are not UTF-8'
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'it holds a control character'
  try {
    parseImageReference(value)
    return undefined
  } catch (error) {
    if (error instanceof InvalidImageReference) return error.reason
    throw error
  }
}
