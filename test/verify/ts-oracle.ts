// The TypeScript compiler's own reading of a file's module specifiers: the oracle of the differential test of the
// TS/JS import extractor (which parses with oxc, an independent parser). The same import forms, from ts's AST.
import ts from 'typescript'

import type {ImportRef} from '../../src/verify/imports/types.js'

export interface OracleResult {
  imports: (ImportRef & {offset: number})[]
  /** Syntax errors ts reported: such a file tells nothing about an extractor. */
  diagnostics: number
}

function scriptKind(filename: string): ts.ScriptKind {
  if (filename.endsWith('.tsx')) return ts.ScriptKind.TSX
  if (/\.[cm]?ts$/.test(filename)) return ts.ScriptKind.TS
  if (filename.endsWith('.jsx')) return ts.ScriptKind.JSX
  return ts.ScriptKind.JS // ts reads .js with the JSX grammar too
}

export function oracleImports(text: string, filename: string): OracleResult {
  const sf = ts.createSourceFile(filename, text, ts.ScriptTarget.Latest, false, scriptKind(filename))
  const found: ts.StringLiteralLike[] = []
  const visit = (node: ts.Node): void => {
    let spec: ts.Node | undefined
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) spec = node.moduleSpecifier
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference))
      spec = node.moduleReference.expression
    else if (
      ts.isCallExpression(node) &&
      ((ts.isIdentifier(node.expression) && node.expression.text === 'require') ||
        node.expression.kind === ts.SyntaxKind.ImportKeyword)
    )
      spec = node.arguments[0]
    else if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name)) spec = node.name
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) spec = node.argument.literal
    if (spec && ts.isStringLiteralLike(spec)) found.push(spec)
    ts.forEachChild(node, visit)
  }
  visit(sf)
  // Lines counted by `\n` from the offset ts gives, independently of the extractor's own line table.
  const imports = found.map((lit) => {
    const offset = lit.getStart(sf) + 1
    const before = text.slice(0, offset)
    const lineStart = before.lastIndexOf('\n') + 1
    let line = 1
    for (let i = before.indexOf('\n'); i !== -1; i = before.indexOf('\n', i + 1)) line++
    return {specifier: lit.text, line, column: offset - lineStart + 1, offset}
  })
  imports.sort((a, b) => a.offset - b.offset)
  const diagnostics = (sf as unknown as {parseDiagnostics: unknown[]}).parseDiagnostics.length
  return {imports, diagnostics}
}

/** The offset just after the first top-level statement of a file, by ts: where the test inserts decoys. */
export function firstStatementEnd(text: string, filename: string): number | null {
  const sf = ts.createSourceFile(filename, text, ts.ScriptTarget.Latest, false, scriptKind(filename))
  return sf.statements.length > 0 ? sf.statements[0].end : null
}
