#!/usr/bin/env node
// Builds the CLI's two WebAssembly programs (GOOS=js GOARCH=wasm) from one Go workspace, src/effects/go.work, run by
// `npm run build`:
//   dist/engine/gotemplate.wasm, wasm_exec.js, engine.json
//       the ApplicationSet template engine (src/effects/gotemplate/go: Go's text/template with sprig, gosimple/slug,
//       fasttemplate and sigs.k8s.io/yaml, as Argo CD renders ApplicationSets)
//   dist/render-module/render.wasm, wasm_exec.js, render-module.json
//       the render module (src/effects/render-module/go: `helm template`, `kustomize build`, Argo CD's jsonnet and
//       Flux's post-build substitution from Helm's, kustomize's, go-jsonnet's and fluxcd/pkg envsubst's own packages)
// Each module's go.mod and go.sum pin its libraries; go.work makes one build list of both (a library both use is one
// version) and names the Go release (its `toolchain` line) that builds both. Go: $AMEIDE_GO, the set-up's
// .tools/bin/go or the `go` on PATH, which switches itself to that release through the Go module proxy when it is
// another; where there is none, or it cannot (older than Go 1.21: no toolchain switching), the release itself as a
// Go module from the module proxy, checked against the sums scripts/go-toolchain.json pins and unzipped into a cache
// folder (scripts/go-toolchain.mjs): no Go of the machine's own is needed. The libraries come through the module
// proxy into Go's module cache, checked against go.sum. The builds
// are -trimpath with no VCS stamp and no build id (same go.work and go.sums: same bytes from any clone). A program's
// _overlay/ (the render module's) patches pinned files of its modules at build (overlayOf, below). Each record
// (engine.json, render-module.json) names the Go release, the modules and the sha256 of its .wasm; nothing is
// rebuilt when a program's inputs are unchanged.
// When a program cannot be built (no module proxy, no pinned sum for this platform) it says what is missing and the
// fix, and exits 0 (the CLI then reports ApplicationSets render-unavailable, and without the render module renders
// nothing: every kustomize root and chart is render-unavailable), or 1 with AMEIDE_REQUIRE_ENGINE=1 /
// AMEIDE_REQUIRE_RENDER_MODULE=1 (a release, the GitHub Action's install).
// References for the differential tests, built for this machine from the same workspace (only these, then exit):
//   --engine-native FILE   the template engine   --kustomize FILE   kustomize   --jsonnet FILE   go-jsonnet's jsonnet
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {recordsOf, writePatched} from './go-patches.mjs'
import {goEntries, GO_LICENCES} from './notices.mjs'
import {acquireToolchain} from './go-toolchain.mjs'
import {kubernetesApis} from './kubernetes-apis.mjs'

const root = fileURLToPath(new URL('../', import.meta.url))
const workspace = path.join(root, 'src/effects/go.work')
/** The built-in Kubernetes APIs' table (go/kubeapis), for src/gitops/kubernetes/apis.ts. */
const KUBERNETES_APIS = path.join(root, 'dist/kubernetes/apis.json')
const tools = process.env.AMEIDE_TOOLS_DIR ?? path.join(root, '.tools')
const flag = (name) => (process.argv.includes(name) ? path.resolve(process.argv[process.argv.indexOf(name) + 1]) : '')
const references = {engine: flag('--engine-native'), kustomize: flag('--kustomize'), jsonnet: flag('--jsonnet')}
const say = (message) => process.stderr.write(`[build-wasm] ${message}\n`)

/** The Go release that builds both: go.work's `toolchain` line, fetched by any Go through the module proxy. */
const toolchain = /^toolchain (go\S+)$/m.exec(readFileSync(workspace, 'utf8'))?.[1] ?? 'auto'

/** The GOROOT of a toolchain fetched here (scripts/go-toolchain.mjs): set, so that no GOROOT of another Go is used. */
let fetchedRoot

/** Go's environment: this workspace, module mode, the go.sums as they are, the pinned toolchain, no cgo. */
const goEnv = (extra = {}) => ({
  ...process.env,
  ...(fetchedRoot ? {GOROOT: fetchedRoot} : {}),
  GOWORK: workspace,
  GOTOOLCHAIN: toolchain,
  GO111MODULE: 'on',
  GOFLAGS: '-mod=readonly',
  CGO_ENABLED: '0',
  GOEXPERIMENT: '',
  GOWASM: '',
  ...extra,
})

let go = [process.env.AMEIDE_GO, path.join(tools, 'bin/go'), 'go'].filter(Boolean).find((g) => {
  try {
    execFileSync(g, ['version'], {stdio: 'ignore', env: goEnv()})
    return true
  } catch {
    return false
  }
})

const run = (cwd, args, extra = {}) =>
  execFileSync(go, args, {cwd, env: goEnv(extra), encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit']})
const firstLine = (e) => String(e.message).split('\n')[0]

/** The modules a program links (path → version and go.sum's h1: hash), as Go resolves them in the workspace. */
function modulesOf(dir, overlay = {env: {}, flags: []}) {
  const format = '{{with .Module}}{{if not .Main}}{{.Path}} {{.Version}} {{.Sum}}{{end}}{{end}}'
  const args = ['list', ...overlay.flags, '-deps', '-f', format, '.']
  const lines = run(dir, args, {GOOS: 'js', GOARCH: 'wasm', ...overlay.env}).split('\n')
  const entries = [...new Set(lines.filter(Boolean))].sort().map((l) => l.split(' '))
  // A module replaced by its copy (the overlay below) has no sum of its own in the list: go.sum's, as without it.
  const sum = (p, version) => overlay.sums?.[`${p}@${version}`] ?? ''
  return Object.fromEntries(entries.map(([p, version, h1]) => [p, {version, sum: h1 || sum(p, version)}]))
}

/**
 * A program's overlay (its folder's _overlay/overlay.json, scripts/go-patches.mjs): files of pinned modules it is
 * built with in place of upstream's, each upstream's with our patch applied, through `go build -overlay`. Go refuses
 * to overlay files inside its module cache, so each module named there is copied from the module cache (which go.sum
 * verified) into dist/.go-overlay/, and a go.work there uses the same folders as the workspace's and replaces those
 * modules by their copies, by relative paths (the build information records them as written: any clone builds the
 * same bytes). Each upstream file must still have the sha256 recorded and its module the version: otherwise the
 * build stops, for the patch was made for another file. Files of the Go release itself (module "go") are replaced
 * where GOROOT has them (goFile, goRootOutsideModuleCache). Records copied into the program's own packages
 * (`into`) are copyUpstream's.
 */
function overlayOf(dir) {
  const replaced = recordsOf(dir).filter((file) => !file.into)
  if (replaced.length === 0) return {env: {}, flags: []}
  const work = path.join(root, 'dist/.go-overlay')
  rmSync(work, {recursive: true, force: true})
  mkdirSync(work, {recursive: true})
  const replace = {}
  const copies = new Map()
  const sums = {}
  for (const file of replaced) {
    if (file.module === 'go') {
      const upstream = goFile(dir, file)
      replace[upstream] = writePatched(dir, file, upstream)
      continue
    }
    const key = `${file.module}@${file.version}`
    if (!copies.has(key)) {
      const info = moduleAt(dir, file)
      const copy = path.join(work, key)
      cpSync(info.Dir, copy, {recursive: true})
      writable(copy)
      copies.set(key, {copy, upstream: info.Dir})
      sums[key] = info.Sum
    }
    const {copy, upstream} = copies.get(key)
    replace[path.join(copy, file.path)] = writePatched(dir, file, path.join(upstream, file.path))
  }
  const relative = (line) =>
    line.replace(/^(\s+)(\.\S*)$/, (_, s, p) => s + path.relative(work, path.resolve(path.dirname(workspace), p)))
  const lines = readFileSync(workspace, 'utf8').split('\n').map(relative)
  const replaces = [...copies.keys()].map((key) => `replace ${key.replace('@', ' ')} => ./${key}`)
  writeFileSync(path.join(work, 'go.work'), [...lines, ...replaces, ''].join('\n'))
  if (existsSync(`${workspace}.sum`)) copyFileSync(`${workspace}.sum`, path.join(work, 'go.work.sum'))
  writeFileSync(path.join(work, 'overlay.json'), JSON.stringify({Replace: replace}, null, 2))
  return {env: {GOWORK: path.join(work, 'go.work')}, flags: [`-overlay=${path.join(work, 'overlay.json')}`], sums}
}

/** A record's module in the module cache, which must be at the version recorded when the build list has it. */
function moduleAt(dir, file) {
  const key = `${file.module}@${file.version}`
  const info = JSON.parse(run(dir, ['mod', 'download', '-json', key]))
  if (file.into) return info // another module's internal/ package: not in the build list
  const listed = run(dir, ['list', '-m', '-f', '{{.Version}}', file.module]).trim()
  if (listed !== file.version)
    throw new Error(`_overlay/overlay.json was made for ${key}, the build list has ${listed}: run go-patches rebase`)
  return info
}

/**
 * Upstream files copied into the program's own packages (records with `into`, gitignored), with our patch: before
 * anything lists or builds the program's packages, and on every build (the copies are not in the repository).
 */
function copyUpstream(dir) {
  for (const file of recordsOf(dir).filter((f) => f.into))
    writePatched(dir, file, path.join(moduleAt(dir, file).Dir, file.path))
}

/**
 * A file of the Go release itself (module "go": its GOROOT) that an overlay replaces, checked as a module's is: the
 * release must be the one named, the file the one hashed. Go refuses to overlay files beneath its module cache, where
 * its toolchain switch unpacks a release: goRootOutsideModuleCache (below) then reaches the release through a link.
 */
function goFile(dir, file) {
  const release = run(dir, ['env', 'GOVERSION']).trim()
  if (release !== file.version)
    throw new Error(
      `_overlay/overlay.json was made for ${file.version}'s ${file.path}, the build uses ${release}: run go-patches rebase`,
    )
  return path.join(run(dir, ['env', 'GOROOT']).trim(), file.path)
}

/** Whether a program's overlay replaces files of the Go release itself. */
const overlaysGo = (dir) => recordsOf(dir).some((f) => f.module === 'go')

/**
 * A GOROOT whose files an overlay may replace: Go's own, or — when Go's toolchain switch unpacked the release into
 * its module cache, beneath which Go refuses any overlay (it compares the paths the overlay names) — the same
 * folder through a link from dist/. Nothing is copied or fetched; the build's bytes are the same either way.
 */
function goRootOutsideModuleCache() {
  const [goroot, cache] = ['GOROOT', 'GOMODCACHE'].map((v) => run(root, ['env', v]).trim())
  if (path.relative(cache, goroot).startsWith('..')) return
  const link = path.join(root, 'dist/.go-root')
  rmSync(link, {recursive: true, force: true})
  symlinkSync(goroot, link, 'junction')
  go = path.join(link, 'bin', process.platform === 'win32' ? 'go.exe' : 'go')
  fetchedRoot = link
}

/** The module cache's copies are read-only: the copy's folders are made writable so that the next build can remove it. */
function writable(dir) {
  chmodSync(dir, 0o755)
  for (const entry of readdirSync(dir, {withFileTypes: true}))
    if (entry.isDirectory()) writable(path.join(dir, entry.name))
}

/** The commit Helm's release was tagged at (its `helm version` names it), from the module proxy's record. */
function helmCommit(dir, version) {
  const origin = JSON.parse(run(dir, ['mod', 'download', '-json', `helm.sh/helm/v4@${version}`]))
  return JSON.parse(readFileSync(origin.Info, 'utf8')).Origin?.Hash ?? ''
}

/** The two programs: where their sources are, where they go, their link flags and what their record says. */
const programs = [
  {
    name: 'the ApplicationSet template engine',
    dir: path.join(root, 'src/effects/gotemplate/go'),
    out: path.join(root, 'dist/engine'),
    wasm: 'gotemplate.wasm',
    record: 'engine.json',
    required: process.env.AMEIDE_REQUIRE_ENGINE === '1',
    unavailable: 'ApplicationSets are reported render-unavailable',
    ldflags: () => ['-s', '-w', '-buildid='],
    describe: (modules) => ({engine: 'ameide-gotemplate/2', target: 'js/wasm', modules}),
    summary: (m) =>
      `sprig ${m['github.com/Masterminds/sprig/v3']?.version}, slug ${m['github.com/gosimple/slug']?.version}`,
  },
  {
    name: 'the render module',
    dir: path.join(root, 'src/effects/render-module/go'),
    out: path.join(root, 'dist/render-module'),
    wasm: 'render.wasm',
    record: 'render-module.json',
    required: process.env.AMEIDE_REQUIRE_RENDER_MODULE === '1',
    unavailable:
      'nothing renders: gitops verify --render, gitops diff and gitops preview report every kustomize root and chart render-unavailable',
    ldflags(modules) {
      const helm = modules['helm.sh/helm/v4'].version
      this.commit ??= helmCommit(this.dir, helm)
      return [
        // AMEIDE_WASM_SYMBOLS=1 keeps Go's symbols: a `--cpu-prof` of a render then names Go's functions.
        ...(process.env.AMEIDE_WASM_SYMBOLS === '1' ? [] : ['-s', '-w']),
        '-buildid=',
        `-X helm.sh/helm/v4/internal/version.version=${helm}`,
        `-X helm.sh/helm/v4/internal/version.gitCommit=${this.commit}`,
        '-X helm.sh/helm/v4/internal/version.gitTreeState=clean',
      ]
    },
    describe(modules) {
      const v = (p) => modules[p]?.version
      return {
        protocol: 'ameide-render/5',
        helm: `${v('helm.sh/helm/v4')}${this.commit ? `+g${this.commit.slice(0, 7)}` : ''}`,
        kustomize: v('sigs.k8s.io/kustomize/kustomize/v5') ?? v('sigs.k8s.io/kustomize/api'),
        jsonnet: v('github.com/google/go-jsonnet'),
        envsubst: v('github.com/fluxcd/pkg/envsubst'),
        modules,
      }
    },
    summary: (m) =>
      `helm ${m['helm.sh/helm/v4']?.version}, kustomize ${m['sigs.k8s.io/kustomize/kustomize/v5']?.version}`,
  },
]

/**
 * A digest of what a program is built from: its folder's files (its packages' folders included), go.work, the Go
 * release and the link flags.
 */
function inputsOf(program, goVersion, ldflags) {
  const h = createHash('sha256')
  for (const [label, file] of [
    ...readdirSync(program.dir, {recursive: true})
      .filter((f) => statSync(path.join(program.dir, f)).isFile())
      .sort()
      .map((f) => [f, path.join(program.dir, f)]),
    ['go.work', workspace],
  ])
    h.update(label).update('\0').update(readFileSync(file)).update('\0')
  return h.update(JSON.stringify({goVersion, ldflags})).digest('hex')
}

const upToDate = (program, inputs) => {
  try {
    const record = JSON.parse(readFileSync(path.join(program.out, program.record), 'utf8'))
    return (
      record.inputs === inputs &&
      existsSync(path.join(program.out, program.wasm)) &&
      existsSync(path.join(program.out, 'wasm_exec.js'))
    )
  } catch {
    return false // no record yet: build
  }
}

/** Builds one program unless its inputs are unchanged; throws with what went wrong. */
function build(program, goVersion, glue) {
  const ldflags = program.ldflags(modulesOf(program.dir)).join(' ')
  const inputs = inputsOf(program, goVersion, ldflags)
  if (upToDate(program, inputs)) return
  if (overlaysGo(program.dir)) goRootOutsideModuleCache()
  const overlay = overlayOf(program.dir)
  const modules = modulesOf(program.dir, overlay)
  mkdirSync(program.out, {recursive: true})
  const started = Date.now()
  const wasmFile = path.join(program.out, program.wasm)
  const tmp = `${wasmFile}.${process.pid}.tmp`
  say(`building ${program.name} with ${goVersion}: ${program.summary(modules)}`)
  run(program.dir, ['build', ...overlay.flags, '-trimpath', '-buildvcs=false', `-ldflags=${ldflags}`, '-o', tmp, '.'], {
    GOOS: 'js',
    GOARCH: 'wasm',
    ...overlay.env,
  })
  const bytes = readFileSync(tmp)
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  renameSync(tmp, wasmFile)
  writeFileSync(path.join(program.out, 'wasm_exec.js'), readFileSync(glue))
  const record = {...program.describe(modules), go: goVersion, sha256, bytes: bytes.byteLength, inputs}
  writeFileSync(path.join(program.out, program.record), `${JSON.stringify(record, null, 2)}\n`)
  const rel = path.relative(root, wasmFile)
  say(
    `built ${rel} (${(bytes.byteLength / 1e6).toFixed(1)} MB, sha256 ${sha256.slice(0, 12)}…) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  )
}

function notBuilt(program, why) {
  say(`${program.name} was NOT built: ${why}`)
  say(
    `fix: let the build reach the Go module proxy (GOPROXY; it fetches Go ${toolchain} itself), or install Go 1.21 or newer (https://go.dev/dl/), then npm run build`,
  )
  say(`until then ${program.unavailable}.`)
  return program.required
}

/** The differential tests' native references: built for this machine, then exit (1 when one fails). */
function buildReferences() {
  const [engine, render] = programs.map((p) => p.dir)
  const native = (dir, out, pkg) => run(dir, ['build', '-trimpath', '-buildvcs=false', '-o', out, pkg])
  if (references.engine) native(engine, references.engine, '.')
  if (references.kustomize) native(render, references.kustomize, 'sigs.k8s.io/kustomize/kustomize/v5')
  if (references.jsonnet) native(render, references.jsonnet, 'github.com/google/go-jsonnet/cmd/jsonnet')
}

/**
 * The native render helper (scripts/build-native.mjs): the render module's Go built for Linux with the `ameide_helper`
 * tag (go/main_helper.go: it confines itself, then answers requests on its stdin), with the same overlay and link flags
 * as render.wasm, so that Helm's code is the same in both. `--native-helper FILE [--goarch ARCH] [--tags EXTRA]`.
 */
const nativeHelper = flag('--native-helper')
if (nativeHelper) {
  if (!go) throw new Error('no Go on PATH: the native helper needs one')
  const program = programs[1]
  const arg = (name, fallback) =>
    process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback
  const tags = ['ameide_helper', ...arg('--tags', '').split(',').filter(Boolean)].join(',')
  const ldflags = program.ldflags(modulesOf(program.dir)).join(' ')
  if (overlaysGo(program.dir)) goRootOutsideModuleCache()
  const overlay = overlayOf(program.dir)
  const args = ['build', ...overlay.flags, `-tags=${tags}`, '-trimpath', '-buildvcs=false', `-ldflags=${ldflags}`]
  run(program.dir, [...args, '-o', nativeHelper, '.'], {
    GOOS: 'linux',
    GOARCH: arg('--goarch', 'amd64'),
    ...overlay.env,
  })
  process.exit(0)
}

if (Object.values(references).some(Boolean)) {
  if (!go) throw new Error('no Go on PATH: the differential references need one')
  buildReferences()
  process.exit(0)
}

/** The release `go` runs as, and Go's JavaScript glue; throws when it is not go.work's. */
function goRelease() {
  if (!go) throw new Error('no Go on PATH')
  const goVersion = run(root, ['env', 'GOVERSION']).trim()
  const goroot = run(root, ['env', 'GOROOT']).trim()
  const glue = ['lib/wasm/wasm_exec.js', 'misc/wasm/wasm_exec.js'].map((p) => path.join(goroot, p)).find(existsSync)
  if (!glue) throw new Error(`no wasm_exec.js under ${goroot}`)
  // A Go older than 1.21 knows no toolchain line: it would build with itself, or fail on go.work's `go` line.
  if (goVersion !== toolchain) throw new Error(`the Go on PATH is ${goVersion}, which does not switch to ${toolchain}`)
  return {goVersion, glue}
}

let failed = false
let goVersion, glue
try {
  ;({goVersion, glue} = goRelease())
} catch (own) {
  try {
    say(`${firstLine(own)}: ${toolchain} itself, from the Go module proxy (scripts/go-toolchain.mjs)`)
    go = await acquireToolchain({release: toolchain, say})
    fetchedRoot = path.dirname(path.dirname(go))
    ;({goVersion, glue} = goRelease())
  } catch (e) {
    for (const program of programs)
      failed = notBuilt(program, `Go ${toolchain} is not available (${firstLine(own)}; ${firstLine(e)})`) || failed
    process.exit(failed ? 1 : 0)
  }
}
for (const program of programs) {
  try {
    copyUpstream(program.dir)
    build(program, goVersion, glue)
  } catch (e) {
    failed = notBuilt(program, `Go could not build it (${firstLine(e)})`) || failed
  }
}
// The built-in Kubernetes APIs and their releases (go/kubeapis: k8s.io/api's own lifecycle, scripts/kubernetes-apis.mjs),
// which the gate reads to say what a cluster of each minor serves (src/gitops/kubernetes/apis.ts).
try {
  const table = kubernetesApis(run, (dir, args) => run(dir, args, {GOWORK: 'off'}), programs[1].dir)
  mkdirSync(path.dirname(KUBERNETES_APIS), {recursive: true})
  if (!existsSync(KUBERNETES_APIS) || readFileSync(KUBERNETES_APIS, 'utf8') !== table)
    writeFileSync(KUBERNETES_APIS, table)
} catch (e) {
  failed = notBuilt(programs[1], `the Kubernetes API table could not be made (${firstLine(e)})`) || failed
}
// The licences of the Go compiled in, for the third-party notices (scripts/notices.mjs).
try {
  const goOut = (args) => run(path.dirname(workspace), args)
  writeFileSync(GO_LICENCES, `${JSON.stringify(goEntries(goOut), null, 2)}\n`)
} catch (e) {
  failed = notBuilt(programs[1], `its licences could not be read (${firstLine(e)})`) || failed
}
process.exit(failed ? 1 : 0)
