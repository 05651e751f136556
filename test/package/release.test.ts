import {execa} from 'execa'
import {createHash} from 'node:crypto'
import {brotliDecompressSync} from 'node:zlib'
import {existsSync} from 'node:fs'
import {appendFile, mkdir, readdir, readFile, realpath, stat, symlink, writeFile} from 'node:fs/promises'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {listAppSetRepo} from '../support/appset-repo.js'
import {cosign, cosignEnv, generateKeyPair} from '../support/cosign.js'
import {GITOPS_FIXTURE} from '../support/gitops-fixture.js'
import {helmGitopsRepo, originApplication} from '../support/helm-repo.js'
import type {NativeBuild} from '../../src/effects/render-module/native.js'
import {assertMatchesSchema} from '../support/schema.js'
import {GITHUB_ISSUER, startPrivateSigstore} from '../support/sigstore/index.js'
import {commitAll, initGitRepo, makeTempDir, registerCleanup, runCleanups} from '../support/tmp.js'
import {COSIGN3_DIR, requireTools} from '../support/toolchain.js'

/**
 * `npm run release` (scripts/release.mjs) as a release is made: in two `git clone`s of this checkout in two folders
 * (node_modules linked in, as `npm ci` would fill it), each building and packing — the two tarballs must be the same
 * bytes. The tarball then installs offline from an empty npm cache and runs with nothing else; the Action's install
 * (scripts/action/install.sh) takes it from a loopback server standing in for GitHub's release downloads, checks its
 * sha256, and refuses a tampered or missing asset; a cosign signature of it verifies with its key and not another.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
type Release = {
  version: string
  tarball: string
  sha256: string
  size: number
  sources: {digest: string}
  renderModule: {sha256: string; gzSha256: string}
  nativeHelpers: Record<string, {sha256: string; bytes: number}>
  packages: Array<{name: string; tarball: string; sha256: string; size: number; os: string[]; cpu?: string[]}>
}
let clones: string[]
let release: Release
let tgz: string
let home: string

/** The environment of a fresh shell: none of the `npm_*` variables the suite inherits, an empty HOME. */
const cleanEnv = () => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))),
  HOME: home,
  npm_config_update_notifier: 'false',
})

/** A folder holding only node, git, tar, gzip and tr (no Go, no npm, no kustomize): a bare runner's PATH. */
async function barePath(): Promise<string> {
  const bin = await makeTempDir('ameide-release-bin-')
  await symlink(process.execPath, path.join(bin, 'node'))
  for (const tool of ['git', 'tar', 'gzip', 'tr'])
    await symlink((await execa('sh', ['-c', `command -v ${tool}`])).stdout.trim(), path.join(bin, tool))
  return bin
}

/** `npm install --global` of release files into `prefix`, offline from the npm cache `cache`. */
const npmInstall = (prefix: string, cache: string, files: string[], extra: string[] = []) =>
  execa(
    'npm',
    [
      'install',
      '--global',
      '--prefix',
      prefix,
      ...files,
      '--offline',
      '--cache',
      cache,
      '--no-audit',
      '--no-fund',
      ...extra,
    ],
    {extendEnv: false, env: cleanEnv()},
  )

/** The render package npm's platform check admits here (a list admits what it names, or what it does not exclude). */
function renderPackageHere(): Release['packages'][number] {
  const admits = (list: string[] | undefined, value: string) =>
    !list || (list.some((v) => !v.startsWith('!')) ? list.includes(value) : !list.includes(`!${value}`))
  return release.packages.find((p) => admits(p.os, process.platform) && admits(p.cpu, process.arch))!
}

beforeAll(async () => {
  home = await makeTempDir('ameide-release-home-')
  const modules = await realpath(path.join(ROOT, 'node_modules'))
  clones = []
  for (const name of ['a', 'b']) {
    const dir = path.join(await makeTempDir(`ameide-release-${name}-`), `clone-${name}`)
    await execa('git', ['clone', '--quiet', '--no-hardlinks', ROOT, dir])
    await symlink(modules, path.join(dir, 'node_modules'))
    clones.push(dir)
  }
  // One after the other: the machine is shared.
  for (const dir of clones)
    await execa('npm', ['run', 'release', '--silent'], {cwd: dir, extendEnv: false, env: cleanEnv()})
  release = JSON.parse(await readFile(path.join(clones[0], 'release.json'), 'utf8')) as Release
  tgz = path.join(clones[0], 'release', release.tarball)
}, 1_800_000)
afterAll(runCleanups)

describe('npm run release', () => {
  it('gives the same tarballs, byte for byte, in two clones in two folders; release.json names their sha256', async () => {
    const [a, b] = await Promise.all(clones.map((c) => readFile(path.join(c, 'release.json'), 'utf8')))
    expect(b).toBe(a)
    for (const {tarball, sha256} of [release, ...release.packages]) {
      const [ta, tb] = await Promise.all(clones.map((c) => readFile(path.join(c, 'release', tarball))))
      expect(createHash('sha256').update(ta).digest('hex'), tarball).toBe(sha256)
      expect(tb.equals(ta), tarball).toBe(true)
    }
    expect(release.tarball).toBe(`ameide-${release.version}.tgz`)
    expect(release.sources.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    // The CLI, and a render package per platform: npm installs the one whose os and cpu match the machine.
    expect(release.packages.map(({name, tarball, os, cpu}) => ({name, tarball, os, cpu}))).toEqual([
      {name: '@ameide/render-linux-x64', tarball: `ameide-render-linux-x64-${release.version}.tgz`, os: ['linux'], cpu: ['x64']},
      {name: '@ameide/render-linux-arm64', tarball: `ameide-render-linux-arm64-${release.version}.tgz`, os: ['linux'], cpu: ['arm64']},
      {name: '@ameide/render-wasm', tarball: `ameide-render-wasm-${release.version}.tgz`, os: ['!linux'], cpu: undefined},
      {name: '@ameide/render-wasm-linux', tarball: `ameide-render-wasm-linux-${release.version}.tgz`, os: ['linux'], cpu: ['!x64', '!arm64']},
    ]) // prettier-ignore
    // What a Linux x64 user downloads: the CLI (≈ 4.3 MB) and its helper, brotli-compressed (≈ 10.6 MB).
    const x64 = release.packages.find((p) => p.name === '@ameide/render-linux-x64')!
    expect(release.size).toBeLessThanOrEqual(5e6)
    expect(release.size + x64.size).toBeLessThanOrEqual(15e6)
    // Fixed owners, modes and times; no node_modules; no renderer: those are the render packages'.
    const listing = (await execa('tar', ['-tvzf', tgz])).stdout.split('\n')
    for (const line of listing) expect(line).toMatch(/^-rw[-x]r-[-x]r-[-x] 0\/0 .* 1985-10-26 08:15 package\//)
    expect(listing.join('\n')).not.toContain('node_modules')
    expect(listing.filter((l) => /\.wasm|render-native/.test(l))).toEqual([])
    // The modules only the bundle imports are one file (bin/hooks.js reads them): npm unpacks each file of a tarball
    // three times, and 339 chunks were ≈ 0.9 s of a 2.1 s install (bench/install.mjs).
    expect(listing.filter((l) => l.endsWith(' package/dist/cli/modules.pack'))).toHaveLength(1)
    expect(listing.filter((l) => l.endsWith(' package/bin/hooks.js'))).toHaveLength(1)
    expect(listing.length).toBeLessThanOrEqual(150)
    // What the gate knows of Kubernetes is in it (the API table, each minor's fields, the CRD catalog).
    for (const table of ['apis.json', 'crd-catalog.json', 'openapi-fields.json'])
      expect(listing.filter((l) => l.endsWith(` package/dist/kubernetes/${table}`)).length, table).toBe(1)
    // The licence, the notice and the third-party notices of what this bundle holds and the module links.
    for (const legal of ['LICENSE', 'NOTICE', 'THIRD-PARTY-NOTICES.txt'])
      expect(listing.filter((l) => l.endsWith(` package/${legal}`)).length, legal).toBe(1)
    const notices = (await execa('tar', ['-xzOf', tgz, 'package/THIRD-PARTY-NOTICES.txt'], {maxBuffer: 64e6})).stdout
    for (const bundled of ['@oclif/plugin-not-found', '@oclif/core', 'yaml'])
      expect(notices).toMatch(new RegExp(`\\n${bundled.replace('/', '\\/')} [\\d.]+\\nnpm package, bundled\\n`))
    expect(notices).toMatch(/\nhelm\.sh\/helm\/v4 v4\.\d+\.\d+\nGo module, compiled into dist\/render-module\n/)
    const pkg = JSON.parse((await execa('tar', ['-xzOf', tgz, 'package/package.json'])).stdout)
    expect(pkg.dependencies).toBeUndefined()
    expect(pkg.scripts).toBeUndefined()
    expect(pkg.oclif.plugins).toBeUndefined()
    expect(pkg.optionalDependencies).toEqual(Object.fromEntries(release.packages.map((p) => [p.name, release.version])))
    // Each render package: its platform, its renderer, the licences, nothing to run.
    for (const p of release.packages) {
      const file = path.join(clones[0], 'release', p.tarball)
      const files = (await execa('tar', ['-tzf', file])).stdout.split('\n').sort()
      const renderer = p.name.includes('wasm') ? ['gotemplate.wasm.gz', 'render.wasm.gz'] : ['render-native.br']
      const legal = ['LICENSE', 'NOTICE', 'THIRD-PARTY-NOTICES.txt', 'package.json']
      expect(files, p.name).toEqual([...legal, ...renderer].map((f) => `package/${f}`).sort())
      const manifest = JSON.parse((await execa('tar', ['-xzOf', file, 'package/package.json'])).stdout)
      expect(manifest).toMatchObject({name: p.name, version: release.version, os: p.os, license: 'Apache-2.0'})
      expect(manifest.cpu).toEqual(p.cpu)
      expect(manifest.scripts).toBeUndefined()
    }
    // The native helpers unpack to the bytes release.json names (what the host checks before it starts one).
    for (const platform of ['linux-x64', 'linux-arm64']) {
      const file = path.join(clones[0], 'release', `ameide-render-${platform}-${release.version}.tgz`)
      const packed = (
        await execa('tar', ['-xzOf', file, 'package/render-native.br'], {encoding: 'buffer', maxBuffer: 64e6})
      ).stdout
      const helper = brotliDecompressSync(packed)
      expect(helper.length).toBe(release.nativeHelpers[platform]!.bytes)
      expect(createHash('sha256').update(helper).digest('hex')).toBe(release.nativeHelpers[platform]!.sha256)
    }
  })

  it("npm's own platform check installs each render package only where its os and cpu match", async () => {
    const tarballOf = (name: string) =>
      path.join(clones[0], 'release', release.packages.find((p) => p.name === name)!.tarball)
    const here = `${process.platform}-${process.arch}`
    const install = async (name: string) => {
      const dir = await makeTempDir('ameide-release-platform-')
      const args = ['install', '--global', '--prefix', path.join(dir, 'p'), '--offline', '--cache', path.join(dir, 'c')]
      const run = await execa('npm', [...args, tarballOf(name)], {extendEnv: false, env: cleanEnv(), reject: false})
      return run.exitCode === 0 ? 'installs' : run.stderr.includes('EBADPLATFORM') ? 'EBADPLATFORM' : run.stderr
    }
    for (const {name} of release.packages) {
      const linux = process.platform === 'linux'
      const native = linux && ['x64', 'arm64'].includes(process.arch)
      const fits =
        name === `@ameide/render-${here}` ||
        (name === '@ameide/render-wasm' && !linux) ||
        (name === '@ameide/render-wasm-linux' && linux && !native)
      expect(await install(name), name).toBe(fits ? 'installs' : 'EBADPLATFORM')
    }
  })

  it('installs offline from an empty npm cache with its render package, in seconds, small, and runs every kind of command', async () => {
    const dir = await makeTempDir('ameide-release-install-')
    const [prefix, cache] = [path.join(dir, 'prefix'), path.join(dir, 'cache')]
    // As a user installs from the release's files: the CLI and the render package of the machine.
    const mine = renderPackageHere()
    const started = performance.now()
    await npmInstall(prefix, cache, [tgz, path.join(clones[0], 'release', mine.tarball)])
    const seconds = (performance.now() - started) / 1000
    // A bound against a hang, not a speed measure (bench/install.mjs measures; docs/performance.md has the figures).
    expect(seconds).toBeLessThan(30)
    const du = Number((await execa('du', ['-sk', prefix])).stdout.split('\t')[0]) * 1024
    // ≈ 21 MB of the CLI (the template engine's glue, the CRD catalog and the API table among it) and the helper
    // brotli-compressed (≈ 10.6 MB; the first render unpacks it into the user's cache).
    expect(du).toBeLessThanOrEqual(40e6)
    const moduleDir = path.join(prefix, 'lib/node_modules/ameide/dist/render-module')
    expect((await readdir(moduleDir)).sort()).toEqual(['native.json', 'render-module.json', 'wasm_exec.js'])
    // The records the host checks each renderer against, as release.json names them.
    const helpers = JSON.parse(await readFile(path.join(moduleDir, 'native.json'), 'utf8')) as NativeBuild
    expect(release.nativeHelpers).toEqual(
      Object.fromEntries(Object.entries(helpers.helpers).map(([p, {sha256, bytes}]) => [p, {sha256, bytes}])),
    )
    expect(await readdir(path.join(prefix, 'lib/node_modules/@ameide'))).toEqual([mine.name.split('/')[1]])
    const ameide = path.join(prefix, 'bin', 'ameide')
    const bin = await barePath()
    // The user's cache of this test alone: the first render unzips the module there.
    const xdgCache = await makeTempDir('ameide-release-xdg-cache-')
    const run = (args: string[], cwd: string, env: Record<string, string> = {}) =>
      execa(ameide, args, {
        cwd,
        reject: false,
        extendEnv: false,
        env: {HOME: home, XDG_CACHE_HOME: xdgCache, PATH: bin, NO_COLOR: '1', CI: 'true', ...env},
      })
    const elsewhere = await makeTempDir('ameide-release-cwd-')

    const doctor = await run(['doctor', '--offline', '--json'], elsewhere)
    expect(doctor.exitCode, doctor.stderr).toBe(0)
    const report = JSON.parse(doctor.stdout)
    assertMatchesSchema('doctor.schema.json', report)
    expect(report.ameide).toMatchObject({
      version: release.version,
      origin: 'release',
      sources: release.sources.digest,
      intact: true,
    })
    expect(report.checks.find((c: {id: string}) => c.id === 'template-engine').status).toBe('ok')
    // On Linux x64 the helper of the tarball starts, confined: `helm template` renders natively.
    const native = process.platform === 'linux' && process.arch === 'x64'
    const engine = native ? 'native (seccomp)' : expect.stringMatching(/^wasm: /)
    expect(report.checks.find((c: {id: string}) => c.id === 'render-module').detail).toMatch(
      native ? /the render engine: native \(seccomp\)$/ : /the render engine: wasm: /,
    )
    // Which renderer is installed, and from where: the one render package npm was given.
    expect(report.checks.find((c: {id: string}) => c.id === 'render-module').renderers).toEqual(
      native
        ? {native: mine.name, wasm: null, engine: 'native (seccomp)'}
        : {native: null, wasm: mine.name, engine: expect.stringMatching(/^wasm: /)},
    )
    // The ApplicationSet template engine runs in the same confined helper there.
    expect(report.checks.find((c: {id: string}) => c.id === 'template-engine').detail).toMatch(
      native ? /the engine that runs here: native \(seccomp\)$/ : /the engine that runs here: wasm: /,
    )

    // help (oclif's plugin, inside the bundle), a cached --help, a mistyped command (the not-found hook).
    expect((await run(['help', 'gitops'], elsewhere)).stdout).toContain('gitops verify')
    expect((await run(['gitops', 'verify', '--help'], elsewhere)).stdout).toContain('ERROR CODES')
    const typo = await run(['gitopz', 'verify'], elsewhere)
    expect(typo.exitCode).toBe(127)
    expect(typo.stderr).toContain('is not a ameide command')

    const gitops = await run(['gitops', 'verify', '--json', '--root', GITOPS_FIXTURE], elsewhere)
    expect(JSON.parse(gitops.stdout).summary).toBe('fail')
    // An ApplicationSet through the engine the tarball carries.
    const repo = await listAppSetRepo('ameide-release-appset-', {
      elements: [{name: 'Web_App', env: 'staging', count: 3}],
      name: '{{ .name | normalize }}-{{ .env }}-{{ printf "%03.0f" .count }}',
      path: 'apps/{{ slugify .name }}',
    })
    const layout = await run(['gitops', 'verify', '--print-layout', '--json'], repo)
    expect(layout.exitCode, layout.stderr).toBe(0)
    const [appset] = JSON.parse(layout.stdout).layout.applicationSets
    expect(appset.applications.map((a: {name: string}) => a.name)).toEqual(['web-app-staging-003'])

    // Helm, kustomize and jsonnet through the render module the tarball carries: no helm, kustomize or bubblewrap.
    const rendered = await helmGitopsRepo({
      'argocd/chart.yaml': originApplication('chart', 'path: charts/app'),
      'charts/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\n',
      'charts/app/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n',
      'argocd/kust.yaml': originApplication('kust', 'path: deploy'),
      'deploy/kustomization.yaml': 'resources: [cm.yaml]\n',
      'deploy/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kcm\n',
      'argocd/jsonnet.yaml': originApplication('jsonnet', 'path: jsonnet'),
      'jsonnet/cm.jsonnet': '{apiVersion: "v1", kind: "ConfigMap", metadata: {name: "j" + "cm"}}\n',
    })
    // Nothing rendered so far (doctor, help, verify without --render, --version): the module is not unzipped. The
    // cache holds only the native helper's kept check, where doctor started one (src/effects/render-module/helper-check.ts).
    expect((await run(['--version'], elsewhere)).exitCode).toBe(0)
    expect(await readdir(xdgCache)).toEqual(native ? ['ameide'] : [])
    if (native) expect(await readdir(path.join(xdgCache, 'ameide'))).toEqual(['native-helper'])
    const renders = async (env: Record<string, string> = {}) => {
      const render = await run(['gitops', 'verify', '--render', '--untrusted', '--no-cache', '--json'], rendered, env)
      const verdict = JSON.parse(render.stdout)
      expect(verdict.render.tools.sandbox, render.stderr).toMatch(
        verdict.render.tools.engine === 'native (seccomp)' ? /^seccomp: the native helper/ : /^webassembly/,
      )
      expect(verdict.render.tools.engine).toEqual(
        env.AMEIDE_RENDER_ENGINE === 'wasm' ? 'wasm: AMEIDE_RENDER_ENGINE=wasm' : engine,
      )
      expect(verdict.render.deployables.map((d: {status: string}) => d.status)).toEqual(['rendered'])
      expect(verdict.render.roots.map((r: {dir: string; status: string}) => `${r.dir} ${r.status}`)).toEqual([
        'deploy rendered',
      ])
      expect(verdict.render.directories.map((d: {dir: string; status: string; objects: number}) => d)).toMatchObject([
        {dir: 'jsonnet', status: 'rendered', objects: 1},
      ])
      expect(verdict.findings.filter((f: {rule: string}) => f.rule.startsWith('render-'))).toEqual([])
    }
    const record = JSON.parse(await readFile(path.join(moduleDir, 'render-module.json'), 'utf8'))
    expect(release.renderModule.sha256).toBe(record.sha256)
    // Where the native helper renders, every command of the render runs in it: WebAssembly is never unzipped. The
    // helper is unpacked from its package once, into the user's cache, executable, the bytes the record names.
    const cached = path.join(xdgCache, 'ameide', 'render-module', `${record.sha256}.wasm`)
    await renders()
    expect(existsSync(path.dirname(cached))).toBe(false)
    const platform = `${process.platform}-${process.arch}`
    const unpacked = path.join(
      xdgCache,
      'ameide',
      'native-helper',
      `render-native-${helpers.helpers[platform]?.sha256}`,
    )
    if (native) {
      expect(
        createHash('sha256')
          .update(await readFile(unpacked))
          .digest('hex'),
      ).toBe(helpers.helpers[platform]!.sha256)
      expect((await stat(unpacked)).mode & 0o111).toBe(0o111)
      // An unpacked copy with other bytes is unpacked again, and the render goes on natively.
      await writeFile(unpacked, '#!/bin/sh\necho not the helper\n')
      await renders()
      expect(
        createHash('sha256')
          .update(await readFile(unpacked))
          .digest('hex'),
      ).toBe(helpers.helpers[platform]!.sha256)
    }
    // No WebAssembly module installed (a native helper applies here): where WebAssembly would render, nothing renders,
    // and the gate says so — never a pass.
    const wasm = {AMEIDE_RENDER_ENGINE: 'wasm'}
    if (native) {
      const none = await run(['gitops', 'verify', '--render', '--untrusted', '--no-cache', '--json'], rendered, wasm)
      expect(none.exitCode, none.stderr).not.toBe(0)
      const verdict = JSON.parse(none.stdout)
      expect(verdict.summary).toBe('fail')
      expect(verdict.render.deployables.map((d: {status: string}) => d.status)).not.toContain('rendered')
      expect(JSON.stringify(verdict.findings)).toContain('the WebAssembly module is not installed')
      // Not a failure of the revision: unavailable here, each an error (as without the render module).
      const notRendered = verdict.findings.filter((f: {rule: string}) => f.rule.startsWith('render-'))
      expect(notRendered.length).toBeGreaterThan(0)
      for (const f of notRendered) expect(f).toMatchObject({rule: 'render-unavailable', severity: 'error'})
      // doctor says so, and how to add it.
      const unusable = JSON.parse((await run(['doctor', '--offline', '--json'], elsewhere, wasm)).stdout)
      expect(unusable.checks.find((c: {id: string}) => c.id === 'render-module')).toMatchObject({
        status: 'unusable',
        renderers: {native: mine.name, wasm: null, engine: 'wasm: AMEIDE_RENDER_ENGINE=wasm'},
        fix: expect.stringContaining(`npm install --global --force @ameide/render-wasm@${release.version}`),
      })
      // The WebAssembly package beside it (npm refuses it for this platform unless forced): then it renders.
      const wasmPackage = release.packages.find((p) => p.name === '@ameide/render-wasm')!
      await npmInstall(prefix, cache, [path.join(clones[0], 'release', wasmPackage.tarball)], ['--force'])
      const gz = await readFile(path.join(prefix, 'lib/node_modules/@ameide/render-wasm/render.wasm.gz'))
      expect(createHash('sha256').update(gz).digest('hex')).toBe(release.renderModule.gzSha256)
    }
    // The first render in WebAssembly unzips the module once into <cache>/ameide/render-module/<sha256>.wasm; the
    // next reuses it.
    await renders(wasm)
    expect(await readdir(path.dirname(cached))).toEqual([path.basename(cached)])
    expect(
      createHash('sha256')
        .update(await readFile(cached))
        .digest('hex'),
    ).toBe(record.sha256)
    const written = (await stat(cached)).mtimeMs
    await renders(wasm)
    expect((await stat(cached)).mtimeMs).toBe(written)
    // A cached copy with wrong bytes is replaced, and the render goes on.
    await writeFile(cached, 'not the module')
    await renders(wasm)
    expect(
      createHash('sha256')
        .update(await readFile(cached))
        .digest('hex'),
    ).toBe(record.sha256)
    // A cache that cannot be written (a file where its folder should be: permissions would not stop root): the
    // module is unzipped into memory, and renders.
    const readOnly = await makeTempDir('ameide-release-ro-cache-')
    await writeFile(path.join(readOnly, 'ameide'), '')
    await renders({XDG_CACHE_HOME: readOnly, ...wasm})
    expect(await readdir(readOnly)).toEqual(['ameide'])
    // The ApplicationSet template engine in WebAssembly too, from the package's gotemplate.wasm.gz.
    const wasmLayout = await run(['gitops', 'verify', '--print-layout', '--json'], repo, wasm)
    expect(wasmLayout.exitCode, wasmLayout.stderr).toBe(0)
    expect(
      JSON.parse(wasmLayout.stdout).layout.applicationSets[0].applications.map((a: {name: string}) => a.name),
    ).toEqual(['web-app-staging-003'])
    expect(report.checks.find((c: {id: string}) => c.id === 'render-module').status).toBe('ok')

    // The imports check parses with the TypeScript compiler the tarball vendors.
    const ts = await makeTempDir('ameide-release-ts-')
    await initGitRepo(ts)
    const src = path.join(ts, 'primitives', 'uisurface', 'portal', 'src')
    await mkdir(src, {recursive: true})
    await writeFile(
      path.join(src, 'page.tsx'),
      "export const P = () => <h1>import x from '@buf/text'</h1>\nexport * as proto from '@buf/ameide_core.bufbuild_es'\n",
    )
    await commitAll(ts, 'init')
    const verify = await run(
      ['primitive', 'verify', '--kind', 'uisurface', '--name', 'portal', '--check', 'imports', '--json'],
      ts,
    )
    const check = JSON.parse(verify.stdout).primitives[0].checks[0]
    expect(check.findings.map((f: {line: number; column: number}) => `${f.line}:${f.column}`)).toEqual(['2:25'])
  })

  it('a cosign signature of the tarball verifies with its key, and not with another', async () => {
    const dir = await makeTempDir('ameide-release-sign-')
    const [signer, other] = await Promise.all([
      generateKeyPair(path.join(dir, 'signer'), 'test-only-signer'),
      generateKeyPair(path.join(dir, 'other'), 'test-only-other'),
    ])
    const bundle = path.join(dir, `${release.tarball}.sigstore.json`)
    await cosign(
      ['sign-blob', '--yes', '--tlog-upload=false', '--key', signer.privateKey, '--bundle', bundle, tgz],
      signer.env,
    )
    const verify = (key: string, env: Record<string, string>) =>
      cosign(['verify-blob', '--insecure-ignore-tlog', '--key', key, '--bundle', bundle, tgz], env).then(
        () => true,
        () => false,
      )
    expect(await verify(signer.publicKey, signer.env)).toBe(true)
    expect(await verify(other.publicKey, other.env)).toBe(false)
  })
})

describe('the keyless signature of a release (a private Sigstore on loopback standing in for GitHub and Sigstore)', () => {
  it("verifies for the release workflow's identity at the tag, and not for another workflow's", async () => {
    requireTools('cosign', 'openssl')
    const dir = await makeTempDir('ameide-release-keyless-')
    const repository = 'ameideio/ameide-cli'
    const sigstore = await startPrivateSigstore(path.join(dir, 'sigstore'), repository)
    // The token .github/workflows/release.yml gets on the tag: Fulcio names that workflow and ref in the certificate.
    const workflow = `${repository}/.github/workflows/release.yml@refs/tags/v${release.version}`
    sigstore.oidc.behaviour.jobWorkflowRef = workflow
    const env = cosignEnv(dir, {
      ...sigstore.actionsEnv(repository),
      SIGSTORE_ROOT_FILE: sigstore.files.caRoots,
      SIGSTORE_REKOR_PUBLIC_KEY: sigstore.files.rekorPublicKey,
    })
    const bundle = path.join(dir, `${release.tarball}.sigstore.json`)
    // As the workflow signs (`cosign sign-blob --yes --bundle`), but with this Fulcio and Rekor (no CT log here).
    const urls = ['--fulcio-url', sigstore.fulcio.url, '--rekor-url', sigstore.rekor.url]
    await cosign(
      ['sign-blob', '--yes', ...urls.slice(0, 2), '--insecure-skip-verify', ...urls.slice(2), '--bundle', bundle, tgz],
      env,
    )
    expect(sigstore.fulcio.issuedFor.at(-1)).toBe(`https://github.com/${workflow}`)
    // As docs/ci.md verifies, with this Sigstore's roots.
    const verify = (identity: string) =>
      cosign(
        [
          'verify-blob',
          '--bundle',
          bundle,
          '--certificate-identity',
          identity,
          '--certificate-oidc-issuer',
          GITHUB_ISSUER,
          '--ca-roots',
          sigstore.files.caRoots,
          '--insecure-ignore-sct',
          '--rekor-url',
          sigstore.rekor.url,
          tgz,
        ],
        env,
      ).then(
        () => true,
        () => false,
      )
    expect(await verify(`https://github.com/${workflow}`)).toBe(true)
    expect(await verify(`https://github.com/${repository}/.github/workflows/publish.yaml@refs/heads/main`)).toBe(false)
    expect(sigstore.violations()).toEqual([])

    // The same bundle, the same command, with cosign 3 (what sigstore/cosign-installer installs today): it reads the
    // bundle cosign 2.5 writes (the release workflow pins that installer) and takes the same flags for it.
    const cosign3 = (args: string[]) =>
      execa(path.join(COSIGN3_DIR, 'cosign'), args, {env, extendEnv: false, reject: false})
    const recipe = (identity: string) => [
      'verify-blob', '--bundle', bundle, '--certificate-identity', identity, '--certificate-oidc-issuer', GITHUB_ISSUER,
      '--ca-roots', sigstore.files.caRoots, '--insecure-ignore-sct', '--rekor-url', sigstore.rekor.url, tgz,
    ] // prettier-ignore
    const ours = await cosign3(recipe(`https://github.com/${workflow}`))
    expect(ours.exitCode, ours.stderr).toBe(0)
    const other = await cosign3(
      recipe(`https://github.com/${repository}/.github/workflows/publish.yaml@refs/heads/main`),
    )
    expect(other.exitCode).not.toBe(0)
    expect(other.stderr).toMatch(/identit/i) // refused for the identity, not for a flag or the trust
  })
})

describe("the Action's install at a release commit", () => {
  const REPOSITORY = 'ameideio/ameide-cli'
  let server: Server
  let mode: 'ok' | 'tampered' | 'missing' | 'tampered-render' = 'ok'
  let serverUrl: string
  let bytes: Buffer
  const served: string[] = []

  beforeAll(async () => {
    bytes = await readFile(tgz)
    const assets = new Map<string, Buffer>([[release.tarball, bytes]])
    for (const p of release.packages) assets.set(p.tarball, await readFile(path.join(clones[0], 'release', p.tarball)))
    const here = renderPackageHere().tarball
    // GitHub answers a release download with a redirect to its object store: so does this stand-in.
    server = createServer((req, res) => {
      const prefix = `/${REPOSITORY}/releases/download/v${release.version}/`
      const name = decodeURIComponent(
        req.url!.replace(/^\/objects\//, '').slice(req.url!.startsWith(prefix) ? prefix.length : 0),
      )
      let body = assets.get(name)
      if (req.url!.startsWith(prefix) && body) return void res.writeHead(302, {location: `/objects/${name}`}).end()
      if (!req.url!.startsWith('/objects/') || (mode === 'missing' && name === release.tarball)) body = undefined
      if (body && ((mode === 'tampered' && name === release.tarball) || (mode === 'tampered-render' && name === here)))
        body = Buffer.concat([body, Buffer.from('x')])
      if (!body) return void res.writeHead(404).end('Not Found')
      served.push(name)
      res.writeHead(200, {'content-type': 'application/octet-stream', 'content-length': body.length}).end(body)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    registerCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())))
  })

  /** scripts/action/install.sh then run.sh as the runner runs them, on a bare PATH, from the action checkout `at`. */
  async function action(at: string, command = 'gitops verify', args = `--env local --root ${GITOPS_FIXTURE}`) {
    const temp = await makeTempDir('ameide-release-runner-')
    const files = {
      GITHUB_ENV: path.join(temp, 'env'),
      GITHUB_OUTPUT: path.join(temp, 'output'),
      GITHUB_STEP_SUMMARY: path.join(temp, 'summary.md'),
    }
    for (const f of Object.values(files)) await writeFile(f, '')
    const env = {
      ...files,
      HOME: home,
      PATH: await barePath(),
      RUNNER_TEMP: temp,
      GITHUB_ACTIONS: 'true',
      GITHUB_ACTION_PATH: at,
      GITHUB_SERVER_URL: serverUrl,
      GITHUB_ACTION_REPOSITORY: REPOSITORY,
      NO_COLOR: '1',
    }
    const started = performance.now()
    const install = await execa('/bin/bash', [path.join(at, 'scripts/action/install.sh')], {
      extendEnv: false,
      env,
      reject: false,
      all: true,
    })
    const installMs = performance.now() - started
    if (install.exitCode !== 0) return {install, installMs}
    // What the install step put in GITHUB_ENV reaches the later steps.
    const added = Object.fromEntries(
      (await readFile(files.GITHUB_ENV, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    )
    const run = await execa('/bin/bash', [path.join(at, 'scripts/action/run.sh')], {
      cwd: temp,
      extendEnv: false,
      env: {...env, ...added, AMEIDE_COMMAND: command, AMEIDE_ARGS: args},
      reject: false,
    })
    return {install, installMs, added, run, output: await readFile(files.GITHUB_OUTPUT, 'utf8')}
  }

  it("downloads the release and its runner's render package, checks their sha256 and runs it, with no Go and no npm, in seconds", async () => {
    mode = 'ok'
    served.length = 0
    const result = await action(clones[0])
    expect(result.install.exitCode, result.install.all).toBe(0)
    expect(result.installMs).toBeLessThan(15_000) // a bound against a hang; the figures are docs/performance.md's
    expect(result.install.all).toContain(
      `release ${release.version} from ${serverUrl}/${REPOSITORY}/releases/download/`,
    )
    // The CLI and the one render package this runner needs, nothing else; nested where Node finds it from the CLI.
    const mine = renderPackageHere()
    expect(served.sort()).toEqual([release.tarball, mine.tarball].sort())
    expect(result.install.all).toContain(`and ${mine.name} (sha256 ${mine.sha256})`)
    expect(result.added!.AMEIDE_ACTION_CLI).toMatch(/ameide-release\/package\/bin\/run\.js$/)
    const installed = path.join(path.dirname(path.dirname(result.added!.AMEIDE_ACTION_CLI!)), 'node_modules', mine.name)
    expect((await readdir(installed)).sort()).toContain(
      mine.name.includes('wasm') ? 'render.wasm.gz' : 'render-native.br',
    )
    expect(result.run!.exitCode, result.run!.stderr).toBe(1) // the fixture fails the gate
    expect(result.output).toContain('summary=fail')
    expect(result.run!.stderr).toContain('::error file=')
    // The CLI it installed renders with that package: doctor says so.
    const doctor = await execa(process.execPath, [result.added!.AMEIDE_ACTION_CLI!, 'doctor', '--offline', '--json'], {
      extendEnv: false,
      env: {
        HOME: home,
        PATH: path.dirname(process.execPath),
        XDG_CACHE_HOME: await makeTempDir('ameide-action-cache-'),
      },
      reject: false,
    })
    const line = JSON.parse(doctor.stdout).checks.find((c: {id: string}) => c.id === 'render-module')
    expect(line.renderers[mine.name.includes('wasm') ? 'wasm' : 'native']).toBe(mine.name)
    // The check step says so, and the caches are skipped.
    const check = await execa('node', [path.join(clones[0], 'scripts/action/release.mjs'), '--check'], {
      env: {GITHUB_ACTION_PATH: clones[0], GITHUB_ACTION_REPOSITORY: REPOSITORY},
    })
    expect(check.stdout).toContain('release=true')
  })

  it('fails on a tampered or a missing asset, naming the URL and both digests, before running anything', async () => {
    const url = `${serverUrl}/${REPOSITORY}/releases/download/v${release.version}/${release.tarball}`
    mode = 'tampered'
    const tampered = await action(clones[0])
    expect(tampered.install.exitCode).toBe(1)
    const actual = createHash('sha256')
      .update(Buffer.concat([bytes, Buffer.from('x')]))
      .digest('hex')
    expect(tampered.install.all).toContain(`${url} has sha256 ${actual}, release.json says ${release.sha256}`)
    expect(tampered.run).toBeUndefined()
    mode = 'missing'
    const missing = await action(clones[0])
    expect(missing.install.exitCode).toBe(1)
    expect(missing.install.all).toContain(`GET ${url} answered 404 (expected sha256 ${release.sha256}, got none)`)
    // The render package is checked as the CLI is.
    const mine = renderPackageHere()
    mode = 'tampered-render'
    const render = await action(clones[0])
    expect(render.install.exitCode).toBe(1)
    const renderUrl = `${serverUrl}/${REPOSITORY}/releases/download/v${release.version}/${mine.tarball}`
    expect(render.install.all).toContain(`${renderUrl} has sha256 `)
    expect(render.install.all).toContain(`release.json says ${mine.sha256}: not run`)
    expect(render.run).toBeUndefined()
    mode = 'ok'
  })

  it('installs with npm straight from the release URL, fetching only that file', async () => {
    mode = 'ok'
    const dir = await makeTempDir('ameide-release-url-')
    const [prefix, cache] = [path.join(dir, 'prefix'), path.join(dir, 'cache')]
    const url = `${serverUrl}/${REPOSITORY}/releases/download/v${release.version}/${release.tarball}`
    await execa(
      'npm',
      ['install', '--global', '--prefix', prefix, url, '--cache', cache, '--registry', `${serverUrl}/no-registry/`],
      {extendEnv: false, env: {...cleanEnv(), npm_config_audit: 'false', npm_config_fund: 'false'}},
    )
    const version = await execa(path.join(prefix, 'bin', 'ameide'), ['--version'], {
      extendEnv: false,
      env: {HOME: home, PATH: path.dirname(process.execPath)},
    })
    expect(version.stdout).toMatch(new RegExp(`^ameide/${release.version.replaceAll('.', '\\.')} `))
  })

  it('at a commit whose sources differ from release.json, builds from source and says so', async () => {
    // The second clone's build is in place (dist/, node_modules): building from source finds nothing to do.
    await appendFile(path.join(clones[1], 'src/core/package-root.ts'), '\n')
    registerCleanup(() =>
      execa('git', ['checkout', '--', 'src/core/package-root.ts'], {cwd: clones[1]}).then(() => undefined),
    )
    const result = await action(clones[1])
    expect(result.install.exitCode, result.install.all).toBe(0)
    expect(result.install.all).toContain('building from source: the sources changed since release')
    expect(result.added).toEqual({})
    expect(result.run!.exitCode).toBe(1)
    expect((await stat(path.join(clones[1], 'dist/cli/commands.js'))).isFile()).toBe(true)
  })
})
