#!/usr/bin/env node
// oclif writes commands in the order it finds them (a folder's listing, an index's order), which can differ between
// machines and between builds. Sorting the command ids makes oclif.manifest.json one byte sequence
// for one set of commands, so the freshness check (scripts/check-manifest.sh) compares content, not listing order.
import {readFileSync, writeFileSync} from 'node:fs'

const file = new URL('../oclif.manifest.json', import.meta.url)
const manifest = JSON.parse(readFileSync(file, 'utf8'))
manifest.commands = Object.fromEntries(
  Object.keys(manifest.commands)
    .sort()
    .map((id) => [id, manifest.commands[id]]),
)
writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`)
