#!/usr/bin/env node
// Renders every command's and topic's `--help` once, at build time, with oclif's own help class (by running the
// built CLI), into dist/help.json. bin/run.js answers `ameide <command> --help` from it when oclif would print the
// same bytes: no colour (ansis decides, as for oclif) and the default width (no TTY, no OCLIF_COLUMNS). Loading and
// rendering oclif's help costs ≈ 2× node's own start-up; the cached answer costs a file read.
// test/cli/help-cache.test.ts checks every entry against oclif's live rendering.
import {execFileSync} from 'node:child_process'
import {readFileSync, rmSync, writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

const root = new URL('../', import.meta.url)
const out = new URL('dist/help.json', root)
const cli = fileURLToPath(new URL('bin/run.js', root))
const manifest = JSON.parse(readFileSync(new URL('oclif.manifest.json', root), 'utf8'))
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'))

rmSync(out, {force: true}) // render through oclif, never through an older cache
const env = {...process.env, NO_COLOR: '1', OCLIF_COLUMNS: '80'}
delete env.FORCE_COLOR
const ids = [
  ...Object.keys(manifest.commands),
  ...Object.keys(pkg.oclif.topics ?? {}).map((t) => t.replaceAll(' ', ':')),
]
const entries = {}
for (const id of [...new Set(ids)].sort()) {
  const tokens = id.split(':')
  entries[tokens.join(' ')] = execFileSync(process.execPath, [cli, ...tokens, '--help'], {env, encoding: 'utf8'})
}
writeFileSync(out, `${JSON.stringify({version: pkg.version, entries}, null, 2)}\n`)
