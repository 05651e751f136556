/**
 * `override-precedence` (split contract): the image-override precedence design's override blocks fall back field by field to the root `image`;
 * where a digest is required the result must carry one, and an override never inherits the root digest for another
 * repository.
 */
import {effective, mapsByPath} from './common.js'
import {finding, type GitopsFinding, type PolicyRule} from './rule.js'

export const overridePrecedence: PolicyRule<'override-precedence'> = {
  id: 'override-precedence',
  kind: 'policy',
  title: 'Override block resolves to an image without a digest, or inherits the root digest for another repository',
  source: 'the image-override precedence design (control plane image override precedence)',
  hint: 'Give the override its own digest (or repository, tag and digest together); never let it inherit the root digest.',
  checkFile({file, zone, found, policy}) {
    if (policy.imageContract !== 'split') return []
    const out: GitopsFinding[] = []
    const byPath = mapsByPath(found.imageMaps)
    const root = byPath.get('image')
    const requireDigest =
      (zone.kind === 'overlay' && policy.requireDigestEnvironments.includes(zone.env)) || found.requireDigest === true
    for (const path of policy.overrides) {
      const override = byPath.get(path)
      if (!override) continue
      const eff = effective(override, root)
      if (requireDigest && !eff.digest) {
        const message = `${path} resolves to an image without a digest (the image-override precedence design).`
        out.push(finding(overridePrecedence, file, override, message))
      }
      const own = override.fields.repository?.value
      const rootRepository = root?.fields.repository?.value
      if (eff.inheritedDigest && own !== undefined && own !== rootRepository) {
        const message = `${path} names ${own} but inherits the digest of image (${rootRepository ?? '?'}): that digest belongs to another repository.`
        out.push(finding(overridePrecedence, file, override.fields.repository!, message))
      }
    }
    return out
  },
}
