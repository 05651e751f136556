import {mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {importCycles, importGraph} from '../support/import-graph.js'
import {makeTempDir, runCleanups} from '../support/tmp.js'

afterAll(runCleanups)

describe('import cycles under src/', () => {
  it('src/ has none (dependencies point down; a constant two modules share moves below both)', () => {
    const graph = importGraph(path.resolve('src'))
    expect(graph.size).toBeGreaterThan(100)
    expect(importCycles(graph)).toEqual([])
  })

  it('finds a circle through a type-only import and an export-from, and a module importing itself', async () => {
    const root = await makeTempDir('ameide-cycles-')
    mkdirSync(path.join(root, 'render'))
    writeFileSync(path.join(root, 'render/objects.ts'), "import {LINK} from './render.js'\nexport const at = LINK\n")
    writeFileSync(path.join(root, 'render/render.ts'), "import type {Root} from './roots.js'\nexport const LINK = ''\n")
    writeFileSync(path.join(root, 'render/roots.ts'), "export {at} from './objects.js'\nexport type Root = string\n")
    writeFileSync(path.join(root, 'self.ts'), "export const a = 1\nexport const load = () => import('./self.js')\n")
    writeFileSync(path.join(root, 'leaf.ts'), "import {a} from './self.js'\nimport ts from 'typescript'\n")
    expect(importCycles(importGraph(root))).toEqual([
      ['render/objects.ts', 'render/render.ts', 'render/roots.ts'],
      ['self.ts'],
    ])
  })
})
