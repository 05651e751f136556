#!/usr/bin/env node
// `ameide gitops diff` on a PR-shaped change, beside the bare `helm template` of what the change affects:
// a GitOps repository in the design documents' shape — one ApplicationSet whose git files generator deploys each
// environments/<env>/components/<name>/component.yaml with its own first-party chart (sources/charts/apps/<name>:
// a Deployment, a Service, a ConfigMap), values layered _shared → env/<env> — with COMPONENTS components in three
// environments (34 → 102 Applications), and a branch `pr` that changes three values files (three images move in
// staging) and one chart template (that component changes in every environment): six deployables.
//   1. cold: the diff with an empty render cache (the renderers' versions remembered, as on any second run);
//   2. the bare `helm template` of the six changed deployables for both revisions (twelve renders, four side by
//      side, as the diff runs them), and for the head only (six);
//   3. warm: a second run on the same revisions, and what it rendered (nothing, is the goal).
// Medians of interleaved runs. Floors: cold ≤ 10 s; cold ≤ 1.5 × bare (both revisions); warm renders 0.
// With --before DIR, the same cold and warm diffs by the build in DIR (a work tree of an earlier commit, built with
// `npm run build`), interleaved with the rest: this build side by side with that one, in one run.
// Usage: node bench/gitops-diff.mjs [components=34] [runs=5] [--before DIR]   (needs a build, helm and kustomize on PATH)
import {spawn} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {cpus, loadavg, tmpdir} from 'node:os'
import path from 'node:path'
import {performance} from 'node:perf_hooks'
import {fileURLToPath} from 'node:url'
import {
  applicationSet,
  componentName,
  configMap,
  deployment,
  ENVS,
  ORIGIN,
  ref,
  repoTools,
  run,
  service,
} from './components-repo.mjs'

const argv = process.argv.slice(2)
const at = argv.indexOf('--before')
const before = at >= 0 ? path.resolve(argv.splice(at, 2)[1]) : undefined
const components = Number(argv[0] ?? 34)
const runs = Number(argv[1] ?? 5)
const cli = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const KUBE = '1.34.0'

const work = mkdtempSync(path.join(tmpdir(), 'ameide-bench-diff-'))
const repo = path.join(work, 'repo')
const {write, gitIn} = repoTools(repo)
const name = (i) => componentName(i, 2)

try {
  mkdirSync(repo)
  write('argocd/applicationsets/components.yaml', applicationSet)
  for (let i = 0; i < components; i++) {
    const c = name(i)
    write(`sources/charts/apps/${c}/Chart.yaml`, `apiVersion: v2\nname: ${c}\nversion: 0.1.0\n`)
    write(`sources/charts/apps/${c}/values.yaml`, 'replicas: 1\nlogLevel: info\nimage:\n  ref: ""\n')
    write(`sources/charts/apps/${c}/templates/deployment.yaml`, deployment())
    write(`sources/charts/apps/${c}/templates/service.yaml`, service)
    write(`sources/charts/apps/${c}/templates/configmap.yaml`, configMap)
    write(`sources/values/_shared/apps/${c}/values.yaml`, 'replicas: 2\n')
    for (const env of ENVS) {
      write(`environments/${env}/components/${c}/component.yaml`, `name: ${c}\n`)
      write(`sources/values/env/${env}/apps/${c}/values.yaml`, `image:\n  ref: ${ref(c, env, '1.0.0')}\n`)
    }
  }
  gitIn(['init', '-q', '-b', 'main'])
  gitIn(['remote', 'add', 'origin', ORIGIN])
  gitIn(['add', '-A'])
  gitIn(['commit', '-qm', 'base'])
  gitIn(['checkout', '-q', '-b', 'pr'])
  const changed = []
  for (let i = 0; i < 3; i++) {
    write(
      `sources/values/env/staging/apps/${name(i)}/values.yaml`,
      `image:\n  ref: ${ref(name(i), 'staging', '1.1.0')}\n`,
    )
    changed.push({c: name(i), env: 'staging'})
  }
  write(`sources/charts/apps/${name(3)}/templates/deployment.yaml`, deployment(', tier: web'))
  for (const env of ENVS) changed.push({c: name(3), env})
  gitIn(['add', '-A'])
  gitIn(['commit', '-qm', 'the change'])
  // The base revision for the bare renders (the diff itself reads it from git objects).
  const baseDir = path.join(work, 'base')
  gitIn(['worktree', 'add', '-q', baseDir, 'main'])

  const helmArgs = (dir, {c, env}) => [
    'template',
    path.join(dir, 'sources/charts/apps', c),
    '--name-template',
    `${c}-${env}`,
    '--namespace',
    env,
    '--kube-version',
    KUBE,
    '--values',
    path.join(dir, `sources/values/_shared/apps/${c}/values.yaml`),
    '--values',
    path.join(dir, `sources/values/env/${env}/apps/${c}/values.yaml`),
  ]
  const helm = (args) =>
    new Promise((resolve, reject) => {
      const child = spawn('helm', args, {stdio: ['ignore', 'pipe', 'pipe']})
      child.stdout.resume()
      let err = ''
      child.stderr.on('data', (d) => (err += d))
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(err))))
    })
  /** Four at a time, as the diff renders. */
  const sideBySide = async (jobs) => {
    const queue = [...jobs]
    await Promise.all(
      Array.from({length: 4}, async () => {
        while (queue.length > 0) await helm(queue.shift())
      }),
    )
  }
  const bareBoth = () =>
    sideBySide([...changed.map((d) => helmArgs(baseDir, d)), ...changed.map((d) => helmArgs(repo, d))])
  const bareHead = () => sideBySide(changed.map((d) => helmArgs(repo, d)))
  const diffArgs = ['gitops', 'diff', '--base', 'main', '--head', 'pr', '--json']
  // The render cache and the template engine's kept answers: a cold run has neither.
  const cacheFiles = ['gitops-diff.json', 'gitops-templates.json'].map((f) =>
    path.join(repo, '.git', 'ameide', 'cache', f),
  )
  let last
  const diff = (with_ = cli) => {
    const r = run('node', [with_, ...diffArgs], {cwd: repo})
    if (r.status !== 0) throw new Error(`gitops diff exited ${r.status}: ${r.stderr}${r.stdout.slice(0, 2000)}`)
    last = JSON.parse(r.stdout)
    return last
  }
  const cold = (with_ = cli) => {
    for (const f of cacheFiles) rmSync(f, {force: true})
    return diff(with_)
  }
  const beforeCli = before && path.join(before, 'bin/run.js')

  // Once to check the change is what the bench says, and to remember the renderers' versions.
  const first = cold()
  const apps = first.renders.base.rendered + first.renders.base.cached + first.renders.base.unchanged
  console.log(
    `${apps} Applications from one ApplicationSet over component.yaml (${components} components × ${ENVS.length} environments); ` +
      `${run('helm', ['version', '--short']).stdout.trim()}, node ${process.version}, ${cpus().length} CPU(s)`,
  )
  console.log(
    `the change: ${first.counts.deployablesChanged} deployables changed, ${first.counts.imagesMoved} images moved, ` +
      `${first.counts.objectsChanged} objects changed; cold renders ${JSON.stringify(first.renders)}`,
  )

  const cases = {
    'gitops diff, cold (empty render cache)': () => cold(),
    'bare helm template, 6 changed × 2 revisions, 4 side by side': bareBoth,
    'bare helm template, 6 changed at the head, 4 side by side': bareHead,
    'gitops diff, warm (second run)': () => diff(),
    ...(beforeCli
      ? {
          [`before (${path.basename(before)}): gitops diff, cold`]: () => cold(beforeCli),
          [`before (${path.basename(before)}): gitops diff, warm`]: () => diff(beforeCli),
        }
      : {}),
  }
  const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
  let warmRenders
  for (let i = 0; i < runs; i++) {
    for (const [label, fn] of Object.entries(cases)) {
      const t = performance.now()
      await fn()
      samples[label].push(performance.now() - t)
      if (label === 'gitops diff, warm (second run)') warmRenders = last.renders
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  console.log(
    `\nmedian of ${runs} interleaved runs (load average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')})`,
  )
  for (const label of Object.keys(cases))
    console.log(`${label.padEnd(62)} ${median(samples[label]).toFixed(0).padStart(7)} ms`)
  const [c, both, head, warm] = Object.keys(cases).map((l) => median(samples[l]))
  const rendered = warmRenders.base.rendered + warmRenders.head.rendered
  console.log(`cold diff: ${(c / 1000).toFixed(2)} s (floor ≤ 10 s) ${c <= 10_000 ? '✓' : '✗'}`)
  console.log(
    `cold diff / bare (both revisions): ${(c / both).toFixed(2)}× (floor ≤ 1.5×) ${c <= 1.5 * both ? '✓' : '✗'}`,
  )
  console.log(`cold diff / bare (head only): ${(c / head).toFixed(2)}×`)
  console.log(
    `warm diff: ${warm.toFixed(0)} ms; deployables rendered warm: ${rendered} (floor 0) ${rendered === 0 ? '✓' : '✗'}`,
  )
  if (beforeCli) {
    const [bc, bw] = Object.keys(cases)
      .slice(4)
      .map((l) => median(samples[l]))
    console.log(`this build / before: cold ${(c / bc).toFixed(2)}×, warm ${(warm / bw).toFixed(2)}×`)
  }
} finally {
  // AMEIDE_BENCH_KEEP=1 keeps the repository (for bench/cpu-profile.mjs in it).
  if (process.env.AMEIDE_BENCH_KEEP === '1') console.log(`kept: ${repo}`)
  else rmSync(work, {recursive: true, force: true})
}
