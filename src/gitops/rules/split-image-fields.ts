/** `split-image-fields`: under the `ref` contract an image is one `image.ref`, never split fields or a global tag. */
import {finding, type GitopsFinding, type PolicyRule} from './rule.js'

export const splitImageFields: PolicyRule<'split-image-fields'> = {
  id: 'split-image-fields',
  kind: 'policy',
  title: 'Image split into repository/tag/digest, or a global tag default, instead of one image.ref',
  source: 'backlog/603 WP-3',
  hint: 'Write one image.ref: "<repository>:<tag>@sha256:<digest>" (or declare gitopsPolicy.imageContract: split).',
  checkFile({file, zone, found, policy}) {
    const out: GitopsFinding[] = []
    if (policy.imageContract === 'ref') {
      for (const map of found.imageMaps) {
        const fields = (['registry', 'repository', 'tag', 'digest'] as const).filter((f) => map.fields[f])
        const message = `${map.path} splits the image into ${fields.join('/')}; the contract is one ${map.path}.ref.`
        out.push(finding(splitImageFields, file, map, message))
      }
    }
    if (zone.kind === 'cluster-config') return out
    for (const k of found.keyed) {
      if (/^imageTag$/i.test(k.key)) {
        const message = `${k.path}: ${k.value} is a global tag default; every image sets its own ref.`
        out.push(finding(splitImageFields, file, k, message))
      }
    }
    return out
  },
}
