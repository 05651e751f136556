#!/usr/bin/env node
// `gitops verify --json --no-cache` on one generated 5,000-file tree (bench/gitops-tree.mjs) by several builds of the
// CLI, interleaved: wall-clock and CPU (user + sys, GNU time) medians per build, to compare a change with an earlier
// commit on the same machine at the same load. A build is a folder holding bin/run.js and its dist/, e.g.
// `git archive 6095a4a | tar -x -C /tmp/at-6095a4a`, node_modules linked, `npm run build` there.
// Usage: node bench/gitops-verify-builds.mjs [runs] <build folder>…   (needs /usr/bin/time)
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {performance} from 'node:perf_hooks'

import {generateGitopsTree} from './gitops-tree.mjs'

const [runsArg, ...builds] = process.argv.slice(2)
const runs = Number(runsArg)
if (!runs || builds.length === 0) {
  console.error('usage: node bench/gitops-verify-builds.mjs <runs> <build folder>…')
  process.exit(2)
}
const repo = mkdtempSync(path.join(tmpdir(), 'ameide-bench-gitops-builds-'))
try {
  generateGitopsTree(repo, 5000)
  spawnSync('git', ['init', '-q'], {cwd: repo})
  const wall = Object.fromEntries(builds.map((b) => [b, []]))
  const cpu = Object.fromEntries(builds.map((b) => [b, []]))
  for (let i = 0; i <= runs; i++) {
    for (const build of builds) {
      const cli = path.join(build, 'bin/run.js')
      const args = [
        '-f',
        'CPU %U %S',
        process.execPath,
        cli,
        'gitops',
        'verify',
        '--json',
        '--no-cache',
        '--root',
        repo,
      ]
      const start = performance.now()
      const result = spawnSync('/usr/bin/time', args, {stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30})
      const elapsed = performance.now() - start
      if (![0, 1].includes(result.status)) throw new Error(`${build} exited ${result.status}: ${result.stderr}`)
      const [, user, sys] = /CPU ([\d.]+) ([\d.]+)/.exec(result.stderr.toString()) ?? []
      if (i === 0) continue // one warm-up round (page cache)
      wall[build].push(elapsed)
      cpu[build].push(1000 * (Number(user) + Number(sys)))
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  console.log(
    `gitops verify --json --no-cache, 5,000 files; median of ${runs} interleaved runs, node ${process.version}`,
  )
  for (const build of builds) {
    console.log(
      `${build.padEnd(40)} ${median(wall[build]).toFixed(0).padStart(6)} ms   CPU ${median(cpu[build]).toFixed(0)} ms`,
    )
  }
} finally {
  rmSync(repo, {recursive: true, force: true})
}
