#!/usr/bin/env node
// The Node floor of a scan: one Node process that walks the same tree and reads every file (with --yaml, also
// parses every .yaml/.yml file with the `yaml` package, as gitops verify must). What a verify costs above it is the
// checks' own work. Usage: node bench/node-floor.mjs <dir> [--yaml]; prints the file count.
import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'

const [dir, ...flags] = process.argv.slice(2)
const yaml = flags.includes('--yaml') ? await import('yaml') : undefined
let files = 0
for (const entry of readdirSync(dir, {recursive: true, withFileTypes: true})) {
  if (!entry.isFile()) continue
  const file = path.join(entry.parentPath, entry.name)
  const text = readFileSync(file, 'utf8')
  if (yaml && /\.ya?ml$/.test(entry.name)) yaml.parseAllDocuments(text)
  files++
}
console.log(files)
