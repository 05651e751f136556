#!/usr/bin/env node
/**
 * Pins the CRDs whose fields docs/gitops-fields.md classifies: reads each original CRD named in
 * src/gitops/fields/crds/pins.json from DIR/<owner>/<name>/<path> (the file at the pinned tag, e.g.
 * https://raw.githubusercontent.com/<owner>/<name>/<tag>/<path>), refuses it unless its sha256 is the pinned one, and
 * writes src/gitops/fields/crds/<out>: the storage version's `spec` schema, reduced to its shape (type, properties,
 * items, additionalProperties, x-kubernetes-preserve-unknown-fields). Usage: node scripts/gitops-fields-pin.mjs DIR
 */
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {parse} from 'yaml'

const here = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'src', 'gitops', 'fields', 'crds')
const dir = process.argv[2]
if (!dir) {
  console.error('usage: node scripts/gitops-fields-pin.mjs DIR (DIR/<owner>/<name>/<path> hold the pinned CRDs)')
  process.exit(2)
}

/** The shape of a schema: what the field table walks, nothing of its prose. */
function shape(s) {
  const out = {}
  if (s.type) out.type = s.type
  if (s['x-kubernetes-preserve-unknown-fields']) out['x-kubernetes-preserve-unknown-fields'] = true
  if (s.properties)
    out.properties = Object.fromEntries(
      Object.keys(s.properties)
        .sort()
        .map((k) => [k, shape(s.properties[k])]),
    )
  if (s.items) out.items = shape(s.items)
  if (s.additionalProperties)
    out.additionalProperties = typeof s.additionalProperties === 'object' ? shape(s.additionalProperties) : true
  return out
}

const pins = JSON.parse(fs.readFileSync(path.join(here, 'pins.json'), 'utf8'))
for (const pin of pins) {
  const text = fs.readFileSync(path.join(dir, pin.repo, pin.path))
  const sum = createHash('sha256').update(text).digest('hex')
  if (sum !== pin.sha256) {
    console.error(`${pin.repo}/${pin.path}: sha256 ${sum}, pinned ${pin.sha256} (${pin.tag})`)
    process.exit(1)
  }
  const crd = parse(text.toString('utf8'))
  const version = crd.spec.versions.find((v) => v.storage)
  const pinned = {
    kind: crd.spec.names.kind,
    group: crd.spec.group,
    version: version.name,
    origin: {repo: pin.repo, tag: pin.tag, path: pin.path, sha256: pin.sha256},
    spec: shape(version.schema.openAPIV3Schema.properties.spec),
  }
  fs.writeFileSync(path.join(here, pin.out), JSON.stringify(pinned) + '\n')
  console.log(`${pin.out}: ${pinned.kind} ${pinned.group}/${pinned.version} from ${pin.repo}@${pin.tag}`)
}
