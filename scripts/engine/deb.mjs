// A Debian package (.deb) unpacked in Node, as `dpkg-deb -x` does, without dpkg (macOS has none): an `ar` archive
// whose `data.tar.xz` member holds the files. xz through xz-decompress (xz-embedded compiled to WebAssembly: no native
// addon, no per-platform binary), the tar through node-tar (it refuses absolute paths, `..` and writes through links).
import {Readable} from 'node:stream'
import {pipeline} from 'node:stream/promises'

import * as tar from 'tar'
import xz from 'xz-decompress'

/** The members of an `ar` archive (the .deb container): name -> bytes. */
export function arMembers(bytes) {
  if (bytes.toString('latin1', 0, 8) !== '!<arch>\n') throw new Error('not a Debian package (no ar header)')
  const members = new Map()
  for (let at = 8; at + 60 <= bytes.length;) {
    const name = bytes
      .toString('latin1', at, at + 16)
      .trim()
      .replace(/\/$/, '')
    const size = Number(bytes.toString('latin1', at + 48, at + 58).trim())
    if (!Number.isSafeInteger(size) || at + 60 + size > bytes.length) throw new Error(`truncated ar member ${name}`)
    members.set(name, bytes.subarray(at + 60, at + 60 + size))
    at += 60 + size + (size % 2)
  }
  return members
}

/**
 * Unpacks the .deb's files into `root` (`dpkg-deb -x`), keeping only the paths `keep` accepts (archive paths without
 * the leading `./`, e.g. `usr/share/gocode/src/...`).
 */
export async function unpackDeb(bytes, root, keep = () => true) {
  const data = arMembers(bytes).get('data.tar.xz')
  if (!data) throw new Error('the package has no data.tar.xz')
  const decompressed = new xz.XzReadableStream(Readable.toWeb(Readable.from([data])))
  await pipeline(
    Readable.fromWeb(decompressed),
    tar.x({
      cwd: root,
      strict: true,
      preserveOwner: false,
      filter: (p) => keep(p.replace(/^\.\//, '')),
    }),
  )
}
