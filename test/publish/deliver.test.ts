import {mkdir, readdir, readFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {AmeideError} from '../../src/core/errors.js'
import {clearSecretsForTests, registerSecret} from '../../src/core/secrets.js'
import {deliverReport} from '../../src/publish/deliver.js'
import type {FailureRecord, PublishReport} from '../../src/publish/report.js'
import {makeTempDir, runCleanups} from '../support/tmp.js'

afterAll(async () => {
  clearSecretsForTests()
  await runCleanups()
})

const report = (failures: Array<Pick<FailureRecord, 'exitCode'>>): PublishReport => ({
  schemaVersion: 1,
  sha: 'a'.repeat(40),
  base: null,
  baseDescription: '--all',
  registry: '127.0.0.1:5000/acme',
  dryRun: false,
  builder: null,
  signing: {enabled: false},
  sbom: {enabled: false},
  provenance: {enabled: false},
  updateMain: false,
  images: [],
  failures: failures.map(
    (f, i) => ({component: `domain-c${i}`, code: 'X_FAILED', message: 'token s3cr3t-t0ken', ...f}) as FailureRecord,
  ),
  durationMs: 1,
})

// publish and `publish merge` hand their report over through deliverReport: --output atomically and redacted,
// then the exit code the failures call for.
describe('deliverReport', () => {
  it('writes --output whole and redacted, leaving no temporary behind', async () => {
    const dir = await makeTempDir('ameide-deliver-')
    registerSecret('s3cr3t-t0ken')
    const file = path.join(dir, 'out', 'report.json') // a missing folder is created
    expect(await deliverReport(report([{exitCode: 1}]), file, {})).toBe(1)
    const text = await readFile(file, 'utf8')
    expect(text).not.toContain('s3cr3t-t0ken')
    expect(JSON.parse(text).failures[0].message).toBe('token ***')
    expect(await readdir(path.join(dir, 'out'))).toEqual(['report.json'])
  })

  it('an --output that cannot be written is exit 3 FILE_NOT_WRITABLE', async () => {
    const dir = await makeTempDir('ameide-deliver-')
    await mkdir(path.join(dir, 'taken'))
    const error = await deliverReport(report([]), path.join(dir, 'taken'), {}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AmeideError)
    expect((error as AmeideError).code).toBe('FILE_NOT_WRITABLE')
    expect((error as AmeideError).exitCode).toBe(3)
    expect(await readdir(dir)).toEqual(['taken'])
  })

  it("exit code: 0 without failures, the failures' code when they share one, else 1", async () => {
    expect(await deliverReport(report([]), undefined, {})).toBe(0)
    expect(await deliverReport(report([{exitCode: 4}, {exitCode: 4}]), undefined, {})).toBe(4)
    expect(await deliverReport(report([{exitCode: 4}, {exitCode: 1}]), undefined, {})).toBe(1)
  })
})
