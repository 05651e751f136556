/**
 * What source-controller decides of an OCIRepository before its chart is fetched (the layer and the artifact are
 * effects/chart-repository.ts's and the render module's `flux artifact`).
 */
import {sharedTemplateEngine, type MatchResult} from '../../../effects/gotemplate/index.js'
import type {HelmResult} from '../../../effects/helm.js'
import type {RemoteChart} from '../../model/model.js'

/**
 * An OCIRepository's `ref.semverFilter` over the tag of the version `ref.semver` names: source-controller v1.9.1
 * (getTagBySemver, filterTags) keeps only the tags Go's regexp matches before it picks one, and fails with its words
 * when none is left. Go's regexp is the template engine's (effects/gotemplate): undefined when the tag is kept.
 */
export function semverFiltered(ref: RemoteChart): (HelmResult & {ok: false}) | undefined {
  const pattern = ref.artifact?.semverFilter
  if (pattern === undefined) return undefined
  let result: MatchResult
  try {
    ;[result] = sharedTemplateEngine().match([{pattern, text: ref.version.replaceAll('+', '_')}])
  } catch (error) {
    return {
      ok: false,
      unavailable: true,
      message: `the OCIRepository's ref.semverFilter is matched with Go's regexp, which cannot run here: ${(error as Error).message}`,
    }
  }
  if ('error' in result) return {ok: false, message: `source-controller fails: ${result.error}`}
  return result.matched
    ? undefined
    : {
        ok: false,
        message: `source-controller fails: no match found for semver: ${ref.version} (ref.semverFilter ${JSON.stringify(pattern)} leaves its tag out)`,
      }
}
