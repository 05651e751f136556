/**
 * YAML documents with the line of every value: the 1-based line of the key (or list item) that wrote the value at a
 * path, read from the parser's nodes. What points a finding at a values line or an Application's field.
 */
import type {Document} from 'yaml'

import type {YamlModule} from '../../images/yaml/index.js'
import {NestingLimit} from '../../images/yaml/kube.js'
import {documentsTooDeep, flowTooDeep, MAX_NESTING, NESTED_TOO_DEEP} from '../../images/yaml/parse.js'

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

/** A document that did not parse, or that ameide does not read within its limits (100 aliases). */
export interface UnparsedDoc {
  line: number
  /** The document's own YAML text. */
  text: string
  message: string
}

/**
 * Every document of `text` (those that parse); none when the text is not YAML. `unparsed`: told each document that
 * does not parse or exceeds ameide's limits (a reader that must not pass it over in silence).
 */
export function linedDocuments(yaml: YamlModule, text: string, unparsed?: (doc: UnparsedDoc) => void): LinedDoc[] {
  const lineCounter = new yaml.LineCounter()
  let docs: Array<{errors: unknown[]; contents: Node | null; range: [number, number, number]; toJS(o: object): unknown}>
  // Past the nesting limit, the same answer whether the check or the parser's own stack stops it.
  const tooDeep = () => unparsed?.({line: 1, text, message: limitMessage(new NestingLimit(NESTED_TOO_DEEP))})
  if (flowTooDeep(text)) {
    tooDeep()
    return []
  }
  try {
    docs = yaml.parseAllDocuments(text, {lineCounter, logLevel: 'error'}) as unknown as typeof docs
  } catch (error) {
    unparsed?.({line: 1, text, message: isLimitError(error) ? limitMessage(error) : (error as Error).message})
    return []
  }
  if (!Array.isArray(docs)) return []
  if (documentsTooDeep(yaml, docs as unknown as Document.Parsed[])) {
    tooDeep()
    return []
  }
  const out: LinedDoc[] = []
  const lineAt = (offset: number) => lineCounter.linePos(offset).line
  for (const doc of docs) {
    const own = () => text.slice(doc.range[0], doc.range[2])
    const startLine = () => lineAt(doc.range[0])
    if (doc.errors.length > 0) {
      const message = (doc.errors[0] as {message?: string}).message ?? 'not YAML'
      unparsed?.({line: startLine(), text: own(), message})
      continue
    }
    let value: unknown
    try {
      value = doc.toJS({maxAliasCount: 100})
    } catch (error) {
      unparsed?.({line: startLine(), text: own(), message: limitMessage(error)})
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

/**
 * A YAML reading stopped by one of ameide's own limits, not by the text: aliases past the guard against alias bombs,
 * or collections nested past what the YAML library's recursion reaches (its stack runs out).
 */
export const isLimitError = (error: unknown): boolean =>
  error instanceof NestingLimit || /alias|call stack|too much recursion/i.test(messageOf(error))

const messageOf = (error: unknown) => String((error as Error)?.message ?? error)

/** What the YAML library's refusal to expand a document says, in ameide's words (its limits, else its message). */
export function limitMessage(error: unknown): string {
  const message = messageOf(error)
  if (/alias/i.test(message))
    return `it uses more than 100 YAML aliases, more than ameide expands (a guard against alias bombs), although the parsers of Argo CD, Flux, helm and kustomize read it`
  if (error instanceof NestingLimit || /call stack|too much recursion/i.test(message))
    return `its collections nest deeper than ${MAX_NESTING} levels, more than ameide's YAML reader follows, although the parsers of Argo CD, Flux, helm and kustomize read it`
  return message
}
