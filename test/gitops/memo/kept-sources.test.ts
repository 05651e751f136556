/**
 * An Application's kept sources (src/gitops/memo/sources.ts): the step reads only through its recorder — its context
 * answers no `root` nor `layout`, and any read the recorder does not answer fails loudly; a kept result is reused while
 * its reads hold (a result planted in the file is what a run with the same reads answers) and made again when one
 * does not; the file under the git directory, corrupted, truncated, with a recorded digest edited or an entry not of
 * the kept shape, is never trusted — the sources are resolved again and equal the fresh ones. In process, after the
 * build: the file is kept only where the built template engine names its build.
 */
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {applicationDeployables} from '../../../src/gitops/argocd/application/sources.js'
import {UnrecordedRead} from '../../../src/gitops/memo/reads.js'
import {recordSources} from '../../../src/gitops/memo/source-reads.js'
import {keptSources} from '../../../src/gitops/memo/sources.js'
import {forgetSteps} from '../../../src/gitops/memo/steps.js'
import {openKeptSteps, STEPS_CACHE} from '../../../src/gitops/memo/store.js'
import type {DeployablesContext} from '../../../src/gitops/model/context.js'
import {ORIGIN, revisionOf, type SourcesState} from '../../support/kept-sources.js'

const state: SourcesState = {
  files: {
    'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.0.0\n',
    'charts/web/values.yaml': 'image: {tag: a}\n',
    'charts/web/values-dev.yaml': 'image: {tag: b}\n',
    'values/shared.yaml': 'replicas: 2\n',
  },
  shape: 'values',
  namespace: 'argocd',
  shift: 0,
  origin: ORIGIN,
  pinned: false,
  mapped: false,
}
const PLANTED = 'planted: this result was kept'

let root: string
beforeEach(() => {
  forgetSteps()
  root = mkdtempSync(path.join(tmpdir(), 'ameide-kept-sources-'))
  mkdirSync(path.join(root, '.git'))
})
afterEach(() => rmSync(root, {recursive: true, force: true}))

/** One run as a command makes it: the store opened, the sources resolved, the store saved. */
function run(s: SourcesState = state) {
  const store = openKeptSteps(root, 'test')
  const {app, ctx} = revisionOf(root, s)
  const result = keptSources(app, ctx)
  store?.save()
  return JSON.stringify(result)
}

function fresh(s: SourcesState = state) {
  const {app, ctx} = revisionOf(root, s)
  return JSON.stringify(applicationDeployables(app, ctx))
}

const file = () => path.join(root, '.git', 'ameide', 'cache', `${STEPS_CACHE}.json`)

type Entries = Record<string, Array<{reads: string[][]; result: string}>>

/** The file's entries edited by `edit`; its checksum made right again unless `checksum` is false. */
function rewrite(edit: (entries: Entries) => void, checksum = true): void {
  const text = readFileSync(file(), 'utf8')
  const [headerLine, body] = [text.slice(0, text.indexOf('\n')), text.slice(text.indexOf('\n') + 1)]
  const entries = JSON.parse(body) as Entries
  edit(entries)
  const edited = JSON.stringify(entries)
  const sha256 = createHash('sha256').update(edited).digest('hex')
  const header = checksum ? {...JSON.parse(headerLine), sha256} : JSON.parse(headerLine)
  writeFileSync(file(), `${JSON.stringify(header)}\n${edited}`)
  forgetSteps()
}

/** Every kept sources result of the file made to say PLANTED (a result only a reuse can answer). */
const plant = (entries: Entries) => {
  for (const kept of Object.values(entries).flat())
    if (kept.result.startsWith('{"helm"'))
      kept.result = JSON.stringify({...JSON.parse(kept.result), unrenderable: [{file: 'x', message: PLANTED}]})
}

/** The file planted ({@link plant}), each read `pick` selects (at least one, else `what` fails) edited by `edit`. */
const editReads = (pick: (read: string[]) => boolean, edit: (read: string[]) => void, what: string) => () =>
  rewrite((entries) => {
    plant(entries)
    const reads = Object.values(entries)
      .flat()
      .flatMap((kept) => kept.reads)
      .filter(pick)
    expect(reads.length, what).toBeGreaterThan(0)
    for (const read of reads) edit(read)
  })

describe("an Application's sources read only through their recorder", () => {
  it('the recording context answers no root nor layout; what it answers, it records', () => {
    const {app, ctx} = revisionOf(root, state)
    const recording = recordSources(ctx, app)
    const careless = recording.ctx as unknown as {root: string; layout: unknown}
    expect(() => careless.root).toThrow(UnrecordedRead)
    expect(() => careless.layout).toThrow(/ctx\.layout.*recorder does not answer/)
    expect(recording.ctx.files.has('values/shared.yaml')).toBe(true)
    expect(recording.ctx.readText('charts/web/.argocd-source.yaml')).toBeUndefined()
    expect(recording.ctx.isThisRepository(ORIGIN)).toBe(true)
    expect([...recording.ctx.files].length).toBe(5)
    expect(recording.app.lineOf(['source', 'path'])).toBe(app.lineOf(['source', 'path']))
    expect(recording.stop().map(([kind, question]) => `${kind} ${question}`)).toEqual([
      'has values/shared.yaml',
      'text charts/web/.argocd-source.yaml',
      `repository ${ORIGIN}`,
      'files ',
      'line ["source","path"]',
    ])
  })

  it('a step that reads outside its recorder fails loudly', () => {
    const {app, ctx} = revisionOf(root, state)
    const recording = recordSources(ctx, app)
    const careless = (c: DeployablesContext) => c.namespaceOf?.('x')
    expect(() => careless(recording.ctx)).toThrow(UnrecordedRead)
  })
})

describe("an Application's kept sources", () => {
  it('are reused while their reads hold, resolved again when one does not', () => {
    expect(run()).toBe(fresh())
    rewrite(plant)
    expect(run()).toContain(PLANTED)
    // A value file gone: a read (`has`) answers otherwise, the sources are resolved again.
    const {'values/shared.yaml': _, ...files} = state.files
    const edited = {...state, files}
    expect(run(edited)).toBe(fresh(edited))
    expect(run(edited)).not.toContain(PLANTED)
    // The document moved down its file: its line is part of the key, its fields' lines are reads.
    const shifted = {...state, shift: 2}
    expect(run(shifted)).toBe(fresh(shifted))
  })

  it("a commit's (texts known by blob ids): reused, unread; an override file added or changed: resolved again", () => {
    const override = (text: string | undefined): SourcesState => ({
      ...state,
      blobIds: true,
      files: {...state.files, ...(text === undefined ? {} : {'charts/web/.argocd-source.yaml': text})},
    })
    for (const s of [override(undefined), override('helm: {parameters: [{name: a, value: b}]}\n')]) {
      expect(run(s)).toBe(fresh(s))
      rewrite(plant)
      expect(run(s)).toContain(PLANTED)
    }
    const changed = override('helm: {parameters: [{name: a, value: c}]}\n')
    expect(run(changed)).toBe(fresh(changed))
    expect(run(changed)).not.toContain(PLANTED)
    // The same texts without their blob ids (the working tree): asked by reading them, not kept in the other form.
    const read = {...changed, blobIds: false}
    expect(run(read)).toBe(fresh(read))
    expect(run(read)).not.toContain(PLANTED)
  })

  it('another tree asked for (a mapped repository): resolved every time, never kept', () => {
    const mapped: SourcesState = {...state, shape: 'other', mapped: true}
    expect(run(mapped)).toBe(fresh(mapped))
    expect(run(mapped)).toBe(fresh(mapped))
    expect(existsSync(file())).toBe(false)
  })
})

describe('the file of kept sources, damaged, is never trusted', () => {
  const damaged = (damage: () => void, s: SourcesState = state) => {
    expect(run(s)).toBe(fresh(s))
    damage()
    const after = run(s)
    expect(after).not.toContain(PLANTED)
    expect(after).toBe(fresh(s))
  }

  it('corrupted: a result changed, the checksum not made right', () => {
    damaged(() => rewrite(plant, false))
  })

  it('truncated', () => {
    damaged(() => {
      writeFileSync(file(), readFileSync(file(), 'utf8').slice(0, 200))
      forgetSteps()
    })
  })

  it('a recorded digest edited, the checksum made right again: the read no longer holds', () => {
    const inline: SourcesState = {...state, shape: 'inline'}
    const cases = [
      ...['has', 'text', 'repository', 'pinned', 'confined'].map((kind) => ({kind, s: state})),
      {kind: 'line', s: inline},
    ]
    for (const {kind, s} of cases)
      damaged(
        editReads(
          (read) => read[0] === kind,
          (read) => (read[2] = 'x'),
          kind,
        ),
        s,
      )
  })

  it("a commit's text read, known by its blob id, edited (checksum made right): the read no longer holds", () => {
    // An override file held (its text read by the step), the other not.
    const files = {...state.files, 'charts/web/.argocd-source.yaml': 'helm: {parameters: [{name: a, value: b}]}\n'}
    const commit: SourcesState = {...state, files, blobIds: true}
    for (const answer of ['blob ', 'absent'])
      damaged(
        editReads(
          (read) => read[0] === 'text' && read[2]!.startsWith(answer),
          (read) => (read[2] = answer === 'absent' ? 'blob 0000' : 'absent'),
          answer,
        ),
        commit,
      )
  })

  it('an entry not of the kept shape, checksum right: not used', () => {
    damaged(() =>
      rewrite((entries) => {
        for (const kept of Object.values(entries).flat()) kept.result = '{"helm":"everything holds"}'
      }),
    )
  })
})
