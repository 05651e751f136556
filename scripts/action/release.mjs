#!/usr/bin/env node
/* global fetch, AbortSignal */
// The Action's fast path: when the action's checkout has a release.json that describes its own sources (the digest
// of scripts/release/source.mjs, recomputed here on GitHub's download of the action's commit), the CLI is the release
// tarball of that version — downloaded from ${GITHUB_SERVER_URL}/${GITHUB_ACTION_REPOSITORY}/releases/download/
// v<version>/<tarball> (so GitHub Enterprise Server and mirrors serve it too), its sha256 checked against release.json
// before anything of it runs, unpacked into RUNNER_TEMP. No npm ci, no build, no Go, no cache.
//
//   node release.mjs --check   step outputs: release=true|false, reason=<why not>
//   node release.mjs           install it (exit 0; AMEIDE_ACTION_CLI=<bin/run.js> appended to GITHUB_ENV);
//                              exit 10 when release.json does not describe this checkout (the caller builds from
//                              source); exit 1, naming the URL and both digests, when the download fails or differs
// Node's built-ins only: it runs before anything is installed.
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {performance} from 'node:perf_hooks'
import {fileURLToPath} from 'node:url'

import {sourceDigest} from '../release/source.mjs'

const root = process.env.GITHUB_ACTION_PATH || fileURLToPath(new URL('../../', import.meta.url))
const NOT_APPLICABLE = 10

/** The release this checkout is, or why there is none. */
function releaseOfCheckout() {
  let release
  try {
    release = JSON.parse(readFileSync(path.join(root, 'release.json'), 'utf8'))
  } catch {
    return {reason: 'this commit has no release.json'}
  }
  const {version, tarball, sha256, sources} = release
  if (
    ![version, tarball, sha256, sources?.digest].every((v) => typeof v === 'string') ||
    !/^[0-9a-f]{64}$/.test(sha256)
  )
    return {reason: 'release.json lacks version, tarball, sha256 or sources.digest'}
  if (sources.dirty) return {reason: `release.json of ${version} was written from uncommitted sources`}
  const digest = sourceDigest(root)
  if (digest !== sources.digest)
    return {reason: `the sources changed since release ${version} (${digest}, release.json: ${sources.digest})`}
  const server = (process.env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')
  const repository = process.env.GITHUB_ACTION_REPOSITORY || process.env.AMEIDE_ACTION_REPOSITORY
  if (!repository)
    return {reason: 'the action repository is unknown (GITHUB_ACTION_REPOSITORY is empty: a local action?)'}
  const asset = (name) =>
    `${server}/${repository}/releases/download/v${encodeURIComponent(version)}/${encodeURIComponent(name)}`
  const render = renderPackageOf(release.packages)
  return {
    release: {version, tarball, sha256, url: asset(tarball), render: render && {...render, url: asset(render.tarball)}},
  }
}

/**
 * The render package this runner needs, as npm would choose it among the CLI's optionalDependencies: the first whose
 * `os` and `cpu` admit this machine (npm-install-checks: a list admits a value it names, or one it does not exclude
 * with `!`). None (a release.json before the render packages, or no package for this machine): the CLI says so.
 */
function renderPackageOf(packages = []) {
  const admits = (list, value) =>
    !list || (list.some((v) => !v.startsWith('!')) ? list.includes(value) : !list.includes(`!${value}`))
  const fits = (p) => admits(p.os, process.platform) && admits(p.cpu, process.arch)
  const found = packages.find((p) => fits(p) && /^[0-9a-f]{64}$/.test(p.sha256))
  return found && {name: found.name, tarball: found.tarball, sha256: found.sha256}
}

const found = releaseOfCheckout()
if (process.argv.includes('--check')) {
  process.stdout.write(`release=${found.release ? 'true' : 'false'}\nreason=${found.reason ?? ''}\n`)
  process.exit(0)
}
if (!found.release) {
  console.log(`ameide: building from source: ${found.reason}.`)
  process.exit(NOT_APPLICABLE)
}

const {version, tarball, sha256, url, render} = found.release
const fail = (message) => {
  console.error(`::error title=ameide action::${message}`)
  process.exit(1)
}
/** The release asset at `from`, its sha256 checked against `expected` before anything of it is used. */
async function download(from, expected) {
  let bytes
  try {
    const response = await fetch(from, {signal: AbortSignal.timeout(120_000)})
    if (!response.ok)
      fail(`release ${version}: GET ${from} answered ${response.status} (expected sha256 ${expected}, got none)`)
    bytes = Buffer.from(await response.arrayBuffer())
  } catch (error) {
    fail(`release ${version}: GET ${from} failed: ${error.message} (expected sha256 ${expected}, got none)`)
  }
  const actual = createHash('sha256').update(bytes).digest('hex')
  if (actual !== expected)
    fail(`release ${version}: ${from} has sha256 ${actual}, release.json says ${expected}: not run`)
  return bytes
}

const started = performance.now()
const [bytes, renderBytes] = await Promise.all([
  download(url, sha256),
  render ? download(render.url, render.sha256) : undefined,
])
const dir = path.join(process.env.RUNNER_TEMP || path.join(root, '.release'), 'ameide-release')
rmSync(dir, {recursive: true, force: true})
/** The tarball's package/ folder unpacked into `into` (under dir). */
function unpack(into, name, data) {
  mkdirSync(into, {recursive: true})
  const file = path.join(dir, name)
  writeFileSync(file, data)
  execFileSync('tar', ['-xzf', file, '-C', into, '--no-same-owner', '--strip-components=1'], {stdio: 'inherit'})
}
unpack(path.join(dir, 'package'), tarball, bytes)
// Where Node resolves it from the CLI (src/effects/render-module/installed.ts), as npm would nest it.
if (render) unpack(path.join(dir, 'package', 'node_modules', render.name), render.tarball, renderBytes)
const cli = path.join(dir, 'package', 'bin', 'run.js')
if (process.env.GITHUB_ENV) appendFileSync(process.env.GITHUB_ENV, `AMEIDE_ACTION_CLI=${cli}\n`)
const renderSaid = render ? ` and ${render.name} (sha256 ${render.sha256})` : ''
console.log(
  `ameide: release ${version} from ${url} (sha256 ${sha256}, as release.json says)${renderSaid} in ${Math.round(performance.now() - started)} ms: ${cli}`,
)
