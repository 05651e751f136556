/**
 * No input ends in INTERNAL_ERROR: Argo CD Applications and ApplicationSets, Flux HelmReleases and Kustomizations
 * generated from their CRDs' fields (./../support/gitops-arbitraries.ts: random combinations, hostile strings, wrong
 * types), a batch of documents per commit of a two-commit repository, through the built CLI: `gitops diff --json` of
 * the two commits and `gitops verify --render --json` of the head. Each run must keep the contract of
 * docs/conventions.md: one JSON document on stdout, an exit code of the table, never the code INTERNAL_ERROR, never a
 * JavaScript stack trace. The seed is printed on failure; `FC_SEED` replays it.
 */
import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startChartServer, webChart, type ChartServer} from '../../support/chart-server.js'
import {runCli} from '../../support/cli.js'
import {contractBreach} from '../../support/cli-contract.js'
import {history} from '../../support/diff-repo.js'
import {batch, repositoryFiles} from '../../support/gitops-arbitraries.js'
import {makeTempDir, runCleanups} from '../../support/tmp.js'
import {requireTool, toolEnv} from '../../support/toolchain.js'

/** Documents per commit; two commits per repository; repositories per run. 2 × 100 × 10 = 2,000 documents. */
const PER_COMMIT = 100
const REPOSITORIES = 10

let server: ChartServer
let env: Record<string, string>
beforeAll(async () => {
  requireTool('helm')
  server = await startChartServer([webChart('1.0.0'), webChart('1.1.0')])
  const home = await makeTempDir('ameide-property-home-')
  env = toolEnv({HOME: home, DOCKER_CONFIG: `${home}/.docker`})
})
afterAll(runCleanups)

const SEED = 61

describe('no generated document ends in INTERNAL_ERROR or a stack trace', () => {
  it(`${2 * PER_COMMIT * REPOSITORIES} documents, ${PER_COMMIT} a commit: gitops diff and verify --render keep the contract`, async () => {
    const lb = {url: server.url, host: server.host}
    // One seed a run of the suite, the same each time (a landing never rests on a draw); FC_SEED explores others.
    const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : SEED
    let documents = 0
    /** What the runs answered: exit codes, and the verify render's deployable statuses (the documents reached helm). */
    const seen: Record<string, number> = {}
    const count = (key: string, n = 1) => (seen[key] = (seen[key] ?? 0) + n)
    const property = fc.asyncProperty(batch(lb, PER_COMMIT), batch(lb, PER_COMMIT), async (base, head) => {
      const repo = await history({...repositoryFiles(lb), ...base}, head)
      documents += Object.keys(base).length + Object.keys(head).length
      const runs = {
        diff: await runCli(['gitops', 'diff', '--base', 'HEAD^', '--head', 'HEAD', '--json'], {cwd: repo, env}),
        verify: await runCli(['gitops', 'verify', '--render', '--json'], {cwd: repo, env}),
      }
      for (const [command, run] of Object.entries(runs)) {
        const breach = contractBreach(run)
        if (breach)
          throw new Error(
            `gitops ${command} in ${repo}: ${breach} (FC_SEED=${seed} replays it)\n${run.stdout.slice(0, 4000)}\n${run.stderr.slice(0, 4000)}`,
          )
        count(`${command} exit ${run.exitCode}`)
      }
      const verified = runs.verify.json() as {
        render?: {deployables?: Array<{kind: string; status: string}>; roots?: Array<{via: string; status: string}>}
      }
      for (const d of verified.render?.deployables ?? []) count(`${d.kind} ${d.status}`)
      for (const r of verified.render?.roots ?? []) count(`${r.via} root ${r.status}`)
    })
    // No shrinking: each case is two CLI runs; the seed replays the failing one.
    await fc.assert(property, {numRuns: REPOSITORIES, seed, endOnFailure: true})
    console.log(`seed ${seed}: ${documents} documents;`, JSON.stringify(seen))
    expect(documents).toBeGreaterThanOrEqual(2 * PER_COMMIT * REPOSITORIES)
    // The documents reach the renderers: some of each kind render, not only fail before them.
    for (const key of ['Application rendered', 'HelmRelease rendered', 'argocd root rendered', 'flux root rendered'])
      expect(seen[key] ?? 0, key).toBeGreaterThan(0)
  }, 900_000)
})
