#!/usr/bin/env node
// The schemas of every built-in kind, per Kubernetes minor, from Kubernetes' own sources (run by `npm run build`): for
// each minor scripts/kube-openapi.json pins, the k8s.io/kubernetes module zip of that release and the k8s.io/api zip
// of the same release, fetched from the Go module proxy and checked against their go.sum hashes
// (scripts/go-toolchain.mjs fetchModuleZip). From the first, its api/openapi-spec/v3/*.json: each definition's fields
// and the fields it requires; from the second, the values of each enum field (the `+enum` types' constants, read from
// the Go source by scripts/kube-enums, as kube-openapi's enum generator reads them; the published OpenAPI no longer
// carries them). Written to dist/kubernetes/openapi-fields.json: each definition's fields (a field is a definition's
// name, [shape] for a list, {"*": shape} for a map, {"enum": values} for an enum, a value's type code, 0 for any
// value), a definition the minors share once, and each served apiVersion/kind's definition. The render gate's one
// schema of built-in kinds (src/gitops/kubernetes/minor-fields.ts): what a cluster's minor serves, and each object's
// fields, types, formats, enums and required fields. Each minor is cached in AMEIDE_CRD_CATALOG_CACHE (else <user
// cache>/ameide/crd-catalog/) under its releases, their hashes and the cache's format: the zips are fetched once per
// machine.
import {createHash} from 'node:crypto'
import {execFileSync} from 'node:child_process'
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

/**
 * The JSON type of a value's shape: 0 any (free-form), else its code (src/gitops/kubernetes/minor-fields.ts VALUE_TYPES):
 * a JSON type, or a format the API server's decoding holds a value to (an int32 or int64 in range, base64 bytes, an
 * RFC 3339 time, a Quantity, an int32 or a string).
 */
const VALUE_TYPES = {string: 1, integer: 2, number: 3, boolean: 4}
const FORMATS = {int32: 5, int64: 6, byte: 7, 'date-time': 8, 'int-or-string': 10}
/** Definitions that are one value, by the Go type that decodes them (its schema says only "a string or a number"). */
const SCALARS = {'io.k8s.apimachinery.pkg.api.resource.Quantity': 9}

/** The code of a value's schema (0: any). */
function valueCode(schema) {
  if (schema['x-kubernetes-int-or-string']) return FORMATS['int-or-string']
  const format = FORMATS[schema.format]
  if (format && (schema.type === undefined || schema.type === 'string' || schema.type === 'integer')) return format
  return VALUE_TYPES[schema.type] ?? 0
}

/**
 * A property's shape: the definition it names (a definition that is one value: that value's code), [items] for a
 * list, {"*": values} for a map, {"enum": values} for a string of the values `enums` gives, a value's code.
 */
function shapeOf(schema, schemas, enums) {
  const ref = schema.$ref ?? schema.allOf?.find((s) => s.$ref)?.$ref
  if (typeof ref === 'string') {
    const name = ref.replace('#/components/schemas/', '')
    const target = schemas[name]
    if (SCALARS[name]) return SCALARS[name]
    return target && !target.properties && target.type !== 'object' ? valueCode(target) : name
  }
  if (schema.type === 'array' && schema.items) return [shapeOf(schema.items, schemas, enums)]
  if (schema.type === 'object' && schema.additionalProperties && typeof schema.additionalProperties === 'object')
    return {'*': shapeOf(schema.additionalProperties, schemas, enums)}
  if (enums && schema.type === 'string') return {enum: enums}
  return valueCode(schema)
}

/**
 * Where the API server's validation differs from what the documents say, each found and held by
 * test/gitops/kubernetes/apiserver-differential.test.ts (Kubernetes' own code beside the table): fields the OpenAPI
 * requires that its defaulting fills in (a RoleRef's apiGroup) or its validation leaves optional, and string types it
 * validates as enums although k8s.io/api does not mark them `+enum` (their values are still the release's constants).
 */
const NOT_REQUIRED = {
  'io.k8s.api.rbac.v1.RoleRef': ['apiGroup'],
  'io.k8s.api.batch.v1.PodFailurePolicy': ['rules'],
}
const KUBE_ENUMS = path.join(root, 'scripts/kube-enums/main.go')
const UNMARKED_ENUMS = ['k8s.io/api/networking/v1.PathType', 'k8s.io/api/autoscaling/v2.MetricSourceType']

/**
 * One minor's definitions (name → {field → shape}; none: free-form) and kinds (`group/version/Kind` → name); `enums`:
 * definition → field → its values.
 */
function fieldsOf(entries, release, enums) {
  const definitions = {}
  const kinds = {}
  const prefix = `${release}/api/openapi-spec/v3/`
  const schemas = {}
  for (const {name, data} of entries)
    if (name.startsWith(prefix) && name.endsWith('_openapi.json'))
      Object.assign(schemas, JSON.parse(data.toString('utf8')).components?.schemas ?? {})
  for (const [def, schema] of Object.entries(schemas)) {
    if (schema.properties && !schema['x-kubernetes-preserve-unknown-fields'])
      definitions[def] = {
        fields: Object.fromEntries(
          Object.entries(schema.properties).map(([field, s]) => [field, shapeOf(s, schemas, enums[def]?.[field])]),
        ),
        required: (schema.required ?? []).filter((field) => !NOT_REQUIRED[def]?.includes(field)),
      }
    for (const gvk of schema['x-kubernetes-group-version-kind'] ?? []) {
      if (gvk.version === '__internal' || !schema.properties?.kind) continue
      kinds[`${gvk.group ? `${gvk.group}/` : ''}${gvk.version}/${gvk.kind}`] ??= def
    }
  }
  if (Object.keys(kinds).length === 0) throw new Error(`${release}: no api/openapi-spec/v3 document in its zip`)
  return {definitions, kinds}
}

/** Definition → field → the values of its enum, read from the Go source of a k8s.io/api release's zip. */
function enumsOf(apiZip) {
  const sources = {}
  for (const {name, data} of readZip(apiZip))
    if (name.endsWith('.go') && !/(_test|zz_generated\.\w+|generated\.pb|_swagger_doc_generated)\.go$/.test(name))
      sources[name] = data.toString('utf8')
  const go = execFileSync(process.execPath, [path.join(root, 'scripts/go-toolchain.mjs')], {encoding: 'utf8'}).trim()
  const output = execFileSync(go, ['run', '.', ...UNMARKED_ENUMS], {
    cwd: path.dirname(KUBE_ENUMS),
    input: JSON.stringify(sources),
    env: {...process.env, GOROOT: path.dirname(path.dirname(go)), GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod'},
    maxBuffer: 64 << 20,
    encoding: 'utf8',
  })
  return JSON.parse(output)
}

/** What a cached minor holds: each definition's fields with their values' types, formats and enums, its required fields. */
const CACHE_FORMAT = 'fields+types+formats+enums+required'

/** One minor's fields: from the cache, else from its release's zip. */
async function minorFields(minor, {version, sum, api}) {
  const release = `${pins.module}@${version}`
  // What reads the sources is part of the key: the exceptions, and scripts/kube-enums itself.
  const reader = JSON.stringify({NOT_REQUIRED, UNMARKED_ENUMS, kubeEnums: readFileSync(KUBE_ENUMS, 'utf8')})
  const key = `${release} ${sum} ${pins.apiModule}@${api.version} ${api.sum} ${CACHE_FORMAT} ${reader}`
  const file = path.join(cache, `openapi-${createHash('sha256').update(key).digest('hex')}.json`)
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'))
  const zip = await fetchModuleZip({module: pins.module, version, sum})
  const enums = enumsOf(await fetchModuleZip({module: pins.apiModule, ...api}))
  const fields = fieldsOf(readZip(zip), release, enums)
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
