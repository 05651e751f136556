#!/usr/bin/env node
// Development entry: runs the TypeScript sources in src/ without a build, through tsx. The built CLI finds its
// commands through the bundle's generated index (package.json oclif.commands, scripts/bundle.mjs); here oclif looks
// for them in src/commands/ itself, so a checkout runs before any build.
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {register} from 'tsx/esm/api'

register()
const root = fileURLToPath(new URL('..', import.meta.url))
const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
pjson.oclif = {...pjson.oclif, commands: './src/commands'}
const {execute} = await import('@oclif/core')
await execute({development: true, dir: import.meta.url, loadOptions: {root, pjson}})
