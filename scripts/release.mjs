#!/usr/bin/env node
// `npm run release`: the build, then the release tarballs under release/ and release.json at the root.
//
// release/ameide-<version>.tgz is the CLI: bin/run.js; the bundle of the CLI with every runtime dependency inside,
// oclif's plugins included (scripts/bundle.mjs with AMEIDE_BUNDLE_RELEASE=1); the TypeScript compiler the imports
// check requires, minified into dist/vendor/typescript.cjs; the template engine; the render module's records;
// templates, schemas, help and the manifest (the plugins' commands merged in); a package.json without dependencies
// or scripts, whose optionalDependencies are the render packages (scripts/release/packages.mjs: the native helper of
// each platform, the WebAssembly module elsewhere), released beside it as release/ameide-render-<what>-<version>.tgz:
// installing it fetches only the one that applies and runs nothing. dist/release.json inside it is the stamp
// `ameide doctor` reports.
//
// It is reproducible (scripts/release/tar.mjs): the same sources and the same Node.js give the same bytes in any
// folder, so release.json's sha256 is a property of the sources it names (`sources`, scripts/release/source.mjs).
// The release commit commits release.json; .github/workflows/release.yml rebuilds on the tag and fails unless the
// digests agree; the Action installs the release when release.json describes the Action's own sources.
//
//   npm run release                  build, then write the tarball and release.json
//   npm run release -- --skip-build  package the build already in dist/
//   npm run release -- --allow-dirty sources differ from git's index (development; release.json says "dirty": true)
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import * as esbuild from 'esbuild'

import {sourceDigest, sourceFiles, SOURCE_PATHS} from './release/source.mjs'
import {noticesText} from './notices.mjs'
import {optionalDependencies, renderPackages} from './release/packages.mjs'
import {deterministicGzip, deterministicTgz} from './release/tar.mjs'

const root = fileURLToPath(new URL('../', import.meta.url))
const args = new Set(process.argv.slice(2))
const run = (cmd, argv, env = {}) =>
  execFileSync(cmd, argv, {cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: {...process.env, ...env}})
const git = (...argv) => execFileSync('git', argv, {cwd: root, encoding: 'utf8'})

const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'))

// 1. What it is built from: the files under SOURCE_PATHS, which must be exactly git's (no untracked or changed file).
const files = sourceFiles(root)
const tracked = git('ls-files', '-z', '--', ...SOURCE_PATHS)
  .split('\0')
  .filter(Boolean)
  .sort()
const changed = git('status', '--porcelain', '--', ...SOURCE_PATHS).trim()
const untracked = files.filter((f) => !tracked.includes(f))
const dirty = changed !== '' || untracked.length > 0
if (dirty && !args.has('--allow-dirty')) {
  console.error(`release: the sources differ from git's (commit them, or --allow-dirty):\n${changed}`)
  for (const f of untracked) console.error(`?? ${f}`)
  process.exit(1)
}

// 2. The build, ending with the template engine.
if (!args.has('--skip-build'))
  run('npm', ['run', 'build', '--silent'], {
    AMEIDE_REQUIRE_ENGINE: '1',
    AMEIDE_REQUIRE_RENDER_MODULE: '1',
    AMEIDE_REQUIRE_NATIVE: '1',
    AMEIDE_NATIVE_ARCHS: 'x64,arm64',
  })
// The stamp's format is doctor's (src/doctor/release.ts), as the build compiled it.
const {contentsDigest, RELEASE_STAMP} = await import('../dist/doctor/release.js')

// 3. The package's files.
const stage = mkdtempSync(path.join(tmpdir(), 'ameide-release-'))
const entries = new Map()
const add = (rel, data, executable = false) => entries.set(rel, {data, executable})
/** Both helpers of the build's record, each file's sha256 the recorded one; else the release fails. */
function nativeHelpers() {
  const record = JSON.parse(readFileSync(path.join(root, 'dist/render-module/native.json'), 'utf8'))
  for (const platform of ['linux-x64', 'linux-arm64']) {
    const helper = record.helpers[platform]
    const bytes = helper && readFileSync(path.join(root, 'dist/render-module', helper.file))
    if (!bytes || createHash('sha256').update(bytes).digest('hex') !== helper.sha256)
      throw new Error(`release: the ${platform} native helper is missing or not the one native.json records`)
  }
  return record.helpers
}
const addFile = (rel, from = rel) => add(rel, readFileSync(path.join(root, from)), rel === 'bin/run.js')
let renderNotices
const walk = (dir, rel = '') =>
  readdirSync(path.join(dir, rel)).flatMap((e) =>
    statSync(path.join(dir, rel, e)).isDirectory() ? walk(dir, `${rel}${e}/`) : [`${rel}${e}`],
  )
try {
  run('node', ['scripts/bundle.mjs'], {AMEIDE_BUNDLE_RELEASE: '1', AMEIDE_BUNDLE_OUTDIR: path.join(stage, 'cli')})
  for (const f of walk(path.join(stage, 'cli'))) add(`dist/cli/${f}`, readFileSync(path.join(stage, 'cli', f)))
  // The notices of what this bundle holds and the WebAssembly programs link (scripts/notices.mjs).
  const bundled = JSON.parse(readFileSync(path.join(stage, 'bundle-packages.json'), 'utf8'))
  add('THIRD-PARTY-NOTICES.txt', Buffer.from(noticesText(bundled)))
  renderNotices = noticesText([])
} finally {
  rmSync(stage, {recursive: true, force: true})
}
addFile('bin/run.js')
addFile('bin/hooks.js')
for (const f of tracked.filter((f) => /^(templates|schemas)\//.test(f))) addFile(f)
for (const f of ['dist/help.json', 'dist/core/config-validate.js']) addFile(f)
// The template engine's WebAssembly module is in the WebAssembly render packages (the native helper links the engine).
for (const f of ['wasm_exec.js', 'engine.json']) addFile(`dist/engine/${f}`)
// The render module (Helm, kustomize and go-jsonnet as WebAssembly, 46 MB) gzipped (10 MB) — npm inflates a tarball's
// contents three times while installing it; the first render unzips it once into the user's cache
// (src/effects/render-module/bytes.ts) — and the native render helpers (scripts/build-native.mjs) are not in this
// package: each is a render package of its own (scripts/release/packages.mjs), which npm installs only where it
// applies. This package keeps their records, the sha256 the host checks each against before it uses one.
const renderWasmGz = deterministicGzip(readFileSync(path.join(root, 'dist/render-module/render.wasm')))
for (const f of ['wasm_exec.js', 'render-module.json', 'native.json']) addFile(`dist/render-module/${f}`)
const native = nativeHelpers()
// What the gate knows of Kubernetes: the API table, each minor's fields, the CRD catalog (scripts/kube-openapi.mjs,
// scripts/crd-catalog.mjs, scripts/kubernetes-apis.mjs).
for (const f of ['apis.json', 'crd-catalog.json', 'openapi-fields.json']) addFile(`dist/kubernetes/${f}`)
addFile('README.md')
addFile('LICENSE')
addFile('NOTICE')

// The TypeScript compiler (src/verify/imports/typescript-parser.ts requires it), minified: one CommonJS file.
const typescript = path.join(root, 'node_modules/typescript')
const {outputFiles} = await esbuild.build({
  entryPoints: [path.join(typescript, 'lib/typescript.js')],
  bundle: false,
  minify: true,
  format: 'cjs',
  platform: 'node',
  target: 'node22',
  legalComments: 'none',
  write: false,
  outfile: 'typescript.cjs',
  logLevel: 'warning',
})
const tsVersion = JSON.parse(readFileSync(path.join(typescript, 'package.json'), 'utf8')).version
add(
  'dist/vendor/typescript.cjs',
  Buffer.concat([
    Buffer.from(`/*! TypeScript ${tsVersion} (Apache-2.0, see typescript.LICENSE.txt), minified for ameide */\n`),
    Buffer.from(outputFiles[0].contents),
  ]),
)
add('dist/vendor/typescript.LICENSE.txt', readFileSync(path.join(typescript, 'LICENSE.txt')))

// Every file package.json's "files" names is in the tarball, or in a render package, or made again for it.
const elsewhere = {
  'dist/cli': 'the release bundle',
  'dist/engine/gotemplate.wasm': 'the WebAssembly render packages',
  'dist/render-module/render.wasm': 'the WebAssembly render packages',
  'dist/render-module/native/render-native-linux-x64': '@ameide/render-linux-x64',
  'dist/render-module/native/render-native-linux-arm64': '@ameide/render-linux-arm64',
  'dist/THIRD-PARTY-NOTICES.txt': 'THIRD-PARTY-NOTICES.txt',
  'oclif.manifest.json': 'the manifest with the plugins',
}
const left = pkg.files.filter(
  (f) => !elsewhere[f] && ![...entries.keys()].some((e) => e === f || e.startsWith(`${f}/`)),
)
if (left.length > 0) throw new Error(`release: package.json's files not in the release: ${left.join(', ')}`)

// The manifest, with the commands of the plugins the bundle now holds (their package.json no longer lists them).
const manifest = JSON.parse(readFileSync(path.join(root, 'oclif.manifest.json'), 'utf8'))
for (const plugin of pkg.oclif.plugins ?? []) {
  const theirs = JSON.parse(readFileSync(path.join(root, 'node_modules', plugin, 'oclif.manifest.json'), 'utf8'))
  for (const [id, command] of Object.entries(theirs.commands)) {
    const {relativePath: _, ...rest} = command
    manifest.commands[id] = {...rest, pluginAlias: pkg.name, pluginName: pkg.name, pluginType: 'core'}
  }
}
// Every command the manifest lists must be one the release bundle's index can load (scripts/bundle.mjs PLUGIN_COMMANDS).
const index = entries.get('dist/cli/commands.js').data.toString('utf8')
// A key of the index, quoted or (minified, a plain name) not.
const indexed = (id) => new RegExp(`(${JSON.stringify(id)}|[{,\\s]${id.replace(/[^\w$]/g, '\\$&')}) ?:`).test(index)
const unindexed = Object.keys(manifest.commands).filter((id) => !indexed(id))
if (unindexed.length > 0) throw new Error(`release: commands of the manifest not in the bundle's index: ${unindexed}`)
manifest.commands = Object.fromEntries(
  Object.keys(manifest.commands)
    .sort()
    .map((id) => [id, manifest.commands[id]]),
)
add('oclif.manifest.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`))

// package.json: nothing to run on install, nothing to install but the render package npm finds for the machine; the
// not-found hook from the bundle.
const modulesGz = {
  'render.wasm.gz': renderWasmGz,
  'gotemplate.wasm.gz': deterministicGzip(readFileSync(path.join(root, 'dist/engine/gotemplate.wasm'))),
}
const packages = renderPackages({root, pkg, helpers: native, modulesGz, notices: renderNotices})
const {plugins: _plugins, ...oclif} = pkg.oclif
const manifestOut = {
  name: pkg.name,
  version: pkg.version,
  description: pkg.description,
  type: pkg.type,
  license: pkg.license,
  engines: pkg.engines,
  bin: pkg.bin,
  optionalDependencies: optionalDependencies(packages, pkg.version),
  oclif: {...oclif, hooks: {...oclif.hooks, command_not_found: './dist/cli/not-found.js'}},
}
add('package.json', Buffer.from(`${JSON.stringify(manifestOut, null, 2)}\n`))

const sources = {digest: sourceDigest(root, files), paths: SOURCE_PATHS, files: files.length, ...(dirty && {dirty})}
const node = process.versions.node
// The stamp: what this copy is (doctor reads it and checks the other files against `contents`).
const stamp = {
  version: pkg.version,
  origin: 'release',
  sources: sources.digest,
  node,
  contents: contentsDigest([...entries].map(([rel, {data}]) => [rel, data])),
}
add(RELEASE_STAMP, Buffer.from(`${JSON.stringify(stamp, null, 2)}\n`))

// 4. The tarballs and release.json.
const packTgz = (entries) =>
  deterministicTgz([...entries].map(([rel, {data, executable}]) => ({path: `package/${rel}`, data, executable})))
const tgz = packTgz(entries)
const tarball = `ameide-${pkg.version}.tgz`
mkdirSync(path.join(root, 'release'), {recursive: true})
writeFileSync(path.join(root, 'release', tarball), tgz)
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex')
const renderTarballs = packages.map(({name, tarball, manifest, entries}) => {
  const bytes = packTgz(Object.entries(entries).map(([rel, {data, executable = false}]) => [rel, {data, executable}]))
  writeFileSync(path.join(root, 'release', tarball), bytes)
  const {os, cpu} = manifest
  return {name, tarball, sha256: sha256(bytes), size: bytes.length, os, ...(cpu && {cpu})}
})
const release = {
  version: pkg.version,
  tarball,
  sha256: sha256(tgz),
  size: tgz.length,
  unpackedSize: [...entries.values()].reduce((n, e) => n + e.data.length, 0),
  files: entries.size,
  sources,
  node,
  engines: pkg.engines,
  // The engine's bytes depend on the Go that built them: src/effects/go.work's toolchain, wherever it is built.
  engine: (({go, sha256}) => ({go, sha256}))(
    JSON.parse(readFileSync(path.join(root, 'dist/engine/engine.json'), 'utf8')),
  ),
  // sha256 is render.wasm's (what the first render checks the unzipped bytes against), gzSha256 the packed file's.
  renderModule: {
    ...(({helm, kustomize, go, sha256}) => ({helm, kustomize, go, sha256}))(
      JSON.parse(readFileSync(path.join(root, 'dist/render-module/render-module.json'), 'utf8')),
    ),
    gzSha256: createHash('sha256').update(renderWasmGz).digest('hex'),
  },
  nativeHelpers: Object.fromEntries(Object.entries(native).map(([p, {sha256, bytes}]) => [p, {sha256, bytes}])),
  // The render packages (scripts/release/packages.mjs), each tarball's sha256: the Action installs the one its runner
  // needs; `npm install` of the CLI's package takes the one whose os and cpu match.
  packages: renderTarballs,
}
writeFileSync(path.join(root, 'release.json'), `${JSON.stringify(release, null, 2)}\n`)
for (const p of renderTarballs)
  console.log(`release: release/${p.tarball} ${(p.size / 1e6).toFixed(1)} MB, sha256 ${p.sha256}`)
console.log(
  `release: release/${tarball} ${(tgz.length / 1e6).toFixed(1)} MB (${entries.size} files, ${(release.unpackedSize / 1e6).toFixed(1)} MB unpacked), sha256 ${release.sha256}, sources ${sources.digest}${dirty ? ' (dirty)' : ''}`,
)
