#!/usr/bin/env node
// ApplicationSets through Go's own template engine (src/effects/gotemplate, WebAssembly): one ApplicationSet whose
// list generator yields APPS parameter sets, its template holding 20 templated strings, so APPS Applications.
//   1. the engine alone, in this process: start (thread + instantiate + Go runtime + sprig init), then one render of
//      20 strings × APPS sets (each string parsed once), cold and again;
//   2. the CLI cold: `gitops verify --print-layout --json` (reads the ApplicationSet, evaluates it, lists every
//      generated Application) beside `node -e 0` and the same command on the checkout without the ApplicationSet,
//      medians of interleaved runs.
// Usage: node bench/applicationset.mjs [runs] [apps]   (needs a build: npm run build)
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {cpus, loadavg, tmpdir} from 'node:os'
import path from 'node:path'
import {performance} from 'node:perf_hooks'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {createRequire} from 'node:module'

const [runsArg, appsArg] = process.argv.slice(2)
const runs = Number(runsArg ?? 5)
const apps = Number(appsArg ?? 1000)
const root = fileURLToPath(new URL('../', import.meta.url))
const cli = path.join(root, 'bin/run.js')
const ORIGIN = 'https://github.com/acme/gitops.git'

/** The template: 20 templated strings (sprig pipelines, printf, index, default) as ApplicationSets write them. */
const template = `  template:
    metadata:
      name: '{{ .name }}-{{ .env }}'
      labels:
        team: '{{ .team | lower }}'
        tier: '{{ printf "%s-%02d" .tier (int .n) }}'
        checksum: '{{ printf "%s/%s" .name .env | sha256sum | trunc 12 }}'
        version: '{{ .version }}'
        '{{ .env }}-ready': 'true'
      annotations:
        owner: '{{ .team | upper | replace "_" "-" }}'
        slug: '{{ slugify .title }}'
    spec:
      project: '{{ default "default" .project }}'
      source:
        repoURL: ${ORIGIN}
        targetRevision: '{{ .revision | default "main" }}'
        path: 'sources/charts/apps/{{ .name }}'
        helm:
          releaseName: '{{ .name | trunc 40 }}'
          valueFiles:
            - '/sources/values/_shared/apps/{{ .name }}.yaml'
            - '/sources/values/env/{{ .env }}/apps/{{ .name }}.yaml'
          parameters:
            - name: image.ref
              value: 'ghcr.io/acme/{{ .name }}:{{ .version }}'
            - name: replicas
              value: '{{ if eq .env "production" }}3{{ else }}1{{ end }}'
      destination:
        server: https://kubernetes.default.svc
        namespace: '{{ .namespace | default (printf "%s-%s" .name .env) }}'
      info:
        - name: '{{ title .team }}'
          value: '{{ .n | int | add 1000 }}'
        - name: normalized
          value: '{{ normalize .title }}'
`
const STRINGS = 20
const ENVS = ['dev', 'staging', 'production']
const element = (i) => ({
  name: `app${i}`,
  env: ENVS[i % 3],
  team: `Team_${i % 7}`,
  tier: 'backend',
  n: i % 100,
  title: `Application ${i} of the Ünïcode estate`,
  version: `1.${i % 10}.0`,
})

const repo = mkdtempSync(path.join(tmpdir(), 'ameide-bench-appset-'))
const bare = mkdtempSync(path.join(tmpdir(), 'ameide-bench-appset-bare-'))
const git = (cwd, args) => spawnSync('git', args, {cwd, encoding: 'utf8'})
const commit = (dir) => {
  git(dir, ['init', '-q'])
  git(dir, ['remote', 'add', 'origin', ORIGIN])
  git(dir, ['add', '-A'])
  git(dir, ['-c', 'user.email=b@b', '-c', 'user.name=b', 'commit', '-qm', 'bench'])
}
try {
  const elements = Array.from({length: apps}, (_, i) => `          - ${JSON.stringify(element(i))}`).join('\n')
  const appset = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: estate
  namespace: argocd
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=default"]
  generators:
    - list:
        elements:
${elements}
${template}`
  for (const dir of [repo, bare]) {
    mkdirSync(path.join(dir, 'argocd/applicationsets'), {recursive: true})
    writeFileSync(path.join(dir, 'argocd/README.md'), 'bench\n')
  }
  writeFileSync(path.join(repo, 'argocd/applicationsets/estate.yaml'), appset)
  commit(repo)
  commit(bare)

  // 1. the engine in-process
  const {openTemplateEngine} = await import(pathToFileURL(path.join(root, 'dist/effects/gotemplate/index.js')).href)
  const params = Array.from({length: apps}, (_, i) => element(i))
  const templates = [...template.matchAll(/'([^']*\{\{[^']*)'/g)].map((m) => m[1])
  if (templates.length !== STRINGS) throw new Error(`the template holds ${templates.length} templated strings`)
  let t0 = performance.now()
  const engine = openTemplateEngine()
  engine.sanitize(['x'])
  const start = performance.now() - t0
  const renders = []
  for (let i = 0; i < 3; i++) {
    t0 = performance.now()
    const r = engine.render({goTemplate: true, options: [], templates, params})
    renders.push(performance.now() - t0)
    if (r.failures.length > 0) throw new Error(r.failures[0].message)
  }

  // 2. the evaluation alone, cold, in a fresh process: the checkout's manifests read, the engine started, every
  //    Application generated (findDeployables, as the gate and --print-layout call it)
  const evaluate = `
    const t0 = performance.now()
    const [{findDeployables, checkoutOf, repositoryUrls}, {makeLayout}, {DEFAULT_GITOPS_POLICY}, yaml] = await Promise.all([
      import(${JSON.stringify(pathToFileURL(path.join(root, 'dist/gitops/deployables/index.js')).href)}),
      import(${JSON.stringify(pathToFileURL(path.join(root, 'dist/gitops/layout/index.js')).href)}),
      import(${JSON.stringify(pathToFileURL(path.join(root, 'dist/core/config.js')).href)}),
      import(${JSON.stringify(pathToFileURL(createRequire(path.join(root, 'package.json')).resolve('yaml')).href)}),
    ])
    const files = ['argocd/applicationsets/estate.yaml']
    const checkout = checkoutOf({tracked: files, refused: [], links: new Map()}, await repositoryUrls(process.cwd(), []))
    const t1 = performance.now()
    const d = findDeployables({root: process.cwd(), files, layout: makeLayout(DEFAULT_GITOPS_POLICY), yaml, checkout})
    const t2 = performance.now()
    console.log(JSON.stringify({modules: t1 - t0, evaluate: t2 - t1, applications: d.applicationSets[0].expansion.applications.length}))
  `
  const evaluator = path.join(bare, 'evaluate.mjs')
  writeFileSync(evaluator, evaluate)
  const evaluations = []
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, [evaluator], {cwd: repo, encoding: 'utf8'})
    if (r.status !== 0) throw new Error(r.stderr)
    evaluations.push(JSON.parse(r.stdout))
  }

  // 3. the CLI cold
  const cases = {
    'node -e 0': [process.execPath, ['-e', '0'], root],
    'gitops verify --print-layout, no ApplicationSet': [
      process.execPath,
      [cli, 'gitops', 'verify', '--print-layout', '--json'],
      bare,
    ],
    [`gitops verify --print-layout, ${apps} Applications`]: [
      process.execPath,
      [cli, 'gitops', 'verify', '--print-layout', '--json'],
      repo,
    ],
  }
  const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
  let generated
  for (let i = 0; i < runs + 1; i++) {
    for (const [label, [cmd, args, cwd]] of Object.entries(cases)) {
      const begin = performance.now()
      const result = spawnSync(cmd, args, {
        cwd,
        encoding: 'utf8',
        maxBuffer: 1 << 30,
        env: {...process.env, NO_COLOR: '1'},
      })
      const elapsed = performance.now() - begin
      if (result.status !== 0) throw new Error(`${label} exited ${result.status}: ${result.stderr}`)
      if (label.includes('Applications'))
        generated = JSON.parse(result.stdout).layout.applicationSets[0].applications.length
      if (i >= 1) samples[label].push(elapsed)
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const [floor, plain, full] = Object.keys(cases).map((k) => median(samples[k]))
  console.log(
    `ApplicationSet: ${apps} parameter sets × ${STRINGS} templated strings; node ${process.version}, ${cpus().length} CPU(s), load ${loadavg()[0].toFixed(1)}`,
  )
  console.log(`engine start (threads, instantiate, Go runtime, warm-up) ${start.toFixed(0).padStart(6)} ms`)
  console.log(
    `engine render, first / again                         ${renders[0].toFixed(0).padStart(6)} ms / ${renders[1].toFixed(0)} ms`,
  )
  for (const [label, ms] of Object.entries({
    [Object.keys(cases)[0]]: floor,
    [Object.keys(cases)[1]]: plain,
    [Object.keys(cases)[2]]: full,
  }))
    console.log(`${label.padEnd(54)} ${ms.toFixed(0).padStart(6)} ms`)
  const ev = [...evaluations].sort((a, b) => a.evaluate - b.evaluate)[Math.floor(evaluations.length / 2)]
  console.log(
    `evaluation alone, cold (read, engine start, ${ev.applications} Applications)  ${ev.evaluate.toFixed(0).padStart(6)} ms   goal ≤ 1000 ms  ${ev.evaluate <= 1000 ? 'OK' : 'OVER'}`,
  )
  const cost = full - plain
  console.log(
    `the CLI's added cost (cold: reading, evaluating, listing): ${cost.toFixed(0)} ms for ${generated} Applications`,
  )
} finally {
  if (process.env.KEEP) console.log('kept', repo)
  else rmSync(repo, {recursive: true, force: true})
  rmSync(bare, {recursive: true, force: true})
}
