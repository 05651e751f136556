import {execa} from 'execa'
import {createHash} from 'node:crypto'
import {existsSync} from 'node:fs'
import {chmod, readFile, rm, stat, symlink, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {listAppSetRepo} from '../support/appset-repo.js'
import {closeLoopback, listenLoopback} from '../support/loopback.js'
import {makeTempDir, runCleanups} from '../support/tmp.js'

/**
 * The two WebAssembly programs wherever ameide is built from source: a fresh clone with no set-up — PATH holding
 * node's directory, a Go that is not the workspace's release (the set-up's Debian Go 1.24 when there is one) and
 * /usr/bin:/bin, an empty HOME. The build (scripts/build-wasm.mjs) has that Go fetch src/effects/go.work's release
 * and builds both programs from the one workspace. Go's module and build caches are this machine's (the module
 * proxy's part is not under test here), node_modules is linked from this checkout (npm's part neither).
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url))

afterAll(runCleanups)

let bin: string
let bare: (extra?: Record<string, string>) => Record<string, string>
let clone: string

const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex')
const record = async (dir: string, file: string) =>
  JSON.parse(await readFile(path.join(dir, file), 'utf8')) as {
    go: string
    sha256: string
    modules: Record<string, {version: string; sum: string}>
  }

/** The action's steps as the runner runs them up to its install (caches miss). */
async function actionInstall(dir: string, extra: Record<string, string> = {}) {
  const action = parse(await readFile(path.join(dir, 'action.yml'), 'utf8')) as {
    runs: {steps: Array<{name?: string; run?: string}>}
  }
  const runnerTemp = await makeTempDir('ameide-wasm-runner-')
  const output = path.join(runnerTemp, 'output')
  await writeFile(output, '')
  let stderr = ''
  for (const step of action.runs.steps) {
    if (!step.run) continue
    const env = bare({GITHUB_ACTIONS: 'true', GITHUB_ACTION_PATH: dir, RUNNER_TEMP: runnerTemp, GITHUB_OUTPUT: output})
    const run = await execa('bash', ['-e', '-c', step.run], {
      cwd: dir,
      reject: false,
      extendEnv: false,
      env: {...env, ...extra},
    })
    stderr += run.stderr
    if (run.exitCode !== 0 || step.name === 'Install the ameide CLI') return {exitCode: run.exitCode, stderr}
  }
  throw new Error('action.yml has no install step')
}

beforeAll(async () => {
  const go = existsSync(path.join(ROOT, '.tools/bin/go'))
    ? path.join(ROOT, '.tools/bin/go')
    : (await execa('sh', ['-c', 'command -v go'])).stdout.trim()
  const caches = JSON.parse((await execa(go, ['env', '-json', 'GOMODCACHE', 'GOCACHE'])).stdout) as Record<
    string,
    string
  >
  bin = await makeTempDir('ameide-wasm-bin-')
  await symlink(go, path.join(bin, 'go'))
  await symlink((await execa('sh', ['-c', 'command -v git'])).stdout.trim(), path.join(bin, 'git'))
  const home = await makeTempDir('ameide-wasm-home-')
  bare = (extra = {}) => ({
    PATH: `${path.dirname(process.execPath)}:${bin}:/usr/bin:/bin`,
    HOME: home,
    GOMODCACHE: caches.GOMODCACHE,
    GOCACHE: caches.GOCACHE,
    ...extra,
  })
  clone = path.join(await makeTempDir('ameide-wasm-clone-'), 'ameide')
  await execa('git', ['clone', '--quiet', '--no-hardlinks', ROOT, clone])
  await symlink(path.join(ROOT, 'node_modules'), path.join(clone, 'node_modules'))
})

describe('a fresh clone, the Go on PATH another release than the workspace names', () => {
  it("the Action's install step ends with both programs, from the one workspace, the same bytes as this checkout's build", async () => {
    const install = await actionInstall(clone)
    expect(install.exitCode, install.stderr).toBe(0)
    const engine = await record(clone, 'dist/engine/engine.json')
    const module = await record(clone, 'dist/render-module/render-module.json')
    const toolchain = /^toolchain (go\S+)$/m.exec(await readFile(path.join(clone, 'src/effects/go.work'), 'utf8'))![1]
    expect([engine.go, module.go]).toEqual([toolchain, toolchain])
    expect(engine.sha256).toBe(await sha256(path.join(clone, 'dist/engine/gotemplate.wasm')))
    expect(module.sha256).toBe(await sha256(path.join(clone, 'dist/render-module/render.wasm')))
    // Reproducible: this checkout's build (another path, another Go on PATH) made the same bytes.
    expect(engine.sha256).toBe((await record(ROOT, 'dist/engine/engine.json')).sha256)
    expect(module.sha256).toBe((await record(ROOT, 'dist/render-module/render-module.json')).sha256)
    // One build list: a module both link is one version, with one go.sum hash.
    expect(engine.modules['github.com/Masterminds/sprig/v3']).toEqual(module.modules['github.com/Masterminds/sprig/v3'])
    expect(engine.modules['github.com/Masterminds/sprig/v3'].version).toBe('v3.3.0')
    expect(engine.modules['github.com/gosimple/slug'].version).toBe('v1.15.0')
  }, 900_000)

  it('the engine the clone built evaluates an ApplicationSet as a native build of the same Go program does', async () => {
    const native = path.join(await makeTempDir('ameide-wasm-native-'), 'engine')
    const built = await execa(process.execPath, ['scripts/build-wasm.mjs', '--engine-native', native], {
      cwd: clone,
      reject: false,
      extendEnv: false,
      env: bare(),
    })
    expect(built.exitCode, built.stderr).toBe(0)
    const elements = [
      {name: 'Web_App', env: 'staging', count: 3, tags: ['b', 'a']},
      {name: 'Ünïcode Çafé', env: 'prod', count: 1234567, tags: []},
    ]
    const name = `{{ .name | normalize }}-{{ .env }}-{{ printf "%03.0f" .count }}`
    const where = `apps/{{ slugify .name }}/{{ .tags | sortAlpha | join "," | default "none" }}/{{ sha512sum .env | trunc 7 }}`
    const request = {
      op: 'render',
      goTemplate: true,
      options: ['missingkey=error'],
      templates: [name, where],
      params: elements,
    }
    const go = JSON.parse((await execa(native, [], {input: JSON.stringify(request)})).stdout) as {results: string[][]}
    expect(go.results[0]).toEqual(['web-app-staging-003', expect.stringMatching(/^apps\/web-app\/a,b\/[0-9a-f]{7}$/)])
    const layout = await execa(
      process.execPath,
      [path.join(clone, 'bin/run.js'), 'gitops', 'verify', '--print-layout', '--json'],
      {
        cwd: await listAppSetRepo('ameide-wasm-appset-', {elements, name, path: where}),
        reject: false,
        extendEnv: false,
        env: {HOME: bare().HOME, PATH: bin, NO_COLOR: '1', CI: 'true'},
      },
    )
    expect(layout.exitCode, layout.stderr).toBe(0)
    const [appset] = JSON.parse(layout.stdout).layout.applicationSets
    expect(appset.errors).toEqual([])
    expect(
      appset.applications.map((a: {name: string; sources: Array<{path: string}>}) => [a.name, a.sources[0].path]),
    ).toEqual(go.results)
  }, 300_000)

  it('a second build builds nothing: the inputs are unchanged', async () => {
    const before = (await stat(path.join(clone, 'dist/engine/gotemplate.wasm'))).mtimeMs
    const again = await execa(process.execPath, ['scripts/build-wasm.mjs'], {cwd: clone, extendEnv: false, env: bare()})
    expect(again.stderr).toBe('')
    expect((await stat(path.join(clone, 'dist/engine/gotemplate.wasm'))).mtimeMs).toBe(before)
  }, 300_000)

  it("no Go on PATH, or a Go 1.19 that cannot switch: the build takes go.work's release from the module proxy (its pinned sums) and builds both, the same bytes", async () => {
    const toolchain = /^toolchain (go\S+)$/m.exec(await readFile(path.join(clone, 'src/effects/go.work'), 'utf8'))![1]
    const platform = `${{linux: 'linux', darwin: 'darwin'}[process.platform as string]}-${{x64: 'amd64', arm64: 'arm64'}[process.arch as string]}`
    const name = `golang.org/toolchain/@v/v0.0.1-${toolchain}.${platform}.zip`
    // The module proxy on loopback, serving the toolchain module from Go's module cache (the set-up's Go switched to it).
    const zip = await readFile(path.join(bare().GOMODCACHE, 'cache/download', name))
    const requests: string[] = []
    const {server, url} = await listenLoopback((req, res) => {
      requests.push(req.url ?? '')
      res.statusCode = req.url === `/${name}` ? 200 : 404
      res.end(req.url === `/${name}` ? zip : undefined)
    })
    try {
      const fake = await makeTempDir('ameide-wasm-go119-')
      const script = '#!/bin/sh\n[ "$1" = version ] && echo "go version go1.19.8 linux/amd64" && exit 0\nexit 1\n'
      await writeFile(path.join(fake, 'go'), script)
      await chmod(path.join(fake, 'go'), 0o755)
      const cache = await makeTempDir('ameide-wasm-toolchain-')
      const node = path.dirname(process.execPath)
      for (const [label, PATH] of [
        ['no go', node],
        ['go1.19', `${fake}:${node}`],
      ]) {
        await rm(path.join(clone, 'dist/engine'), {recursive: true, force: true})
        await rm(path.join(clone, 'dist/render-module'), {recursive: true, force: true})
        const env = bare({
          PATH,
          GOPROXY: url,
          AMEIDE_GO_TOOLCHAIN_CACHE: cache,
          AMEIDE_REQUIRE_ENGINE: '1',
          AMEIDE_REQUIRE_RENDER_MODULE: '1',
        })
        const built = await execa(process.execPath, ['scripts/build-wasm.mjs'], {
          cwd: clone,
          reject: false,
          extendEnv: false,
          env,
        })
        expect(built.exitCode, `${label}: ${built.stderr}`).toBe(0)
        expect(built.stderr).toContain(`${toolchain} itself, from the Go module proxy`)
        for (const [dir, file] of [
          ['dist/engine', 'engine.json'],
          ['dist/render-module', 'render-module.json'],
        ]) {
          const made = await record(clone, path.join(dir, file))
          expect(made.go, label).toBe(toolchain)
          expect(made.sha256, label).toBe((await record(ROOT, path.join(dir, file))).sha256)
        }
      }
      // Fetched once, checked and unzipped; the second build took it from the cache.
      expect(requests).toEqual([`/${name}`])
    } finally {
      await closeLoopback(server)
    }
  }, 600_000)

  it('no Go and no module proxy: names what is missing and the fix; the Action fails, a plain build does not', async () => {
    await rm(path.join(clone, 'dist/engine'), {recursive: true, force: true})
    // A PATH whose `go` does not run, no set-up in the clone, and no proxy to take Go from.
    const noGo = await makeTempDir('ameide-wasm-nogo-')
    await writeFile(path.join(noGo, 'go'), '#!/bin/sh\nexit 127\n')
    await chmod(path.join(noGo, 'go'), 0o755)
    const cache = await makeTempDir('ameide-wasm-toolchain-')
    const env = bare({
      PATH: `${noGo}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
      GOPROXY: 'off',
      AMEIDE_GO_TOOLCHAIN_CACHE: cache,
    })
    const plain = await execa(process.execPath, ['scripts/build-wasm.mjs'], {
      cwd: clone,
      reject: false,
      extendEnv: false,
      env,
    })
    expect(plain.exitCode).toBe(0)
    const toolchain = /^toolchain (go\S+)$/m.exec(await readFile(path.join(clone, 'src/effects/go.work'), 'utf8'))![1]
    const lines = plain.stderr.trim().split('\n')
    expect(lines.slice(1, 4)).toEqual([
      `[build-wasm] the ApplicationSet template engine was NOT built: Go ${toolchain} is not available (no Go on PATH; GOPROXY names no proxy URL (off or direct only): nothing is fetched)`,
      `[build-wasm] fix: let the build reach the Go module proxy (GOPROXY; it fetches Go ${toolchain} itself), or install Go 1.21 or newer (https://go.dev/dl/), then npm run build`,
      '[build-wasm] until then ApplicationSets are reported render-unavailable.',
    ])
    // Without the render module nothing renders, and the build says so.
    expect(plain.stderr).toContain(
      '[build-wasm] until then nothing renders: gitops verify --render, gitops diff and gitops preview report every kustomize root and chart render-unavailable.',
    )
    expect(existsSync(path.join(clone, 'dist/engine/gotemplate.wasm'))).toBe(false)
    const install = await actionInstall(clone, {PATH: env.PATH, GOPROXY: 'off', AMEIDE_GO_TOOLCHAIN_CACHE: cache})
    expect(install.exitCode).toBe(1)
    expect(install.stderr).toContain('[build-wasm] the ApplicationSet template engine was NOT built: Go')
  }, 300_000)
})
