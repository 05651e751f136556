/**
 * The diff's shortcut for an unchanged object (src/gitops/diff/objects.ts sameData): two bodies it calls the same
 * data print as the same stable YAML, whatever their keys' order; bodies it cannot decide on (another class of
 * object, -0 beside 0) are left to the texts.
 */
import fc from 'fast-check'
import * as yaml from 'yaml'
import {describe, expect, it} from 'vitest'

import {sameData, stableYaml} from '../../../src/gitops/diff/objects.js'
import type {Doc} from '../../../src/gitops/kubernetes/objects.js'

/** `value` with every object's keys in reverse order. */
const reordered = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(reordered)
    : value !== null && typeof value === 'object'
      ? Object.fromEntries(
          Object.entries(value)
            .reverse()
            .map(([k, v]) => [k, reordered(v)]),
        )
      : value

const body = fc.dictionary(fc.string(), fc.jsonValue()) as fc.Arbitrary<Doc>

describe('sameData: the same data is the same text', () => {
  it('a body and its copy with every key order reversed', () => {
    fc.assert(
      fc.property(body, (b) => {
        const copy = reordered(b) as Doc
        expect(sameData(b, copy)).toBe(true)
        expect(stableYaml(yaml, copy)).toBe(stableYaml(yaml, b))
      }),
    )
  })

  it('whenever two bodies are the same data, their texts are equal', () => {
    fc.assert(
      fc.property(body, body, (a, b) => {
        if (sameData(a, b)) expect(stableYaml(yaml, a)).toBe(stableYaml(yaml, b))
      }),
    )
  })

  it('not decided here: -0 beside 0, a key missing beside a key undefined, a Date, arrays of other lengths', () => {
    expect(sameData({n: -0}, {n: 0})).toBe(false)
    expect(stableYaml(yaml, {n: -0})).not.toBe(stableYaml(yaml, {n: 0}))
    expect(sameData({a: 1}, {a: 1, b: undefined})).toBe(false)
    expect(sameData({t: new Date(0)}, {t: new Date(1)})).toBe(false)
    expect(sameData({t: new Date(0)}, {t: new Date(0)})).toBe(false)
    expect(sameData({l: [1, 2]}, {l: [1, 2, 3]})).toBe(false)
    expect(sameData({l: [1, {a: 'x'}]}, {l: [1, {a: 'y'}]})).toBe(false)
    expect(sameData({n: Number.NaN}, {n: Number.NaN})).toBe(true)
  })
})
