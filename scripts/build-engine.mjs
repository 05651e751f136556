#!/usr/bin/env node
// Builds the ApplicationSet template engine (src/effects/gotemplate/go: Go's text/template + sprig, as Argo CD
// renders ApplicationSets) to WebAssembly, run by `npm run build`:
//   dist/engine/gotemplate.wasm   the engine (GOOS=js GOARCH=wasm)
//   dist/engine/wasm_exec.js      the JavaScript glue of the same Go release (it must match the build)
//   dist/engine/engine.json       what built it: Go version, the libraries' Debian versions, the sources' hash
// Offline and from registries only: Go 1.24 and the libraries' Debian source packages that scripts/setup.sh unpacks
// into .tools/ (GOPATH mode). Nothing is rebuilt when the sources, Go and the libraries are unchanged.
// Without Go or the libraries it says so once and exits 0: the CLI then reports ApplicationSets as
// render-unavailable, naming the missing engine (never a guess).
// `--native <file>` also builds the engine for this machine (the differential test's reference).
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../', import.meta.url))
const source = path.join(root, 'src/effects/gotemplate/go')
const outDir = path.join(root, 'dist/engine')
const tools = process.env.AMEIDE_TOOLS_DIR ?? path.join(root, '.tools')

/** The Go toolchain: $AMEIDE_GO, the set-up's Go 1.24, else `go` on PATH. */
function findGo() {
  const candidates = [process.env.AMEIDE_GO, path.join(tools, 'bin/go'), 'go'].filter(Boolean)
  for (const go of candidates) {
    try {
      const env = JSON.parse(
        execFileSync(go, ['env', '-json', 'GOROOT', 'GOVERSION'], {encoding: 'utf8', env: goEnv()}),
      )
      const [major, minor] = env.GOVERSION.replace(/^go/, '').split('.').map(Number)
      if (major > 1 || minor >= 24) return {go, goroot: env.GOROOT, version: env.GOVERSION}
    } catch {
      // not there, or not runnable: try the next
    }
  }
  return undefined
}

function goEnv(extra = {}) {
  return {...process.env, GO111MODULE: 'off', GOFLAGS: '', GOTOOLCHAIN: 'local', CGO_ENABLED: '0', ...extra}
}

/** The GOPATH holding sprig, slug, fasttemplate and sigs.k8s.io/yaml: $AMEIDE_GOPATH, else the set-up's. */
function findGopath() {
  const gopath = process.env.AMEIDE_GOPATH ?? path.join(tools, 'root/usr/share/gocode')
  const need = [
    'github.com/Masterminds/sprig',
    'github.com/gosimple/slug',
    'github.com/valyala/fasttemplate',
    'sigs.k8s.io/yaml',
  ]
  const missing = need.filter((p) => !existsSync(path.join(gopath, 'src', p)))
  return {gopath, missing}
}

/** The Debian versions of the libraries (the set-up's record), for engine.json and `ameide doctor`. */
function libraryVersions(gopath) {
  try {
    const debs = readFileSync(path.join(gopath, '.ameide-complete'), 'utf8').split('\n').filter(Boolean)
    return Object.fromEntries(
      debs
        .map((d) => d.match(/^golang-(.+)-dev_(.+)_all\.deb$/))
        .filter(Boolean)
        .map((m) => [m[1], decodeURIComponent(m[2])]),
    )
  } catch {
    return {}
  }
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

function say(message) {
  process.stderr.write(`[build-engine] ${message}\n`)
}

const nativeIndex = process.argv.indexOf('--native')
const nativeOut = nativeIndex >= 0 ? path.resolve(process.argv[nativeIndex + 1]) : undefined

const go = findGo()
const {gopath, missing} = findGopath()
if (!go || missing.length > 0) {
  const why = !go
    ? 'no Go >= 1.24 (looked at $AMEIDE_GO, .tools/bin/go and PATH)'
    : `the Go libraries are missing under ${gopath}: ${missing.join(', ')}`
  say(
    `the ApplicationSet template engine was NOT built: ${why}. ` +
      '`gitops verify` will report every ApplicationSet as render-unavailable. Run `bash scripts/setup.sh` ' +
      '(Go 1.24 and the libraries from Debian), then `npm run build`.',
  )
  process.exit(nativeOut ? 1 : 0)
}

const libraries = libraryVersions(gopath)
const env = goEnv({GOROOT: go.goroot, GOPATH: gopath})
if (nativeOut) {
  execFileSync(go.go, ['build', '-trimpath', '-o', nativeOut, '.'], {cwd: source, env, stdio: 'inherit'})
  process.exit(0)
}

const glue = ['lib/wasm/wasm_exec.js', 'misc/wasm/wasm_exec.js'].map((p) => path.join(go.goroot, p)).find(existsSync)
if (!glue) {
  say(`the ApplicationSet template engine was NOT built: ${go.goroot} has no wasm_exec.js`)
  process.exit(0)
}
const hash = sourcesHash({go: go.version, libraries})
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
execFileSync(go.go, ['build', '-trimpath', '-ldflags=-s -w', '-o', tmp, '.'], {
  cwd: source,
  env: {...env, GOOS: 'js', GOARCH: 'wasm'},
  stdio: 'inherit',
})
renameSync(tmp, wasmFile)
copyFileSync(glue, path.join(outDir, 'wasm_exec.js'))
const record = {
  engine: 'ameide-gotemplate/1',
  go: go.version,
  target: 'js/wasm',
  libraries,
  sources: hash,
}
writeFileSync(recordFile, `${JSON.stringify(record, null, 2)}\n`)
say(
  `built dist/engine/gotemplate.wasm with ${go.version}, sprig ${libraries['github-masterminds-sprig'] ?? '?'} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
)
