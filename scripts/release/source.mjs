// What a release tarball is built from, as one digest: every file under SOURCE_PATHS (the build's inputs — the code,
// the build scripts, templates, schemas, the manifest, the lock that fixes every bundled dependency, and the Go
// workspace under src/ whose go.work and go.sums fix the WebAssembly programs), each named by its path and the sha256 of its bytes. It needs no git:
// scripts/release.mjs records it in release.json, and the Action (scripts/action/release.mjs) recomputes it on its own
// checkout — GitHub's download of the action's commit, without .git — to know whether release.json describes it.
import {createHash} from 'node:crypto'
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import path from 'node:path'

/** The paths, relative to the checkout's root, whose files go into the digest. */
export const SOURCE_PATHS = [
  'LICENSE',
  'NOTICE',
  'bin',
  'oclif.manifest.json',
  'package-lock.json',
  'package.json',
  'schemas',
  'scripts',
  'src',
  'templates',
  'tsconfig.build.json',
  'tsconfig.json',
]

/**
 * The files the build copies into the Go programs' own packages from pinned upstream modules (their
 * _overlay/overlay.json records with `into`, scripts/go-patches.mjs): made from the sources, never sources themselves.
 */
function generatedFiles(root) {
  const programs = path.join(root, 'src/effects')
  const generated = new Set()
  for (const program of existsSync(programs) ? readdirSync(programs) : []) {
    const manifest = path.join(programs, program, 'go/_overlay/overlay.json')
    if (!existsSync(manifest)) continue
    for (const file of JSON.parse(readFileSync(manifest, 'utf8')).files)
      if (file.into) generated.add(`src/effects/${program}/go/${file.into}`)
  }
  return generated
}

/** The files under SOURCE_PATHS in `root` (POSIX paths relative to root, sorted); a missing path is skipped. */
export function sourceFiles(root) {
  const generated = generatedFiles(root)
  const files = []
  const walk = (rel) => {
    let stat
    try {
      stat = statSync(path.join(root, rel))
    } catch {
      return
    }
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path.join(root, rel))) walk(`${rel}/${entry}`)
    } else if (stat.isFile() && !generated.has(rel)) {
      files.push(rel)
    }
  }
  for (const p of SOURCE_PATHS) walk(p)
  return files.sort(byteOrder)
}

/** `sha256:<hex>` over `<path>\0<sha256 of the file>\n` for each file, in byte order of the paths. */
export function sourceDigest(root, files = sourceFiles(root)) {
  const hash = createHash('sha256')
  for (const file of [...files].sort(byteOrder)) {
    const content = createHash('sha256')
      .update(readFileSync(path.join(root, file)))
      .digest('hex')
    hash.update(`${file}\0${content}\n`)
  }
  return `sha256:${hash.digest('hex')}`
}

export function byteOrder(a, b) {
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}
