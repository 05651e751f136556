import {execFileSync, spawnSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

import {makeTempDir} from '../support/tmp.js'

/**
 * On a Node older than engines (>= 22.12) the CLI stops before anything loads: one line on stderr naming what it
 * needs, what it found and how to get it, exit 3, never a stack trace; with --json also the error document.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const RUN = path.join(ROOT, 'bin', 'run.js')

/** Runs bin/run.js on this Node made to report `version` (process.versions.node is configurable). */
async function runAs(version: string, args: string[]) {
  const dir = await makeTempDir('ameide-runtime-')
  const preload = path.join(dir, 'old-node.mjs')
  writeFileSync(
    preload,
    `Object.defineProperty(process.versions, 'node', {value: ${JSON.stringify(version)}})\n` +
      `Object.defineProperty(process, 'version', {value: ${JSON.stringify(`v${version}`)}})\n`,
  )
  return spawnSync(process.execPath, ['--import', preload, RUN, ...args], {encoding: 'utf8', cwd: dir})
}

describe('the runtime guard in bin/run.js', () => {
  it.each(['20.20.2', '22.11.0', '18.20.8'])('Node %s: one clear line, exit 3', async (version) => {
    const r = await runAs(version, ['primitive', 'verify', '--all'])
    expect(r.status).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe(
      `Error: ameide needs Node.js 22.12 or newer (found v${version}). Install a current LTS (22, 24 or 26) from ` +
        'https://nodejs.org, or in a checkout of ameide run: eval "$(bash scripts/setup.sh)"\n',
    )
  })

  it('--json: the error document on stdout as every command prints it', async () => {
    const r = await runAs('20.20.2', ['gitops', 'verify', '--json'])
    expect(r.status).toBe(3)
    const doc = JSON.parse(r.stdout) as {error: {code: string; exitCode: number; hints: string[]}}
    expect(doc.error).toMatchObject({code: 'NODE_VERSION_UNSUPPORTED', exitCode: 3})
    expect(r.stderr.split('\n')).toHaveLength(2)
  })

  it.each(['22.12.0', '24.21.0', '26.0.0'])('Node %s passes the guard', async (version) => {
    const r = await runAs(version, ['--version'])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(
      new RegExp(`^ameide/\\d+\\.\\d+\\.\\d+ linux-\\w+ node-v${version.replace(/\./g, '\\.')}\\n$`),
    )
  })

  it('the Node running the suite is a supported one (scripts/setup.sh brings it)', () => {
    const version = execFileSync(process.execPath, ['-p', 'process.versions.node'], {encoding: 'utf8'}).trim()
    const [major, minor] = version.split('.').map(Number)
    expect(major > 22 || (major === 22 && minor >= 12)).toBe(true)
  })
})
