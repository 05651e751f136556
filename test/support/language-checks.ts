// The scaffold's own languages, run on a scaffolded primitive with each language's tools (issue 36 §3):
// Go (go vet, go test, gofmt) against Debian's Go sources offline, Python (pytest) with Debian's FastAPI, httpx and
// pytest, TypeScript (npm install, tsc --noEmit, npm test) against a workspace SDK package of the SDK's real shape.
// Each check reports what failed and why, so a test can require "RED only for the AMEIDE_SCAFFOLD marker".
import {execa} from 'execa'
import {existsSync} from 'node:fs'
import {mkdir, readFile, readdir, realpath, symlink, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import {INSTALL_SCRIPT, toolPath} from './toolchain.js'

/** The marker every scaffolded RED test fails with. */
export const MARKER = 'AMEIDE_SCAFFOLD'

/** Where Debian's golang-*-dev packages put their sources (GOPATH layout). */
export const DEBIAN_GOCODE = '/usr/share/gocode/src'

/** Debian's own interpreter: python3-fastapi, python3-httpx and python3-pytest are installed for it, not for a pyenv. */
export const DEBIAN_PYTHON = '/usr/bin/python3'

/** Caches the checks keep between runs (content-addressed, safe to share): a cold run compiles Go's std and grpc. */
export const GO_CACHE = path.join(os.tmpdir(), 'ameide-test-go-build-cache')
export const NPM_CACHE = path.join(os.tmpdir(), 'ameide-test-npm-cache')

/** One failing test of a language's runner and the text it failed with. */
export interface Failure {
  test: string
  message: string
}

/** What a runner reported: the tests that passed, the ones that failed, and anything that is not a test failure. */
export interface RunReport {
  passed: number
  failures: Failure[]
  /** Build, import or collection errors: never allowed. */
  errors: string[]
  output: string
}

/** A RED run fails only for the marker: at least one failure, each failure carrying it, no other error. */
export function redOnlyForMarker(report: RunReport): boolean {
  return (
    report.failures.length > 0 && report.errors.length === 0 && report.failures.every((f) => f.message.includes(MARKER))
  )
}

const run = (cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) =>
  execa(cmd, args, {cwd, env, reject: false, all: true, timeout: 300_000})

// ---------------------------------------------------------------------------------------------------------- Go

/** `go1.24.4` → [1, 24, 4]. */
const goVersionParts = (v: string) => v.replace(/^go/, '').split('.').map(Number)

/** True when version a (e.g. "1.24.4") is at least b (e.g. "1.24"). */
export function goVersionAtLeast(a: string, b: string): boolean {
  const [x, y] = [goVersionParts(a), goVersionParts(b)]
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0)
  }
  return true
}

/** The Go toolchain of .tools/bin or PATH, as `go env GOVERSION` says (throws when there is none). */
export async function goVersion(): Promise<string> {
  const r = await execa('go', ['env', 'GOVERSION'], {
    env: {GOTOOLCHAIN: 'local', PATH: toolPath()},
    reject: false,
    all: true,
  })
  if (r.exitCode !== 0)
    throw new Error(`no usable go in .tools/bin or on PATH (bash ${INSTALL_SCRIPT} installs one): ${r.all}`)
  return r.stdout.trim()
}

interface GoModFile {
  Module: {Path: string}
  Go?: string
  Require?: {Path: string; Version: string; Indirect?: boolean}[]
}

async function goModJson(file: string, env: Record<string, string>): Promise<GoModFile> {
  const r = await run('go', ['mod', 'edit', '-json', file], path.dirname(file), env)
  if (r.exitCode !== 0) throw new Error(`go mod edit -json ${file}: ${r.all}`)
  return JSON.parse(r.stdout) as GoModFile
}

/** Every directory under a module root that holds a non-test .go file (a package), nested modules and testdata aside. */
async function packagesOf(modulePath: string, root: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (dir: string, rel: string): Promise<void> => {
    const entries = await readdir(dir, {withFileTypes: true})
    if (rel !== '' && entries.some((e) => e.name === 'go.mod')) return
    if (entries.some((e) => e.isFile() && e.name.endsWith('.go') && !e.name.endsWith('_test.go')))
      out.push(rel === '' ? modulePath : `${modulePath}/${rel}`)
    for (const e of entries) {
      if (!e.isDirectory() || e.name === 'testdata' || e.name.startsWith('.') || e.name.startsWith('_')) continue
      await walk(path.join(dir, e.name), rel === '' ? e.name : `${rel}/${e.name}`)
    }
  }
  await walk(root, '')
  return out.sort()
}

/** What the Go check resolved and ran. */
export interface GoReport {
  goVersion: string
  /** Modules taken from Debian's sources, with the go.mod path each was found at. */
  vendored: string[]
  /** Required modules no source here carries (no registry: GOPROXY=off). */
  uncarried: string[]
  /** Packages vetted and tested. */
  checked: string[]
  /** Packages that import an uncarried module, each with the module: compiled where a registry carries it. */
  compiledElsewhere: {pkg: string; module: string}[]
  /** `gofmt -l` output over every Go file (must be empty). */
  unformatted: string
  vet: {exitCode: number; output: string}
  test: RunReport
}

/** The environment of every go call: offline, this toolchain, nothing from the user's Go settings. */
function goEnv(dir: string): Record<string, string> {
  return {
    // .tools/bin first: its go (trixie's golang-1.24) over bookworm's /usr/bin/go 1.19.
    PATH: toolPath(),
    GOTOOLCHAIN: 'local',
    GOPROXY: 'off',
    GOSUMDB: 'off',
    // -trimpath keeps the temp dir out of the build cache's keys: the vendored grpc compiled once serves every run.
    GOFLAGS: '-mod=vendor -trimpath',
    GOWORK: 'off',
    GOENV: 'off',
    GOPATH: path.join(dir, '.gopath'),
    GOCACHE: GO_CACHE,
    CGO_ENABLED: '0',
  }
}

/**
 * Makes `vendor/` of a scaffolded Go primitive from Debian's Go sources: the module graph of its go.mod,
 * breadth-first, each module found under /usr/share/gocode/src linked in, each one not found left out (and dropped
 * from go.mod when the primitive requires it directly). go.mod keeps the template's versions; the vendored modules
 * it did not name are added as indirect requirements (Go >= 1.17 vendoring wants every vendored module in go.mod).
 */
async function vendorFromDebian(
  dir: string,
  env: Record<string, string>,
): Promise<{vendored: string[]; uncarried: string[]}> {
  const main = await goModJson(path.join(dir, 'go.mod'), env)
  const direct = new Map((main.Require ?? []).map((r) => [r.Path, r.Version]))
  const queue = [...direct.keys()]
  const seen = new Set<string>()
  const vendored: {path: string; go?: string}[] = []
  const uncarried: string[] = []
  while (queue.length > 0) {
    const mod = queue.shift()!
    if (seen.has(mod)) continue
    seen.add(mod)
    const root = path.join(DEBIAN_GOCODE, mod)
    if (!existsSync(root)) {
      uncarried.push(mod)
      continue
    }
    const gomod = path.join(root, 'go.mod')
    const info = existsSync(gomod) ? await goModJson(gomod, env) : undefined
    vendored.push({path: mod, go: info?.Go})
    for (const r of info?.Require ?? []) queue.push(r.Path)
  }
  const lines: string[] = []
  for (const m of vendored) {
    lines.push(`# ${m.path} ${direct.get(m.path) ?? 'v0.0.0-debian'}`, m.go ? `## explicit; go ${m.go}` : '## explicit')
    lines.push(...(await packagesOf(m.path, path.join(DEBIAN_GOCODE, m.path))))
    const link = path.join(dir, 'vendor', m.path)
    await mkdir(path.dirname(link), {recursive: true})
    await symlink(path.join(DEBIAN_GOCODE, m.path), link)
  }
  await mkdir(path.join(dir, 'vendor'), {recursive: true})
  await writeFile(path.join(dir, 'vendor', 'modules.txt'), lines.join('\n') + '\n')
  const edits = [
    ...uncarried.filter((m) => direct.has(m)).map((m) => `-droprequire=${m}`),
    ...vendored.filter((m) => !direct.has(m.path)).map((m) => `-require=${m.path}@v0.0.0-debian`),
  ]
  if (edits.length > 0) {
    const r = await run('go', ['mod', 'edit', ...edits], dir, env)
    if (r.exitCode !== 0) throw new Error(`go mod edit: ${r.all}`)
  }
  return {vendored: vendored.map((m) => m.path), uncarried}
}

/** The events of `go test -json` as failures (test with output) and errors (a package failing with no failed test). */
export function parseGoTestJson(stdout: string): RunReport {
  type Event = {Action: string; Package?: string; Test?: string; Output?: string; FailedBuild?: string}
  const events = stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Event)
  const output = new Map<string, string>()
  const key = (e: Event) => `${e.Package ?? e.FailedBuild ?? ''}\u0000${e.Test ?? ''}`
  let passed = 0
  const failures: Failure[] = []
  const failedPackages: string[] = []
  for (const e of events) {
    if (e.Action === 'output' || e.Action === 'build-output')
      output.set(key(e), (output.get(key(e)) ?? '') + (e.Output ?? ''))
    if (e.Action === 'pass' && e.Test) passed++
    if (e.Action === 'fail' && e.Test)
      failures.push({test: `${e.Package} ${e.Test}`, message: output.get(key(e)) ?? ''})
    if (e.Action === 'fail' && !e.Test) failedPackages.push(e.Package ?? '')
  }
  const errors = failedPackages
    .filter((p) => !failures.some((f) => f.test.startsWith(`${p} `)))
    .map((p) => `${p}: ${output.get(`${p}\u0000`) ?? 'failed without a failing test'}`)
  // A build failure of a package is reported under FailedBuild (its output as build-output).
  for (const e of events)
    if (e.FailedBuild && !errors.some((x) => x.startsWith(`${e.Package}: `))) errors.push(`${e.Package}: build failed`)
  return {passed, failures, errors, output: stdout}
}

/**
 * The Go check of one scaffolded primitive `dir` (a copy: vendor/ and go.mod are changed). Packages whose
 * imports Debian does not carry are named, gofmt-checked, and left to a machine with a registry.
 */
export async function checkGo(dir: string): Promise<GoReport> {
  const env = goEnv(dir)
  const version = await goVersion()
  const {vendored, uncarried} = await vendorFromDebian(dir, env)
  const listed = await run(
    'go',
    [
      'list',
      '-e',
      '-test',
      '-f',
      '{{.ImportPath}}\t{{range .DepsErrors}}{{.Err}} {{end}}{{with .Error}}{{.Err}}{{end}}',
      './...',
    ],
    dir,
    env,
  )
  if (listed.exitCode !== 0) throw new Error(`go list: ${listed.all}`)
  const problems = new Map<string, string>()
  for (const line of listed.stdout.split('\n').filter(Boolean)) {
    const [importPath, error = ''] = line.split('\t')
    // Test variants ("p [p.test]", "p_test [p.test]", "p.test") count for p.
    const pkg = importPath
      .replace(/ \[.*\]$/, '')
      .replace(/_test$/, '')
      .replace(/\.test$/, '')
    if (error.trim() !== '' && !problems.has(pkg)) problems.set(pkg, error.trim())
  }
  const compiledElsewhere: {pkg: string; module: string}[] = []
  for (const [pkg, error] of problems) {
    const module = uncarried.find((m) => error.includes(m))
    // Any other error (a syntax error, an unknown package) is the check's to report: go vet shows it.
    if (module !== undefined) compiledElsewhere.push({pkg, module})
  }
  const all = listed.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t')[0])
    .filter((p) => !p.includes(' ') && !p.endsWith('.test') && !p.endsWith('_test'))
  const checked = all.filter((p) => !compiledElsewhere.some((c) => c.pkg === p))
  const goFiles = (await readdir(dir, {recursive: true}))
    .filter((f) => f.endsWith('.go') && !f.startsWith('vendor') && !f.startsWith('.gopath'))
    .sort()
  const gofmt = await run('gofmt', ['-l', '-e', ...goFiles], dir, env)
  const vet = await run('go', ['vet', ...checked], dir, env)
  // go vet ran above over the same packages: go test's own vet subset would repeat it.
  const tested = await run('go', ['test', '-vet=off', '-json', ...checked], dir, env)
  return {
    goVersion: version,
    vendored,
    uncarried,
    checked,
    compiledElsewhere: compiledElsewhere.sort((a, b) => a.pkg.localeCompare(b.pkg)),
    unformatted: gofmt.all,
    vet: {exitCode: vet.exitCode ?? -1, output: vet.all},
    test: parseGoTestJson(tested.stdout),
  }
}

// ------------------------------------------------------------------------------------------------------ Python

/** The `<testcase>`s of a JUnit XML report: failures (with message and text) and errors (collection, import). */
export function parseJUnit(xml: string): RunReport {
  const unescape = (s: string) =>
    s
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>')
      .replaceAll('&quot;', '"')
      .replaceAll('&apos;', "'")
      .replaceAll('&amp;', '&')
  let passed = 0
  const failures: Failure[] = []
  const errors: string[] = []
  for (const m of xml.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const attrs = m[1]
    const body = m[3] ?? ''
    const name = `${/classname="([^"]*)"/.exec(attrs)?.[1] ?? ''}::${/\sname="([^"]*)"/.exec(attrs)?.[1] ?? ''}`
    const failure = /<failure\b([^>]*)>([\s\S]*?)<\/failure>|<failure\b([^>]*)\/>/.exec(body)
    const error = /<error\b([^>]*)>([\s\S]*?)<\/error>|<error\b([^>]*)\/>/.exec(body)
    if (error) errors.push(`${name}: ${unescape(error[0])}`)
    else if (failure) failures.push({test: name, message: unescape(failure[0])})
    else if (!/<skipped\b/.test(body)) passed++
  }
  return {passed, failures, errors, output: xml}
}

/** pytest with Debian's interpreter, in `dir`, offline; a JUnit report is read, not the console. */
export async function checkPython(dir: string): Promise<RunReport & {exitCode: number}> {
  if (!existsSync(DEBIAN_PYTHON)) throw new Error(`${DEBIAN_PYTHON} is missing: bash ${INSTALL_SCRIPT} installs it`)
  const junit = path.join(dir, '.pytest-junit.xml')
  const r = await run(DEBIAN_PYTHON, ['-m', 'pytest', '-p', 'no:cacheprovider', '-q', `--junitxml=${junit}`], dir, {
    PYTHONDONTWRITEBYTECODE: '1',
  })
  // No report at all: pytest did not get as far as collecting (a usage error, a missing module).
  const xml = existsSync(junit) ? await readFile(junit, 'utf8') : ''
  const report = xml === '' ? {passed: 0, failures: [], errors: [r.all], output: r.all} : parseJUnit(xml)
  // Exit codes: 1 tests failed; 2 interrupted (collection errors); 3 internal; 4 usage; 5 no tests.
  if (r.exitCode !== 1 && r.exitCode !== 0) report.errors.push(`pytest exited ${r.exitCode}: ${r.all}`)
  return {...report, output: r.all, exitCode: r.exitCode ?? -1}
}

// -------------------------------------------------------------------------------------------------- TypeScript

/**
 * The workspace SDK `@ameideio/ameide-sdk-ts` as a test monorepo holds it at `packages/ameide_sdk_ts`, with the
 * shape the SDK has (backlog 393, 513): the root entry (a client over a transport), `/node` and `/browser`
 * transports, and `/proto.js`, the proto namespaces generated by Buf that services re-export from their own barrel
 * (`src/proto/index.ts` for a UI surface). Built JavaScript with declarations, as the package is published.
 */
export const SDK_TS_FILES: Record<string, string> = {
  'package.json': `${JSON.stringify(
    {
      name: '@ameideio/ameide-sdk-ts',
      version: '0.0.0-test',
      private: true,
      type: 'module',
      exports: {
        '.': {types: './dist/index.d.ts', default: './dist/index.js'},
        './node': {types: './dist/node.d.ts', default: './dist/node.js'},
        './browser': {types: './dist/browser.d.ts', default: './dist/browser.js'},
        './proto.js': {types: './dist/proto.d.ts', default: './dist/proto.js'},
      },
    },
    null,
    2,
  )}\n`,
  'dist/proto.d.ts': `/** Proto namespaces of the Ameide contracts (generated by buf into src/_proto; re-exported here only). */
export * as common from './proto/common.js'
export * as primitive from './proto/primitive.js'
`,
  'dist/proto.js': `export * as common from './proto/common.js'
export * as primitive from './proto/primitive.js'
`,
  'dist/proto/common.d.ts': `/** ameide_core_proto.common.v1 */
export interface RequestContext {
  tenantId: string
  correlationId: string
  causationId: string
  traceparent: string
}
export declare const RequestContextTypeName = "ameide_core_proto.common.v1.RequestContext"
export declare function createRequestContext(init?: Partial<RequestContext>): RequestContext
`,
  'dist/proto/common.js': `export const RequestContextTypeName = 'ameide_core_proto.common.v1.RequestContext'
export function createRequestContext(init = {}) {
  return {tenantId: '', correlationId: '', causationId: '', traceparent: '', ...init}
}
`,
  'dist/proto/primitive.d.ts': `/** ameide_core_proto.primitive.v1 */
export declare enum PrimitiveKind {
  UNSPECIFIED = 0,
  DOMAIN = 1,
  PROCESS = 2,
  AGENT = 3,
  UISURFACE = 4,
  PROJECTION = 5,
  INTEGRATION = 6
}
export interface PrimitiveRef {
  kind: PrimitiveKind
  name: string
}
export declare function createPrimitiveRef(init?: Partial<PrimitiveRef>): PrimitiveRef
`,
  'dist/proto/primitive.js': `export var PrimitiveKind
;(function (K) {
  for (const [n, v] of [['UNSPECIFIED', 0], ['DOMAIN', 1], ['PROCESS', 2], ['AGENT', 3], ['UISURFACE', 4], ['PROJECTION', 5], ['INTEGRATION', 6]]) {
    K[(K[n] = v)] = n
  }
})(PrimitiveKind || (PrimitiveKind = {}))
export function createPrimitiveRef(init = {}) {
  return {kind: PrimitiveKind.UNSPECIFIED, name: '', ...init}
}
`,
  'dist/index.d.ts': `import type {RequestContext} from './proto/common.js'
/** Sends one unary call; the node and browser entries provide one over HTTP. */
export interface Transport {
  unary(service: string, method: string, request: Uint8Array, context: RequestContext): Promise<Uint8Array>
}
export interface AmeideClientOptions {
  transport: Transport
  /** Deployed identity of the caller, sent with every call. */
  caller: string
}
export interface AmeideClient {
  readonly caller: string
  call(service: string, method: string, request: Uint8Array, context: RequestContext): Promise<Uint8Array>
}
export declare function createAmeideClient(options: AmeideClientOptions): AmeideClient
`,
  'dist/index.js': `export function createAmeideClient({transport, caller}) {
  return {caller, call: (service, method, request, context) => transport.unary(service, method, request, context)}
}
`,
  'dist/node.d.ts': `import type {Transport} from './index.js'
export declare function createNodeTransport(options: {baseUrl: string}): Transport
`,
  'dist/node.js': `export function createNodeTransport({baseUrl}) {
  return {
    async unary(service, method, request, context) {
      const response = await fetch(new URL(\`/\${service}/\${method}\`, baseUrl), {
        method: 'POST',
        headers: {'content-type': 'application/proto', traceparent: context.traceparent},
        body: request,
      })
      if (!response.ok) throw new Error(\`\${service}/\${method}: HTTP \${response.status}\`)
      return new Uint8Array(await response.arrayBuffer())
    },
  }
}
`,
  'dist/browser.d.ts': `export {createNodeTransport as createBrowserTransport} from './node.js'
`,
  'dist/browser.js': `export {createNodeTransport as createBrowserTransport} from './node.js'
`,
}

/** Writes the workspace SDK into `repo/packages/ameide_sdk_ts`. */
export async function writeWorkspaceSdk(repo: string): Promise<void> {
  for (const [rel, text] of Object.entries(SDK_TS_FILES)) {
    const file = path.join(repo, 'packages/ameide_sdk_ts', rel)
    await mkdir(path.dirname(file), {recursive: true})
    await writeFile(file, text)
  }
}

/** Node's test runner (spec reporter) output as failures, each the block under "failing tests:". */
export function parseNodeTestSpec(output: string): RunReport {
  const count = (what: string) => Number(new RegExp(`^ℹ ${what} (\\d+)$`, 'm').exec(output)?.[1] ?? 'NaN')
  const failing = output.split(/^✖ failing tests:$/m)[1] ?? ''
  const failures = failing
    .split(/^test at /m)
    .slice(1)
    .map((block) => ({test: block.split('\n')[0] ?? '', message: block}))
  const errors: string[] = []
  if (Number.isNaN(count('fail'))) errors.push('no test summary (the runner did not get to the tests)')
  else if (count('fail') !== failures.length) errors.push(`${count('fail')} failed, ${failures.length} reported`)
  if (count('cancelled') > 0) errors.push(`${count('cancelled')} cancelled (a file failed to load)`)
  return {passed: count('pass'), failures, errors, output}
}

export interface TypeScriptReport {
  install: {exitCode: number; output: string}
  typecheck: {exitCode: number; output: string}
  /** The barrel `src/proto/index.ts` loaded at run time: the SDK's namespaces it re-exports. */
  barrel: {exitCode: number; output: string}
  test: RunReport & {exitCode: number}
}

/** npm install (the registry; a cache the test controls), tsc --noEmit, the barrel at run time, npm test. */
export async function checkTypeScript(dir: string): Promise<TypeScriptReport> {
  const env = {
    npm_config_cache: NPM_CACHE,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  }
  const install = await run('npm', ['install', '--prefer-offline', '--loglevel=error'], dir, env)
  const tsc = path.join(dir, 'node_modules/.bin/tsc')
  const typecheck = existsSync(tsc)
    ? await run(tsc, ['--noEmit', '-p', 'tsconfig.json'], dir, env)
    : {exitCode: 127, all: 'tsc is not installed'}
  const barrel = await run(
    path.join(dir, 'node_modules/.bin/tsx'),
    ['-e', "import('./src/proto/index.ts').then((p) => console.log(Object.keys(p).sort().join(' ')))"],
    dir,
    env,
  )
  const tested = await run('npm', ['test'], dir, env)
  return {
    install: {exitCode: install.exitCode ?? -1, output: install.all},
    typecheck: {exitCode: typecheck.exitCode ?? -1, output: typecheck.all},
    barrel: {exitCode: barrel.exitCode ?? -1, output: barrel.all},
    test: {...parseNodeTestSpec(tested.all), exitCode: tested.exitCode ?? -1},
  }
}

/** A copy of the built package (bin, dist, templates…) whose templates a test may break; node_modules linked. */
export async function copyPackage(root: string, dest: string): Promise<string> {
  await mkdir(dest, {recursive: true})
  for (const entry of ['package.json', 'oclif.manifest.json', 'bin', 'dist', 'templates', 'schemas']) {
    if (existsSync(path.join(root, entry))) await execa('cp', ['-R', path.join(root, entry), path.join(dest, entry)])
  }
  await symlink(await realpath(path.join(root, 'node_modules')), path.join(dest, 'node_modules'))
  return path.join(dest, 'bin/run.js')
}
