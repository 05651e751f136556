import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {goImports, goStrings} from '../../src/verify/lexers/go.js'
import {pythonImports} from '../../src/verify/lexers/python.js'
import {typescriptStrings} from '../../src/verify/lexers/typescript.js'
import {TS_NEEDLES, TS_RULE_TESTS} from '../../src/verify/checks/imports.js'
import {decodeEscapes, mayImportAny} from '../../src/verify/imports/prefilter.js'
import {readTypescriptImports, typescriptImports} from '../../src/verify/imports/typescript-parser.js'

const specs = (refs: {specifier: string}[]) => refs.map((r) => r.specifier)

describe('Go imports', () => {
  it('reads single, grouped, aliased, dot and blank imports with their lines', () => {
    const src = [
      '// Package x mentions import "github.com/evil/in-comment"',
      'package x',
      '',
      'import "fmt"',
      'import (',
      '\t"context" // trailing comment "github.com/evil/trailing"',
      '\tpb "buf.build/gen/go/ameide/core"',
      '\t. "github.com/dot/import"',
      '\t_ "github.com/blank/import"',
      '\t/* "github.com/evil/block" */',
      '\traw `github.com/raw/string`',
      ')',
      'import alias "github.com/alias/one"; import "github.com/after/semicolon"',
      '',
      'var s = "github.com/evil/in-string"',
      'func f() { _ = `import "github.com/evil/raw"` }',
    ].join('\n')
    const refs = goImports(src)
    expect(specs(refs)).toEqual([
      'fmt',
      'context',
      'buf.build/gen/go/ameide/core',
      'github.com/dot/import',
      'github.com/blank/import',
      'github.com/raw/string',
      'github.com/alias/one',
      'github.com/after/semicolon',
    ])
    expect(refs[2]).toMatchObject({line: 7, column: 6})
  })

  it('finds nothing before the package clause or in a file without imports', () => {
    expect(goImports('// import "x"\npackage y\nfunc main() {}\n')).toEqual([])
    expect(goImports('')).toEqual([])
  })

  it('lists string literals but not comments', () => {
    const strings = goStrings('package x\n// "not:latest"\nvar a = "nginx:latest"\nvar b = `line1\nimage: x:dev`\n')
    expect(strings.map((s) => [s.value, s.line])).toEqual([
      ['nginx:latest', 3],
      ['line1\nimage: x:dev', 4],
    ])
  })
})

describe('TypeScript imports', () => {
  it('reads import, import type, export from, require, dynamic import, import-equals', () => {
    const src = [
      "import a from 'a-default'",
      'import {b, c as d} from "named"',
      "import * as ns from 'namespace'",
      "import type {T} from 'types-only'",
      "import 'side-effect'",
      'import {',
      '  multi,',
      '  line,',
      "} from '@ameide/core-proto'",
      "export * from 'reexport-all'",
      "export {x} from 'reexport-named'",
      "export type {Y} from 'reexport-type'",
      "const r = require('required')",
      "const lazy = await import('dynamic')",
      "import legacy = require('import-equals')",
      'export {local}',
      "export const notAnImport = 'from'",
    ].join('\n')
    expect(specs(typescriptImports(src))).toEqual([
      'a-default',
      'named',
      'namespace',
      'types-only',
      'side-effect',
      '@ameide/core-proto',
      'reexport-all',
      'reexport-named',
      'reexport-type',
      'required',
      'dynamic',
      'import-equals',
    ])
  })

  it('ignores mentions in comments, strings, templates and regular expressions', () => {
    const src = [
      "// import x from '@ameide/core-proto'",
      "/* require('@buf/evil') */",
      'const s = "import x from \'@ameide/core-proto\'"',
      'const t = `import("@buf/in-template") ${1 + 1}`',
      "const re = /import\\('@buf\\/regex'\\)/",
      "obj.require('not-global-require')",
      'const meta = import.meta.url',
      "const ok = 6 / 2; import('after-division')",
    ].join('\n')
    expect(specs(typescriptImports(src))).toEqual(['after-division'])
  })

  it('reports positions and template text', () => {
    const refs = typescriptImports("\n\nimport {a} from '../../primitives/domain/orders/src/x.js'")
    expect(refs[0]).toMatchObject({line: 3, column: 18})
    const strings = typescriptStrings('const a = `one\nimage: nginx:${tag}\nthree`')
    expect(strings[0]).toMatchObject({line: 1, value: 'one\nimage: nginx:\nthree'})
  })
})

describe('TypeScript imports: every form, and text that only reads like code', () => {
  const at = (refs: {specifier: string; line: number; column: number}[]) =>
    refs.map((r) => `${r.specifier}@${r.line}:${r.column}`)

  it('reads export * [as ns], type-only forms, declare module, import types and import-equals with exact positions', () => {
    const src = [
      "export * from 'star'",
      "export * as ns from 'star-as'",
      "export type * from 'type-star'",
      "import {type U} from 'type-named'",
      'type X = import("type-position").X',
      "let y: typeof import('type-query')",
      "declare module 'ambient' {}",
      "export import eq = require('export-equals')",
      "const n = require(`no-substitution`), m = require(`with-${'x'}`)",
      "import json from './data.json' with {type: 'json'}",
      'const d = import("dynamic", {with: {type: "json"}})',
    ].join('\n')
    expect(at(typescriptImports(src, 'x.ts'))).toEqual([
      'star@1:16',
      'star-as@2:22',
      'type-star@3:21',
      'type-named@4:23',
      'type-position@5:18',
      'type-query@6:23',
      'ambient@7:17',
      'export-equals@8:29',
      'no-substitution@9:20',
      './data.json@10:19',
      'dynamic@11:19',
    ])
  })

  it('never reads JSX text, JSX attributes, template text or regular expressions as code (.tsx, .jsx, .js)', () => {
    const jsx = [
      'export function Page() {',
      '  return (',
      '    <main title="import x from \'@buf/attribute\'">',
      '      <h1>import Order from "@buf/h1"</h1>',
      "      <p>require('@buf/p') then export * from '@buf/p2'</p>",
      '      <>// import x from "@buf/fragment"</>',
      '      {/* import "@buf/jsx-comment" */}',
      '      {cond ? <b>import("@buf/ternary")</b> : null}',
      '    </main>',
      '  )',
      '}',
      "const later = require('after-jsx')",
      'const re = /<h1>import x from "@buf\\/regex"<\\/h1>/',
      "const t = `<p>import x from '@buf/template'</p> ${require('in-substitution')}`",
    ].join('\n')
    for (const name of ['page.tsx', 'page.jsx', 'page.js', 'page.mjs', 'page.cjs']) {
      expect(at(typescriptImports(jsx, name)), name).toEqual(['after-jsx@12:24', 'in-substitution@14:60'])
    }
    // In .ts, `<T>x` is a type assertion and generic arrows are code, not JSX.
    const ts = "const a = <string>(<unknown>x)\nconst f = <T,>(v: T) => v\nimport('after-assertions')"
    expect(at(typescriptImports(ts, 'x.mts'))).toEqual(['after-assertions@3:9'])
    expect(at(typescriptImports("const f = <T,>(v: T) => <p>import('@buf/x')</p>\nimport('y')", 'x.tsx'))).toEqual([
      'y@2:9',
    ])
  })

  it('reads a file with syntax errors from the recovered tree, and counts the errors', () => {
    const read = readTypescriptImports(
      "import {a} from 'still-found'\nconst = ;\nexport * from 'after-error'\n",
      'broken.ts',
    )
    expect(read.syntaxErrors).toBeGreaterThan(0)
    expect(at(read.imports)).toEqual(['still-found@1:18', 'after-error@3:16'])
    // Sloppy-mode scripts (`with`, octal literals) are read too.
    expect(readTypescriptImports("with (o) { x = 010 }\nrequire('sloppy-script')", 'old.js').imports).toEqual([
      {specifier: 'sloppy-script', line: 2, column: 10},
    ])
  })
})

describe('TS/JS parser on generated code', () => {
  it('reads a file nested deeper than a recursive walk could (a 20,000-term expression)', () => {
    const text = `import x from '@buf/x'\nexport const s = ${Array.from({length: 20_000}, () => '"a"').join(' + ')}\n`
    expect(typescriptImports(text, 'deep.ts')).toEqual([{specifier: '@buf/x', line: 1, column: 16}])
  })
})

describe('TS/JS prefilter', () => {
  const may = (src: string) => mayImportAny(src, TS_NEEDLES)

  it('skips files whose forbidden paths are only in line comments, and keeps every other place they can be code', () => {
    expect(may("import x from 'react'\n// importing @ameide/core-proto is forbidden\n  // and @buf/x too")).toBe(false)
    // A quote before the path on a `//` line may close a JSX attribute that began above, but that leaves the path in
    // the tag: only a `/` after the quote (`/>`) can lead back to code, and then the file is parsed.
    expect(may("import x from 'react'\n// import '@ameide/core-proto' is forbidden")).toBe(false)
    expect(may('const el = <a title="\n// " / >; import leak from "@buf/x"')).toBe(true)
    expect(may("const el = <a title='\n// ' />; require('@buf/x')")).toBe(true)
    expect(may("export * from '@ameideio/ameide-sdk-ts/proto.js'\nconst r = /^\\d+\\.\\d+$/")).toBe(false)
    expect(may("import x from '@buf/x'")).toBe(true)
    expect(may("const s = 'a' // '@buf/x' after code")).toBe(true)
    expect(may("/* a block comment\n// ends here */ require('@buf/x')")).toBe(true)
    expect(may("const t = `template\n// text ends here`; require('@buf/x')")).toBe(true)
    expect(may("const t = `template\n// ${require('@buf/x')}`")).toBe(true)
    expect(may("const j = <p>\n// JSX text</p>; require('@buf/x')")).toBe(true)
    expect(may("const j = <p>\n// JSX text {require('@buf/x')}</p>")).toBe(true)
    expect(may("// a comment\u2028require('@buf/x')")).toBe(true)
    expect(may("import x from '../../primitives/domain/orders/x.js'")).toBe(true)
    // A string spanning lines (a JSX attribute value, a continued line) ends on the `//` line; code follows.
    expect(may('const el = <a title="\n// " />; import leak from "@buf/x"')).toBe(true)
    expect(may("const s = 'a\\\n// '; require('@buf/x')")).toBe(true)
  })

  it('keeps files where an escape can spell a forbidden path inside a string', () => {
    for (const spelled of ['\\u0040buf/x', '\\u{40}buf/x', '\\x40buf/x', '\\100buf/x', '\\@buf\\/x', '@bu\\\nf/x']) {
      const src = `require('${spelled}')`
      expect(decodeEscapes(src), spelled).toBe("require('@buf/x')")
      expect(may(src), spelled).toBe(true)
    }
    expect(may("require('\\n\\t@bu' + 'f/x')")).toBe(false) // two strings: no literal holds the path
  })

  it('never skips a valid file in which the compiler finds a forbidden import (random files of tricky fragments)', () => {
    // Statements that put forbidden paths in text spanning lines (comments, templates, JSX), some of them ending that
    // text on a `//` line and following it with real code, plus real imports, some spelled with escapes.
    const fragments = [
      "// import x from '@buf/dead-line-comment'",
      "  // require('@ameide/core-proto')",
      "/* a block\n// import '@buf/dead-block' */",
      "/* a block\n// ends */ require('@buf/live-after-block')",
      "const t1 = `text\n// import '@buf/dead-template'`",
      "const t2 = `text\n// ends` + require('@buf/live-after-template')",
      "const t3 = `text\n// ${require('@buf/live-in-substitution')}`",
      "const j1 = <p>\n// import '@buf/dead-jsx'</p>",
      "const j2 = <p>\n// {require('@buf/live-in-jsx')}</p>",
      "const j3 = <p>\n// ends</p>; require('@buf/live-after-jsx')",
      "const j4 = <a b='\n// x'>{require('@buf/live-attribute-then-child')}</a>",
      'const j5 = <a title="\n// " />; import leak from "@buf/live-after-self-closing"',
      "const c1 = 'continued \\\n// '; require('@buf/live-after-continued-string')",
      "import '@buf/live-import'",
      "export * as ns from '../../primitives/domain/orders/x.js'",
      "const e1 = require('\\u0040buf/live-escaped')",
      "const e2 = require('\\@buf\\/live-escaped-2')",
      "const e3 = import('@bu\\\nf/live-continued')",
      'const r = /\\d+\\/\\/@buf\\//',
      "const plain = 'nothing to see'",
      "const s = '// @buf/dead-in-string-is-still-kept'",
    ]
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...fragments), {maxLength: 8}), (picked) => {
        const text = picked.join('\n')
        const read = readTypescriptImports(text, 'random.tsx')
        fc.pre(read.syntaxErrors === 0)
        const forbidden = read.imports.some((r) => TS_RULE_TESTS.some((t) => t(r.specifier)))
        if (forbidden) expect(may(text), text).toBe(true)
      }),
      {numRuns: 400, seed: 13},
    )
  })
})

describe('Python imports', () => {
  it('reads import, from-import, aliases, multi-line parentheses and backslash continuations', () => {
    const src = [
      'import os, sys as system',
      'import ameide_core_proto.v1 as proto',
      'from primitives.domain.orders import (',
      '    handlers,',
      '    # a comment inside',
      '    models as m,',
      ')',
      'from ameide_sdk import \\',
      '    client',
      'from . import sibling',
      'from ..pkg import thing',
      'if True: import inline_after_colon',
      'x = 1; import after_semicolon',
      'def f():',
      '    import nested',
    ].join('\n')
    expect(specs(pythonImports(src))).toEqual([
      'os',
      'sys',
      'ameide_core_proto.v1',
      'primitives.domain.orders.handlers',
      'primitives.domain.orders.models',
      'ameide_sdk.client',
      '.sibling',
      '..pkg.thing',
      'inline_after_colon',
      'after_semicolon',
      'nested',
    ])
  })

  it('ignores mentions in comments, strings and docstrings', () => {
    const src = [
      '"""Module docstring: from primitives.domain.x import y',
      'import ameide_core_proto',
      '"""',
      '# import ameide_core_proto',
      "s = 'import ameide_core_proto'",
      't = f"from primitives.agent.x import {y}"',
      "u = r'''",
      'import buf_in_raw',
      "'''",
      'import real',
    ].join('\n')
    const refs = pythonImports(src)
    expect(specs(refs)).toEqual(['real'])
    expect(refs[0].line).toBe(10)
  })
})
