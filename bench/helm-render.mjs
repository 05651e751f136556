#!/usr/bin/env node
// `ameide gitops verify --render` over real Helm charts (podinfo's charts/podinfo, microservices-demo's helm-chart,
// from shared/corpora/gitops-real/charts.tar.gz unpacked outside the repository), each deployed by an Argo CD
// Application of this script's own in a temporary GitOps repository:
//   1. the images --render reports beside an independent count (`helm template … | node bench/helm-count-images.mjs`);
//   2. bare `helm template` of the same deployables (one after the other) beside `gitops verify` without --render,
//      `--render` cold (--no-cache) and warm (cache primed): medians of interleaved runs.
// Usage: node bench/helm-render.mjs CHARTS_DIR [runs]   (CHARTS_DIR: the tarball's charts/ folder; needs a build, helm)
import {spawn} from 'node:child_process'
import {rmSync} from 'node:fs'
import {cpus, loadavg} from 'node:os'
import path from 'node:path'
import {performance} from 'node:perf_hooks'
import {fileURLToPath} from 'node:url'

import {bareArgs, deployables, helmJobRepo, run} from './helm-job.mjs'

const [chartsDir, runsArg] = process.argv.slice(2)
if (!chartsDir) {
  console.error('usage: node bench/helm-render.mjs CHARTS_DIR [runs]')
  process.exit(2)
}
const runs = Number(runsArg ?? 5)
const cli = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const counter = fileURLToPath(new URL('./helm-count-images.mjs', import.meta.url))

const repo = helmJobRepo(chartsDir, 'ameide-bench-helm-')
try {
  const bare = (d) => run('helm', bareArgs(d), {cwd: path.join(repo, d.chart)})
  const bareConcurrent = () =>
    Promise.all(
      deployables.map(
        (d) =>
          new Promise((resolve) => {
            const child = spawn('helm', bareArgs(d), {cwd: path.join(repo, d.chart), stdio: ['ignore', 'pipe', 'pipe']})
            child.stdout.resume()
            child.stderr.resume()
            child.on('close', resolve)
          }),
      ),
    )

  // 1. images: --render against the independent count.
  const verify = run('node', [cli, 'gitops', 'verify', '--render', '--no-cache', '--json'], {cwd: repo})
  const result = JSON.parse(verify.stdout)
  console.log(
    `helm ${result.render.tools.helm}, kustomize ${result.render.tools.kustomize}; node ${process.version}, ${cpus().length} CPU(s)`,
  )
  console.log(
    '| Deployable | Chart | Containers (independent) | Containers (--render) | Same images | image findings |',
  )
  console.log('|---|---|---|---|---|---|')
  for (const d of deployables) {
    const out = bare(d)
    if (out.status !== 0) throw new Error(out.stderr)
    const count = run('node', [counter], {input: out.stdout})
    const independent = count.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [kind, name, container, image] = l.split(' ')
        // Test hook pods are named with randAlphaNum: a fresh render names them anew (Argo CD docs, "Random Data").
        return `${kind} ${name.replace(/-[a-z0-9]{5}$/, '-*')} ${container} ${image}`
      })
      .sort()
    const mine = result.render.images
      .filter((i) => i.application === d.name)
      .map((i) => `${i.object.kind} ${i.object.name.replace(/-[a-z0-9]{5}$/, '-*')} ${i.object.container} ${i.image}`)
      .sort()
    const same = JSON.stringify(independent) === JSON.stringify(mine)
    const findings = result.findings.filter(
      (f) => f.application === d.name && /image-not-pinned|floating-tag/.test(f.rule),
    )
    console.log(
      `| ${d.name} | ${d.from} | ${independent.length} | ${mine.length} | ${same ? 'yes' : 'NO'} | ${findings.length} |`,
    )
    if (!same) console.log({independent, mine})
  }

  // 2. timing, interleaved, medians.
  const cases = {
    'bare helm template (each deployable)': () => deployables.forEach((d) => bare(d)),
    'bare helm template (side by side)': bareConcurrent,
    'gitops verify (no --render)': () => run('node', [cli, 'gitops', 'verify', '--no-cache', '--json'], {cwd: repo}),
    'gitops verify --render, cold (--no-cache)': () =>
      run('node', [cli, 'gitops', 'verify', '--render', '--no-cache', '--json'], {cwd: repo}),
    'gitops verify --render, warm': () => run('node', [cli, 'gitops', 'verify', '--render', '--json'], {cwd: repo}),
  }
  run('node', [cli, 'gitops', 'verify', '--render', '--json'], {cwd: repo}) // prime the cache
  const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
  for (let i = 0; i < runs; i++) {
    for (const [label, fn] of Object.entries(cases)) {
      const t = performance.now()
      await fn()
      samples[label].push(performance.now() - t)
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const [b, side, plain, cold, warm] = Object.keys(cases).map((l) => median(samples[l]))
  console.log(
    `\nmedian of ${runs} interleaved runs (load average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')})`,
  )
  for (const label of Object.keys(cases))
    console.log(`${label.padEnd(44)} ${median(samples[label]).toFixed(0).padStart(7)} ms`)
  const warmRun = JSON.parse(run('node', [cli, 'gitops', 'verify', '--render', '--json'], {cwd: repo}).stdout)
  const rendered = warmRun.render.deployables.filter((d) => d.status !== 'cached').length
  console.log(`render cost cold (cold - no --render) / bare helm: ${((cold - plain) / b).toFixed(2)}x`)
  console.log(`render cost cold / bare helm side by side: ${((cold - plain) / side).toFixed(2)}x`)
  console.log(
    `render cost warm (warm - no --render): ${(warm - plain).toFixed(0)} ms; deployables rendered warm: ${rendered}`,
  )
} finally {
  rmSync(repo, {recursive: true, force: true})
}
