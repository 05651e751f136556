// The exact TS/JS import extractor: a real parser (oxc) builds the syntax tree, so text of comments, strings,
// template literals, regular expressions and JSX is never read as code. Loaded only by the code path that parses
// (the imports check imports this module dynamically, for the files its prefilter keeps).
import {parseSync, type ParserOptions} from 'oxc-parser'

import {typescriptImportsByTokens} from './typescript.js'
import type {ImportRef} from './types.js'

/** How a file was read: by the parser, or (the parser rejected it) by the tokenizer as a fallback. */
export interface TypescriptImports {
  imports: ImportRef[]
  parsed: boolean
}

/**
 * The module specifiers of a TS/JS file, each with the line and column of its first character inside the quotes
 * (1-based; lines are counted by `\n`, as git and GitHub number them):
 * `import … from "x"`, `import type`, side-effect `import "x"`, `export … from "x"`, `export * [as ns] from "x"`,
 * `import x = require("x")`, `require("x")`, dynamic `import("x")`, `declare module "x"` and `import("x")` in type
 * positions. A specifier must be a string literal (or a template literal without substitutions). `filename` picks the
 * grammar: `.ts/.mts/.cts` TypeScript, `.tsx` TSX, `.d.ts` declarations, `.js/.jsx/.mjs/.cjs` JavaScript with JSX.
 */
export function typescriptImports(text: string, filename = 'module.ts'): ImportRef[] {
  return readTypescriptImports(text, filename).imports
}

/** {@link typescriptImports}, saying whether the parser read the file or the tokenizer had to. */
export function readTypescriptImports(text: string, filename: string): TypescriptImports {
  const lang = languageOf(filename)
  let result = parseSync(filename, text, {lang, sourceType: 'module', preserveParens: true})
  if (result.errors.length > 0 && (lang === 'jsx' || lang === 'js')) {
    // Sloppy-mode CommonJS (`with`, octal literals, top-level `return`) is not a module.
    const script = parseSync(filename, text, {lang, sourceType: 'commonjs', preserveParens: true})
    if (script.errors.length === 0) result = script
  }
  const program = result.program as unknown as Node & {body: unknown[]}
  // A syntax error leaves an empty program; an error the grammar only forbids (`import type A, {B}`, a duplicate
  // modifier) leaves the whole tree, which is read as usual.
  if (result.errors.length > 0 && program.body.length === 0 && /\S/.test(text))
    return {imports: typescriptImportsByTokens(text), parsed: false}
  const literals: Node[] = []
  collect(program, literals)
  const lines = lineStarts(text)
  const imports = literals
    .sort((a, b) => a.start - b.start)
    .map((literal) => {
      const offset = literal.start + 1 // the first character inside the quotes
      const line = lineOf(lines, offset)
      return {specifier: valueOf(literal)!, line: line + 1, column: offset - lines[line] + 1}
    })
  return {imports, parsed: true}
}

function languageOf(filename: string): NonNullable<ParserOptions['lang']> {
  if (/\.d\.[cm]?ts$/.test(filename)) return 'dts'
  if (/\.[cm]?ts$/.test(filename)) return 'ts'
  if (filename.endsWith('.tsx')) return 'tsx'
  // JSX is a superset of JavaScript's grammar (`<` never starts an expression in plain JS), and React code in
  // `.js` files is common.
  return 'jsx'
}

/** The few fields of the ESTree (+ TS-ESTree) nodes this walk reads. */
interface Node {
  type: string
  start: number
  end: number
  [key: string]: unknown
}

const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && typeof (value as Node).type === 'string'

/** A string literal, or a template literal without substitutions: the node forms a specifier can take. */
function valueOf(node: unknown): string | null {
  if (!isNode(node)) return null
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value
  if (node.type === 'TemplateLiteral') {
    const quasis = node.quasis as {value: {cooked: string | null}}[]
    if ((node.expressions as unknown[]).length === 0 && quasis.length === 1) return quasis[0].value.cooked
  }
  return null
}

/** The specifier literal of a node that imports, or null. */
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

function lineStarts(text: string): number[] {
  const starts = [0]
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', nl + 1)) starts.push(nl + 1)
  return starts
}

/** The 0-based line of an offset (binary search over the line starts). */
function lineOf(starts: number[], offset: number): number {
  let lo = 0
  let hi = starts.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (starts[mid] <= offset) lo = mid
    else hi = mid - 1
  }
  return lo
}
