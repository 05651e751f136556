import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {scanSecretsChunked, OVERLAP} from '../../src/verify/secrets/chunked.js'
import {scanSecrets} from '../../src/verify/secrets/scan.js'
import {LineIndex} from '../../src/verify/text.js'
import {runCli} from '../support/cli.js'
import {assertMatchesSchema} from '../support/schema.js'
import {runCleanups} from '../support/tmp.js'
import {scaffoldedRepo} from './helpers.js'

// Split so no scanner flags this file; a real token's shape (ghp_ + 36 random alphanumerics).
const TOKEN = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'
const MIB = 1024 * 1024

let repo: string
const dir = () => path.join(repo, 'primitives/domain/orders')

beforeAll(async () => {
  repo = await scaffoldedRepo('ameide-verify-large-', [['domain', 'orders']])
})
afterAll(runCleanups)

const secrets = async () => {
  const run = await runCli(
    ['primitive', 'verify', '--kind', 'domain', '--name', 'orders', '--check', 'secrets', '--json'],
    {
      cwd: repo,
    },
  )
  const doc = run.json()
  assertMatchesSchema('verify.schema.json', doc)
  return {run, check: doc.primitives[0].checks[0]}
}

describe('primitive verify secrets: files over 4 MiB are scanned, binary files listed', () => {
  it('finds a GitHub token at the end of a 6 MiB source file, at its line and column (exit 1)', async () => {
    const line = '// generated table row 0123456789 abcdefghij\n'
    const filler = line.repeat(Math.ceil((6 * MIB) / line.length))
    await writeFile(path.join(dir(), 'internal/table.go'), `${filler}const token = "${TOKEN}"\n`)
    const {run, check} = await secrets()
    expect(run.exitCode).toBe(1)
    expect(check.status).toBe('fail')
    const finding = check.findings.find((f: {file: string}) => f.file.endsWith('internal/table.go'))
    expect(finding).toMatchObject({rule: 'github-pat', line: filler.split('\n').length, column: 16})
    // Redacted: the token itself never appears.
    expect(run.stdout).not.toContain(TOKEN)
  })

  it('lists a binary file (a NUL in the first 8 KiB) as not read, in JSON and human output', async () => {
    await writeFile(path.join(dir(), 'internal/table.go'), 'package internal\n')
    await writeFile(path.join(dir(), 'assets.bin'), Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(TOKEN)]))
    const {run, check} = await secrets()
    expect(run.exitCode).toBe(0)
    expect(check.skippedFiles).toEqual([
      {file: 'primitives/domain/orders/assets.bin', reason: 'binary (a NUL byte in the first 8 KiB)'},
    ])
    const human = await runCli(['primitive', 'verify', '--kind', 'domain', '--name', 'orders', '--check', 'secrets'], {
      cwd: repo,
    })
    expect(human.stdout).toContain('not read: primitives/domain/orders/assets.bin (binary')
  })
})

describe('the chunked scanner', () => {
  it('finds each token exactly once, wherever it falls against the window edges, at its offset, line and column', () => {
    const chunk = 4 * OVERLAP
    const line = 'x'.repeat(57) + '\n'
    const base = line.repeat(Math.ceil((3 * chunk + 8 * OVERLAP) / line.length))
    // Every place around the edges of the first windows: before, across and after each cut.
    const edges = [chunk, chunk + OVERLAP, chunk + 2 * OVERLAP, 2 * chunk + OVERLAP, 2 * chunk + 2 * OVERLAP]
    for (const edge of edges) {
      for (const delta of [-60, -41, -40, -20, -1, 0, 1, 39]) {
        const at = edge + delta
        const text = `${base.slice(0, at)} token=${TOKEN} ${base.slice(at)}`
        const expected = scanSecrets(text).map((m) => m.offset)
        const pieces = Array.from({length: Math.ceil(text.length / 1000)}, (_, i) =>
          text.slice(i * 1000, (i + 1) * 1000),
        )
        const found = [...scanSecretsChunked(pieces, false, chunk)]
        expect(
          found.map((m) => m.offset),
          `edge ${edge} ${delta}`,
        ).toEqual(expected)
        const index = new LineIndex(text)
        for (const m of found) expect({line: m.line, column: m.column}).toEqual(index.position(m.offset))
      }
    }
  })
})
