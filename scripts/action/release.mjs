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
  const url = `${server}/${repository}/releases/download/v${encodeURIComponent(version)}/${encodeURIComponent(tarball)}`
  return {release: {version, tarball, sha256, url}}
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

const {version, tarball, sha256, url} = found.release
const fail = (message) => {
  console.error(`::error title=ameide action::${message}`)
  process.exit(1)
}
const started = performance.now()
let bytes
try {
  const response = await fetch(url, {signal: AbortSignal.timeout(120_000)})
  if (!response.ok)
    fail(`release ${version}: GET ${url} answered ${response.status} (expected sha256 ${sha256}, got none)`)
  bytes = Buffer.from(await response.arrayBuffer())
} catch (error) {
  fail(`release ${version}: GET ${url} failed: ${error.message} (expected sha256 ${sha256}, got none)`)
}
const actual = createHash('sha256').update(bytes).digest('hex')
if (actual !== sha256) fail(`release ${version}: ${url} has sha256 ${actual}, release.json says ${sha256}: not run`)

const dir = path.join(process.env.RUNNER_TEMP || path.join(root, '.release'), 'ameide-release')
rmSync(dir, {recursive: true, force: true})
mkdirSync(dir, {recursive: true})
const file = path.join(dir, tarball)
writeFileSync(file, bytes)
execFileSync('tar', ['-xzf', file, '-C', dir, '--no-same-owner'], {stdio: 'inherit'})
const cli = path.join(dir, 'package', 'bin', 'run.js')
if (process.env.GITHUB_ENV) appendFileSync(process.env.GITHUB_ENV, `AMEIDE_ACTION_CLI=${cli}\n`)
console.log(
  `ameide: release ${version} from ${url} (sha256 ${sha256}, as release.json says) in ${Math.round(performance.now() - started)} ms: ${cli}`,
)
