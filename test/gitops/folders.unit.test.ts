/**
 * The house of src/gitops/ as docs/architecture.md draws it: its code map lists the folders top-down, and a folder
 * imports only from folders listed below it — so the folders form a DAG whose order a newcomer reads in one list, and
 * the map cannot disagree with the code. Imports are read with the TypeScript parser: static, type-only, re-exports
 * and `import()` alike. Each folder of the map carries a README.md (its header: what it emulates, what it may use).
 */
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import ts from 'typescript'
import {describe, expect, it} from 'vitest'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const GITOPS = 'src/gitops/'

/** The folders of the code map in docs/architecture.md, top-down: the fenced block under "## The GitOps folders". */
export function codeMap(markdown: string): string[] {
  const section = markdown.split(/^## The GitOps folders$/m)[1]
  const block = section?.match(/```\n([\s\S]*?)```/)?.[1]
  if (!block) throw new Error('docs/architecture.md has no code map under "## The GitOps folders"')
  return [...block.matchAll(/^(\S+\/)\s/gm)].map((m) => m[1].replace(/\/$/, ''))
}

/** Every module specifier a file imports or re-exports, statically or by `import()`. */
export function specifiers(file: string, text: string): string[] {
  const found: string[] = []
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier)
      found.push((node.moduleSpecifier as ts.StringLiteral).text)
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments
      if (arg && ts.isStringLiteral(arg)) found.push(arg.text)
    }
    ts.forEachChild(node, visit)
  }
  visit(ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true))
  return found
}

/** The folder of the map a file of src/gitops/ belongs to: the longest one that holds it. */
const areaOf = (folders: readonly string[], file: string): string | undefined =>
  folders.filter((f) => file.startsWith(`${GITOPS}${f}/`)).sort((a, b) => b.length - a.length)[0]

const sources = (readdirSync(path.join(ROOT, GITOPS), {recursive: true}) as string[])
  .filter((f) => f.endsWith('.ts'))
  .map((f) => `${GITOPS}${f.split(path.sep).join('/')}`)
  .sort()
const folders = codeMap(readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8'))

/** Every import from one folder to another: `from → to (file → target)`. */
function crossings(): Array<{from: string; to: string; edge: string}> {
  const out: Array<{from: string; to: string; edge: string}> = []
  for (const file of sources) {
    const from = areaOf(folders, file)
    for (const spec of specifiers(file, readFileSync(path.join(ROOT, file), 'utf8'))) {
      if (!spec.startsWith('.')) continue
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec))
      const to = areaOf(folders, target)
      if (to && from && to !== from) out.push({from, to, edge: `${file} → ${target}`})
    }
  }
  return out
}

describe('src/gitops/ as the code map draws it', () => {
  it('every folder with code is in the map, and every folder of the map exists with a README.md header', () => {
    expect(folders.length).toBeGreaterThan(20)
    expect(sources.filter((f) => !areaOf(folders, f))).toEqual([])
    expect(folders.filter((f) => !existsSync(path.join(ROOT, GITOPS, f, 'README.md')))).toEqual([])
    expect(new Set(folders).size).toBe(folders.length)
  })

  it("the README's code map lists the same folders in the same order", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8')
    const entry = readme.match(/^src\/gitops\/ [\s\S]*?(?=^src\/(?!gitops))/m)?.[0] ?? ''
    const listed = [
      ...entry
        .split(/\):?\n/)[1]!
        .split('; inside')[0]!
        .matchAll(/(\S+)\//g),
    ].map((m) => m[1])
    expect(listed).toEqual(folders)
  })

  it('a folder imports only from folders listed below it (no folder cycle)', () => {
    const rank = new Map(folders.map((f, i) => [f, i]))
    const upward = crossings().filter(({from, to}) => rank.get(to)! < rank.get(from)!)
    expect(upward.map((c) => `${c.from} imports ${c.to}: ${c.edge}`)).toEqual([])
  })

  it('argocd/, flux/ and every other top-level folder is one block of the list: the top-level folders form a DAG too', () => {
    // With each top-level folder's entries together and every import going down the list, an import between two
    // top-level folders goes down too: Argo CD and Flux each sit above helm/, render/ and model/ as one area.
    const tops = folders.map((f) => f.split('/')[0]!)
    const split = tops.filter((t, i) => i > 0 && tops[i - 1] !== t && tops.slice(0, i - 1).includes(t))
    expect(split).toEqual([])
    expect(tops.filter((t) => t === 'argocd').length).toBeGreaterThan(4)
    expect(tops.filter((t) => t === 'flux').length).toBeGreaterThan(2)
  })

  it('the check sees a crossing: the map holds real imports in its order', () => {
    const all = crossings()
    expect(all.length).toBeGreaterThan(100)
    expect(all.some(({from, to}) => from === 'diff' && to === 'gate')).toBe(true)
    const reversed = [...folders].reverse()
    const rank = new Map(reversed.map((f, i) => [f, i]))
    expect(all.filter(({from, to}) => rank.get(to)! < rank.get(from)!).length).toBeGreaterThan(0)
  })

  it('areas outside src/gitops/ reach it only through the folders meant for them', () => {
    const allowed = [
      `${GITOPS}evidence/`,
      `${GITOPS}rules/index.js`,
      `${GITOPS}facts/index.js`,
      `${GITOPS}helm/charts/`,
    ]
    const outside = ['src/status', 'src/doctor', 'src/dispatch'].flatMap((dir) =>
      (readdirSync(path.join(ROOT, dir), {recursive: true}) as string[])
        .filter((f) => f.endsWith('.ts'))
        .map((f) => `${dir}/${f.split(path.sep).join('/')}`),
    )
    const reaches = outside.flatMap((file) =>
      specifiers(file, readFileSync(path.join(ROOT, file), 'utf8'))
        .map((spec) => path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)))
        .filter((target) => target.startsWith(GITOPS) && !allowed.some((a) => target.startsWith(a)))
        .map((target) => `${file} → ${target}`),
    )
    expect(reaches).toEqual([])
  })
})
