#!/usr/bin/env node
// Where a CLI run's time goes: runs `bin/run.js <args>` under `--cpu-prof` (the Node running this script) a few
// times and sums the sampled time by owner — a package of the bundle (esbuild's `// node_modules/…` section comments
// map a chunk's lines back to their source), an area of src/, Node's own internals (module loading, fs, child
// processes: `node:*`), V8's compiler and garbage collector. The median run's table is printed.
// Usage: node bench/cpu-profile.mjs [runs] -- <ameide args…>   (run in the folder the command should see)
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const dash = process.argv.indexOf('--')
const runs = Number(process.argv[2] !== '--' ? (process.argv[2] ?? 5) : 5)
const args = dash === -1 ? ['primitive', 'verify', '--all', '--json'] : process.argv.slice(dash + 1)
const cli = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const dir = mkdtempSync(path.join(tmpdir(), 'ameide-cpu-prof-'))

/** For a chunk file: its section starts (line, source), from esbuild's comments. */
const sectionsOf = new Map()
function owner(url, line) {
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

try {
  const profiles = []
  for (let i = 0; i < runs + 1; i++) {
    const out = path.join(dir, String(i))
    const run = spawnSync(
      process.execPath,
      ['--cpu-prof', `--cpu-prof-dir=${out}`, '--cpu-prof-interval=250', cli, ...args],
      {stdio: 'ignore', env: {...process.env, NO_COLOR: '1'}},
    )
    if (run.status !== 0 && run.status !== 1) throw new Error(`ameide ${args.join(' ')} exited ${run.status}`)
    if (i === 0) continue // fills the compile cache
    const p = JSON.parse(readFileSync(path.join(out, readdirSync(out)[0]), 'utf8'))
    const byId = new Map(p.nodes.map((n) => [n.id, n]))
    const totals = new Map()
    let total = 0
    p.samples.forEach((id, k) => {
      const {url, functionName, lineNumber} = byId.get(id).callFrame
      const ms = p.timeDeltas[k] / 1000
      total += ms
      const key = owner(url, lineNumber) ?? `(${functionName})`
      totals.set(key, (totals.get(key) ?? 0) + ms)
    })
    profiles.push({total, totals})
  }
  profiles.sort((a, b) => a.total - b.total)
  const {total, totals} = profiles[Math.floor(profiles.length / 2)]
  console.log(
    `ameide ${args.join(' ')}: ${total.toFixed(1)} ms sampled from the process start (median of ${runs} runs, node ${process.version})`,
  )
  for (const [key, ms] of [...totals].sort((a, b) => b[1] - a[1]).filter(([, ms]) => ms >= 0.5)) {
    console.log(`${ms.toFixed(1).padStart(8)} ms ${((100 * ms) / total).toFixed(0).padStart(3)} %  ${key}`)
  }
} finally {
  rmSync(dir, {recursive: true, force: true})
}
