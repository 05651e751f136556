import {describe, expect, it} from 'vitest'

import type {ChangeSet} from '../../src/changes/detect.js'
import {AmeideError} from '../../src/core/errors.js'
import type {Component} from '../../src/publish/components.js'
import {
  assignShards,
  BUILD_WEIGHT,
  matrixOf,
  parseMaxShards,
  parseShard,
  planShards,
  publishMatrix,
  selectShard,
  shardCount,
  type ShardItem,
} from '../../src/publish/shards.js'

/**
 * Shard ownership is a pure function of the plan inputs: balanced (builds round-robin, re-tags fill the lightest
 * shards), deterministic, and blind to the order the components arrive in.
 */
const KINDS = ['agent', 'domain', 'integration', 'process', 'projection', 'uisurface'] as const

function component(kind: (typeof KINDS)[number], name: string): Component {
  const folder = `primitives/${kind}/${name}`
  return {
    id: `${kind}-${name}`,
    kind,
    name,
    path: folder,
    dockerfile: `${folder}/Dockerfile`,
    repository: `127.0.0.1:5000/t/primitive-${kind}-${name}`,
  }
}

const TWELVE = KINDS.flatMap((kind) => [component(kind, 'alpha'), component(kind, 'beta')])
const BASE = 'b'.repeat(40)
const SHA = 'a'.repeat(40)

/** A change set touching the given components' folders. */
function changesOf(changed: Component[], extra: string[] = []): ChangeSet {
  return {
    sha: SHA,
    base: BASE,
    baseDescription: 'merge-base with origin/main',
    files: [...changed.map((c) => `${c.path}/app.txt`), ...extra],
  }
}

/** Deterministic shuffle (a seeded LCG), so the "any order" cases are reproducible. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items]
  let state = seed
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31
    const j = state % (i + 1)
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

const load = (ids: string[], builds: Set<string>) =>
  ids.reduce((sum, id) => sum + (builds.has(id) ? BUILD_WEIGHT : 1), 0)

describe('assignShards', () => {
  const items: ShardItem[] = TWELVE.map((c, i) => ({id: c.id, build: i % 3 !== 0})) // 8 builds, 4 re-tags
  const builds = new Set(items.filter((i) => i.build).map((i) => i.id))

  it('covers every component exactly once', () => {
    for (const count of [1, 2, 3, 5, 8, 12, 20]) {
      const shards = assignShards(items, count)
      expect(shards).toHaveLength(count)
      expect(shards.flat().sort()).toEqual(items.map((i) => i.id).sort())
    }
  })

  it('is balanced: build counts differ by at most one, and loads by at most one build', () => {
    for (const count of [2, 3, 4, 5, 8]) {
      const shards = assignShards(items, count)
      const buildCounts = shards.map((ids) => ids.filter((id) => builds.has(id)).length)
      expect(
        Math.max(...buildCounts) - Math.min(...buildCounts),
        `${count} shards: ${buildCounts}`,
      ).toBeLessThanOrEqual(1)
      const loads = shards.map((ids) => load(ids, builds))
      expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(BUILD_WEIGHT)
    }
    // re-tags go to the shards with fewer builds: 8 builds over 3 shards = 3, 3, 2; the 4 re-tags fill shard 3 first
    const three = assignShards(items, 3)
    expect(three.map((ids) => ids.filter((id) => builds.has(id)).length)).toEqual([3, 3, 2])
    expect(three.map((ids) => ids.filter((id) => !builds.has(id)).length)).toEqual([0, 0, 4])
  })

  it('is deterministic and independent of the input order', () => {
    const reference = assignShards(items, 3)
    expect(reference).toMatchInlineSnapshot(`
      [
        [
          "agent-beta",
          "integration-beta",
          "uisurface-alpha",
        ],
        [
          "domain-alpha",
          "process-beta",
          "uisurface-beta",
        ],
        [
          "agent-alpha",
          "domain-beta",
          "integration-alpha",
          "process-alpha",
          "projection-alpha",
          "projection-beta",
        ],
      ]
    `)
    for (let seed = 1; seed <= 25; seed++) expect(assignShards(shuffled(items, seed), 3)).toEqual(reference)
  })

  it('needs no shard for re-tags: no builds is one shard holding everything', () => {
    const retagsOnly = TWELVE.map((c) => ({id: c.id, build: false}))
    expect(shardCount(0, 4)).toBe(1)
    expect(assignShards(retagsOnly, 1)).toEqual([TWELVE.map((c) => c.id).sort()])
    expect(shardCount(2, 4)).toBe(2)
    expect(shardCount(9, 4)).toBe(4)
    expect(shardCount(9, 1)).toBe(1)
  })
})

describe('planShards', () => {
  const changed = [TWELVE[0], TWELVE[3], TWELVE[5], TWELVE[8], TWELVE[11]]
  const input = {
    sha: SHA,
    base: BASE,
    registry: '127.0.0.1:5000/t',
    components: TWELVE,
    changes: changesOf(changed),
    sharedInputs: ['packages/**'],
    count: 3,
  }

  it('owns builds from the change set, and its fingerprint depends only on the plan inputs', () => {
    const plan = planShards(input)
    expect(plan.shards.flatMap((s) => s.builds).sort()).toEqual(changed.map((c) => c.id).sort())
    expect(plan.shards.map((s) => s.builds.length)).toEqual([2, 2, 1])
    expect(plan.plan).toMatch(/^sha256:[0-9a-f]{64}$/)
    // same inputs in another order: same plan
    const again = planShards({...input, components: shuffled(TWELVE, 7)})
    expect(again).toEqual(plan)
    // any input that changes ownership changes the fingerprint
    for (const other of [
      {...input, sha: 'c'.repeat(40)},
      {...input, base: 'd'.repeat(40)},
      {...input, registry: '127.0.0.1:5000/u'},
      {...input, components: TWELVE.slice(1)},
      {...input, changes: changesOf(changed.slice(1))},
      {...input, count: 4},
    ]) {
      expect(planShards(other).plan).not.toBe(plan.plan)
    }
  })

  it('a shared build input makes every component a build', () => {
    const plan = planShards({...input, changes: changesOf([], ['packages/sdk/go.mod'])})
    expect(plan.shards.map((s) => s.builds.length)).toEqual([4, 4, 4])
  })

  it('gives the matrix GitHub Actions takes as strategy.matrix', () => {
    const plan = planShards(input)
    const matrix = matrixOf(plan, SHA, BASE)
    expect(matrix.include.map((e) => e.shard)).toEqual(['1/3', '2/3', '3/3'])
    expect(matrix.include[0]).toMatchObject({index: 1, count: 3, sha: SHA, base: BASE, plan: plan.plan})
    expect(matrix.include.flatMap((e) => e.components).sort()).toEqual(TWELVE.map((c) => c.id).sort())
    expect(matrix.include[1].args).toBe(`--shard 2/3 --sha ${SHA} --base ${BASE}`)
    expect(matrixOf(plan, SHA, null).include[0]).not.toHaveProperty('base')
    expect(matrixOf(plan, SHA, null).include[0].args).toBe(`--shard 1/3 --sha ${SHA}`)
    expect(matrixOf(plan, SHA, null, true).include[2].args).toBe(`--shard 3/3 --sha ${SHA} --all`)
  })
})

describe('selectShard and publishMatrix (what publish calls)', () => {
  const context = {
    sha: SHA,
    base: BASE,
    registry: '127.0.0.1:5000/t',
    components: TWELVE,
    changes: changesOf([TWELVE[1], TWELVE[2], TWELVE[7]]),
    sharedInputs: [],
  }

  it('the shards of one plan partition the components, each shard with its record', () => {
    expect(selectShard(context, undefined)).toEqual({components: TWELVE})
    const parts = [1, 2, 3].map((index) => selectShard(context, {index, count: 3}))
    expect(parts.flatMap((p) => p.components.map((c) => c.id)).sort()).toEqual(TWELVE.map((c) => c.id).sort())
    const matrix = publishMatrix(context, 3, 3, false)
    parts.forEach((part, i) => {
      expect(part.shard).toMatchObject({id: `${i + 1}/3`, index: i + 1, count: 3, plan: matrix.include[i].plan})
      expect(part.components.map((c) => c.id)).toEqual(matrix.include[i].components)
      expect(part.shard!.components).toEqual(matrix.include[i].components)
    })
  })

  it('the matrix asks for no more shards than builds, and at least one', () => {
    expect(publishMatrix(context, 3, 8, false).include).toHaveLength(3)
    expect(publishMatrix(context, 0, 8, false).include).toHaveLength(1)
    expect(publishMatrix(context, 3, 2, false).include).toHaveLength(2)
  })
})

describe('--shard and --max-shards values', () => {
  it.each(['1/1', '1/3', '3/3', '256/256'])('accepts %s', (value) => {
    const [index, count] = value.split('/').map(Number)
    expect(parseShard(value)).toEqual({index, count})
  })

  it.each(['0/3', '4/3', 'x', '1/0', '01/3', '1/3/5', '1 /3', '-1/3', '2/257', '1.5/3', ''])(
    'refuses %j (exit 2)',
    (value) => {
      let error: unknown
      try {
        parseShard(value)
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(AmeideError)
      expect(error).toMatchObject({code: 'INVALID_SHARD', exitCode: 2})
    },
  )

  it('--max-shards: 1 by default, 1..256', () => {
    expect(parseMaxShards(undefined)).toBe(1)
    expect(parseMaxShards(8)).toBe(8)
    for (const bad of [0, 257, 2.5]) expect(() => parseMaxShards(bad)).toThrow(/--max-shards/)
  })
})
