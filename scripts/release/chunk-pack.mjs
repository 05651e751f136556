// The release bundle's chunks in one file, dist/cli/chunks.pack, served to Node by bin/hooks.js: npm unpacks a
// package's tarball three times while installing it, and its cost goes with the number of files more than with their
// bytes (bench/install.mjs: 339 chunks were ≈ 0.9 s of a 2.1 s install). A chunk a worker thread reaches stays a file:
// the hooks of bin/hooks.js are the main thread's (Node does not give them to a worker), and a worker's entry and its
// imports load as any module does.
//
// The format: one line `ameide-chunk-pack 1 <bytes of the index>`, the index (JSON: each chunk's path under
// dist/cli/, e.g. `chunks/x-ABC.js`, → [offset, length] in the bytes after the index), then the chunks' bytes.
import {readFileSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'

export const PACK_FILE = 'chunks.pack'

/**
 * Packs the chunks of the bundle in `outdir` (its outputs as esbuild's metafile names them, relative to `bundleDir`)
 * that no worker entry reaches, and removes their files. Returns how many were packed.
 */
export function packChunks(outdir, outputs, bundleDir) {
  const graph = Object.fromEntries(
    Object.entries(outputs).map(([out, o]) => {
      const rel = path.relative(bundleDir, out).split(path.sep).join('/')
      return [
        rel,
        o.imports.filter((i) => !i.external).map((i) => path.relative(bundleDir, i.path).split(path.sep).join('/')),
      ]
    }),
  )
  const kept = reachable(
    graph,
    Object.keys(graph).filter((rel) => rel.startsWith('workers/')),
  )
  const packed = Object.keys(graph)
    .filter((rel) => rel.startsWith('chunks/') && !kept.has(rel))
    .sort()
  const index = {}
  const parts = []
  let offset = 0
  for (const rel of packed) {
    const bytes = readFileSync(path.join(outdir, rel))
    index[rel] = [offset, bytes.length]
    parts.push(bytes)
    offset += bytes.length
  }
  const indexBytes = Buffer.from(JSON.stringify(index))
  const head = Buffer.from(`ameide-chunk-pack 1 ${indexBytes.length}\n`)
  writeFileSync(path.join(outdir, PACK_FILE), Buffer.concat([head, indexBytes, ...parts]))
  for (const rel of packed) rmSync(path.join(outdir, rel))
  return packed.length
}

/** Every output `from` reaches through the imports of `graph`. */
function reachable(graph, from) {
  const seen = new Set()
  const todo = [...from]
  while (todo.length > 0) {
    const rel = todo.pop()
    if (seen.has(rel)) continue
    seen.add(rel)
    todo.push(...(graph[rel] ?? []))
  }
  return seen
}
