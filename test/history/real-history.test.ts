/**
 * Real history, truth by the controllers' own code: for each of the last commits of seven public GitOps
 * repositories (test/history/repos), `gitops diff --base C^ --head C --json` through the built CLI is compared,
 * object by object and image by image, with what Argo CD v3.5.1's own applicationset and repo-server code and
 * kustomize-controller's build compute for C^ and C (test/history/oracle, built natively; its binary cached by the hash
 * of its sources). Each commit is classed (compare.ts); the suite fails on any false-incomplete, wrong or crash but the
 * reviewed exceptions below, and prints the class table.
 *
 * Measured on the 2-core machine shared with other jobs (load average 15-20): the oracle's first build, Go's caches
 * empty, downloads Argo CD's module graph and compiles it in 13-23 min (780 s for the CGO_ENABLED=0 build with the
 * modules downloaded); an edit of the oracle's own sources rebuilds in 7-11 s; a cached binary costs nothing. The
 * 200 diffs (150 commits, gitops-bridge's with and without --argocd-server) take 4.6-5 min (two `gitops diff` at a
 * time, one oracle process per repository); 22 min for 150 when the render cache was cold and the load at 20. Then
 * every commit is diffed again in a second clone, oldest first, each warm on the caches the one before it left, and
 * must give the same document (warmAgain). vehagn-homelab's 50 alone: 5-6.5 min, 110 s of it the warm pass.
 * AMEIDE_HISTORY_VERBOSE=1 prints every commit's class and why (the truth's unknowns of an honest-incomplete one).
 */
import {execFileSync} from 'node:child_process'
import {existsSync, mkdirSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {clusterJson, FakeArgoCd, localClusterJson} from '../support/argocd-server.js'
import {buildGo} from '../support/argo-render.js'
import {runCli} from '../support/cli.js'
import {makeTempDir, runCleanups} from '../support/tmp.js'
import {requireTool, toolEnv} from '../support/toolchain.js'
import {CLASSES, classify, truthChanges, type DiffJson, type Klass, type Verdict} from './compare.js'
import {buildOracle, Oracle, type OracleAnswer} from '../support/argo-oracle.js'
import {REPOS, type HistoryRepo} from './repos.js'

// ai-accelerator (its bootstrap overlays print an app of apps and two list ApplicationSets per environment; each
// environment is a cluster of its own). The truth has no environments: an object is keyed by kind, namespace and name
// over the whole repository, and a key changes when the set of its bodies does. Where an environment is added or
// removed, or an object is added to or removed from some environments that others hold, ameide says added or removed
// in that environment (the object does appear on, or leave, that cluster), where the truth sees the key's set of
// bodies changed, or nothing where the other environments' bodies are the same. (fb9d87dae0 also holds a
// `kueue.openshift.io` Kueue, whose scope ameide does not know and so gives no namespace, where the truth gives it
// the Application's.)
const AIA_ENVIRONMENTS = {
  klass: 'wrong-detail' as const,
  why:
    'ai-accelerator: an environment (bootstrap/overlays/<env>) added or removed, or objects added to or removed from ' +
    'some environments that others hold: ameide says added or removed in that environment, the truth (no ' +
    "environments) sees the key's set of bodies changed, or nothing",
}

/**
 * Reviewed exceptions: commit → the one class it may take there, and why the truth, not ameide, is short there. Any
 * other bad class on that commit still fails.
 */
const EXCEPTIONS = new Map<string, {klass: Klass; why: string}>([
  [
    '7b9196e31c4e5bf93505dd8c148baa6a49f6e264',
    {
      klass: 'wrong-detail',
      why:
        "flux2-kustomize-helm-example moves its Kustomizations to ExternalArtifacts made by an ArtifactGenerator (Flux 2.7's " +
        'source-watcher) from this repository: the truth does not run source-watcher, so from here on it holds those ' +
        'Kustomizations external, and sees their objects removed where ameide follows the artifact',
    },
  ],
  [
    '242c5b1eb198aeefdc88f384c8aac7f661545e68',
    {
      klass: 'false-incomplete',
      why:
        'an envoy-gateway HelmRelease added under infrastructure/, which an ExternalArtifact of an ArtifactGenerator carries: ' +
        'the truth does not run source-watcher, so it sees nothing touched where ameide rightly cannot render the chart',
    },
  ],
  [
    'b3d1eb0ac09413b1a4a310ce923a96294592724b',
    {
      klass: 'wrong-detail',
      why:
        "the change is a HelmRelease's spec.test.enable (Helm test hooks, never applied): the truth fingerprints a " +
        'HelmRelease from a Helm repository by its whole spec, so it calls the release touched where ameide knows the ' +
        'field decides no render',
    },
  ],
  // Both in both gitops-bridge runs. Its bootstrap ApplicationSets (addons.yaml, workloads.yaml of each example) take
  // repoURL and path wholly from cluster annotations
  // (`{{metadata.annotations.addons_repo_basepath}}{{metadata.annotations.addons_repo_path}}`, a directory source with
  // recurse), and the added files change what a directory source over their folder deploys — a JSON file is one
  // object or a failure to Argo CD (getObjsFromYAMLOrJSON), a YAML file of objects is deployed. What decides it lies
  // outside the revision, and the truth holds it where ameide is not given it:
  // - Offline: the truth evaluates the clusters generator over its fixed cluster list, which the offline run is not
  //   given; without it a cluster may name any folder of this repository.
  // - With --argocd-server (hub and spoke-dev): `bootstrap-addons` is one fixed name for both clusters, so Argo CD's
  //   applicationset controller refuses that name (validateGeneratedApplications) yet neither updates nor deletes the
  //   Application of that name that exists (deleteInCluster keeps every generated name): its spec is an earlier
  //   reconcile's — live state, no file of the revision — and it renders this commit. The truth holds no live
  //   Application and takes a set refusing a duplicate name as decided by its own spec alone.
  // So "incomplete" is the only answer that is never a wrong "no change". (The Pulumi*.yaml files, unrelated YAML a
  // directory source ignores, could be bound out; the JSON files beside them cannot.)
  [
    'a4d55d01e657094d861a467f668cc740304d6e02',
    {
      klass: 'false-incomplete',
      why:
        "a Pulumi project added (package.json, tsconfig.json, Pulumi*.yaml) where gitops-bridge's bootstrap " +
        'ApplicationSets may read (their path is cluster annotations the offline run is not given; with two clusters ' +
        'Argo CD keeps, under a refused duplicate name, a live Application of an earlier spec): the truth holds a ' +
        'fixed cluster list and no live Application, so it sees nothing touched',
    },
  ],
  [
    'af899c9f587a9972d14b51510d3fe4f86f9f9e14',
    {
      klass: 'false-incomplete',
      why:
        'Kubernetes objects added under a Terraform example (test/vpc-*.yaml, Crossplane VPCs) where the same ' +
        'ApplicationSets may read and would deploy them: the same limit of the truth',
    },
  ],
  ['67c693b1b54e321484a3c3873b2e6d58ae11825c', AIA_ENVIRONMENTS],
  ['bf0e5f6a3ce20681e640a0538b06bc5f1e06a981', AIA_ENVIRONMENTS],
  ['1e6df13334614bd9a1e3cfb0beee861de517a767', AIA_ENVIRONMENTS],
  ['fb9d87dae01e40f37505a69327960f2c2c07f5b5', AIA_ENVIRONMENTS],
  ['b6622b4edc0e75f79587c4927d8e1912bec10ad7', AIA_ENVIRONMENTS],
  ['3033e17351a6c5a4320dac17516c19aa97c1cf78', AIA_ENVIRONMENTS],
  ['00e3f60b024fabbac414323067161fc420a237bc', AIA_ENVIRONMENTS],
  ['acb4920000cd369bfe99aa068cf3ce7db5f51a1f', AIA_ENVIRONMENTS],
  ['68cee662327496a604ebe3f41785cc5a289d6a33', AIA_ENVIRONMENTS],
  ['ec3fb1c199c4c0c75083709b1bc49c713b4ebca4', AIA_ENVIRONMENTS],
  ['4bde53219bbdda99406cf0183d1959561919710a', AIA_ENVIRONMENTS],
  ['858ab8f3dfad337852008bd4c9e2536b96e563bb', AIA_ENVIRONMENTS],
  // Argo CD fails the base's Application too (its path, overlays/fast-nvidia-gpu, does not exist): what it deployed
  // before is live state, no file of the revision, so ameide leaves its objects out (unknown, incomplete); the truth
  // counts a failed render as no objects, so the head's are added or changed.
  [
    '8ea6da35285796ef134ac9cf9112aa9417e92138',
    {
      klass: 'wrong-detail',
      why:
        "ai-accelerator: a generated Application's path fixed, its base render failing in Argo CD too: ameide leaves " +
        "its objects out (unknown), the truth counts the failed render as none and the head's as added or changed",
    },
  ],
])

/**
 * Known limits of ameide (not of the truth): the suite fails when one is fixed (take it out) as when a new one
 * appears. (ai-accelerator's base-no-tenants placeholders, read as applied alone, were the last: its Applications
 * are now taken as the bootstrap overlays print them.)
 */
const KNOWN_LIMITS = new Map<string, string>([])

const TOKEN = 'history-token-3f9a'
const CONCURRENCY = 2
/** Where each commit's `gitops diff --json` is kept when set: two builds' outputs compared byte for byte (`diff -r`). */
const DUMP = process.env.AMEIDE_HISTORY_DUMP

interface Row {
  repo: string
  commit: string
  subject: string
  verdict: Verdict
}

const rows: Row[] = []
/** Commits whose document the warm pass (warmAgain) gave otherwise: `<repo> <commit>: what differed`. */
const unlike: string[] = []
const started = Date.now()
let argo: FakeArgoCd
let oracleBinary: string
let fluxPostbuild: string

afterAll(async () => {
  await argo?.stop()
  await runCleanups()
})

beforeAll(async () => {
  requireTool('helm')
  requireTool('kustomize')
  const built = await buildOracle()
  console.log(`oracle ${built.cached ? 'cached' : `built in ${built.seconds.toFixed(0)} s`}: ${built.binary}`)
  oracleBinary = built.binary
  fluxPostbuild = await buildGo('test/gitops/testdata/flux-postbuild', 'flux-postbuild', '.', 'go1.27.3')
  argo = await new FakeArgoCd(TOKEN).start()
}, 1_800_000)

const gitIn = (dir: string, ...args: string[]) => execFileSync('git', args, {cwd: dir, encoding: 'utf8'}).trim()

/** Folders of `dir` (relative, '/'-separated) matching `pattern`. */
function folders(dir: string, pattern: RegExp, rel = ''): string[] {
  const out: string[] = []
  for (const e of readdirSync(path.join(dir, rel))) {
    if (e === '.git') continue
    const p = rel ? `${rel}/${e}` : e
    if (!statSync(path.join(dir, p)).isDirectory()) continue
    if (pattern.test(p) && existsSync(path.join(dir, p, 'kustomization.yaml'))) out.push(p)
    out.push(...folders(dir, pattern, p))
  }
  return out.sort()
}

/** Runs `work` over `items`, `limit` at a time. */
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const run = async () => {
    while (next < items.length) await work(items[next++])
  }
  await Promise.all(Array.from({length: limit}, run))
}

async function checkHistory(repo: HistoryRepo): Promise<void> {
  const clone = path.join(await makeTempDir(`ameide-history-${repo.name}-`), 'clone')
  execFileSync('git', ['clone', '-q', repo.bundle, clone])
  gitIn(clone, 'remote', 'set-url', 'origin', repo.url)
  const commits = gitIn(clone, 'rev-list', '--first-parent', `--max-count=${repo.commits}`, 'HEAD').split('\n')
  const oracle = new Oracle(oracleBinary)
  const answers = new Map<string, Promise<OracleAnswer>>()
  const truthOf = (sha: string) => {
    if (!answers.has(sha)) {
      const dir = path.join(path.dirname(clone), sha)
      gitIn(clone, 'worktree', 'add', '-q', '--detach', dir, sha)
      answers.set(
        sha,
        oracle.ask({
          dir,
          revision: sha,
          repoURLs: [repo.url],
          clusters: repo.clusters,
          kustomizeRoots: repo.overlays ? folders(dir, repo.overlays) : [],
          rootsOnly: repo.rootsOnly,
          fluxPostbuild,
        }),
      )
    }
    return answers.get(sha)!
  }
  const inCluster = repo.clusters.some((c) => c.server === 'https://kubernetes.default.svc')
  argo.clusters = [...repo.clusters.map((c) => clusterJson(c)), ...(inCluster ? [] : [localClusterJson()])]
  const argoFlags = repo.argocdServer ? ['--argocd-server', argo.url] : []
  const documents = new Map<string, {exitCode: number; stdout: string}>()
  try {
    await pool(commits, CONCURRENCY, async (sha) => {
      const parent = gitIn(clone, 'rev-parse', `${sha}^`)
      const [base, head] = await Promise.all([truthOf(parent), truthOf(sha)])
      const run = await runCli(['gitops', 'diff', '--base', parent, '--head', sha, '--json', ...argoFlags], {
        cwd: clone,
        env: toolEnv({ARGOCD_AUTH_TOKEN: TOKEN}),
        timeoutMs: 300_000,
      })
      documents.set(sha, {exitCode: run.exitCode, stdout: run.stdout})
      if (DUMP) {
        mkdirSync(DUMP, {recursive: true})
        writeFileSync(path.join(DUMP, `${repo.name}-${sha}.json`), run.stdout)
      }
      let diff: DiffJson | undefined
      try {
        diff = run.json<DiffJson>()
      } catch {
        diff = undefined
      }
      const failed = [base.error, head.error].filter(Boolean)
      const verdict: Verdict =
        failed.length > 0
          ? {klass: 'crash', why: [`oracle: ${failed.join('; ')}`]}
          : classify(truthChanges(base, head), run.exitCode, diff)
      if (verdict.klass === 'crash' && failed.length === 0)
        verdict.why.push(run.stderr.slice(-1500), run.stdout.slice(0, 1500))
      rows.push({repo: repo.name, commit: sha, subject: gitIn(clone, 'log', '-1', '--format=%s', sha), verdict})
    })
  } finally {
    oracle.stop()
  }
  await warmAgain(repo, commits, documents, argoFlags)
}

/**
 * The kept steps and renders proved on real history (issue 97): a second clone, its caches empty, diffs every commit
 * again oldest first, each on the caches the one before it left (as a pull request's job restores the last one's),
 * and each document must be the first pass's (that clone's, two diffs at a time on shared caches) byte for byte but
 * the render counts and engine, which say how each render was had (rendered or cached, and by which engine), not what.
 */
async function warmAgain(
  repo: HistoryRepo,
  commits: string[],
  documents: Map<string, {exitCode: number; stdout: string}>,
  argoFlags: string[],
): Promise<void> {
  const clone = path.join(await makeTempDir(`ameide-history-warm-${repo.name}-`), 'clone')
  execFileSync('git', ['clone', '-q', repo.bundle, clone])
  gitIn(clone, 'remote', 'set-url', 'origin', repo.url)
  const began = Date.now()
  let cached = 0
  for (const sha of [...commits].reverse()) {
    const parent = gitIn(clone, 'rev-parse', `${sha}^`)
    const run = await runCli(['gitops', 'diff', '--base', parent, '--head', sha, '--json', ...argoFlags], {
      cwd: clone,
      env: toolEnv({ARGOCD_AUTH_TOKEN: TOKEN}),
      timeoutMs: 300_000,
    })
    cached += cachedRenders(run.stdout)
    const first = documents.get(sha)!
    const why = sameDocument(first.stdout, run.stdout)
    if (run.exitCode !== first.exitCode)
      unlike.push(`${repo.name} ${sha}: exit ${first.exitCode}, then ${run.exitCode}`)
    else if (why) unlike.push(`${repo.name} ${sha}: ${why}`)
  }
  const seconds = ((Date.now() - began) / 1000).toFixed(0)
  console.log(`${repo.name}: ${commits.length} commits again, warm, in ${seconds} s (${cached} renders from the cache)`)
}

/** The renders a `gitops diff --json` document had from the cache (0 when it is no document). */
function cachedRenders(stdout: string): number {
  try {
    const {renders} = JSON.parse(stdout) as {renders?: Record<'base' | 'head', {cached: number}>}
    return (renders?.base.cached ?? 0) + (renders?.head.cached ?? 0)
  } catch {
    return 0
  }
}

/** Why two `gitops diff --json` documents differ but their render counts and engine (undefined: they do not). */
function sameDocument(a: string, b: string): string | undefined {
  if (a === b) return undefined
  const [x, y] = [a, b].map((text) => {
    try {
      type Side = {rendered: number; cached: number; unchanged: number}
      const doc = JSON.parse(text) as {renders?: {base: Side; head: Side; engine: string}}
      if (!doc.renders) return JSON.stringify(doc, null, 2)
      const made = ({rendered, cached, unchanged}: Side) => ({made: rendered + cached, unchanged})
      // The engine is the one that rendered (null: every render came from the cache): how, not what.
      const {base, head} = doc.renders
      return JSON.stringify({...doc, renders: {base: made(base), head: made(head)}}, null, 2)
    } catch {
      return text
    }
  })
  if (x === y) return undefined
  const [xs, ys] = [x.split('\n'), y.split('\n')]
  const line = xs.findIndex((l, i) => l !== ys[i])
  return `line ${line + 1}: ${JSON.stringify(xs[line])}, then ${JSON.stringify(ys[line])}`
}

function table(): string {
  const names = REPOS.map((r) => r.name)
  const lines = [`| class | ${names.join(' | ')} | all |`, `| --- | ${names.map(() => '---:').join(' | ')} | ---: |`]
  for (const k of CLASSES) {
    const counts = names.map((n) => rows.filter((r) => r.repo === n && r.verdict.klass === k).length)
    lines.push(`| ${k} | ${counts.join(' | ')} | ${counts.reduce((a, b) => a + b, 0)} |`)
  }
  lines.push(`| commits | ${names.map((n) => rows.filter((r) => r.repo === n).length).join(' | ')} | ${rows.length} |`)
  return lines.join('\n')
}

const BAD: ReadonlySet<Klass> = new Set(['false-incomplete', 'wrong-nochange', 'wrong-detail', 'crash'])

/** AMEIDE_HISTORY_ONLY=<name,…>: only those repositories (a development run). */
const ONLY = process.env.AMEIDE_HISTORY_ONLY?.split(',')
const RUN = ONLY ? REPOS.filter((r) => ONLY.includes(r.name)) : REPOS

describe('gitops diff over real history, held to Argo CD and Flux code', () => {
  for (const repo of RUN) {
    it(`${repo.name}: every commit classed`, async () => {
      await checkHistory(repo)
      expect(rows.filter((r) => r.repo === repo.name)).toHaveLength(repo.commits)
    }, 1_800_000)
  }

  it('each document again, warm on the caches of the commit before it: the same but how the renders were had', () => {
    for (const line of unlike) console.log(`warm pass: ${line}`)
    expect(unlike).toEqual([])
    expect(RUN.every((repo) => rows.some((r) => r.repo === repo.name))).toBe(true)
  })

  it('no false-incomplete, wrong or crash but the reviewed exceptions; the class table', () => {
    const wall = ((Date.now() - started) / 1000).toFixed(0)
    console.log(`\nreal-history classes (${rows.length} commits, ${wall} s with the oracle's build)\n${table()}\n`)
    const excused = (r: Row) => EXCEPTIONS.get(r.commit)?.klass === r.verdict.klass
    const bad = rows.filter((r) => BAD.has(r.verdict.klass) && !excused(r))
    if (process.env.AMEIDE_HISTORY_VERBOSE)
      for (const r of rows)
        console.log(`${r.repo} ${r.commit.slice(0, 10)} ${r.verdict.klass}: ${r.verdict.why.join('; ')}`)
    for (const r of bad)
      console.log(
        `${r.repo} ${r.commit.slice(0, 10)} ${r.verdict.klass}: ${r.subject}\n  ${r.verdict.why.join('\n  ')}`,
      )
    for (const [sha, {klass, why}] of EXCEPTIONS) {
      const classes = rows.filter((r) => r.commit === sha).map((r) => r.verdict.klass)
      console.log(`exception ${sha.slice(0, 10)} (${klass}; here ${classes.join(', ') || 'not run'}): ${why}`)
    }
    for (const [sha, why] of KNOWN_LIMITS) console.log(`known limit of ameide ${sha.slice(0, 10)}: ${why}`)
    const unknown = bad.filter((r) => !KNOWN_LIMITS.has(r.commit))
    expect(unknown.map((r) => `${r.repo} ${r.commit.slice(0, 10)} ${r.verdict.klass}`)).toEqual([])
    const limits = [...KNOWN_LIMITS.keys()].filter((sha) => rows.some((r) => r.commit === sha))
    expect(limits.filter((sha) => !bad.some((r) => r.commit === sha))).toEqual([])
  })
})
