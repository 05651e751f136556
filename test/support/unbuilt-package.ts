/**
 * The built package without its render module: what a source checkout built without Go runs (the release tarball
 * always carries the module). A real condition, not a switch: the files package.json ships (`files`), hard-linked
 * into a temporary package root, all but dist/render-module; node_modules linked. The CLI there finds no module
 * beside it, as an installation without one would. Made once per test file.
 */
import {cpSync, linkSync, mkdirSync, readFileSync, statSync, symlinkSync} from 'node:fs'
import path from 'node:path'

import {makeTempDir} from './tmp.js'
import {REPO_ROOT} from './toolchain.js'

let made: Promise<string> | undefined

/** bin/run.js of the package copy without dist/render-module. */
export function cliWithoutRenderModule(): Promise<string> {
  made ??= (async () => {
    const root = await makeTempDir('ameide-no-module-')
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {files: string[]}
    for (const entry of ['package.json', ...pkg.files]) {
      if (entry.startsWith('dist/render-module/')) continue
      const from = path.join(REPO_ROOT, entry)
      const to = path.join(root, entry)
      mkdirSync(path.dirname(to), {recursive: true})
      if (statSync(from).isDirectory()) cpSync(from, to, {recursive: true})
      else linkSync(from, to)
    }
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'))
    return path.join(root, 'bin', 'run.js')
  })()
  return made
}
