/** Helpers several rules share: parsing a site's reference, floating tags of split maps, the image-override precedence design's fallback. */
import {FLOATING_TAGS, InvalidImageReference, parseImageReference, type ImageReference} from '../../images/reference.js'
import {DIGEST_IN_TAG, mapIsPinned, type ImageMap, type ImageSite} from '../facts/index.js'
import type {GitopsPolicy, Zone} from '../layout/index.js'

export const q = (s: string) => JSON.stringify(s)

/** Overlays and cluster values must pin by digest (backlog/603 WP-3, WP-5). */
export {isPinningZone} from '../layout/index.js'

/** How a finding names the scope of a file: `the staging overlay`, `cluster values`. */
export const whereOf = (zone: Zone) => (zone.kind === 'overlay' ? `the ${zone.env} overlay` : `${zone.kind} values`)

/** The reference of a site, or undefined when it is not one (the site is then no finding of the reference rules). */
export function parseSite(site: ImageSite): ImageReference | undefined {
  try {
    return parseImageReference(site.value.trim())
  } catch (error) {
    if (error instanceof InvalidImageReference) return undefined
    throw error
  }
}

export function tagIsFloating(tag: string, policy: GitopsPolicy): boolean {
  return FLOATING_TAGS.has(tag) || policy.extraFloatingTags.includes(tag)
}

/** An override's image after the image-override precedence design's field-by-field fallback to the root `image`. */
export interface Effective {
  tag?: string
  digest?: string
  /** The digest came from the root image, not from the override itself. */
  inheritedDigest: boolean
}

export function effective(override: ImageMap, root: ImageMap | undefined): Effective {
  const pick = (f: 'tag' | 'digest') => override.fields[f]?.value || root?.fields[f]?.value || undefined
  return {
    tag: pick('tag'),
    digest: pick('digest'),
    inheritedDigest: !override.fields.digest?.value && Boolean(root?.fields.digest?.value),
  }
}

/** The top-level (not embedded) image maps of a file by path. */
export const mapsByPath = (maps: ImageMap[]) => new Map(maps.filter((m) => !m.embedded).map((m) => [m.path, m]))

/** The tag a map resolves to: its own, or for an override block of the image-override precedence design (split contract) the root image's. */
export function effectiveTag(map: ImageMap, byPath: Map<string, ImageMap>, policy: GitopsPolicy): string {
  const override = policy.imageContract === 'split' && policy.overrides.includes(map.path)
  return map.fields.tag?.value || (override ? byPath.get('image')?.fields.tag?.value : undefined) || ''
}

/**
 * A map pins its image (`mapIsPinned`), or — under the split contract — it is an override block of the image-override precedence design that
 * resolves, field by field, to the root `image`'s repository and a digest (`controllers.image: {tag: <sha>}` under a
 * digest-pinned root). An override naming another repository never borrows the root digest (override-precedence).
 */
export function pinnedThroughPrecedence(map: ImageMap, byPath: Map<string, ImageMap>, policy: GitopsPolicy): boolean {
  if (mapIsPinned(map)) return true
  if (policy.imageContract !== 'split' || map.embedded || !policy.overrides.includes(map.path)) return false
  const root = byPath.get('image')
  if (!root || byPath.get(map.path) !== map) return false
  const own = map.fields.repository?.value
  if (own && own !== root.fields.repository?.value) return false
  const eff = effective(map, root)
  return Boolean(eff.digest || DIGEST_IN_TAG.test(eff.tag ?? ''))
}
