/**
 * The budget's shaping on its own (src/mcp/budget.ts): a document that fits is the answer; one that does not keeps
 * every scalar and object and fills its lists in turn; a detail narrows the lists by environment, deployable or
 * rule; following `next` visits every item of the main list exactly once, whatever the budget.
 */
import {describe, expect, it} from 'vitest'

import {withinBudget, type Detail} from '../../src/mcp/budget.js'

const verify = (n: number) => ({
  summary: 'fail',
  counts: {errors: n},
  findings: Array.from({length: n}, (_, i) => ({
    rule: i % 2 === 0 ? 'floating-tag' : 'missing-digest',
    environment: i % 3 === 0 ? 'prod' : 'dev',
    file: `envs/f-${i}.yaml`,
    message: 'x'.repeat(200),
  })),
  rules: [{id: 'floating-tag'}, {id: 'missing-digest'}],
})

const size = (v: unknown) => Buffer.byteLength(JSON.stringify(v))
const shape = (doc: Record<string, unknown>, maxBytes: number, detail?: Detail) =>
  withinBudget(doc, {
    maxBytes,
    main: 'findings',
    resource: 'ameide://results/1',
    ...(detail ? {detail} : {}),
  }) as ReturnType<typeof verify> & {
    truncated?: {next?: Detail; lists: Array<{path: string; shown: number; total: number}>}
  }

describe('withinBudget', () => {
  it('answers a document that fits as it is', () => {
    const doc = verify(3)
    expect(shape(doc, 100_000)).toEqual(doc)
  })

  it('keeps the scalars and objects, cuts the lists, and pages the main list to its end', () => {
    const doc = verify(200)
    for (const maxBytes of [1000, 5000, 20_000]) {
      const first = shape(doc, maxBytes)
      expect(first.counts).toEqual({errors: 200})
      const files = first.findings.map((f) => f.file)
      // Below the summary's own size the main list still shows one item (each page makes progress).
      if (maxBytes > 1000) {
        expect(first.rules).toHaveLength(2)
        expect(size(first)).toBeLessThanOrEqual(maxBytes)
      }
      for (let next = first.truncated?.next; next;) {
        const page = shape(doc, maxBytes, next)
        expect(page.findings.length).toBeGreaterThan(0)
        files.push(...page.findings.map((f) => f.file))
        next = page.truncated?.next
      }
      expect(files).toEqual(doc.findings.map((f) => f.file))
    }
  })

  it('narrows the lists to a rule and an environment', () => {
    const part = shape(verify(60), 100_000, {rule: 'floating-tag', environment: 'prod'})
    expect(part.findings.length).toBe(10)
    expect(part.findings.every((f) => f.rule === 'floating-tag' && f.environment === 'prod')).toBe(true)
    expect(part.truncated).toBeUndefined()
  })
})
