/**
 * docs/performance.md's tables are what the benches recorded (bench/results/*.json, scripts/performance-doc.mjs):
 * never edited by hand, never behind a recorded run.
 */
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

// @ts-expect-error: a script of the repository, plain JavaScript
import {benchTables, withTables} from '../../scripts/performance-doc.mjs'

const ROOT = path.resolve(import.meta.dirname, '../..')

describe('docs/performance.md', () => {
  it('holds exactly the tables bench/results/ makes (node scripts/performance-doc.mjs)', () => {
    const text = readFileSync(path.join(ROOT, 'docs/performance.md'), 'utf8')
    expect(withTables(text, benchTables())).toBe(text)
  })

  it('each recorded figure appears in its bench table, with the command, the commit and the load', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ameide-bench-results-'))
    const result = {
      bench: 'verify',
      command: 'bench/verify 7 200',
      date: '2026-11-29',
      commit: 'abcdef12',
      node: 'v24.21.0',
      cpus: 2,
      load: 1.5,
      rows: [
        {case: 'Node floor (walk + read every file)', wall: 480},
        {
          case: 'verify --all --json --no-cache (cold)',
          wall: 1440,
          figure: '3.00x the Node floor (goal ≤ 1.5x) | 5x rg',
        },
      ],
    }
    writeFileSync(path.join(dir, 'verify.json'), JSON.stringify(result))
    const tables = benchTables(dir) as string
    expect(tables).toContain('`bench/verify 7 200` — 2026-11-29, commit `abcdef12`, Node v24.21.0, 2 CPUs, load 1.5')
    expect(tables).toContain(
      '| verify --all --json --no-cache (cold) | 1440 ms | 3.00x the Node floor (goal ≤ 1.5x) \\| 5x rg |',
    )
    expect(tables).toContain('| Node floor (walk + read every file) | 480 ms | – |')
    expect(() => withTables('# no markers\n', tables)).toThrow(/no marked part/)
  })
})
