#!/usr/bin/env node
// The sandbox's cost per renderer run (issue 49, goal ≤ 10 ms): the same `kustomize build` and `helm template` run
// bare, under prlimit alone, and inside bubblewrap with the limits — exactly the command line ameide builds
// (dist/effects/sandbox.js, dist/effects/limits.js) — interleaved, medians side by side; `/usr/bin/true` as the floor.
// Usage: bench/sandbox.mjs [runs]   (needs a build: npm run build; kustomize and helm on PATH, bubblewrap)
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {cpus, loadavg, tmpdir} from 'node:os'
import path from 'node:path'
import {performance} from 'node:perf_hooks'

import {kernelLimits, RENDER_LIMITS} from '../dist/effects/limits.js'
import {allowListedEnv} from '../dist/effects/isolated-env.js'
import {findOnPath, probeSandbox, sandboxed} from '../dist/effects/sandbox.js'

const runs = Number(process.argv[2] ?? 21)
const probe = await probeSandbox()
if (!probe.available) {
  console.error(`no sandbox here: ${probe.reason}`)
  process.exit(3)
}
const work = mkdtempSync(path.join(tmpdir(), 'ameide-bench-sandbox-'))
const home = path.join(work, 'home')
mkdirSync(home)
const k = path.join(work, 'k')
mkdirSync(k)
writeFileSync(path.join(k, 'kustomization.yaml'), 'resources: [cm.yaml]\n')
writeFileSync(path.join(k, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n')
const chart = path.join(work, 'chart')
mkdirSync(path.join(chart, 'templates'), {recursive: true})
writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: c\nversion: 0.1.0\n')
writeFileSync(path.join(chart, 'templates', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n')

const env = allowListedEnv(home)
const limits = kernelLimits(RENDER_LIMITS)
const variants = (binary, args, cwd) => {
  const file = findOnPath(binary)
  const box = sandboxed(probe, file, args, {paths: {readOnly: [work], writable: [home]}, env, cwd})
  return {
    bare: [file, args, cwd],
    prlimit: [limits[0], [...limits.slice(1), file, ...args], cwd],
    sandboxed: [limits[0], [...limits.slice(1), box.file, ...box.args], cwd],
  }
}
const cases = {
  true: variants('/usr/bin/true', [], work),
  'kustomize build': variants('kustomize', ['build', k], work),
  'helm template': variants('helm', ['template', 'c', '.'], chart),
}
const times = {}
for (let round = -2; round < runs; round++) {
  for (const [name, v] of Object.entries(cases)) {
    for (const [how, [file, args, cwd]] of Object.entries(v)) {
      const t0 = performance.now()
      const r = spawnSync(file, args, {env, cwd, stdio: ['ignore', 'pipe', 'pipe']})
      const ms = performance.now() - t0
      if (r.status !== 0) throw new Error(`${name} (${how}) failed: ${r.stderr}`)
      if (round >= 0) ((times[name] ??= {})[how] ??= []).push(ms)
    }
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
console.log(
  `sandbox: ${probe.kind} ${probe.version}; ${runs} interleaved runs each, medians; ${cpus().length} CPUs, load ${loadavg()[0].toFixed(2)}`,
)
console.log('run                 bare      prlimit   sandboxed   sandbox cost   goal')
for (const [name, t] of Object.entries(times)) {
  const [b, p, s] = [median(t.bare), median(t.prlimit), median(t.sandboxed)]
  const cost = s - b
  console.log(
    `${name.padEnd(18)}${b.toFixed(1).padStart(6)} ms${p.toFixed(1).padStart(8)} ms${s.toFixed(1).padStart(9)} ms${`+${cost.toFixed(1)} ms`.padStart(14)}   ≤ +10 ms ${cost <= 10 ? '✓' : '✗'}`,
  )
}
rmSync(work, {recursive: true, force: true})
