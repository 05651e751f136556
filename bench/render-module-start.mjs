#!/usr/bin/env node
// What the render module's start costs, step by step, and what of it is Go's on WebAssembly at all: each start in a
// fresh process, interleaved, medians of N runs.
//   module   dist/render-module/render.wasm (Helm, kustomize, jsonnet): read + WebAssembly.compile, instantiate, Go's
//            init up to the handler (every package's init), then the first `helm template` of a small chart and the
//            first `kustomize build` of a small overlay (what the first render pays: code compiled on first call)
//   hello    a Go program that registers the same handler and nothing else (Go's runtime alone), built here with the
//            Go that built the module
//   node     `node -e 0`, the process floor
// CPU is the process's (every thread: V8's compiler threads included) up to the end of the first renders; RSS its peak.
//   node bench/render-module-start.mjs [runs=5] [--variant 'label|file.wasm|--v8-flag …'] …
// (after npm run build; Go on PATH). The module runs with the V8 flags the product sets before its first compile
// (MODULE_V8_FLAGS, effects/render-module/host.ts). A variant is another build of the module, or the same one under
// node/V8 flags of its own instead (V8's defaults: '--wasm-tiering-budget=13000000'), measured interleaved with the
// rest: how each attempt of docs/performance.md was measured.
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {performance} from 'node:perf_hooks'
import {fileURLToPath} from 'node:url'

const args = process.argv.slice(2)
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 5)
const root = fileURLToPath(new URL('../', import.meta.url))
const moduleDir = path.join(root, 'dist/render-module')
const work = mkdtempSync(path.join(os.tmpdir(), 'ameide-bench-start-'))

// Go's runtime alone: the handler registered, nothing imported.
writeFileSync(path.join(work, 'go.mod'), 'module hello\n\ngo 1.25\n')
writeFileSync(
  path.join(work, 'main.go'),
  'package main\n\nimport "syscall/js"\n\nfunc main() {\n\tjs.Global().Set("ameideRender", js.FuncOf(func(js.Value, []js.Value) any { return "" }))\n\tselect {}\n}\n',
)
const hello = path.join(work, 'hello.wasm')
execFileSync('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', hello, '.'], {
  cwd: work,
  // The render module's Go release, whatever Go is on PATH (its toolchain through the module proxy).
  env: {...process.env, GOOS: 'js', GOARCH: 'wasm', GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'go1.26.8'},
})

// What the first renders read: a small chart (a helper, values, two templates) and a small overlay.
const files = {
  'chart/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\nappVersion: "1.0"\n',
  'chart/values.yaml': 'replicas: 2\nimage: {repository: nginx, tag: "1.27"}\nservice: {port: 80}\n',
  'chart/templates/_helpers.tpl':
    '{{- define "web.labels" -}}\napp.kubernetes.io/name: {{ .Chart.Name }}\napp.kubernetes.io/instance: {{ .Release.Name }}\n{{- end }}\n',
  'chart/templates/deployment.yaml':
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n  labels: {{- include "web.labels" . | nindent 4 }}\nspec:\n  replicas: {{ .Values.replicas }}\n  selector:\n    matchLabels: {{- include "web.labels" . | nindent 6 }}\n  template:\n    metadata:\n      labels: {{- include "web.labels" . | nindent 8 }}\n    spec:\n      containers:\n        - name: web\n          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"\n',
  'chart/templates/service.yaml':
    'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  ports: [{port: {{ .Values.service.port }}}]\n  selector: {{- include "web.labels" . | nindent 4 }}\n',
  'base/kustomization.yaml': 'resources: [deployment.yaml]\n',
  'base/deployment.yaml':
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers: [{name: web, image: nginx:1.27}]\n',
  'overlay/kustomization.yaml':
    'resources: [../base]\nnamePrefix: prod-\nlabels: [{pairs: {env: prod}, includeSelectors: true}]\nimages: [{name: nginx, newTag: "1.28"}]\n',
}
for (const [file, text] of Object.entries(files)) {
  mkdirSync(path.dirname(path.join(work, file)), {recursive: true})
  writeFileSync(path.join(work, file), text)
}

// One start, in its own process: the times and the CPU it took, as JSON on stdout. The renders read the bench's
// folder from the worker's in-memory file system (dist/effects/render-module/memfs.js), as in the product.
const probe = `
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {setFlagsFromString} from 'node:v8'
import {MemFs} from ${JSON.stringify(path.join(root, 'dist/effects/render-module/memfs.js'))}
import {snapshotOf} from ${JSON.stringify(path.join(root, 'dist/effects/render-module/tree.js'))}
const [wasm, work, renders, v8Flags] = process.argv.slice(2)
// The product's V8 flags (effects/render-module/host.ts), as it sets them before the first compile; none for a
// variant that names its own.
for (const flag of v8Flags ? JSON.parse(v8Flags) : []) setFlagsFromString(flag)
globalThis.fs = new MemFs([snapshotOf(work)], (fd, bytes) => process.stderr.write(bytes))
createRequire(import.meta.url)(${JSON.stringify(path.join(moduleDir, 'wasm_exec.js'))})
const cpu0 = process.cpuUsage(), t0 = performance.now()
const render = (command) => {
  const t = performance.now()
  const answer = JSON.parse(globalThis.ameideRender(JSON.stringify({...command, outputLimit: 0, objectLimit: 0})))
  if (answer.exit !== 0) throw new Error(JSON.stringify(command) + ': ' + answer.stderr)
  return performance.now() - t
}
const module = await WebAssembly.compile(readFileSync(wasm))
const t1 = performance.now()
const go = new Go()
go.env = {}
const instance = await WebAssembly.instantiate(module, go.importObject)
const t2 = performance.now()
go.run(instance)
while (!globalThis.ameideRender) await new Promise((r) => setTimeout(r, 1))
const t3 = performance.now()
const helm = renders ? render({helmTemplate: {release: 'rel', chart: work + '/chart'}}) : 0
const kustomize = renders ? render({kustomizeBuild: {dir: work + '/overlay'}}) : 0
const cpu = process.cpuUsage(cpu0)
console.log(JSON.stringify({compile: t1 - t0, instantiate: t2 - t1, init: t3 - t2, helm, kustomize,
  cpu: (cpu.user + cpu.system) / 1000, rss: process.resourceUsage().maxRSS / 1024}))
process.exit(0)
`
const probeFile = path.join(work, 'probe.mjs')
writeFileSync(probeFile, probe)

/** label|file.wasm|flags: the module by default, then each --variant. */
const variants = [{label: 'module (its V8 flags)', wasm: path.join(moduleDir, 'render.wasm'), flags: [], renders: true}]
for (let i = args.indexOf('--variant'); i >= 0; i = args.indexOf('--variant', i + 1)) {
  const [label, wasm, flags = ''] = args[i + 1].split('|')
  variants.push({
    label,
    wasm: path.resolve(wasm || variants[0].wasm),
    flags: flags.split(' ').filter(Boolean),
    renders: true,
  })
}
variants.push({label: 'hello (Go alone)', wasm: hello, flags: [], renders: false})

const {MODULE_V8_FLAGS} = await import(path.join(root, 'dist/effects/render-module/host.js'))
const productFlags = (v) => (v.flags.length === 0 && v.renders ? JSON.stringify(MODULE_V8_FLAGS) : '')
const start = (v) =>
  JSON.parse(
    execFileSync(process.execPath, [...v.flags, probeFile, v.wasm, work, v.renders ? '1' : '', productFlags(v)], {
      encoding: 'utf8',
    }),
  )
const floor = () => {
  const t = performance.now()
  spawnSync(process.execPath, ['-e', '0'])
  return performance.now() - t
}
const samples = variants.map(() => [])
const node = []
const loads = []
for (let i = 0; i < runs; i++) {
  loads.push(os.loadavg()[0])
  variants.forEach((v, n) => samples[n].push(start(v)))
  node.push(floor())
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const col = (t, w = 7) => t.toFixed(0).padStart(w)
const size = (file) => `${(readFileSync(file).length / 1e6).toFixed(1)} MB`
console.log(
  `load ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}, ${os.availableParallelism()} CPUs, ${runs} runs each, medians (ms; RSS MB)`,
)
console.log(`${''.padEnd(34)}compile  inst.   init  start   helm  kust.  total    CPU    RSS`)
variants.forEach((v, n) => {
  const s = samples[n]
  const m = (key) => median(s.map((x) => x[key]))
  const startMs = median(s.map((x) => x.compile + x.instantiate + x.init))
  const total = median(s.map((x) => x.compile + x.instantiate + x.init + x.helm + x.kustomize))
  console.log(
    `${`${v.label} ${size(v.wasm)}`.slice(0, 33).padEnd(33)}${col(m('compile'), 8)}${col(m('instantiate'))}${col(m('init'))}${col(startMs)}${col(m('helm'))}${col(m('kustomize'))}${col(total)}${col(m('cpu'))}${col(m('rss'))}`,
  )
})
console.log(`${'node -e 0'.padEnd(33)}${' '.repeat(29)}${col(median(node))}`)
