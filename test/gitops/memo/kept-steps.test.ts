/**
 * The kept steps (src/gitops/memo): a step reads only through its recorder — its context has no `root`, and any read
 * the recorder does not answer fails loudly; a kept expansion is reused (the template engine never opened) only while
 * its reads hold; the file under the git directory, corrupted, truncated or with a recorded digest edited, is never
 * trusted — the expansion is made again and equals the fresh one. In process, after the build: a step is kept only
 * where the built template engine (dist/engine) names its build.
 */
import {mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {createHash} from 'node:crypto'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {expandApplicationSet} from '../../../src/gitops/argocd/applicationset/index.js'
import {record, UnrecordedRead} from '../../../src/gitops/memo/reads.js'
import {forgetSteps, keptExpansion} from '../../../src/gitops/memo/steps.js'
import {openKeptSteps, STEPS_CACHE} from '../../../src/gitops/memo/store.js'
import type {ExpansionContext} from '../../../src/gitops/model/types.js'
import {
  APPSET_FILE,
  appSetText,
  comparable,
  contextOf,
  ORIGIN,
  sourceOf,
  type RepoState,
} from '../../support/kept-steps.js'

const state: RepoState = {
  files: {
    [APPSET_FILE]: appSetText('files', '1'),
    'envs/dev/config.yaml': 'name: alpha\n',
    'envs/prod/config.yaml': 'name: beta\n',
  },
  origin: ORIGIN,
  maxApplications: 100,
}

let root: string
beforeEach(() => {
  forgetSteps()
  root = mkdtempSync(path.join(tmpdir(), 'ameide-kept-steps-'))
  mkdirSync(path.join(root, '.git'))
})
afterEach(() => rmSync(root, {recursive: true, force: true}))

/** One run as a command makes it: the store opened, the expansion, the store saved; whether it was kept. */
function run(s: RepoState = state) {
  const store = openKeptSteps(root, 'test')
  const {ctx, engineCalls} = contextOf(s)
  const result = keptExpansion(ctx, sourceOf(s))
  store?.save()
  return {result, kept: engineCalls() === 0}
}

const fresh = (s: RepoState = state) => comparable(expandApplicationSet(contextOf(s).ctx, sourceOf(s)))
const file = () => path.join(root, '.git', 'ameide', 'cache', `${STEPS_CACHE}.json`)

describe('a step reads only through its recorder', () => {
  it('the recording context has no root: reading it, or any property the recorder does not answer, throws', () => {
    const {ctx} = contextOf(state)
    const withRoot = {...ctx, root: '/checkout', files: new Set<string>()} as ExpansionContext
    const recording = record({ctx: withRoot, lineOf: () => undefined})
    expect(() => (recording.ctx as unknown as {root: string}).root).toThrow(UnrecordedRead)
    expect(() => (recording.ctx as unknown as {files: unknown}).files).toThrow(/ctx\.files.*recorder does not answer/)
    // What it answers, it records: the step's reads are its inputs.
    expect(recording.ctx.readText('envs/dev/config.yaml')).toBe('name: alpha\n')
    expect(recording.ctx.trackedFiles).toEqual(Object.keys(state.files).sort())
    expect(recording.ctx.isThisRepository(ORIGIN)).toBe(true)
    expect(recording.stop().map(([kind, question]) => `${kind} ${question}`)).toEqual([
      'text envs/dev/config.yaml',
      'listing ',
      `repository ${ORIGIN}`,
    ])
  })

  it('an expansion that reads outside its recorder fails loudly', () => {
    const {ctx} = contextOf(state)
    const recording = record({ctx, lineOf: () => undefined})
    // A step that reaches for the checkout's folder, as a careless change of the expansion would.
    const careless = (c: ExpansionContext) => (c as unknown as {root: string}).root
    expect(() => careless(recording.ctx)).toThrow(UnrecordedRead)
  })
})

describe('a kept expansion', () => {
  it('is reused while its reads hold, made again when one does not', () => {
    expect(run().kept).toBe(false)
    const again = run()
    expect(again.kept).toBe(true)
    expect(comparable(again.result)).toEqual(fresh())
    const edited = {...state, files: {...state.files, 'envs/prod/config.yaml': 'name: gamma\n'}}
    const changed = run(edited)
    expect(changed.kept).toBe(false)
    expect(comparable(changed.result)).toEqual(fresh(edited))
    // Both kept side by side (a pull request's base and head): each found again.
    expect(run(state).kept).toBe(true)
    expect(run(edited).kept).toBe(true)
  })

  it('is kept on disk: a new process (nothing in memory) finds it there', () => {
    run()
    forgetSteps()
    expect(run().kept).toBe(true)
  })

  it('reused from the process (the MCP resident), it leaves the file as it is: nothing written', () => {
    run()
    const written = statSync(file())
    expect(run().kept).toBe(true)
    const after = statSync(file())
    expect([after.ino, after.mtimeMs]).toEqual([written.ino, written.mtimeMs])
  })

  it('is not kept with a server given (a pull request, clusters, an SCM provider)', () => {
    const {ctx, engineCalls} = contextOf(state)
    const withClusters = {...ctx, clusters: {secrets: [], inCluster: true}} as unknown as ExpansionContext
    keptExpansion(withClusters, sourceOf(state))
    keptExpansion(withClusters, sourceOf(state))
    expect(engineCalls()).toBe(2)
  })
})

describe('the file of kept steps, damaged, is never trusted', () => {
  const damaged = (damage: (text: string) => string) => {
    run()
    forgetSteps()
    writeFileSync(file(), damage(readFileSync(file(), 'utf8')))
    const after = run()
    expect(after.kept).toBe(false)
    expect(comparable(after.result)).toEqual(fresh())
  }

  it('corrupted: a byte of its body changed', () => {
    damaged((text) => text.replace(/alpha/, 'alphb'))
  })

  it('truncated', () => {
    damaged((text) => text.slice(0, Math.floor(text.length / 2)))
  })

  it('a recorded digest edited, the checksum made right again: the read no longer holds', () => {
    damaged((text) => {
      const [headerLine, body] = [text.slice(0, text.indexOf('\n')), text.slice(text.indexOf('\n') + 1)]
      const entries = JSON.parse(body) as Record<string, Array<{reads: string[][]}>>
      for (const kept of Object.values(entries).flat())
        for (const read of kept.reads) if (read[0] === 'text') read[2] = createHash('sha256').update('x').digest('hex')
      const edited = JSON.stringify(entries)
      const header = {...JSON.parse(headerLine), sha256: createHash('sha256').update(edited).digest('hex')}
      return `${JSON.stringify(header)}\n${edited}`
    })
  })

  it('an entry not of the kept shape, checksum right: not used', () => {
    damaged((text) => {
      const [headerLine, body] = [text.slice(0, text.indexOf('\n')), text.slice(text.indexOf('\n') + 1)]
      const entries = JSON.parse(body) as Record<string, Array<{reads: unknown}>>
      for (const kept of Object.values(entries).flat()) kept.reads = 'everything holds'
      const edited = JSON.stringify(entries)
      const header = {...JSON.parse(headerLine), sha256: createHash('sha256').update(edited).digest('hex')}
      return `${JSON.stringify(header)}\n${edited}`
    })
  })
})
