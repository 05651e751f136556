/** `floating-tag`: no reference or split tag uses dev, main, latest (or a configured extra), or omits the tag. */
import {floatingTagOf} from '../../images/reference.js'
import {parseSite, q, tagIsFloating} from './common.js'
import {finding, type GitopsFinding, type PolicyRule} from './rule.js'

export const floatingTag: PolicyRule<'floating-tag'> = {
  id: 'floating-tag',
  kind: 'policy',
  title: 'Floating tag (dev, main, latest, or no tag at all) in GitOps-managed YAML',
  source: 'backlog/603 WP-5',
  hint: 'Replace it with the digest-pinned ref from the publish report (ameide gitops set-image does it for you).',
  checkFile({file, found, policy}) {
    const out: GitopsFinding[] = []
    for (const site of found.images) {
      const ref = parseSite(site)
      if (!ref) continue
      const tag = floatingTagOf(ref, policy.extraFloatingTags)
      if (tag === undefined) continue
      const how =
        ref.tag === undefined ? 'has no tag and no digest, so it means :latest' : `uses the floating tag :${tag}`
      out.push(finding(floatingTag, file, site, `Image ${q(site.value)} (${site.path}) ${how}.`))
    }
    // `tag: ""` means the chart's appVersion (Helm's convention), not a floating tag.
    for (const map of found.imageMaps) {
      const tag = map.fields.tag
      if (tag !== undefined && tagIsFloating(tag.value, policy)) {
        out.push(finding(floatingTag, file, tag, `${map.path}.tag: ${tag.value} is a floating tag.`))
      }
    }
    // A kustomize entry without a newTag (or with `newTag: ""`, which kustomize ignores) keeps the tag of the image it
    // renames: only rendering knows it, and the resources' own references are judged where they are written.
    for (const k of found.kustomizeImages) {
      const tag = k.fields.newTag
      if (tag !== undefined && tagIsFloating(tag.value, policy)) {
        out.push(finding(floatingTag, file, tag, `kustomize image ${q(k.name)} (${k.path}) sets newTag: ${tag.value}.`))
      }
    }
    return out
  },
}
