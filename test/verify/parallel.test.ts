import {cp} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {KINDS} from '../../src/primitives/kinds.js'
import {runCli} from '../support/cli.js'
import {initGitRepo, makeTempDir, runCleanups} from '../support/tmp.js'
import {writeFiles} from './helpers.js'

afterAll(runCleanups)

let repo: string
beforeAll(async () => {
  repo = await makeTempDir('ameide-verify-parallel-')
  await initGitRepo(repo)
  for (const kind of KINDS) {
    const run = await runCli(['primitive', 'scaffold', '--kind', kind, '--name', 'demo', '--json'], {cwd: repo})
    expect(run.exitCode, run.stderr).toBe(0)
    // 4 copies of each kind (24 primitives), some with planted findings, so the read-ahead worker gets a share.
    for (const n of [1, 2, 3])
      await cp(path.join(repo, 'primitives', kind, 'demo'), path.join(repo, 'primitives', kind, `copy-${n}`), {
        recursive: true,
      })
    await writeFiles(path.join(repo, 'primitives', kind, 'copy-2'), {
      'deploy/floating.yaml': 'image: ghcr.io/ameideio/app:latest\nimagePullPolicy: Always\n',
      'config/secret.env': 'API_TOKEN="k8Jd9sLq2Wm4Zx7Pv1Rt"\n',
    })
  }
})

describe('ameide primitive verify --all with the read-ahead worker (AMEIDE_VERIFY_THREADS=2, from 16 primitives)', () => {
  it('prints exactly what one thread prints, JSON and human, with the same exit code', async () => {
    for (const args of [['--json'], []]) {
      const one = await runCli(['primitive', 'verify', '--all', ...args], {
        cwd: repo,
        env: {AMEIDE_VERIFY_THREADS: '1'},
      })
      const two = await runCli(['primitive', 'verify', '--all', ...args], {
        cwd: repo,
        env: {AMEIDE_VERIFY_THREADS: '2'},
      })
      expect(one.exitCode, one.stderr).toBe(1)
      expect(two.exitCode, two.stderr).toBe(one.exitCode)
      expect(two.stdout).toBe(one.stdout)
    }
    const doc = (
      await runCli(['primitive', 'verify', '--all', '--json'], {cwd: repo, env: {AMEIDE_VERIFY_THREADS: '2'}})
    ).json()
    expect(doc.primitives).toHaveLength(24)
    const rules = doc.primitives.flatMap((p: {checks: {findings: {rule: string}[]}[]}) =>
      p.checks.flatMap((c) => c.findings.map((f) => f.rule)),
    )
    expect(rules).toEqual(
      expect.arrayContaining(['floating-tag', 'pull-policy-always', 'assigned-secret', 'scaffold-marker']),
    )
  })
})
