import {execa} from 'execa'
import {createHash} from 'node:crypto'
import {existsSync} from 'node:fs'
import {readdir, readFile, rm, symlink, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {listAppSetRepo} from '../support/appset-repo.js'
import {makeTempDir, runCleanups} from '../support/tmp.js'

/**
 * The ApplicationSet engine wherever ameide is built: a fresh clone of this repository on a machine with no Go 1.24
 * and no set-up — PATH holding only node's directory and /usr/bin:/bin (where Debian 12's Go 1.19 may be, too old),
 * an empty HOME, nothing else in the environment. The build fetches Go 1.24 and the Go libraries from Debian's archive
 * (the real one: pinned .debs, about 52 MB), once per cache: the Action's install step and a plain `npm run build`
 * each start from an empty cache, and the later cases reuse theirs. node_modules is linked from this checkout (npm's
 * part is not under test here).
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const UNREACHABLE = 'http://127.0.0.1:2/debian'

afterAll(runCleanups)

let git: string
let bin: string
/** The bare environment: PATH of node's directory and /usr/bin:/bin, an empty HOME. */
let bare: (extra?: Record<string, string>) => Record<string, string>

async function freshClone(name: string): Promise<string> {
  const dir = path.join(await makeTempDir(`ameide-engine-${name}-`), 'ameide')
  await execa('git', ['clone', '--quiet', '--no-hardlinks', ROOT, dir])
  await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'))
  return dir
}

const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex')

const record = async (clone: string) =>
  JSON.parse(await readFile(path.join(clone, 'dist/engine/engine.json'), 'utf8')) as {
    go: string
    goFrom: {source: string; debs?: Array<{package: string; sha256: string}>}
    sha256: string
    libraries: Record<string, {version: string; sha256: string}>
  }

/** The action's steps as the runner runs them up to its install: the cache keys, then the install (caches miss). */
async function actionInstall(clone: string, runnerTemp: string, extra: Record<string, string> = {}) {
  const action = parse(await readFile(path.join(clone, 'action.yml'), 'utf8')) as {
    runs: {steps: Array<{name?: string; run?: string; uses?: string}>}
  }
  const output = path.join(runnerTemp, 'output')
  await writeFile(output, '')
  let stderr = ''
  for (const step of action.runs.steps) {
    if (!step.run) continue
    const run = await execa('bash', ['-e', '-c', step.run], {
      cwd: clone,
      reject: false,
      extendEnv: false,
      env: bare({
        GITHUB_ACTIONS: 'true',
        GITHUB_ACTION_PATH: clone,
        RUNNER_TEMP: runnerTemp,
        GITHUB_OUTPUT: output,
        ...extra,
      }),
    })
    stderr += run.stderr
    if (run.exitCode !== 0 || step.name === 'Install the ameide CLI') return {exitCode: run.exitCode, stderr}
  }
  throw new Error('action.yml has no install step')
}

/** The ApplicationSet's list elements and templates: sprig, slug and Argo CD's own functions. */
const ELEMENTS = [
  {name: 'Web_App', env: 'staging', count: 3, tags: ['b', 'a']},
  {name: 'Ünïcode Çafé', env: 'prod', count: 1234567, tags: []},
]
const NAME = `{{ .name | normalize }}-{{ .env }}-{{ printf "%03.0f" .count }}`
const PATH_TEMPLATE = `apps/{{ slugify .name }}/{{ .tags | sortAlpha | join "," | default "none" }}/{{ .count }}/{{ sha256sum .env | trunc 7 }}`

/** The clone's CLI evaluates the ApplicationSet exactly as a native build of the same Go program does. */
async function expectGoEvaluation(clone: string, cache: string) {
  const native = path.join(await makeTempDir('ameide-engine-native-'), 'engine')
  const built = await execa(process.execPath, ['scripts/build-engine.mjs', '--native', native], {
    cwd: clone,
    reject: false,
    extendEnv: false,
    env: bare({AMEIDE_ENGINE_CACHE: cache, AMEIDE_DEBIAN_ARCHIVE: UNREACHABLE}),
  })
  expect(built.exitCode, built.stderr).toBe(0)
  const request = {
    op: 'render',
    goTemplate: true,
    options: ['missingkey=error'],
    templates: [NAME, PATH_TEMPLATE],
    params: ELEMENTS,
  }
  const go = JSON.parse((await execa(native, [], {input: JSON.stringify(request)})).stdout) as {results: string[][]}
  expect(go.results).toHaveLength(2)
  expect(go.results[0]).toEqual(['web-app-staging-003', expect.stringMatching(/^apps\/web-app\/a,b\/3\/[0-9a-f]{7}$/)])

  const layout = await execa(
    process.execPath,
    [path.join(clone, 'bin/run.js'), 'gitops', 'verify', '--print-layout', '--json'],
    {
      cwd: await listAppSetRepo('ameide-engine-appset-', {elements: ELEMENTS, name: NAME, path: PATH_TEMPLATE}),
      reject: false,
      extendEnv: false,
      env: {HOME: bare().HOME, PATH: bin, NO_COLOR: '1', CI: 'true'},
    },
  )
  expect(layout.exitCode, layout.stderr).toBe(0)
  const [appset] = JSON.parse(layout.stdout).layout.applicationSets
  expect(appset.errors).toEqual([])
  const apps = appset.applications as Array<{name: string; sources: Array<{path: string}>}>
  expect(apps.map((a) => [a.name, a.sources[0].path])).toEqual(go.results)
}

let actionClone: string
let actionCache: string
let plainClone: string
let plainHome: string

beforeAll(async () => {
  git = (await execa('sh', ['-c', 'command -v git'])).stdout.trim()
  bin = await makeTempDir('ameide-engine-bin-')
  await symlink(process.execPath, path.join(bin, 'node'))
  await symlink(git, path.join(bin, 'git'))
  const home = await makeTempDir('ameide-engine-home-')
  bare = (extra = {}) => ({PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: home, ...extra})
  // A Go on /usr/bin is Debian 12's 1.19: too old, it must not be used.
  if (existsSync('/usr/bin/go')) {
    const version = (await execa('/usr/bin/go', ['env', 'GOVERSION'], {env: {HOME: home}})).stdout
    expect(version).toMatch(/^go1\.(1\d|2[0-3])(\.|$)/)
  }
})

describe('a fresh clone on a machine with no Go 1.24 and no set-up', () => {
  it("the Action's install step ends with the engine, fetched from Debian; the CLI it built evaluates ApplicationSets as Go does", async () => {
    actionClone = await freshClone('action')
    const runnerTemp = await makeTempDir('ameide-engine-runner-')
    actionCache = path.join(runnerTemp, 'ameide-engine')
    const install = await actionInstall(actionClone, runnerTemp)
    expect(install.exitCode, install.stderr).toBe(0)
    expect(install.stderr).toMatch(/no Go >= 1\.24 here: Debian's golang-1\.24-go 1\.24\.\d+-\d+, golang-1\.24-src/)
    const engine = await record(actionClone)
    expect(engine.go).toMatch(/^go1\.24\./)
    expect(engine.goFrom.source).toBe('debian')
    expect(engine.sha256).toBe(await sha256(path.join(actionClone, 'dist/engine/gotemplate.wasm')))
    const pins = JSON.parse(await readFile(path.join(actionClone, 'scripts/engine/pins.json'), 'utf8')) as {
      libraries: Array<{package: string; version: string; sha256: string}>
    }
    expect(engine.libraries).toEqual(
      Object.fromEntries(pins.libraries.map((d) => [d.package, {version: d.version, sha256: d.sha256}])),
    )
    // The cache the action saves by its pins: the unpacked Go and GOPATH, the verified downloads beside them.
    expect((await readdir(actionCache)).sort()).toEqual([
      'debs',
      'go-build',
      expect.stringMatching(/^go-[0-9a-f]{16}$/),
      expect.stringMatching(/^gopath-[0-9a-f]{16}$/),
    ])
    await expectGoEvaluation(actionClone, actionCache)
  }, 900_000)

  it('`npm run build` alone does the same, into the user cache directory; the two clean builds are the same bytes', async () => {
    plainClone = await freshClone('plain')
    plainHome = await makeTempDir('ameide-engine-home-')
    const build = await execa('npm', ['run', 'build', '--silent'], {
      cwd: plainClone,
      reject: false,
      extendEnv: false,
      env: bare({HOME: plainHome}),
    })
    expect(build.exitCode, build.stderr).toBe(0)
    expect(existsSync(path.join(plainHome, '.cache/ameide/engine/debs'))).toBe(true)
    const [a, b] = [await record(actionClone), await record(plainClone)]
    expect(b.goFrom.source).toBe('debian')
    expect(b.sha256).toBe(await sha256(path.join(plainClone, 'dist/engine/gotemplate.wasm')))
    expect(b.sha256).toBe(a.sha256)
    await expectGoEvaluation(plainClone, path.join(plainHome, '.cache/ameide/engine'))
  }, 900_000)

  it('a second build fetches nothing: the archive unreachable, it builds the same engine from the cache', async () => {
    const before = (await record(actionClone)).sha256
    await rm(path.join(actionClone, 'dist/engine'), {recursive: true})
    const again = await execa(process.execPath, ['scripts/build-engine.mjs'], {
      cwd: actionClone,
      reject: false,
      extendEnv: false,
      env: bare({AMEIDE_ENGINE_CACHE: actionCache, AMEIDE_DEBIAN_ARCHIVE: UNREACHABLE, AMEIDE_REQUIRE_ENGINE: '1'}),
    })
    expect(again.exitCode, again.stderr).toBe(0)
    expect(again.stderr).not.toMatch(/unpacking|no Go >= 1\.24 here/)
    expect((await record(actionClone)).sha256).toBe(before)
  }, 600_000)

  it('offline with an empty cache: names what is missing and the one command that fixes it; the Action fails, a plain build does not', async () => {
    await rm(path.join(plainClone, 'dist/engine'), {recursive: true})
    const offline = {AMEIDE_ENGINE_CACHE: await makeTempDir('ameide-engine-empty-'), AMEIDE_DEBIAN_ARCHIVE: UNREACHABLE}
    const plain = await execa(process.execPath, ['scripts/build-engine.mjs'], {
      cwd: plainClone,
      reject: false,
      extendEnv: false,
      env: bare(offline),
    })
    expect(plain.exitCode).toBe(0)
    const lines = plain.stderr.trim().split('\n')
    expect(lines).toEqual([
      expect.stringMatching(/^\[build-engine\] no Go >= 1\.24 here: Debian's golang-1\.24-go /),
      `[build-engine] the ApplicationSet template engine was NOT built: the fetch from ${UNREACHABLE} failed (ECONNREFUSED).`,
      expect.stringMatching(
        /^\[build-engine\] missing: Go 1\.24: golang-1\.24-go 1\.24\.\d+-\d+, golang-1\.24-src 1\.24\.\d+-\d+ \(\d+\.\d MB\)$/,
      ),
      expect.stringMatching(
        /^\[build-engine\] missing: 17 of 17 Go libraries: golang-github-google-uuid-dev .*golang-k8s-sigs-yaml-dev 1\.4\.0-2 \(\d\.\d MB\)$/,
      ),
      `[build-engine] fix: npm run build, where ${UNREACHABLE} answers (or AMEIDE_DEBIAN_ARCHIVE=<a Debian mirror> npm run build)`,
      '[build-engine] until then `gitops verify --render` and `gitops diff` report every ApplicationSet as render-unavailable.',
    ])
    expect(existsSync(path.join(plainClone, 'dist/engine/gotemplate.wasm'))).toBe(false)
    // Nothing half-made in the cache.
    expect(await readdir(offline.AMEIDE_ENGINE_CACHE)).toEqual([])

    const runnerTemp = await makeTempDir('ameide-engine-runner-')
    const install = await actionInstall(plainClone, runnerTemp, {AMEIDE_DEBIAN_ARCHIVE: UNREACHABLE})
    expect(install.exitCode).toBe(1)
    expect(install.stderr).toContain('the ApplicationSet template engine was NOT built')
    expect(install.stderr).toContain('[build-engine] fix: npm run build')
  }, 300_000)
})
