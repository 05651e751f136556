// What a bench measured, kept for docs/performance.md: with `--record`, a bench writes bench/results/<bench>.json (its
// command, the date, the commit and Node it measured, the machine's CPUs and load, and one row per case: wall, CPU
// where it measures it, and what the figure is beside its floor and goal). scripts/performance-doc.mjs makes the
// document's tables from these files, so a figure there is always one a bench printed.
//
//   import {recording, record} from './record.mjs'
//   const args = process.argv.slice(2).filter((a) => a !== '--record')
//   …
//   record('verify', `node bench/verify ${runs}`, rows)   // writes only when the bench was given --record
import {execFileSync} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {cpus, loadavg} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../', import.meta.url))

/** Whether this run records (`--record` among its arguments). */
export const recording = process.argv.includes('--record')

/** The arguments the bench was given, without `--record`. */
export const benchArgs = () => process.argv.slice(2).filter((a) => a !== '--record')

const git = (...args) => execFileSync('git', args, {cwd: root, encoding: 'utf8'}).trim()

/** The commit measured: HEAD, `+` when the sources the build is made of differ from it. */
function measuredCommit() {
  try {
    const dirty = git('status', '--porcelain', '--', 'src', 'scripts', 'bin', 'package.json') !== ''
    return `${git('rev-parse', '--short=8', 'HEAD')}${dirty ? '+' : ''}`
  } catch {
    return 'unknown'
  }
}

/**
 * Keeps the figures of one run of `bench` (`command`: how to run it again): `rows`, each {case, wall?, cpu?, rss?,
 * figure?} (wall and cpu in ms, rss in MB; figure: the ratio to its floor and the goal, as the bench prints them).
 */
export function record(bench, command, rows) {
  if (!recording) return
  const file = path.join(root, 'bench/results', `${bench}.json`)
  const result = {
    bench,
    command,
    date: new Date().toISOString().slice(0, 10),
    commit: measuredCommit(),
    node: process.version,
    cpus: cpus().length,
    load: Number(loadavg()[0].toFixed(1)),
    rows: rows.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined))),
  }
  mkdirSync(path.dirname(file), {recursive: true})
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`)
  console.log(`recorded: bench/results/${bench}.json`)
}
