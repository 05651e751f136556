/** The 1-based line of a value of a parsed YAML document, by its path from the document root (the `lineOf` of the contract). */
import {isMap, isScalar, isSeq, LineCounter, type Document, type Node} from 'yaml'

export function documentLineOf(
  doc: Document,
  lineCounter: LineCounter,
): (path: ReadonlyArray<string | number>) => number | undefined {
  return (path) => {
    let node: unknown = doc.contents
    let keyNode: unknown
    for (const step of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(step))
        if (!pair) return undefined
        keyNode = pair.key
        node = pair.value
      } else if (isSeq(node) && typeof step === 'number') {
        node = node.items[step]
        keyNode = undefined
        if (node === undefined) return undefined
      } else return undefined
    }
    // A scalar's own line; a map or list under a key starts on the key's line.
    const target = (isScalar(node) ? node : (keyNode ?? node)) as Node | undefined
    const offset = target?.range?.[0]
    return offset === undefined ? undefined : lineCounter.linePos(offset).line
  }
}
