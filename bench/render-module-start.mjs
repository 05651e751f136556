#!/usr/bin/env node
// What the render module's start costs, and what of it is Go's on WebAssembly at all: each in a fresh process,
// interleaved, medians of N runs.
//   module   dist/render-module/render.wasm (Helm, kustomize, jsonnet): read + compile, then Go's init up to the
//            handler (every package's init: client-go's scheme, Helm's schema validator, kustomize's …)
//   hello    a Go program that registers the same handler and nothing else (Go's runtime alone), built here with the
//            Go that built the module
//   node     `node -e 0`, the process floor
//   node bench/render-module-start.mjs [runs=5]     (after npm run build; Go on PATH)
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {performance} from 'node:perf_hooks'
import {fileURLToPath} from 'node:url'

const runs = Number(process.argv[2] ?? 5)
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

// One start, in its own process: the times and the CPU it took, as JSON on stdout.
const probe = `
globalThis.fs = require('node:fs')
require(${JSON.stringify(path.join(moduleDir, 'wasm_exec.js'))})
const cpu0 = process.cpuUsage(), t0 = performance.now()
;(async () => {
  const module = await WebAssembly.compile(require('node:fs').readFileSync(process.argv[2]))
  const compiled = performance.now()
  const go = new Go()
  go.env = {}
  go.run(await WebAssembly.instantiate(module, go.importObject))
  while (!globalThis.ameideRender) await new Promise((r) => setTimeout(r, 1))
  const cpu = process.cpuUsage(cpu0)
  console.log(JSON.stringify({compile: compiled - t0, init: performance.now() - compiled, cpu: (cpu.user + cpu.system) / 1000}))
  process.exit(0)
})()`
const probeFile = path.join(work, 'probe.cjs')
writeFileSync(probeFile, probe)

const start = (wasm) => JSON.parse(execFileSync(process.execPath, [probeFile, wasm], {encoding: 'utf8'}))
const floor = () => {
  const t = performance.now()
  spawnSync(process.execPath, ['-e', '0'])
  return performance.now() - t
}
const samples = {module: [], hello: [], node: []}
for (let i = 0; i < runs; i++) {
  samples.module.push(start(path.join(moduleDir, 'render.wasm')))
  samples.hello.push(start(hello))
  samples.node.push(floor())
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const ms = (t) => `${t.toFixed(0).padStart(6)} ms`
const size = (file) => `${(readFileSync(file).length / 1e6).toFixed(1)} MB`
console.log(`load ${os.loadavg()[0].toFixed(1)}, ${os.availableParallelism()} CPUs, ${runs} runs each, medians`)
console.log('                      compile     Go init      total     CPU')
for (const [name, file] of [
  ['module', path.join(moduleDir, 'render.wasm')],
  ['hello (Go alone)', hello],
]) {
  const s = samples[name.split(' ')[0]]
  const total = s.map((x) => x.compile + x.init)
  console.log(
    `${`${name} ${size(file)}`.padEnd(22)}${ms(median(s.map((x) => x.compile)))}  ${ms(median(s.map((x) => x.init)))}  ${ms(median(total))}  ${ms(median(s.map((x) => x.cpu)))}`,
  )
}
console.log(`${'node -e 0'.padEnd(22)}${' '.repeat(32)}${ms(median(samples.node))}`)
