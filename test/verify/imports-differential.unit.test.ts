// Differential test of the TS/JS import extractor (the TypeScript compiler's syntax tree) against an independent
// parser, oxc (oxc-oracle.ts, Rust), on real source that the installed npm packages ship (.ts, .d.ts, .mts, .cts, .js, .mjs, .cjs), and
// on mutations of it that put import-looking text into every context that is not code: line and block comments,
// strings, template literals (text and strings inside substitutions), regular expressions, JSX text, JSX attributes,
// JSX comments and fragments. The tokenizer the extractor replaced runs through the same harness, for the record.
// Also: the prefilter of the imports check never skips a file in which the oracle finds an import a rule rejects.
// (The oracle parses twice per mutated file; the test takes ≈ 5 s of CPU.)
import {readdirSync, readFileSync, statSync} from 'node:fs'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {TS_NEEDLES, TS_RULE_TESTS} from '../../src/verify/checks/imports.js'
import {mayImportAny} from '../../src/verify/imports/prefilter.js'
import type {ImportRef} from '../../src/verify/lexers/types.js'
import {readTypescriptImports} from '../../src/verify/imports/typescript-parser.js'
import {typescriptImportsByTokens} from './old-ts-imports.js'
import {oracleImports, type OracleResult} from './oxc-oracle.js'

const ROOT = path.resolve(import.meta.dirname, '../..')
const EXTENSIONS = /\.(?:[cm]?ts|tsx|[cm]?js|jsx)$/
const MAX_BYTES = 15_000
const SAMPLE = 1000

/** Every TS/JS file under node_modules up to MAX_BYTES, sorted, then SAMPLE of them evenly spread (deterministic). */
function corpus(): string[] {
  const files: string[] = []
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, {withFileTypes: true})) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== '.bin' && entry.name !== '.cache') walk(full)
      } else if (entry.isFile() && EXTENSIONS.test(entry.name) && statSync(full).size <= MAX_BYTES) files.push(full)
    }
  }
  walk(path.join(ROOT, 'node_modules'))
  files.sort()
  if (files.length <= SAMPLE) return files
  return Array.from({length: SAMPLE}, (_, i) => files[Math.floor((i * files.length) / SAMPLE)])
}

// Import-looking text in every context that is not code, plus two real imports inside code nested in a template
// substitution and a JSX expression (so the positions of what follows are checked too).
const DECOY_CODE = [
  ';// import __a from "@buf/decoy-line-comment"; export * from "@buf/decoy-line-comment-2"',
  '/* import "@buf/decoy-block"; require("@buf/decoy-block-2")',
  '   export * as ns from "@buf/decoy-block-3" */',
  ';var __decoyS = "import x from \'@buf/decoy-string\'", __decoyS2 = \'require("@buf/decoy-string-2")\'',
  ';var __decoyT = `export * from "@buf/decoy-template" ${"import(\'@buf/decoy-template-expr\')"}',
  'import("@buf/decoy-template-2") ${import("@real/in-template-expression")} require(\'@buf/decoy-template-3\')`',
  ';var __decoyR = /import\\s*\\(["\']@buf\\/decoy-regex["\']\\)|require\\("@buf\\/decoy-regex-2"\\)/g, __decoyD = 1 / 2 / 1',
  ';var __decoyR2 = [/"/, "import \'@buf/decoy-after-quote-regex\'", /`/, \'require("@buf/decoy-after-tick-regex")\']',
  '',
].join('\n')
const DECOY_JSX = [
  ';var __decoyJ = (',
  '  <div title="import x from \'@buf/decoy-jsx-attribute\'" data-r=\'require("@buf/decoy-jsx-attribute-2")\'>',
  '    import Order from "@buf/decoy-jsx-text"',
  '    <h1>import Order from "@buf/decoy-jsx-h1"</h1>',
  '    <p>require(\'@buf/decoy-jsx-p\') then export * from "@buf/decoy-jsx-p-2"</p>',
  '    {/* import "@buf/decoy-jsx-comment" */}',
  '    {"import(\'@buf/decoy-jsx-expression-string\')"}',
  '    <>// import x from "@buf/decoy-jsx-fragment"</>',
  '    {import("@real/in-jsx-expression")}',
  '  </div>',
  ')',
  '',
].join('\n')
const DECOY_DTS = [
  '// import __a from "@buf/decoy-line-comment"; export * from "@buf/decoy-line-comment-2"',
  '/* import "@buf/decoy-block"; require("@buf/decoy-block-2") */',
  'declare const __decoyS: "import x from \'@buf/decoy-string\'"',
  'type __DecoyT = `export * from "@buf/decoy-template" ${string} import("@buf/decoy-template-2")`',
  'type __Real = typeof import("@real/import-type")',
  '',
].join('\n')

interface Variant {
  name: string
  text: string
}

/** The mutations of one file: decoys after its first statement and at its end; JSX decoys where its grammar allows. */
function variants(file: string, text: string, firstStatementEnd: number | null): Variant[] {
  const dts = /\.d\.[cm]?ts$/.test(file)
  const insert = (name: string, block: string): Variant[] => {
    const out = [{name, text: `${text}\n${block}`}]
    if (firstStatementEnd !== null)
      out.push({name, text: `${text.slice(0, firstStatementEnd)}\n${block}${text.slice(firstStatementEnd)}`})
    return out
  }
  if (dts) return insert(file, DECOY_DTS)
  const out = insert(file, DECOY_CODE)
  if (/\.[cm]?jsx?$/.test(file)) out.push(...insert(file, DECOY_JSX))
  else if (/\.[cm]?ts$/.test(file)) {
    // A .ts file whose text is also valid TSX (no `<T>x` assertions) becomes a .tsx with JSX decoys.
    const tsx = file.replace(/\.[cm]?ts$/, '.tsx')
    if (!oracleImports(text, tsx).rejected) out.push(...insert(tsx, DECOY_JSX).map((v) => ({...v, name: tsx})))
  }
  return out
}

interface Tally {
  files: number
  expected: number
  found: number
  falsePositives: number
  filesWithFalsePositive: number
  wrong: string[]
}

const key = (r: ImportRef) => `${r.specifier}\u0000${r.line}\u0000${r.column}`

function compare(tally: Tally, name: string, expected: ImportRef[], actual: ImportRef[]): void {
  tally.files++
  tally.expected += expected.length
  const want = new Map<string, number>()
  for (const r of expected) want.set(key(r), (want.get(key(r)) ?? 0) + 1)
  let fp = 0
  for (const r of actual) {
    const n = want.get(key(r)) ?? 0
    if (n > 0) {
      want.set(key(r), n - 1)
      tally.found++
    } else fp++
  }
  tally.falsePositives += fp
  if (fp > 0) tally.filesWithFalsePositive++
  if ((fp > 0 || [...want.values()].some((n) => n > 0)) && tally.wrong.length < 10) {
    const missed = [...want.entries()].filter(([, n]) => n > 0).map(([k]) => k.replaceAll('\u0000', ':'))
    const extra = actual
      .filter((r) => !expected.some((e) => key(e) === key(r)))
      .map((r) => key(r).replaceAll('\u0000', ':'))
    tally.wrong.push(`${path.relative(ROOT, name)} missed [${missed.join(', ')}] extra [${extra.join(', ')}]`)
  }
}

const newTally = (): Tally => ({
  files: 0,
  expected: 0,
  found: 0,
  falsePositives: 0,
  filesWithFalsePositive: 0,
  wrong: [],
})
const figures = (label: string, t: Tally) =>
  `${label}: ${t.files} files, ${t.expected} imports; recall ${((100 * t.found) / Math.max(1, t.expected)).toFixed(2)} %; ` +
  `${t.falsePositives} false positive(s) in ${t.filesWithFalsePositive} file(s) = ` +
  `${((1000 * t.filesWithFalsePositive) / Math.max(1, t.files)).toFixed(2)} per 1,000 files`

describe('TS/JS imports: differential against an independent parser (oxc)', () => {
  it('on real npm package source and its mutations: recall ≥ 99 %, ≤ 1 false positive per 1,000 files, exact lines and columns; the prefilter is sound', () => {
    const files = corpus()
    expect(files.length).toBe(SAMPLE)
    const real = {parser: newTally(), tokenizer: newTally()}
    const mutated = {parser: newTally(), tokenizer: newTally()}
    let skipped = 0
    let unparsed = 0
    let prefilterChecked = 0
    const decoysFound: string[] = []
    const unsound: string[] = []

    const run = (tallies: typeof real, name: string, text: string): OracleResult | null => {
      const oracle = oracleImports(text, name)
      if (oracle.rejected) {
        skipped++
        return null
      }
      const read = readTypescriptImports(text, name)
      if (read.syntaxErrors > 0) unparsed++
      compare(tallies.parser, name, oracle.imports, read.imports)
      compare(tallies.tokenizer, name, oracle.imports, typescriptImportsByTokens(text))
      for (const r of read.imports) if (r.specifier.includes('decoy')) decoysFound.push(`${name}: ${r.specifier}`)
      // The prefilter skips a file only when the oracle finds nothing a rule rejects...
      if (!mayImportAny(text, TS_NEEDLES) && oracle.imports.some((r) => TS_RULE_TESTS.some((t) => t(r.specifier))))
        unsound.push(name)
      // ...and never skips a file once one of its real specifiers is made a forbidden one.
      if (oracle.imports.length > 0) {
        const r = oracle.imports[oracle.imports.length - 1]
        const planted = `${text.slice(0, r.offset)}@buf/planted/${text.slice(r.offset)}`
        prefilterChecked++
        if (!mayImportAny(planted, TS_NEEDLES)) unsound.push(`${name} (planted)`)
      }
      return oracle
    }

    files.forEach((file, i) => {
      const text = readFileSync(file, 'utf8')
      const oracle = run(real, file, text)
      if (!oracle || i % 3 !== 0) return
      for (const v of variants(file, text, oracle.firstStatementEnd)) run(mutated, v.name, v.text)
    })

    console.log(
      [
        `corpus: ${files.length} files from node_modules (≤ ${MAX_BYTES} bytes, evenly sampled), every 3rd mutated; ${skipped} file(s) oxc rejects left out; ${unparsed} with syntax errors for ts`,
        figures('real files, ts extractor    ', real.parser),
        figures('real files, old tokenizer   ', real.tokenizer),
        figures('mutations, ts extractor     ', mutated.parser),
        figures('mutations, old tokenizer    ', mutated.tokenizer),
        `prefilter: sound on every file; ${prefilterChecked} files with a planted forbidden specifier all kept`,
        ...real.parser.wrong.map((w) => `  real: ${w}`),
        ...mutated.parser.wrong.map((w) => `  mutated: ${w}`),
      ].join('\n'),
    )
    expect(decoysFound).toEqual([])
    expect(unsound).toEqual([])
    for (const t of [real.parser, mutated.parser]) {
      expect(t.expected).toBeGreaterThan(1000)
      expect(t.found / t.expected).toBeGreaterThanOrEqual(0.99)
      expect((1000 * t.filesWithFalsePositive) / t.files).toBeLessThanOrEqual(1)
    }
    expect(mutated.parser.files).toBeGreaterThan(1000)
    // The harness is sharp: the tokenizer the parser replaced does not pass it (it read JSX text and some regular
    // expressions as code).
    expect(mutated.tokenizer.filesWithFalsePositive / mutated.tokenizer.files).toBeGreaterThan(0.1)
  }, 120_000)
})
