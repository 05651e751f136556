/* global fetch, AbortSignal */
// The Go release go.work pins, for a machine whose own Go cannot build with it (none on PATH, or one older than Go
// 1.21, which knows no `toolchain` line: Debian bookworm's go 1.19). The release is the Go module
// golang.org/toolchain@v0.0.1-<release>.<GOOS>-<GOARCH>, the one a newer Go switches to itself: fetched here from the
// Go module proxy (GOPROXY's first URL; https://proxy.golang.org when unset) with Node's fetch, checked against the
// sha256 of its zip and its go.sum hash (h1:, Go's dirhash of the files) pinned in scripts/go-toolchain.json, unzipped
// (Node's zlib; no zip tool) into a cache folder (AMEIDE_GO_TOOLCHAIN_CACHE, else <user cache>/ameide/go-toolchain)
// and used as <folder>/bin/go. A platform without a pin, a sum that differs, a proxy that does not answer: an error
// saying so, nothing used.
//   node scripts/go-toolchain.mjs            prints the bin/go of this machine's release (fetched when missing)
//   node scripts/go-toolchain.mjs --pin      fetches every pinned platform's zip and the checksum database's h1 (through
//                                            the proxy), checks one against the other, and rewrites the pins
import {createHash} from 'node:crypto'
import {chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import tls from 'node:tls'
import {inflateRawSync} from 'node:zlib'

import {userCacheDir} from './user-cache.mjs'

const root = fileURLToPath(new URL('../', import.meta.url))
export const PINS_FILE = path.join(root, 'scripts/go-toolchain.json')
const MODULE = 'golang.org/toolchain'

/** GOOS-GOARCH of this machine, as the toolchain module names its platforms. */
export function platformOf(platform = process.platform, arch = process.arch) {
  const goos = {linux: 'linux', darwin: 'darwin', win32: 'windows', freebsd: 'freebsd'}[platform] ?? platform
  const goarch = {x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm'}[arch] ?? arch
  return `${goos}-${goarch}`
}

/** The proxies to ask, in order: GOPROXY's URLs (`direct` and `off` are not proxies), else the public one. */
export function proxiesOf(goproxy = process.env.GOPROXY) {
  if (goproxy === undefined || goproxy.trim() === '') return ['https://proxy.golang.org']
  return goproxy
    .split(/[,|]/)
    .map((p) => p.trim().replace(/\/+$/, ''))
    .filter((p) => /^https?:\/\//.test(p))
}

export function defaultCacheDir(env = process.env) {
  return env.AMEIDE_GO_TOOLCHAIN_CACHE || path.join(userCacheDir(env), 'go-toolchain')
}

let systemTrusted = false
/**
 * `fetch` from the Go module proxy, trusting what the go command trusts: the system's certificate authorities beside
 * Node's own (a proxy behind an organisation's TLS inspection answers with a certificate only the system knows). Node
 * 22.19 / 24.5 or newer; on an older Node, Node's own and NODE_EXTRA_CA_CERTS, as before.
 */
export function proxyFetch(url, init) {
  if (!systemTrusted && typeof tls.setDefaultCACertificates === 'function') {
    systemTrusted = true
    try {
      tls.setDefaultCACertificates([
        ...new Set([...tls.getCACertificates('default'), ...tls.getCACertificates('system')]),
      ])
    } catch {
      // No readable system store: Node's own authorities stay.
    }
  }
  return fetch(url, init)
}

const version = (release, platform) => `v0.0.1-${release}.${platform}`
const zipUrl = (proxy, release, platform) => `${proxy}/${MODULE}/@v/${version(release, platform)}.zip`

/**
 * `<cache>/<release>.<platform>/bin/go`: the pinned release, fetched, checked and unzipped once (a folder holds a
 * `.ameide-h1` file only once every check passed). Throws with what failed; a sum that differs leaves nothing behind.
 */
export async function acquireToolchain({
  release,
  platform = platformOf(),
  pins = JSON.parse(readFileSync(PINS_FILE, 'utf8')),
  proxies = proxiesOf(),
  cacheDir = defaultCacheDir(),
  say = () => {},
}) {
  const dest = path.join(cacheDir, `${release}.${platform}`)
  const goBin = path.join(dest, 'bin', platform.startsWith('windows-') ? 'go.exe' : 'go')
  const pin = pins.release === release ? pins.platforms?.[platform] : undefined
  if (!pin?.sha256 || !pin?.h1)
    throw new Error(
      pins.release === release
        ? `no sum of ${MODULE}@${version(release, platform)} is pinned in scripts/go-toolchain.json (only ${Object.keys(pins.platforms ?? {}).join(', ')}): install Go ${release} (or Go 1.21 or newer, which fetches it) yourself`
        : `scripts/go-toolchain.json pins ${pins.release}, go.work asks for ${release}: run node scripts/go-toolchain.mjs --pin`,
    )
  if (existsSync(goBin) && readText(path.join(dest, '.ameide-h1')) === pin.h1) return goBin
  if (proxies.length === 0) throw new Error('GOPROXY names no proxy URL (off or direct only): nothing is fetched')
  const {bytes, url} = await download(proxies, release, platform, say)
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  if (sha256 !== pin.sha256)
    throw new Error(`${url} has sha256 ${sha256}, not the ${pin.sha256} scripts/go-toolchain.json pins: refused`)
  const entries = readZip(bytes)
  const h1 = dirHash(entries)
  if (h1 !== pin.h1) throw new Error(`${url} hashes to ${h1}, not the pinned ${pin.h1}: refused`)
  extract(entries, `${MODULE}@${version(release, platform)}/`, dest)
  writeFileSync(path.join(dest, '.ameide-h1'), pin.h1)
  say(`${release} (${platform}) from ${url}, sha256 and h1 as pinned, into ${dest}`)
  return goBin
}

async function download(proxies, release, platform, say) {
  const failures = []
  for (const proxy of proxies) {
    const url = zipUrl(proxy, release, platform)
    try {
      say(`fetching ${url}`)
      const res = await proxyFetch(url, {signal: AbortSignal.timeout(600_000)})
      if (!res.ok) throw new Error(`HTTP ${res.status}`)
      return {bytes: Buffer.from(await res.arrayBuffer()), url}
    } catch (e) {
      failures.push(`${url}: ${e.cause?.message ?? e.message}`)
    }
  }
  throw new Error(`the Go module proxy did not give the toolchain (${failures.join('; ')})`)
}

const readText = (file) => {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}

/**
 * A module's zip from the Go module proxy (GOPROXY's URLs in turn, with Node's fetch), checked against the pinned
 * go.sum hash `sum` (h1:, Go's dirhash): the bytes, or the last proxy's error.
 */
export async function fetchModuleZip({module, version, sum}) {
  let lastError
  for (const proxy of proxiesOf()) {
    try {
      const response = await proxyFetch(`${proxy}/${module}/@v/${version}.zip`, {signal: AbortSignal.timeout(300_000)})
      if (!response.ok) throw new Error(`${proxy} answered ${response.status}`)
      const zip = Buffer.from(await response.arrayBuffer())
      const got = dirHash(readZip(zip))
      if (got !== sum) throw new Error(`its hash is ${got}, not the pinned ${sum}`)
      return zip
    } catch (e) {
      lastError = new Error(`${module}@${version} from ${proxy}: ${e.cause?.message ?? e.message}`)
    }
  }
  throw lastError ?? new Error('no Go module proxy to ask (GOPROXY)')
}

/** A zip's files (name → bytes), from its central directory; stored and deflated entries, no ZIP64, no encryption. */
export function readZip(buf) {
  let eocd = -1
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65_535); i--)
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i
      break
    }
  if (eocd < 0) throw new Error('not a zip archive (no end of central directory)')
  const count = buf.readUInt16LE(eocd + 10)
  let at = buf.readUInt32LE(eocd + 16)
  if (count === 0xffff || at === 0xffffffff) throw new Error('a ZIP64 archive: not read here')
  const entries = []
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error('a corrupt zip central directory')
    const flags = buf.readUInt16LE(at + 8)
    const method = buf.readUInt16LE(at + 10)
    const size = buf.readUInt32LE(at + 20)
    const unpacked = buf.readUInt32LE(at + 24)
    const [nameLen, extraLen, commentLen] = [28, 30, 32].map((o) => buf.readUInt16LE(at + o))
    const mode = buf.readUInt32LE(at + 38) >>> 16
    const local = buf.readUInt32LE(at + 42)
    const name = buf.toString('utf8', at + 46, at + 46 + nameLen)
    at += 46 + nameLen + extraLen + commentLen
    if (flags & 1) throw new Error(`${name}: encrypted`)
    if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`${name}: no local header`)
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28)
    const raw = buf.subarray(start, start + size)
    const data = method === 0 ? raw : method === 8 ? inflateRawSync(raw) : undefined
    if (!data) throw new Error(`${name}: compression method ${method} is not read here`)
    if (data.length !== unpacked) throw new Error(`${name}: not the size its directory says`)
    entries.push({name, data, mode})
  }
  return entries
}

/** Go's dirhash.Hash1 of a module zip (what go.sum and the checksum database hold): `h1:` + base64 sha256. */
export function dirHash(entries) {
  const h = createHash('sha256')
  const names = entries.map((e) => e.name).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
  const byName = new Map(entries.map((e) => [e.name, e.data]))
  for (const name of names) {
    if (name.includes('\n')) throw new Error('a file name with a newline')
    h.update(`${createHash('sha256').update(byName.get(name)).digest('hex')}  ${name}\n`)
  }
  return `h1:${h.digest('base64')}`
}

/** Every entry under `prefix` written below `dest` (a fresh folder, renamed into place), bin/ and pkg/tool/ executable. */
function extract(entries, prefix, dest) {
  const tmp = `${dest}.${process.pid}.tmp`
  rmSync(tmp, {recursive: true, force: true})
  for (const {name, data, mode} of entries) {
    const rel = name.startsWith(prefix) ? name.slice(prefix.length) : undefined
    if (!rel || rel.endsWith('/')) continue
    if (rel.split('/').some((s) => s === '..' || s === '') || path.isAbsolute(rel))
      throw new Error(`${name}: a path that leaves the toolchain's folder`)
    const file = path.join(tmp, rel)
    mkdirSync(path.dirname(file), {recursive: true})
    writeFileSync(file, data)
    // The module zip keeps no modes: Go marks its bin/ and pkg/tool/ executable when it unpacks a toolchain.
    if (/^(bin|pkg\/tool\/[^/]+)\/[^/]+$/.test(rel) || mode & 0o111) chmodSync(file, 0o755)
  }
  rmSync(dest, {recursive: true, force: true})
  mkdirSync(path.dirname(dest), {recursive: true})
  renameSync(tmp, dest)
}

/** `--pin`: each pinned platform's zip through the proxy, its h1 checked against the checksum database's. */
async function pin(release) {
  const [proxy] = proxiesOf()
  const pins = {release, platforms: {}}
  for (const platform of ['linux-amd64', 'linux-arm64', 'darwin-amd64', 'darwin-arm64']) {
    const {bytes} = await download([proxy], release, platform, (m) => process.stderr.write(`${m}\n`))
    const h1 = dirHash(readZip(bytes))
    const lookup = await proxyFetch(`${proxy}/sumdb/sum.golang.org/lookup/${MODULE}@${version(release, platform)}`)
    const line = (await lookup.text())
      .split('\n')
      .find((l) => l.startsWith(`${MODULE} ${version(release, platform)} h1:`))
    if (!line?.endsWith(` ${h1}`)) throw new Error(`${platform}: the checksum database says ${line}, the zip ${h1}`)
    pins.platforms[platform] = {sha256: createHash('sha256').update(bytes).digest('hex'), h1}
  }
  writeFileSync(PINS_FILE, `${JSON.stringify(pins, null, 2)}\n`)
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const work = readFileSync(path.join(root, 'src/effects/go.work'), 'utf8')
  const release = /^toolchain (go\S+)$/m.exec(work)?.[1]
  if (process.argv.includes('--pin')) await pin(release)
  else process.stdout.write(`${await acquireToolchain({release, say: (m) => process.stderr.write(`${m}\n`)})}\n`)
}
