/**
 * `gitops diff` and `gitops verify --render` agree on every root (issue 94), over the repositories the suites hold
 * (test/support/fixture-repos.ts), each with one file broken so that some root fails and others render: a root verify
 * reports `failed` makes the diff of a change under it `incomplete` (exit 1), and a root (or Helm deployable, or
 * directory source) verify renders is never a failure in the diff of the same revision. A fixed-seed draw of four
 * repositories keeps the suite's time. Built with real git through the built CLI.
 */
import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../../support/cli.js'
import {diffLast, type DiffVerdict} from '../../support/diff-repo.js'
import {FIXTURE_REPOS, fixtureHistory, type Files} from '../../support/fixture-repos.js'
import {runCleanups} from '../../support/tmp.js'
import {requireTool, toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

let env: Record<string, string | undefined>
beforeAll(() => {
  requireTool('kustomize')
  requireTool('helm')
  env = toolEnv()
})

const broken = (text: string) => `${text}broken: [unclosed\n`

/** Per repository, the file broken (invalid YAML) so that a root fails: one its roots read. */
const BROKEN: Record<string, string> = {
  'a cluster applied by hand': 'cluster/projects/team.yaml',
  'a Flux cluster building ./apps': 'apps/team-a/kustomization.yaml',
  'an Application over a kustomization including an overlay': 'web/base/kustomization.yaml',
  'an app of apps, its kustomize child': 'kustomize-base/deployment.yaml',
  'an app of apps, its Helm and directory children': 'apps/values.yaml',
  'an ApplicationSet of git files over charts': 'sources/charts/apps/web/templates/deployment.yaml',
  'a Flux fleet with a HelmRelease': 'apps/production/podinfo-values.yaml',
  "the kustomize preset's guessed overlays": 'web/overlays/prod/replicas.yaml',
  "the flux preset's guessed apps/{env}": 'apps/staging/extra.yaml',
}

interface Rendered {
  status: string
  declaredIn?: string
  application?: string
}
interface Verified {
  render: {
    roots: Array<Rendered & {dir: string}>
    deployables: Array<Rendered & {chart: string}>
    directories: Array<Rendered & {dir: string}>
  }
}

/** Each root and deployable verify reports, with the file a failure about it is on and the folder it builds. */
function reported(v: Verified) {
  return [
    ...v.render.roots.map((r) => ({...r, file: `${r.dir ? `${r.dir}/` : ''}kustomization.yaml`})),
    ...v.render.deployables.map((d) => ({...d, dir: d.chart, file: d.declaredIn ?? ''})),
    ...v.render.directories.map((d) => ({...d, file: d.declaredIn ?? ''})),
  ]
}

/** A change under `dir`: a comment appended to its first file (what a render reads there differs). */
function touchUnder(files: Files, dir: string): Files {
  const file = Object.keys(files)
    .sort()
    .find((f) => f.startsWith(dir ? `${dir}/` : '') && /\.ya?ml$/.test(f))
  return file ? {[file]: `${files[file]}# touched\n`} : {}
}

/** Four repositories of a fixed-seed shuffle (AGREE_SEED draws others; AGREE_ALL=1 takes every one). */
const drawn =
  process.env.AGREE_ALL === '1'
    ? FIXTURE_REPOS
    : fc.sample(fc.shuffledSubarray(FIXTURE_REPOS, {minLength: 4, maxLength: 4}), {
        seed: Number(process.env.AGREE_SEED ?? 94),
        numRuns: 1,
      })[0]

/** Runs `work` over `items`, two at a time. */
async function pool<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items]
  const worker = async () => {
    for (let item = queue.shift(); item; item = queue.shift()) await work(item)
  }
  await Promise.all([worker(), worker()])
}

describe('diff and verify --render agree on every root', () => {
  it(`${drawn.map((r) => r.name).join('; ')}: a root verify fails makes a change under it incomplete; one it renders is never a diff failure`, async () => {
    const disagree: string[] = []
    await pool(drawn, async (repo) => {
      const files = repo.files()
      const file = BROKEN[repo.name]
      files[file] = broken(files[file])
      const head = {...files, ...repo.change}
      const dir = await fixtureHistory(repo.origin, files, repo.change)
      const [run, verify] = await Promise.all([
        diffLast<DiffVerdict>(dir, env),
        runCli(['gitops', 'verify', '--render', '--json'], {cwd: dir, env}),
      ])
      const all = reported(verify.json<Verified>())
      const failed = all.filter((r) => r.status === 'failed')
      if (failed.length === 0) disagree.push(`${repo.name}: verify fails no root with ${file} broken`)
      // Rendered: no failure of the head's diff is about it (its file and Application).
      for (const r of all.filter((x) => x.status === 'rendered' || x.status === 'cached')) {
        const about = run.result.failures.filter(
          (f) =>
            f.revision === 'head' && f.file === r.file && (f as {application?: string}).application === r.application,
        )
        if (about.length > 0)
          disagree.push(`${repo.name}: ${r.dir} renders in verify, fails in diff: ${about[0].message}`)
      }
      // Failed: a change under its folder is incomplete (the repository's own change where it lies there).
      for (const r of new Map(failed.map((f) => [f.dir, f])).values()) {
        const under = Object.keys(repo.change).some((f) => r.dir === '' || f.startsWith(`${r.dir}/`))
        const again = under
          ? run
          : await diffLast<DiffVerdict>(await fixtureHistory(repo.origin, head, touchUnder(head, r.dir)), env)
        if (again.result.summary !== 'incomplete' || again.exitCode !== 1)
          disagree.push(`${repo.name}: ${r.dir} fails in verify, a change under it is ${again.result.summary}`)
      }
    })
    expect(disagree).toEqual([])
  }, 120_000)
})
