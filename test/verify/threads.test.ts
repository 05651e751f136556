import {cp, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../support/cli.js'
import type {Kind} from '../../src/primitives/kinds.js'
import {runCleanups} from '../support/tmp.js'
import {scaffoldedRepo} from './helpers.js'

afterAll(runCleanups)

// 2 × 24 primitives: enough for `verify --all` to start workers (src/verify/verify.ts: 20 primitives a worker).
const COPIES = 24
const SECRET = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'

let repo: string
beforeAll(async () => {
  const primitives: Array<[Kind, string]> = [
    ['domain', 'orders'],
    ['uisurface', 'portal'],
  ]
  repo = await scaffoldedRepo('ameide-verify-threads-', primitives)
  for (const [kind, name] of primitives) {
    for (let i = 0; i < COPIES; i++) {
      // Copies keep the original's module names, so naming and cross-primitive findings differ from copy to copy.
      const copy = path.join(repo, 'primitives', kind, `${name}${i}`)
      await cp(path.join(repo, 'primitives', kind, name), copy, {recursive: true})
      if (i % 3 === 0) await writeFile(path.join(copy, 'leak.txt'), `token = "${SECRET}"\n`)
      if (kind === 'uisurface' && i % 4 === 1)
        await writeFile(path.join(copy, 'src/reach.ts'), "import x from '@ameide/core-proto'\nexport default x\n")
    }
  }
}, 120_000)

describe('primitive verify on several threads', () => {
  it('gives byte for byte the output of one thread, cold and from the cache', async () => {
    const args = ['primitive', 'verify', '--all', '--json', '--check', 'shape,tests,imports,secrets,naming']
    const one = await runCli([...args, '--no-cache'], {cwd: repo, env: {AMEIDE_THREADS: '1'}})
    expect(one.json().primitives).toHaveLength(2 * (COPIES + 1))
    expect(JSON.stringify(one.json())).toContain('"rule":"sdk-only"')
    expect(JSON.stringify(one.json())).toContain('Hard-coded secret')
    for (const threads of ['2', '4']) {
      const cold = await runCli([...args, '--no-cache'], {cwd: repo, env: {AMEIDE_THREADS: threads}})
      expect(cold.stdout).toBe(one.stdout)
      expect(cold.exitCode).toBe(one.exitCode)
    }
    const fill = await runCli(args, {cwd: repo, env: {AMEIDE_THREADS: '2'}})
    const warm = await runCli(args, {cwd: repo, env: {AMEIDE_THREADS: '2'}})
    expect(fill.stdout).toBe(one.stdout)
    expect(warm.stdout).toBe(one.stdout)
  })
})
