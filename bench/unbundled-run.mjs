#!/usr/bin/env node
// The start path before the bundle, for comparison in bench/startup: oclif from node_modules finding the commands in
// tsc's dist/commands/ (pattern discovery), no compile cache. Same commands, same manifest.
// Usage: node bench/unbundled-run.mjs <ameide args…>
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
pjson.oclif = {...pjson.oclif, commands: './dist/commands'}
const {execute} = await import('@oclif/core/execute')
await execute({dir: import.meta.url, loadOptions: {root, pjson}})
