/**
 * The diff's verdict has one owner (src/gitops/diff/verdict.ts): its table of inputs and outputs, the not-rendered
 * finding that cannot be made without its inputs, and an architecture check that no other module of src/ decides a
 * verdict (assigns `incomplete`, sets a result's `summary` from anything but the verdict, or reads a finding's inputs).
 */
import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import ts from 'typescript'
import {describe, expect, it} from 'vitest'

import {NotRendered} from '../../../src/gitops/render/not-rendered.js'
import {decideVerdict, touchedBy, type VerdictInputs} from '../../../src/gitops/diff/verdict.js'
import {finding, RULES, type GitopsFinding} from '../../../src/gitops/rules/index.js'

const SRC = path.resolve(__dirname, '../../../src')
const OWNER = 'gitops/diff/verdict.ts'

const failed = (file: string, application?: string): GitopsFinding => ({
  ...finding(RULES['render-failed'], file, {line: 3, column: 1}, `${file} failed`),
  ...(application ? {application} : {}),
})
const keyed = (f: GitopsFinding, key: string) => new NotRendered(f, {key})

const none = {base: [], head: []}
const declared = {found: 2, declared: 2, layoutConfigured: false}
const still = {deployables: 0, applications: 0}

describe('the verdict: its inputs and outputs', () => {
  const touched = [keyed(failed('apps/a.yaml'), 'k1')]
  const table: Array<[string, VerdictInputs, string, string[]]> = [
    ['nothing differs, nothing unknown', {touched: none, found: declared, changes: still}, 'unchanged', []],
    ['a deployable differs', {touched: none, found: declared, changes: {...still, deployables: 1}}, 'changed', []],
    ['an Application added', {touched: none, found: declared, changes: {...still, applications: 1}}, 'changed', []],
    [
      'a touched not-rendered finding in the head, though something differs',
      {touched: {base: [], head: touched}, found: declared, changes: {deployables: 3, applications: 1}},
      'incomplete',
      ['not-rendered'],
    ],
    [
      'a touched not-rendered finding in the base',
      {touched: {base: touched, head: []}, found: declared, changes: still},
      'incomplete',
      ['not-rendered'],
    ],
    [
      'nothing found in either revision',
      {touched: none, found: {found: 0, declared: 0, layoutConfigured: true}, changes: still},
      'incomplete',
      ['nothing-to-render'],
    ],
    [
      "only ameide's guesses found",
      {touched: none, found: {found: 1, declared: 0, layoutConfigured: false}, changes: {...still, deployables: 1}},
      'incomplete',
      ['only-guessed'],
    ],
    [
      'guessed roots of a configured layout are declared',
      {touched: none, found: {found: 1, declared: 0, layoutConfigured: true}, changes: {...still, deployables: 1}},
      'changed',
      [],
    ],
  ]
  it.each(table)('%s', (_, input, summary, unknowns) => {
    expect(decideVerdict(input)).toEqual({summary, unknowns})
  })
})

describe('what the change touches: a not-rendered finding whose inputs the other revision does not hold', () => {
  it('the same thing with the same inputs in the other revision is untouched', () => {
    expect(touchedBy([keyed(failed('a.yaml'), 'k')], [keyed(failed('a.yaml'), 'k')])).toEqual([])
  })

  it('other inputs, another file, another Application: touched', () => {
    const mine = keyed(failed('a.yaml', 'web'), 'k')
    expect(touchedBy([mine], [keyed(failed('a.yaml', 'web'), 'other')])).toEqual([mine])
    expect(touchedBy([mine], [keyed(failed('b.yaml', 'web'), 'k')])).toEqual([mine])
    expect(touchedBy([mine], [keyed(failed('a.yaml', 'api'), 'k')])).toEqual([mine])
    expect(touchedBy([mine], [])).toEqual([mine])
  })

  it('unknowable inputs (a refusal, a limit, inputs no producer names) are always touched', () => {
    for (const unknowable of ['refused', 'limit', 'inputs-unknown'] as const) {
      const mine = new NotRendered(failed('a.yaml'), {unknowable})
      expect(touchedBy([mine], [new NotRendered(failed('a.yaml'), {unknowable})])).toEqual([mine])
    }
  })

  it('cannot be made without its inputs, nor for a finding that is not about a render', () => {
    expect(() => new NotRendered(failed('a.yaml'), {} as never)).toThrow(/needs its inputs/)
    const other = finding(RULES['floating-tag'], 'a.yaml', {line: 1, column: 1}, 'x')
    expect(() => new NotRendered(other, {key: 'k'})).toThrow(/not a not-rendered finding/)
  })
})

/** Where a source file decides a verdict: `'incomplete'` given (not compared, not a type), a `summary` set otherwise. */
function decisions(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const out: string[] = []
  const at = (n: ts.Node) => `${file}:${source.getLineAndCharacterOfPosition(n.getStart()).line + 1}`
  const visit = (n: ts.Node): void => {
    if (ts.isStringLiteral(n) && n.text === 'incomplete' && !isRead(n)) out.push(`${at(n)} 'incomplete'`)
    if (ts.isPropertyAssignment(n) && n.name.getText() === 'summary' && isDiffResult(file) && !isHelp(n)) {
      const value = n.initializer.getText()
      if (!/^verdict\.summary$/.test(value)) out.push(`${at(n)} summary: ${value}`)
    }
    if (ts.isPropertyAccessExpression(n) && n.name.text === 'inputs' && file.startsWith('gitops/diff/'))
      out.push(`${at(n)} .inputs`)
    ts.forEachChild(n, visit)
  }
  visit(source)
  return out
}

/** A literal compared (`=== 'incomplete'`) or in a type: read, not decided. */
function isRead(n: ts.Node): boolean {
  const p = n.parent
  if (ts.isLiteralTypeNode(p)) return true
  if (ts.isBinaryExpression(p)) {
    const op = p.operatorToken.kind
    return op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsEqualsToken
  }
  return false
}

/** A command's help (`declareHelp(this, {summary: …})`): its one-line summary, no result's. */
function isHelp(n: ts.PropertyAssignment): boolean {
  const call = n.parent.parent
  return ts.isCallExpression(call) && call.expression.getText() === 'declareHelp'
}

/** The files that make a `gitops diff` result (others' `summary` is another command's: verify's pass/fail…). */
const isDiffResult = (file: string) => file.startsWith('gitops/diff/') || file === 'commands/gitops/diff.ts'

describe('one owner: no other module of src/ decides the verdict', () => {
  const files = (readdirSync(SRC, {recursive: true, encoding: 'utf8'}) as string[])
    .map((f) => f.split(path.sep).join('/'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort()

  it('the check sees a decision made elsewhere (a verdict assigned, a summary computed, inputs read)', () => {
    const elsewhere = [
      "export const r = {summary: failures.length > 0 ? 'incomplete' : 'changed'}",
      "if (r.summary === 'incomplete') x = 1; let s: 'incomplete' | 'changed'",
      'const same = n.inputs.key === m.inputs.key',
    ].join('\n')
    expect(decisions('gitops/diff/compare.ts', elsewhere)).toEqual([
      "gitops/diff/compare.ts:1 summary: failures.length > 0 ? 'incomplete' : 'changed'",
      "gitops/diff/compare.ts:1 'incomplete'",
      'gitops/diff/compare.ts:3 .inputs',
      'gitops/diff/compare.ts:3 .inputs',
    ])
  })

  it('only src/gitops/diff/verdict.ts decides it', () => {
    const found = files.filter((f) => f !== OWNER).flatMap((f) => decisions(f, readFileSync(path.join(SRC, f), 'utf8')))
    expect(found).toEqual([])
    expect(decisions(OWNER, readFileSync(path.join(SRC, OWNER), 'utf8')).length).toBeGreaterThan(0)
  })

  it('the verdict is decided once, and what is touched asked of it once a revision, by gitops diff', () => {
    const calls = (name: string) =>
      files.flatMap((f) => {
        const text = readFileSync(path.join(SRC, f), 'utf8')
        return [...text.matchAll(new RegExp(`\\b${name}\\(`, 'g'))].map(() => f)
      })
    expect(calls('decideVerdict')).toEqual(['gitops/diff/diff.ts', OWNER])
    expect(calls('touchedBy')).toEqual(['gitops/diff/diff.ts', 'gitops/diff/diff.ts', OWNER])
  })
})
