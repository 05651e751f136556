/**
 * YAML documents with the line of every value: the 1-based line of the key (or list item) that wrote the value at a
 * path, read from the parser's nodes. What points a finding at a values line or an Application's field.
 */
import type {YamlModule} from '../../images/yaml/index.js'

export type KeyPath = ReadonlyArray<string | number>

export interface LinedDoc {
  /** The document as plain JSON. */
  value: unknown
  /** The 1-based line the document's content starts at. */
  line: number
  /** The document's own YAML text (for a reader that must parse it its own way: the ApplicationSet engine). */
  text: string
  /** The line of the key (map) or item (list) that wrote `path`, undefined when the path is not in the document. */
  lineOf(path: KeyPath): number | undefined
}

interface Node {
  range?: [number, number, number] | null
  items?: Array<Pair | Node>
}

interface Pair {
  key?: (Node & {value?: unknown}) | null
  value?: Node | null
}

/** Every document of `text` (those that parse); none when the text is not YAML. */
export function linedDocuments(yaml: YamlModule, text: string): LinedDoc[] {
  const lineCounter = new yaml.LineCounter()
  let docs: Array<{errors: unknown[]; contents: Node | null; range: [number, number, number]; toJS(o: object): unknown}>
  try {
    docs = yaml.parseAllDocuments(text, {lineCounter}) as unknown as typeof docs
  } catch {
    return []
  }
  if (!Array.isArray(docs)) return []
  const out: LinedDoc[] = []
  const lineAt = (offset: number) => lineCounter.linePos(offset).line
  for (const doc of docs) {
    if (doc.errors.length > 0) continue
    let value: unknown
    try {
      value = doc.toJS({maxAliasCount: 100})
    } catch {
      continue
    }
    const contents = doc.contents
    const line = contents?.range ? lineAt(contents.range[0]) : 1
    out.push({
      value,
      line,
      text: text.slice(doc.range[0], doc.range[2]),
      lineOf(path) {
        let node: Node | null | undefined = contents
        let at: number | undefined = line
        for (const step of path) {
          if (!node?.items) return undefined
          if (typeof step === 'number') {
            const item = node.items[step] as Node | undefined
            if (!item || 'key' in item) return undefined
            node = item
            at = item.range ? lineAt(item.range[0]) : at
          } else {
            const pair: Pair | undefined = (node.items as Pair[]).find(
              (p) => p.key !== undefined && String(p.key?.value ?? '') === step,
            )
            if (!pair) return undefined
            at = pair.key?.range ? lineAt(pair.key.range[0]) : at
            node = pair.value
          }
        }
        return at
      },
    })
  }
  return out
}
