#!/usr/bin/env node
// Upstream Go files a program is built with, changed by us: only our change is in the repository, as a patch.
// A program's _overlay/overlay.json lists them. Each record names a file of a pinned module (or, module "go", of the
// Go release itself), the version and the sha256 of the file the patch was made against, and either
//   "patch": "<name>.patch"   the file is replaced at build by itself with the patch applied (`go build -overlay`), or
//   "into": "<path>"          the file is copied, with its patch if any, into the program's own package at that path
//                             (gitignored: upstream code Go will not let us import, such as another module's
//                             internal/ package).
// The file is read from Go's module cache (which go.sum or the checksum database verified) and used only when it is
// still the one recorded (its sha256): a new upstream stops the build until `rebase` (below) carries the patch over.
//
//   node scripts/go-patches.mjs rebase <program dir>   for each record whose module the build list now has at another
//       version: a three-way merge (git merge-file) of our change onto the new upstream file; clean, the patch and
//       the record are rewritten; conflicting, the merge with its conflict markers is left beside the patch
//       (<patch>.conflict) and the command fails, naming them.
//   node scripts/go-patches.mjs save <program dir>     after editing the patched files the build wrote
//       (dist/.go-overlay/patched/), writes the patches again from them.
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {applyPatch, createTwoFilesPatch} from 'diff'

const root = fileURLToPath(new URL('../', import.meta.url))
export const PATCHED_DIR = path.join(root, 'dist/.go-overlay/patched')

const sha256 = (text) => createHash('sha256').update(text).digest('hex')
export const manifestOf = (dir) => path.join(dir, '_overlay/overlay.json')
export const recordsOf = (dir) =>
  existsSync(manifestOf(dir)) ? JSON.parse(readFileSync(manifestOf(dir), 'utf8')).files : []
/** Where the build writes a record's patched file (what `save` reads back). */
export const patchedPath = (file) => path.join(PATCHED_DIR, file.patch ? file.patch.replace(/\.patch$/, '') : file.into)

/** The upstream file with our change: checked against the record's sha256, then patched (throws when either fails). */
export function patched(dir, file, upstreamPath) {
  const upstream = readFileSync(upstreamPath, 'utf8')
  const what = `${file.module}@${file.version}/${file.path}`
  if (sha256(upstream) !== file.sha256)
    throw new Error(`${what} is not the file its patch was made for (sha256 ${sha256(upstream)}): run rebase`)
  if (!file.patch) return upstream
  const text = applyPatch(upstream, readFileSync(path.join(dir, '_overlay', file.patch), 'utf8'))
  if (text === false) throw new Error(`_overlay/${file.patch} does not apply to ${what}`)
  return text
}

/** Writes a record's patched file where the build reads it, and returns that path. */
export function writePatched(dir, file, upstreamPath) {
  const out = file.into ? path.join(dir, file.into) : patchedPath(file)
  mkdirSync(path.dirname(out), {recursive: true})
  writeFileSync(out, patched(dir, file, upstreamPath))
  return out
}

/** Our change as a patch: upstream → ours, named after the upstream file. */
export const patchOf = (file, upstream, ours) =>
  createTwoFilesPatch(`a/${file.path}`, `b/${file.path}`, upstream, ours, `${file.module}@${file.version}`, 'ameide')

// ---- rebase and save: the developer's side, run by hand ----

const goOf = () => execFileSync('node', [path.join(root, 'scripts/go-toolchain.mjs')], {encoding: 'utf8'}).trim()
const goIn = (go, dir, args) =>
  execFileSync(go, args, {
    cwd: dir,
    encoding: 'utf8',
    env: {...process.env, GOWORK: path.join(root, 'src/effects/go.work')},
  })

/** A record's upstream file at a version: a module's from the module cache, the Go release's from its module. */
function upstreamAt(go, dir, file, version) {
  const release = file.module === 'go'
  const platform = `${goIn(go, dir, ['env', 'GOOS']).trim()}-${goIn(go, dir, ['env', 'GOARCH']).trim()}`
  const key = release ? `golang.org/toolchain@v0.0.1-${version}.${platform}` : `${file.module}@${version}`
  return path.join(JSON.parse(goIn(go, dir, ['mod', 'download', '-json', key])).Dir, file.path)
}

const versionNow = (go, dir, file) =>
  goIn(go, dir, file.module === 'go' ? ['env', 'GOVERSION'] : ['list', '-m', '-f', '{{.Version}}', file.module]).trim()

/** Our change (ours, made on base) carried onto theirs by git's three-way merge: {text, clean}. */
export function threeWay(ours, base, theirs, labels = ['ours', 'base', 'theirs']) {
  const tmp = mkdtempSync(path.join(tmpdir(), 'ameide-three-way-'))
  const [o, b, t] = ['ours', 'base', 'theirs'].map((n) => path.join(tmp, n))
  writeFileSync(o, ours)
  writeFileSync(b, base)
  writeFileSync(t, theirs)
  const args = ['merge-file', '-p', ...labels.flatMap((l) => ['-L', l]), o, b, t]
  try {
    return {text: execFileSync('git', args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']}), clean: true}
  } catch (e) {
    if (typeof e.status !== 'number' || e.status < 1 || e.status > 127) throw e
    return {text: e.stdout, clean: false} // exit status: the number of conflicts
  } finally {
    rmSync(tmp, {recursive: true, force: true})
  }
}

function rebase(dir) {
  const go = goOf()
  const records = recordsOf(dir)
  const conflicts = []
  for (const file of records) {
    const version = versionNow(go, dir, file)
    if (version === file.version) continue
    const basePath = upstreamAt(go, dir, file, file.version)
    const theirs = readFileSync(upstreamAt(go, dir, file, version), 'utf8')
    const merged = threeWay(patched(dir, file, basePath), readFileSync(basePath, 'utf8'), theirs, [
      'ameide',
      file.version,
      version,
    ])
    if (!merged.clean) {
      const at = path.join(dir, '_overlay', `${file.patch ?? file.into.replace(/\//g, '_')}.conflict`)
      writeFileSync(at, merged.text)
      conflicts.push(at)
      continue
    }
    Object.assign(file, {version, sha256: sha256(theirs)})
    if (file.patch) writeFileSync(path.join(dir, '_overlay', file.patch), patchOf(file, theirs, merged.text))
    console.log(`rebased ${file.module} ${file.path} onto ${version}`)
  }
  writeManifest(dir, records)
  if (conflicts.length > 0) throw new Error(`conflicts to resolve by hand, then save:\n  ${conflicts.join('\n  ')}`)
}

function save(dir) {
  const go = goOf()
  for (const file of recordsOf(dir).filter((f) => f.patch)) {
    const upstream = readFileSync(upstreamAt(go, dir, file, file.version), 'utf8')
    writeFileSync(
      path.join(dir, '_overlay', file.patch),
      patchOf(file, upstream, readFileSync(patchedPath(file), 'utf8')),
    )
  }
}

function writeManifest(dir, files) {
  const manifest = JSON.parse(readFileSync(manifestOf(dir), 'utf8'))
  writeFileSync(manifestOf(dir), `${JSON.stringify({...manifest, files}, null, 2)}\n`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [verb, dir] = process.argv.slice(2)
  const verbs = {rebase, save}
  if (!verbs[verb] || !dir) throw new Error('usage: node scripts/go-patches.mjs rebase|save <program dir>')
  verbs[verb](path.resolve(dir))
}
