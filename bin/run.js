#!/usr/bin/env node
// `ameide --version` is answered without loading oclif (it is the most frequent probe from scripts and
// agents); the output is exactly oclif's. So is `ameide <command> --help` off a terminal: oclif's own rendering,
// made at build time (scripts/render-help.mjs), is printed when oclif would print the same bytes. Everything else
// goes through oclif.
const argv = process.argv.slice(2)
const help = argv.at(-1) === '--help' ? await cachedHelp(argv.slice(0, -1)) : undefined
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  const {readFileSync} = await import('node:fs')
  const {version} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`ameide/${version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else if (help !== undefined) {
  process.stdout.write(help)
} else {
  const {execute} = await import('@oclif/core/execute')
  await execute({dir: import.meta.url})
}

/** The build-time rendering of `<tokens> --help`, when it is what oclif would print now; else undefined. */
async function cachedHelp(tokens) {
  // oclif wraps to the terminal's width (80 off a TTY) unless OCLIF_COLUMNS says otherwise.
  if (process.stdout.isTTY || process.env.OCLIF_COLUMNS) return undefined
  const {readFileSync} = await import('node:fs')
  let cache
  try {
    cache = JSON.parse(readFileSync(new URL('../dist/help.json', import.meta.url), 'utf8'))
  } catch {
    return undefined // dev checkout without a build, or a build without the cache: oclif renders
  }
  const text = cache.entries?.[tokens.join(' ')]
  if (typeof text !== 'string') return undefined
  // Colour is decided by ansis (CI, FORCE_COLOR, COLORTERM, NO_COLOR…): ask oclif's own copy, not a re-implementation.
  const {createRequire} = await import('node:module')
  const ansis = createRequire(import.meta.resolve('@oclif/core'))('ansis')
  return ansis.isSupported() ? undefined : text
}
