#!/usr/bin/env node
// The memory of an `ameide mcp` session over many calls ("memory bounded in the MCP server after 100 calls"): two
// sessions, the GitOps readers' calls in the resident process (the default) and in a process per call
// (AMEIDE_MCP_RESIDENT=0), each N calls one after another, alternating `gitops_diff` (the render and kept-step caches on, as
// an agent calls it) and `gitops_verify` on bench/gitops-diff-scale's repository (one ApplicationSet of 3 × `size`
// Applications, the head changing 6 of them). After each call: the server's resident memory (VmRSS of its
// /proc/<pid>/status) and its whole process tree's (the server, the resident or call's process, the one started
// ahead), which is also sampled every 50 ms while the call runs. Prints both after calls 1, 10, 25, 50 and N, the
// server's peak (VmHWM), the tree's peak, and the median call time per tool.
// Usage: node bench/mcp-memory.mjs [calls=100] [size=334] [--record]   (Linux; needs a build: npm run build)
import {spawn, spawnSync} from 'node:child_process'
import {readdirSync, readFileSync, rmSync} from 'node:fs'
import {loadavg} from 'node:os'
import {performance} from 'node:perf_hooks'
import {setInterval, clearInterval} from 'node:timers'
import {fileURLToPath} from 'node:url'

import {benchArgs, record} from './record.mjs'

const [callsArg, sizeArg] = benchArgs()
const calls = Number(callsArg ?? 100)
const size = Number(sizeArg ?? 334)
const cli = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const scale = fileURLToPath(new URL('gitops-diff-scale.mjs', import.meta.url))

// The scale bench's repository (runs=0: made, kept, its path printed); past the default bound of 10,000 Applications
// an ApplicationSet is refused, so a larger one raises the repository's gitopsPolicy.maxApplications.
const bound = 3 * size > 10_000 ? ['--max-applications', String(6 * size)] : []
const made = spawnSync(process.execPath, [scale, String(size), '0', ...bound], {encoding: 'utf8'})
const repo = /^kept: (\S+)/m.exec(made.stdout)?.[1]
if (made.status !== 0 || !repo) throw new Error(`bench/gitops-diff-scale.mjs ${size} 0: ${made.stderr}${made.stdout}`)

const status = (pid, field) => {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))
    return line ? Number(line[1]) / 1024 : 0
  } catch {
    return 0
  }
}
/** The resident MB of `root` and every process under it. */
function treeRss(root) {
  const parents = new Map()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
    } catch {
      // ended meanwhile
    }
  }
  const tree = new Set([root])
  for (let grew = true; grew;) {
    grew = false
    for (const [pid, ppid] of parents) if (tree.has(ppid) && !tree.has(pid)) grew = tree.add(pid) !== undefined
  }
  return [...tree].reduce((mb, pid) => mb + status(pid, 'VmRSS'), 0)
}

const line = (m) => `${JSON.stringify({jsonrpc: '2.0', ...m})}\n`
const tools = [
  ['gitops_diff', {root: repo, base: 'main', head: 'few'}],
  ['gitops_verify', {root: repo}],
]

/**
 * One session of `calls` calls with `env`: the server's RSS after each call, the whole tree's after each call and its
 * peak (50 ms samples), the server's peak, each call's time.
 */
async function session(env) {
  const server = spawn(process.execPath, [cli, 'mcp'], {cwd: repo, env: {...process.env, NO_COLOR: '1', ...env}})
  server.stderr.resume()
  const serverRss = []
  const treeAfter = []
  const times = {gitops_diff: [], gitops_verify: []}
  let treePeak = 0
  await new Promise((resolve, reject) => {
    let buffered = ''
    let sent = 0
    let sampler
    const next = () => {
      const [name, args] = tools[serverRss.length % tools.length]
      sent = performance.now()
      sampler = setInterval(() => (treePeak = Math.max(treePeak, treeRss(server.pid))), 50)
      server.stdin.write(line({id: 10 + serverRss.length, method: 'tools/call', params: {name, arguments: args}}))
    }
    server.stdout.on('data', (chunk) => {
      buffered += chunk
      for (let at = buffered.indexOf('\n'); at >= 0; at = buffered.indexOf('\n')) {
        const message = JSON.parse(buffered.slice(0, at))
        buffered = buffered.slice(at + 1)
        if (message.id === 1) {
          server.stdin.write(line({method: 'notifications/initialized'}))
          server.stdin.write(line({id: 2, method: 'tools/list', params: {}}))
        } else if (message.id === 2) next()
        else if (message.id >= 10) {
          clearInterval(sampler)
          if (message.error || message.result?.isError)
            return reject(new Error(JSON.stringify(message.error ?? message.result.content).slice(0, 2000)))
          times[tools[serverRss.length % tools.length][0]].push(performance.now() - sent)
          serverRss.push(status(server.pid, 'VmRSS'))
          treeAfter.push(treeRss(server.pid))
          if (serverRss.length < calls) next()
          else resolve()
        }
      }
    })
    server.on('error', reject)
    server.stdin.write(
      line({
        id: 1,
        method: 'initialize',
        params: {protocolVersion: '2025-06-18', capabilities: {}, clientInfo: {name: 'bench', version: '0'}},
      }),
    )
  })
  const serverPeak = status(server.pid, 'VmHWM')
  server.stdin.end()
  await new Promise((resolve) => server.on('close', resolve))

  return {serverRss, treeRss: treeAfter, serverPeak, treePeak, times}
}

// The resident process (the default) and a process per call (AMEIDE_MCP_RESIDENT=0), one session after the other.
const resident = await session({})
const perCall = await session({AMEIDE_MCP_RESIDENT: '0'})
rmSync(repo.replace(/\/repo$/, ''), {recursive: true, force: true})

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
const at = [1, 10, 25, 50, calls].filter((k, i, all) => k <= calls && all.indexOf(k) === i)
const mb = (xs) => at.map((k) => xs[k - 1].toFixed(0)).join(' / ')
console.log(
  `ameide mcp, ${calls} calls (gitops_diff and gitops_verify alternating), ${3 * size} Applications, load ${loadavg()[0].toFixed(1)}`,
)
for (const [name, s] of [
  ['resident process', resident],
  ['a process per call (AMEIDE_MCP_RESIDENT=0)', perCall],
]) {
  console.log(`  ${name}:`)
  console.log(
    `    server RSS after call ${at.join(' / ')}: ${mb(s.serverRss)} MB; peak (VmHWM) ${s.serverPeak.toFixed(0)} MB`,
  )
  console.log(
    `    the whole tree after call ${at.join(' / ')}: ${mb(s.treeRss)} MB; its peak (50 ms samples) ${s.treePeak.toFixed(0)} MB`,
  )
  console.log(
    `    median call: gitops_diff ${median(s.times.gitops_diff).toFixed(0)} ms, gitops_verify ${median(s.times.gitops_verify).toFixed(0)} ms (first: ${s.times.gitops_diff[0].toFixed(0)} ms, ${s.times.gitops_verify[0].toFixed(0)} ms)`,
  )
}
const rows = (name, s) => [
  ...at.map((k) => ({case: `${name}: the whole tree after call ${k}`, rss: Math.round(s.treeRss[k - 1])})),
  {case: `${name}: the server, its peak (VmHWM)`, rss: Math.round(s.serverPeak)},
  {case: `${name}: the whole tree's peak (50 ms samples)`, rss: Math.round(s.treePeak)},
  {case: `${name}: a gitops_diff call (median)`, wall: Math.round(median(s.times.gitops_diff))},
  {case: `${name}: a gitops_verify call (median)`, wall: Math.round(median(s.times.gitops_verify))},
]
// 1,002 Applications under the bench's own name; another size under its number of Applications.
record(size === 334 ? 'mcp-memory' : `mcp-memory-${3 * size}`, `node bench/mcp-memory.mjs ${calls} ${size}`, [
  ...rows('resident', resident),
  ...rows('a process per call', perCall),
])
