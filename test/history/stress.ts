/**
 * "Never an answer without its document", under load: every commit the real-history suite diffs (test/history/repos,
 * gitops-bridge with and without `--argocd-server`), through `gitops diff --json`, JOBS processes at a time, ROUNDS
 * times over. Each call must print exactly one JSON document on stdout — a result (schemas/gitops-diff) or an error
 * (schemas/error.schema.json) — with the exit code it says: a result exits 0, or 1 when `incomplete`; an error exits
 * its `exitCode`. Not a test of npm test (no truth is asked; it takes many minutes): run it by hand, on a build.
 *
 *   npx tsx test/history/stress.ts [--rounds 10] [--jobs 4] [--cli bin/run.js] [--minutes N]
 *
 * `--cli` names the entry to run (a copy of the build, so a rebuild during the run does not mix two builds);
 * `--minutes` stops starting rounds once that much time has passed (the count run is printed). Exit 1 on any failure.
 *
 * Measured on the 2-core machine shared with other jobs (load average 11-17), `nice -n 19 npx tsx
 * test/history/stress.ts --minutes 24` (the fake Argo CD serving the hub alone): 4 rounds, 800 calls, 0 failures
 * (620 exit 0, 180 exit 1 `incomplete`), 1,581 s — the first round 643 s beside a run of the real-history suite, the
 * others 301-334 s.
 */
import {execFileSync, spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {pathToFileURL} from 'node:url'

import {clusterJson, FakeArgoCd, localClusterJson} from '../support/argocd-server.js'
import {toolEnv} from '../support/toolchain.js'
import {REPOS} from './repos.js'

const TOKEN = 'history-stress-token'

interface Call {
  repo: string
  clone: string
  parent: string
  commit: string
  argo: boolean
}

interface Outcome {
  call: Call
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : fallback
}

const git = (dir: string, ...args: string[]) => execFileSync('git', args, {cwd: dir, encoding: 'utf8'}).trim()

/** The calls of one round: each repository's commits, against their first parents, in a clone of its bundle. */
function callsOf(work: string): Call[] {
  const clones = new Map<string, string>()
  const calls: Call[] = []
  for (const repo of REPOS) {
    let clone = clones.get(repo.bundle)
    if (!clone) {
      clone = path.join(work, repo.name)
      execFileSync('git', ['clone', '-q', repo.bundle, clone])
      git(clone, 'remote', 'set-url', 'origin', repo.url)
      clones.set(repo.bundle, clone)
    }
    const commits = git(clone, 'rev-list', '--first-parent', `--max-count=${repo.commits}`, 'HEAD').split('\n')
    for (const commit of commits)
      calls.push({
        repo: repo.name,
        clone,
        parent: git(clone, 'rev-parse', `${commit}^`),
        commit,
        argo: !!repo.argocdServer,
      })
  }
  return calls
}

function runOne(cli: string, call: Call, argoUrl: string): Promise<Outcome> {
  const args = ['gitops', 'diff', '--base', call.parent, '--head', call.commit, '--json']
  if (call.argo) args.push('--argocd-server', argoUrl)
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {cwd: call.clone, env: toolEnv({ARGOCD_AUTH_TOKEN: TOKEN})})
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.stderr.on('data', (b: Buffer) => err.push(b))
    child.on('close', (code, signal) =>
      resolve({
        call,
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    )
  })
}

/** What is wrong with a call's answer (undefined: one document, and the exit it says). */
export function problemOf(o: Pick<Outcome, 'code' | 'signal' | 'stdout'>): string | undefined {
  if (o.signal) return `ended by ${o.signal}`
  let doc: unknown
  try {
    doc = JSON.parse(o.stdout)
  } catch {
    return o.stdout.trim() === ''
      ? `no document on stdout (exit ${o.code})`
      : `stdout is not one JSON document (exit ${o.code})`
  }
  if (!o.stdout.endsWith('}\n')) return 'the document does not end in one newline'
  if (typeof doc !== 'object' || doc === null) return 'the document is not an object'
  const d = doc as {error?: {exitCode?: unknown; code?: unknown}; summary?: unknown}
  if (d.error) {
    return o.code === d.error.exitCode
      ? undefined
      : `error ${String(d.error.code)} says exit ${String(d.error.exitCode)}, exit was ${o.code}`
  }
  if (typeof d.summary !== 'string') return 'neither a result nor an error'
  const want = d.summary === 'incomplete' ? 1 : 0
  return o.code === want ? undefined : `summary ${d.summary} wants exit ${want}, exit was ${o.code}`
}

async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const run = async () => {
    while (next < items.length) await work(items[next++])
  }
  await Promise.all(Array.from({length: limit}, run))
}

async function main(): Promise<void> {
  const rounds = Number(option('rounds', '10'))
  const jobs = Number(option('jobs', '4'))
  const cli = path.resolve(option('cli', 'bin/run.js'))
  const minutes = Number(option('minutes', 'Infinity'))
  const work = mkdtempSync(path.join(tmpdir(), 'ameide-history-stress-'))
  const argo = await new FakeArgoCd(TOKEN).start()
  const clusters = REPOS.find((r) => r.argocdServer)?.clusters ?? []
  const inCluster = clusters.some((c) => c.server === 'https://kubernetes.default.svc')
  argo.clusters = [...clusters.map((c) => clusterJson(c)), ...(inCluster ? [] : [localClusterJson()])]
  const started = Date.now()
  let calls = 0
  let done = 0
  const failures: Array<{round: number; outcome: Outcome; problem: string}> = []
  const exits = new Map<string, number>()
  try {
    const list = callsOf(work)
    for (let round = 1; round <= rounds; round++) {
      if ((Date.now() - started) / 60_000 >= minutes) break
      const t = Date.now()
      await pool(list, jobs, async (call) => {
        const outcome = await runOne(cli, call, argo.url)
        calls++
        const tag = `exit ${outcome.code}`
        exits.set(tag, (exits.get(tag) ?? 0) + 1)
        const problem = problemOf(outcome)
        if (problem) {
          failures.push({round, outcome, problem})
          console.log(
            `FAIL round ${round} ${call.repo} ${call.commit.slice(0, 10)}: ${problem}\n${outcome.stderr.slice(-2000)}`,
          )
        }
      })
      done = round
      console.log(
        `round ${round}: ${list.length} calls in ${((Date.now() - t) / 1000).toFixed(0)} s, ${failures.length} failures so far`,
      )
    }
  } finally {
    await argo.stop()
    rmSync(work, {recursive: true, force: true})
  }
  const wall = ((Date.now() - started) / 1000).toFixed(0)
  console.log(
    `${done} rounds, ${calls} calls (${jobs} at a time), ${failures.length} failures, ${wall} s; ${[...exits].map(([k, n]) => `${k}: ${n}`).join(', ')}`,
  )
  process.exitCode = failures.length > 0 ? 1 : 0
}

// Run, not imported (problemOf is checked on its own).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main()
