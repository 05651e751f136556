#!/usr/bin/env node
// Do two builds of ameide answer the same? `node scripts/same-output.mjs <checkout A> <checkout B>` runs both builds'
// `gitops verify --json` (plain, --render, --print-layout) and `gitops preview --json` over every fifth of the last 40
// commits of the real-history suite's repositories (test/history/repos) and over the fixture repositories
// (test/fixtures/gitops-repo, with test/fixtures/preview's ApplicationSets), then prints each output that differs.
// What a cache makes differ between two runs (`rendered`/`cached` counts, a unit's `cached` status) is set aside.
// For `gitops diff`, the real-history suite keeps each commit's output: AMEIDE_HISTORY_DUMP=<dir> (then `diff -r`).
// Exit 0 when every output is the same, 1 otherwise.
import {execFileSync, spawnSync} from 'node:child_process'
import {cpSync, mkdtempSync, readdirSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../', import.meta.url))
const [a, b] = process.argv.slice(2).map((p) => path.resolve(p))
if (!a || !b) {
  console.error('usage: node scripts/same-output.mjs <checkout A> <checkout B> (each built: npm run build)')
  process.exit(2)
}
const git = (cwd, ...args) => execFileSync('git', args, {cwd, encoding: 'utf8'}).trim()
const work = mkdtempSync(path.join(tmpdir(), 'ameide-same-output-'))

/** A build's answer: its JSON with what a cache changes set aside, and its exit code. */
function answer(checkout, cwd, args) {
  const run = spawnSync(process.execPath, [path.join(checkout, 'bin/run.js'), ...args, '--json'], {
    cwd,
    encoding: 'utf8',
    env: {...process.env, NO_COLOR: '1'},
    maxBuffer: 1 << 30,
  })
  const strip = (v) =>
    Array.isArray(v)
      ? v.map(strip)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v).flatMap(([k, x]) => (['rendered', 'cached'].includes(k) ? [] : [[k, strip(x)]])),
          )
        : v === 'cached'
          ? 'rendered'
          : v
  let json
  try {
    json = JSON.stringify(strip(JSON.parse(run.stdout)), null, 1)
  } catch {
    json = run.stdout
  }
  return `${json}\nexit ${run.status}`
}

const COMMANDS = [
  ['verify', ['gitops', 'verify']],
  ['render', ['gitops', 'verify', '--render']],
  ['layout', ['gitops', 'verify', '--print-layout']],
  [
    'preview',
    ['gitops', 'preview', '--pr', '7', '--branch', 'feature/x', '--target-branch', 'main', '--label', 'preview'],
  ],
]
let compared = 0
const differs = []
function compare(name, cwd, head) {
  for (const [label, args] of COMMANDS) {
    const argv =
      label === 'preview' ? [...args, '--head-sha', head, '--repository', 'https://github.com/ameideio/ameide'] : args
    compared++
    if (answer(a, cwd, argv) !== answer(b, cwd, argv)) differs.push(`${name} ${label}`)
  }
}

for (const repo of readdirSync(path.join(root, 'test/history/repos'), {withFileTypes: true}).filter((e) =>
  e.isDirectory(),
)) {
  const clone = path.join(work, repo.name)
  git(work, 'clone', '-q', path.join(root, 'test/history/repos', repo.name, 'repo.bundle'), clone)
  const commits = git(clone, 'rev-list', '--first-parent', '--max-count=40', 'HEAD').split('\n')
  for (const commit of commits.filter((_, i) => i % 5 === 0)) {
    git(clone, 'checkout', '-q', '-f', commit)
    compare(`${repo.name}@${commit.slice(0, 12)}`, clone, commit)
  }
}
const fixture = path.join(work, 'fixture')
cpSync(path.join(root, 'test/fixtures/gitops-repo'), fixture, {recursive: true})
for (const f of readdirSync(path.join(root, 'test/fixtures/preview')).filter((f) => f.endsWith('.yaml')))
  cpSync(path.join(root, 'test/fixtures/preview', f), path.join(fixture, 'argocd', f))
git(fixture, 'init', '-q')
git(fixture, 'add', '-A')
git(fixture, '-c', 'user.name=a', '-c', 'user.email=a@example.com', 'commit', '-qm', 'fixture')
compare('fixture', fixture, git(fixture, 'rev-parse', 'HEAD'))

console.log(
  `${compared} outputs compared, ${differs.length} differ${differs.length ? `:\n  ${differs.join('\n  ')}` : ''}`,
)
process.exit(differs.length ? 1 : 0)
