/**
 * Fail-closed over issue 94's root shapes (./diff-failed-root.test.ts, ./diff-declared-first.test.ts): each file a
 * root reads is corrupted in turn — a duplicate key, invalid YAML, a missing base — in both revisions, and the same
 * change is diffed. Where the intact repository answers `changed`, the corrupted one never answers "No change", nor
 * `changed` over what could not be read: it is `incomplete`, exit 1, naming what it could not render — or, where the
 * controller still builds the corrupted file, the intact answer itself.
 * Every corruption of every file is tried (no draw). Built with real git through the built CLI.
 */
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {diffLast, history, type DiffVerdict} from '../../support/diff-repo.js'
import {fluxTeams, handAppliedCluster, teamConfigMap, webConfigMap} from '../../support/root-shapes.js'
import {runCleanups} from '../../support/tmp.js'
import {requireTool, toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

let env: Record<string, string | undefined>
beforeAll(() => {
  requireTool('kustomize')
  env = toolEnv()
})

type Files = Record<string, string>

/**
 * How a file is corrupted: its text replaced, or (null) the file removed while a kustomization still names it;
 * undefined: not a corruption of that file (nothing names it).
 */
type Corruption = {name: string; apply: (file: string, text: string, files: Files) => string | null | undefined}

const KUSTOMIZATION = /(^|\/)kustomization\.ya?ml$/

const CORRUPTIONS: Corruption[] = [
  // The first line twice: a mapping key already defined (kustomize and Argo CD refuse it).
  {name: 'duplicate key', apply: (_f, text) => `${text.split('\n')[0]}\n${text}`},
  {name: 'invalid YAML', apply: (_f, text) => `${text}broken: [unclosed\n`},
  // A kustomization naming a base the revision does not hold; any other file gone from under its kustomization.
  {
    name: 'missing base',
    apply: (file, text, files) =>
      KUSTOMIZATION.test(file)
        ? text.replace('resources:\n', 'resources:\n- ../gone\n')
        : namedByKustomization(file, files)
          ? null
          : undefined,
  },
]

interface Shape {
  name: string
  files: () => Files
  change: Files
  /** The files its roots read (the changed one aside). */
  reads: string[]
}

const SHAPES: Shape[] = [
  {
    name: 'a cluster applied by hand',
    files: () => handAppliedCluster(false),
    change: {'manifests/web/cm.yaml': webConfigMap('2')},
    reads: [
      'cluster/overlays/default/kustomization.yaml',
      'cluster/apps/base/kustomization.yaml',
      'cluster/apps/base/web.yaml',
      'cluster/projects/kustomization.yaml',
      'cluster/projects/team.yaml',
    ],
  },
  {
    name: 'a Flux cluster building ./apps',
    files: fluxTeams,
    change: {'apps/team-a/cm.yaml': teamConfigMap('team-a', '2')},
    reads: [
      'clusters/prod/apps.yaml',
      'clusters/prod/flux-system.yaml',
      'apps/kustomization.yaml',
      'apps/team-a/kustomization.yaml',
    ],
  },
]

/** Whether the kustomization beside `file` lists it (a folder kustomize-controller generates one for names nothing). */
const namedByKustomization = (file: string, files: Files): boolean => {
  const dir = path.posix.dirname(file)
  return (files[`${dir}/kustomization.yaml`] ?? '').includes(`- ${path.posix.basename(file)}\n`)
}

const corrupted = (files: Files, file: string, c: Corruption): Files | undefined => {
  const text = c.apply(file, files[file], files)
  if (text === undefined) return undefined
  const out = {...files}
  if (text === null) delete out[file]
  else out[file] = text
  return out
}

/** What a verdict says of the change: the deployables changed, by environment, Application and source. */
const changes = (result: DiffVerdict) =>
  result.deployables.map((d) => `${d.change} ${d.environment ?? '-'} ${d.application ?? '-'} ${d.source}`)

/**
 * The corrupted repository's answer is right when it is `incomplete` (exit 1) naming what it could not render, or —
 * where the controller still builds it (kustomize reads a duplicate key of a kustomization, the last one winning) —
 * exactly the intact answer; never "No change", never a change beside it, never `changed` with a failure.
 */
function wrongAnswer(run: {exitCode: number; result: DiffVerdict}, intact: DiffVerdict): string | undefined {
  const {summary, failures} = run.result
  if (summary === 'incomplete' && run.exitCode === 1 && failures.length > 0) return undefined
  const same = JSON.stringify(changes(run.result)) === JSON.stringify(changes(intact))
  if (summary === 'changed' && run.exitCode === 0 && failures.length === 0 && same) return undefined
  return `${summary}, exit ${run.exitCode}, ${failures.length} failures, ${JSON.stringify(changes(run.result))}`
}

describe('a corrupted file a root reads never ends in "No change"', () => {
  for (const shape of SHAPES) {
    it(`${shape.name}: each corruption of each file it reads is incomplete and named, or what it was intact`, async () => {
      const intact = await diffLast<DiffVerdict>(await history(shape.files(), shape.change), env)
      expect(intact.exitCode, intact.stderr).toBe(0)
      expect(intact.result.summary).toBe('changed')
      expect(intact.result.failures).toEqual([])
      const wrong: string[] = []
      for (const file of shape.reads) {
        for (const c of CORRUPTIONS) {
          const files = corrupted(shape.files(), file, c)
          if (!files) continue
          const run = await diffLast<DiffVerdict>(await history(files, shape.change), env)
          const why = wrongAnswer(run, intact.result)
          if (why) wrong.push(`${file} (${c.name}): ${why}`)
        }
      }
      expect(wrong).toEqual([])
    }, 300_000)
  }
})
