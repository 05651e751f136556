/**
 * A chart archive (`.tgz`) is untrusted: it is unpacked here, never by tar or helm, into a fresh folder in memory
 * (core/memory-fs). Gunzip is
 * bounded (`maxOutputLength`: a gzip bomb stops at the limit), the entries are counted, every path is checked (no
 * absolute path, no `..`, nothing outside the one top folder helm packages), and only regular files and folders are
 * written — a symbolic link, a hard link, a device or a FIFO refuses the whole archive. Files are created exclusively
 * (`wx`), so nothing already there is followed or overwritten.
 */
import path from 'node:path'
import {gunzipSync} from 'node:zlib'

import {mkdirSync, rmSync, scratchFolder, writeFileSync} from '../core/memory-fs/index.js'

export interface ExtractLimits {
  /** Bytes of the unpacked tar stream. */
  extractedBytes: number
  /** Entries (files and folders). */
  entries: number
}

/** The archive is refused: `limit` when a bound was reached (a `render-limit`). */
export class ArchiveRefused extends Error {
  constructor(
    message: string,
    readonly limit = false,
  ) {
    super(message)
    this.name = 'ArchiveRefused'
  }
}

interface Entry {
  name: string
  type: 'file' | 'dir'
  body: Buffer
}

/** Unpacks `archive` into a fresh scratch folder in memory; returns the chart's folder (the archive's one top folder) inside it. */
export function extractChart(archive: Buffer, limits: ExtractLimits): {dir: string; remove: () => void} {
  const entries = readTar(gunzip(archive, limits.extractedBytes), limits.entries)
  const tops = new Set(entries.map((e) => e.name.split('/')[0]))
  if (tops.size !== 1) throw new ArchiveRefused(`it holds ${tops.size} top-level folders, not the one of a chart`)
  const top = [...tops][0]
  if (!entries.some((e) => e.type === 'file' && e.name === `${top}/Chart.yaml`))
    throw new ArchiveRefused(`it holds no ${top}/Chart.yaml`)
  const base = scratchFolder('chart')
  try {
    for (const e of entries) {
      const target = path.join(base, ...e.name.split('/'))
      if (e.type === 'dir') mkdirSync(target, {recursive: true})
      else {
        mkdirSync(path.dirname(target), {recursive: true})
        writeFileSync(target, e.body, {flag: 'wx', mode: 0o644})
      }
    }
  } catch (error) {
    rmSync(base, {recursive: true, force: true})
    throw error instanceof ArchiveRefused
      ? error
      : new ArchiveRefused(`it cannot be unpacked: ${(error as Error).message}`)
  }
  return {dir: path.join(base, top), remove: () => rmSync(base, {recursive: true, force: true})}
}

function gunzip(archive: Buffer, max: number): Buffer {
  try {
    return gunzipSync(archive, {maxOutputLength: max})
  } catch (error) {
    if ((error as {code?: string}).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError)
      throw new ArchiveRefused(`it unpacks to more than ${max} bytes`, true)
    throw new ArchiveRefused(`it is not a gzip archive: ${(error as Error).message}`)
  }
}

const field = (block: Buffer, start: number, length: number) =>
  block
    .subarray(start, start + length)
    .toString('utf8')
    .replace(/\0.*$/s, '')
const octal = (block: Buffer, start: number, length: number) => parseInt(field(block, start, length).trim() || '0', 8)

/** The entries of a ustar/pax/GNU tar stream: regular files and folders only, their names checked. */
function readTar(tar: Buffer, maxEntries: number): Entry[] {
  const out: Entry[] = []
  let longName: string | undefined
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512)
    if (header.every((b) => b === 0)) break
    const size = octal(header, 124, 12)
    if (!Number.isFinite(size) || size < 0 || at + 512 + size > tar.length)
      throw new ArchiveRefused('it is not a well-formed tar archive')
    const type = String.fromCharCode(header[156] || 48)
    const body = tar.subarray(at + 512, at + 512 + size)
    at += 512 + Math.ceil(size / 512) * 512
    if (type === 'x') {
      longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1] ?? longName
      continue
    }
    if (type === 'L') {
      longName = body.toString('utf8').replace(/\0.*$/s, '')
      continue
    }
    if (type === 'g') continue
    const prefix = field(header, 345, 155)
    const name = longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100))
    longName = undefined
    if (out.length >= maxEntries) throw new ArchiveRefused(`it holds more than ${maxEntries} entries`, true)
    const clean = checkedName(name)
    if (type === '5') out.push({name: clean, type: 'dir', body: Buffer.alloc(0)})
    else if (type === '0' || type === '7') out.push({name: clean, type: 'file', body})
    else
      throw new ArchiveRefused(
        `${JSON.stringify(name)} is ${type === '1' ? 'a hard link' : type === '2' ? 'a symbolic link' : `of tar type ${type}`}: only files and folders are unpacked`,
      )
  }
  return out
}

/** A relative path inside the archive: no absolute path, no `..`, no empty or `.` segment, no backslash or NUL. */
function checkedName(name: string): string {
  const trimmed = name.replace(/\/+$/, '').replace(/^\.\//, '')
  const parts = trimmed.split('/')
  if (
    trimmed === '' ||
    trimmed.startsWith('/') ||
    /[\\\0]/.test(trimmed) ||
    parts.some((p) => p === '' || p === '.' || p === '..')
  )
    throw new ArchiveRefused(`its entry ${JSON.stringify(name)} would be written outside the chart's folder`)
  return trimmed
}
