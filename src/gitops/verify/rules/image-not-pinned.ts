/** `image-not-pinned`: every image reference in an overlay or cluster values carries a digest. */
import {isDigestPinned} from '../../../images/reference.js'
import {isPinningZone, parseSite, q, whereOf} from './common.js'
import {finding, type GitopsFinding, type PolicyRule} from './rule.js'

export const imageNotPinned: PolicyRule<'image-not-pinned'> = {
  id: 'image-not-pinned',
  kind: 'policy',
  title: 'Image reference without a digest in an environment overlay or cluster values',
  source: 'seed 000 WP-3, WP-5',
  hint: 'Pin the image by digest: <repository>:<git-sha>@sha256:<64 hex> (the tag is for readers, the digest is what runs).',
  checkFile({file, zone, found, policy}) {
    if (!isPinningZone(zone)) return []
    const out: GitopsFinding[] = []
    for (const site of found.images) {
      const ref = parseSite(site)
      if (ref && !isDigestPinned(ref)) {
        const message = `Image ${q(site.value)} (${site.path}) in ${whereOf(zone)} is not pinned by digest.`
        out.push(finding(imageNotPinned, file, site, message))
      }
    }
    if (policy.imageContract === 'ref') {
      for (const map of found.imageMaps) {
        if (!map.fields.ref && !map.fields.digest) {
          out.push(finding(imageNotPinned, file, map, `${map.path} in ${whereOf(zone)} has no digest.`))
        }
      }
    }
    return out
  },
}
