/**
 * The formats the API server's JSON decoding holds built-in kinds' values to (src/gitops/kubernetes/formats.ts): what
 * Go's encoding/json and k8s.io/apimachinery take is taken, what they refuse is refused with its reason. The values
 * the tools users run write (Buffer's base64, Date's ISO time, Quantities as kubectl and Helm charts spell them) pass
 * whatever they hold; the API server's own refusals are held by test/gitops/kubernetes/apiserver-differential.test.ts.
 */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {FORMATS, type ValueType} from '../../../src/gitops/kubernetes/formats.js'

/** `v` as the schema walk says it: undefined when it fits, else the reason. */
const misfit = (type: ValueType, v: unknown) => (type.is(v) ? type.misfit?.(v) : 'another JSON type')

describe('formats the API server decodes', () => {
  it('int32, int64 and int-or-string: integers within their range, the int-or-string also any string', () => {
    expect(misfit(FORMATS.int32, 2147483647)).toBeUndefined()
    expect(misfit(FORMATS.int32, -2147483648)).toBeUndefined()
    expect(misfit(FORMATS.int32, 2147483648)).toBe(': 2147483648 is out of its range')
    expect(misfit(FORMATS.int32, 1.5)).toBe('another JSON type')
    expect(misfit(FORMATS.int32, '80')).toBe('another JSON type')
    expect(misfit(FORMATS.int64, 2 ** 40)).toBeUndefined()
    expect(misfit(FORMATS.int64, 2 ** 64)).toBe(`: ${2 ** 64} is out of its range`)
    expect(misfit(FORMATS.intOrString, '25%')).toBeUndefined()
    expect(misfit(FORMATS.intOrString, 8080)).toBeUndefined()
    expect(misfit(FORMATS.intOrString, 3_000_000_000)).toBe(': 3000000000 is out of its range')
    expect(misfit(FORMATS.intOrString, true)).toBe('another JSON type')
  })

  it("bytes: standard padded base64, line breaks ignored, as Go's encoding/json decodes []byte", () => {
    for (const ok of ['', 'aGVsbG8=', 'aGVsbG8h', 'aA==', 'aGVs\nbG8=', 'a+/b'])
      expect(misfit(FORMATS.byte, ok), ok).toBeUndefined()
    for (const bad of ['hello', 'aGVsbG8', 'aA=', 'a-_b', 'aA==aA==', 'é'])
      expect(misfit(FORMATS.byte, bad), bad).toBeDefined()
    fc.assert(
      fc.property(fc.uint8Array({maxLength: 64}), (bytes) => {
        expect(misfit(FORMATS.byte, Buffer.from(bytes).toString('base64'))).toBeUndefined()
      }),
      {seed: 96, numRuns: 300},
    )
  })

  it('times: RFC 3339 with any fraction and a zone, each part in its range', () => {
    for (const ok of ['2026-11-29T15:04:05Z', '2026-11-29T15:04:05.123456Z', '2024-02-29T00:00:00+05:30'])
      expect(misfit(FORMATS.dateTime, ok), ok).toBeUndefined()
    expect(misfit(FORMATS.dateTime, '2026-11-29')).toMatch(/is not an RFC 3339 time/)
    expect(misfit(FORMATS.dateTime, '2026-11-29 15:04:05Z')).toMatch(/is not an RFC 3339 time/)
    expect(misfit(FORMATS.dateTime, '')).toMatch(/is not an RFC 3339 time/)
    expect(misfit(FORMATS.dateTime, '2025-02-29T00:00:00Z')).toMatch(/has a part out of its range/)
    expect(misfit(FORMATS.dateTime, '2026-13-01T00:00:00Z')).toMatch(/has a part out of its range/)
    fc.assert(
      fc.property(fc.date({min: new Date('1970-01-01'), max: new Date('9999-12-31'), noInvalidDate: true}), (d) => {
        expect(misfit(FORMATS.dateTime, d.toISOString())).toBeUndefined()
      }),
      {seed: 96, numRuns: 300},
    )
  })

  it('quantities: a signed decimal and a suffix, or a JSON number', () => {
    for (const ok of [
      '500m',
      '1',
      '1.5',
      '.5',
      '1.',
      '128Mi',
      '2Gi',
      '1e3',
      '1E-2',
      '1E',
      '+1k',
      '-3',
      ' 2Gi ',
      0.5,
      3,
    ])
      expect(misfit(FORMATS.quantity, ok), String(ok)).toBeUndefined()
    for (const bad of ['', '1GB', 'Mi', '1.5.5', '1e', 'one', '1 Gi', '2gi'])
      expect(misfit(FORMATS.quantity, bad), bad).toMatch(/is not a number with an optional suffix/)
    expect(misfit(FORMATS.quantity, true)).toBe('another JSON type')
  })
})
