/**
 * Where the host finds a render package (src/effects/render-module/installed.ts): as Node resolves it from the CLI's
 * own folder, in each layout npm and the Action make — nested under the CLI (the Action, a global install's
 * optionalDependencies), hoisted beside it (a project's node_modules), a sibling in a global prefix (`npm install -g`
 * of both tarballs) — and nowhere else: not from the working directory, not from a folder above the CLI's that is not
 * a node_modules.
 */
import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {packageDir} from '../../../src/effects/render-module/installed.js'
import {makeTempDir, runCleanups} from '../../support/tmp.js'

afterAll(runCleanups)

/** A package folder `dir` named `name`. */
async function pkg(dir: string, name: string): Promise<string> {
  await mkdir(dir, {recursive: true})
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({name, version: '0.1.0'}))
  return dir
}

const NAME = '@ameide/render-linux-x64'

describe('a render package, found from the CLI', () => {
  it('nested under the CLI (the Action; npm -g with optionalDependencies)', async () => {
    const root = await makeTempDir('ameide-pkg-nested-')
    const cli = await pkg(path.join(root, 'ameide'), 'ameide')
    const render = await pkg(path.join(cli, 'node_modules', NAME), NAME)
    expect(packageDir(NAME, path.join(cli, 'package.json'))).toBe(render)
  })

  it('hoisted beside it in a project, and a sibling in a global prefix', async () => {
    const project = await makeTempDir('ameide-pkg-hoisted-')
    const cli = await pkg(path.join(project, 'node_modules', 'ameide'), 'ameide')
    const render = await pkg(path.join(project, 'node_modules', NAME), NAME)
    expect(packageDir(NAME, path.join(cli, 'package.json'))).toBe(render)
    const prefix = await makeTempDir('ameide-pkg-global-')
    const globalCli = await pkg(path.join(prefix, 'lib', 'node_modules', 'ameide'), 'ameide')
    const sibling = await pkg(path.join(prefix, 'lib', 'node_modules', NAME), NAME)
    expect(packageDir(NAME, path.join(globalCli, 'package.json'))).toBe(sibling)
  })

  it('not where it is not installed: none, or only beside the working directory', async () => {
    const root = await makeTempDir('ameide-pkg-none-')
    const cli = await pkg(path.join(root, 'tools', 'ameide'), 'ameide')
    expect(packageDir(NAME, path.join(cli, 'package.json'))).toBeUndefined()
    // A repository being checked that carries such a folder is no installation of it.
    const repo = path.join(root, 'repo')
    await pkg(path.join(repo, 'node_modules', NAME), NAME)
    const cwd = process.cwd()
    process.chdir(repo)
    try {
      expect(packageDir(NAME, path.join(cli, 'package.json'))).toBeUndefined()
    } finally {
      process.chdir(cwd)
    }
  })
})
