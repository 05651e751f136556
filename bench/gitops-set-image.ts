// 500 components referenced across a 5,000-file local overlay; a publish report moves all 500 to new digests.
// `ameide gitops set-image --env local --report … --json` (parse everything, plan, write all-or-nothing) is timed
// against `sed -i` applying the same 500 substitutions to the same files (no parsing, no checks), interleaved,
// medians. Then `--open-pr` against the loopback GitHub stand-in (OpenAPI-validated) for N changed files, counting
// the API requests it makes.
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {cpus, tmpdir} from 'node:os'
import path from 'node:path'
import {performance} from 'node:perf_hooks'
import {fileURLToPath} from 'node:url'

import {DEFAULT_GITOPS_POLICY} from '../src/core/config.js'
import {pullRequestForWrite} from '../src/gitops/pr/changes-pr.js'
import {desiredFromRefs} from '../src/gitops/write/input.js'
import {setImage} from '../src/gitops/write/write.js'
import {startFakeGitHub} from '../test/support/github-server.js'

const runs = Number(process.argv[2] ?? 5)
const FILES = 5000
const COMPONENTS = 500
const cli = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const hex = (i: number, c = '0') => i.toString(16).padStart(8, c).repeat(8)
const repoOf = (c: number) => `ghcr.io/ameideio/primitive-domain-c${c}`
const oldRef = (c: number) => `${repoOf(c)}:1111111@sha256:${hex(c)}`
const newRef = (c: number) => `${repoOf(c)}:2222222@sha256:${hex(c, 'f')}`

const FLOOR_SCRIPT = `
const fs = require('node:fs')
const [script, ...files] = process.argv.slice(1)
const subs = fs.readFileSync(script, 'utf8').trim().split('\\n').map((l) => l.slice(2, -1).split('#'))
const map = new Map(subs)
for (const f of files) {
  const text = fs.readFileSync(f, 'utf8')
  const m = /ref: (\\S+)/.exec(text)
  const to = m && map.get(m[1])
  if (!to) continue
  const tmp = f + '.tmp'
  const fd = fs.openSync(tmp, 'wx')
  fs.writeSync(fd, text.replace(m[1], to))
  fs.fsyncSync(fd)
  fs.closeSync(fd)
  fs.renameSync(tmp, f)
}
`

const git = (dir: string, ...args: string[]) => execFileSync('git', args, {cwd: dir, stdio: 'pipe'})

const root = mkdtempSync(path.join(tmpdir(), 'ameide-bench-setimage-'))
try {
  for (let i = 0; i < FILES; i++) {
    const dir = path.join(root, 'sources/values/env/local/apps', `group-${i % 50}`)
    mkdirSync(dir, {recursive: true})
    const c = i % COMPONENTS
    writeFileSync(
      path.join(dir, `file-${i}.yaml`),
      `# file ${i}\nimage:\n  ref: ${oldRef(c)}  # component ${c}\nsidecar:\n  image:\n    ref: "ghcr.io/ameideio/sidecar:1.0.0@sha256:${hex(7)}"\nreplicas: 2\n`,
    )
  }
  git(root, 'init', '-q', '-b', 'main')
  git(root, '-c', 'user.name=b', '-c', 'user.email=b@b', 'add', '-A')
  git(root, '-c', 'user.name=b', '-c', 'user.email=b@b', 'commit', '-qm', 'tree')
  const report = path.join(root, '..', `report-${process.pid}.json`)
  writeFileSync(
    report,
    JSON.stringify({
      schemaVersion: 1,
      sha: 'a'.repeat(40),
      images: Array.from({length: COMPONENTS}, (_, c) => ({component: `domain-c${c}`, ref: newRef(c)})),
      failures: [],
    }),
  )
  const sedScript = path.join(root, '..', `sed-${process.pid}.txt`)
  writeFileSync(sedScript, Array.from({length: COMPONENTS}, (_, c) => `s#${oldRef(c)}#${newRef(c)}#`).join('\n') + '\n')
  const files = execFileSync('git', ['ls-files'], {cwd: root, encoding: 'utf8', maxBuffer: 1 << 26})
    .trim()
    .split('\n')

  const cases: Record<string, () => void> = {
    'sed -i (500 substitutions, no checks)': () => {
      for (let i = 0; i < files.length; i += 1000) {
        execFileSync('sed', ['-i', '-f', sedScript, ...files.slice(i, i + 1000)], {cwd: root})
      }
    },
    // The floor: a plain Node process that reads each file, substitutes, writes a temporary sibling, fsyncs it and
    // renames it over the file, one file after the other (no parsing, no plan, no checks).
    'plain node: read, rewrite, fsync, rename': () => {
      const r = spawnSync(process.execPath, ['-e', FLOOR_SCRIPT, sedScript, ...files], {cwd: root, maxBuffer: 1 << 26})
      if (r.status !== 0) throw new Error(String(r.stderr))
    },
    'ameide gitops set-image --json': () => {
      const r = spawnSync(
        process.execPath,
        [cli, 'gitops', 'set-image', '--env', 'local', '--report', report, '--json'],
        {
          cwd: root,
          maxBuffer: 1 << 28,
        },
      )
      if (r.status !== 0) throw new Error(String(r.stdout).slice(0, 500) + String(r.stderr))
    },
  }
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
  for (let i = 0; i < runs + 1; i++) {
    for (const [label, fn] of Object.entries(cases)) {
      git(root, 'checkout', '--', '.')
      const start = performance.now()
      fn()
      const ms = performance.now() - start
      if (i > 0) samples[label].push(ms)
    }
  }
  const changed = execFileSync('git', ['diff', '--name-only'], {cwd: root, encoding: 'utf8'}).trim().split('\n').length
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  console.log(
    `gitops set-image vs sed: ${FILES} files, ${COMPONENTS} components, ${changed} files changed; median of ${runs} interleaved runs`,
  )
  console.log(`node ${process.version}, ${cpus().length} CPU(s)`)
  const [sedLabel, floorLabel, ameideLabel] = Object.keys(cases)
  const [sed, floor, ameide] = [sedLabel, floorLabel, ameideLabel].map((l) => median(samples[l]))
  console.log(`${sedLabel.padEnd(40)} ${sed.toFixed(0).padStart(7)} ms`)
  console.log(`${floorLabel.padEnd(40)} ${floor.toFixed(0).padStart(7)} ms`)
  console.log(
    `${ameideLabel.padEnd(40)} ${ameide.toFixed(0).padStart(7)} ms   ${(ameide / sed).toFixed(2)}x sed, ${(ameide / floor).toFixed(2)}x the plain-Node floor (goal ≤ 1.25x)`,
  )

  // --open-pr: API requests for N changed files (in-process, against the OpenAPI-validating stand-in).
  for (const n of [1, 10, 100, 500]) {
    git(root, 'checkout', '--', '.')
    const token = 'ghp_benchTOKEN0123456789abcdefghijklmnop'
    const server = await startFakeGitHub({token, branches: {main: git(root, 'rev-parse', 'HEAD').toString().trim()}})
    const {result} = await setImage({
      root,
      policy: DEFAULT_GITOPS_POLICY,
      dryRun: false,
      env: 'local',
      images: desiredFromRefs(Array.from({length: n}, (_, c) => newRef(c))),
      skipped: [],
    })
    const start = performance.now()
    await pullRequestForWrite(
      root,
      result,
      {repository: 'ameideio/ameide-gitops', base: 'main', apiUrl: server.url, env: {GH_TOKEN: token}},
      undefined,
    )
    const ms = performance.now() - start
    const writes = server.requests.filter((r) => r.method !== 'GET').length
    console.log(
      `--open-pr, ${String(n).padStart(3)} components / ${String(result.files.length).padStart(4)} changed files: ${server.requests.length} API requests (${writes} writes), ${ms.toFixed(0)} ms` +
        (server.violations.length ? `  OpenAPI violations: ${server.violations.length}` : ''),
    )
    await server.close()
  }
  rmSync(report, {force: true})
  rmSync(sedScript, {force: true})
} finally {
  rmSync(root, {recursive: true, force: true})
}
