#!/usr/bin/env node
// `ameide --version` is answered without loading oclif (it is the most frequent probe from scripts and
// agents); the output is exactly oclif's. Everything else goes through oclif.
const argv = process.argv.slice(2)
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  const {readFileSync} = await import('node:fs')
  const {version} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`ameide/${version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else {
  const {execute} = await import('@oclif/core/execute')
  await execute({dir: import.meta.url})
}
