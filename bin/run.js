#!/usr/bin/env node
// Node's compile cache (Node >= 22.1) keeps V8's code for every module loaded below between runs; older runtimes
// have no such function and run without it.
import module from 'node:module'

import {PACK, load, resolve} from './hooks.js'

// Built-ins through require: an ES import of `node:fs` builds its ES facade, which reads every export, the lazy
// ReadStream and WriteStream too (they load the streams: a few ms of every start). scripts/bundle.mjs does the same.
const requireBuiltin = module.createRequire(import.meta.url)
const {writeSync} = requireBuiltin('node:fs')

module.enableCompileCache?.()

// The bundle's imports resolved from their URLs alone, and a release's modules read from their pack (bin/hooks.js). A
// Node without module.registerHooks (< 22.15) runs them in its hooks thread where there is a pack, else resolves as
// Node does.
if (module.registerHooks) module.registerHooks({resolve, load})
else if (requireBuiltin('node:fs').existsSync(PACK)) module.register?.('./hooks.js', import.meta.url)

// `ameide --version` is answered without loading oclif (it is the most frequent probe from scripts and
// agents); the output is exactly oclif's. So is `ameide <command> --help` off a terminal: oclif's own rendering,
// made at build time (scripts/render-help.mjs), is printed when oclif would print the same bytes. Everything else
// goes through oclif, from the bundle (dist/cli/, scripts/bundle.mjs): oclif and the command index in a few modules,
// each command's own code loaded only when it runs.
// A process `ameide mcp` started ahead of its next tool call (src/mcp/run-command.ts) gets its argv when the call
// comes, and whether it is to stay for the calls after it (`resident`).
const call = process.env.AMEIDE_MCP_PREFORK && process.channel ? await preforked() : {argv: process.argv.slice(2)}
const {argv} = call
// Before anything loads: on a Node older than `engines` (>= 22.12), one clear line and exit 3 — the dependencies
// would otherwise fail later with a stack trace. The same requirement as package.json's engines.node.
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 12)) {
  const message = `ameide needs Node.js 22.12 or newer (found ${process.version}). Install a current LTS (22, 24 or 26) from https://nodejs.org, or in a checkout of ameide run: eval "$(bash scripts/setup.sh)"`
  if (argv.includes('--json')) {
    const error = {
      code: 'NODE_VERSION_UNSUPPORTED',
      message,
      exitCode: 3,
      hints: ['node --version shows the Node.js on PATH'],
    }
    process.stdout.write(`${JSON.stringify({error}, null, 2)}\n`)
  }
  process.stderr.write(`Error: ${message}\n`)
  process.exit(3)
}
// oclif ends a command it does not know with 127 (its not-found plugin), the shell's "command not found".
const NOT_FOUND = 127
// `--json` promises exactly one document on stdout, whatever happens (below).
if (argv.includes('--json') && !call.resident) answerOnce()
// This entry runs the build (dist/); bin/dev.js runs the sources. Without this, oclif under NODE_ENV=test or
// development registers tsx and looks for sources beside dist/ (a warning on stderr, and slower).
globalThis.oclif = {...globalThis.oclif, enableAutoTranspile: false}
const help = argv.at(-1) === '--help' ? await cachedHelp(argv.slice(0, -1)) : undefined
// On a terminal, oclif's rendering of a first call is kept in the user's cache folder, keyed by all it depends on
// (the build, the width, colour as oclif's ansis renders it), and printed by later calls.
const terminalHelp =
  help === undefined && argv.at(-1) === '--help' ? await terminalHelpCache(argv.slice(0, -1)) : undefined
// `ameide mcp` is started by every agent session: its server starts without oclif (dist/mcp/server.js, which reads
// the manifest, never a command's code). With any other argument, or without that module, oclif runs the command.
const mcp = argv[0] === 'mcp' && argv.slice(1).every((a) => a === '--read-only') ? await mcpServer() : undefined
if (mcp !== undefined) {
  await mcp({readOnly: argv.includes('--read-only')})
} else if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  const {readFileSync} = await import('node:fs')
  const {version} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`ameide/${version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else if (help !== undefined) {
  process.stdout.write(help)
} else if (terminalHelp?.text !== undefined) {
  process.stdout.write(terminalHelp.text)
} else if (terminalHelp !== undefined) {
  // oclif renders; what it writes to stdout is kept for the next call when it succeeds.
  const chunks = []
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = (chunk, ...rest) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
    return write(chunk, ...rest)
  }
  const {execute} = await import('../dist/cli/run.js')
  await execute({dir: import.meta.url})
  process.stdout.write = write
  if (!process.exitCode) terminalHelp.store(chunks.join(''))
} else if (call.resident) {
  capYoungGeneration(16 * 1024 * 1024)
  await resident(call)
} else {
  capYoungGeneration(16 * 1024 * 1024)
  const [{execute}, options] = await Promise.all([import('../dist/cli/run.js'), loadOptions(argv)])
  await execute({loadOptions: options})
}

/**
 * V8 doubles the young generation each time a scavenge finds much of it alive, up to 64 MB, and keeps what it took:
 * a diff of a thousand renders peaked at 365 MB of memory, 240 MB with the young generation held at 16 MB, for the same
 * CPU (held from the start at 1 MB, 5–10 % more). Once it reaches `bytes`, the growth factor (a flag V8 reads at each
 * growth) is set to 1; a V8 that ignores it grows as before. Measured: docs/performance.md, "The young generation".
 */
function capYoungGeneration(bytes) {
  const {PerformanceObserver} = requireBuiltin('node:perf_hooks')
  const observer = new PerformanceObserver(() => {
    // node:v8 takes ≈ 2.5 ms to load: not before the whole heap is that large.
    if (process.memoryUsage().heapTotal < bytes) return
    const v8 = requireBuiltin('node:v8')
    const young = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')
    if (young === undefined || young.space_size < bytes) return
    v8.setFlagsFromString('--semi-space-growth-factor=1')
    observer.disconnect()
  })
  observer.observe({entryTypes: ['gc']})
}

/**
 * oclif's load options: the package root and its package.json, read here (oclif would look for both). A run of one
 * of ameide's own commands (its id in the leading words of argv, no help asked) loads none of the core plugins: they
 * add only the `help` and `autocomplete` commands and a hook for an unknown command, none of which such a run uses,
 * and finding and reading each plugin's package.json and manifest is a part of every command's start.
 */
async function loadOptions(argv) {
  const {readFileSync} = requireBuiltin('node:fs')
  const {fileURLToPath} = requireBuiltin('node:url')
  const {COMMANDS} = await import('../dist/cli/commands.js')
  const root = fileURLToPath(new URL('..', import.meta.url)).replace(/[\\/]$/, '')
  const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  const words = []
  for (const arg of argv) {
    if (arg.startsWith('-')) break
    words.push(arg)
  }
  const own = words.some((_, i) => Object.hasOwn(COMMANDS, words.slice(0, i + 1).join(':')))
  const help = argv.some((arg) => arg === '--help' || arg === '-h')
  if (own && !help) pjson.oclif = {...pjson.oclif, plugins: []}
  return {root, pjson}
}

/**
 * Started by `ameide mcp` before the call it will run: oclif loaded and, where the server asks (AMEIDE_MCP_PREFORK=
 * render, after a call that rendered), the render module started (compiled, Go's runtime initialised) while it
 * waits. The call is one IPC message, `{argv, cwd}`; a server that goes away first ends the wait.
 */
async function preforked() {
  const renders = process.env.AMEIDE_MCP_PREFORK === 'render'
  delete process.env.AMEIDE_MCP_PREFORK
  const call = new Promise((resolve) => process.once('message', resolve))
  const gone = () => process.exit(0)
  process.once('disconnect', gone)
  const run = await import('../dist/cli/run.js')
  if (renders) run.warmRenderModule?.().catch(() => undefined)
  const {argv, cwd, resident} = await call
  process.off('disconnect', gone)
  process.chdir(cwd)
  process.argv = [...process.argv.slice(0, 2), ...argv]
  return {argv, cwd, resident: resident === true}
}

/**
 * `ameide mcp`'s resident process (src/mcp/resident.ts): the GitOps readers' calls, one after another in this
 * process, each run as the CLI runs it — its stdout is the call's document, its exit code the call's — and answered
 * as one IPC message with the memory the process holds after it. What a call loaded and kept serves the next.
 */
async function resident(first) {
  // What a process that runs one command has no use for: a commit's revision kept for the next command
  // (src/gitops/revision/kept.ts).
  globalThis[Symbol.for('ameide.resident')] = true
  const {execute} = await import('../dist/cli/run.js')
  process.on('disconnect', () => process.exit(0))
  const write = process.stdout.write
  for (let call = first; ; call = await nextCall()) {
    process.chdir(call.cwd)
    process.argv = [...process.argv.slice(0, 2), ...call.argv]
    process.exitCode = undefined
    const chunks = []
    const drains = process.stdout.listeners('drain')
    process.stdout.write = (chunk, encoding, callback) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
      ;(typeof encoding === 'function' ? encoding : callback)?.()
      return true
    }
    try {
      await execute({args: call.argv, loadOptions: await loadOptions(call.argv)})
    } finally {
      process.stdout.write = write
      // oclif's flush waits for a 'drain' that a write of '' never brings: its listener would stay, one per call.
      for (const drain of process.stdout.listeners('drain'))
        if (!drains.includes(drain)) process.stdout.off('drain', drain)
    }
    const exitCode = Number(process.exitCode ?? 0)
    process.exitCode = undefined
    process.send({answer: {stdout: chunks.join(''), exitCode, rss: process.memoryUsage().rss}})
  }
}

/** The resident process's next call (a command unreferences the channel while it runs: it is waited for again). */
function nextCall() {
  process.channel.ref()
  return new Promise((resolve) => process.once('message', resolve))
}

/**
 * The MCP server's entry when the build has it as a module of its own: the bundle's (scripts/bundle.mjs), else tsc's
 * (dist/mcp/, a module per source file); else undefined.
 */
async function mcpServer() {
  for (const entry of ['../dist/cli/mcp/server.js', '../dist/mcp/server.js']) {
    try {
      return (await import(entry)).serveMcp
    } catch (error) {
      if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !error.message.includes(entry.slice(3))) throw error
    }
  }
  return undefined
}

/**
 * oclif's ansis: from node_modules beside a checkout or an npm install, else (a release tarball, which has no
 * node_modules) the bundle's own copy (scripts/bundle.mjs, release mode).
 */
async function oclifAnsis() {
  const {createRequire} = await import('node:module')
  try {
    return createRequire(import.meta.resolve('@oclif/core'))('ansis')
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error
    return (await import('../dist/cli/ansis.js')).default
  }
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
  const ansis = await oclifAnsis()
  return ansis.isSupported() ? undefined : text
}

/**
 * On a terminal (or with OCLIF_COLUMNS) for a command or topic of the build: `{text}` when oclif rendered this help
 * before under the same key, else `{store}` to keep oclif's rendering; undefined when the call is not cacheable.
 */
async function terminalHelpCache(tokens) {
  const [{readFileSync, statSync, mkdirSync, writeFileSync, renameSync}, {homedir}, path, {createHash}] =
    await Promise.all([import('node:fs'), import('node:os'), import('node:path'), import('node:crypto')])
  let stamp
  try {
    const helpFile = new URL('../dist/help.json', import.meta.url)
    const cache = JSON.parse(readFileSync(helpFile, 'utf8'))
    if (typeof cache.entries?.[tokens.join(' ')] !== 'string') return undefined // not a command or topic
    const s = statSync(helpFile)
    stamp = `${cache.version}:${s.mtimeMs}:${s.size}`
  } catch {
    return undefined
  }
  const ansis = await oclifAnsis()
  // oclif's width: OCLIF_COLUMNS, else the terminal's (80 when it reports none, at least 40).
  const width = process.stdout.isTTY ? process.stdout.getWindowSize()[0] : 'not a tty'
  // How ansis renders colour now (none, 16, 256 or true colour), as it will inside oclif.
  const colour = ansis.default.rgb(1, 2, 3).bold('x')
  const key = createHash('sha256')
    .update(JSON.stringify([stamp, process.env.OCLIF_COLUMNS ?? '', width, colour, tokens]))
    .digest('hex')
  const dir = path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'ameide', 'help')
  const file = path.join(dir, `${key}.txt`)
  try {
    return {text: readFileSync(file, 'utf8')}
  } catch {
    return {
      store(text) {
        try {
          mkdirSync(dir, {recursive: true})
          const temp = `${file}.${process.pid}.tmp`
          writeFileSync(temp, text)
          renameSync(temp, file)
        } catch {
          // a cache that cannot be written is skipped
        }
      },
    }
  }
}

/**
 * With `--json`, a run that would end without printing its document prints an error document instead: an exception
 * nothing caught (Node prints its stack on stderr and exits 1), an error before the command started (oclif's own
 * handler), or a step whose promise never settled (the event loop emptied with the command unanswered). Its code is
 * INTERNAL_ERROR: each is a bug in ameide, and stderr says what happened.
 */
function answerOnce() {
  let printed = false
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = (chunk, ...rest) => {
    if (chunk.length > 0) printed = true
    return write(chunk, ...rest)
  }
  let drained = false
  process.once('beforeExit', () => (drained = true))
  process.once('exit', (code) => {
    if (printed) return
    if (code === NOT_FOUND) return notFound()
    // Ended by a signal the caller sent (a cancelled MCP call: 143): it asked for no answer.
    if (code > 128) return
    const exitCode = [1, 2, 3, 4].includes(code) ? code : 1
    const why = drained
      ? 'a step never finished (the event loop emptied before the command answered)'
      : `it ended with exit ${code} before printing its result`
    const error = {
      code: 'INTERNAL_ERROR',
      message: `ameide did not answer: ${why}. This is a bug in ameide; stderr says what happened.`,
      exitCode,
      hints: ['run the same command again; if it repeats, report it with what stderr printed'],
    }
    writeSync(1, `${JSON.stringify({error}, null, 2)}\n`)
    process.exitCode = exitCode
  })
}

/** An unknown command with `--json`: COMMAND_NOT_FOUND, exit 127 (oclif's suggestion is on stderr). */
function notFound() {
  const command = argv.filter((a) => !a.startsWith('-')).join(' ')
  const error = {
    code: 'COMMAND_NOT_FOUND',
    message: `${command} is not an ameide command.`,
    exitCode: NOT_FOUND,
    hints: ['ameide --help lists the commands'],
  }
  writeSync(1, `${JSON.stringify({error}, null, 2)}\n`)
}
