#!/usr/bin/env node
// Re-pins scripts/engine/pins.json to what Debian trixie serves now (a maintainer's tool; the build never runs it):
// InRelease, verified with gpgv against Debian's archive keyring, names the sha256 of each Packages.xz; each
// Packages.xz, checked against it, names the version, pool path, size and sha256 of every .deb pinned here.
//   node scripts/engine/update-pins.mjs [--keyring /usr/share/keyrings/debian-archive-keyring.gpg]
/* global fetch */
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {Readable} from 'node:stream'
import {text} from 'node:stream/consumers'

import xz from 'xz-decompress'

import {DEFAULT_ARCHIVE, PINS_FILE, readPins} from './fetch.mjs'

const archive = process.env.AMEIDE_DEBIAN_ARCHIVE || DEFAULT_ARCHIVE
const k = process.argv.indexOf('--keyring')
const keyring = k > 0 ? process.argv[k + 1] : '/usr/share/keyrings/debian-archive-keyring.gpg'
const pins = readPins()

const get = async (url) => {
  const r = await fetch(url)
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`)
  return Buffer.from(await r.arrayBuffer())
}

const inRelease = await get(`${archive}/dists/${pins.suite}/InRelease`)
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ameide-pins-'))
try {
  writeFileSync(path.join(tmp, 'InRelease'), inRelease)
  execFileSync('gpgv', ['--keyring', keyring, path.join(tmp, 'InRelease')], {stdio: 'inherit'})
} finally {
  rmSync(tmp, {recursive: true, force: true})
}
const signed = inRelease.toString('utf8').split('\nSHA256:\n')[1]
// The archive as of this InRelease, on snapshot.debian.org: where the pinned .debs stay once the pool drops them.
const date = new Date(/^Date: (.*)$/m.exec(inRelease.toString('utf8'))[1])
const stamp = date
  .toISOString()
  .replace(/[-:]/g, '')
  .replace(/\.\d+Z$/, 'Z')

/** Every stanza of main/binary-<arch>/Packages (it lists the `all` packages too), by package name. */
async function packages(arch) {
  const name = `main/binary-${arch}/Packages.xz`
  const line = signed.split('\n').find((l) => l.trim().endsWith(` ${name}`))
  if (!line) throw new Error(`InRelease names no ${name}`)
  const [hash, size] = line.trim().split(/\s+/)
  const bytes = await get(`${archive}/dists/${pins.suite}/${name}`)
  const got = createHash('sha256').update(bytes).digest('hex')
  if (got !== hash || bytes.length !== Number(size)) throw new Error(`${name}: sha256 ${got}, InRelease says ${hash}`)
  const body = await text(Readable.fromWeb(new xz.XzReadableStream(Readable.toWeb(Readable.from([bytes])))))
  const out = new Map()
  for (const stanza of body.split('\n\n')) {
    const field = (f) => new RegExp(`^${f}: (.*)$`, 'm').exec(stanza)?.[1]
    if (field('Package')) out.set(`${field('Package')}:${field('Architecture')}`, field)
  }
  return out
}

const index = new Map([...(await packages('amd64')), ...(await packages('arm64'))])
const pin = ({package: name, architecture}) => {
  const field = index.get(`${name}:${architecture}`)
  if (!field) throw new Error(`trixie has no ${name} for ${architecture}`)
  return {
    package: name,
    version: field('Version'),
    architecture,
    filename: field('Filename'),
    size: Number(field('Size')),
    sha256: field('SHA256'),
  }
}
const next = {
  ...pins,
  snapshot: `http://snapshot.debian.org/archive/debian/${stamp}`,
  go: {...pins.go, debs: pins.go.debs.map(pin)},
  libraries: pins.libraries.map(pin),
}
writeFileSync(PINS_FILE, `${JSON.stringify(next, null, 2)}\n`)
process.stderr.write(`pins.json: ${next.go.debs.length + next.libraries.length} .debs pinned\n`)
