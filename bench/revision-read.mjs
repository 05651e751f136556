#!/usr/bin/env node
// What reading a revision costs (issue 62 item 2): `readRevision` of a commit — git's objects into memory
// (src/core/memory-fs) — beside the floors, each in-process, interleaved, medians of N runs:
//   readRevision   ls-tree + cat-file --batch, the tree held in memory, links checked; then its snapshot for the
//                  render module's thread (made once per revision) and its removal
//   git only       the same two git calls, their output read, nothing kept (the floor of reading from git)
//   node walk      a plain Node walk reading every file of the working tree (the floor of reading files at all)
//   --before DIR   also the same revision as a build of an earlier commit read it (DIR: its work tree, built with
//                  `tsc -p tsconfig.build.json`): written into a temporary folder, walked into the module's snapshot,
//                  removed — e.g. DIR a worktree of e17b3db, the last commit that materialised revisions
// CPU is this process's (git's own not counted). After npm run build.
//   node bench/revision-read.mjs [runs=7] [repository=.] [commit=HEAD] [--before DIR]
import {execFileSync} from 'node:child_process'
import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {performance} from 'node:perf_hooks'
import {fileURLToPath} from 'node:url'

const argv = process.argv.slice(2)
const at = argv.indexOf('--before')
const before = at >= 0 ? path.resolve(argv.splice(at, 2)[1]) : undefined
const [runs = '7', repo = '.', commit = 'HEAD'] = argv
const dist = (p) => new URL(`../dist/${p}`, import.meta.url).href
const {readRevision} = await import(dist('gitops/revision/index.js'))
const {snapshotOf} = await import(dist('core/memory-fs/index.js'))
const {gitRevisionRead} = await import(dist('effects/git.js'))
const root = path.resolve(fileURLToPath(new URL('../', import.meta.url)), repo)
const old = before && {
  readRevision: (await import(path.join(before, 'dist/gitops/revision/index.js'))).readRevision,
  snapshotOf: (await import(path.join(before, 'dist/effects/render-module/tree.js'))).snapshotOf,
}

const timed = async (f) => {
  const [t, c] = [performance.now(), process.cpuUsage()]
  const value = await f()
  const {user, system} = process.cpuUsage(c)
  return {wall: performance.now() - t, cpu: (user + system) / 1000, value}
}

const steps = {
  async readRevision() {
    const read = await timed(() => readRevision(root, commit, 'bench'))
    const snap = await timed(() => snapshotOf(read.value.dir))
    const gone = await timed(() => read.value.remove())
    return {read, snap, gone, files: read.value.tracked.length}
  },
  async materialised() {
    const read = await timed(() => old.readRevision(root, commit, 'bench'))
    const snap = await timed(() => old.snapshotOf(read.value.dir))
    const gone = await timed(() => read.value.remove())
    return {read, snap, gone}
  },
  async 'git only'() {
    const listed = await gitRevisionRead(root, ['ls-tree', '-r', '-z', '--full-tree', commit])
    const oids = listed.stdout
      .toString('utf8')
      .split('\0')
      .flatMap((r) => /^\d+ blob ([0-9a-f]+)\t/.exec(r)?.[1] ?? [])
    await gitRevisionRead(root, ['cat-file', '--batch'], `${oids.join('\n')}\n`)
  },
  'node walk'() {
    const walk = (dir) => {
      for (const e of readdirSync(dir, {withFileTypes: true})) {
        if (e.name === '.git' || e.name === 'node_modules' || e.name === 'dist' || e.name === '.tools') continue
        if (e.isDirectory()) walk(path.join(dir, e.name))
        else if (e.isFile()) readFileSync(path.join(dir, e.name))
      }
    }
    walk(root)
  },
}

const got = {readRevision: [], snapshot: [], removal: [], 'git only': [], 'node walk': []}
if (old) Object.assign(got, {'materialised (before)': [], 'its snapshot (walked)': [], 'its removal': []})
let files = 0
await steps.readRevision() // warm: the modules loaded, git's object files in the page cache
for (let i = 0; i < Number(runs); i++) {
  const r = await steps.readRevision()
  got.readRevision.push(r.read)
  got.snapshot.push(r.snap)
  got.removal.push(r.gone)
  files = r.files
  if (old) {
    const m = await steps.materialised()
    got['materialised (before)'].push(m.read)
    got['its snapshot (walked)'].push(m.snap)
    got['its removal'].push(m.gone)
  }
  got['git only'].push(await timed(steps['git only']))
  got['node walk'].push(await timed(steps['node walk']))
}
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const load = execFileSync('cat', ['/proc/loadavg']).toString().split(' ')[0]
console.log(`readRevision of ${commit} (${files} files), ${runs} interleaved runs, medians, load ${load}`)
console.log('| step | wall | CPU (this process) |\n| --- | ---: | ---: |')
for (const [step, xs] of Object.entries(got)) {
  const ms = (k) => `${median(xs.map((x) => x[k])).toFixed(1)} ms`
  console.log(`| ${step} | ${ms('wall')} | ${ms('cpu')} |`)
}
