#!/usr/bin/env node
// Builds the ApplicationSet template engine (src/effects/gotemplate/go: Go's text/template + sprig, as Argo CD
// renders ApplicationSets) to WebAssembly, run by `npm run build`:
//   dist/engine/gotemplate.wasm   the engine (GOOS=js GOARCH=wasm)
//   dist/engine/wasm_exec.js      the JavaScript glue of the same Go release (it must match the build)
//   dist/engine/engine.json       what built it: the Go version, each library's Debian version and sha256, the
//                                 engine's own sha256
// Go: $AMEIDE_GO, the set-up's .tools/bin/go or the `go` on PATH when it is 1.24 or newer, else (or with
// AMEIDE_GO=debian) Debian's Go 1.24 (Linux on amd64/arm64). The libraries: their Debian source packages, compiled in GOPATH mode. Both are pinned in
// scripts/engine/pins.json and fetched, verified and cached by scripts/engine/fetch.mjs when missing; the build itself
// is offline and reproducible (-trimpath, no VCS stamp, no user Go settings: same Go and libraries, same bytes).
// Nothing is rebuilt when the sources, Go and the libraries are unchanged.
// When it cannot get them (offline, the archive refused, no Go for this system) it says what is missing and the command
// that fixes it; it then exits 0 (the CLI reports ApplicationSets as render-unavailable, never a guess), or 1 with
// AMEIDE_REQUIRE_ENGINE=1 (the GitHub Action's install).
// `--native <file>` also builds the engine for this machine (the differential test's reference).
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {debianGoArch, engineCacheDir, ensureTree, FetchFailed, isCached, readPins, treePins} from './engine/fetch.mjs'

const root = fileURLToPath(new URL('../', import.meta.url))
const source = path.join(root, 'src/effects/gotemplate/go')
const outDir = path.join(root, 'dist/engine')
const tools = process.env.AMEIDE_TOOLS_DIR ?? path.join(root, '.tools')
const nativeIndex = process.argv.indexOf('--native')
const nativeOut = nativeIndex >= 0 ? path.resolve(process.argv[nativeIndex + 1]) : undefined
const required = process.env.AMEIDE_REQUIRE_ENGINE === '1' || nativeOut !== undefined
const pins = readPins()
const cache = engineCacheDir()

function say(message) {
  process.stderr.write(`[build-engine] ${message}\n`)
}

/** Go's environment for the build: none of the user's Go settings (GOENV=off), GOPATH mode, offline. */
function goEnv(extra = {}) {
  return {
    ...process.env,
    GOENV: 'off',
    GO111MODULE: 'off',
    GOFLAGS: '',
    GOTOOLCHAIN: 'local',
    CGO_ENABLED: '0',
    GOEXPERIMENT: '',
    GOWASM: '',
    GOCACHE: process.env.GOCACHE || path.join(cache, 'go-build'),
    ...extra,
  }
}

/** A Go toolchain at `go` when it is 1.24 or newer. */
function goAt(go) {
  try {
    const env = JSON.parse(execFileSync(go, ['env', '-json', 'GOROOT', 'GOVERSION'], {encoding: 'utf8', env: goEnv()}))
    const [major, minor] = env.GOVERSION.replace(/^go/, '').split('.').map(Number)
    if (major > 1 || minor >= 24) return {go, goroot: env.GOROOT, version: env.GOVERSION}
  } catch {
    // not there, or not runnable
  }
  return undefined
}

const mb = (debs) => `${(debs.reduce((n, d) => n + d.size, 0) / 1e6).toFixed(1)} MB`
const named = (debs) => debs.map((d) => `${d.package} ${d.version}`).join(', ')

/** Go and the libraries' GOPATH, fetched when missing; or what is missing and why. */
async function toolchain() {
  const log = (m) => say(m)
  // AMEIDE_GO=debian: Debian's pinned Go whatever else the machine has (a release build: the same Go everywhere).
  let go =
    process.env.AMEIDE_GO === 'debian'
      ? undefined
      : [process.env.AMEIDE_GO, path.join(tools, 'bin/go'), 'go'].filter(Boolean).map(goAt).find(Boolean)
  const missing = []
  let failure
  if (go) go.from = {source: 'PATH'}
  else if (!debianGoArch()) missing.push(`Go >= 1.24 (Debian's Go serves Linux on amd64/arm64 only)`)
  else {
    try {
      if (!isCached('go', cache))
        say(`no Go >= 1.24 here: Debian's ${named(treePins('go'))} (${mb(treePins('go'))}, cached in ${cache})`)
      const dir = await ensureTree('go', {cache, log})
      go = goAt(path.join(dir, pins.go.goroot, 'bin/go'))
      if (!go) throw new Error(`Debian's Go 1.24 in ${dir} does not run here`)
      go.from = {
        source: 'debian',
        debs: treePins('go').map(({package: p, version, architecture, sha256}) => ({
          package: p,
          version,
          architecture,
          sha256,
        })),
      }
    } catch (e) {
      if (!(e instanceof FetchFailed)) throw e
      missing.push(`Go 1.24: ${named(e.missing)} (${mb(e.missing)})`)
      failure = e
    }
  }
  let gopath
  try {
    gopath = path.join(await ensureTree('libraries', {cache, log}), 'usr/share/gocode')
  } catch (e) {
    if (!(e instanceof FetchFailed)) throw e
    missing.push(`${e.missing.length} of ${pins.libraries.length} Go libraries: ${named(e.missing)} (${mb(e.missing)})`)
    failure ??= e
  }
  return {go, gopath, missing, failure}
}

function notBuilt({missing, failure}) {
  const fix = failure
    ? `npm run build, where ${failure.archive} answers (or AMEIDE_DEBIAN_ARCHIVE=<a Debian mirror> npm run build)`
    : 'install Go 1.24 or newer (https://go.dev/dl/; macOS: brew install go), then npm run build'
  say(
    `the ApplicationSet template engine was NOT built${failure ? `: the fetch from ${failure.archive} failed (${failure.message})` : ''}.`,
  )
  for (const m of missing) say(`missing: ${m}`)
  say(`fix: ${fix}`)
  say('until then `gitops verify --render` and `gitops diff` report every ApplicationSet as render-unavailable.')
  process.exit(required ? 1 : 0)
}

function sourcesHash(extra) {
  const h = createHash('sha256')
  for (const f of readdirSync(source)
    .filter((f) => f.endsWith('.go'))
    .sort()) {
    h.update(f)
      .update('\0')
      .update(readFileSync(path.join(source, f)))
      .update('\0')
  }
  h.update(JSON.stringify(extra))
  return h.digest('hex')
}

const found = await toolchain()
const {go, gopath} = found
if (!go || !gopath) notBuilt(found)

const libraries = Object.fromEntries(pins.libraries.map((d) => [d.package, {version: d.version, sha256: d.sha256}]))
// The sources are built as the package `ameide.io/gotemplate` of a GOPATH of their own: outside a GOPATH, Go names a
// directory's package after its absolute path, and that name reaches the binary (so a clone elsewhere would build
// other bytes); -trimpath then leaves no path of this machine in it.
const own = mkdtempSync(path.join(os.tmpdir(), 'ameide-engine-'))
process.on('exit', () => rmSync(own, {recursive: true, force: true}))
const pkg = path.join(own, 'src/ameide.io/gotemplate')
mkdirSync(pkg, {recursive: true})
for (const f of readdirSync(source).filter((f) => f.endsWith('.go')))
  copyFileSync(path.join(source, f), path.join(pkg, f))
const env = goEnv({GOROOT: go.goroot, GOPATH: `${own}${path.delimiter}${gopath}`})
const flags = ['build', '-trimpath', '-buildvcs=false']
if (nativeOut) {
  execFileSync(go.go, [...flags, '-o', nativeOut, 'ameide.io/gotemplate'], {cwd: own, env, stdio: 'inherit'})
  process.exit(0)
}

const glue = ['lib/wasm/wasm_exec.js', 'misc/wasm/wasm_exec.js'].map((p) => path.join(go.goroot, p)).find(existsSync)
if (!glue) notBuilt({missing: [`wasm_exec.js under ${go.goroot} (${go.version})`]})
const hash = sourcesHash({go: go.version, goFrom: go.from, libraries})
const recordFile = path.join(outDir, 'engine.json')
const wasmFile = path.join(outDir, 'gotemplate.wasm')
try {
  const record = JSON.parse(readFileSync(recordFile, 'utf8'))
  if (record.sources === hash && existsSync(wasmFile) && existsSync(path.join(outDir, 'wasm_exec.js'))) process.exit(0)
} catch {
  // no record yet: build
}
mkdirSync(outDir, {recursive: true})
const started = Date.now()
const tmp = `${wasmFile}.${process.pid}.tmp`
execFileSync(go.go, [...flags, '-ldflags=-s -w', '-o', tmp, 'ameide.io/gotemplate'], {
  cwd: own,
  env: {...env, GOOS: 'js', GOARCH: 'wasm'},
  stdio: 'inherit',
})
const sha256 = createHash('sha256').update(readFileSync(tmp)).digest('hex')
renameSync(tmp, wasmFile)
copyFileSync(glue, path.join(outDir, 'wasm_exec.js'))
const record = {
  engine: 'ameide-gotemplate/2',
  go: go.version,
  goFrom: go.from,
  target: 'js/wasm',
  sha256,
  libraries,
  sources: hash,
}
writeFileSync(recordFile, `${JSON.stringify(record, null, 2)}\n`)
say(
  `built dist/engine/gotemplate.wasm (sha256 ${sha256.slice(0, 12)}…) with ${go.version}, sprig ${libraries['golang-github-masterminds-sprig-dev'].version} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
)
