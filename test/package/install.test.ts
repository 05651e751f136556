import {execa} from 'execa'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {assertMatchesSchema} from '../support/schema.js'
import {makeTempDir, runCleanups} from '../support/tmp.js'

/**
 * The README's install path that builds from the sources, into an empty prefix with an empty HOME: a clone of the
 * repository (a local bare repository stands in for GitHub) and `npm ci && npm run build && npm link`. The packed
 * tarball and npx are test/package/pack.test.ts. npm's git install is not here: on the test machine its inner
 * `npm install` left the clone without devDependencies, so the build `prepare` runs could not compile (README). npm
 * keeps using the machine's package cache (downloads only; a clean HOME is about what ameide itself reads), and
 * reaches the registry for what the cache lacks.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
let bare: string
let home: string
let cache: string

/**
 * npm with an empty HOME, the machine's cache and none of the `npm_*` variables the suite inherits from `npm test`
 * (they would reach these installs, and the git install's own inner `npm install`).
 */
const npm = (args: string[], cwd: string, env: Record<string, string> = {}) =>
  execa('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    extendEnv: false,
    env: {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))),
      HOME: home,
      npm_config_cache: cache,
      npm_config_update_notifier: 'false',
      ...env,
    },
  })

/** The installed `ameide` from an unrelated directory, with the empty HOME and a PATH of node and git only. */
const ameide = (bin: string, args: string[], cwd: string) =>
  execa(bin, args, {
    cwd,
    reject: false,
    extendEnv: false,
    env: {HOME: home, PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, NO_COLOR: '1', CI: 'true'},
  })

async function answers(bin: string): Promise<void> {
  const elsewhere = await makeTempDir('ameide-install-cwd-')
  const version = await ameide(bin, ['--version'], elsewhere)
  expect(version.exitCode, version.stderr).toBe(0)
  expect(version.stdout).toMatch(/^ameide\/\d+\.\d+\.\d+ /)
  const doctor = await ameide(bin, ['doctor', '--offline', '--json'], elsewhere)
  expect(doctor.exitCode, doctor.stderr).toBe(0)
  const report = JSON.parse(doctor.stdout)
  assertMatchesSchema('doctor.schema.json', report)
  expect(report.repository.kind).toBe('none')
  expect(report.checks.find((c: {id: string}) => c.id === 'node').status).toBe('ok')
  // The build ended with the ApplicationSet engine (fetched from Debian when the machine lacks its inputs).
  expect(report.checks.find((c: {id: string}) => c.id === 'template-engine')).toMatchObject({
    status: 'ok',
    engine: {go: expect.stringMatching(/^go1\.\d+/), sha256: expect.stringMatching(/^[0-9a-f]{64}$/)},
  })
}

beforeAll(async () => {
  const dir = await makeTempDir('ameide-install-')
  home = path.join(dir, 'home')
  await execa('mkdir', ['-p', home])
  cache = (await execa('npm', ['config', 'get', 'cache'])).stdout.trim()
  bare = path.join(dir, 'ameide.git')
  await execa('git', ['clone', '--quiet', '--bare', ROOT, bare])
}, 120_000)
afterAll(runCleanups)

describe('installing ameide from a clone', () => {
  it('from a clone: npm ci && npm run build && npm link puts the clone on PATH', async () => {
    const clone = path.join(await makeTempDir('ameide-install-clone-'), 'ameide-cli')
    await execa('git', ['clone', '--quiet', bare, clone])
    await npm(['ci'], clone)
    await npm(['run', 'build', '--silent'], clone)
    const prefix = await makeTempDir('ameide-install-link-')
    // The global prefix from the environment: `--prefix` on the command line would also move the project npm links.
    await npm(['link'], clone, {npm_config_prefix: prefix})
    expect(await execa('readlink', ['-f', path.join(prefix, 'bin', 'ameide')]).then((r) => r.stdout)).toBe(
      path.join(clone, 'bin', 'run.js'),
    )
    await answers(path.join(prefix, 'bin', 'ameide'))
  }, 600_000)
})
