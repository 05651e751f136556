/**
 * An Application's kept sources are the fresh ones (issue 97), as a differential property: random small repositories
 * of one Application (value files, a glob, inline values and parameters, a folder, a `ref:` source, another
 * repository, a path leaving the revision, a pinned revision, kustomize options), then random edits — a file its
 * sources may read added, removed or changed (an override file that does not parse too), its shape, its namespace
 * (the override file's name), its document moved down its file, the origin URL, a pin named, another repository
 * mapped, the revision read as a commit's (each text known by its git blob id: makeContext's textId) or not — each state resolved through the memo (src/gitops/memo/sources.ts: kept in the process, and at random
 * forgotten there and found again on disk) and fresh (applicationDeployables): the same result, byte for byte and
 * deep-equal, every lazy value layer read. A fixed seed keeps the suite's time (KEPT_STEPS_SEED, KEPT_STEPS_RUNS draw
 * others). In process, after the build: the store is kept only where the built template engine names its build.
 */
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {applicationDeployables} from '../../../src/gitops/argocd/application/sources.js'
import {keptSources} from '../../../src/gitops/memo/sources.js'
import {forgetSteps} from '../../../src/gitops/memo/steps.js'
import {openKeptSteps} from '../../../src/gitops/memo/store.js'
import {ORIGIN, OTHER, revisionOf, SHAPES, type Shape, type SourcesState} from '../../support/kept-sources.js'

const FILES = [
  'charts/web/Chart.yaml',
  'charts/web/values.yaml',
  'charts/web/values-dev.yaml',
  'charts/web/.argocd-source.yaml',
  'charts/web/.argocd-source-web.yaml',
  'charts/web/.argocd-source-team_web.yaml',
  'charts/web/kustomization.yaml',
  'values/shared.yaml',
  'values/extra.yaml',
  'apps/web/kustomization.yaml',
  'apps/web/deploy.yaml',
  'apps/web/main.jsonnet',
]

const text = fc.constantFrom(
  'image: {tag: a}\n',
  'image: {tag: b}\nreplicas: 2\n',
  'helm: {parameters: [{name: image.tag, value: c}], valuesObject: {x: 1}}\n',
  'kustomize: {namePrefix: o-}\n',
  'name: web\nversion: 1.0.0\napiVersion: v2\n',
  'resources: [deploy.yaml]\n',
  '[unclosed\n',
  '',
)

const initial = fc.record({
  files: fc.dictionary(fc.constantFrom(...FILES), text, {maxKeys: 8}),
  shape: fc.constantFrom(...SHAPES),
})

type Edit =
  | {edit: 'file'; file: string; text: string | null}
  | {edit: 'shape'; shape: Shape}
  | {edit: 'namespace'}
  | {edit: 'shift'; lines: number}
  | {edit: 'origin'; origin: string}
  | {edit: 'pinned'}
  | {edit: 'mapped'}

const edit: fc.Arbitrary<Edit> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      edit: fc.constant('file' as const),
      file: fc.constantFrom(...FILES),
      text: fc.option(text, {nil: null}),
    }),
  },
  fc.record({edit: fc.constant('shape' as const), shape: fc.constantFrom(...SHAPES)}),
  fc.constant({edit: 'namespace' as const}),
  fc.record({edit: fc.constant('shift' as const), lines: fc.integer({min: 1, max: 3})}),
  fc.record({edit: fc.constant('origin' as const), origin: fc.constantFrom(ORIGIN, OTHER)}),
  fc.constant({edit: 'pinned' as const}),
  fc.constant({edit: 'mapped' as const}),
)

function applied(s: SourcesState, e: Edit): SourcesState {
  switch (e.edit) {
    case 'file': {
      const files = {...s.files}
      if (e.text === null) delete files[e.file]
      else files[e.file] = e.text
      return {...s, files}
    }
    case 'shape':
      return {...s, shape: e.shape}
    case 'namespace':
      return {...s, namespace: s.namespace === 'argocd' ? 'team' : 'argocd'}
    case 'shift':
      return {...s, shift: s.shift + e.lines}
    case 'origin':
      return {...s, origin: e.origin}
    case 'pinned':
      return {...s, pinned: !s.pinned}
    case 'mapped':
      return {...s, mapped: !s.mapped}
  }
}

const seed = Number(process.env.KEPT_STEPS_SEED ?? 97_2)
const numRuns = Number(process.env.KEPT_STEPS_RUNS ?? 40)

describe("an Application's kept sources", () => {
  it('equal the fresh ones over random repositories and edits, kept in the process or on disk', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'ameide-kept-sources-'))
    mkdirSync(path.join(root, '.git'))
    let reused = 0
    try {
      fc.assert(
        fc.property(
          initial,
          fc.array(edit, {maxLength: 6}),
          fc.array(fc.boolean(), {minLength: 7, maxLength: 7}),
          fc.array(fc.constantFrom(true, true, true, false), {minLength: 7, maxLength: 7}),
          (start, edits, forget, commit) => {
            forgetSteps()
            let s: SourcesState = {
              ...start,
              namespace: 'argocd',
              shift: 0,
              origin: ORIGIN,
              pinned: false,
              mapped: false,
            }
            for (const [i, e] of [undefined, ...edits].entries()) {
              if (e) s = applied(s, e)
              // At random the process forgets what it kept: the next run finds it on disk only.
              if (forget[i]) forgetSteps()
              // At random the revision is a commit's: every text known by its git blob id, never read to be asked.
              s = {...s, blobIds: commit[i]}
              const store = openKeptSteps(root, 'test')
              const kept = revisionOf(root, s)
              const first = JSON.stringify(keptSources(kept.app, kept.ctx))
              // Asked again of the same revision: reused, and still the fresh result.
              const again = keptSources(kept.app, kept.ctx)
              store?.save()
              const fresh = revisionOf(root, s)
              const expected = applicationDeployables(fresh.app, fresh.ctx)
              expect(first).toBe(JSON.stringify(expected))
              expect(again).toStrictEqual(expected)
              reused++
            }
          },
        ),
        {seed, numRuns},
      )
    } finally {
      rmSync(root, {recursive: true, force: true})
    }
    expect(reused).toBeGreaterThan(numRuns)
  })
})
