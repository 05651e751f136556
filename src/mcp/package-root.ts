import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

/**
 * The directory holding ameide's package.json: where oclif.manifest.json, schemas/ and bin/run.js are, whether this
 * module runs from dist/mcp/, from a bundle or from src/ under the test runner.
 */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = path.dirname(from)
  for (;;) {
    const file = path.join(dir, 'package.json')
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as {name?: string}).name === 'ameide') return dir
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error(`no ameide package.json above ${from}`)
    dir = parent
  }
}
