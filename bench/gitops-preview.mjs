#!/usr/bin/env node
/* global fetch, setTimeout */
// `ameide gitops preview` on the examples' preview ApplicationSet (docs/examples/gitops/preview-applicationset.yaml)
// in a GitOps checkout with its chart and values, the image at :<head sha> in a real local registry (Debian's
// docker-registry, plain HTTP on loopback): generated, rendered with helm, asked of the registry.
//   cold: the first run (a fresh process, nothing remembered); warm: the runs after it (the render cache answers:
//   no helm starts); warm --no-cache: the runs after it rendering everything again (helm twice: the render and the
//   sentinel render that finds the image's value line); beside `node -e 0` (the process floor on this machine).
// Medians of interleaved runs. Usage: node bench/gitops-preview.mjs [runs=5]   (needs a build, helm, docker-registry)
import {spawn, spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {cpus, loadavg, tmpdir} from 'node:os'
import path from 'node:path'
import {performance} from 'node:perf_hooks'
import {fileURLToPath} from 'node:url'

const runs = Number(process.argv[2] ?? 5)
const cli = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const example = readFileSync(new URL('../docs/examples/gitops/preview-applicationset.yaml', import.meta.url), 'utf8')
const SHA = '4f2c0a9d81b3e6f7a5c4d3b2e1f0a9b8c7d6e5f4'
const work = mkdtempSync(path.join(tmpdir(), 'ameide-bench-preview-'))
const repo = path.join(work, 'gitops')

const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const {port: p} = s.address()
    s.close(() => resolve(p))
  })
})
const host = `127.0.0.1:${port}`
writeFileSync(
  path.join(work, 'registry.yml'),
  `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${work}/registry\nhttp:\n  addr: ${host}\nlog:\n  level: error\n`,
)
const registry = spawn('docker-registry', ['serve', path.join(work, 'registry.yml')], {stdio: 'ignore'})
const cleanup = () => {
  registry.kill('SIGTERM')
  rmSync(work, {recursive: true, force: true})
}
process.on('exit', cleanup)
for (let i = 0; ; i++) {
  const ok = await fetch(`http://${host}/v2/`)
    .then((r) => r.ok)
    .catch(() => false)
  if (ok) break
  if (i > 150) throw new Error('docker-registry did not start')
  await new Promise((r) => setTimeout(r, 100))
}

// The image: an empty config, no layers, at demo/orders:<sha>.
const config = Buffer.from('{"architecture":"amd64","os":"linux"}')
const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`
const start = await fetch(`http://${host}/v2/demo/orders/blobs/uploads/`, {method: 'POST'})
const upload = new URL(start.headers.get('location'), `http://${host}`)
upload.searchParams.set('digest', configDigest)
await fetch(upload, {method: 'PUT', body: config})
const manifest = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: {mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length},
  layers: [],
})
await fetch(`http://${host}/v2/demo/orders/manifests/${SHA}`, {
  method: 'PUT',
  body: manifest,
  headers: {'content-type': 'application/vnd.oci.image.manifest.v1+json'},
})

const write = (file, text) => {
  mkdirSync(path.dirname(path.join(repo, file)), {recursive: true})
  writeFileSync(path.join(repo, file), text)
}
write('argocd/previews.yaml', example.replace('ghcr.io/ameideio/primitive-domain-orders', `${host}/demo/orders`))
write('sources/charts/primitives/orders/Chart.yaml', 'apiVersion: v2\nname: orders\nversion: 0.1.0\n')
write(
  'sources/charts/primitives/orders/templates/deployment.yaml',
  'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: orders}\nspec:\n  selector: {matchLabels: {app: orders}}\n' +
    '  template:\n    metadata: {labels: {app: orders}}\n    spec:\n      containers:\n        - name: orders\n' +
    '          image: {{ .Values.image.ref }}\n',
)
write('sources/values/env/preview/orders.yaml', 'image:\n  ref: ""\n')
write('ameide.yaml', 'gitopsPolicy:\n  preview: {projects: [previews], webhook: true}\n')
const git = (args) => spawnSync('git', ['-c', 'user.email=b@b', '-c', 'user.name=b', ...args], {cwd: repo})
git(['init', '-q'])
git(['remote', 'add', 'origin', 'https://github.com/ameideio/ameide-gitops.git'])
git(['add', '-A'])
git(['commit', '-qm', 'previews'])

const args = ['gitops', 'preview', '--root', repo, '--pr', '42', '--head-sha', SHA, '--label', 'preview', '--json']
// CPU seconds of the waited-for children (user + system, every descendant's included): /proc/self/stat cutime and
// cstime, in clock ticks (100 a second on Linux). On a loaded machine the wall time is mostly waiting for a core;
// the CPU time is what the run itself costs.
const childCpu = () => {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')
    return (Number(fields[13]) + Number(fields[14])) / 100
  } catch {
    return Number.NaN
  }
}
const timed = (cmd, argv) => {
  const t = performance.now()
  const c = childCpu()
  const r = spawnSync(cmd, argv, {encoding: 'utf8'})
  return {ms: performance.now() - t, cpu: childCpu() - c, r}
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const cold = timed(process.execPath, [cli, ...args])
const answer = JSON.parse(cold.r.stdout)
// Not blind: the example previews PR 42 as orders-pr-42 and finds its image (the namespace lane is what it lacks).
if (answer.applications[0]?.images[0]?.exists !== true) throw new Error(`unexpected answer: ${cold.r.stdout}`)
const warm = []
const uncached = []
const floor = []
for (let i = 0; i < runs; i++) {
  warm.push(timed(process.execPath, [cli, ...args]))
  uncached.push(timed(process.execPath, [cli, ...args, '--no-cache']))
  floor.push(timed(process.execPath, ['-e', '0']))
}
const wall = (xs) => `${(median(xs.map((x) => x.ms)) / 1000).toFixed(2)} s`
const cpu = (xs) => `${median(xs.map((x) => x.cpu)).toFixed(2)} s CPU`
console.log(`gitops preview, the examples' ApplicationSet (1 Application, helm, 1 image asked), ${runs} runs`)
console.log(`  cold ${wall([cold])} (${cpu([cold])})`)
console.log(`  warm median ${wall(warm)} (${cpu(warm)}); warm --no-cache median ${wall(uncached)} (${cpu(uncached)})`)
console.log(`  node -e 0 median ${wall(floor)} (${cpu(floor)})`)
console.log(`  (${cpus().length} cores, load ${loadavg()[0].toFixed(1)})`)
process.exit(0)
