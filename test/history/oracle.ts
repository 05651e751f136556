/**
 * The truth of the real-history suite: test/history/oracle (Argo CD v3.5.1's own applicationset and repo-server code,
 * built natively) as one long-lived process per repository, asked one revision at a time over stdin/stdout. The
 * binary is built once per machine: it is cached under the OS temp folder keyed by the hash of its sources (go.mod,
 * go.sum, *.go) and of the Go toolchain, so a second run pays nothing.
 */
import {execFileSync, spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, readdirSync, readFileSync, renameSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {createInterface} from 'node:readline'

import {REPO_ROOT, toolEnv} from '../support/toolchain.js'

export const ORACLE_DIR = path.join(REPO_ROOT, 'test/history/oracle')
const TOOLCHAIN = 'go1.26.8'

export interface OracleObject {
  apiVersion: string
  kind: string
  namespace: string
  name: string
  body: Record<string, unknown>
}

export interface OracleDeployable {
  id: string
  kind: string
  file?: string
  external?: string
  inputs?: unknown
  error?: string
  objects?: OracleObject[]
  commands?: string[]
}

export interface OracleAnswer {
  deployables: OracleDeployable[]
  error?: string
}

export interface OracleCluster {
  name: string
  server: string
  project?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
}

export interface OracleRequest {
  dir: string
  revision: string
  repoURLs: string[]
  clusters: OracleCluster[]
  kustomizeRoots: string[]
  fluxPostbuild: string
}

function goBinary(): string {
  return [process.env.AMEIDE_GO, path.join(REPO_ROOT, '.tools/bin/go')].find((g) => g && existsSync(g)) ?? 'go'
}

/** The hash of the oracle's sources and toolchain: the key of its cached binary. */
export function oracleKey(): string {
  const hash = createHash('sha256').update(TOOLCHAIN)
  for (const f of readdirSync(ORACLE_DIR).sort()) {
    if (f === 'go.mod' || f === 'go.sum' || f.endsWith('.go'))
      hash.update(f).update(readFileSync(path.join(ORACLE_DIR, f)))
  }
  return hash.digest('hex').slice(0, 16)
}

/** The built oracle: from the cache when its key is there, else built (≈ 10 min the first time on 2 cores). */
export function buildOracle(): {binary: string; cached: boolean; seconds: number} {
  const started = Date.now()
  const dir = path.join(tmpdir(), 'ameide-history-oracle', oracleKey())
  const binary = path.join(dir, 'history-oracle')
  if (existsSync(binary)) return {binary, cached: true, seconds: 0}
  mkdirSync(dir, {recursive: true})
  const partial = `${binary}.${process.pid}.partial`
  execFileSync(goBinary(), ['build', '-trimpath', '-o', partial, '.'], {
    cwd: ORACLE_DIR,
    stdio: 'inherit',
    env: {...process.env, GOTOOLCHAIN: TOOLCHAIN, GOFLAGS: '-mod=readonly', CGO_ENABLED: '0'},
  })
  renameSync(partial, binary)
  return {binary, cached: false, seconds: (Date.now() - started) / 1000}
}

/** One oracle process answering requests in order (helm and kustomize from the tests' toolchain on PATH). */
export class Oracle {
  private readonly child: ChildProcessWithoutNullStreams
  private readonly waiting: Array<(line: string) => void> = []
  private chain: Promise<unknown> = Promise.resolve()
  private stderr = ''

  constructor(binary: string) {
    this.child = spawn(binary, [], {env: toolEnv({HOME: tmpdir()})})
    this.child.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)))
    createInterface({input: this.child.stdout}).on('line', (line) => this.waiting.shift()?.(line))
    this.child.on('exit', (code) => {
      for (const w of this.waiting.splice(0))
        w(JSON.stringify({deployables: [], error: `oracle exited ${code}: ${this.stderr}`}))
    })
  }

  /** The truth of one revision; requests are answered one at a time, in order. */
  ask(request: OracleRequest): Promise<OracleAnswer> {
    const next = this.chain.then(
      () =>
        new Promise<OracleAnswer>((resolve) => {
          this.waiting.push((line) => resolve(JSON.parse(line) as OracleAnswer))
          this.child.stdin.write(`${JSON.stringify(request)}\n`)
        }),
    )
    this.chain = next.catch(() => undefined)
    return next
  }

  stop(): void {
    this.child.stdin.end()
  }
}
