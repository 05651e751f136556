#!/usr/bin/env node
// What an agent waits for on `gitops_diff` through `ameide mcp`: three calls in one session (no render cache), with
// each call's process started ahead (the default: Node, oclif and, after a call that rendered, the render module
// started while the agent thinks) and with AMEIDE_MCP_AHEAD=0 (each process started at its call). Beside them, the
// same diff run as a plain CLI process, and `node -e 0`. Sessions interleaved; medians per call position.
// The repository: one Argo CD Application over a small chart in the repository, the head moving its image tag.
// Usage: node bench/mcp-calls.mjs [sessions=5]   (needs a build: npm run build)
import {spawn, spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {loadavg, tmpdir} from 'node:os'
import path from 'node:path'
import {performance} from 'node:perf_hooks'
import {setTimeout} from 'node:timers'
import {fileURLToPath} from 'node:url'

const sessions = Number(process.argv[2] ?? 5)
const cli = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const work = mkdtempSync(path.join(tmpdir(), 'ameide-bench-mcp-'))
const repo = path.join(work, 'repo')
const write = (file, text) => {
  mkdirSync(path.dirname(path.join(repo, file)), {recursive: true})
  writeFileSync(path.join(repo, file), text)
}
const git = (...args) => {
  const r = spawnSync('git', ['-c', 'user.email=b@b', '-c', 'user.name=b', ...args], {cwd: repo, encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`)
}

write('charts/web/Chart.yaml', 'apiVersion: v2\nname: web\nversion: 1.0.0\n')
write('charts/web/values.yaml', 'image: ghcr.io/acme/web:1.0.0\nreplicas: 2\n')
write(
  'charts/web/templates/deployment.yaml',
  `apiVersion: apps/v1
kind: Deployment
metadata: {name: {{ .Release.Name }}}
spec:
  replicas: {{ .Values.replicas }}
  selector: {matchLabels: {app: {{ .Release.Name }}}}
  template:
    metadata: {labels: {app: {{ .Release.Name }}}}
    spec: {containers: [{name: web, image: {{ .Values.image | quote }}}]}
`,
)
write(
  'apps/web.yaml',
  `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: web, namespace: argocd}
spec:
  project: default
  destination: {server: https://kubernetes.default.svc, namespace: web}
  source: {repoURL: https://github.com/acme/gitops.git, targetRevision: HEAD, path: charts/web}
`,
)
git('init', '-q', '-b', 'main')
git('remote', 'add', 'origin', 'https://github.com/acme/gitops.git')
git('add', '-A')
git('commit', '-qm', 'base')
write('charts/web/values.yaml', 'image: ghcr.io/acme/web:1.1.0\nreplicas: 2\n')
git('commit', '-qam', 'head')

const line = (m) => `${JSON.stringify({jsonrpc: '2.0', ...m})}\n`
const CALLS = 3

/** One session: initialize, tools/list, then CALLS gitops_diff calls one after another; ms of each call. */
function session(ahead) {
  return new Promise((resolve, reject) => {
    const env = {...process.env, NO_COLOR: '1', ...(ahead ? {} : {AMEIDE_MCP_AHEAD: '0'})}
    const child = spawn(process.execPath, [cli, 'mcp'], {cwd: repo, env, stdio: ['pipe', 'pipe', 'ignore']})
    const times = []
    let buffered = ''
    let sent = 0
    const next = () => {
      sent = performance.now()
      const id = 10 + times.length
      const args = {root: repo, base: 'HEAD^', head: 'HEAD', cache: false}
      child.stdin.write(line({id, method: 'tools/call', params: {name: 'gitops_diff', arguments: args}}))
    }
    child.stdout.on('data', (chunk) => {
      buffered += chunk
      for (let at = buffered.indexOf('\n'); at >= 0; at = buffered.indexOf('\n')) {
        const message = JSON.parse(buffered.slice(0, at))
        buffered = buffered.slice(at + 1)
        if (message.id === 1) {
          child.stdin.write(line({method: 'notifications/initialized'}))
          child.stdin.write(line({id: 2, method: 'tools/list', params: {}}))
        } else if (message.id === 2)
          setTimeout(next, 1000) // the agent reads the tools
        else if (message.id >= 10) {
          if (message.result?.isError) return reject(new Error(JSON.stringify(message.result.content)))
          times.push(performance.now() - sent)
          if (times.length < CALLS)
            setTimeout(next, 1000) // the agent thinks
          else child.stdin.end()
        }
      }
    })
    child.on('close', () => resolve(times))
    child.stdin.write(
      line({
        id: 1,
        method: 'initialize',
        params: {protocolVersion: '2025-06-18', capabilities: {}, clientInfo: {name: 'bench', version: '0'}},
      }),
    )
  })
}

const timed = (args) => {
  const start = performance.now()
  const r = spawnSync(process.execPath, args, {cwd: repo, encoding: 'utf8'})
  if (r.status !== 0 && r.status !== 1) throw new Error(r.stderr)
  return performance.now() - start
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const rows = {ahead: [], cold: [], cli: [], node: []}
for (let i = 0; i < sessions; i++) {
  rows.ahead.push(await session(true))
  rows.cold.push(await session(false))
  rows.cli.push(timed([cli, 'gitops', 'diff', '--base', 'HEAD^', '--head', 'HEAD', '--no-cache', '--json']))
  rows.node.push(timed(['-e', '0']))
}
const perCall = (runs) => Array.from({length: CALLS}, (_, k) => median(runs.map((r) => r[k])).toFixed(0))
console.log(
  `gitops_diff through ameide mcp, ${sessions} sessions of ${CALLS} calls, medians (ms), load ${loadavg()[0].toFixed(1)}`,
)
console.log(`  started ahead (default)     calls 1..${CALLS}: ${perCall(rows.ahead).join(' / ')}`)
console.log(`  AMEIDE_MCP_AHEAD=0          calls 1..${CALLS}: ${perCall(rows.cold).join(' / ')}`)
console.log(`  ameide gitops diff (CLI):   ${median(rows.cli).toFixed(0)}`)
console.log(`  node -e 0:                  ${median(rows.node).toFixed(0)}`)
rmSync(work, {recursive: true, force: true})
