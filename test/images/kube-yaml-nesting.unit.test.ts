/**
 * A text nested past ameide's YAML limit (MAX_NESTING) gets one answer, whatever stack the parser happens to have
 * (how much it takes per level depends on what V8 has optimized by then): `kubeDocuments` refuses it as a limit
 * (NestingLimit), `linedDocuments` tells its reader the same words — flow or block nesting, just past the limit or far
 * past it. Under it, both read the text.
 */
import * as yaml from 'yaml'
import {describe, expect, it} from 'vitest'

import {kubeDocuments, NestingLimit} from '../../src/images/yaml/kube.js'
import {MAX_NESTING} from '../../src/images/yaml/parse.js'
import {isLimitError, limitMessage, linedDocuments} from '../../src/gitops/kubernetes/yaml-lines.js'

const flow = (levels: number) => `${'{n: '.repeat(levels)}5${'}'.repeat(levels)}\n`
const block = (levels: number) => Array.from({length: levels}, (_, i) => `${'  '.repeat(i)}n:`).join('\n') + ` 5\n`

const refusal = (text: string) => {
  try {
    kubeDocuments(yaml, text)
    return undefined
  } catch (error) {
    return error
  }
}

describe('YAML nested past the limit, the same answer every time', () => {
  for (const [shape, make] of [
    ['flow', flow],
    ['block', block],
  ] as const) {
    it(`${shape}: at the limit read; just past it and far past it refused as a limit, in the same words`, () => {
      expect(refusal(make(MAX_NESTING - 1))).toBeUndefined()
      const said: string[] = []
      for (const levels of [MAX_NESTING + 1, 1000, 2000]) {
        const error = refusal(make(levels))
        expect(error, `${levels}`).toBeInstanceOf(NestingLimit)
        expect(isLimitError(error)).toBe(true)
        said.push(limitMessage(error))
        const told: string[] = []
        expect(linedDocuments(yaml, make(levels), (d) => told.push(d.message))).toEqual([])
        said.push(...told)
      }
      expect(new Set(said).size).toBe(1)
      expect(said[0]).toMatch(/its collections nest deeper than 256 levels, more than ameide's YAML reader follows/)
    })
  }
})
