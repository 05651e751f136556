/** `image-not-pinned`: every image reference in an overlay or cluster values carries a digest. */
import {isDigestPinned} from '../../images/reference.js'
import {DIGEST_IN_TAG} from '../facts/index.js'
import {effectiveTag, isPinningZone, mapsByPath, parseSite, pinnedThroughPrecedence, q, whereOf} from './common.js'
import {finding, type GitopsFinding, type PolicyRule} from './rule.js'

export const imageNotPinned: PolicyRule<'image-not-pinned'> = {
  id: 'image-not-pinned',
  kind: 'policy',
  title: 'Image reference without a digest in an environment overlay or cluster values',
  source: 'backlog/603 WP-3, WP-5',
  hint: 'Pin the image by digest: <repository>:<git-sha>@sha256:<64 hex> (the tag is for readers, the digest is what runs).',
  checkFile({file, zone, found, policy, chart}) {
    if (!isPinningZone(zone)) return []
    const out: GitopsFinding[] = []
    for (const site of found.images) {
      const ref = parseSite(site)
      if (ref && !isDigestPinned(ref)) {
        const message = `Image ${q(site.value)} (${site.path}) in ${whereOf(zone)} is not pinned by digest.`
        out.push(finding(imageNotPinned, file, site, message))
      }
    }
    // Image maps under both contracts: pinned is a `ref`, a `digest`, or a tag carrying the digest; under split, an
    // override block of the image-override precedence design is judged by the image it resolves to through the precedence chain.
    const byPath = mapsByPath(found.imageMaps)
    for (const map of found.imageMaps) {
      if (!pinnedThroughPrecedence(map, byPath, policy)) {
        out.push(finding(imageNotPinned, file, map, `${map.path} in ${whereOf(zone)} has no digest.`))
      } else if (
        chart?.readsDigest === false &&
        !map.fields.ref &&
        !DIGEST_IN_TAG.test(effectiveTag(map, byPath, policy))
      ) {
        // The chart renders `repository:tag`: a digest key pins nothing it deploys.
        const message = `${map.path} in ${whereOf(zone)} has a digest the chart ${chart.dir}/ never reads (its templates render repository:tag); write it in the tag.`
        out.push(finding(imageNotPinned, file, map.fields.digest ?? map, message))
      }
    }
    // kustomize `images:` entries: the digest is what pins (newTag alone does not). An entry that sets neither (a
    // rename: `newName` only) keeps the tag and digest of the image it renames, known only once rendered.
    for (const k of found.kustomizeImages) {
      if (!k.fields.digest?.value && k.fields.newTag?.value) {
        const message = `kustomize image ${q(k.name)} (${k.path}) in ${whereOf(zone)} has no digest.`
        out.push(finding(imageNotPinned, file, k, message))
      }
    }
    return out
  },
}
