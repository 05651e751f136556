/** Small readers of YAML scalars and maps the finder shares: content ranges, quote styles, keys, image-map shape. */
import type {Pair, Scalar, YAMLMap} from 'yaml'

import type {YamlModule} from '../../images/yaml/index.js'
import type {ImageMap, QuoteStyle} from './model.js'

/** The offsets of a scalar's content: inside the quotes for quoted scalars. */
export function contentRange(node: Scalar): [number, number] {
  const [start, end] = node.range ?? [0, 0]
  if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') return [start + 1, end - 1]
  return [start, end]
}

export function styleOf(node: Scalar): QuoteStyle {
  switch (node.type) {
    case 'QUOTE_DOUBLE':
      return 'double'
    case 'QUOTE_SINGLE':
      return 'single'
    case 'BLOCK_LITERAL':
    case 'BLOCK_FOLDED':
      return 'block'
    default:
      return 'plain'
  }
}

/**
 * The shape of an image map: under an `image` key any of `repository`/`tag`/`digest`; under any other key a
 * `repository` that is no URL, with a `tag` or a `digest`.
 */
export function isImageShape(fields: ImageMap['fields'], imageKey: boolean): boolean {
  if (!fields.repository && !fields.tag && !fields.digest) return false
  if (imageKey) return true
  return Boolean(fields.repository && !fields.repository.value.includes('://') && (fields.tag || fields.digest))
}

export function scalarOf(y: YamlModule, map: YAMLMap, key: string): string | undefined {
  const v = map.get(key, true)
  return v && y.isScalar(v) && typeof v.value === 'string' ? v.value : undefined
}

export function findPair(y: YamlModule, map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => y.isScalar(p.key) && p.key.value === key)
}
