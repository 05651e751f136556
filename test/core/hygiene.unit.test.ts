/**
 * What keeps the code readable, held here so that it does not slip where nothing looks: a file's concept fits in one
 * screen of names (no source file over 400 lines), a function reads top to bottom in one screen (none over 80
 * lines), and what users read — rule descriptions, flags' help, schemas, templates, docs — cites the design
 * documents by their own names (`backlog/603`), never our issue numbers or the seeds they came as. Unused exports are
 * knip's (knip.json, run by `npm run lint`).
 */
import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import ts from 'typescript'
import {describe, expect, it} from 'vitest'

import {RULES} from '../../src/gitops/rules/index.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const MAX_FILE_LINES = 400
const MAX_FUNCTION_LINES = 80

const filesUnder = (dir: string, ext: RegExp): string[] =>
  (readdirSync(path.join(ROOT, dir), {recursive: true}) as string[])
    .filter((f) => ext.test(f))
    .map((f) => path.join(dir, f).split(path.sep).join('/'))
    .sort()

const lineCount = (text: string) => text.split('\n').length - (text.endsWith('\n') ? 1 : 0)

/** Every function-like node with a body longer than `max` lines: `file:line name (n lines)`. */
export function longFunctions(file: string, text: string, max: number): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const found: string[] = []
  const line = (pos: number) => source.getLineAndCharacterOfPosition(pos).line + 1
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const lines = line(node.end) - line(node.getStart(source)) + 1
      const named = node.name ?? (ts.isVariableDeclaration(node.parent) ? node.parent.name : undefined)
      const name = named && ts.isIdentifier(named) ? named.text : '(anonymous)'
      if (lines > max) found.push(`${file}:${line(node.getStart(source))} ${name} (${lines} lines)`)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

/** Our own issue numbers and the seeds' numbers, as product text must not carry them. */
const INTERNAL_REFERENCE = /\b(?:issues? #?\d+|seeds? 0\d\d)\b/i

describe('sizes under src/', () => {
  const sources = filesUnder('src', /\.ts$/)

  it(`no file over ${MAX_FILE_LINES} lines`, () => {
    expect(sources.length).toBeGreaterThan(300)
    const over = sources
      .map((f) => [f, lineCount(readFileSync(path.join(ROOT, f), 'utf8'))] as const)
      .filter(([, n]) => n > MAX_FILE_LINES)
      .map(([f, n]) => `${f} (${n} lines)`)
    expect(over).toEqual([])
  })

  it(`no function over ${MAX_FUNCTION_LINES} lines`, () => {
    const over = sources.flatMap((f) => longFunctions(f, readFileSync(path.join(ROOT, f), 'utf8'), MAX_FUNCTION_LINES))
    expect(over).toEqual([])
  })

  it('measures a function from its first line to its closing brace, arrow functions and methods too', () => {
    const body = (n: number) => Array.from({length: n}, (_, i) => `  const v${i} = ${i}`).join('\n')
    const text = `function short() {\n${body(78)}\n}\nconst long = () => {\n${body(79)}\n}\nclass C {\n  m() {\n${body(90)}\n  }\n}\n`
    expect(longFunctions('x.ts', text, 80)).toEqual(['x.ts:81 long (81 lines)', 'x.ts:163 m (92 lines)'])
  })
})

describe('product text cites the design documents by name', () => {
  it('no rule description, flag help, schema, template or doc names an issue number or a seed', () => {
    const texts: Array<[string, string]> = [
      ...Object.values(RULES).map((r) => [`rule ${r.id}`, `${r.title}\n${r.source}\n${r.hint}`] as [string, string]),
      ['oclif.manifest.json', readFileSync(path.join(ROOT, 'oclif.manifest.json'), 'utf8')],
      ...[
        ...filesUnder('schemas', /\.json$/),
        ...filesUnder('templates', /\.[a-z]+$/),
        ...filesUnder('docs', /\.(md|ya?ml)$/),
        'README.md',
        'CONTRIBUTING.md',
      ]
        // docs/performance-history.md keeps the measurements' history as it was written.
        .filter((f) => f !== 'docs/performance-history.md')
        .map((f) => [f, readFileSync(path.join(ROOT, f), 'utf8')] as [string, string]),
    ]
    const found = texts.flatMap(([where, text]) =>
      text
        .split('\n')
        .map((line, i) => [i + 1, INTERNAL_REFERENCE.exec(line)?.[0]] as const)
        .filter(([, hit]) => hit !== undefined)
        .map(([n, hit]) => `${where}:${n} ${hit}`),
    )
    expect(found).toEqual([])
  })

  it('the pattern finds what it must and leaves other projects’ tracker numbers alone', () => {
    for (const text of ['see issue 35', 'Issue #12', '(seed 001 B)', 'seeds 003'])
      expect(text).toMatch(INTERNAL_REFERENCE)
    for (const text of ['argocd-diff-preview #217', 'backlog/603 WP-3', 'reissue 3', 'seed 1.2.3'])
      expect(text).not.toMatch(INTERNAL_REFERENCE)
  })
})
