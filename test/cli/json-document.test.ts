/**
 * `--json` promises one document on stdout whatever happens (bin/run.js answerOnce; issue 71: under parallel load a
 * `gitops diff --json` ended with exit 1 and no document). Faults injected into the real built CLI through Node's
 * `--import`: an exception nothing catches, thrown at several moments of a run, and a step whose promise never
 * settles (the event loop empties with the command unanswered, an exit code already set). Each run prints exactly
 * one JSON document: its result, or an INTERNAL_ERROR document with the exit code.
 */
import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../support/cli.js'
import {history} from '../support/diff-repo.js'
import {makeTempDir, runCleanups} from '../support/tmp.js'

afterAll(runCleanups)

let repo: string
let faults: string
beforeAll(async () => {
  repo = await history(
    {'deploy/kustomization.yaml': 'resources: [cm.yaml]\n', 'deploy/cm.yaml': 'kind: ConfigMap\nmetadata: {name: a}\n'},
    {'deploy/cm.yaml': 'kind: ConfigMap\nmetadata: {name: b}\n'},
  )
  faults = await makeTempDir('ameide-faults-')
  writeFileSync(
    path.join(faults, 'throw.mjs'),
    "setTimeout(() => { throw new Error('injected fault') }, Number(process.env.FAULT_MS))\n",
  )
  writeFileSync(
    path.join(faults, 'hang.mjs'),
    [
      "import fs from 'node:fs'",
      'process.exitCode = 1',
      'const real = fs.promises.readFile',
      'let n = 0',
      'fs.promises.readFile = (...a) => (++n > Number(process.env.FAULT_AFTER) ? new Promise(() => {}) : real(...a))',
      '',
    ].join('\n'),
  )
})

type Doc = {summary?: string; error?: {code: string; message: string; exitCode: number}}

const diff = (fault: string, env: Record<string, string>) =>
  runCli(['gitops', 'diff', '--base', 'HEAD^', '--head', 'HEAD', '--json'], {
    cwd: repo,
    env: {...env, NODE_OPTIONS: `--import ${path.join(faults, fault)}`},
  })

describe('--json answers with one document whatever happens', () => {
  it.each([0, 40, 150])('an uncaught exception %i ms into the run: an INTERNAL_ERROR document, exit 1', async (ms) => {
    const run = await diff('throw.mjs', {FAULT_MS: String(ms)})
    expect(run.stderr).toContain('injected fault')
    const doc = run.json<Doc>()
    expect(doc.error).toEqual(expect.objectContaining({code: 'INTERNAL_ERROR', exitCode: 1}))
    expect(run.exitCode).toBe(1)
  })

  it('a step that never settles: an INTERNAL_ERROR document saying so, the exit code kept', async () => {
    const run = await diff('hang.mjs', {FAULT_AFTER: '0'})
    const doc = run.json<Doc>()
    expect(doc.error?.code).toBe('INTERNAL_ERROR')
    expect(doc.error?.message).toMatch(/a step never finished/)
    expect(run.exitCode).toBe(1)
  })

  it('a run that answers prints its own document only', async () => {
    const run = await runCli(['gitops', 'diff', '--base', 'HEAD^', '--head', 'HEAD', '--json'], {cwd: repo})
    expect(run.json<Doc>().error).toBeUndefined()
    expect(
      run.stdout
        .trim()
        .split('\n')
        .filter((l) => l === '{'),
    ).toHaveLength(1)
  })
})
