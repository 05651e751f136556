/** What every preview check works with: the document, its spec, the findings so far, and where a node is in the text. */
import type {Node, Scalar, YAMLMap} from 'yaml'

import type {TemplateExpression} from './expressions.js'
import {contentStart, keyOf, pairAt} from './nodes.js'
import {countBefore} from './pr-data.js'
import {PREVIEW_SEVERITY, type PreviewPolicy, type PreviewRuleId} from './rules.js'

/**
 * The preview rules on one parsed YAML document: pure (no file system, no layout), so the same code serves files,
 * YAML embedded in block strings, and tests. The caller passes the document's root node, the text its offsets refer
 * to, and how an offset of that text maps to a 1-based line and column of the outer file.
 */
export interface PreviewInput {
  yaml: typeof import('yaml')
  root: Node | null
  text: string
  position: (offset: number) => {line: number; column: number}
  policy: PreviewPolicy
}

export interface PreviewFinding {
  rule: PreviewRuleId
  severity: 'error' | 'warning'
  line: number
  column: number
  message: string
}

export class PreviewChecker {
  readonly out: PreviewFinding[] = []
  readonly y: typeof import('yaml')
  readonly spec: YAMLMap
  readonly specKey: Scalar

  constructor(
    readonly input: PreviewInput,
    root: YAMLMap,
  ) {
    this.y = input.yaml
    this.spec = root.get('spec', true) as unknown as YAMLMap
    this.specKey = root.items.find((p) => keyOf(this.y, p)?.value === 'spec')!.key as Scalar
  }

  add(rule: PreviewRuleId, node: Node | null | undefined, message: string, offset?: number): void {
    const at = this.input.position(offset ?? contentStart(node ?? this.specKey))
    this.out.push({rule, severity: PREVIEW_SEVERITY[rule], line: at.line, column: at.column, message})
  }

  lookup(layers: YAMLMap[], path: string[]): {node: Node | null; key: Scalar} | undefined {
    for (const layer of layers) {
      const found = pairAt(this.y, layer, path)
      if (found) return {node: found.value as Node | null, key: found.key as Scalar}
    }
    return undefined
  }

  /** The deepest existing map along `path` in the outermost template, for findings about a missing field. */
  missingAt(layers: YAMLMap[], path: string[]): Node {
    const y = this.y
    for (let n = path.length - 1; n > 0; n--) {
      const found = this.lookup(layers, path.slice(0, n))
      if (found) return found.key
    }
    const template = this.spec.items.find((p) => keyOf(y, p)?.value === 'template')
    return (template?.key as Scalar | undefined) ?? this.specKey
  }

  /** Offset of expression `e` of `value` in the source: the matching `{{` of the scalar's source text. */
  exprOffset(node: Scalar, value: string, e: TemplateExpression): number {
    const [start, end] = node.range ?? [0, 0]
    const source = this.input.text.slice(start, end)
    const index = countBefore(value, e.start)
    let at = -1
    for (let i = 0; i <= index; i++) {
      at = source.indexOf('{{', at + 1)
      if (at === -1) return contentStart(node)
    }
    return start + at
  }
}
