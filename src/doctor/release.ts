// Which copy of ameide is running: its version, where it came from and, for a release tarball, what it was built from.
// A release (scripts/release.mjs) carries a stamp, dist/release.json: the version, the digest of the sources it was
// built from (release.json's `sources.digest`), the Node.js that packed it and `contents`, the digest of every other
// file of the package, which doctor recomputes — `intact` says whether the installed files are still those packed.
import {createHash} from 'node:crypto'
import {readdirSync, readFileSync, statSync} from 'node:fs'
import path from 'node:path'

import {PACKAGE_ROOT} from '../core/package-root.js'

/** The stamp's path in a release package. */
export const RELEASE_STAMP = 'dist/release.json'

export interface CopyRecord {
  version: string
  /** release: unpacked or installed from a release tarball (it has the stamp); build: a checkout's own build. */
  origin: 'release' | 'build'
  /** The package root of the running copy. */
  root: string
  /** release: the digest of the sources it was built from (`sha256:…`, release.json's sources.digest); else null. */
  sources: string | null
  /** release: the digest of the package's files recorded at packing (`sha256:…`); else null. */
  contents: string | null
  /** release: the installed files are those packed (their digest equals `contents`); else null. */
  intact: boolean | null
}

/** `sha256:<hex>` over `<path>\0<sha256 of the bytes>\n` for each [path, bytes], in byte order of the paths. */
export function contentsDigest(files: Array<[string, Buffer]>): string {
  const hash = createHash('sha256')
  for (const [rel, data] of [...files].sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)))) {
    hash.update(`${rel}\0${createHash('sha256').update(data).digest('hex')}\n`)
  }
  return `sha256:${hash.digest('hex')}`
}

/** The running copy. */
export function inspectCopy(root = PACKAGE_ROOT): CopyRecord {
  const {version} = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {version: string}
  let stamp: {sources?: string; contents?: string} | undefined
  try {
    stamp = JSON.parse(readFileSync(path.join(root, RELEASE_STAMP), 'utf8'))
  } catch {
    return {version, origin: 'build', root, sources: null, contents: null, intact: null}
  }
  const contents = typeof stamp?.contents === 'string' ? stamp.contents : null
  const files = packageFiles(root).filter((f) => f !== RELEASE_STAMP)
  const actual = contentsDigest(files.map((f) => [f, readFileSync(path.join(root, f))]))
  return {
    version,
    origin: 'release',
    root,
    sources: typeof stamp?.sources === 'string' ? stamp.sources : null,
    contents,
    intact: contents !== null && actual === contents,
  }
}

/** Every file of the package (POSIX paths relative to its root), node_modules aside. */
function packageFiles(root: string, dir = ''): string[] {
  return readdirSync(path.join(root, dir)).flatMap((entry) => {
    const rel = dir === '' ? entry : `${dir}/${entry}`
    if (rel === 'node_modules') return []
    return statSync(path.join(root, rel)).isDirectory() ? packageFiles(root, rel) : [rel]
  })
}
