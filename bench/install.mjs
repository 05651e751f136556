#!/usr/bin/env node
// What a user installs and how long it takes, from the release's files (`npm run release` made them under release/):
// `npm install --global --offline` from an empty npm cache of the CLI with the render package npm would pick for Linux
// x64 (the native helper, brotli-compressed), and of the CLI with the WebAssembly package (a machine no helper
// applies to: forced here, as npm refuses it on Linux), beside its floor: the same install of a one-file package
// (npm's own cost). Then what the first render pays once: `ameide doctor` with an empty user cache (the helper
// unpacked, checked and started) beside the same with the cache kept. Download = the tarballs' bytes; installed =
// `du` of the prefix. And the Action's install step at a release commit, when release.json is of committed sources.
// Medians of interleaved runs; the CPU is the waited-for children's.
// Usage: node bench/install.mjs [runs=5] [--record]   (Linux x64; after npm run release)
import {execFileSync, spawn, spawnSync} from 'node:child_process'
import {createServer} from 'node:http'
import {performance} from 'node:perf_hooks'
import {mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync} from 'node:fs'
import {cpus, loadavg, tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {childrenCpu} from './children-cpu.mjs'
import {benchArgs, record} from './record.mjs'

const root = fileURLToPath(new URL('../', import.meta.url))
const runs = Number(benchArgs()[0] ?? 5)
const release = JSON.parse(readFileSync(path.join(root, 'release.json'), 'utf8'))
const file = (tarball) => path.join(root, 'release', tarball)
const pkg = (name) => release.packages.find((p) => p.name === name)
const work = mkdtempSync(path.join(tmpdir(), 'ameide-bench-install-'))

// The floor: a package of one file.
mkdirSync(path.join(work, 'tiny/package'), {recursive: true})
writeFileSync(path.join(work, 'tiny/package/package.json'), '{"name":"tiny","version":"1.0.0"}\n')
execFileSync('tar', ['-czf', path.join(work, 'tiny.tgz'), '-C', path.join(work, 'tiny'), 'package'])

/** One install into a fresh prefix and npm cache: wall and CPU (ms), the prefix's size (MB). */
function install(files, extra = []) {
  const dir = mkdtempSync(path.join(work, 'i-'))
  const [prefix, cache] = [path.join(dir, 'prefix'), path.join(dir, 'cache')]
  const args = ['install', '--global', '--prefix', prefix, '--offline', '--cache', cache, '--no-audit', '--no-fund']
  const [cpu0, t0] = [childrenCpu(), performance.now()]
  const r = spawnSync('npm', [...args, ...extra, ...files], {encoding: 'utf8', env: {...process.env, HOME: dir}})
  const [wall, cpu] = [performance.now() - t0, childrenCpu() - cpu0]
  if (r.status !== 0) throw new Error(`npm install exited ${r.status}: ${r.stderr.slice(-2000)}`)
  const du = Number(execFileSync('du', ['-sk', prefix], {encoding: 'utf8'}).split('\t')[0]) / 1024
  return {wall, cpu, mb: du * 1.048576, prefix, dir}
}

/** `ameide doctor` of an install, with the user cache `cache` (emptied first when `cold`). */
function doctor(prefix, cache, cold) {
  if (cold) rmSync(cache, {recursive: true, force: true})
  const [cpu0, t0] = [childrenCpu(), performance.now()]
  const r = spawnSync(path.join(prefix, 'bin/ameide'), ['doctor', '--offline', '--json'], {
    encoding: 'utf8',
    env: {...process.env, XDG_CACHE_HOME: cache},
  })
  const line = JSON.parse(r.stdout).checks.find((c) => c.id === 'render-module')
  if (line.renderers.engine !== 'native (seccomp)') throw new Error(`not native: ${line.renderers.engine}`)
  return {wall: performance.now() - t0, cpu: childrenCpu() - cpu0}
}

/**
 * The Action's install step at a release commit (scripts/action/release.mjs): the CLI's tarball and the runner's
 * render package from a loopback server standing in for GitHub's release downloads, checked and unpacked. Needs a
 * release.json of committed sources (`npm run release` on a clean checkout); undefined otherwise.
 */
async function actionInstall() {
  if (release.sources.dirty) return undefined
  const server = createServer((req, res) => {
    const name = decodeURIComponent(req.url.split('/').at(-1))
    const body = [release, ...release.packages].some((p) => p.tarball === name) && readFileSync(file(name))
    if (!body) return void res.writeHead(404).end()
    res.writeHead(200, {'content-length': body.length}).end(body)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const temp = mkdtempSync(path.join(work, 'runner-'))
  const [cpu0, t0] = [childrenCpu(), performance.now()]
  const r = await new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'scripts/action/release.mjs')], {
      env: {
        ...process.env,
        GITHUB_ACTION_PATH: root,
        GITHUB_ACTION_REPOSITORY: 'ameideio/ameide-cli',
        GITHUB_SERVER_URL: `http://127.0.0.1:${server.address().port}`,
        RUNNER_TEMP: temp,
      },
      stdio: 'ignore',
    })
    child.on('exit', resolve)
  })
  const [wall, cpu] = [performance.now() - t0, childrenCpu() - cpu0]
  server.close()
  if (r !== 0) throw new Error(`the Action's install exited ${r}`)
  return {wall, cpu}
}

const x64 = pkg('@ameide/render-linux-x64')
const wasm = pkg('@ameide/render-wasm')
const cases = {
  floor: () => install([path.join(work, 'tiny.tgz')]),
  x64: () => install([file(release.tarball), file(x64.tarball)]),
  wasm: () => install([file(release.tarball), file(wasm.tarball)], ['--force']),
}
const got = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
for (let i = 0; i < runs; i++) for (const [k, f] of Object.entries(cases)) got[k].push(f())
const action = []
for (let i = 0; i < runs; i++) action.push(await actionInstall())
const kept = install([file(release.tarball), file(x64.tarball)])
const cache = path.join(kept.dir, 'xdg')
const first = []
const later = []
for (let i = 0; i < runs; i++) {
  first.push(doctor(kept.prefix, cache, true))
  later.push(doctor(kept.prefix, cache, false))
}
rmSync(work, {recursive: true, force: true})

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const med = (list, key) => Math.round(median(list.map((r) => r[key])))
const mb = (bytes) => (bytes / 1e6).toFixed(1)
const floor = med(got.floor, 'wall')
const rows = [
  {case: 'npm install -g --offline of a one-file package (the floor)', wall: floor, cpu: med(got.floor, 'cpu')},
  ...[
    ['Linux x64: the CLI and @ameide/render-linux-x64', got.x64, x64],
    ['elsewhere: the CLI and @ameide/render-wasm', got.wasm, wasm],
  ].map(([name, list, p]) => ({
    case: `npm install -g --offline, ${name}`,
    wall: med(list, 'wall'),
    cpu: med(list, 'cpu'),
    figure: `floor + ${med(list, 'wall') - floor} ms; ${mb(release.size + p.size)} MB downloaded, ${Math.round(median(list.map((r) => r.mb)))} MB installed (goals ≤ 1.5 s, ≤ 15 MB, ≤ 40 MB)`,
  })),
  {
    case: 'the first native render: ameide doctor, the user cache empty (the helper unpacked once)',
    wall: med(first, 'wall'),
    cpu: med(first, 'cpu'),
    figure: `+ ${med(first, 'wall') - med(later, 'wall')} ms once, beside the next run`,
  },
  {
    case: 'ameide doctor, the next run (the helper unpacked, its check kept)',
    wall: med(later, 'wall'),
    cpu: med(later, 'cpu'),
  },
  ...(action[0]
    ? [
        {
          case: "the Action's install at a release commit: the CLI and the runner's render package from a loopback server",
          wall: med(action, 'wall'),
          cpu: med(action, 'cpu'),
          figure: 'goal ≤ 1.5 s',
        },
      ]
    : []),
]
console.log(
  `${runs} runs each, interleaved; Node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0].toFixed(1)}`,
)
for (const r of rows)
  console.log(
    `${r.case.padEnd(96)} ${String(r.wall).padStart(6)} ms  CPU ${String(r.cpu).padStart(6)} ms  ${r.figure ?? ''}`,
  )
record('install', `npm run release && node bench/install.mjs ${runs}`, rows)
