#!/usr/bin/env node
// What the ApplicationSet template engine is built from, fetched from Debian's archive when this machine lacks it:
// Go 1.24 (golang-1.24-go + golang-1.24-src, for Linux on amd64 and arm64) and the Go libraries' source packages
// (golang-*-dev, architecture `all`: Go sources, good on any operating system). Each .deb is pinned in pins.json by
// version, size and sha256, and checked before it is unpacked. The pins are read from Debian's signed
// InRelease -> Packages chain (scripts/engine/update-pins.mjs); a fixed .deb matching its pinned sha256 is the file
// that chain names, so plain http is as safe here as apt's own. Cached under the engine cache directory by the pins:
//   debs/<file>.deb   the verified downloads
//   go-<key>/         golang-1.24-go + -src unpacked (GOROOT usr/lib/go-1.24)
//   gopath-<key>/     the libraries unpacked (GOPATH usr/share/gocode)
// Every write is a temporary name renamed into place, so an interrupted fetch leaves nothing half-made.
//   node scripts/engine/fetch.mjs [go] [libraries]   fetch (both by default) and print where they are (JSON)
/* global fetch, AbortSignal */
import {createHash, randomBytes} from 'node:crypto'
import {existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {userCacheDir} from '../user-cache.mjs'
import {unpackDeb} from './deb.mjs'

export const PINS_FILE = fileURLToPath(new URL('pins.json', import.meta.url))
export const DEFAULT_ARCHIVE = 'http://deb.debian.org/debian'

export function readPins() {
  return JSON.parse(readFileSync(PINS_FILE, 'utf8'))
}

/** $AMEIDE_ENGINE_CACHE, else the platform's user cache directory + ameide/engine. */
export function engineCacheDir(env = process.env, platform = process.platform) {
  if (env.AMEIDE_ENGINE_CACHE) return path.resolve(env.AMEIDE_ENGINE_CACHE)
  return path.join(userCacheDir(env, platform), 'engine')
}

/** Debian's name for this machine's architecture, when Debian's Go runs here (Linux on amd64 or arm64). */
export function debianGoArch(platform = process.platform, arch = process.arch) {
  if (platform !== 'linux') return undefined
  return {x64: 'amd64', arm64: 'arm64'}[arch]
}

/** The pinned .debs of one tree: 'go' (for this architecture) or 'libraries'. */
export function treePins(kind, pins = readPins()) {
  if (kind === 'libraries') return pins.libraries
  const arch = debianGoArch()
  return arch ? pins.go.debs.filter((d) => d.architecture === arch || d.architecture === 'all') : []
}

/** Where a tree lives in the cache: named by a hash of its pins, so new pins never reuse an old tree. */
export function treeDir(kind, debs, cache = engineCacheDir()) {
  const key = createHash('sha256').update(JSON.stringify(debs)).digest('hex').slice(0, 16)
  return path.join(cache, `${kind === 'go' ? 'go' : 'gopath'}-${key}`)
}

/** A fetch that failed: what is missing (the pins) and why. */
export class FetchFailed extends Error {
  constructor(message, missing, archive) {
    super(message)
    this.missing = missing
    this.archive = archive
  }
}

/** Only what a build reads: no Go test suite, testdata or docs (a third of the files). */
const KEEP = {
  go: (p) => !/^usr\/share\/doc\/|^usr\/share\/go-[^/]+\/test\/|\/testdata\//.test(p),
  libraries: (p) => p.startsWith('usr/share/gocode/') || p === 'usr/share/' || p === 'usr/',
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex')
const tmpName = (file) => `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`

/** The verified bytes of one pinned .deb: from the cache, else downloaded, checked, then cached. */
async function debBytes(deb, cache, archive) {
  const file = path.join(cache, 'debs', path.basename(deb.filename))
  if (existsSync(file)) {
    const cached = readFileSync(file)
    if (sha256(cached) === deb.sha256) return cached
  }
  let url = `${archive.replace(/\/+$/, '')}/${deb.filename}`
  let response = await fetch(url, {signal: AbortSignal.timeout(600_000)})
  // A pinned version a Debian point release replaced leaves the pool: snapshot.debian.org keeps every file the
  // archive ever served, at the pins' date.
  const snapshot = readPins().snapshot
  if (response.status === 404 && snapshot) {
    url = `${snapshot}/${deb.filename}`
    response = await fetch(url, {signal: AbortSignal.timeout(600_000)})
  }
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`)
  const bytes = Buffer.from(await response.arrayBuffer())
  if (bytes.length !== deb.size || sha256(bytes) !== deb.sha256)
    throw new Error(
      `${url}: ${bytes.length} bytes with sha256 ${sha256(bytes)}, but pins.json pins ${deb.size} bytes with sha256 ${deb.sha256}`,
    )
  mkdirSync(path.dirname(file), {recursive: true})
  const tmp = tmpName(file)
  writeFileSync(tmp, bytes)
  renameSync(tmp, file)
  return bytes
}

/**
 * The unpacked tree of one kind ('go' or 'libraries'): from the cache, else fetched, verified and unpacked.
 * Throws {@link FetchFailed} naming every .deb still missing when a download fails or is refused.
 */
export async function ensureTree(kind, {cache = engineCacheDir(), archive, log = () => {}} = {}) {
  archive ??= process.env.AMEIDE_DEBIAN_ARCHIVE || DEFAULT_ARCHIVE
  const debs = treePins(kind)
  if (debs.length === 0) throw new Error(`Debian has no Go for ${process.platform}/${process.arch}`)
  const dir = treeDir(kind, debs, cache)
  if (existsSync(dir)) return dir
  const fetched = await Promise.allSettled(debs.map((d) => debBytes(d, cache, archive)))
  const failed = fetched.flatMap((r, i) => (r.status === 'rejected' ? [[debs[i], r.reason]] : []))
  if (failed.length > 0) {
    const cause = failed[0][1]
    const why = cause?.cause?.code ?? cause?.cause?.message ?? cause?.message ?? String(cause)
    throw new FetchFailed(
      why,
      failed.map(([d]) => d),
      archive,
    )
  }
  log(`unpacking ${debs.map((d) => `${d.package} ${d.version}`).join(', ')}`)
  const tmp = tmpName(dir)
  mkdirSync(tmp, {recursive: true})
  try {
    for (const r of fetched) await unpackDeb(r.value, tmp, KEEP[kind])
    writeFileSync(path.join(tmp, '.pins.json'), `${JSON.stringify(debs, null, 2)}\n`)
    renameSync(tmp, dir)
  } catch (e) {
    rmSync(tmp, {recursive: true, force: true})
    if (!existsSync(dir)) throw e // else another build finished the same tree first
  }
  return dir
}

/** The tree of this kind is unpacked in the cache: nothing to fetch. */
export function isCached(kind, cache = engineCacheDir()) {
  return existsSync(treeDir(kind, treePins(kind), cache))
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const kinds = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['go', 'libraries']
  const out = {}
  for (const kind of kinds) {
    if (kind !== 'go' && kind !== 'libraries') throw new Error(`unknown kind ${kind}: go | libraries`)
    out[kind] = await ensureTree(kind, {log: (m) => process.stderr.write(`[engine-fetch] ${m}\n`)})
  }
  process.stdout.write(`${JSON.stringify(out)}\n`)
}
