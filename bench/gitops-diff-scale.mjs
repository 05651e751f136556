#!/usr/bin/env node
// `ameide gitops diff` at scale, beside Helm's own engine natively: the design documents' repository shape (one
// ApplicationSet, a git files generator over environments/<env>/components/<name>/component.yaml, values layered
// _shared → env/<env>, each component its own chart: a Deployment, a Service, a ConfigMap) with COMPONENTS components
// in three environments (334 → 1,002 Applications), and two pull requests off `main`:
//   - `all`: every chart's Deployment template changed: every Application changed (2 × Applications renders);
//   - `few`: three staging values files and one chart's template: six Applications changed;
//   - `other`: another six (three prod values files, another chart's template), diffed after `few` with its cache
//     kept: another pull request against the same base.
// Its objects are packed (git gc), as a clone's are.
// Each diff cold (no render cache) and warm (a second run), under /usr/bin/time: wall, CPU (user + system of the
// process tree) and peak RSS of the CLI's process. The floor: the same renders (both revisions) through Helm's engine
// natively in one Go process (bench/helm-floor: helm.sh/helm/v4's action.Install client-only, one chart load and one
// values merge per render, one at a time), built by this bench with Go from .tools or PATH.
// Goals (issue 97): 1,002 Applications, all changed ≤ 5 s, ≤ 300 MB, ≤ 3× Helm's CPU; 6 changed ≤ 1 s cold, ≤ 0.5 s
// warm and for another pull request. 10,002: all changed ≤ 30 s, ≤ 1 GB, ≤ 3×; 6 changed ≤ 3 s cold, ≤ 1 s warm and
// for another pull request.
// With --before DIR, the same diffs by the build in DIR (a work tree of an earlier commit, built), interleaved.
// With --json DIR, each diff's --json output written there (a before/after build compared byte for byte).
// With --engines, each diff of this build twice, interleaved: `helm template` natively (the confined native helper, its
// default on Linux) and in WebAssembly (AMEIDE_RENDER_ENGINE=wasm); every figure then of the whole process tree
// (bench/tree-time.py: the native helpers, which outlive the CLI by a moment, reaped and counted).
// With --max-applications N, the repository's ameide.yaml sets gitopsPolicy.maxApplications to N (the default bound,
// 10,000, refuses one ApplicationSet of 10,002: `3334` needs it raised to measure the diff rather than the refusal).
// Usage: node bench/gitops-diff-scale.mjs [components=334] [runs=1] [--before DIR] [--json DIR] [--max-applications N] [--record]
// (runs=0: only make the repository and keep it)
import {execFileSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {cpus, loadavg, tmpdir} from 'node:os'
import path from 'node:path'
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
import {benchArgs, record} from './record.mjs'

const argv = benchArgs()
const option = (name) => {
  const at = argv.indexOf(name)
  return at >= 0 ? path.resolve(argv.splice(at, 2)[1]) : undefined
}
const before = option('--before')
const engines = argv.includes('--engines') ? (argv.splice(argv.indexOf('--engines'), 1), true) : false
const treeTime = fileURLToPath(new URL('./tree-time.py', import.meta.url))
const jsonDir = option('--json')
const maxAt = argv.indexOf('--max-applications')
const maxApplications = maxAt >= 0 ? Number(argv.splice(maxAt, 2)[1]) : undefined
const components = Number(argv[0] ?? 334)
const runs = Number(argv[1] ?? 1)
const root = fileURLToPath(new URL('../', import.meta.url))
const cli = path.join(root, 'bin/run.js')
const KUBE = '1.34.0'

const work = mkdtempSync(path.join(tmpdir(), 'ameide-bench-scale-'))
const repo = path.join(work, 'repo')
const {write, gitIn} = repoTools(repo)
const name = (i) => componentName(i, 3)

/** The main branch, and the branches `few` and `all` off it. */
function repository() {
  mkdirSync(repo)
  write('argocd/applicationsets/components.yaml', applicationSet)
  if (maxApplications) write('ameide.yaml', `gitopsPolicy:\n  maxApplications: ${maxApplications}\n`)
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
  gitIn(['checkout', '-q', '-b', 'few'])
  for (let i = 0; i < 3; i++)
    write(
      `sources/values/env/staging/apps/${name(i)}/values.yaml`,
      `image:\n  ref: ${ref(name(i), 'staging', '1.1.0')}\n`,
    )
  write(`sources/charts/apps/${name(3)}/templates/deployment.yaml`, deployment(', tier: web'))
  gitIn(['commit', '-qam', 'six Applications'])
  gitIn(['checkout', '-q', 'main'])
  gitIn(['checkout', '-q', '-b', 'other'])
  for (let i = 4; i < 7; i++)
    write(`sources/values/env/prod/apps/${name(i)}/values.yaml`, `image:\n  ref: ${ref(name(i), 'prod', '1.2.0')}\n`)
  write(`sources/charts/apps/${name(7)}/templates/deployment.yaml`, deployment(', tier: api'))
  gitIn(['commit', '-qam', 'six other Applications'])
  gitIn(['checkout', '-q', 'main'])
  gitIn(['checkout', '-q', '-b', 'all'])
  for (let i = 0; i < components; i++)
    write(`sources/charts/apps/${name(i)}/templates/deployment.yaml`, deployment(', tier: web'))
  gitIn(['commit', '-qam', 'every Application'])
  gitIn(['checkout', '-q', 'main'])
  // Its objects packed, as a clone's are (a pull request's job checks one out): loose, git's reads of the 1,676
  // files of a revision cost ≈ 90 ms, packed ≈ 15 ms.
  gitIn(['gc', '-q'])
}

/** bench/helm-floor built (Go from .tools or PATH, the toolchain the render module pins, through the module proxy). */
function buildFloor() {
  const go = [process.env.AMEIDE_GO, path.join(root, '.tools/bin/go')].find((g) => g && existsSync(g)) ?? 'go'
  const out = path.join(work, 'helm-floor')
  execFileSync(go, ['build', '-trimpath', '-o', out, '.'], {
    cwd: path.join(root, 'bench/helm-floor'),
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {...process.env, GOWORK: 'off', GOTOOLCHAIN: 'go1.26.8', GOFLAGS: '-mod=readonly', CGO_ENABLED: '0'},
  })
  return out
}

/** The renders a diff of `branch` against main needs, both revisions (each revision checked out as a work tree). */
function floorJobs(branch, trees) {
  const jobs = []
  const changed =
    branch === 'all'
      ? Array.from({length: components}, (_, i) => ENVS.map((env) => ({c: name(i), env}))).flat()
      : [...[0, 1, 2].map((i) => ({c: name(i), env: 'staging'})), ...ENVS.map((env) => ({c: name(3), env}))]
  for (const dir of [trees.main, trees[branch]])
    for (const {c, env} of changed)
      jobs.push({
        chart: path.join(dir, 'sources/charts/apps', c),
        release: `${c}-${env}`,
        namespace: env,
        kube: KUBE,
        values: [
          path.join(dir, `sources/values/_shared/apps/${c}/values.yaml`),
          path.join(dir, `sources/values/env/${env}/apps/${c}/values.yaml`),
        ],
      })
  return `${jobs.map((j) => JSON.stringify(j)).join('\n')}\n`
}

/** One command under /usr/bin/time: wall s, CPU s, peak RSS MB, and its stdout. */
function timed(file, args, opts = {}) {
  const r = engines
    ? run('python3', [treeTime, file, ...args], opts)
    : run('/usr/bin/time', ['-f', '%e %U %S %M', file, ...args], opts)
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`)
  const [wall, user, sys, rssKb] = r.stderr.trim().split('\n').at(-1).split(' ').map(Number)
  return {wall, cpu: user + sys, rss: rssKb / 1024, stdout: r.stdout}
}

// The render cache and the template engine's kept answers: a cold run has neither.
const cacheFiles = ['gitops-diff.json', 'gitops-templates.json'].map((f) =>
  path.join(repo, '.git', 'ameide', 'cache', f),
)
/** One diff of `branch` against main by `bin` (cold: the caches removed first). */
function diff(bin, branch, cold, label) {
  if (cold) for (const f of cacheFiles) rmSync(f, {force: true})
  const wasm = bin === 'wasm'
  const args = [wasm ? cli : bin, 'gitops', 'diff', '--base', 'main', '--head', branch, '--json']
  const env = {...process.env, ...(wasm ? {AMEIDE_RENDER_ENGINE: 'wasm'} : {})}
  const got = timed(process.execPath, args, {cwd: repo, env})
  const doc = JSON.parse(got.stdout)
  if (doc.summary !== 'changed') throw new Error(`${label}: ${doc.summary} ${JSON.stringify(doc.failures)}`)
  if (jsonDir) writeFileSync(path.join(jsonDir, `${label.replaceAll(/\W+/g, '-')}.json`), got.stdout)
  if (engines && cold && !wasm && doc.renders.engine !== 'native (seccomp)')
    throw new Error(`${label}: ${doc.renders.engine}`)
  return {...got, renders: doc.renders, changed: doc.counts.deployablesChanged}
}

try {
  repository()
  const trees = {main: path.join(work, 'tree-main'), few: path.join(work, 'tree-few'), all: path.join(work, 'tree-all')}
  for (const b of ['main', 'few', 'all']) gitIn(['worktree', 'add', '-q', '--detach', trees[b], b])
  // runs=0: only the repository, kept (for bench/cpu-profile.mjs or a --json comparison in it).
  if (runs === 0) process.env.AMEIDE_BENCH_KEEP = '1'
  const floor = runs === 0 ? undefined : buildFloor()
  if (jsonDir) mkdirSync(jsonDir, {recursive: true})
  const builds = {
    this: cli,
    ...(before ? {[`before (${path.basename(before)})`]: path.join(before, 'bin/run.js')} : {}),
    ...(engines ? {'this, wasm': 'wasm'} : {}),
  }
  const samples = {}
  const add = (label, value) => (samples[label] ??= []).push(value)
  const load = [loadavg()[0]]
  if (runs === 0) {
    console.log(`kept: ${repo} (work trees of main, few, all beside it)`)
    process.exit(0)
  }
  for (let i = 0; i < runs; i++) {
    for (const branch of ['few', 'all']) {
      for (const [build, bin] of Object.entries(builds)) {
        add(`${build}|${branch}|cold`, diff(bin, branch, true, `${build} ${branch} cold`))
        add(`${build}|${branch}|warm`, diff(bin, branch, false, `${build} ${branch} warm`))
        // Another pull request against the same base, the first one's cache kept.
        if (branch === 'few') add(`${build}|other|warm`, diff(bin, 'other', false, `${build} other warm`))
      }
      add(`floor|${branch}|cold`, timed(floor, [], {input: floorJobs(branch, trees)}))
      load.push(loadavg()[0])
    }
  }
  const median = (xs, k) => xs.map((x) => x[k]).sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const apps = components * ENVS.length
  console.log(
    `${apps} Applications (${components} components × ${ENVS.length} environments), one ApplicationSet; ` +
      `node ${process.version}, ${cpus().length} CPU(s); median of ${runs} run(s); ` +
      `load average ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)}`,
  )
  console.log('| pull request | run | wall | CPU | peak RSS | renders (base + head) |')
  console.log('| --- | --- | ---: | ---: | ---: | ---: |')
  const rows = []
  for (const [label, xs] of Object.entries(samples)) {
    const [build, branch, temp] = label.split('|')
    const pr =
      branch === 'all'
        ? `all ${apps} changed`
        : branch === 'other'
          ? `6 of ${apps} changed, another pull request`
          : `6 of ${apps} changed`
    const r = xs[0].renders
    const renders = r ? `${r.base.rendered + r.head.rendered}` : branch === 'all' ? `${2 * apps}` : '12'
    const who =
      build === 'floor'
        ? "Helm's engine natively, one Go process"
        : branch === 'other'
          ? `gitops diff (${build}), the first one's cache kept`
          : `gitops diff (${build}), ${temp}`
    console.log(
      `| ${pr} | ${who} | ${median(xs, 'wall').toFixed(2)} s | ${median(xs, 'cpu').toFixed(2)} s | ${median(xs, 'rss').toFixed(0)} MB | ${renders} |`,
    )
    const [wall, cpu, rss] = ['wall', 'cpu', 'rss'].map((k) => median(xs, k))
    const ms = (x) => Math.round(x * 1000)
    rows.push({case: `${pr}: ${who}`, wall: ms(wall), cpu: ms(cpu), rss: Math.round(rss), figure: `${renders} renders`})
  }
  // The design documents' 1,002 Applications under the bench's own name; another size under its number of Applications.
  const bench = components === 334 ? 'gitops-diff-scale' : `gitops-diff-scale-${3 * components}`
  record(bench, `node bench/gitops-diff-scale.mjs ${components} ${runs}`, rows)
  const m = (label, k) => median(samples[label], k)
  const verdict = (ok) => (ok ? '✓' : '✗')
  const [cold, warm, all, allMb] = apps > 5000 ? [3, 1, 30, 1024] : [1, 0.5, 5, 300]
  const line = (what, label, goal) =>
    console.log(`${what}: ${m(label, 'wall').toFixed(2)} s (≤ ${goal} s) ${verdict(m(label, 'wall') <= goal)}`)
  line('6 changed, cold', 'this|few|cold', cold)
  line('6 changed, warm', 'this|few|warm', warm)
  line("another pull request, the first one's cache kept", 'this|other|warm', warm)
  console.log(
    `all changed, cold: ${m('this|all|cold', 'wall').toFixed(2)} s (≤ ${all} s) ${verdict(m('this|all|cold', 'wall') <= all)}, ` +
      `${m('this|all|cold', 'rss').toFixed(0)} MB (≤ ${allMb} MB) ${verdict(m('this|all|cold', 'rss') <= allMb)}; ` +
      `CPU ${(m('this|all|cold', 'cpu') / m('floor|all|cold', 'cpu')).toFixed(1)}× the native engine's (≤ 3×)`,
  )
} finally {
  if (process.env.AMEIDE_BENCH_KEEP === '1') console.log(`kept: ${repo}`)
  else rmSync(work, {recursive: true, force: true})
}
