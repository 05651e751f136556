import {execFile} from 'node:child_process'
import {cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {promisify} from 'node:util'
import {describe, expect, it} from 'vitest'
import {CLI} from '../support/cli.js'
import {makeTempDir} from '../support/tmp.js'

// bin/run.js answers `<command> --help` off a terminal from dist/help.json (rendered by oclif at build time,
// scripts/render-help.mjs). The answer must be oclif's to the byte, and oclif must answer whenever its output would
// differ (colour, another width).
const root = fileURLToPath(new URL('../../', import.meta.url))
const cache = JSON.parse(readFileSync(path.join(root, 'dist/help.json'), 'utf8')) as {entries: Record<string, string>}
const manifest = JSON.parse(readFileSync(path.join(root, 'oclif.manifest.json'), 'utf8'))
const run = promisify(execFile)

async function help(cli: string, tokens: string[], env: Record<string, string>): Promise<string> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(FORCE_COLOR|OCLIF_COLUMNS|CI)$/.test(k)),
  )
  // No writable user cache folder unless the test gives one: oclif renders (the terminal help cache, below, is off).
  const {stdout} = await run(process.execPath, [cli, ...tokens, '--help'], {
    env: {...base, XDG_CACHE_HOME: '/dev/null/none', ...env} as NodeJS.ProcessEnv,
  })
  return stdout
}

describe('help cache', () => {
  it('has an entry for every command and topic', () => {
    for (const id of Object.keys(manifest.commands)) expect(cache.entries).toHaveProperty([id.split(':').join(' ')])
    expect(cache.entries).toHaveProperty(['gitops'])
    expect(cache.entries).toHaveProperty(['primitive gitops'])
  })

  it.each(Object.keys(cache.entries))('%s --help is oclif’s rendering, byte for byte', async (key) => {
    const tokens = key.split(' ')
    const cached = await help(CLI, tokens, {NO_COLOR: '1'})
    const live = await help(CLI, tokens, {NO_COLOR: '1', OCLIF_COLUMNS: '80'}) // OCLIF_COLUMNS: oclif renders
    expect(cached).toBe(cache.entries[key])
    expect(cached).toBe(live)
  })

  it('is used off a terminal without colour, and oclif answers when colour is on or the width is set', async () => {
    // A copy of the CLI whose cache says something oclif never would.
    const dir = await makeTempDir('help-cache')
    cpSync(path.join(root, 'bin'), path.join(dir, 'bin'), {recursive: true})
    for (const name of ['node_modules', 'package.json', 'oclif.manifest.json']) {
      symlinkSync(path.join(root, name), path.join(dir, name))
    }
    mkdirSync(path.join(dir, 'dist'))
    for (const name of readdirSync(path.join(root, 'dist')).filter((n) => n !== 'help.json')) {
      symlinkSync(path.join(root, 'dist', name), path.join(dir, 'dist', name))
    }
    writeFileSync(
      path.join(dir, 'dist/help.json'),
      JSON.stringify({entries: {'primitive publish': 'from the cache\n'}}),
    )
    const cli = path.join(dir, 'bin/run.js')

    expect(await help(cli, ['primitive', 'publish'], {NO_COLOR: '1'})).toBe('from the cache\n')
    expect(await help(cli, ['primitive', 'publish'], {FORCE_COLOR: '1'})).toContain('\u001B[')
    expect(await help(cli, ['primitive', 'publish'], {NO_COLOR: '1', OCLIF_COLUMNS: '100'})).toContain('USAGE')
    expect(await help(cli, ['primitive', 'scaffold'], {NO_COLOR: '1'})).toContain('USAGE') // not in this cache
  })

  it('on a terminal (here: another width) keeps oclif’s first rendering per key and prints it later', async () => {
    const xdg = await makeTempDir('ameide-help-xdg-')
    const tokens = ['primitive', 'publish']
    const live = await help(CLI, tokens, {NO_COLOR: '1', OCLIF_COLUMNS: '100'})
    const first = await help(CLI, tokens, {NO_COLOR: '1', OCLIF_COLUMNS: '100', XDG_CACHE_HOME: xdg})
    expect(first).toBe(live)
    const files = readdirSync(path.join(xdg, 'ameide', 'help'))
    expect(files).toHaveLength(1)
    expect(readFileSync(path.join(xdg, 'ameide', 'help', files[0]), 'utf8')).toBe(live)
    // The later call prints the kept file (a marker proves it), and another width or colour is another key.
    writeFileSync(path.join(xdg, 'ameide', 'help', files[0]), `${live}KEPT-7f3a\n`)
    expect(await help(CLI, tokens, {NO_COLOR: '1', OCLIF_COLUMNS: '100', XDG_CACHE_HOME: xdg})).toBe(
      `${live}KEPT-7f3a\n`,
    )
    const wider = await help(CLI, tokens, {NO_COLOR: '1', OCLIF_COLUMNS: '120', XDG_CACHE_HOME: xdg})
    expect(wider).toBe(await help(CLI, tokens, {NO_COLOR: '1', OCLIF_COLUMNS: '120'}))
    expect(wider).not.toContain('KEPT-7f3a')
    const coloured = await help(CLI, tokens, {FORCE_COLOR: '3', OCLIF_COLUMNS: '100', XDG_CACHE_HOME: xdg})
    expect(coloured).toBe(await help(CLI, tokens, {FORCE_COLOR: '3', OCLIF_COLUMNS: '100'}))
    expect(readdirSync(path.join(xdg, 'ameide', 'help'))).toHaveLength(3)
  })
})
