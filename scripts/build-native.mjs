#!/usr/bin/env node
// Builds the native render helpers (run by `npm run build`, after scripts/build-wasm.mjs): the render module's Go
// (src/effects/render-module/go) with the `ameide_helper` tag for Linux x64 and arm64 — the same workspace, overlay
// and link flags as render.wasm (build-wasm.mjs --native-helper), -trimpath, no build id: the same bytes from any
// clone. Each is written to dist/render-module/native/render-native-linux-<arch>; dist/render-module/native.json
// records its sha256 and size, which the host (src/effects/render-module/native.ts) checks before it starts one.
// Nothing is rebuilt when the render module's inputs (render-module.json's digest) are unchanged. When the helpers
// cannot be built it says so and exits 0: `helm template` then renders in the WebAssembly module, which says why.
// The npm package and the release tarball ship both, each checked by its sha256 before it starts: `npm pack` and
// `npm publish` (npm_command) and scripts/release.mjs build both (Go cross-builds the other; minutes of CPU the first
// time, seconds from Go's cache). Any other build makes only this machine's helper (Linux x64 or arm64; elsewhere
// none: no confinement proven there). AMEIDE_NATIVE_ARCHS chooses (`x64`, `arm64`, `x64,arm64`; `none`: WebAssembly only).
// AMEIDE_REQUIRE_NATIVE=1 (scripts/release.mjs) makes a helper that cannot be built an error.
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../', import.meta.url))
const out = path.join(root, 'dist/render-module')
const recordFile = path.join(out, 'native.json')
const say = (message) => process.stderr.write(`[build-native] ${message}\n`)
const PROTOCOL = 'ameide-render-native/1'
const goarch = {x64: 'amd64', arm64: 'arm64'}
const own = process.platform === 'linux' && goarch[process.arch] ? process.arch : ''
const packing = ['pack', 'publish'].includes(process.env.npm_command ?? '')
const archs = (process.env.AMEIDE_NATIVE_ARCHS ?? (packing ? 'x64,arm64' : own)).split(',').filter((a) => goarch[a])
const required = process.env.AMEIDE_REQUIRE_NATIVE === '1'
if (archs.length === 0) {
  say('no native helper built (AMEIDE_NATIVE_ARCHS): helm template renders in WebAssembly')
  process.exit(required ? 1 : 0)
}

const read = (file) => {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return undefined
  }
}

const module = read(path.join(out, 'render-module.json'))
if (!module?.inputs) {
  say('the render module is not built: no native helper either (helm template renders nowhere until it is)')
  process.exit(required ? 1 : 0)
}
const inputs = createHash('sha256')
  .update(JSON.stringify({module: module.inputs, protocol: PROTOCOL, archs}))
  .digest('hex')
const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex')
const previous = read(recordFile)
const current =
  previous?.inputs === inputs &&
  archs.every((a) => previous.helpers?.[`linux-${a}`]) &&
  Object.values(previous.helpers ?? {}).every(
    (h) => existsSync(path.join(out, h.file)) && sha256(path.join(out, h.file)) === h.sha256,
  )
if (current) process.exit(0)

const helpers = {}
mkdirSync(path.join(out, 'native'), {recursive: true})
for (const arch of archs) {
  const file = `native/render-native-linux-${arch}`
  const target = path.join(out, file)
  const tmp = `${target}.${process.pid}.tmp`
  const started = Date.now()
  try {
    execFileSync(
      process.execPath,
      [path.join(root, 'scripts/build-wasm.mjs'), '--native-helper', tmp, '--goarch', goarch[arch]],
      {stdio: ['ignore', 'inherit', 'inherit']},
    )
  } catch (e) {
    rmSync(tmp, {force: true})
    say(
      `the linux-${arch} helper was NOT built (${String(e.message).split('\n')[0]}): helm template renders in WebAssembly there`,
    )
    if (required) process.exit(1)
    continue
  }
  renameSync(tmp, target)
  const bytes = readFileSync(target).byteLength
  helpers[`linux-${arch}`] = {file, sha256: sha256(target), bytes}
  say(
    `built dist/render-module/${file} (${(bytes / 1e6).toFixed(1)} MB, sha256 ${helpers[`linux-${arch}`].sha256.slice(0, 12)}…) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  )
}
// A helper of an arch not built now (AMEIDE_NATIVE_ARCHS narrowed) is not left beside the record to be packed.
for (const arch of Object.keys(goarch))
  if (!helpers[`linux-${arch}`]) rmSync(path.join(out, `native/render-native-linux-${arch}`), {force: true})
// The API server's validation release the helpers link (go/validate.go; not in render.wasm): go.mod's requirement.
const goMod = readFileSync(path.join(root, 'src/effects/render-module/go/go.mod'), 'utf8')
const apiextensions = /^\s*k8s\.io\/apiextensions-apiserver (v\S+)/m.exec(goMod)?.[1]
writeFileSync(
  recordFile,
  `${JSON.stringify({protocol: PROTOCOL, go: module.go, apiextensions, helpers, inputs}, null, 2)}\n`,
)
