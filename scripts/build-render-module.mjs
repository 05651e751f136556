#!/usr/bin/env node
// Builds the render module (src/effects/render-module/go: `helm template`, `kustomize build`, Argo CD's jsonnet
// evaluation and Flux's post-build substitution from Helm's, kustomize's, go-jsonnet's and fluxcd/pkg envsubst's own
// Go packages) to WebAssembly, run by `npm run build`:
//   dist/render-module/render.wasm          the module (GOOS=js GOARCH=wasm)
//   dist/render-module/wasm_exec.js         the JavaScript glue of the Go release that built it
//   dist/render-module/render-module.json   what built it: Helm's, kustomize's, go-jsonnet's, envsubst's versions, Go,
//                                           the sha256
// The Go code is pinned by src/effects/render-module/go/go.mod and go.sum (Helm and kustomize as Argo CD and Flux
// ship them; move them with `go get helm.sh/helm/v4@vX sigs.k8s.io/kustomize/kustomize/v5@vY && go mod tidy` there)
// and fetched through the Go module proxy into Go's module cache; the build is -trimpath with no VCS stamp (same Go,
// same go.sum: same bytes). Go: $AMEIDE_GO, the set-up's .tools/bin/go or the `go` on PATH, which switches itself to
// go.mod's `toolchain` release through the module proxy when it is another (the same Go everywhere). Nothing is rebuilt when the inputs are unchanged.
// When it cannot build (no Go, no module proxy) it says what is missing and the fix, and exits 0 (the CLI then renders
// with the helm and kustomize binaries it finds), or 1 with AMEIDE_REQUIRE_RENDER_MODULE=1.
// `--kustomize <file>` builds the native `kustomize` of the same go.sum, `--jsonnet <file>` the native `jsonnet`
// (go-jsonnet's cmd/jsonnet, as Argo CD ships go-jsonnet): the differential tests' references.
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../', import.meta.url))
const source = path.join(root, 'src/effects/render-module/go')
const outDir = path.join(root, 'dist/render-module')
const tools = process.env.AMEIDE_TOOLS_DIR ?? path.join(root, '.tools')
const kustomizeIndex = process.argv.indexOf('--kustomize')
const kustomizeOut = kustomizeIndex >= 0 ? path.resolve(process.argv[kustomizeIndex + 1]) : undefined
const jsonnetIndex = process.argv.indexOf('--jsonnet')
const jsonnetOut = jsonnetIndex >= 0 ? path.resolve(process.argv[jsonnetIndex + 1]) : undefined
const required =
  process.env.AMEIDE_REQUIRE_RENDER_MODULE === '1' || kustomizeOut !== undefined || jsonnetOut !== undefined
const PROTOCOL = 'ameide-render/1'

const say = (message) => process.stderr.write(`[build-render-module] ${message}\n`)

/** The Go release that builds the module: go.mod's `toolchain` line, fetched by any Go through the module proxy. */
const toolchain = /^toolchain (go\S+)$/m.exec(readFileSync(path.join(source, 'go.mod'), 'utf8'))?.[1] ?? 'auto'

/** Go's environment: module mode, the go.sum as it is, the pinned toolchain, no cgo, the user's proxy settings kept. */
const goEnv = (extra = {}) => ({
  ...process.env,
  GOTOOLCHAIN: toolchain,
  GO111MODULE: 'on',
  GOFLAGS: '-mod=readonly',
  CGO_ENABLED: '0',
  GOEXPERIMENT: '',
  GOWASM: '',
  ...extra,
})

const go = [process.env.AMEIDE_GO, path.join(tools, 'bin/go'), 'go'].filter(Boolean).find((g) => {
  try {
    execFileSync(g, ['version'], {stdio: 'ignore', env: goEnv()})
    return true
  } catch {
    return false
  }
})

function notBuilt(why) {
  say(`the render module was NOT built: ${why}`)
  say(
    'fix: install Go (https://go.dev/dl/; macOS: brew install go) where the Go module proxy answers, then npm run build',
  )
  say('until then `gitops verify --render` and `gitops diff` render with the helm and kustomize found on PATH.')
  process.exit(required ? 1 : 0)
}

if (!go) notBuilt('no Go on PATH')
const run = (args, extra = {}) =>
  execFileSync(go, args, {cwd: source, env: goEnv(extra), encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit']})

/** The pinned modules' versions, and the commit Helm's release was tagged at (its `helm version` names it). */
function pinned() {
  const list = (m) => JSON.parse(run(['list', '-m', '-json', m]))
  const helm = list('helm.sh/helm/v4')
  const kustomize = list('sigs.k8s.io/kustomize/kustomize/v5')
  const jsonnet = list('github.com/google/go-jsonnet')
  const envsubst = list('github.com/fluxcd/pkg/envsubst')
  const origin = JSON.parse(run(['mod', 'download', '-json', `helm.sh/helm/v4@${helm.Version}`]))
  const commit = JSON.parse(readFileSync(origin.Info, 'utf8')).Origin?.Hash ?? ''
  return {
    helm: helm.Version,
    kustomize: kustomize.Version,
    jsonnet: jsonnet.Version,
    envsubst: envsubst.Version,
    commit,
  }
}

let versions
try {
  versions = pinned()
} catch (e) {
  notBuilt(`Go could not resolve the pinned modules (${String(e.message).split('\n')[0]})`)
}
const goVersion = run(['env', 'GOVERSION']).trim()

if (kustomizeOut) {
  run(['build', '-trimpath', '-buildvcs=false', '-o', kustomizeOut, 'sigs.k8s.io/kustomize/kustomize/v5'])
}
if (jsonnetOut)
  run(['build', '-trimpath', '-buildvcs=false', '-o', jsonnetOut, 'github.com/google/go-jsonnet/cmd/jsonnet'])
if (kustomizeOut || jsonnetOut) process.exit(0)

const ldflags = [
  '-s',
  '-w',
  '-buildid=',
  `-X helm.sh/helm/v4/internal/version.version=${versions.helm}`,
  `-X helm.sh/helm/v4/internal/version.gitCommit=${versions.commit}`,
  '-X helm.sh/helm/v4/internal/version.gitTreeState=clean',
].join(' ')

const inputs = createHash('sha256')
// Every file of the module, its packages' folders included.
for (const f of readdirSync(source, {recursive: true})
  .filter((f) => statSync(path.join(source, f)).isFile())
  .sort())
  inputs
    .update(f)
    .update('\0')
    .update(readFileSync(path.join(source, f)))
inputs.update(JSON.stringify({goVersion, ldflags}))
const digest = inputs.digest('hex')
const wasmFile = path.join(outDir, 'render.wasm')
const recordFile = path.join(outDir, 'render-module.json')
try {
  const record = JSON.parse(readFileSync(recordFile, 'utf8'))
  if (record.inputs === digest && existsSync(wasmFile) && existsSync(path.join(outDir, 'wasm_exec.js'))) process.exit(0)
} catch {
  // no record yet: build
}

const goroot = run(['env', 'GOROOT']).trim()
const glue = ['lib/wasm/wasm_exec.js', 'misc/wasm/wasm_exec.js'].map((p) => path.join(goroot, p)).find(existsSync)
if (!glue) notBuilt(`no wasm_exec.js under ${goroot}`)
mkdirSync(outDir, {recursive: true})
const started = Date.now()
const tmp = `${wasmFile}.${process.pid}.tmp`
say(
  `building with ${goVersion}: helm ${versions.helm}, kustomize ${versions.kustomize}, jsonnet ${versions.jsonnet}, envsubst ${versions.envsubst} (minutes the first time)`,
)
try {
  run(['build', '-trimpath', '-buildvcs=false', `-ldflags=${ldflags}`, '-o', tmp, '.'], {GOOS: 'js', GOARCH: 'wasm'})
} catch (e) {
  notBuilt(`go build failed (${String(e.message).split('\n')[0]})`)
}
const bytes = readFileSync(tmp)
const sha256 = createHash('sha256').update(bytes).digest('hex')
renameSync(tmp, wasmFile)
writeFileSync(path.join(outDir, 'wasm_exec.js'), readFileSync(glue))
const shortCommit = versions.commit ? `+g${versions.commit.slice(0, 7)}` : ''
const record = {
  protocol: PROTOCOL,
  helm: `${versions.helm}${shortCommit}`,
  kustomize: versions.kustomize,
  jsonnet: versions.jsonnet,
  envsubst: versions.envsubst,
  go: goVersion,
  sha256,
  bytes: bytes.byteLength,
  inputs: digest,
}
writeFileSync(recordFile, `${JSON.stringify(record, null, 2)}\n`)
say(
  `built dist/render-module/render.wasm (${(bytes.byteLength / 1e6).toFixed(1)} MB, sha256 ${sha256.slice(0, 12)}…) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
)
