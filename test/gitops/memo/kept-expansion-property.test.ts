/**
 * The kept ApplicationSet expansion is the fresh one (issue 97), as a differential property: random small
 * repositories with an ApplicationSet (list, git files, git directories, matrix, merge), then random edits — a file a
 * generator lists added, removed or changed in place (to YAML that does not parse too), the ApplicationSet's text or
 * its place in its file, the origin
 * URL, the policy's maxApplications, the revision read as a commit's (each text known by its git blob id,
 * ExpansionContext.textId) or not — each state expanded through the memo (src/gitops/memo: kept in the process, and
 * at random forgotten there and found again on disk) and fresh (expandApplicationSet): the same result, deep-equal,
 * lines included. A fixed seed keeps the suite's time (KEPT_STEPS_SEED, KEPT_STEPS_RUNS draw others). In process, after
 * the build: a step is kept only where the built template engine (dist/engine) names its build.
 */
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {expandApplicationSet} from '../../../src/gitops/argocd/applicationset/index.js'
import {forgetSteps, keptExpansion} from '../../../src/gitops/memo/steps.js'
import {openKeptSteps} from '../../../src/gitops/memo/store.js'
import {
  APPSET_FILE,
  appSetText,
  comparable,
  contextOf,
  ORIGIN,
  sourceOf,
  type GeneratorKind,
  type RepoState,
} from '../../support/kept-steps.js'

const KINDS: GeneratorKind[] = ['list', 'files', 'directories', 'matrix', 'merge']
const NAMES = ['a', 'b', 'c', 'skip']

const configText = fc.oneof(
  fc.constantFrom('alpha', 'beta', 'gamma').map((n) => `name: ${n}\n`),
  fc.constant('name: [unclosed\n'),
  fc.constant('- name: alpha\n- name: beta\n'),
  fc.constant(''),
)

/** A file a generator lists: an environment's config.yaml or a file in an app's folder. */
const listedFile = fc.oneof(
  fc.constantFrom(...NAMES).map((n) => `envs/${n}/config.yaml`),
  fc.constantFrom(...NAMES).map((n) => `apps/${n}/kustomization.yaml`),
  fc.constantFrom('README.md', 'apps/.hidden/x.yaml'),
)

const initial = fc.record({
  kind: fc.constantFrom(...KINDS),
  files: fc.dictionary(listedFile, configText, {maxKeys: 6}),
})

type Edit =
  | {edit: 'file'; file: string; text: string | null}
  | {edit: 'change'; pick: number; text: string}
  | {edit: 'appset'; kind: GeneratorKind; label: string}
  | {edit: 'shift'; lines: number}
  | {edit: 'origin'; origin: string}
  | {edit: 'max'; max: number}

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({edit: fc.constant('file' as const), file: listedFile, text: fc.option(configText, {nil: null})}),
  // A file the repository holds, changed in place (its listing the same).
  fc.record({edit: fc.constant('change' as const), pick: fc.nat(), text: configText}),
  fc.record({edit: fc.constant('appset' as const), kind: fc.constantFrom(...KINDS), label: fc.constantFrom('1', '2')}),
  // The ApplicationSet's document moved down its file (its text the same, its lines not).
  fc.record({edit: fc.constant('shift' as const), lines: fc.integer({min: 1, max: 3})}),
  fc.record({
    edit: fc.constant('origin' as const),
    origin: fc.constantFrom(ORIGIN, 'https://github.com/acme/other.git'),
  }),
  fc.record({edit: fc.constant('max' as const), max: fc.constantFrom(1, 2, 100)}),
)

function applied(state: RepoState, e: Edit): RepoState {
  const files = {...state.files}
  if (e.edit === 'file') {
    if (e.text === null) delete files[e.file]
    else files[e.file] = e.text
  }
  if (e.edit === 'change') {
    const held = Object.keys(files).filter((f) => f !== APPSET_FILE)
    if (held.length > 0) files[held[e.pick % held.length]!] = e.text
  }
  if (e.edit === 'shift') files[APPSET_FILE] = `${'# moved\n'.repeat(e.lines)}---\n${files[APPSET_FILE]}`
  if (e.edit === 'appset') files[APPSET_FILE] = appSetText(e.kind, e.label)
  return {
    files,
    origin: e.edit === 'origin' ? e.origin : state.origin,
    maxApplications: e.edit === 'max' ? e.max : state.maxApplications,
    ...(state.blobIds ? {blobIds: true} : {}),
  }
}

const seed = Number(process.env.KEPT_STEPS_SEED ?? 97)
const numRuns = Number(process.env.KEPT_STEPS_RUNS ?? 60)

describe('the kept ApplicationSet expansion', () => {
  it('equals the fresh one over random repositories and edits, kept in the process or on disk', () => {
    let kept = 0
    // Each edit, whether the process then forgets, and whether the next state is a commit's (texts known by blob ids).
    const steps = fc.array(fc.tuple(edit, fc.boolean(), fc.constantFrom(true, true, true, false)), {maxLength: 5})
    fc.assert(
      fc.property(initial, steps, (start, edits) => {
        forgetSteps()
        const root = mkdtempSync(path.join(tmpdir(), 'ameide-kept-steps-'))
        mkdirSync(path.join(root, '.git'))
        let state: RepoState = {
          files: {...start.files, [APPSET_FILE]: appSetText(start.kind, '1')},
          origin: ORIGIN,
          maxApplications: 100,
        }
        // Each state twice (the second finds what the first kept), then the edit; `forget`: from disk only.
        try {
          for (const [e, forget, blobIds] of [...edits, [undefined, false, false] as const]) {
            for (let pass = 0; pass < 2; pass++) {
              const store = openKeptSteps(root, 'test')
              const {ctx, engineCalls} = contextOf(state)
              const result = keptExpansion(ctx, sourceOf(state))
              if (engineCalls() === 0) kept++
              store?.save()
              const fresh = expandApplicationSet(contextOf(state).ctx, sourceOf(state))
              expect(comparable(result)).toEqual(comparable(fresh))
            }
            if (forget) forgetSteps()
            if (e) state = {...applied(state, e), blobIds}
          }
        } finally {
          rmSync(root, {recursive: true, force: true})
        }
      }),
      {seed, numRuns},
    )
    // The property is about kept results: most second passes reuse one.
    expect(kept).toBeGreaterThan(numRuns)
  }, 300_000)
})
