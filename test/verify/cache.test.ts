import {createHash} from 'node:crypto'
import {readFile, rename, stat, truncate, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {VerifyCache} from '../../src/verify/cache.js'
import {discoverAll} from '../../src/verify/discover.js'
import {runFileJob} from '../../src/verify/file-checks.js'
import type {CheckId} from '../../src/verify/types.js'
import {runCli} from '../support/cli.js'
import {runCleanups} from '../support/tmp.js'
import {scaffoldedRepo, writeFiles} from './helpers.js'

afterAll(runCleanups)

// Findings the cache must carry over or drop: a forbidden import and a token-shaped secret (built at run time).
const SECRET = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'
const ORDERS = 'primitives/domain/orders'
const PORTAL = 'primitives/uisurface/portal'

let repo: string
let cachePath: string
beforeAll(async () => {
  repo = await scaffoldedRepo('ameide-verify-cache-', [
    ['domain', 'orders'],
    ['uisurface', 'portal'],
  ])
  await writeFiles(path.join(repo, ORDERS), {
    'internal/leak.go': `package internal\n\nconst token = "${SECRET}"\n`,
  })
  await writeFiles(path.join(repo, PORTAL), {
    'src/reach.ts': "import x from '@ameide/core-proto'\nexport default x\n",
  })
  cachePath = path.join(repo, '.git', 'ameide', 'cache', 'primitive-verify.json')
})

/** The --json document of `verify --all` (plus `extra`), with and without the cache: they must be identical. */
async function cachedEqualsUncached(extra: string[] = []): Promise<unknown> {
  const uncached = await runCli(['primitive', 'verify', '--all', '--json', '--no-cache', ...extra], {cwd: repo})
  const cached = await runCli(['primitive', 'verify', '--all', '--json', ...extra], {cwd: repo})
  expect(cached.stderr).toBe(uncached.stderr)
  expect(cached.exitCode).toBe(uncached.exitCode)
  expect(cached.json()).toEqual(uncached.json())
  return cached.json()
}

const findingsOf = (doc: any): string[] =>
  doc.primitives.flatMap((p: any) => p.checks.flatMap((c: any) => c.findings.map((f: any) => `${c.id}:${f.file}`)))

describe('primitive verify with its cache: exactly the findings of a run without it', () => {
  it('fills the cache under the git directory, then answers from it', async () => {
    const first = await cachedEqualsUncached()
    expect((await stat(cachePath)).size).toBeGreaterThan(0)
    expect(findingsOf(first)).toContain(`secrets:${ORDERS}/internal/leak.go`)
    expect(findingsOf(first)).toContain(`imports:${PORTAL}/src/reach.ts`)
    await cachedEqualsUncached()
  })

  it('an edited file', async () => {
    await cachedEqualsUncached()
    await writeFile(path.join(repo, ORDERS, 'internal/leak.go'), 'package internal\n\nconst token = "none"\n')
    const doc = await cachedEqualsUncached()
    expect(findingsOf(doc)).not.toContain(`secrets:${ORDERS}/internal/leak.go`)
    await writeFile(path.join(repo, ORDERS, 'internal/leak.go'), `package internal\n\nconst token = "${SECRET}"\n`)
    expect(findingsOf(await cachedEqualsUncached())).toContain(`secrets:${ORDERS}/internal/leak.go`)
  })

  it('a renamed file', async () => {
    await cachedEqualsUncached()
    await rename(path.join(repo, ORDERS, 'internal/leak.go'), path.join(repo, ORDERS, 'internal/moved.go'))
    const doc = await cachedEqualsUncached()
    expect(findingsOf(doc)).toContain(`secrets:${ORDERS}/internal/moved.go`)
    expect(findingsOf(doc)).not.toContain(`secrets:${ORDERS}/internal/leak.go`)
    await rename(path.join(repo, ORDERS, 'internal/moved.go'), path.join(repo, ORDERS, 'internal/leak.go'))
  })

  it('a change of the checks selected (--check), both ways', async () => {
    await cachedEqualsUncached(['--check', 'imports'])
    await cachedEqualsUncached()
    await cachedEqualsUncached(['--check', 'secrets,naming'])
  })

  it('a truncated cache file is ignored and rebuilt', async () => {
    await cachedEqualsUncached()
    const size = (await stat(cachePath)).size
    await truncate(cachePath, Math.floor(size / 2))
    await cachedEqualsUncached()
    // Rebuilt whole: a header line and a body that verifies against its checksum, an entry per primitive. (Not byte
    // for byte: a file modified within the cache's own second is racily clean and gets no stat stamp, so the rebuilt
    // cache may hold a stamp the first one did not.)
    const rebuilt = await readFile(cachePath, 'utf8')
    const header = JSON.parse(rebuilt.slice(0, rebuilt.indexOf('\n'))) as {sha256?: string}
    const body = rebuilt.slice(rebuilt.indexOf('\n') + 1)
    expect(header.sha256).toBe(createHash('sha256').update(body).digest('hex'))
    expect(Object.keys(JSON.parse(body) as object).length).toBeGreaterThanOrEqual(2)
    expect(rebuilt.length).toBeGreaterThan(size * 0.9)
  })

  it('a tampered cache file (findings removed, checksum not matching) is never trusted', async () => {
    await cachedEqualsUncached()
    const text = await readFile(cachePath, 'utf8')
    const tampered = text.replaceAll('"findings":[{', '"findings":[],"x":[{')
    expect(tampered).not.toBe(text)
    await writeFile(cachePath, tampered)
    await cachedEqualsUncached()
    // A cache written for another CLI build or rule set (another fingerprint) is ignored as well.
    const [header, ...body] = (await readFile(cachePath, 'utf8')).split('\n')
    await writeFile(cachePath, [header.replace(/"fingerprint":"[0-9a-f]/, '"fingerprint":"x'), ...body].join('\n'))
    await cachedEqualsUncached()
    await writeFile(cachePath, 'not json\n{}')
    await cachedEqualsUncached()
  })

  it('two concurrent runs, each after an edit', async () => {
    await writeFile(path.join(repo, PORTAL, 'src/extra.ts'), "import y from '@ameide/core-proto/x'\n")
    const args = ['primitive', 'verify', '--all', '--json']
    const [a, b, uncached] = await Promise.all([
      runCli(args, {cwd: repo}),
      runCli(args, {cwd: repo}),
      runCli([...args, '--no-cache'], {cwd: repo}),
    ])
    expect(a.json()).toEqual(uncached.json())
    expect(b.json()).toEqual(uncached.json())
    expect(findingsOf(a.json())).toContain(`imports:${PORTAL}/src/extra.ts`)
    await cachedEqualsUncached()
  })
})

describe('VerifyCache', () => {
  const tools = {buf: null, path: '', baseBranch: 'main'}
  const ids: CheckId[] = ['shape', 'tests', 'imports', 'secrets', 'naming']
  // A start time in the future: every file counts as old enough for its stat to stand in for its content.
  const later = () => Date.now() + 60_000

  async function pass(version: string, startedAt?: number) {
    const cache = VerifyCache.open(repo, version, startedAt)!
    const refs = await discoverAll(repo)
    const results = []
    for (const ref of refs) {
      const plan = cache.plan(repo, ref, ids)
      results.push('hit' in plan ? plan.hit : cache.record(plan, await runFileJob(repo, tools, plan.job)))
    }
    cache.save()
    return {stats: cache.stats, results}
  }

  it('reads no file of an unchanged primitive, re-reads an edited one, and starts over for a new CLI version', async () => {
    const cold = await pass('9.0.0', later())
    expect(cold.stats).toEqual({statHits: 0, digestHits: 0, misses: 2})
    const warm = await pass('9.0.0', later())
    expect(warm.stats).toEqual({statHits: 2, digestHits: 0, misses: 0})
    expect(warm.results).toEqual(cold.results)
    // Same size, new content: the stat differs (mtime, ctime), the digest too.
    const file = path.join(repo, ORDERS, 'internal/leak.go')
    const text = await readFile(file, 'utf8')
    await writeFile(file, text.replace('ghp_A', 'ghp_B'))
    expect((await pass('9.0.0', later())).stats).toEqual({statHits: 1, digestHits: 0, misses: 1})
    await writeFile(file, text)
    // Files changed just before the run are racily clean: read again, answered by the digest.
    const racy = (await pass('9.0.0')).stats
    expect(racy.misses).toBe(1)
    expect(racy.statHits + racy.digestHits).toBe(1)
    const again = (await pass('9.0.0')).stats
    expect(again.misses).toBe(0)
    expect(again.digestHits).toBeGreaterThanOrEqual(1)
    expect((await pass('9.0.1', later())).stats).toEqual({statHits: 0, digestHits: 0, misses: 2})
  })
})
