// The release bundle's modules in one file, dist/cli/modules.pack, served to Node by bin/hooks.js: npm unpacks a
// package's tarball three times while installing it, and its cost goes with the number of files more than with their
// bytes (bench/install.mjs: 339 chunks were ≈ 0.9 s of a 2.1 s install).
// Packed: what only the bundle's own relative imports load (the chunks, the commands' modules, oclif.js), which
// bin/hooks.js resolves by URL. Left as files: the entries Node or oclif load by path (run.js, commands.js, the MCP
// server, not-found.js, ansis.js), and whatever a worker thread reaches — the hooks of bin/hooks.js are the main
// thread's (Node does not give them to a worker), and a worker's entry and its imports load as any module does.
//
// The format: one line `ameide-module-pack 1 <bytes of the index>`, the index (JSON: each module's path under
// dist/cli/, e.g. `chunks/x-ABC.js`, → [offset, length] in the bytes after the index), then the modules' bytes.
import {readFileSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'

export const PACK_FILE = 'modules.pack'
const PACKABLE = /^(chunks\/|commands\/|oclif\.js$)/

/**
 * Packs the modules of the bundle in `outdir` (its outputs as esbuild's metafile names them, relative to `bundleDir`)
 * that PACKABLE names and no worker entry reaches, and removes their files. Returns how many were packed.
 */
export function packModules(outdir, outputs, bundleDir) {
  const rel = (p) => path.relative(bundleDir, p).split(path.sep).join('/')
  const graph = Object.fromEntries(
    Object.entries(outputs).map(([out, o]) => [rel(out), o.imports.filter((i) => !i.external).map((i) => rel(i.path))]),
  )
  const workers = reachable(
    graph,
    Object.keys(graph).filter((file) => file.startsWith('workers/')),
  )
  const packed = Object.keys(graph)
    .filter((file) => PACKABLE.test(file) && !workers.has(file))
    .sort()
  const index = {}
  const parts = []
  let offset = 0
  for (const file of packed) {
    const bytes = readFileSync(path.join(outdir, file))
    index[file] = [offset, bytes.length]
    parts.push(bytes)
    offset += bytes.length
  }
  const indexBytes = Buffer.from(JSON.stringify(index))
  const head = Buffer.from(`ameide-module-pack 1 ${indexBytes.length}\n`)
  writeFileSync(path.join(outdir, PACK_FILE), Buffer.concat([head, indexBytes, ...parts]))
  for (const file of packed) rmSync(path.join(outdir, file))
  return packed.length
}

/** Every output `from` reaches through the imports of `graph`. */
function reachable(graph, from) {
  const seen = new Set()
  const todo = [...from]
  while (todo.length > 0) {
    const file = todo.pop()
    if (seen.has(file)) continue
    seen.add(file)
    todo.push(...(graph[file] ?? []))
  }
  return seen
}
