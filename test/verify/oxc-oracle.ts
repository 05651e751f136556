// An independent reading of a file's module specifiers, for the differential test of the TS/JS import extractor
// (which parses with the TypeScript compiler): oxc's parser (Rust, `oxc-parser`, a devDependency) and a walk of its
// ESTree/TS-ESTree tree for the same import forms. Lines are counted by `\n` here too, from oxc's offsets.
import {parseSync, type ParserOptions} from 'oxc-parser'

import type {ImportRef} from '../../src/verify/lexers/types.js'

export interface OracleResult {
  imports: (ImportRef & {offset: number})[]
  /** oxc rejected the file (a syntax error leaves it no tree): such a file tells nothing about an extractor. */
  rejected: boolean
  /** The end of the first top-level statement, where the test inserts decoys, or null. */
  firstStatementEnd: number | null
}

interface Node {
  type: string
  start: number
  end: number
  [key: string]: unknown
}

const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && typeof (value as Node).type === 'string'

function lang(filename: string): NonNullable<ParserOptions['lang']> {
  if (/\.d\.[cm]?ts$/.test(filename)) return 'dts'
  if (/\.[cm]?ts$/.test(filename)) return 'ts'
  if (filename.endsWith('.tsx')) return 'tsx'
  return 'jsx'
}

function valueOf(node: unknown): string | null {
  if (!isNode(node)) return null
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value
  if (node.type === 'TemplateLiteral') {
    const quasis = node.quasis as {value: {cooked: string | null}}[]
    if ((node.expressions as unknown[]).length === 0 && quasis.length === 1) return quasis[0].value.cooked
  }
  return null
}

function specifierOf(node: Node): unknown {
  switch (node.type) {
    case 'ImportDeclaration':
    case 'ExportAllDeclaration':
    case 'ExportNamedDeclaration':
    case 'ImportExpression':
    case 'TSImportType':
      return node.source
    case 'TSImportEqualsDeclaration': {
      const reference = node.moduleReference as Node
      return reference.type === 'TSExternalModuleReference' ? reference.expression : null
    }
    case 'TSModuleDeclaration':
      return node.id
    case 'CallExpression': {
      const callee = node.callee as Node
      return callee.type === 'Identifier' && callee.name === 'require' ? (node.arguments as unknown[])[0] : null
    }
    default:
      return null
  }
}

function collect(node: Node, out: Node[]): void {
  const specifier = specifierOf(node)
  if (specifier !== null && valueOf(specifier) !== null) out.push(specifier as Node)
  for (const key in node) {
    const child = node[key]
    if (Array.isArray(child)) {
      for (const item of child) if (isNode(item)) collect(item, out)
    } else if (isNode(child)) collect(child, out)
  }
}

export function oracleImports(text: string, filename: string): OracleResult {
  let result = parseSync(filename, text, {lang: lang(filename), sourceType: 'module'})
  if (result.errors.length > 0 && !/\.[cm]?tsx?$/.test(filename)) {
    const script = parseSync(filename, text, {lang: lang(filename), sourceType: 'commonjs'})
    if (script.errors.length === 0) result = script
  }
  const program = result.program as unknown as Node & {body: Node[]}
  if (result.errors.length > 0) return {imports: [], rejected: true, firstStatementEnd: null}
  const found: Node[] = []
  collect(program, found)
  const imports = found
    .map((literal) => {
      const offset = literal.start + 1
      const before = text.slice(0, offset)
      let line = 1
      for (let i = before.indexOf('\n'); i !== -1; i = before.indexOf('\n', i + 1)) line++
      return {specifier: valueOf(literal)!, line, column: offset - (before.lastIndexOf('\n') + 1) + 1, offset}
    })
    .sort((a, b) => a.offset - b.offset)
  return {imports, rejected: false, firstStatementEnd: program.body.length > 0 ? program.body[0].end : null}
}
