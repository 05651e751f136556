import {chmod, mkdir, readFile, symlink, writeFile} from 'node:fs/promises'
import {createServer, type Server} from 'node:http'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {CHECK_IDS, CHECK_STATES, CHECK_STATUSES, COMMAND_IDS} from '../../src/doctor/types.js'
import {runCli, type CliRun} from '../support/cli.js'
import {startFakeGitHub, type FakeGitHub} from '../support/github-server.js'
import {assertMatchesSchema} from '../support/schema.js'
import {commitAll, initGitRepo, makeTempDir, registerCleanup, runCleanups} from '../support/tmp.js'
import {COSIGN3_DIR, REPO_ROOT, requireTool} from '../support/toolchain.js'
import {cliWithoutRenderModule} from '../support/unbuilt-package.js'

/**
 * `ameide doctor` as a newcomer runs it: the built CLI with a PATH of chosen real tools (a folder of links), a clean
 * HOME, no inherited environment. Present tools, one missing (left out of PATH), one unusable (an executable on PATH
 * that exits 1: a real broken binary, not a mock of ameide), an invalid ameide.yaml, outside a repository, the GitHub
 * token against the OpenAPI-validating stand-in (may dispatch, read-only, rejected), --offline, and a GitHub that
 * never answers. Every --json document is validated against schemas/doctor.schema.json.
 */
const GH_TOKEN = 'ghp_doctor-canary-token-5d1e93'
const REGISTRY_SECRET = 'registry-canary-password-77c1'

const TOOLS = ['git', 'buildah', 'podman', 'skopeo', 'cosign', 'cdxgen', 'node'] as const

let mono: string
let home: string
let github: FakeGitHub

/** A folder holding links to the real tools named (and whatever `extra` writes), to be the whole PATH. */
async function pathWith(tools: readonly string[], extra: Record<string, string> = {}): Promise<string> {
  const dir = await makeTempDir('ameide-doctor-bin-')
  for (const tool of tools) await symlink(requireTool(tool), path.join(dir, tool))
  for (const [name, script] of Object.entries(extra)) {
    await writeFile(path.join(dir, name), script)
    await chmod(path.join(dir, name), 0o755)
  }
  return dir
}

async function doctor(args: string[], env: Record<string, string>, cwd = mono, cli?: string): Promise<CliRun> {
  return runCli(['doctor', ...args], {
    cwd,
    extendEnv: false,
    env: {HOME: home, NO_COLOR: '1', CI: 'true', ...env},
    ...(cli ? {cli} : {}),
  })
}

interface Line {
  id: string
  status: string
  state: string
  required: boolean
}

function checkOf(run: CliRun, id: string) {
  const doc = run.json()
  assertMatchesSchema('doctor.schema.json', doc)
  assertThreeStates(doc.checks, doc.ready, run.exitCode)
  return doc.checks.find((c: {id: string}) => c.id === id)
}

/** ✓ ok when found; ✗ fail when required and not found; ! warn for the rest; exit 3 exactly when a line fails. */
function assertThreeStates(checks: Line[], ready: boolean, exitCode: number | undefined): void {
  for (const c of checks) expect(c.state, c.id).toBe(c.status === 'ok' ? 'ok' : c.required ? 'fail' : 'warn')
  expect(ready).toBe(!checks.some((c) => c.state === 'fail'))
  expect(exitCode).toBe(ready ? 0 : 3)
}

function assertNoSecret(run: CliRun): void {
  for (const secret of [GH_TOKEN, REGISTRY_SECRET, Buffer.from(`ci:${REGISTRY_SECRET}`).toString('base64')]) {
    expect(run.stdout).not.toContain(secret)
    expect(run.stderr).not.toContain(secret)
  }
}

beforeAll(async () => {
  mono = await makeTempDir('ameide-doctor-mono-')
  await initGitRepo(mono)
  await mkdir(path.join(mono, 'primitives', 'domain', 'orders'), {recursive: true})
  await writeFile(path.join(mono, 'primitives', 'domain', 'orders', 'README.md'), '# orders\n')
  await writeFile(path.join(mono, 'ameide.yaml'), 'registry: registry.example.com/team\n')
  // buf where verify finds it: the monorepo's node_modules/.bin.
  await mkdir(path.join(mono, 'node_modules', '.bin'), {recursive: true})
  await symlink(path.join(REPO_ROOT, 'node_modules', '.bin', 'buf'), path.join(mono, 'node_modules', '.bin', 'buf'))
  await commitAll(mono, 'monorepo')
  home = await makeTempDir('ameide-doctor-home-')
  github = await startFakeGitHub({token: GH_TOKEN})
  registerCleanup(() => github.close())
})

afterAll(runCleanups)

describe('ameide doctor', () => {
  it('present tools: every line ok, ready, exit 0; credentials found and never printed', async () => {
    const docker = path.join(home, '.docker')
    await mkdir(docker, {recursive: true})
    const auth = Buffer.from(`ci:${REGISTRY_SECRET}`).toString('base64')
    await writeFile(path.join(docker, 'config.json'), JSON.stringify({auths: {'registry.example.com': {auth}}}))
    const bin = await pathWith(TOOLS)
    const env = {PATH: bin, GH_TOKEN}
    const run = await doctor(['--json', '--api-url', github.url], env)
    await import('node:fs/promises').then((fs) => fs.rm(docker, {recursive: true}))
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    const doc = run.json()
    assertMatchesSchema('doctor.schema.json', doc)
    expect(doc.ready).toBe(true)
    expect(doc.repository).toMatchObject({root: mono, kind: 'monorepo', config: 'ameide.yaml'})
    expect(doc.repository.commands).toContain('primitive publish')
    assertThreeStates(doc.checks, doc.ready, run.exitCode)
    const status = Object.fromEntries(doc.checks.map((c: {id: string; status: string}) => [c.id, c.status]))
    expect(status).toMatchObject({
      node: 'ok',
      git: 'ok',
      config: 'ok',
      builder: 'ok',
      cosign: 'ok',
      sbom: 'ok',
      buf: 'ok',
      'template-engine': 'ok',
      'render-module': 'ok',
      'registry-credentials': 'ok',
      'github-token': 'ok',
    })
    // The render module the build put in dist/render-module/: Helm, kustomize and Argo CD's go-jsonnet with nothing to
    // install. It is the one renderer: no helm, kustomize or sandbox line.
    expect(doc.checks.map((c: {id: string}) => c.id)).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/^(helm|kustomize|sandbox)$/)]),
    )
    expect(checkOf(run, 'render-module').detail).toMatch(
      /^Helm v4\.\d+\.\d+\S*, kustomize v5\.\d+\.\d+ and go-jsonnet v0\.22\.0 \(Argo CD's jsonnet\), Flux's envsubst v1\.\d+\.\d+ \(post-build variables\) \(go1\.\d+\.\d+\): the native helper (from this build|not installed), the WebAssembly module \([\d.]+ MB; sha256 [0-9a-f]{64}\) from this build; nothing to install/,
    )
    // Which renderers this installation has, and from where: a build has both (the native helper on Linux x64, arm64).
    const nativeHere = process.platform === 'linux' && ['x64', 'arm64'].includes(process.arch)
    expect(checkOf(run, 'render-module').renderers).toEqual({
      native: nativeHere ? 'this build' : null,
      wasm: 'this build',
      engine: nativeHere ? 'native (seccomp)' : expect.stringMatching(/^wasm: /),
    })
    expect(checkOf(run, 'render-module').version).toMatch(
      /^helm v4\.\S+, kustomize v5\.\S+, jsonnet v0\.22\.0, envsubst v1\.\d+\.\d+$/,
    )
    // The engine the build put in dist/engine/, started and asked to render: no tool on PATH.
    expect(checkOf(run, 'template-engine').detail).toMatch(/^Go's text\/template \+ sprig .* as WebAssembly \(go1\.\d+/)
    // Which engine runs it here: the render helper, confined, where it starts (Linux x64 and arm64), else WebAssembly.
    const native = process.platform === 'linux' && ['x64', 'arm64'].includes(process.arch)
    expect(checkOf(run, 'template-engine').detail).toMatch(
      native ? /; the engine that runs here: native \(seccomp\)$/ : /; the engine that runs here: wasm: /,
    )
    // What built it, as dist/engine/engine.json records it: the engine's sha256 and each Go module with its go.sum hash.
    const built = JSON.parse(await readFile(path.join(REPO_ROOT, 'dist/engine/engine.json'), 'utf8'))
    expect(checkOf(run, 'template-engine').engine).toMatchObject({go: built.go, sha256: built.sha256})
    expect(checkOf(run, 'template-engine').engine?.modules).toContainEqual({
      path: 'github.com/Masterminds/sprig/v3',
      version: 'v3.3.0',
      sum: built.modules['github.com/Masterminds/sprig/v3'].sum,
    })
    expect(checkOf(run, 'template-engine').engine?.modules).toHaveLength(Object.keys(built.modules).length)
    expect(checkOf(run, 'template-engine').detail).toContain(`sha256 ${built.sha256}`)
    expect(checkOf(run, 'registry-credentials').detail).toBe('credentials for registry.example.com from docker config')
    expect(checkOf(run, 'github-token').detail).toContain(
      'GH_TOKEN may dispatch the workflows of ameideio/ameide-gitops',
    )
    expect(checkOf(run, 'builder').detail).toMatch(/^buildah builds/)
    expect(checkOf(run, 'git').version).toMatch(/^\d+\.\d+/)
    // Required: what the monorepo's commands cannot run without; helm and the credentials are reported only.
    const required = doc.checks.filter((c: {required: boolean}) => c.required).map((c: {id: string}) => c.id)
    expect(required).toEqual(['node', 'git', 'config', 'builder', 'cosign', 'sbom', 'buf'])
    expect(github.requestsFor('repos/get')).toHaveLength(1)
    expect(github.violations).toEqual([])
    assertNoSecret(run)
  })

  it('a missing tool (not on PATH): missing, with its fix and who needs it; exit 3 in both modes', async () => {
    const bin = await pathWith(TOOLS.filter((t) => t !== 'cosign'))
    const json = await doctor(['--json', '--offline'], {PATH: bin})
    expect(json.exitCode).toBe(3)
    const cosign = checkOf(json, 'cosign')
    expect(cosign).toMatchObject({status: 'missing', state: 'fail', required: true, detail: 'cosign is not on PATH'})
    expect(cosign.fix).toContain('cosign')
    expect(cosign.neededBy).toEqual(['primitive publish', 'primitive status', 'gitops verify'])
    expect(json.json().ready).toBe(false)

    // Neither NO_COLOR nor CI: off a terminal alone must mean no spinner and no colour.
    const human = await doctor(['--offline'], {PATH: bin, NO_COLOR: '', CI: ''})
    expect(human.exitCode).toBe(3)
    expect(human.stdout).toContain('✗ cosign missing (required): cosign is not on PATH')
    expect(human.stdout).toContain('needed by: ameide primitive publish, ameide primitive status, ameide gitops verify')
    expect(human.stdout).toContain('Not ready (exit 3): cosign.')
    expect(human.stdout + human.stderr).not.toContain('\u001B[')
  })

  it('an unusable tool (on PATH, exits 1): unusable with what it said; exit 3', async () => {
    const bin = await pathWith(
      TOOLS.filter((t) => t !== 'cosign'),
      {cosign: '#!/bin/sh\necho "cosign: error while loading shared libraries" >&2\nexit 1\n'},
    )
    const run = await doctor(['--json', '--offline'], {PATH: bin})
    expect(run.exitCode).toBe(3)
    expect(checkOf(run, 'cosign')).toMatchObject({
      status: 'unusable',
      state: 'fail',
      required: true,
      detail: 'cosign version --json exited 1: cosign: error while loading shared libraries',
    })
  })

  it('an SBOM tool not required when publish.sbom is none; an invalid ameide.yaml is the error, exit 3', async () => {
    const repo = await makeTempDir('ameide-doctor-conf-')
    await initGitRepo(repo)
    await mkdir(path.join(repo, 'primitives'))
    await writeFile(path.join(repo, 'ameide.yaml'), 'publish:\n  sbom: none\n')
    const bin = await pathWith(TOOLS.filter((t) => t !== 'cdxgen' && t !== 'skopeo'))
    const none = await doctor(['--json', '--offline'], {PATH: bin}, repo)
    expect(checkOf(none, 'sbom')).toMatchObject({
      status: 'ok',
      required: false,
      detail: 'publish.sbom is none: no SBOM',
    })
    expect(checkOf(none, 'buf')).toMatchObject({status: 'missing', required: true})
    expect(none.exitCode).toBe(3)

    await writeFile(path.join(repo, 'ameide.yaml'), 'registry: r.example.com/x\nregistyr: typo\n')
    const invalid = await doctor(['--json', '--offline'], {PATH: bin}, repo)
    expect(invalid.exitCode).toBe(3)
    const config = checkOf(invalid, 'config')
    expect(config.status).toBe('unusable')
    expect(config.detail).toMatch(/^ameide\.yaml is invalid: .*registyr/)
    expect(config.fix).toContain('docs/configuration.md')
  })

  it('a GitOps checkout that renders requires the render module: ✗ without it, ✓ with it, no binary asked for; outside a repository only Node.js and git are required', async () => {
    const gitops = await makeTempDir('ameide-doctor-gitops-')
    await initGitRepo(gitops)
    await writeFile(path.join(gitops, 'ameide.yaml'), 'gitopsPolicy:\n  render: true\n')
    const bin = await pathWith(['git', 'node'])
    // The built package without dist/render-module (test/support/unbuilt-package.ts): a source build without Go.
    const unbuilt = await cliWithoutRenderModule()
    const run = await doctor(['--json', '--offline'], {PATH: bin}, gitops, unbuilt)
    expect(run.exitCode).toBe(3)
    expect(run.json().repository).toMatchObject({
      kind: 'gitops',
      commands: ['gitops verify', 'gitops diff', 'gitops set-image', 'gitops promote', 'mcp'],
    })
    expect(checkOf(run, 'render-module')).toMatchObject({status: 'missing', state: 'fail', required: true})
    expect(checkOf(run, 'render-module').detail).toMatch(
      /^not built: no chart, kustomize root or Argo CD jsonnet renders/,
    )
    expect(checkOf(run, 'render-module').fix).toMatch(/npm (ci && npm )?run build/)
    // Missing, but no command of a GitOps checkout builds images: ! not ✗.
    expect(checkOf(run, 'builder')).toMatchObject({status: 'missing', state: 'warn', required: false})
    const unbuiltHuman = await doctor(['--offline'], {PATH: bin}, gitops, unbuilt)
    expect(unbuiltHuman.stdout).toMatch(
      /^✗ helm, kustomize and jsonnet \(render module\) missing \(required\): not built/m,
    )
    expect(unbuiltHuman.stdout).toMatch(/^! image builder missing: /m)
    expect(unbuiltHuman.stdout).toContain('Not ready (exit 3): helm, kustomize and jsonnet (render module).')
    // With the render module built: ready with no helm, kustomize or bubblewrap on PATH, and no line asks for one.
    const module = await doctor(['--json', '--offline'], {PATH: bin}, gitops)
    expect(module.exitCode).toBe(0)
    expect(checkOf(module, 'render-module')).toMatchObject({status: 'ok', state: 'ok', required: true})
    const human = await doctor(['--offline'], {PATH: bin}, gitops)
    expect(human.exitCode).toBe(0)
    expect(human.stdout).not.toMatch(/^✗/m)
    expect(human.stdout).not.toMatch(/^. (kustomize|helm|renderer sandbox)( missing)?:/m)
    expect(human.stdout).toMatch(/^Ready: everything the 5 commands of this repository need is usable \(\d+ marked ! /m)
    // The template engine's WebAssembly module absent: where the native helper is installed it links the engine and
    // runs it (a release on Linux x64 carries no WebAssembly); with neither, the engine is missing.
    const noWasm = {PATH: bin, AMEIDE_GOTEMPLATE_WASM: path.join(gitops, 'none.wasm')}
    const nativeOnly = await doctor(['--json', '--offline'], noWasm, gitops)
    const nativeHere = process.platform === 'linux' && ['x64', 'arm64'].includes(process.arch)
    if (nativeHere)
      expect(checkOf(nativeOnly, 'template-engine')).toMatchObject({
        status: 'ok',
        detail: expect.stringMatching(/the engine that runs here: native \(seccomp\)$/),
      })
    const noEngine = await doctor(['--json', '--offline'], noWasm, gitops, unbuilt)
    expect(checkOf(noEngine, 'template-engine')).toMatchObject({
      status: 'missing',
      required: false,
      detail: 'not built: every ApplicationSet is render-unavailable',
      // This copy has no sources to build it from.
      fix: expect.stringMatching(/^this package was packed without it: install a release built with the engine/),
    })

    const outside = await makeTempDir('ameide-doctor-outside-')
    const bare = await doctor(['--json', '--offline'], {PATH: bin}, outside)
    expect(bare.exitCode).toBe(0)
    expect(bare.json().repository).toEqual({root: null, kind: 'none', config: null, commands: []})
    expect(checkOf(bare, 'config')).toMatchObject({status: 'missing', required: false})
  })

  it('the render-module line says which Kubernetes minors and which CRD catalog the build holds', async () => {
    const gitops = await makeTempDir('ameide-doctor-kubernetes-')
    await initGitRepo(gitops)
    await writeFile(path.join(gitops, 'ameide.yaml'), 'gitopsPolicy:\n  render: true\n')
    const bin = await pathWith(['git', 'node'])
    const line = checkOf(await doctor(['--json', '--offline'], {PATH: bin}, gitops), 'render-module')
    const native = process.platform === 'linux' && ['x64', 'arm64'].includes(process.arch)
    expect(line.kubernetes).toMatchObject({
      minors: ['1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35', '1.36', '1.37'],
      apiTable: true,
      fields: Object.fromEntries(
        ['1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35', '1.36', '1.37'].map((m) => [
          m,
          expect.stringMatching(new RegExp(`^k8s\\.io/kubernetes@v${m.replace('.', '\\.')}\\.\\d+$`)),
        ]),
      ),
      apiextensions: native ? expect.stringMatching(/^v0\.\d+\.\d+$/) : null,
    })
    // The catalog's releases are the pins of scripts/crd-catalog.json, in order, each with the CRDs the build took.
    const pins = JSON.parse(await readFile(path.join(REPO_ROOT, 'scripts/crd-catalog.json'), 'utf8')).modules
    const built = JSON.parse(await readFile(path.join(REPO_ROOT, 'dist/kubernetes/crd-catalog.json'), 'utf8'))
    type Release = {module: string; version: string; licence: string; crds: number}
    const catalog = line.kubernetes.crdCatalog as {crds: number; releases: Release[]}
    expect(catalog.crds).toBe(built.length)
    expect(catalog.releases.map((r) => ({module: r.module, version: r.version, licence: r.licence}))).toEqual(
      pins.map((p: {module: string; version: string; licence: string}) => ({
        module: p.module,
        version: p.version,
        licence: p.licence,
      })),
    )
    expect(catalog.releases.find((r) => r.module === 'istio.io/api')!.crds).toBeGreaterThan(10)
    expect(line.detail).toContain(
      `the built-in CRD catalog: ${built.length} CRDs of ${pins.length} releases (github.com/argoproj/argo-cd/v3@`,
    )
    expect(line.detail).toContain(
      "the apiVersions Kubernetes 1.29–1.37 serve (k8s.io/api's lifecycle), the schemas of the built-in kinds per minor (k8s.io/kubernetes@v1.29.",
    )
    const human = await doctor(['--offline'], {PATH: bin}, gitops)
    expect(human.stdout).toMatch(
      /^✓ helm, kustomize and jsonnet \(render module\).*CRD catalog: \d+ CRDs of \d+ releases/m,
    )
  })

  it('a configured registry means publish is configured: builder, cosign and SBOM tool required, exit 3 without them', async () => {
    const repo = await makeTempDir('ameide-doctor-registry-')
    await initGitRepo(repo)
    await writeFile(path.join(repo, 'ameide.yaml'), 'registry: registry.example.com/team\n')
    await commitAll(repo, 'configured')
    const bin = await pathWith(['git', 'node'])
    const run = await doctor(['--json', '--offline'], {PATH: bin}, repo)
    expect(run.exitCode).toBe(3)
    expect(run.json().repository.commands).toContain('primitive publish')
    for (const id of ['builder', 'cosign', 'sbom']) {
      expect(checkOf(run, id)).toMatchObject({status: 'missing', required: true})
    }
  })

  it('a tool that names no version number: its version as it states it (devel), never null', async () => {
    const bin = await pathWith(
      TOOLS.filter((t) => t !== 'cosign'),
      {cosign: '#!/bin/sh\necho \'{"gitVersion": "devel", "gitCommit": "unknown"}\'\n'},
    )
    const run = await doctor(['--json', '--offline'], {PATH: bin})
    expect(checkOf(run, 'cosign')).toMatchObject({status: 'ok', version: 'devel'})
  })

  it('cosign 2 and 3: the version and what it means for the commands (cosign 3: bundles, both formats read)', async () => {
    const two = await doctor(['--json', '--offline'], {PATH: await pathWith(TOOLS)})
    expect(checkOf(two, 'cosign').detail).toMatch(
      /cosign 2: publish signs and attests as \.sig\/\.att tags.*evidence-unreadable/,
    )
    const withCosign3 = await pathWith(TOOLS.filter((t) => t !== 'cosign'))
    await symlink(path.join(COSIGN3_DIR, 'cosign'), path.join(withCosign3, 'cosign'))
    const three = await doctor(['--json', '--offline'], {PATH: withCosign3})
    expect(checkOf(three, 'cosign')).toMatchObject({status: 'ok', version: '3.1.3'})
    expect(checkOf(three, 'cosign').detail).toMatch(
      /cosign 3: publish signs and attests Sigstore bundles.*both formats/,
    )
  })

  it('the GitHub token: read-only is unusable, a rejected one is unusable, none is missing; never printed', async () => {
    const bin = await pathWith(['git', 'node'])
    const readOnly = await startFakeGitHub({token: GH_TOKEN, permission: 'pull'})
    registerCleanup(() => readOnly.close())
    const ro = await doctor(['--json', '--api-url', readOnly.url], {PATH: bin, GH_TOKEN})
    expect(checkOf(ro, 'github-token')).toMatchObject({
      status: 'unusable',
      required: false,
      detail: 'GH_TOKEN may only read ameideio/ameide-gitops: it cannot dispatch its workflows',
    })
    expect(readOnly.violations).toEqual([])
    const rejected = await doctor(['--json', '--api-url', github.url], {PATH: bin, GITHUB_TOKEN: 'ghp_wrong-token-1'})
    expect(checkOf(rejected, 'github-token')).toMatchObject({
      status: 'unusable',
      detail: 'GitHub rejected GITHUB_TOKEN (401)',
    })
    const none = await doctor(['--json', '--api-url', github.url], {PATH: bin})
    expect(checkOf(none, 'github-token')).toMatchObject({status: 'missing'})
    expect(checkOf(none, 'github-token').fix).toContain('gh auth login')
    for (const r of [ro, rejected, none]) assertNoSecret(r)
    expect(rejected.stdout).not.toContain('ghp_wrong-token-1')
  })

  it('--offline asks nothing; a GitHub that never answers is "unknown" after the short timeout', async () => {
    const sockets = new Set<import('node:net').Socket>()
    const silent: Server = createServer(() => {})
    silent.on('connection', (s) => sockets.add(s))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    registerCleanup(async () => {
      for (const s of sockets) s.destroy()
      await new Promise((resolve) => silent.close(resolve))
    })
    const url = `http://127.0.0.1:${(silent.address() as import('node:net').AddressInfo).port}`
    const bin = await pathWith(['git', 'node'])

    const offline = await doctor(['--json', '--offline', '--api-url', url], {PATH: bin, GH_TOKEN})
    expect(offline.json().offline).toBe(true)
    expect(checkOf(offline, 'github-token')).toMatchObject({
      status: 'unknown',
      detail: 'GH_TOKEN is set; not asked (--offline)',
    })
    expect(sockets.size).toBe(0)

    const hanging = await doctor(['--json', '--api-url', url], {PATH: bin, GH_TOKEN})
    expect(sockets.size).toBeGreaterThan(0)
    expect(checkOf(hanging, 'github-token')).toMatchObject({
      status: 'unknown',
      detail: 'GH_TOKEN is set; GitHub could not be asked: no answer in 5 s',
    })
    assertNoSecret(hanging)
  })

  it('the schema lists exactly the checks, statuses and commands the code declares', async () => {
    const {readFileSync} = await import('node:fs')
    const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, 'schemas', 'doctor.schema.json'), 'utf8'))
    expect(schema.definitions.check.properties.id.enum).toEqual([...CHECK_IDS])
    expect(schema.definitions.check.properties.status.enum).toEqual([...CHECK_STATUSES])
    expect(schema.definitions.check.properties.state.enum).toEqual([...CHECK_STATES])
    expect(schema.definitions.command.enum).toEqual([...COMMAND_IDS])
  })

  it('bad input: a --repo-root that is not a directory is exit 2, an --api-url that is not http(s) too', async () => {
    const bin = await pathWith(['git', 'node'])
    const root = await doctor(['--json', '--repo-root', path.join(home, 'nope')], {PATH: bin})
    expect(root.exitCode).toBe(2)
    expect(root.json().error.code).toBe('REPO_ROOT_NOT_FOUND')
    const api = await doctor(['--json', '--api-url', 'ftp://x'], {PATH: bin})
    expect(api.exitCode).toBe(2)
    expect(api.json().error.code).toBe('INVALID_API_URL')
  })
})
