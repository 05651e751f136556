#!/usr/bin/env node
// The third-party notices of what the package carries compiled or bundled: the npm packages inside the CLI's bundle
// (scripts/bundle.mjs lists them), and the Go modules and the Go release inside the two WebAssembly programs (their
// build records, dist/engine/engine.json and dist/render-module/render-module.json, list the modules each links;
// scripts/build-wasm.mjs reads their licences with the Go it built them with, into dist/go-licences.json).
// Each gets its name, version and the text of its licence and notice files, as its authors ship them.
//
//   node scripts/notices.mjs    writes dist/THIRD-PARTY-NOTICES.txt (npm pack ships it; the release writes its own
//                               from its own bundle's list, with writeNotices below)
//
// A package or module without a licence (a file, or for an npm package its package.json's) stops the build: nothing ships whose terms we cannot show.
import {existsSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {recordsOf} from './go-patches.mjs'

const root = fileURLToPath(new URL('../', import.meta.url))
const LEGAL_FILE = /^(licen[cs]e|copying|notice|copyright|patents)([.-][\w.-]*)?$/i
const RULE = '='.repeat(80)
/** What scripts/build-wasm.mjs found of the Go it compiled in (goEntries): absent when it built nothing. */
export const GO_LICENCES = path.join(root, 'dist/go-licences.json')

/** The licence and notice files at the top of a package's or module's folder, sorted by name. */
function legalFiles(dir) {
  return readdirSync(dir)
    .filter((f) => LEGAL_FILE.test(f))
    .sort()
    .map((f) => ({name: f, text: readFileSync(path.join(dir, f), 'utf8').replace(/\r\n/g, '\n').trimEnd()}))
}

/** The npm packages a bundle holds, from esbuild's metafile inputs: each package's folder, relative to the root. */
export function bundledPackages(inputs) {
  const dirs = new Set()
  for (const input of inputs) {
    // A plugin's namespace (`cjs-facade:`) prefixes the path of the package it stands for.
    const m = /^(?:[\w-]+:)?((?:.*\/)?node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input.replace(/\\/g, '/'))
    if (m) dirs.add(m[1])
  }
  return [...dirs].sort()
}

function npmEntries(packageDirs) {
  return packageDirs.map((dir) => {
    const pkg = JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8'))
    const files = legalFiles(path.join(root, dir))
    // A few packages ship no licence file: their package.json's licence and author are what they state.
    const author = typeof pkg.author === 'string' ? pkg.author : pkg.author?.name
    if (files.length === 0 && pkg.license)
      files.push({name: 'package.json', text: `License: ${pkg.license}${author ? `\nCopyright (c) ${author}` : ''}`})
    return {name: pkg.name, version: pkg.version, where: 'npm package, bundled', files}
  })
}

/**
 * The Go modules the WebAssembly programs link (their build records) and the Go release, with their licence files
 * from the module cache: run by scripts/build-wasm.mjs with the Go it built with (`goOut` runs it in the workspace),
 * which writes them to GO_LICENCES for this script.
 */
export function goEntries(goOut) {
  const records = ['dist/engine/engine.json', 'dist/render-module/render-module.json']
    .map((f) => path.join(root, f))
    .filter(existsSync)
    .map((f) => ({file: path.basename(path.dirname(f)), modules: JSON.parse(readFileSync(f, 'utf8')).modules ?? {}}))
  const linked = new Map()
  for (const {file, modules} of records)
    for (const [module, {version}] of Object.entries(modules)) {
      const key = `${module}@${version}`
      linked.set(key, [...(linked.get(key) ?? []), `dist/${file}`])
    }
  // Upstream code copied into a program's own packages (scripts/go-patches.mjs `into`): helm-controller's post-renderers.
  for (const file of recordsOf(path.join(root, 'src/effects/render-module/go')).filter((f) => f.into))
    linked.set(`${file.module}@${file.version}`, ['dist/render-module (copied from it)'])
  if (linked.size === 0) return []
  // `go mod download -json` prints one object per module (already in the cache: where it is, go.sum-checked).
  const dirs = new Map()
  for (const m of goOut(['mod', 'download', '-json', ...linked.keys()])
    .split(/\n(?=\{)/)
    .map((t) => JSON.parse(t)))
    dirs.set(`${m.Path}@${m.Version}`, m.Dir)
  const modules = [...linked]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, into]) => {
      const at = key.lastIndexOf('@')
      return {
        name: key.slice(0, at),
        version: key.slice(at + 1),
        where: `Go module, compiled into ${into.join(' and ')}`,
        files: legalFiles(dirs.get(key)),
      }
    })
  const goroot = goOut(['env', 'GOROOT']).trim()
  const release = goOut(['env', 'GOVERSION']).trim()
  return [
    {
      name: 'Go',
      version: release,
      where: 'Go release: runtime and standard library, compiled in',
      files: legalFiles(goroot),
    },
    ...modules,
  ]
}

/** The notices text for these npm package folders and the Go the build compiled. */
export function noticesText(packageDirs) {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'))
  const go = existsSync(GO_LICENCES) ? JSON.parse(readFileSync(GO_LICENCES, 'utf8')) : []
  const entries = [...npmEntries(packageDirs), ...go]
  const missing = entries.filter((e) => e.files.length === 0).map((e) => `${e.name}@${e.version}`)
  if (missing.length > 0) throw new Error(`notices: no licence file in ${missing.join(', ')}`)
  const head = [
    `Third-party software in ${pkg.name} ${pkg.version}`,
    '',
    `${pkg.name} itself is licensed under the Apache License 2.0 (LICENSE, NOTICE). It carries the software below,`,
    'bundled or compiled in, under the terms its authors ship with it, reproduced here as they ship them.',
    '',
    ...entries.map((e) => `  ${e.name} ${e.version} (${e.where})`),
  ]
  const bodies = entries.map((e) =>
    [RULE, `${e.name} ${e.version}`, `${e.where}`, RULE, ...e.files.map((f) => `--- ${f.name}\n\n${f.text}\n`)].join(
      '\n',
    ),
  )
  return `${[head.join('\n'), ...bodies].join('\n\n')}\n`
}

export function writeNotices(file, packageDirs) {
  writeFileSync(file, noticesText(packageDirs))
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const list = path.join(root, 'dist/bundle-packages.json')
  writeNotices(path.join(root, 'dist/THIRD-PARTY-NOTICES.txt'), JSON.parse(readFileSync(list, 'utf8')))
}
