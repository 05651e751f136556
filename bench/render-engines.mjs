#!/usr/bin/env node
// The render module's two engines for `helm template` side by side (issue 82): the native helper (confined by its own
// seccomp filter, src/effects/render-module/native.ts) and the WebAssembly module (AMEIDE_RENDER_ENGINE=wasm), on a
// Helm pull-request job — `ameide gitops verify --render --no-cache` of two real charts (podinfo's charts/podinfo
// with values-prod.yaml, microservices-demo's helm-chart: shared/corpora/gitops-real/charts.tar.gz unpacked), each
// deployed by an Argo CD Application — beside its floors: bare `helm template` of the same two deployables one after
// the other (Argo CD's repo-server's flags) and `node -e 0`. Every figure is of the whole process tree
// (bench/tree-time.py: the native helpers, which outlive the CLI by a moment, are reaped and counted); medians of
// interleaved runs.
// Usage: node bench/render-engines.mjs CHARTS_DIR [runs=5]   (needs a build with the native helper, helm, python3)
import {rmSync} from 'node:fs'
import {cpus, loadavg} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {bareArgs, deployables, helmJobRepo, run} from './helm-job.mjs'

const [chartsDir, runsArg] = process.argv.slice(2)
if (!chartsDir) {
  console.error('usage: node bench/render-engines.mjs CHARTS_DIR [runs]')
  process.exit(2)
}
const runs = Number(runsArg ?? 5)
const cli = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const treeTime = fileURLToPath(new URL('./tree-time.py', import.meta.url))

/** One command under tree-time.py (`exits`: its exit codes that are no failure; verify's findings exit 1): wall, CPU of the whole tree (s), peak RSS of the command and of any other (MB). */
function timed(args, opts = {}, exits = [0]) {
  const r = run('python3', [treeTime, ...args], opts)
  if (!exits.includes(r.status)) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`)
  const [wall, user, sys, rss, other] = r.stderr.trim().split('\n').at(-1).split(' ').map(Number)
  return {wall, cpu: user + sys, rss: rss / 1024, other: other / 1024, stdout: r.stdout}
}

const repo = helmJobRepo(chartsDir, 'ameide-bench-engines-')
try {
  const verify = (engine) => () => {
    const env = {...process.env, ...(engine === 'wasm' ? {AMEIDE_RENDER_ENGINE: 'wasm'} : {})}
    const got = timed(['node', cli, 'gitops', 'verify', '--render', '--no-cache', '--json'], {cwd: repo, env}, [0, 1])
    const tools = JSON.parse(got.stdout).render.tools
    if (engine === 'native' && tools.engine !== 'native (seccomp)') throw new Error(`not native: ${tools.engine}`)
    return {...got, engine: tools.engine}
  }
  const cases = {
    'node -e 0': () => timed(['node', '-e', '0']),
    'bare helm template, the two deployables one after the other': () => {
      const all = deployables.map((d) => timed(['helm', ...bareArgs(d)], {cwd: path.join(repo, d.chart)}))
      return {
        wall: all[0].wall + all[1].wall,
        cpu: all[0].cpu + all[1].cpu,
        rss: Math.max(all[0].rss, all[1].rss),
        other: 0,
      }
    },
    'gitops verify (no --render)': () =>
      timed(['node', cli, 'gitops', 'verify', '--no-cache', '--json'], {cwd: repo}, [0, 1]),
    'gitops verify --render --no-cache, native': verify('native'),
    'gitops verify --render --no-cache, wasm': verify('wasm'),
  }
  const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
  const load = [loadavg()[0]]
  for (let i = 0; i < runs; i++) {
    for (const [label, fn] of Object.entries(cases)) samples[label].push(fn())
    load.push(loadavg()[0])
  }
  const median = (xs, k) => xs.map((x) => x[k]).sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const bare = 'bare helm template, the two deployables one after the other'
  console.log(
    `node ${process.version}, ${cpus().length} CPU(s); median of ${runs} interleaved run(s); ` +
      `load average ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)}`,
  )
  console.log('| run | wall | CPU (whole tree) | peak RSS (CLI / helper) | wall ÷ bare helm | CPU ÷ bare helm |')
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |')
  for (const [label, xs] of Object.entries(samples)) {
    const [w, c] = [median(xs, 'wall'), median(xs, 'cpu')]
    const rss = `${median(xs, 'rss').toFixed(0)}${median(xs, 'other') ? ` / ${median(xs, 'other').toFixed(0)}` : ''} MB`
    console.log(
      `| ${label} | ${w.toFixed(2)} s | ${c.toFixed(2)} s | ${rss} | ${(w / median(samples[bare], 'wall')).toFixed(2)}× | ${(c / median(samples[bare], 'cpu')).toFixed(2)}× |`,
    )
  }
} finally {
  rmSync(repo, {recursive: true, force: true})
}
