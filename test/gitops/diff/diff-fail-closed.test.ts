/**
 * Fail-closed over issue 94's root shapes (./diff-failed-root.test.ts, ./diff-declared-first.test.ts), every case:
 * each file a root reads is corrupted in turn in both revisions (test/support/corruptions.ts: a duplicate key, invalid
 * YAML, a missing base, an unknown kind, a link out), and the same change is diffed. Where the intact repository
 * answers `changed`, the corrupted one never answers "No change", nor `changed` over what could not be read: it is
 * `incomplete`, exit 1, naming what it could not render — or, where the controller still builds the corrupted file,
 * the intact answer itself. The other layouts are drawn by ./diff-fail-closed-fuzz.test.ts. Built with real git
 * through the built CLI.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {casesOf, wrongAnswer} from '../../support/corruptions.js'
import {diffLast, type DiffVerdict} from '../../support/diff-repo.js'
import {FIXTURE_REPOS, fixtureHistory} from '../../support/fixture-repos.js'
import {runCleanups} from '../../support/tmp.js'
import {requireTool, toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

let env: Record<string, string | undefined>
beforeAll(() => {
  requireTool('kustomize')
  env = toolEnv()
})

const ROOT_SHAPES = ['a cluster applied by hand', 'a Flux cluster building ./apps']

describe('a corrupted file a root reads never ends in "No change"', () => {
  for (const repo of FIXTURE_REPOS.filter((r) => ROOT_SHAPES.includes(r.name))) {
    it(`${repo.name}: each corruption of each file it reads is incomplete and named, or what it was intact`, async () => {
      const history = (files: Record<string, string>) => fixtureHistory(repo.origin, files, repo.change)
      const intact = await diffLast<DiffVerdict>(await history(repo.files()), env)
      expect(intact.exitCode, intact.stderr).toBe(0)
      expect(intact.result.summary).toBe('changed')
      expect(intact.result.failures).toEqual([])
      const wrong: string[] = []
      for (const {file, corruption, files} of casesOf(repo)) {
        const run = await diffLast<DiffVerdict>(await history(files), env)
        const why = wrongAnswer(run, intact.result)
        if (why) wrong.push(`${file} (${corruption.name}): ${why}`)
        expect(JSON.stringify(run.result)).not.toContain('root:x:0:0')
      }
      expect(wrong).toEqual([])
    }, 300_000)
  }

  it('both root shapes are among the fixtures', () => {
    expect(FIXTURE_REPOS.filter((r) => ROOT_SHAPES.includes(r.name)).map((r) => r.name)).toEqual(ROOT_SHAPES)
  })
})
