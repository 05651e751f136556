#!/usr/bin/env node
// A diff an agent can hold: `gitops_diff` through `ameide mcp` and the official SDK client on N Applications that all
// change (one chart, each Application a release of it, the head changing the chart's template), within maxBytes.
// Prints the whole document's size, the first answer's size, the calls following `next` until every deployable was
// seen, and each call's wall time (the first renders; the rest answer from the render cache).
// Usage: node bench/mcp-budget.mjs [applications=1000] [maxBytes=24000]   (needs a build: npm run build)
import {Client} from '@modelcontextprotocol/sdk/client/index.js'
import {StdioClientTransport} from '@modelcontextprotocol/sdk/client/stdio.js'
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {performance} from 'node:perf_hooks'
import {fileURLToPath} from 'node:url'

const apps = Number(process.argv[2] ?? 1000)
const maxBytes = Number(process.argv[3] ?? 24_000)
const cli = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const repo = mkdtempSync(path.join(tmpdir(), 'ameide-bench-mcp-budget-'))
const write = (file, text) => {
  mkdirSync(path.dirname(path.join(repo, file)), {recursive: true})
  writeFileSync(path.join(repo, file), text)
}
const git = (...args) => {
  const r = spawnSync('git', ['-c', 'user.email=b@b', '-c', 'user.name=b', ...args], {cwd: repo, encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`)
}
const ORIGIN = 'https://github.com/acme/gitops.git'
const template = (replicas) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: {{ .Release.Name }}}\nspec:\n  replicas: ${replicas}\n` +
  `  selector: {matchLabels: {app: {{ .Release.Name }}}}\n  template:\n    metadata: {labels: {app: {{ .Release.Name }}}}\n` +
  `    spec: {containers: [{name: app, image: 'ghcr.io/acme/app:1.0.0@sha256:${'d'.repeat(64)}'}]}\n`
git('init', '-q', '-b', 'main')
git('remote', 'add', 'origin', ORIGIN)
write('charts/app/Chart.yaml', 'apiVersion: v2\nname: app\nversion: 1.0.0\n')
write('charts/app/templates/deployment.yaml', template(1))
for (let i = 1; i <= apps; i++) {
  write(
    `apps/app-${i}.yaml`,
    `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: app-${i}, namespace: argocd}\nspec:\n` +
      `  project: default\n  destination: {server: https://kubernetes.default.svc, namespace: dev}\n` +
      `  source: {repoURL: ${ORIGIN}, targetRevision: HEAD, path: charts/app}\n`,
  )
}
git('add', '-A')
git('commit', '-q', '-m', 'base')
git('checkout', '-q', '-b', 'pr')
write('charts/app/templates/deployment.yaml', template(2))
git('commit', '-q', '-am', 'every Application changes')

const client = new Client({name: 'bench', version: '1.0.0'})
await client.connect(
  new StdioClientTransport({command: process.execPath, args: [cli, 'mcp', '--tools', 'gitops_diff'], cwd: repo}),
)
const call = async (detail) => {
  const t = performance.now()
  const r = await client.callTool({
    name: 'gitops_diff',
    arguments: {base: 'main', head: 'HEAD', maxBytes, ...(detail ? {detail} : {})},
  })
  if (r.isError) throw new Error(r.content[0].text)
  return {doc: r.structuredContent, bytes: Buffer.byteLength(r.content[0].text), ms: performance.now() - t}
}
const first = await call()
const seen = new Set(first.doc.deployables.map((d) => d.application))
const times = [first.ms]
let largest = first.bytes
for (let next = first.doc.truncated?.next; next;) {
  const page = await call(next)
  times.push(page.ms)
  largest = Math.max(largest, page.bytes)
  for (const d of page.doc.deployables) seen.add(d.application)
  next = page.doc.truncated?.next
}
await client.close()
rmSync(repo, {recursive: true, force: true})
const sorted = [...times.slice(1)].sort((a, b) => a - b)
console.log(
  `${apps} Applications, maxBytes ${maxBytes}: whole document ${first.doc.truncated?.bytes ?? first.bytes} bytes; ` +
    `first answer ${first.bytes} bytes in ${(first.ms / 1000).toFixed(2)} s (${first.doc.deployables.length} deployables, counts whole: ${first.doc.counts.deployablesChanged} changed); ` +
    `${times.length - 1} next calls reached ${seen.size}/${apps} deployables, largest answer ${largest} bytes, ` +
    `median next call ${sorted.length ? (sorted[Math.floor(sorted.length / 2)] / 1000).toFixed(2) : '-'} s`,
)
