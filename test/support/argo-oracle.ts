/**
 * Argo CD v3.5.1's own code as the tests' truth: test/history/oracle (its applicationset controller and repo-server
 * packages, built natively) as a long-lived process answering one JSON request a line over stdin/stdout — a
 * revision's every deployable (the real-history suite), one Application's manifests (`render`: the Helm and kustomize
 * field tests), one ApplicationSet's Applications and parameter sets (`generate`: the clusters and SCM provider
 * tests). The binary is built once per machine: cached under the OS temp folder keyed by the hash of its sources
 * (go.mod, go.sum, *.go) and of the Go toolchain, so a second run pays nothing; test files that start together wait
 * for one build (a lock folder beside the cache) instead of compiling it each.
 */
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {createInterface} from 'node:readline'

import type {Obj} from './argo-render.js'
import {runToEnd} from './exec.js'
import {REPO_ROOT, toolEnv} from './toolchain.js'

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
  /** Argo CD's Applications are only those the kustomize roots print (no file of the revision is applied alone). */
  rootsOnly?: boolean
  fluxPostbuild: string
}

/** One Application of the revision at `dir` to render (`kubeVersion`/`apiVersions`: the destination cluster's). */
export interface RenderRequest {
  dir: string
  revision: string
  application: Record<string, unknown>
  kubeVersion?: string
  apiVersions?: string[]
}

/** One ApplicationSet to expand over `clusters` (Secrets), `secrets` (SCM tokens), `env` for that request only. */
export interface GenerateRequest {
  applicationSet: Record<string, unknown>
  clusters?: OracleCluster[]
  secrets?: Array<{name: string; data: Record<string, string>}>
  env?: Record<string, string>
  dir?: string
  repoURLs?: string[]
}

export interface GenerateAnswer {
  /** The Applications GenerateApplications returns (those it could render, even when it also failed). */
  applications?: Array<Record<string, unknown> & {metadata: {name: string}; spec: Record<string, unknown>}>
  /** Each top-level generator's parameter sets (generators.Transform). */
  params?: Array<Array<Record<string, unknown>> | null>
  error?: string
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

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Waits while another live process holds `lock` (a folder holding its pid); then takes it. */
async function takeLock(lock: string): Promise<void> {
  for (;;) {
    try {
      mkdirSync(lock)
      writeFileSync(path.join(lock, 'pid'), String(process.pid))
      return
    } catch {
      let pid = 0
      try {
        pid = Number(readFileSync(path.join(lock, 'pid'), 'utf8'))
      } catch {
        // Not written yet, or the lock just left: wait and look again.
      }
      if (pid > 0 && !alive(pid)) rmSync(lock, {recursive: true, force: true})
      else await new Promise((resolve) => setTimeout(resolve, 2000))
    }
  }
}

/**
 * The built oracle: from the cache when its key is there, else built (≈ 13 min the first time on 2 cores), never
 * blocking the test worker while it waits or builds (test/support/exec.ts).
 */
export async function buildOracle(): Promise<{binary: string; cached: boolean; seconds: number}> {
  const started = Date.now()
  const dir = path.join(tmpdir(), 'ameide-history-oracle', oracleKey())
  const binary = path.join(dir, 'history-oracle')
  if (existsSync(binary)) return {binary, cached: true, seconds: 0}
  mkdirSync(dir, {recursive: true})
  await takeLock(`${dir}.lock`)
  try {
    if (!existsSync(binary)) await compile(binary)
  } finally {
    rmSync(`${dir}.lock`, {recursive: true, force: true})
  }
  return {binary, cached: false, seconds: (Date.now() - started) / 1000}
}

async function compile(binary: string): Promise<void> {
  const partial = `${binary}.${process.pid}.partial`
  await runToEnd(goBinary(), ['build', '-trimpath', '-o', partial, '.'], {
    cwd: ORACLE_DIR,
    showStderr: true,
    env: {...process.env, GOTOOLCHAIN: TOOLCHAIN, GOFLAGS: '-mod=readonly', CGO_ENABLED: '0'},
  })
  renameSync(partial, binary)
}

/** One oracle process answering requests in order (helm and kustomize from the tests' toolchain on PATH). */
export class Oracle {
  private readonly child: ChildProcessWithoutNullStreams
  private readonly waiting: Array<(line: string) => void> = []
  private chain: Promise<unknown> = Promise.resolve()
  private stderr = ''

  /** `pathFirst`: folders put before the tools' PATH (a kustomize of another version). */
  constructor(binary: string, pathFirst: string[] = []) {
    const env = toolEnv({HOME: tmpdir()})
    env.PATH = [...pathFirst, env.PATH].join(path.delimiter)
    this.child = spawn(binary, [], {env})
    this.child.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)))
    createInterface({input: this.child.stdout}).on('line', (line) => this.waiting.shift()?.(line))
    this.child.on('exit', (code) => {
      for (const w of this.waiting.splice(0))
        w(JSON.stringify({deployables: [], error: `oracle exited ${code}: ${this.stderr}`}))
    })
  }

  /** The truth of one revision; requests are answered one at a time, in order. */
  ask(request: OracleRequest): Promise<OracleAnswer> {
    return this.request(request)
  }

  /** One Application's manifests, as the controller (or, for a dry source, the hydrator) asks the repo-server. */
  render(request: RenderRequest): Promise<OracleAnswer> {
    return this.request({mode: 'render', ...request})
  }

  /** One ApplicationSet's Applications and its generators' parameter sets. */
  generate(request: GenerateRequest): Promise<GenerateAnswer> {
    return this.request({mode: 'generate', dir: '', revision: '', repoURLs: [], clusters: [], ...request})
  }

  private request<T>(request: object): Promise<T> {
    const next = this.chain.then(
      () =>
        new Promise<T>((resolve) => {
          this.waiting.push((line) => resolve(JSON.parse(line) as T))
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

/** The oracle built (or taken from the cache) and started; stop it in afterAll. */
export async function startOracle(pathFirst: string[] = []): Promise<Oracle> {
  const built = await buildOracle()
  if (!built.cached) console.log(`oracle built in ${built.seconds.toFixed(0)} s: ${built.binary}`)
  return new Oracle(built.binary, pathFirst)
}

/**
 * The objects of a `render` answer as Argo CD applies them: each body with the destination namespace given where it
 * names none and its kind is namespaced (the oracle's `namespace`). The oracle's error is thrown.
 */
export function oracleObjects(answer: OracleAnswer): Obj[] {
  const [d] = answer.deployables ?? []
  if (answer.error || !d || d.error) throw new Error(`oracle: ${answer.error ?? d?.error ?? 'no answer'}`)
  return (d.objects ?? []).map((o) => {
    const body = structuredClone(o.body) as Obj
    if (!body.metadata.namespace && o.namespace) body.metadata.namespace = o.namespace
    return body
  })
}
