#!/usr/bin/env node
// The fields of every built-in kind, per Kubernetes minor, from Kubernetes' own OpenAPI v3 documents (run by `npm run
// build`): for each minor scripts/kube-openapi.json pins, the k8s.io/kubernetes module zip of that release, fetched
// from the Go module proxy and checked against its go.sum hash (scripts/go-toolchain.mjs fetchModuleZip), its
// api/openapi-spec/v3/*.json read. Written to dist/kubernetes/openapi-fields.json: each definition's fields (a field
// is a definition's name, [shape] for a list, {"*": shape} for a map, a value's JSON type code, 0 for any value) and
// the fields it requires, a definition the minors share once, and each served apiVersion/kind's definition. What the
// render gate reads from it: what a cluster's minor serves and the fields it does not know; of a kind kubernetes-models
// has no validator for, the types and required fields too (src/gitops/kubernetes/minor-fields.ts). The fields of each
// minor are cached in AMEIDE_CRD_CATALOG_CACHE (else <user cache>/ameide/crd-catalog/) under the release, its hash and
// the cache's format: a zip is fetched once per machine.
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {fetchModuleZip, readZip} from './go-toolchain.mjs'
import {userCacheDir} from './user-cache.mjs'

const root = fileURLToPath(new URL('../', import.meta.url))
const pins = JSON.parse(readFileSync(path.join(root, 'scripts/kube-openapi.json'), 'utf8'))
const out = path.join(root, 'dist/kubernetes/openapi-fields.json')
const cache = process.env.AMEIDE_CRD_CATALOG_CACHE || path.join(userCacheDir(), 'crd-catalog')
const say = (message) => process.stderr.write(`[kube-openapi] ${message}\n`)

/** The JSON type of a value's shape: 0 any (int-or-string, free-form), else its code (src/gitops/kubernetes/minor-fields.ts). */
const VALUE_TYPES = {string: 1, integer: 2, number: 3, boolean: 4}

/**
 * A property's shape: the definition it names, [items] for a list, {"*": values} for a map, a value's type code (0:
 * any).
 */
function shapeOf(schema) {
  const ref = schema.$ref ?? schema.allOf?.find((s) => s.$ref)?.$ref
  if (typeof ref === 'string') return ref.replace('#/components/schemas/', '')
  if (schema.type === 'array' && schema.items) return [shapeOf(schema.items)]
  if (schema.type === 'object' && schema.additionalProperties && typeof schema.additionalProperties === 'object')
    return {'*': shapeOf(schema.additionalProperties)}
  return (!schema['x-kubernetes-int-or-string'] && VALUE_TYPES[schema.type]) || 0
}

/** One minor's definitions (name → {field → shape}; none: free-form) and kinds (`group/version/Kind` → name). */
function fieldsOf(entries, release) {
  const definitions = {}
  const kinds = {}
  const prefix = `${release}/api/openapi-spec/v3/`
  for (const {name, data} of entries) {
    if (!name.startsWith(prefix) || !name.endsWith('_openapi.json')) continue
    const schemas = JSON.parse(data.toString('utf8')).components?.schemas ?? {}
    for (const [def, schema] of Object.entries(schemas)) {
      if (schema.properties && !schema['x-kubernetes-preserve-unknown-fields'])
        definitions[def] ??= {
          fields: Object.fromEntries(Object.entries(schema.properties).map(([field, s]) => [field, shapeOf(s)])),
          required: schema.required ?? [],
        }
      for (const gvk of schema['x-kubernetes-group-version-kind'] ?? []) {
        if (gvk.version === '__internal' || !schema.properties?.kind) continue
        kinds[`${gvk.group ? `${gvk.group}/` : ''}${gvk.version}/${gvk.kind}`] ??= def
      }
    }
  }
  if (Object.keys(kinds).length === 0) throw new Error(`${release}: no api/openapi-spec/v3 document in its zip`)
  return {definitions, kinds}
}

/** What a cached minor holds: each definition's fields with their value types, and its required fields. */
const CACHE_FORMAT = 'fields+types+required'

/** One minor's fields: from the cache, else from its release's zip. */
async function minorFields(minor, {version, sum}) {
  const release = `${pins.module}@${version}`
  const key = `${release} ${sum} ${CACHE_FORMAT}`
  const file = path.join(cache, `openapi-${createHash('sha256').update(key).digest('hex')}.json`)
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'))
  const zip = await fetchModuleZip({module: pins.module, version, sum})
  const fields = fieldsOf(readZip(zip), release)
  mkdirSync(cache, {recursive: true})
  writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(fields))
  renameSync(`${file}.${process.pid}.tmp`, file)
  say(`${minor}: ${Object.keys(fields.kinds).length} kinds from ${release} (${(zip.length / 1e6).toFixed(1)} MB)`)
  return fields
}

const minors = Object.keys(pins.minors)
// Without a minor's fields the gate could not tell a cluster's fields (it fails closed), so the build stops here.
const perMinor = await Promise.all(minors.map((m) => minorFields(m, pins.minors[m]))).catch((e) => {
  say(`${e.message}: the build needs every pinned minor's fields (GOPROXY, or a cache in AMEIDE_CRD_CATALOG_CACHE)`)
  process.exit(1)
})
// A definition the same in several minors is kept once: `shapes` holds each distinct one's fields, `required` the
// fields it requires (by its index, where any), `minors` their indexes.
const shapes = []
const required = {}
const shapeIndex = new Map()
const table = {minors: {}, shapes, required}
for (const [i, minor] of minors.entries()) {
  const {definitions, kinds} = perMinor[i]
  const defs = {}
  for (const [name, def] of Object.entries(definitions).sort(([a], [b]) => a.localeCompare(b))) {
    const key = JSON.stringify(def)
    if (!shapeIndex.has(key)) {
      const at = shapes.push(def.fields) - 1
      if (def.required.length > 0) required[at] = def.required
      shapeIndex.set(key, at)
    }
    defs[name] = shapeIndex.get(key)
  }
  table.minors[minor] = {release: `${pins.module}@${pins.minors[minor].version}`, kinds, definitions: defs}
}
mkdirSync(path.dirname(out), {recursive: true})
writeFileSync(out, JSON.stringify(table))
say(
  `${minors.length} minors, ${shapes.length} distinct definitions (${(readFileSync(out).length / 1e6).toFixed(2)} MB)`,
)
