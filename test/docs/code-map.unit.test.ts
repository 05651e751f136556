import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

/**
 * Find-by-folder: a newcomer finds any behaviour by folder names, so the README's code map and
 * docs/architecture.md name every folder under src/ (as `src/a/b/`, or as `b/` inside its parent's entry).
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const folders = (
  readdirSync(path.join(ROOT, 'src'), {recursive: true, withFileTypes: true}) as import('node:fs').Dirent[]
)
  .filter((d) => d.isDirectory())
  .map((d) => path.relative(ROOT, path.join(d.parentPath, d.name)).split(path.sep).join('/'))
  .sort()

/** The code map's text: the README's fenced block under "## Code map"; architecture.md's under "## Layers". */
function section(file: string, heading: string): string {
  const text = readFileSync(path.join(ROOT, file), 'utf8')
  const start = text.indexOf(heading)
  expect(start, `${file} has ${heading}`).toBeGreaterThanOrEqual(0)
  const fence = text.indexOf('```', start)
  return text.slice(fence, text.indexOf('```', fence + 3))
}

/**
 * `src/a/b/c` is named as `src/a/b/c/`, or inside the entry of its nearest ancestor that starts an entry (a line
 * beginning with `src/a/`, say), which then names each further folder (`b/`, `c/`). An entry runs to the next line
 * that starts in the first column.
 */
function named(map: string, folder: string): boolean {
  if (map.includes(`${folder}/`)) return true
  const segments = folder.split('/')
  for (let n = segments.length - 1; n >= 1; n--) {
    const ancestor = segments.slice(0, n).join('/')
    // An entry starts where a line starts (in the first column) with the ancestor's path.
    const at = map.search(new RegExp(`(^|\\n)${ancestor}/`))
    if (at < 0) continue
    const rest = map.slice(at + 1)
    const end = rest.search(/\n\S/)
    const entry = end < 0 ? rest : rest.slice(0, end)
    return segments.slice(n).every((leaf) => new RegExp(`(^|[\\s(,/])${leaf}/`).test(entry))
  }
  return false
}

describe('find-by-folder', () => {
  it('src/ has folders to map', () => {
    expect(folders.length).toBeGreaterThan(20)
    expect(folders).toContain('src/verify/secrets')
  })

  it.each([
    ['README.md', '## Code map'],
    ['docs/architecture.md', '## Layers'],
  ])('%s names every folder under src/', (file, heading) => {
    const map = section(file, heading)
    expect(folders.filter((f) => !named(map, f))).toEqual([])
  })
})
