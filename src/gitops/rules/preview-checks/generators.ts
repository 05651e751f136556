/** The pull-request generators of an ApplicationSet, also nested in matrix and merge generators. */
import type {Node, Scalar, YAMLMap} from 'yaml'

import {keyOf, scalarValue} from './nodes.js'

/** A pull-request generator and where it sits: the top-level generator item it belongs to, the matrix/merge maps on the way. */
export interface PrGenerator {
  key: Scalar
  node: YAMLMap
  top: YAMLMap
  chain: YAMLMap[]
}

const MAX_DEPTH = 8

/** True for an `argoproj.io` ApplicationSet document whose generators include a pull-request generator. */
export function isPreviewApplicationSet(yaml: typeof import('yaml'), root: Node | null): boolean {
  return previewGenerators(yaml, root).length > 0
}

export function previewGenerators(y: typeof import('yaml'), root: Node | null): PrGenerator[] {
  if (!root || !y.isMap(root)) return []
  const kind = scalarValue(y, root.get('kind', true))
  const api = scalarValue(y, root.get('apiVersion', true))
  if (kind !== 'ApplicationSet' || typeof api !== 'string' || !api.startsWith('argoproj.io/')) return []
  const spec = root.get('spec', true)
  if (!spec || !y.isMap(spec)) return []
  const generators = spec.get('generators', true)
  const out: PrGenerator[] = []
  if (!generators || !y.isSeq(generators)) return out
  for (const item of generators.items) {
    if (item && y.isMap(item)) collect(y, item as YAMLMap, item as YAMLMap, [], out, 0)
  }
  return out
}

function collect(
  y: typeof import('yaml'),
  gen: YAMLMap,
  top: YAMLMap,
  chain: YAMLMap[],
  out: PrGenerator[],
  depth: number,
) {
  if (depth > MAX_DEPTH) return
  for (const pair of gen.items) {
    const key = keyOf(y, pair)
    if (!key) continue
    const value = pair.value as Node | null
    if (key.value === 'pullRequest' && value && y.isMap(value)) {
      out.push({key: pair.key as Scalar, node: value, top, chain})
    } else if ((key.value === 'matrix' || key.value === 'merge') && value && y.isMap(value)) {
      const nested = value.get('generators', true)
      if (nested && y.isSeq(nested)) {
        for (const item of nested.items) {
          if (item && y.isMap(item)) collect(y, item as YAMLMap, top, [...chain, value], out, depth + 1)
        }
      }
    }
  }
}
