/**
 * The import graph of a TypeScript source tree, as the compiler's pre-processor reads it (static imports, `import
 * type`, `export … from`, and `import()` of a relative module), and its cycles: strongly connected components of more
 * than one module, or a module importing itself. Only relative specifiers are followed (`./x.js` → `./x.ts`).
 */
import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import ts from 'typescript'

export type ImportGraph = Map<string, string[]>

/** Every `.ts` file under `root` (relative paths, `/`-separated) → the files under `root` it imports. */
export function importGraph(root: string): ImportGraph {
  const files = (readdirSync(root, {recursive: true, encoding: 'utf8'}) as string[])
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => f.split(path.sep).join('/'))
    .sort()
  const known = new Set(files)
  const graph: ImportGraph = new Map()
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(path.join(root, file), 'utf8'), true, true)
    const targets = new Set<string>()
    for (const {fileName} of info.importedFiles) {
      if (!fileName.startsWith('.')) continue
      const joined = path.posix.normalize(path.posix.join(path.posix.dirname(file), fileName))
      const candidate = [joined.replace(/\.js$/, '.ts'), `${joined}.ts`, `${joined}/index.ts`].find((c) => known.has(c))
      if (candidate) targets.add(candidate)
    }
    graph.set(file, [...targets].sort())
  }
  return graph
}

/** The cycles of a graph (Tarjan's strongly connected components), each sorted, in a stable order. */
export function importCycles(graph: ImportGraph): string[][] {
  let next = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const cycles: string[][] = []
  const visit = (node: string): void => {
    index.set(node, next)
    low.set(node, next)
    next++
    stack.push(node)
    onStack.add(node)
    for (const to of graph.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to)
        low.set(node, Math.min(low.get(node)!, low.get(to)!))
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!))
      }
    }
    if (low.get(node) !== index.get(node)) return
    const component: string[] = []
    let member: string
    do {
      member = stack.pop()!
      onStack.delete(member)
      component.push(member)
    } while (member !== node)
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component.sort())
  }
  for (const node of graph.keys()) if (!index.has(node)) visit(node)
  return cycles.sort((a, b) => a[0].localeCompare(b[0]))
}
