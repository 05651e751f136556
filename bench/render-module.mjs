#!/usr/bin/env node
// The render module (Helm 4.1.4 and kustomize 5.8.1 as WebAssembly, dist/render-module) against the native binaries
// of the same versions, side by side in one run, process start included: every kustomization and chart of the
// gitops-real corpus (shared/corpora/gitops-real), rendered once by each. The floor: `node -e 0`.
//   node bench/render-module.mjs [CORPUS_DIR]     (after npm run build; helm = Helm 4.1.4 on PATH)
// Prints: the module's start (compile + Go's init, once per process), its renders, the binaries' renders (one process
// each), and the ratio.
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, readdirSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {performance} from 'node:perf_hooks'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../', import.meta.url))
const corpus = process.argv[2] ?? path.join(root, '../shared/corpora/gitops-real')
const work = mkdtempSync(path.join(os.tmpdir(), 'ameide-bench-module-'))
for (const a of ['corpus.tar.gz', 'charts.tar.gz']) execFileSync('tar', ['-xzf', path.join(corpus, a), '-C', work])
const kustomize = path.join(work, 'kustomize')
execFileSync(process.execPath, [path.join(root, 'scripts/build-wasm.mjs'), '--kustomize', kustomize])

const find = (dir, name) =>
  readdirSync(dir, {withFileTypes: true}).flatMap((e) =>
    e.isDirectory() ? find(path.join(dir, e.name), name) : e.name === name ? [dir] : [],
  )
const kustomizations = find(path.join(work, 'corpus'), 'kustomization.yaml')
const charts = find(path.join(work, 'charts'), 'Chart.yaml')
const jobs = [
  ...kustomizations.map((dir) => ({tool: kustomize, args: ['build', dir], cwd: dir, root: path.join(work, 'corpus')})),
  ...charts.map((dir) => ({tool: 'helm', args: ['template', 'rel', '.'], cwd: dir, root: dir})),
]

const ms = (t) => `${t.toFixed(0)} ms`
let t = performance.now()
spawnSync(process.execPath, ['-e', '0'])
const floor = performance.now() - t

t = performance.now()
for (const j of jobs) spawnSync(j.tool, j.args, {cwd: j.cwd, maxBuffer: 1 << 28})
const nativeMs = performance.now() - t

const {sharedRenderModule} = await import(path.join(root, 'dist/effects/render-module/host.js'))
const module = sharedRenderModule()
t = performance.now()
await module.run({roots: [work], files: {}, cwd: '/', commands: [['version']]})
const start = performance.now() - t
t = performance.now()
for (const j of jobs)
  await module.run({
    roots: [j.root],
    files: {},
    cwd: j.cwd,
    commands: [j.tool === 'helm' ? {helmTemplate: {release: 'rel', chart: '.'}} : {kustomizeBuild: {dir: j.cwd}}],
  })
const moduleMs = performance.now() - t

console.log(
  `corpus: ${kustomizations.length} kustomizations, ${charts.length} charts; load ${os.loadavg()[0].toFixed(1)}`,
)
console.log(`node -e 0                         ${ms(floor)}`)
console.log(`binaries (one process each)       ${ms(nativeMs)}`)
console.log(`module start (once per process)   ${ms(start)}`)
console.log(`module renders                    ${ms(moduleMs)}`)
console.log(`module / binaries, start included ${((start + moduleMs) / nativeMs).toFixed(2)}×`)
console.log(`module / binaries, renders only   ${(moduleMs / nativeMs).toFixed(2)}×`)
process.exit(0)
