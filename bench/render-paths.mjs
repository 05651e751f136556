#!/usr/bin/env node
// The render module against the previous native path (the helm and kustomize binaries, in bubblewrap), cold
// `gitops diff --base HEAD^ --head HEAD --no-cache --json` and warm (the render cache kept, a second run), on issue 62's
// three repositories: one Application over a small chart (an image tag changed), one kustomize overlay (an image
// changed), 20 Applications (10 charts, 10 overlays; 3 changed). Interleaved runs; medians of wall time, CPU (user +
// system of the process tree, /usr/bin/time) and peak RSS.
// The native path left the product: it is built from NATIVE_COMMIT, its last commit, with AMEIDE_RENDERER=native —
// `git archive` of that commit into the user's cache (~/.cache/ameide/bench-native/<commit>), this checkout's
// node_modules linked, then tsc, the schemas and the bundle (no Go): made once, reused by every later run.
// Usage: node bench/render-paths.mjs [runs=5]   (needs a build, and helm, kustomize, bwrap on PATH for the native path)
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {homedir, loadavg, tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const runs = Number(process.argv[2] ?? 5)
const root = fileURLToPath(new URL('../', import.meta.url))
const cli = path.join(root, 'bin/run.js')
/** The last commit whose product rendered with the binaries (AMEIDE_RENDERER=native). */
const NATIVE_COMMIT = 'd2c151fe9d7f0a93e38bb6943ed6334ed9a94bfd'
const nativeCli = buildNative(NATIVE_COMMIT)
const ORIGIN = 'https://github.com/acme/gitops.git'
const work = mkdtempSync(path.join(tmpdir(), 'ameide-bench-paths-'))

const chart = (name, image) => ({
  [`charts/${name}/Chart.yaml`]: `apiVersion: v2\nname: ${name}\nversion: 1.0.0\n`,
  [`charts/${name}/values.yaml`]: `image: ${image}\nreplicas: 2\n`,
  [`charts/${name}/templates/deployment.yaml`]: `apiVersion: apps/v1
kind: Deployment
metadata: {name: {{ .Release.Name }}, labels: {app: {{ .Release.Name }}}}
spec:
  replicas: {{ .Values.replicas }}
  selector: {matchLabels: {app: {{ .Release.Name }}}}
  template:
    metadata: {labels: {app: {{ .Release.Name }}}}
    spec: {containers: [{name: app, image: {{ .Values.image | quote }}, ports: [{containerPort: 8080}]}]}
`,
  [`charts/${name}/templates/service.yaml`]: `apiVersion: v1
kind: Service
metadata: {name: {{ .Release.Name }}}
spec: {selector: {app: {{ .Release.Name }}}, ports: [{port: 80, targetPort: 8080}]}
`,
  [`apps/${name}.yaml`]: application(name, `charts/${name}`),
})
const overlay = (name, tag) => ({
  [`kustomize/${name}/base/kustomization.yaml`]: 'resources: [deployment.yaml]\n',
  [`kustomize/${name}/base/deployment.yaml`]: `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: app, image: ghcr.io/acme/${name}:main}]}
`,
  [`kustomize/${name}/prod/kustomization.yaml`]: `resources: [../base]\nnamePrefix: prod-\nimages:\n  - name: ghcr.io/acme/${name}\n    newTag: "${tag}"\n`,
  [`apps/${name}.yaml`]: application(name, `kustomize/${name}/prod`),
})
function application(name, source) {
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: ${name}, namespace: argocd}
spec:
  project: default
  destination: {server: https://kubernetes.default.svc, namespace: ${name}}
  source: {repoURL: ${ORIGIN}, targetRevision: HEAD, path: ${source}}
`
}

/** A repository with `base` committed, then `head` over it. */
function repository(name, base, head) {
  const repo = path.join(work, name)
  const write = (files) => {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(repo, file)), {recursive: true})
      writeFileSync(path.join(repo, file), text)
    }
  }
  const git = (...args) => spawnSync('git', ['-c', 'user.email=b@b', '-c', 'user.name=b', ...args], {cwd: repo})
  mkdirSync(repo, {recursive: true})
  git('init', '-q', '-b', 'main')
  git('remote', 'add', 'origin', ORIGIN)
  write(base)
  git('add', '-A')
  git('commit', '-qm', 'base')
  write(head)
  git('commit', '-qam', 'head')
  return repo
}

const many = (changed) => {
  const files = {}
  for (let i = 0; i < 10; i++)
    Object.assign(files, chart(`chart${i}`, `ghcr.io/acme/chart${i}:${changed && i < 2 ? '1.1' : '1.0'}`))
  for (let i = 0; i < 10; i++) Object.assign(files, overlay(`overlay${i}`, changed && i === 0 ? '1.1' : '1.0'))
  return files
}
const repos = {
  'one chart': repository('chart', chart('web', 'ghcr.io/acme/web:1.0'), {
    'charts/web/values.yaml': 'image: ghcr.io/acme/web:1.1\nreplicas: 2\n',
  }),
  'one overlay': repository('overlay', overlay('web', '1.0'), {
    'kustomize/web/prod/kustomization.yaml': overlay('web', '1.1')['kustomize/web/prod/kustomization.yaml'],
  }),
  '20 Applications, 3 changed': repository('many', many(false), many(true)),
}

/** bin/run.js of `commit` built in the user's cache (once: a later run finds it). */
function buildNative(commit) {
  const cache = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache')
  const dir = path.join(cache, 'ameide', 'bench-native', commit)
  const done = path.join(dir, '.built')
  if (existsSync(done)) return path.join(dir, 'bin/run.js')
  rmSync(dir, {recursive: true, force: true})
  mkdirSync(dir, {recursive: true})
  const step = (file, args, cwd) => {
    const r = spawnSync(file, args, {cwd, stdio: ['ignore', 'ignore', 'inherit']})
    if (r.status !== 0) throw new Error(`building the native path (${commit}): ${file} ${args.join(' ')} failed`)
  }
  // `git archive | tar -x`: the commit's tracked files, no work tree of this checkout touched.
  const archive = spawnSync('git', ['archive', '--format=tar', commit], {cwd: root, maxBuffer: 1 << 30})
  if (archive.status !== 0) throw new Error(`git archive ${commit}: ${archive.stderr} (a full clone has it)`)
  const tar = spawnSync('tar', ['-x', '-C', dir], {input: archive.stdout})
  if (tar.status !== 0) throw new Error(`tar -x into ${dir}: ${tar.stderr}`)
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'))
  console.error(`building the native path of ${commit.slice(0, 7)} in ${dir} (once)`)
  step(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], dir)
  step(process.execPath, ['scripts/compile-schemas.mjs'], dir)
  step(process.execPath, ['scripts/bundle.mjs'], dir)
  writeFileSync(done, `${new Date().toISOString()}\n`)
  return path.join(dir, 'bin/run.js')
}

/** One `gitops diff` under /usr/bin/time: wall s, CPU s, peak RSS MB. */
function diff(repo, native, cache) {
  const env = {...process.env, ...(native ? {AMEIDE_RENDERER: 'native'} : {})}
  const args = ['gitops', 'diff', '--base', 'HEAD^', '--head', 'HEAD', '--json', ...(cache ? [] : ['--no-cache'])]
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, native ? nativeCli : cli, ...args], {
    cwd: repo,
    env,
    encoding: 'utf8',
  })
  const doc = JSON.parse(r.stdout)
  if (doc.summary !== 'changed')
    throw new Error(`${repo} (${native ? 'native' : 'module'}): ${doc.summary} ${JSON.stringify(doc.failures)}`)
  const [wall, user, sys, rssKb] = r.stderr.trim().split('\n').at(-1).split(' ').map(Number)
  return {wall, cpu: user + sys, rss: rssKb / 1024}
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const load = [loadavg()[0]]
console.log(
  `render module vs native path (${NATIVE_COMMIT.slice(0, 7)}: helm, kustomize in bubblewrap), ${runs} interleaved runs, medians`,
)
console.log('| repository | run | module: wall / CPU / RSS | native: wall / CPU / RSS | CPU ratio | RSS ratio |')
console.log('| --- | --- | --- | --- | ---: | ---: |')
for (const [name, repo] of Object.entries(repos)) {
  const got = {module: {cold: [], warm: []}, native: {cold: [], warm: []}}
  for (let i = 0; i < runs; i++) {
    for (const path of ['module', 'native']) {
      got[path].cold.push(diff(repo, path === 'native', false))
      diff(repo, path === 'native', true) // fills the cache
      got[path].warm.push(diff(repo, path === 'native', true))
    }
    load.push(loadavg()[0])
  }
  for (const run of ['cold', 'warm']) {
    const m = (p, k) => median(got[p][run].map((x) => x[k]))
    const cell = (p) => `${m(p, 'wall').toFixed(2)} s / ${m(p, 'cpu').toFixed(2)} s / ${m(p, 'rss').toFixed(0)} MB`
    console.log(
      `| ${name} | ${run} | ${cell('module')} | ${cell('native')} | ${(m('module', 'cpu') / m('native', 'cpu')).toFixed(2)}× | ${(m('module', 'rss') / m('native', 'rss')).toFixed(2)}× |`,
    )
  }
}
console.log(`load average during the runs: ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)}`)
rmSync(work, {recursive: true, force: true})
