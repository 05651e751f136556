#!/usr/bin/env node
// Where a CLI run's time goes: runs `bin/run.js <args>` under `--cpu-prof` (the Node running this script) a few
// times and sums the sampled time by owner — a package of the bundle (esbuild's `// node_modules/…` section comments
// map a chunk's lines back to their source), an area of src/, Node's own internals (module loading, fs, child
// processes: `node:*`), V8's compiler and garbage collector. The median run's table is printed, the main thread's
// first, then each worker thread's (Node writes a profile per thread): a render-module thread's time split into the
// render module's Go code (Helm, kustomize: WebAssembly), Go's JavaScript glue (wasm_exec.js) and the thread's own
// JavaScript (its in-memory file system, the messages), the time it waited (idle) apart.
// Usage: node bench/cpu-profile.mjs [runs] [--cold] -- <ameide args…>   (run in the folder the command should see;
// --cold: the repository's ameide caches, .git/ameide/cache, removed before each run)
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const dash = process.argv.indexOf('--')
const own = process.argv.slice(2, dash === -1 ? undefined : dash)
const cold = own.includes('--cold')
const runs = Number(own.find((a) => /^\d+$/.test(a)) ?? 5)
const args = dash === -1 ? ['primitive', 'verify', '--all', '--json'] : process.argv.slice(dash + 1)
const cli = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const dir = mkdtempSync(path.join(tmpdir(), 'ameide-cpu-prof-'))

/** For a chunk file: its section starts (line, source), from esbuild's comments. */
const sectionsOf = new Map()
function owner(url, line, thread) {
  if (url.startsWith('wasm://')) return `WebAssembly: ${WASM[thread] ?? 'a module'}'s Go code`
  if (url.endsWith('/wasm_exec.js')) return "Go's JavaScript glue (wasm_exec.js)"
  if (!url) return null
  if (url.startsWith('node:')) return 'node internals (module loading, fs, child processes…)'
  if (!url.startsWith('file:')) return url
  const file = fileURLToPath(url)
  if (!sectionsOf.has(file)) {
    const sections = []
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((text, i) => {
        const m = /^\/\/ (\S+)$/.exec(text)
        if (m && /^(node_modules\/|src\/|ameide-entry:|cjs-facade:)/.test(m[1])) sections.push([i, m[1]])
      })
    sectionsOf.set(file, sections)
  }
  const sections = sectionsOf.get(file)
  let source = path.relative(path.dirname(cli), file)
  for (const [start, name] of sections) if (start <= line) source = name
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source)
  if (pkg) return `package ${pkg[1]}`
  const area = /^src\/([^/]+)(?:\/([^/]+))?/.exec(source)
  if (area) return `src/${area[1]}${area[2]?.endsWith('.ts') || !area[2] ? '' : `/${area[2]}`}`
  return source
}

/** What a worker thread runs, from the entry its profile names (dist/cli/workers/<name>.js). */
function threadOf(p) {
  const entry = p.nodes.map((n) => /\/workers\/([\w-]+)\.js$/.exec(n.callFrame.url)?.[1]).find(Boolean)
  return entry ? `worker ${entry}` : 'a worker'
}
const WASM = {
  'worker render-module': 'the render module (Helm, kustomize, go-jsonnet)',
  'worker gotemplate': 'the template engine (text/template, sprig)',
}

/** One profile's time by owner, and the thread it is (Node names a profile `CPU.<date>.<pid>.<thread>.<n>`). */
function summed(file) {
  const p = JSON.parse(readFileSync(file, 'utf8'))
  const main = path.basename(file).split('.')[4] === '0'
  const thread = main ? 'main thread' : threadOf(p)
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const totals = new Map()
  let total = 0
  p.samples.forEach((id, k) => {
    const {url, functionName, lineNumber} = byId.get(id).callFrame
    const ms = p.timeDeltas[k] / 1000
    total += ms
    const key = owner(url, lineNumber, thread) ?? `(${functionName})`
    totals.set(key, (totals.get(key) ?? 0) + ms)
  })
  return {thread, total, totals}
}

/** The threads of several profiles of one kind (two render-module threads) as one. */
function merged(threads) {
  const totals = new Map()
  for (const t of threads) for (const [k, ms] of t.totals) totals.set(k, (totals.get(k) ?? 0) + ms)
  return {thread: threads[0].thread, count: threads.length, total: threads.reduce((n, t) => n + t.total, 0), totals}
}

function print({thread, count, total, totals}) {
  const idle = totals.get('((idle))') ?? 0
  console.log(
    `\n${thread}${count > 1 ? ` (${count} threads)` : ''}: ${total.toFixed(1)} ms sampled, ${(total - idle).toFixed(1)} ms not idle`,
  )
  const shown = [...totals].sort((a, b) => b[1] - a[1]).filter(([, ms]) => ms >= Math.max(0.5, total / 200))
  for (const [key, ms] of shown.slice(0, 24)) {
    console.log(`${ms.toFixed(1).padStart(8)} ms ${((100 * ms) / total).toFixed(0).padStart(3)} %  ${key}`)
  }
}

const gitDir = () => execFileSync('git', ['rev-parse', '--absolute-git-dir'], {encoding: 'utf8'}).trim()

try {
  const profiles = []
  for (let i = 0; i < runs + 1; i++) {
    const out = path.join(dir, String(i))
    if (cold) rmSync(path.join(gitDir(), 'ameide', 'cache'), {recursive: true, force: true})
    const run = spawnSync(
      process.execPath,
      ['--cpu-prof', `--cpu-prof-dir=${out}`, '--cpu-prof-interval=250', cli, ...args],
      {stdio: 'ignore', env: {...process.env, NO_COLOR: '1'}},
    )
    // 3 is an answer too: gitops verify on an empty checkout checks nothing (NOTHING_CHECKED).
    if (![0, 1, 3].includes(run.status)) throw new Error(`ameide ${args.join(' ')} exited ${run.status}`)
    if (i === 0) continue // fills the compile cache
    const threads = readdirSync(out)
      .sort()
      .map((f) => summed(path.join(out, f)))
    const kinds = Map.groupBy(threads, (t) => t.thread)
    profiles.push({main: kinds.get('main thread')[0], workers: [...kinds.values()].slice(1).map(merged)})
  }
  profiles.sort((a, b) => a.main.total - b.main.total)
  const {main, workers} = profiles[Math.floor(profiles.length / 2)]
  console.log(
    `ameide ${args.join(' ')}${cold ? ' (cold)' : ''}: the median of ${runs} run(s) by the main thread's time, node ${process.version}`,
  )
  for (const t of [{...main, count: 1}, ...workers]) print(t)
} finally {
  rmSync(dir, {recursive: true, force: true})
}
