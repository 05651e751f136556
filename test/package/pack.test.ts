import {execa} from 'execa'
import {mkdir, readdir, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import semver from 'semver'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {listAppSetRepo} from '../support/appset-repo.js'
import {GITOPS_FIXTURE} from '../support/gitops-fixture.js'
import {helmGitopsRepo} from '../support/helm-repo.js'
import {expectHelpersAsRecorded, ONE_CHART} from '../support/native-package.js'
import {assertMatchesSchema} from '../support/schema.js'
import {commitAll, initGitRepo, makeTempDir, runCleanups} from '../support/tmp.js'

/**
 * The package as npm users get it: `npm pack`, then `npm install -g` of the tarball into a fresh prefix (production
 * dependencies only, from the registry), then every command run from an unrelated directory — templates, schemas
 * and the manifest must be found inside the installed package. And `npx` from the tarball. npm and ameide run with an
 * empty HOME (npm keeps the machine's package cache: downloads only).
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
let tarball: string
let prefix: string
let ameide: string
let home: string
let cache: string

beforeAll(async () => {
  const dir = await makeTempDir('ameide-pack-')
  home = await makeTempDir('ameide-pack-home-')
  cache = (await execa('npm', ['config', 'get', 'cache'])).stdout.trim()
  // --ignore-scripts: dist/ is built before the suite runs (scripts/test.sh); rebuilding it here would race other test files.
  await execa('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--silent'], {cwd: ROOT})
  tarball = path.join(
    dir,
    (await readdir(dir)).find((f) => f.endsWith('.tgz'))!,
  )
  prefix = path.join(dir, 'prefix')
  await execa(
    'npm',
    ['install', '--global', '--prefix', prefix, tarball, '--no-audit', '--no-fund', '--loglevel=error'],
    {
      env: {HOME: home, npm_config_cache: cache},
    },
  )
  ameide = path.join(prefix, 'bin', 'ameide')
}, 300_000)
afterAll(runCleanups)

const run = async (args: string[], cwd: string) =>
  execa(ameide, args, {cwd, reject: false, env: {HOME: home, NO_COLOR: '1', CI: 'true', GITHUB_ACTIONS: ''}})

describe('the npm package', () => {
  it('installs without devDependencies and answers --version and every --help', async () => {
    const installed = await readdir(path.join(prefix, 'lib', 'node_modules', 'ameide', 'node_modules'))
    for (const dev of ['oxc-parser', 'vitest', 'eslint', 'oclif', 'prettier']) expect(installed).not.toContain(dev)
    const elsewhere = await makeTempDir('ameide-cwd-')
    expect((await run(['--version'], elsewhere)).stdout).toMatch(/^ameide\/\d+\.\d+\.\d+ /)
    for (const id of [
      'primitive scaffold',
      'primitive verify',
      'primitive publish',
      'gitops verify',
      'gitops set-image',
    ]) {
      const help = await run([...id.split(' '), '--help'], elsewhere)
      expect(help.exitCode, id).toBe(0)
      expect(help.stdout).toContain('ERROR CODES')
    }
  })

  it('runs from its bundle: autocomplete lists every command, a mistyped one is not found (exit 127)', async () => {
    const elsewhere = await makeTempDir('ameide-cwd-')
    const cache = await makeTempDir('ameide-xdg-')
    const env = {NO_COLOR: '1', CI: 'true', XDG_CACHE_HOME: cache}
    const refresh = await execa(ameide, ['autocomplete', '--refresh-cache'], {cwd: elsewhere, reject: false, env})
    expect(refresh.exitCode, refresh.stderr).toBe(0)
    const bash = await readFile(path.join(cache, 'ameide/autocomplete/functions/bash/ameide.bash'), 'utf8')
    for (const id of ['primitive:verify', 'primitive:gitops:scaffold', 'gitops:set-image']) expect(bash).toContain(id)
    const typo = await run(['primitve', 'verify'], elsewhere)
    expect(typo.exitCode).toBe(127)
    expect(typo.stderr).toContain('primitve verify is not a ameide command')
    // The package ships the bundle, the template engine (dist/engine/), the render module (dist/render-module/) and
    // the Kubernetes API table and CRD catalog (dist/kubernetes/), not tsc's module tree.
    const installed = path.join(prefix, 'lib', 'node_modules', 'ameide', 'dist')
    expect((await readdir(installed)).sort()).toEqual([
      'THIRD-PARTY-NOTICES.txt',
      'cli',
      'core',
      'engine',
      'help.json',
      'kubernetes',
      'render-module',
    ])
    const top = await readdir(path.dirname(installed))
    expect(top).toEqual(expect.arrayContaining(['LICENSE', 'NOTICE']))
  })

  it('carries the licence, the notice, and the notices of every package bundled and Go module compiled in', async () => {
    const dist = path.join(prefix, 'lib', 'node_modules', 'ameide', 'dist')
    const notices = await readFile(path.join(dist, 'THIRD-PARTY-NOTICES.txt'), 'utf8')
    const bundled = JSON.parse(await readFile(path.join(ROOT, 'dist/bundle-packages.json'), 'utf8')) as string[]
    for (const dir of bundled) {
      const {name, version} = JSON.parse(await readFile(path.join(ROOT, dir, 'package.json'), 'utf8'))
      expect(notices).toContain(`\n${name} ${version}\nnpm package, bundled\n`)
    }
    const record = JSON.parse(await readFile(path.join(dist, 'render-module/render-module.json'), 'utf8'))
    for (const [module, {version}] of Object.entries(record.modules as Record<string, {version: string}>))
      expect(notices).toContain(`\n${module} ${version}\nGo module, compiled into `)
    // Helm's, kustomize's and go-jsonnet's own licence texts, and Go's with its patent grant.
    expect(notices).toMatch(/\nhelm\.sh\/helm\/v4 v4\.\d+\.\d+\n[^]*?--- LICENSE\n\n\s*Apache License/)
    expect(notices).toMatch(/\nGo go1\.\d+\.\d+\n[^]*?--- LICENSE\n[^]*?--- PATENTS\n/)
    const licence = await readFile(path.join(dist, '..', 'LICENSE'), 'utf8')
    expect(licence).toContain('Apache License\n                           Version 2.0, January 2004')
  })

  it('brings, as a consumer installs it (our overrides do not apply there), only packages whose engines we keep', async () => {
    const ours = (JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as {engines: {node: string}})
      .engines.node
    const found: string[] = []
    const walk = async (modules: string): Promise<void> => {
      const names = await readdir(modules).catch(() => [] as string[])
      for (const name of names.filter((n) => !n.startsWith('.'))) {
        if (name.startsWith('@')) {
          await walk(path.join(modules, name))
          continue
        }
        const dir = path.join(modules, name)
        const manifest = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8').catch(() => '{}'))
        const node = manifest.engines?.node as string | undefined
        if (manifest.name) found.push(`${manifest.name}@${manifest.version}${node ? ` (node ${node})` : ''}`)
        if (node && !semver.subset(ours, node))
          found.push(`CONFLICT ${manifest.name}@${manifest.version} wants ${node}`)
        await walk(path.join(dir, 'node_modules'))
      }
    }
    await walk(path.join(prefix, 'lib', 'node_modules', 'ameide', 'node_modules'))
    expect(found.length).toBeGreaterThan(50)
    expect(found.filter((f) => f.startsWith('CONFLICT'))).toEqual([])
  })

  it('finds its templates and schemas from any directory', async () => {
    const repo = await makeTempDir('ameide-pack-repo-')
    await initGitRepo(repo)
    await writeFile(path.join(repo, 'README.md'), '# x\n')
    await commitAll(repo, 'init')
    const scaffold = await run(['primitive', 'scaffold', '--kind', 'domain', '--name', 'orders', '--json'], repo)
    expect(scaffold.exitCode, scaffold.stdout + scaffold.stderr).toBe(0)
    const verify = await run(['primitive', 'verify', '--kind', 'domain', '--name', 'orders', '--json'], repo)
    expect(JSON.parse(verify.stdout).primitives[0].checks.length).toBeGreaterThan(3)
    // ameide.yaml is validated against the packaged schemas/config.schema.json.
    await mkdir(path.join(repo, 'gitops'), {recursive: true})
    await writeFile(path.join(repo, 'ameide.yaml'), 'gitopsPolicy:\n  nope: 1\n')
    const invalid = await run(['gitops', 'verify', '--json'], repo)
    expect(invalid.exitCode).toBe(3)
    expect(JSON.parse(invalid.stdout).error.code).toBe('CONFIG_INVALID')
    const gitops = await run(['gitops', 'verify', '--json', '--root', GITOPS_FIXTURE], repo)
    expect(JSON.parse(gitops.stdout).summary).toBe('fail')
  })

  it('evaluates a goTemplate ApplicationSet with the engine it ships, with no Go on PATH', async () => {
    const repo = await listAppSetRepo('ameide-pack-appset-', {
      elements: [{name: 'Web_App', env: 'staging', count: 3}],
      name: '{{ .name | normalize }}-{{ .env }}-{{ printf "%03.0f" .count }}',
      path: 'apps/{{ slugify .name }}',
    })
    // Only node and git: the engine is the package's WebAssembly, not a Go toolchain.
    const bin = await makeTempDir('ameide-pack-bin-')
    const {symlink} = await import('node:fs/promises')
    await symlink(process.execPath, path.join(bin, 'node'))
    await symlink((await execa('sh', ['-c', 'command -v git'])).stdout.trim(), path.join(bin, 'git'))
    const result = await execa(ameide, ['gitops', 'verify', '--print-layout', '--json'], {
      cwd: repo,
      reject: false,
      extendEnv: false,
      env: {HOME: home, PATH: bin, NO_COLOR: '1', CI: 'true'},
    })
    expect(result.exitCode, result.stderr).toBe(0)
    const [appset] = JSON.parse(result.stdout).layout.applicationSets
    expect(appset.errors).toEqual([])
    expect(appset.applications.map((a: {name: string}) => a.name)).toEqual(['web-app-staging-003'])
    expect(appset.applications[0].sources[0].path).toBe('apps/web-app')
  })

  it('reads TS/JS imports with the TypeScript compiler it installed (a production dependency, loaded on demand)', async () => {
    const repo = await makeTempDir('ameide-pack-ts-')
    await initGitRepo(repo)
    const src = path.join(repo, 'primitives', 'uisurface', 'portal', 'src')
    await mkdir(src, {recursive: true})
    await writeFile(
      path.join(src, 'page.tsx'),
      "export const P = () => <h1>import x from '@buf/text'</h1>\nexport * as proto from '@buf/ameide_core.bufbuild_es'\n",
    )
    await commitAll(repo, 'init')
    const verify = await run(
      ['primitive', 'verify', '--kind', 'uisurface', '--name', 'portal', '--check', 'imports', '--json'],
      repo,
    )
    const check = JSON.parse(verify.stdout).primitives[0].checks[0]
    expect(check.note).toContain('1 TS/JS file(s) naming a forbidden path parsed')
    expect(check.findings.map((f: {line: number; column: number}) => `${f.line}:${f.column}`)).toEqual(['2:25'])
  })

  it('runs through npx from the tarball', async () => {
    const elsewhere = await makeTempDir('ameide-npx-')
    const npx = (args: string[]) =>
      execa('npx', ['--yes', '--package', tarball, 'ameide', ...args], {
        cwd: elsewhere,
        reject: false,
        env: {HOME: home, npm_config_cache: cache, NO_COLOR: '1', CI: 'true'},
      })
    const version = await npx(['--version'])
    expect(version.exitCode, version.stderr).toBe(0)
    expect(version.stdout).toMatch(/^ameide\/\d+\.\d+\.\d+ /)
    const doctor = await npx(['doctor', '--offline', '--json'])
    expect(doctor.exitCode, doctor.stderr).toBe(0)
    const report = JSON.parse(doctor.stdout)
    assertMatchesSchema('doctor.schema.json', report)
    expect(report.repository.root).toBeNull()
  })

  it('carries both native render helpers as native.json records them; installed here, it renders natively', async () => {
    await expectHelpersAsRecorded(path.join(prefix, 'lib', 'node_modules', 'ameide'))
    if (process.platform !== 'linux' || process.arch !== 'x64') return
    const elsewhere = await makeTempDir('ameide-cwd-')
    const doctor = await run(['doctor', '--offline', '--json'], elsewhere)
    const checks = JSON.parse(doctor.stdout).checks as Array<{id: string; detail: string}>
    expect(checks.find((c) => c.id === 'render-module')!.detail).toContain('the render engine: native (seccomp)')
    expect(checks.find((c) => c.id === 'template-engine')!.detail).toMatch(
      /the engine that runs here: native \(seccomp\)$/,
    )
    const repo = await helmGitopsRepo(ONE_CHART)
    const verify = await run(['gitops', 'verify', '--render', '--no-cache', '--json'], repo)
    const json = JSON.parse(verify.stdout)
    expect(
      json.render.deployables.map((d: {status: string}) => d.status),
      verify.stderr,
    ).toEqual(['rendered'])
    expect(json.render.tools.engine).toBe('native (seccomp)')
  })

  it('the global install answers doctor from an empty HOME', async () => {
    const elsewhere = await makeTempDir('ameide-cwd-')
    const doctor = await run(['doctor', '--offline', '--json'], elsewhere)
    expect(doctor.exitCode, doctor.stderr).toBe(0)
    assertMatchesSchema('doctor.schema.json', JSON.parse(doctor.stdout))
  })
})
