import type {Document, Node, Scalar} from 'yaml'

import {blockMapping} from '../../images/find.js'
import {checkPreviewApplicationSet, type PreviewFinding} from './applicationset.js'
import type {PreviewPolicy} from './rules.js'

type YamlModule = typeof import('yaml')
type Position = (offset: number) => {line: number; column: number}

const MAX_EMBED_DEPTH = 4

/** Cheap test before any parsing: only a text naming ApplicationSet can hold one. */
export function mayHoldApplicationSet(text: string): boolean {
  return text.includes('ApplicationSet')
}

/**
 * The preview rules on every ApplicationSet of one YAML file: its documents, and documents embedded in literal
 * block strings (`manifests: |-`), reported at the outer file's line and column. A file that is not valid YAML has
 * no findings here (the gate lists it as skipped).
 */
export function previewFindings(yaml: YamlModule, text: string, policy: PreviewPolicy): PreviewFinding[] {
  if (!mayHoldApplicationSet(text)) return []
  const lines = new yaml.LineCounter()
  const position: Position = (offset) => {
    const {line, col} = lines.linePos(offset)
    return {line, column: col}
  }
  const out: PreviewFinding[] = []
  walkText(yaml, text, lines, position, policy, out, 0)
  return out
}

function walkText(
  y: YamlModule,
  text: string,
  lines: InstanceType<YamlModule['LineCounter']>,
  position: Position,
  policy: PreviewPolicy,
  out: PreviewFinding[],
  depth: number,
): void {
  let docs: Document.Parsed[]
  try {
    docs = y.parseAllDocuments(text, {lineCounter: lines, uniqueKeys: false, prettyErrors: false}) as Document.Parsed[]
  } catch {
    return
  }
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return
  for (const doc of docs) {
    const root = doc.contents as Node | null
    out.push(...checkPreviewApplicationSet({yaml: y, root, text, position, policy}))
    if (depth < MAX_EMBED_DEPTH) embedded(y, text, root, position, policy, out, depth)
  }
}

/** Literal block strings naming an ApplicationSet, walked as YAML of their own. */
function embedded(
  y: YamlModule,
  text: string,
  root: Node | null,
  position: Position,
  policy: PreviewPolicy,
  out: PreviewFinding[],
  depth: number,
): void {
  const blocks: Scalar[] = []
  y.visit(root, {
    Scalar(_key, node) {
      if (node.type === 'BLOCK_LITERAL' && typeof node.value === 'string' && mayHoldApplicationSet(node.value)) {
        blocks.push(node)
      }
    },
  })
  for (const node of blocks) {
    const mapping = blockMapping(text, node)
    if (!mapping) continue
    const inner = new y.LineCounter()
    const innerPosition: Position = (offset) => {
      const {line, col} = inner.linePos(offset)
      return position(mapping(line, col))
    }
    walkText(y, node.value as string, inner, innerPosition, policy, out, depth + 1)
  }
}
