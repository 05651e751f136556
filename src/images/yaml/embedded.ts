/**
 * YAML embedded in a block string (`manifests: |-`, `podspec.yaml: |`): where its content lines sit in the outer
 * text, so positions and byte ranges found in the embedded documents map back to the file.
 */
import type {Scalar} from 'yaml'

export interface BlockSpan {
  /** Offset in the outer text of the start of each content line (line 1 is the line after the `|` header). */
  starts: number[]
  /** The block's indentation: content column 1 is outer column `indent + 1`. */
  indent: number
  /** The block's end offset. */
  end: number
}

/** The content lines of a block scalar in `text`, or undefined for a scalar without a source range or body. */
export function blockSpan(text: string, node: Scalar): BlockSpan | undefined {
  const range = node.range
  if (!range) return undefined
  const headerEnd = text.indexOf('\n', range[0])
  if (headerEnd === -1) return undefined
  const firstContent = /^( *)\S/m.exec(text.slice(headerEnd + 1, range[1]))
  const starts = [headerEnd + 1]
  for (let i = text.indexOf('\n', headerEnd + 1); i !== -1 && i < range[1]; i = text.indexOf('\n', i + 1)) {
    starts.push(i + 1)
  }
  return {starts, indent: firstContent ? firstContent[1].length : 0, end: range[1]}
}

/** The outer offset of a 1-based (line, column) of the block's content. */
export const blockOffset = (block: BlockSpan, line: number, column: number): number =>
  (block.starts[line - 1] ?? block.end) + block.indent + column - 1
