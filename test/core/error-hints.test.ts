import {describe, expect, it} from 'vitest'

import {ERROR_CODES, type ErrorCode} from '../../src/core/error-codes.js'
import {AmeideError, toErrorDocument} from '../../src/core/errors.js'
import {readPublishReport} from '../../src/publish/read-report.js'
import {ExitCode} from '../../src/core/exit-codes.js'
import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import {makeTempDir} from '../support/tmp.js'

describe('every error the CLI prints carries at least one hint', () => {
  it('is a property of the registry: each code, raised without hints, still has one naming the code', () => {
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      const doc = toErrorDocument(new AmeideError(code, 'x', ExitCode.Failure))
      expect(doc.error.hints.length, code).toBeGreaterThan(0)
      expect(doc.error.hints[0], code).toContain(code)
      expect(doc.error.hints[0], code).toContain(ERROR_CODES[code].summary)
    }
    // Hints given at the raise site are kept as they are.
    expect(new AmeideError('INVALID_REPORT', 'x', ExitCode.Usage, ['do this']).hints).toEqual(['do this'])
  })

  it('INVALID_REPORT for a path-like component has its own hint', async () => {
    const file = path.join(await makeTempDir(), 'publish.json')
    await writeFile(file, JSON.stringify({schemaVersion: 1, images: [{component: '../../etc', ref: null}]}))
    const error = await readPublishReport(file).then(
      () => undefined,
      (e: AmeideError) => e,
    )
    expect(error?.code).toBe('INVALID_REPORT')
    expect(error?.hints).toEqual([expect.stringMatching(/<kind>-<name>/)])
  })
})
