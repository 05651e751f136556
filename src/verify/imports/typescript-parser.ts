// The exact TS/JS import extractor: the TypeScript compiler's parser builds the syntax tree, so text of comments,
// strings, template literals, regular expressions and JSX is never read as code. `typescript` is large (≈ 0.2–0.4 s to
// load), so the imports check imports this module dynamically, and only for the files its prefilter keeps.
// The compiler is loaded with require, not `import`: for an ES import of this 9 MB CommonJS file Node first runs its
// CommonJS export lexer over the whole text (≈ 0.55–0.66 s here against ≈ 0.21 s for require). A release tarball has
// no node_modules: it carries the compiler as dist/vendor/typescript.cjs (scripts/release.mjs), loaded the same way.
import {existsSync} from 'node:fs'
import {createRequire} from 'node:module'

import type * as ts from 'typescript'

import {packagePath} from '../../core/package-root.js'
import type {ImportRef} from '../lexers/types.js'
import {LineIndex} from '../text.js'

const VENDORED = packagePath('dist/vendor/typescript.cjs')
const tsc = createRequire(import.meta.url)(existsSync(VENDORED) ? VENDORED : 'typescript') as typeof ts

/** The imports of a file, and how many syntax errors the parser recovered from (its tree is read all the same). */
export interface TypescriptImports {
  imports: ImportRef[]
  syntaxErrors: number
}

/**
 * The module specifiers of a TS/JS file, each with the line and column of its first character inside the quotes
 * (1-based; lines are counted by `\n`, as git and GitHub number them):
 * `import … from "x"`, `import type`, side-effect `import "x"`, `export … from "x"`, `export * [as ns] from "x"`,
 * `import x = require("x")`, `require("x")`, dynamic `import("x")`, `declare module "x"` and `import("x")` in type
 * positions. A specifier must be a string literal (or a template literal without substitutions). `filename` picks the
 * grammar: `.ts/.mts/.cts` (and `.d.ts`) TypeScript, `.tsx` TSX, `.jsx` and `.js/.mjs/.cjs` JavaScript with JSX.
 */
export function typescriptImports(text: string, filename = 'module.ts'): ImportRef[] {
  return readTypescriptImports(text, filename).imports
}

/** {@link typescriptImports}, with the number of syntax errors. */
export function readTypescriptImports(text: string, filename: string): TypescriptImports {
  const sf = tsc.createSourceFile(
    filename,
    text,
    {languageVersion: tsc.ScriptTarget.Latest, jsDocParsingMode: tsc.JSDocParsingMode.ParseNone},
    false,
    scriptKind(filename),
  )
  // Depth-first in source order with an explicit stack: generated or bundled code nests deeper (a long `a + b + …`
  // chain is one level per term) than the call stack allows a recursive walk.
  const literals: ts.StringLiteralLike[] = []
  const stack: ts.Node[] = [sf]
  const children: ts.Node[] = []
  while (stack.length > 0) {
    const node = stack.pop()!
    const specifier = specifierOf(node)
    if (specifier && tsc.isStringLiteralLike(specifier)) literals.push(specifier)
    children.length = 0
    tsc.forEachChild(node, (child) => {
      children.push(child)
    })
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i])
  }
  const lines = new LineIndex(text)
  // The position of the first character inside the quotes.
  const imports = literals.map((literal) => ({specifier: literal.text, ...lines.position(literal.getStart(sf) + 1)}))
  const syntaxErrors = (sf as unknown as {parseDiagnostics?: unknown[]}).parseDiagnostics?.length ?? 0
  return {imports, syntaxErrors}
}

function scriptKind(filename: string): ts.ScriptKind {
  if (filename.endsWith('.tsx')) return tsc.ScriptKind.TSX
  if (/\.[cm]?ts$/.test(filename)) return tsc.ScriptKind.TS
  if (filename.endsWith('.jsx')) return tsc.ScriptKind.JSX
  // ts reads JavaScript with the JSX grammar (`<` never starts an expression in plain JS), and React code in `.js`
  // files is common.
  return tsc.ScriptKind.JS
}

/** The specifier node of a node that imports, if it has one. */
function specifierOf(node: ts.Node): ts.Node | undefined {
  switch (node.kind) {
    case tsc.SyntaxKind.ImportDeclaration:
    case tsc.SyntaxKind.ExportDeclaration:
      return (node as ts.ImportDeclaration | ts.ExportDeclaration).moduleSpecifier
    case tsc.SyntaxKind.ImportEqualsDeclaration: {
      const reference = (node as ts.ImportEqualsDeclaration).moduleReference
      return tsc.isExternalModuleReference(reference) ? reference.expression : undefined
    }
    case tsc.SyntaxKind.CallExpression: {
      const call = node as ts.CallExpression
      const callee = call.expression
      const imports =
        callee.kind === tsc.SyntaxKind.ImportKeyword || (tsc.isIdentifier(callee) && callee.text === 'require')
      return imports ? call.arguments[0] : undefined
    }
    case tsc.SyntaxKind.ModuleDeclaration: {
      const name = (node as ts.ModuleDeclaration).name
      return tsc.isStringLiteral(name) ? name : undefined
    }
    case tsc.SyntaxKind.ImportType: {
      const argument = (node as ts.ImportTypeNode).argument
      return tsc.isLiteralTypeNode(argument) ? argument.literal : undefined
    }
    default:
      return undefined
  }
}
