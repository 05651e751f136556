// A gzipped tar whose bytes depend only on the files given: entries in byte order of their paths, every entry a
// regular file owned by 0:0 (no user or group names) with mode 0644 or 0755 and npm's fixed time (1985-10-26 08:15
// UTC, what `npm pack` writes), no directory entries, and a gzip header without a time and with the Unix OS byte.
import {gzipSync} from 'node:zlib'

import {byteOrder} from './source.mjs'

/** npm pack's fixed mtime, in seconds. */
const MTIME = Math.floor(Date.UTC(1985, 9, 26, 8, 15, 0) / 1000)

/**
 * The .tgz of `entries` ({path: 'package/…', data: Buffer, executable?: boolean}).
 * @param {{path: string, data: Buffer, executable?: boolean}[]} entries
 */
export function deterministicTgz(entries) {
  const blocks = []
  for (const entry of [...entries].sort((a, b) => byteOrder(a.path, b.path))) {
    blocks.push(header(entry.path, entry.data.length, entry.executable ? 0o755 : 0o644), entry.data)
    const pad = (512 - (entry.data.length % 512)) % 512
    if (pad > 0) blocks.push(Buffer.alloc(pad))
  }
  blocks.push(Buffer.alloc(1024))
  return deterministicGzip(Buffer.concat(blocks))
}

/** gzip at level 9 with no file name, no modification time and the Unix OS byte: the bytes depend only on `data`. */
export function deterministicGzip(data) {
  const gz = gzipSync(data, {level: 9})
  gz.writeUInt32LE(0, 4) // no modification time
  gz[9] = 3 // OS: Unix, whatever platform zlib was built for
  return gz
}

function header(name, size, mode) {
  const h = Buffer.alloc(512)
  let [prefix, base] = ['', name]
  if (Buffer.byteLength(name) > 100) {
    // ustar: the path split at a slash into a prefix (≤ 155 bytes) and a name (≤ 100 bytes).
    const cut = [...name.matchAll(/\//g)]
      .map((m) => m.index)
      .find((i) => Buffer.byteLength(name.slice(0, i)) <= 155 && Buffer.byteLength(name.slice(i + 1)) <= 100)
    if (cut === undefined) throw new Error(`path too long for a ustar header: ${name}`)
    ;[prefix, base] = [name.slice(0, cut), name.slice(cut + 1)]
  }
  h.write(base, 0, 100, 'utf8')
  octal(h, 100, 8, mode)
  octal(h, 108, 8, 0)
  octal(h, 116, 8, 0)
  octal(h, 124, 12, size)
  octal(h, 136, 12, MTIME)
  h.fill(' ', 148, 156)
  h.write('0', 156, 1, 'latin1')
  h.write('ustar\u000000', 257, 8, 'latin1')
  h.write(prefix, 345, 155, 'utf8')
  let sum = 0
  for (const byte of h) sum += byte
  h.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'latin1')
  return h
}

function octal(buffer, offset, length, value) {
  buffer.write(`${value.toString(8).padStart(length - 1, '0')}\u0000`, offset, length, 'latin1')
}
