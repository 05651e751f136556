import {describe, expect, it} from 'vitest'

import {goImports, goStrings} from '../../src/verify/imports/go.js'
import {pythonImports} from '../../src/verify/imports/python.js'
import {typescriptStrings} from '../../src/verify/imports/typescript.js'
import {typescriptImports} from '../../src/verify/imports/typescript-parser.js'

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
