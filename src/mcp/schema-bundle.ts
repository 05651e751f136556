import {readFileSync} from 'node:fs'
import path from 'node:path'

const DROPPED = new Set(['$id', '$schema', 'definitions', '$defs'])

type Json = null | boolean | number | string | Json[] | {[key: string]: Json}

/**
 * A checked-in result schema made self-contained: every `$ref` (into the same file or another one under schemas/)
 * is replaced by what it points at, and `$id`, `$schema` and `definitions` are dropped, so the schema is one object
 * a client can compile on its own. A cycle of references is refused (none of ours has one).
 */
export function bundleSchema(schemasDir: string, file: string): Record<string, Json> {
  const files = new Map<string, Json>()
  const load = (name: string): Json => {
    let doc = files.get(name)
    if (doc === undefined) {
      doc = JSON.parse(readFileSync(path.join(schemasDir, name), 'utf8')) as Json
      files.set(name, doc)
    }
    return doc
  }
  const resolve = (ref: string, currentFile: string): [Json, string] => {
    const [target, pointer = ''] = ref.split('#')
    const name = target === '' ? currentFile : target
    let node = load(name)
    for (const part of pointer.split('/').filter(Boolean)) {
      const key = decodeURIComponent(part).replaceAll('~1', '/').replaceAll('~0', '~')
      if (node === null || typeof node !== 'object' || Array.isArray(node) || !(key in node))
        throw new Error(`${currentFile}: $ref ${ref} points at nothing`)
      node = node[key]
    }
    return [node, name]
  }
  // `names`: the node is a map of property names (under `properties`), whose keys are data, not keywords.
  const inline = (node: Json, currentFile: string, seen: readonly string[], names = false): Json => {
    if (Array.isArray(node)) return node.map((n) => inline(n, currentFile, seen))
    if (node === null || typeof node !== 'object') return node
    if (!names && typeof node.$ref === 'string') {
      const key = `${node.$ref.startsWith('#') ? currentFile : ''}${node.$ref}`
      if (seen.includes(key)) throw new Error(`${file}: $ref cycle through ${key}`)
      const [target, targetFile] = resolve(node.$ref, currentFile)
      const {$ref: _ref, ...siblings} = node
      const resolved = inline(target, targetFile, [...seen, key])
      return Object.keys(siblings).length === 0
        ? resolved
        : {...(resolved as object), ...(inline(siblings, currentFile, seen) as object)}
    }
    const out: {[key: string]: Json} = {}
    for (const [key, value] of Object.entries(node)) {
      if (!names && DROPPED.has(key)) continue
      out[key] = inline(value, currentFile, seen, !names && (key === 'properties' || key === 'patternProperties'))
    }
    return out
  }
  return inline(load(file), file, []) as Record<string, Json>
}
