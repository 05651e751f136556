#!/usr/bin/env node
// Bundles the CLI's start path with esbuild into dist/cli/ (run by `npm run build`, after tsc):
// - run.js: oclif's `execute`, with @oclif/core inside (one module to link instead of ~100 resolved one by one);
// - commands.js: the explicit command index oclif loads (package.json oclif.commands, strategy `explicit`),
//   generated here from src/commands/** — a new command file needs no other edit. Each entry is a stand-in
//   (src/core/lazy-command.ts) that imports its command's module when it runs, so a command loads only what it uses;
//   with AMEIDE_EAGER_COMMANDS=1 (`npm run manifest`) the index holds the real classes for `oclif manifest`;
// - oclif.js: @oclif/core's exports as an ES module, the one copy of oclif the commands import;
// - workers/<name>.js: the worker threads' entry points (src/core/package-root.ts `workerEntry` finds them);
// - mcp/server.js: `ameide mcp`'s server (bin/run.js starts it without oclif), built on its own as the commands are;
// - commands/<id>.js: each of this CLI's commands, built on its own (esbuild run once per command, oclif left to
//   oclif.js): its static imports in that one module, what it imports later in chunks of its own. One build for all
//   commands split what they share into one chunk per set of sharing commands — 45 modules on `primitive verify`'s
//   start, each ≈ 1 ms of Node's module loading; a build per command loads one (docs/performance.md, the fixed cost).
//   No state crosses commands (one command runs per process); what the start path shares with a command — the render
//   module `ameide mcp`'s next process warms ahead — is kept process-wide by its module (src/effects/render-module/host.ts).
// Code splitting puts what several entries of one build share in content-named chunks. Packages stay bundled except
// those the code loads through require() at run time (typescript).
//
// With AMEIDE_BUNDLE_RELEASE=1 (scripts/release.mjs) the bundle is the release tarball's, written to
// AMEIDE_BUNDLE_OUTDIR: oclif's plugins are inside it too (their commands in the index, the not-found hook and
// ansis as entries of their own: the tarball has no node_modules), and module paths are kept as the checkout names
// them (preserveSymlinks) so that the output does not depend on where node_modules really lives.
import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {builtinModules, createRequire} from 'node:module'
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import * as esbuild from 'esbuild'

import {commandFiles} from './command-index.mjs'
import {bundledPackages} from './notices.mjs'
import {packModules} from './release/module-pack.mjs'

const root = fileURLToPath(new URL('../', import.meta.url))
const BUNDLE_DIR = 'dist/cli'
const release = process.env.AMEIDE_BUNDLE_RELEASE === '1'
const outdir = release ? path.resolve(process.env.AMEIDE_BUNDLE_OUTDIR ?? '') : path.join(root, BUNDLE_DIR)
if (release && !process.env.AMEIDE_BUNDLE_OUTDIR) throw new Error('AMEIDE_BUNDLE_RELEASE=1 needs AMEIDE_BUNDLE_OUTDIR')

const moduleDir = (name) => path.join(root, 'node_modules', name)
/** The commands of oclif's plugins (package.json oclif.plugins), as the release bundle indexes them. */
const PLUGIN_COMMANDS = {
  autocomplete: '@oclif/plugin-autocomplete/lib/commands/autocomplete/index.js',
  'autocomplete:create': '@oclif/plugin-autocomplete/lib/commands/autocomplete/create.js',
  'autocomplete:script': '@oclif/plugin-autocomplete/lib/commands/autocomplete/script.js',
  help: '@oclif/plugin-help/lib/commands/help.js',
}

/** This CLI's own commands, each with the module its build writes (`commands/<id, : as ->.js`, under dist/cli/). */
const ownCommands = commandFiles(path.join(root, 'src/commands')).map((c) => ({
  ...c,
  out: `commands/${c.id.replaceAll(':', '-')}`,
}))

function commandIndex() {
  // An own command's module is its own build's (imported as it is, external here); a plugin's is bundled.
  const files = ownCommands.map(({id, out}) => ({id, file: `./${out}.js`}))
  if (release) {
    for (const [id, file] of Object.entries(PLUGIN_COMMANDS))
      files.push({id, file: path.join(root, 'node_modules', file)})
    files.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  }
  const loaders = files
    .map(({id, file}) => `  ${JSON.stringify(id)}: () => import(${JSON.stringify(file)}),`)
    .join('\n')
  return [
    `import {eagerCommands, lazyCommand} from ${JSON.stringify(path.join(root, 'src/core/lazy-command.ts'))}`,
    `const loaders = {\n${loaders}\n}`,
    'export const COMMANDS =',
    "  process.env.AMEIDE_EAGER_COMMANDS === '1'",
    '    ? await eagerCommands(loaders)',
    '    : Object.fromEntries(Object.entries(loaders).map(([id, load]) => [id, lazyCommand(load)]))',
    '',
  ].join('\n')
}

const virtualEntries = {
  // warmRenderModule: `ameide mcp`'s process started ahead of a call (bin/run.js) starts the one render module the
  // commands' chunks share.
  run: [
    "export {execute} from '@oclif/core/execute'",
    `export const warmRenderModule = () => import(${JSON.stringify(path.join(root, 'src/effects/render-module/host.ts'))}).then((m) => m.sharedRenderModule()?.warm())`,
    '',
  ].join('\n'),
  commands: commandIndex(),
  // @oclif/core's exports (read from the package at build time), for the commands' builds (oclifShared).
  oclif: `import * as core from '@oclif/core'\nexport const {${Object.keys(createRequire(import.meta.url)('@oclif/core')).join(', ')}} = core\n`,
  ...(release && {
    'not-found': `export {default} from ${JSON.stringify(path.join(moduleDir('@oclif/plugin-not-found'), 'lib/index.js'))}\n`,
    // bin/run.js asks oclif's ansis how colour renders; without node_modules it imports this entry.
    ansis: {contents: "import ansis from 'ansis'\nexport default ansis\n", resolveDir: moduleDir('@oclif/core')},
  }),
}

// The index's imports of the commands' own modules (./commands/<id>.js, their own builds) stay as they are.
const commandModules = {
  name: 'command-modules',
  setup(build) {
    build.onResolve({filter: /^\.\/commands\//}, (args) =>
      args.namespace === 'ameide-entry' ? {path: args.path, external: true} : undefined,
    )
  },
}

const virtual = {
  name: 'ameide-entries',
  setup(build) {
    build.onResolve({filter: /^ameide-entry:/}, (args) => ({
      path: args.path.slice('ameide-entry:'.length),
      namespace: 'ameide-entry',
    }))
    build.onLoad({filter: /.*/, namespace: 'ameide-entry'}, (args) => {
      const entry = virtualEntries[args.path]
      return typeof entry === 'string'
        ? {contents: entry, loader: 'js', resolveDir: root}
        : {contents: entry.contents, loader: 'js', resolveDir: entry.resolveDir}
    })
  },
}

// oclif's CommonJS modules require every package they might use when they load (tinyglobby for a command
// discovery strategy this CLI does not use, ejs, minimatch, semver…): in the bundle each such require is made lazy,
// evaluated at the first use of what it exports. oclif's check of its own `engines` at load (semver, ≈ 25 ms) is
// dropped: bin/run.js checks the runtime this CLI needs.
// Two more of oclif's costs at every start, each edited where oclif has it (the build stops if oclif's code moved):
// - its plugin sorts the commands with `localeCompare`, whose first call initialises ICU's collator (≈ 5 ms): the
//   order localeCompare gives this CLI's own command ids is computed here, when the bundle is built, and any other id
//   (a plugin's) is still compared by localeCompare — the same order;
// - its platform check imports wsl-utils for one export, is-wsl's answer (wsl-utils re-exports it), and with it
//   PowerShell's helpers and child_process: is-wsl is imported itself.
const commandOrder = [
  ...commandFiles(path.join(root, 'src/commands')).map((c) => c.id),
  ...Object.keys(PLUGIN_COMMANDS),
]
  .sort((a, b) => a.localeCompare(b))
  .map((id, i) => [id, i])
const OCLIF_EDITS = [
  [
    'config/plugin.js',
    '.sort((a, b) => a.id.localeCompare(b.id));',
    '.sort(__ameideCommandOrder);',
    `
const __ameideOrder = new Map(${JSON.stringify(commandOrder)});
function __ameideCommandOrder(a, b) {
  const [x, y] = [__ameideOrder.get(a.id), __ameideOrder.get(b.id)];
  return x !== undefined && y !== undefined ? x - y : a.id.localeCompare(b.id);
}
`,
  ],
  ['util/os.js', "(await import('wsl-utils')).isWsl", "(await import('is-wsl')).default", ''],
]
// Of the built-ins oclif requires at load, these two are used only by what this CLI's start path never calls (the
// shell's name, a prompt): loaded lazily too, like the packages (node:child_process ≈ 6 ms, node:readline ≈ 4 ms).
const LAZY_BUILTINS = new Set(['node:child_process', 'node:readline'])
const LAZY_REQUIRE = /^const (\w+) = (__importDefault\()?require\("([^".][^"]*)"\)(\)?);$/gm
const LAZY_HELPER = `
function __ameideLazy(load) {
  let value
  const get = () => (value ??= load())
  return new Proxy({}, {get: (_, key) => get()[key], has: (_, key) => key in get()})
}
`
const oclifLazy = {
  name: 'oclif-lazy-requires',
  setup(build) {
    build.onLoad({filter: /[\\/]node_modules[\\/]@oclif[\\/]core[\\/]lib[\\/].*\.js$/}, async (args) => {
      let text = await readFile(args.path, 'utf8')
      if (/[\\/]lib[\\/]index\.js$/.test(args.path)) {
        if (!/^checkNodeVersion\(\);$/m.test(text))
          throw new Error(`oclif's checkNodeVersion() call moved: ${args.path}`)
        text = text.replace(/^checkNodeVersion\(\);$/m, '')
      }
      for (const [file, from, to, appended] of OCLIF_EDITS) {
        if (!args.path.endsWith(path.join('lib', file))) continue
        if (!text.includes(from)) throw new Error(`oclif's ${file} changed: review scripts/bundle.mjs OCLIF_EDITS`)
        text = text.replace(from, to) + appended
      }
      let lazy = false
      text = text.replace(LAZY_REQUIRE, (line, name, wrap, pkg, close) => {
        if (pkg.startsWith('node:') && !LAZY_BUILTINS.has(pkg)) return line
        lazy = true
        return `const ${name} = __ameideLazy(() => ${wrap ?? ''}require(${JSON.stringify(pkg)})${close});`
      })
      return {contents: lazy ? text + LAZY_HELPER : text, loader: 'js'}
    })
  },
}

// A CommonJS package loaded with import() (yaml, ajv, saxes) becomes, with code splitting, a chunk that exports
// only `default`; Node's own import() also gives its named exports. Such an import() goes through a facade that
// names them (read from the package at build time), so the code sees what it sees without the bundle.
const requireHere = createRequire(import.meta.url)
const cjsFacades = {
  name: 'cjs-dynamic-import-facades',
  setup(build) {
    build.onResolve({filter: /^[^./]/}, async (args) => {
      if (args.kind !== 'dynamic-import' || args.pluginData === 'facade') return undefined
      const real = await build.resolve(args.path, {
        kind: 'import-statement',
        resolveDir: args.resolveDir,
        pluginData: 'facade',
      })
      if (real.errors.length > 0 || real.external || !isCommonJs(real.path)) return undefined
      // The facade is named from node_modules/ on (esbuild writes the name into the output): not where the checkout is.
      const at = real.path.split(path.sep).indexOf('node_modules')
      const name = at < 0 ? path.relative(root, real.path) : real.path.split(path.sep).slice(at).join('/')
      return {path: name, namespace: 'cjs-facade', pluginData: real.path}
    })
    build.onLoad({filter: /.*/, namespace: 'cjs-facade'}, ({pluginData: file}) => {
      const names = Object.keys(requireHere(file)).filter((n) => n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n))
      return {
        contents: `const m = require(${JSON.stringify(file)})\nexport default m\nexport const {${names.join(', ')}} = m\n`,
        loader: 'js',
        resolveDir: path.dirname(file),
      }
    })
  },
}

// An ES import of a Node built-in makes Node build the module's ES facade, which reads every export, lazy ones too
// (`node:fs`'s ReadStream and WriteStream load the streams: a few ms of every start). After the build, each output's
// imports of built-ins become `const … = require(…)` at its top (the banner's require; a built-in's import is hoisted
// anyway): a built-in's exports are read where the code uses them, and no module of the bundle stands for a built-in
// (each module loaded costs ≈ 1 ms of start). esbuild writes each import statement at the start of a line, as
// `import … from "…";` (its output indents anything nested, and a line of a string never holds such a statement in
// what this bundle holds: bundle.test.ts checks no such import is left).
const BUILTINS = new Set(builtinModules)
const IMPORT = /import\s+(?:([\w$]+)\s*,?\s*)?(?:\*\s+as\s+([\w$]+)|\{([^}]*)\})?\s*(?:from\s+)?"([^"]+)";\n/y

/** `file`'s imports of built-ins as requires at its top; the other imports kept where they are. */
function requireBuiltins(file) {
  const text = readFileSync(file, 'utf8')
  const bannerEnd = text.indexOf('\n', text.indexOf('\n') + 1) + 1
  const cuts = []
  const required = []
  for (const line of text.matchAll(/^import\b/gm)) {
    IMPORT.lastIndex = line.index
    const m = IMPORT.exec(text)
    if (m === null || line.index < bannerEnd) continue
    const [statement, name, namespace, names, from] = m
    if (!BUILTINS.has(from.replace(/^node:/, ''))) continue
    cuts.push([line.index, line.index + statement.length])
    required.push(...requires(name, namespace, names, from))
  }
  if (cuts.length === 0) return
  let out = text.slice(0, bannerEnd) + required.join('')
  let from = bannerEnd
  for (const [a, b] of cuts) [out, from] = [out + text.slice(from, a), b]
  writeFileSync(file, out + text.slice(from))
}

/** The requires of one import statement: `import d, {a, b as c} from "x"` → `const d = …; const {a, b: c} = …`. */
function requires(name, namespace, names, from) {
  const load = `require(${JSON.stringify(from)})`
  const bindings = (names ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean)
    .map((n) => n.split(/\s+as\s+/))
  const whole = [name, namespace, ...bindings.filter(([n]) => n === 'default').map(([, as]) => as)].filter(Boolean)
  const parts = bindings.filter(([n]) => n !== 'default').map(([n, as]) => (as ? `${n}: ${as}` : n))
  const out = whole.map((w) => `const ${w} = ${load};\n`)
  if (parts.length > 0) out.push(`const {${parts.join(', ')}} = ${load};\n`)
  if (out.length === 0) out.push(`${load};\n`)
  return out
}

/** A .cjs file, or a .js file whose nearest package.json does not say `"type": "module"`. */
function isCommonJs(file) {
  if (file.endsWith('.cjs')) return true
  if (!file.endsWith('.js')) return false
  // The AWS SDK's packages (@smithy/*) ship their ES modules under dist-es/ without `"type": "module"`.
  if (file.split(path.sep).includes('dist-es')) return false
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).type !== 'module'
    } catch {
      // no package.json here
    }
  }
  return true
}

/** What every build of the bundle shares. */
const common = {
  absWorkingDir: root,
  preserveSymlinks: release,
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  chunkNames: 'chunks/[name]-[hash]',
  external: ['typescript'],
  // Bundled CommonJS packages (oclif) call require(): give every chunk one, bound to its own URL.
  banner: {
    js: "import {createRequire as __ameideRequire} from 'node:module'\nconst require = __ameideRequire(import.meta.url)",
  },
  define: {AMEIDE_BUNDLE_DIR: JSON.stringify(BUNDLE_DIR)},
  metafile: true,
  // Written below, once every build has finished (writeOutputs).
  write: false,
  legalComments: 'none',
  // The release's bundle without whitespace and with shorter syntax (names kept): 13.3 MB to 9.7 MB, which npm writes
  // three times while installing it (bench/install.mjs).
  ...(release && {minifyWhitespace: true, minifySyntax: true}),
  logLevel: 'warning',
}

// A command's build imports oclif from the start path's copy, oclif.js (dist/cli/oclif.js: commands/ and chunks/
// are both one folder below it): one Command class, one parser, one config for the process.
const oclifShared = {
  name: 'oclif-shared',
  setup(build) {
    build.onResolve({filter: /^@oclif\/core(\/|$)/}, (args) => {
      if (args.path !== '@oclif/core') throw new Error(`${args.importer}: import @oclif/core itself, not ${args.path}`)
      return {path: '../oclif.js', external: true}
    })
  },
}

/** The commands built together: GROUPS names them (env AMEIDE_BUNDLE_GROUPS for experiments), else each alone. */
const GROUPS = (process.env.AMEIDE_BUNDLE_GROUPS ?? '').split(',').filter(Boolean)
function buildGroup(id) {
  return GROUPS.find((g) => g.split('|').some((p) => id === p || id.startsWith(`${p}:`))) ?? id
}

rmSync(outdir, {recursive: true, force: true})
const builds = await Promise.all([
  esbuild.build({
    ...common,
    entryPoints: {
      run: 'ameide-entry:run',
      commands: 'ameide-entry:commands',
      oclif: 'ameide-entry:oclif',
      'workers/verify': 'src/verify/worker.ts',
      'workers/gitops-verify': 'src/gitops/verify/worker.ts',
      'workers/gotemplate': 'src/effects/gotemplate/worker.ts',
      'workers/render-module': 'src/effects/render-module/worker.ts',
      ...(release && {'not-found': 'ameide-entry:not-found', ansis: 'ameide-entry:ansis'}),
    },
    plugins: [commandModules, virtual, oclifLazy, cjsFacades],
  }),
  // `ameide mcp`'s server, started without oclif by bin/run.js: one module instead of tsc's ≈ 250 (SDK, ajv, zod).
  esbuild.build({...common, entryPoints: {'mcp/server': 'src/mcp/server.ts'}, plugins: [oclifShared, cjsFacades]}),
  ...Object.values(Object.groupBy(ownCommands, (c) => buildGroup(c.id))).map((group) =>
    esbuild.build({
      ...common,
      entryPoints: Object.fromEntries(group.map(({file, out}) => [out, file])),
      plugins: [oclifShared, cjsFacades],
    }),
  ),
])
writeOutputs(builds)
for (const build of builds) for (const out of Object.keys(build.metafile.outputs)) requireBuiltins(path.join(root, out))
const result = {
  metafile: {
    inputs: Object.assign({}, ...builds.map((b) => b.metafile.inputs)),
    outputs: Object.assign({}, ...builds.map((b) => b.metafile.outputs)),
  },
}
// The npm packages the bundle holds, for the third-party notices (scripts/notices.mjs): beside the bundle's folder.
const packages = bundledPackages(Object.keys(result.metafile.inputs))
writeFileSync(path.join(outdir, '..', 'bundle-packages.json'), `${JSON.stringify(packages, null, 2)}\n`)
if (release) {
  // The release's modules in one file (npm installs one file much faster than 300): scripts/release/module-pack.mjs.
  packModules(outdir, result.metafile.outputs, path.relative(root, outdir))
  process.exit(0)
}
// Which chunk holds which source, for the tests that check what a command loads (not shipped: see package.json files).
const inputs = Object.fromEntries(
  Object.entries(result.metafile.outputs).map(([out, o]) => [
    path.relative(BUNDLE_DIR, out),
    {
      imports: o.imports
        .filter((i) => !i.external || i.path.startsWith('.'))
        .map((i) => ({
          path: i.external
            ? path.join(path.dirname(path.relative(BUNDLE_DIR, out)), i.path)
            : path.relative(BUNDLE_DIR, i.path),
          kind: i.kind,
        })),
      inputs: Object.keys(o.inputs).sort(),
    },
  ]),
)
writeFileSync(path.join(root, 'dist/bundle-meta.json'), `${JSON.stringify(inputs, null, 2)}\n`)

/**
 * The builds' files written in the order the builds are listed, after all have finished. Two builds may emit a chunk
 * under one name (esbuild's hash is of what it holds) whose side-effect imports of its neighbours come in another
 * order; written as each build finished, which one a run kept depended on the race, and two releases of the same
 * sources could differ. Now the later build's is kept in every run: the same bytes in any folder, on any machine.
 */
function writeOutputs(done) {
  for (const build of done) {
    for (const file of build.outputFiles) {
      mkdirSync(path.dirname(file.path), {recursive: true})
      writeFileSync(file.path, file.contents)
    }
  }
}
