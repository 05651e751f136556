#!/usr/bin/env node
/* global fetch, AbortSignal */
// The catalog of well-known operators' CRDs the render gate validates custom resources with when the revision holds
// no CRD of their kind (run by `npm run build`): each release named in scripts/crd-catalog.json is its Go module zip,
// fetched from the Go module proxy (GOPROXY's first URL) with Node's fetch, checked against its pinned go.sum hash
// (h1:, Go's dirhash), cached in AMEIDE_CRD_CATALOG_CACHE (else <user cache>/ameide/crd-catalog/); the CRDs of its
// named files, their descriptions dropped (no part of validation), are written to dist/kubernetes/crd-catalog.json,
// each with the release it came from. A release that ships its API types but no CRD file (helm-controller's api module: the proxy refuses the
// controller's own; notification-controller's and the image controllers' likewise) has its CRDs generated from them by
// the controller-gen it names, with the workspace's Go (or the newer one the release's go.mod asks), once (kept in the
// cache beside the zip). A file may hold many CRDs (Istio's one generated file): each document is read. A release that cannot be had is said and left out (the build goes on: its kinds
// are then schema-unknown).
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {parseAllDocuments} from 'yaml'

import {dirHash, proxiesOf, readZip} from './go-toolchain.mjs'
import {userCacheDir} from './user-cache.mjs'

const root = fileURLToPath(new URL('../', import.meta.url))
const pins = JSON.parse(readFileSync(path.join(root, 'scripts/crd-catalog.json'), 'utf8'))
const out = path.join(root, 'dist/kubernetes/crd-catalog.json')
const cache = process.env.AMEIDE_CRD_CATALOG_CACHE || path.join(userCacheDir(), 'crd-catalog')
const say = (message) => process.stderr.write(`[crd-catalog] ${message}\n`)

/** The module's zip: from the cache when its hash is the pin's, else fetched and checked. */
async function moduleZip({module, version, sum}) {
  const file = path.join(cache, `${createHash('sha256').update(`${module}@${version}`).digest('hex')}.zip`)
  if (existsSync(file)) {
    const cached = readFileSync(file)
    if (dirHash(readZip(cached)) === sum) return cached
  }
  let lastError
  for (const proxy of proxiesOf()) {
    try {
      const response = await fetch(`${proxy}/${module}/@v/${version}.zip`, {signal: AbortSignal.timeout(300_000)})
      if (!response.ok) throw new Error(`${proxy} answered ${response.status}`)
      const zip = Buffer.from(await response.arrayBuffer())
      const got = dirHash(readZip(zip))
      if (got !== sum) throw new Error(`its hash is ${got}, not the pinned ${sum}`)
      mkdirSync(cache, {recursive: true})
      writeFileSync(`${file}.${process.pid}.tmp`, zip)
      renameSync(`${file}.${process.pid}.tmp`, file)
      return zip
    } catch (e) {
      lastError = e
    }
  }
  throw lastError ?? new Error('no Go module proxy to ask (GOPROXY)')
}

/** A schema without its descriptions: what validation reads, a fraction of the bytes. */
function withoutDescriptions(value) {
  if (Array.isArray(value)) return value.map(withoutDescriptions)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k, v]) => !(k === 'description' && typeof v === 'string'))
      .map(([k, v]) => [k, withoutDescriptions(v)]),
  )
}

/**
 * The CRDs `pin.generate` (controller-gen) makes of the module's API types: the zip unpacked into a scratch folder,
 * `crd paths=./... output:crd:stdout` run there; the YAML kept in the cache.
 */
function generated(pin, entries) {
  const release = `${pin.module}@${pin.version}`
  const file = path.join(cache, `${createHash('sha256').update(`${release} ${pin.generate}`).digest('hex')}.yaml`)
  if (existsSync(file)) return readFileSync(file)
  const dir = mkdtempSync(path.join(tmpdir(), 'ameide-crd-gen-'))
  try {
    for (const {name, data} of entries) {
      const rel = name.slice(release.length + 1)
      if (!rel || rel.endsWith('/') || rel.split('/').includes('..')) continue
      mkdirSync(path.join(dir, path.dirname(rel)), {recursive: true})
      writeFileSync(path.join(dir, rel), data)
    }
    const go = execFileSync(process.execPath, [path.join(root, 'scripts/go-toolchain.mjs')], {encoding: 'utf8'}).trim()
    const yaml = execFileSync(go, ['run', pin.generate, 'crd', 'paths=./...', 'output:crd:stdout'], {
      cwd: dir,
      // GOTOOLCHAIN=auto: a release whose go.mod asks a newer Go than the workspace's (Flux's 2026 API modules ask
      // go 1.27) runs with that Go, which the go command fetches as the module golang.org/toolchain from the proxy.
      env: {...process.env, GOFLAGS: '-mod=mod', GOWORK: 'off', CGO_ENABLED: '0', GOTOOLCHAIN: 'auto'},
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 * 1024 * 1024,
    })
    mkdirSync(cache, {recursive: true})
    writeFileSync(file, yaml)
    return yaml
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

/** A release's CRD documents, each with the file it is (or the generator that made it). */
function crdsOf(pin, entries) {
  const release = `${pin.module}@${pin.version}`
  if (pin.generate) return [{file: `generated by ${pin.generate}`, text: generated(pin, entries).toString('utf8')}]
  const files = new RegExp(pin.files)
  return entries
    .map(({name, data}) => ({file: name.slice(release.length + 1), data}))
    .filter(({file}) => files.test(file))
    .sort((a, b) => (a.file < b.file ? -1 : 1))
    .map(({file, data}) => ({file, text: data.toString('utf8')}))
}

const catalog = []
let missing = 0
for (const pin of pins.modules) {
  const release = `${pin.module}@${pin.version}`
  let texts
  try {
    texts = crdsOf(pin, readZip(await moduleZip(pin)))
  } catch (e) {
    missing++
    say(`${release} left out: ${String(e.message).split('\n')[0]}`)
    continue
  }
  for (const {file, text} of texts) {
    for (const doc of parseAllDocuments(text)) {
      const crd = doc.toJS()
      if (crd?.kind !== 'CustomResourceDefinition' || crd.apiVersion !== 'apiextensions.k8s.io/v1') continue
      catalog.push({source: `${release} ${file}`, licence: pin.licence, crd: withoutDescriptions(crd)})
    }
  }
}
mkdirSync(path.dirname(out), {recursive: true})
const text = `${JSON.stringify(catalog)}\n`
if (!existsSync(out) || readFileSync(out, 'utf8') !== text) writeFileSync(out, text)
say(`${catalog.length} CRDs from ${pins.modules.length - missing} releases (${(text.length / 1e6).toFixed(1)} MB)`)
