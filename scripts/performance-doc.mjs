#!/usr/bin/env node
// docs/performance.md's tables, made from what the benches recorded (bench/results/<bench>.json, written by a bench run
// with --record: bench/record.mjs). One table per bench: how to run it, when and on what it ran, each case's figures
// and what they are beside its floor and goal. The document's text outside the marked part is kept as written.
//
//   node scripts/performance-doc.mjs           rewrite the marked part of docs/performance.md
//   node scripts/performance-doc.mjs --check   exit 1 when it is not what the recorded figures make
import {readdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../', import.meta.url))
const doc = path.join(root, 'docs/performance.md')
const results = path.join(root, 'bench/results')
const BEGIN = '<!-- bench tables: made by scripts/performance-doc.mjs from bench/results/*.json; do not edit -->'
const END = '<!-- end of bench tables -->'

/** Each bench's title and floor, in the document's order; a recorded bench not named here comes last. */
const BENCHES = {
  startup: 'The fixed cost: commands with nothing to check, beside `node -e 0` (goal: ≤ node + 60 ms)',
  verify: '`primitive verify` on 200 primitives (20,004 files), beside a Node walk + read and `rg`',
  'gitops-verify': '`gitops verify` on a GitOps tree of 5,000 files, beside a Node walk + YAML parse and `rg`',
  'gitops-diff-scale':
    "`gitops diff` of 1,002 Applications, beside Helm's engine natively (goals: all changed ≤ 5 s, ≤ 300 MB, ≤ 3× Helm's CPU; 6 changed ≤ 1 s cold, ≤ 0.5 s warm and for another pull request)",
  'gitops-diff-scale-10002':
    "`gitops diff` of 10,002 Applications, beside Helm's engine natively (goals: all changed ≤ 30 s wall, ≤ 1 GB, ≤ 3× Helm's CPU; 6 changed ≤ 3 s cold, ≤ 1 s warm and for another pull request)",
  'mcp-memory': 'An `ameide mcp` session of 1,002 Applications: memory after 100 calls (goal: bounded)',
  'mcp-memory-10002':
    'An `ameide mcp` session of 10,002 Applications: memory after 100 calls (goal: bounded, the figure said)',
  'schema-validation': 'Validating 3,006 rendered objects of built-in kinds, beside a plain walk',
  'gitops-render':
    '`gitops verify --render` of 60 kustomize roots, beside bare `kustomize build` of each; native helper and WebAssembly',
  install:
    'Installing a release: the CLI and the render package of the machine, beside npm installing one file (goals: ≤ 1.5 s, ≤ 15 MB downloaded, ≤ 40 MB installed)',
}

const cell = (text) => String(text).replaceAll('|', '\\|')

function table(result) {
  const columns = [
    ['wall', 'wall', (v) => `${v} ms`],
    ['cpu', 'CPU', (v) => `${v} ms`],
    ['rss', 'peak RSS', (v) => `${v} MB`],
    ['figure', 'beside its floor; the goal', (v) => cell(v)],
  ].filter(([key]) => result.rows.some((r) => r[key] !== undefined))
  const head = ['case', ...columns.map(([, title]) => title)]
  const align = ['---', ...columns.map(([key]) => (key === 'figure' ? '---' : '---:'))]
  const rows = result.rows.map((r) => [
    cell(r.case),
    ...columns.map(([key, , show]) => (r[key] === undefined ? '–' : show(r[key]))),
  ])
  return [head, align, ...rows].map((cells) => `| ${cells.join(' | ')} |`)
}

function section(result) {
  const title = BENCHES[result.bench] ?? result.bench
  return [
    `### ${title}`,
    '',
    `\`${result.command}\` — ${result.date}, commit \`${result.commit}\`, Node ${result.node}, ${result.cpus} CPUs, load ${result.load}`,
    '',
    ...table(result),
    '',
  ]
}

/** The marked part, from every recorded bench. */
export function benchTables(dir = results) {
  const order = Object.keys(BENCHES)
  const recorded = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')))
    .sort(
      (a, b) =>
        (order.indexOf(a.bench) + 1 || 99) - (order.indexOf(b.bench) + 1 || 99) || a.bench.localeCompare(b.bench),
    )
  return [BEGIN, '', ...recorded.flatMap(section), END].join('\n')
}

/** The document with its marked part made again. */
export function withTables(text, tables) {
  const [at, end] = [text.indexOf(BEGIN), text.indexOf(END)]
  if (at < 0 || end < at) throw new Error(`docs/performance.md has no marked part (${BEGIN} … ${END})`)
  return `${text.slice(0, at)}${tables}${text.slice(end + END.length)}`
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = readFileSync(doc, 'utf8')
  const made = withTables(text, benchTables())
  if (process.argv.includes('--check')) {
    if (made !== text) {
      console.error('docs/performance.md is not what bench/results/ records: node scripts/performance-doc.mjs')
      process.exit(1)
    }
  } else if (made !== text) writeFileSync(doc, made)
}
