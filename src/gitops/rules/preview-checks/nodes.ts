/** Small readers of YAML nodes the preview checks share. */
import type {Node, Pair, Scalar, YAMLMap} from 'yaml'

export function q(s: string): string {
  return JSON.stringify(s)
}

export function keyOf(y: typeof import('yaml'), pair: Pair): Scalar | undefined {
  return y.isScalar(pair.key) ? (pair.key as Scalar) : undefined
}

export function scalarValue(y: typeof import('yaml'), node: unknown): unknown {
  return node && y.isScalar(node) ? (node as Scalar).value : undefined
}

export function mapAt(y: typeof import('yaml'), map: YAMLMap, key: string): YAMLMap | undefined {
  const v = map.get(key, true)
  return v && y.isMap(v) ? (v as YAMLMap) : undefined
}

export function pairAt(y: typeof import('yaml'), map: YAMLMap, path: string[]): Pair | undefined {
  let current: YAMLMap = map
  for (let i = 0; i < path.length; i++) {
    const pair = current.items.find((p) => keyOf(y, p)?.value === path[i])
    if (!pair) return undefined
    if (i === path.length - 1) return pair
    const next = pair.value as Node | null
    if (!next || !y.isMap(next)) return undefined
    current = next as YAMLMap
  }
  return undefined
}

export function contentStart(node: Node): number {
  const start = node.range?.[0] ?? 0
  const type = (node as Scalar).type
  return type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE' ? start + 1 : start
}
