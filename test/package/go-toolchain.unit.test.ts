import {createHash} from 'node:crypto'
import {existsSync} from 'node:fs'
import {readFile, stat} from 'node:fs/promises'
import type {Server} from 'node:http'
import os from 'node:os'
import path from 'node:path'
import {crc32, deflateRawSync} from 'node:zlib'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {closeLoopback, listenLoopback} from '../support/loopback.js'
import {makeTempDir, runCleanups} from '../support/tmp.js'

/**
 * scripts/go-toolchain.mjs: the Go release go.work pins, taken as the Go module golang.org/toolchain from a Go module
 * proxy — here a loopback server serving a small zip made below — checked against the pinned sha256 and h1 (Go's
 * dirhash, the one go.sum holds: held to Go's own .ziphash of a module of the module cache), unzipped into a cache
 * folder. A sum that differs, a platform without a pin, a zip that leaves its folder: refused, nothing left behind.
 */
const ROOT = path.resolve(import.meta.dirname, '../..')
interface Toolchain {
  acquireToolchain(o: Record<string, unknown>): Promise<string>
  readZip(buf: Buffer): Array<{name: string; data: Buffer}>
  dirHash(entries: Array<{name: string; data: Buffer}>): string
  proxiesOf(goproxy?: string): string[]
  platformOf(platform?: string, arch?: string): string
}
const tc = (await import(path.join(ROOT, 'scripts/go-toolchain.mjs'))) as Toolchain

/** A zip of these files (deflated), as a module zip lays them out. */
function zipOf(files: Record<string, string>): Buffer {
  const locals: Buffer[] = []
  const central: Buffer[] = []
  let offset = 0
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text)
    const packed = deflateRawSync(data)
    const nameBytes = Buffer.from(name)
    const head = Buffer.alloc(30)
    head.writeUInt32LE(0x04034b50, 0)
    head.writeUInt16LE(20, 4)
    head.writeUInt16LE(8, 8)
    head.writeUInt32LE(crc32(data), 14)
    head.writeUInt32LE(packed.length, 18)
    head.writeUInt32LE(data.length, 22)
    head.writeUInt16LE(nameBytes.length, 26)
    const dir = Buffer.alloc(46)
    dir.writeUInt32LE(0x02014b50, 0)
    dir.writeUInt16LE(20, 4)
    dir.writeUInt16LE(20, 6)
    dir.writeUInt16LE(8, 10)
    dir.writeUInt32LE(crc32(data), 16)
    dir.writeUInt32LE(packed.length, 20)
    dir.writeUInt32LE(data.length, 24)
    dir.writeUInt16LE(nameBytes.length, 28)
    dir.writeUInt32LE(offset, 42)
    locals.push(head, nameBytes, packed)
    central.push(dir, nameBytes)
    offset += head.length + nameBytes.length + packed.length
  }
  const cd = Buffer.concat(central)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(Object.keys(files).length, 8)
  end.writeUInt16LE(Object.keys(files).length, 10)
  end.writeUInt32LE(cd.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, cd, end])
}

const RELEASE = 'go1.99.1'
const PREFIX = `golang.org/toolchain@v0.0.1-${RELEASE}.linux-amd64/`
const ZIP = zipOf({
  [`${PREFIX}bin/go`]: '#!/bin/sh\necho go version go1.99.1 linux/amd64\n',
  [`${PREFIX}pkg/tool/linux_amd64/compile`]: 'compiler\n',
  [`${PREFIX}lib/wasm/wasm_exec.js`]: '// glue\n',
  [`${PREFIX}VERSION`]: 'go1.99.1\n',
})
const SHA256 = createHash('sha256').update(ZIP).digest('hex')
const H1 = tc.dirHash(tc.readZip(ZIP))
const pins = (pin: {sha256?: string; h1?: string} = {}) => ({
  release: RELEASE,
  platforms: {'linux-amd64': {sha256: SHA256, h1: H1, ...pin}},
})

let server: Server
let proxy: string
const requests: string[] = []
beforeAll(async () => {
  ;({server, url: proxy} = await listenLoopback((req, res) => {
    requests.push(req.url ?? '')
    const served: Record<string, Buffer> = {[`/golang.org/toolchain/@v/v0.0.1-${RELEASE}.linux-amd64.zip`]: ZIP}
    const traversal = zipOf({[`${PREFIX}../escape`]: 'x'})
    served[`/evil/golang.org/toolchain/@v/v0.0.1-${RELEASE}.linux-amd64.zip`] = traversal
    const body = served[req.url ?? '']
    res.statusCode = body ? 200 : 404
    res.end(body)
  }))
})
afterAll(async () => {
  await closeLoopback(server)
  await runCleanups()
})

const acquire = async (o: Record<string, unknown> = {}) => {
  const cacheDir = await makeTempDir('ameide-go-toolchain-')
  const go = await tc.acquireToolchain({
    release: RELEASE,
    platform: 'linux-amd64',
    pins: pins(),
    proxies: [proxy],
    cacheDir,
    ...o,
  })
  return {go, cacheDir}
}
const refusal = async (o: Record<string, unknown>) => {
  const cacheDir = await makeTempDir('ameide-go-toolchain-')
  const error = await tc
    .acquireToolchain({release: RELEASE, platform: 'linux-amd64', pins: pins(), proxies: [proxy], cacheDir, ...o})
    .then(
      () => undefined,
      (e: Error) => e,
    )
  return {error, cacheDir}
}

describe('the pinned Go toolchain from the module proxy', () => {
  it('fetched once, its sha256 and h1 as pinned, unzipped with bin/ and pkg/tool/ executable; then from the cache', async () => {
    const before = requests.length
    const {go, cacheDir} = await acquire()
    expect(go).toBe(path.join(cacheDir, `${RELEASE}.linux-amd64/bin/go`))
    expect(await readFile(go, 'utf8')).toContain('go version go1.99.1')
    expect((await stat(go)).mode & 0o111).toBe(0o111)
    const compile = path.join(cacheDir, `${RELEASE}.linux-amd64/pkg/tool/linux_amd64/compile`)
    expect((await stat(compile)).mode & 0o111).toBe(0o111)
    expect((await stat(path.join(cacheDir, `${RELEASE}.linux-amd64/VERSION`))).mode & 0o111).toBe(0)
    expect(requests.slice(before)).toEqual([`/golang.org/toolchain/@v/v0.0.1-${RELEASE}.linux-amd64.zip`])
    await tc.acquireToolchain({release: RELEASE, platform: 'linux-amd64', pins: pins(), proxies: [proxy], cacheDir})
    expect(requests.length - before).toBe(1)
  })

  it('a zip whose sha256 or h1 is not the pinned one is refused, and nothing is left in the cache', async () => {
    const sha = await refusal({pins: pins({sha256: 'f'.repeat(64)})})
    expect(sha.error?.message).toMatch(new RegExp(`has sha256 ${SHA256}, not the f{64} .*: refused`))
    expect(existsSync(path.join(sha.cacheDir, `${RELEASE}.linux-amd64`))).toBe(false)
    const h1 = await refusal({pins: pins({h1: 'h1:AAAA'})})
    expect(h1.error?.message).toContain(`hashes to ${H1}, not the pinned h1:AAAA: refused`)
    expect(existsSync(path.join(h1.cacheDir, `${RELEASE}.linux-amd64`))).toBe(false)
  })

  it('fails closed without a pin for the platform or the release, without a proxy, or on a path that leaves the folder', async () => {
    const darwin = await refusal({platform: 'darwin-arm64'})
    expect(darwin.error?.message).toContain('no sum of golang.org/toolchain@v0.0.1-go1.99.1.darwin-arm64 is pinned')
    expect(darwin.error?.message).toContain('install Go go1.99.1')
    const other = await refusal({release: 'go1.99.2'})
    expect(other.error?.message).toContain('run node scripts/go-toolchain.mjs --pin')
    const off = await refusal({proxies: tc.proxiesOf('off')})
    expect(off.error?.message).toContain('GOPROXY names no proxy URL')
    const missing = await refusal({proxies: [`${proxy}/nothing`]})
    expect(missing.error?.message).toContain('HTTP 404')
    const evil = zipOf({[`${PREFIX}../escape`]: 'x'})
    const escape = await refusal({
      proxies: [`${proxy}/evil`],
      pins: pins({sha256: createHash('sha256').update(evil).digest('hex'), h1: tc.dirHash(tc.readZip(evil))}),
    })
    expect(escape.error?.message).toContain("a path that leaves the toolchain's folder")
  })

  it("GOPROXY: its URLs in order (a proxy that fails, then the next), never direct or off; the platform as Go's", async () => {
    expect(tc.proxiesOf(undefined)).toEqual(['https://proxy.golang.org'])
    expect(tc.proxiesOf('https://a.example/,direct')).toEqual(['https://a.example'])
    expect(tc.proxiesOf('http://a|https://b,off')).toEqual(['http://a', 'https://b'])
    const {go} = await acquire({proxies: [`${proxy}/nothing`, proxy]})
    expect(existsSync(go)).toBe(true)
    expect([tc.platformOf('linux', 'x64'), tc.platformOf('darwin', 'arm64')]).toEqual(['linux-amd64', 'darwin-arm64'])
  })

  it("h1 is Go's own dirhash: a module zip of Go's module cache hashes to its .ziphash", async () => {
    const cache = path.join(process.env.GOMODCACHE || path.join(os.homedir(), 'go/pkg/mod'), 'cache/download')
    const zip = path.join(cache, 'github.com/gosimple/slug/@v/v1.15.0.zip')
    if (!existsSync(zip)) throw new Error(`${zip} is not in Go's module cache: run npm run build (it downloads it)`)
    const ziphash = (await readFile(zip.replace(/\.zip$/, '.ziphash'), 'utf8')).trim()
    expect(tc.dirHash(tc.readZip(await readFile(zip)))).toBe(ziphash)
  })

  it('the repository pins go.work release for the four platforms', async () => {
    const work = await readFile(path.join(ROOT, 'src/effects/go.work'), 'utf8')
    const pinned = JSON.parse(await readFile(path.join(ROOT, 'scripts/go-toolchain.json'), 'utf8'))
    expect(pinned.release).toBe(/^toolchain (go\S+)$/m.exec(work)?.[1])
    expect(Object.keys(pinned.platforms).sort()).toEqual(['darwin-amd64', 'darwin-arm64', 'linux-amd64', 'linux-arm64'])
    for (const p of Object.values(pinned.platforms) as Array<{sha256: string; h1: string}>) {
      expect(p.sha256).toMatch(/^[0-9a-f]{64}$/)
      expect(p.h1).toMatch(/^h1:[A-Za-z0-9+/]{43}=$/)
    }
  })
})
