import type {Document, Node, Scalar} from 'yaml'

import {blockOffset, blockSpan, MAX_EMBED_DEPTH, parseYaml, type YamlModule} from '../../../images/yaml/index.js'
import {checkPreviewApplicationSet, type PreviewFinding} from './applicationset.js'
import type {PreviewPolicy} from './rules.js'

type Position = (offset: number) => {line: number; column: number}

/** Cheap test before any parsing: only a text naming ApplicationSet can hold one. */
export function mayHoldApplicationSet(text: string): boolean {
  return text.includes('ApplicationSet')
}

/**
 * The preview rules on every ApplicationSet of one YAML file: its documents, and documents embedded in literal
 * block strings (`manifests: |-`), reported at the outer file's line and column. A file that is not usable YAML has
 * no findings here (the gate lists it as skipped).
 */
export function previewFindings(yaml: YamlModule, text: string, policy: PreviewPolicy): PreviewFinding[] {
  if (!mayHoldApplicationSet(text)) return []
  const lines = new yaml.LineCounter()
  const parsed = parseYaml(yaml, text, lines)
  if (!parsed.docs) return []
  const outer: Position = (offset) => {
    const {line, col} = lines.linePos(offset)
    return {line, column: col}
  }
  const out: PreviewFinding[] = []
  walk(yaml, text, parsed.docs, (offset) => offset, outer, policy, out, 0)
  return out
}

/** `toOuter` maps an offset of `text` to one of the outer file, whose positions `outer` gives. */
function walk(
  y: YamlModule,
  text: string,
  docs: Document.Parsed[],
  toOuter: (offset: number) => number,
  outer: Position,
  policy: PreviewPolicy,
  out: PreviewFinding[],
  depth: number,
): void {
  const position: Position = (offset) => outer(toOuter(offset))
  for (const doc of docs) {
    const root = doc.contents as Node | null
    out.push(...checkPreviewApplicationSet({yaml: y, root, text, position, policy}))
    if (depth >= MAX_EMBED_DEPTH) continue
    const blocks: Scalar[] = []
    y.visit(root, {
      Scalar(_key, node) {
        if (node.type === 'BLOCK_LITERAL' && typeof node.value === 'string' && mayHoldApplicationSet(node.value)) {
          blocks.push(node)
        }
      },
    })
    for (const node of blocks) {
      const span = blockSpan(text, node)
      const inner = new y.LineCounter()
      const parsed = parseYaml(y, node.value as string, inner)
      if (!span || !parsed.docs) continue
      const innerToOuter = (offset: number) => {
        const {line, col} = inner.linePos(offset)
        return toOuter(blockOffset(span, line, col))
      }
      walk(y, node.value as string, parsed.docs, innerToOuter, outer, policy, out, depth + 1)
    }
  }
}
