/**
 * The native render helper (src/effects/render-module/native.ts, go/main_helper.go, go/confine_linux.go): it confines
 * itself before it reads a request, the host sees it confined before it sends one, nothing gets out of it, it renders
 * every chart of the corpora to the bytes the WebAssembly module renders, and where it cannot be trusted the
 * WebAssembly module renders and says why. No mock: the helper of the build, a helper built here with the escape
 * suite's request kind (the `ameide_escape` tag: a shipped helper has no such code), the kernel's own /proc.
 */
import {spawn, execFileSync} from 'node:child_process'
import {copyFileSync, existsSync, readFileSync, appendFileSync, chmodSync, lstatSync, statSync} from 'node:fs'
import {mkdir, readdir, writeFile} from 'node:fs/promises'
import {createServer, type Server} from 'node:net'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {HelmTemplate} from '../../../src/effects/render-module/commands.js'
import * as memory from '../../../src/core/memory-fs/index.js'
import {openRenderModule, renderModuleBuild, type RenderModule} from '../../../src/effects/render-module/host.js'
import {confinementOf, nativeBuild, NATIVE_ENGINE, startNative} from '../../../src/effects/render-module/native.js'
import {MODULE_LIMITS} from '../../../src/effects/limits.js'
import {snapshotOf} from '../../../src/effects/render-module/tree.js'
import {runCli} from '../../support/cli.js'
import {helmGitopsRepo, originApplication} from '../../support/helm-repo.js'
import {assertMatchesSchema} from '../../support/schema.js'
import {runToEnd} from '../../support/exec.js'
import {makeTempDir} from '../../support/tmp.js'
import {foldersHolding} from '../../support/render-corpus.js'

const repoRoot = path.resolve(import.meta.dirname, '../../..')
const corpus = path.resolve(repoRoot, '../shared/corpora/gitops-real')
const linuxX64 = process.platform === 'linux' && process.arch === 'x64'
const rel: HelmTemplate = {release: 'rel', chart: '.'}

let work: string
let helper: string

/** A started helper's handshake and the child, read directly (not through the host). */
async function started(file: string) {
  const child = spawn(file, [], {env: {}, cwd: '/', stdio: ['pipe', 'pipe', 'pipe']})
  let out = ''
  const lines: string[] = []
  const waiters: Array<(l: string) => void> = []
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (s: string) => {
    out += s
    let at: number
    while ((at = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, at)
      out = out.slice(at + 1)
      const w = waiters.shift()
      if (w) w(line)
      else lines.push(line)
    }
  })
  const next = () =>
    new Promise<string>((resolve) => (lines.length > 0 ? resolve(lines.shift()!) : waiters.push(resolve)))
  const hello = JSON.parse(await next()) as {
    pid: number
    selfTest: {passed: boolean; seccomp: number; landlock: number}
  }
  return {child, hello, next}
}

beforeAll(async () => {
  if (!linuxX64) return
  const build = renderModuleBuild()
  if (!build || !nativeBuild()?.helpers['linux-x64']) throw new Error('the native helper is not built: npm run build')
  work = await makeTempDir('ameide-render-native-')
  helper = path.join(repoRoot, 'dist/render-module', nativeBuild()!.helpers['linux-x64']!.file)
}, 60_000)

describe.runIf(linuxX64)('the native helper confines itself before it reads a request', () => {
  it("restricts itself by Landlock where the kernel has it: its handshake names the kernel's ABI (0: none)", async () => {
    const go = execFileSync(process.execPath, [path.join(repoRoot, 'scripts/go-toolchain.mjs')], {encoding: 'utf8'})
    const probe = path.join(work, 'landlock-abi')
    await runToEnd(go.trim(), ['build', '-trimpath', '-o', probe, '.'], {
      cwd: path.join(repoRoot, 'test/support/landlock-abi'),
      env: {...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod'},
    })
    const abi = Number(execFileSync(probe, {encoding: 'utf8'}).trim())
    const {child, hello} = await started(helper)
    try {
      expect(hello.selfTest).toMatchObject({passed: true, seccomp: 2, landlock: abi})
    } finally {
      child.kill()
    }
  }, 120_000)

  it('its handshake carries a passed self-test; the kernel shows every thread in seccomp filter mode with no_new_privs', async () => {
    const thread = await startNative(MODULE_LIMITS.memoryBytes)
    try {
      expect(confinementOf(thread.pid)).toBeUndefined()
      const tasks = await readdir(`/proc/${thread.pid}/task`)
      expect(tasks.length).toBeGreaterThan(1) // Go's runtime threads, made before main: TSYNC reached them
      for (const tid of tasks) {
        const status = readFileSync(`/proc/${thread.pid}/task/${tid}/status`, 'utf8')
        expect(status).toMatch(/^Seccomp:\s+2$/m)
        expect(status).toMatch(/^NoNewPrivs:\s+1$/m)
      }
      // An empty environment, `/` as its folder, only stdin, stdout and stderr (and Go's netpoller's own).
      expect(readFileSync(`/proc/${thread.pid}/environ`, 'utf8')).toBe('')
      const fds = await readdir(`/proc/${thread.pid}/fd`)
      const foreign = fds.map(Number).filter((fd) => fd > 2)
      for (const fd of foreign) {
        const {readlinkSync} = await import('node:fs')
        expect(readlinkSync(`/proc/${thread.pid}/fd/${fd}`)).toMatch(/^anon_inode:\[(eventpoll|eventfd)\]$/)
      }
      const limits = readFileSync(`/proc/${thread.pid}/limits`, 'utf8')
      expect(limits).toMatch(/^Max core file size\s+0\s+0/m)
      expect(limits).toMatch(/^Max open files\s+16\s+16/m)
      expect(limits).toMatch(/^Max address space\s+\d+\s+\d+ /m)
    } finally {
      process.kill(thread.pid, 'SIGKILL')
    }
  })

  it('the escape suite, run inside a helper after its filter: every way out refused, 0 connections, no marker', async () => {
    const escape = path.join(work, 'render-native-escape')
    execFileSync(
      process.execPath,
      [path.join(repoRoot, 'scripts/build-wasm.mjs'), '--native-helper', escape, '--tags', 'ameide_escape'],
      {stdio: ['ignore', 'inherit', 'inherit']},
    )
    let connections = 0
    const server: Server = createServer((socket) => {
      connections++
      socket.destroy()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as {port: number}).port
    const markerFile = path.join(work, 'escaped')
    const marker = path.join(work, 'marker.sh')
    await writeFile(marker, `#!/bin/sh\ntouch ${markerFile}\n`, {mode: 0o755})
    const {child, hello, next} = await started(escape)
    try {
      expect(hello.selfTest).toMatchObject({passed: true, seccomp: 2})
      child.stdin.write(`${JSON.stringify({id: 1, escape: {port, marker}})}\n`)
      const answer = JSON.parse(await next()) as {escape: Array<{name: string; refused: boolean; said: string}>}
      const attempts = Object.fromEntries(answer.escape.map((a) => [a.name, a]))
      for (const name of [
        'read /proc/self/environ',
        'read /etc/passwd',
        "connect to the test's loopback listener",
        'fork and exec the marker (os/exec)',
        'execve the marker',
        'execveat the marker',
        'fork',
        'ptrace(PTRACE_TRACEME)',
        'ptrace(PTRACE_ATTACH, the host)',
        'io_uring_setup',
        'x32 getpid',
        'memfd_create',
        'ioctl(TIOCSTI)',
        'getcwd',
        'kill the host',
      ])
        expect(attempts[name], name).toMatchObject({refused: true})
      // The open family is answered "no such file", the rest "operation not permitted".
      expect(attempts['read /proc/self/environ']!.said).toMatch(/no such file or directory/)
      expect(attempts["connect to the test's loopback listener"]!.said).toMatch(/socket: operation not permitted/)
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(connections).toBe(0)
      expect(existsSync(markerFile)).toBe(false)
    } finally {
      child.kill('SIGKILL')
      server.close()
    }
  }, 600_000)

  it('the memory limit: a template that outgrows RLIMIT_AS ends the helper; the next one starts', async () => {
    const dir = path.join(work, 'bomb')
    await mkdir(path.join(dir, 'templates'), {recursive: true})
    await writeFile(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: bomb\nversion: 0.1.0\n')
    await writeFile(
      path.join(dir, 'templates/cm.yaml'),
      '{{- $s := "xxxxxxxxxxxxxxxx" }}{{- range until 40 }}{{- $s = print $s $s }}{{- end }}\n{{ len $s }}\n',
    )
    // 256 MB: room for the Go runtime's own start under RLIMIT_AS (at 64 MB it sometimes could not start on a loaded
    // machine); the template outgrows any limit (16 bytes doubled 40 times).
    const thread = await startNative(256 * 2 ** 20)
    const request = {
      id: 0,
      trees: [{key: dir, keep: false, snapshot: snapshotOf(dir)}],
      drop: [],
      files: {},
      cwd: dir,
      commands: [{helmTemplate: rel}],
      outputLimit: MODULE_LIMITS.outputBytes,
      objectLimit: MODULE_LIMITS.objects,
    }
    const got = await thread.ask(request, MODULE_LIMITS)
    // Go's runtime names its out-of-memory ("out of memory", "cannot allocate memory"): a memory breach; it may also
    // crash in its collector past RLIMIT_AS (a SIGSEGV): a helper failure, which the host sends on to WebAssembly.
    if ('limit' in got) expect(got).toMatchObject({ok: false, limit: 'memory'})
    else
      expect(got, JSON.stringify(got)).toMatchObject({
        ok: false,
        failed: true,
        message: expect.stringMatching(/SIGSEGV|fatal error/),
      })
    expect(thread.dead).toBe(true)
    const next = await startNative(MODULE_LIMITS.memoryBytes)
    process.kill(next.pid, 'SIGKILL')
  }, 120_000)

  it('the shipped helper has no escape request kind', async () => {
    const {child, hello, next} = await started(helper)
    try {
      expect(hello.selfTest.passed).toBe(true)
      child.stdin.write(`${JSON.stringify({id: 7, escape: {port: 1, marker: '/bin/true'}})}\n`)
      expect(JSON.parse(await next())).toEqual({id: 7, error: 'no such request'})
    } finally {
      child.kill('SIGKILL')
    }
  })
})

/** `ours` with the lines that differ between two renders of the same engine (random by construction) masked in all. */
function masked(first: string, second: string, ours: string): [string, string] {
  const [a, b, c] = [first, second, ours].map((t) => t.split('\n'))
  if (a!.length !== b!.length) return [first, ours]
  const random = new Set(a!.flatMap((line, i) => (line === b![i] ? [] : [i])))
  const mask = (lines: string[]) => lines.map((l, i) => (random.has(i) ? '<random>' : l)).join('\n')
  return [mask(a!), mask(c!)]
}

/** A chart reaching the loader's parts: .helmignore, a subchart folder, a values file, --set-file, a link, CRDs, hooks. */
async function richChart(): Promise<string> {
  const dir = path.join(work, 'rich')
  const files: Record<string, string> = {
    'Chart.yaml': 'apiVersion: v2\nname: rich\nversion: 1.2.3\nkubeVersion: ">=1.20.0-0"\n',
    'values.yaml': 'replicas: 2\nimage: {tag: "1"}\nsub: {enabled: true}\n',
    'values.schema.json': '{"type":"object","properties":{"replicas":{"type":"integer","minimum":1}}}',
    'prod.yaml': 'replicas: 3\n',
    '.helmignore': 'ignored/\n*.bak\n',
    'ignored/t.yaml': 'not: read\n',
    'templates/x.bak': '{{ fail "an ignored file was read" }}',
    'templates/deploy.yaml':
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: {{ .Release.Name }}-d}\nspec:\n  replicas: {{ .Values.replicas }}\n  template: {spec: {containers: [{name: c, image: "x:{{ .Values.image.tag }}"}]}}\n',
    'templates/files.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: files}\ndata:\n{{- range $p, $_ := .Files.Glob "files/*" }}\n  {{ base $p }}: {{ $.Files.Get $p | quote }}\n{{- end }}\n  caps: {{ .Capabilities.KubeVersion.Version | quote }}\n',
    'templates/hook.yaml':
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n  annotations: {"helm.sh/hook": test}\nspec: {containers: [{name: t, image: busybox}]}\n',
    'templates/NOTES.txt': 'notes {{ .Release.Name }}\n',
    'crds/crd.yaml':
      'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: xs.example.com}\n',
    'files/motd.txt': 'hello\n',
    'files/a.txt': '\ufeffbom\n',
    'charts/sub/Chart.yaml': 'apiVersion: v2\nname: sub\nversion: 0.1.0\n',
    'charts/sub/values.yaml': 'greeting: hi\n',
    'charts/sub/templates/cm.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: sub-{{ .Release.Name }}}\ndata: {g: {{ .Values.greeting | quote }}}\n',
  }
  for (const [p, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, p)), {recursive: true})
    await writeFile(path.join(dir, p), text)
  }
  const {symlinkSync} = await import('node:fs')
  symlinkSync('motd.txt', path.join(dir, 'files/linked.txt'))
  return dir
}

describe.runIf(linuxX64)('native and WebAssembly: the same renders', () => {
  let wasm: RenderModule
  let native: RenderModule
  beforeAll(() => {
    wasm = openRenderModule(renderModuleBuild()!, 'wasm')
    native = openRenderModule(renderModuleBuild()!, 'native')
  })

  it('every chart of the corpora and a chart reaching the loader: the same bytes, or the same error', async () => {
    if (!existsSync(corpus)) throw new Error(`the corpus is missing: ${corpus} (shared/ beside the clone)`)
    for (const archive of ['corpus.tar.gz', 'charts.tar.gz'])
      execFileSync('tar', ['-xzf', path.join(corpus, archive), '-C', work])
    const charts = [
      ...(await foldersHolding(path.join(work, 'charts'), 'Chart.yaml')),
      ...(await foldersHolding(path.join(work, 'corpus'), 'Chart.yaml')),
    ]
    expect(charts.length).toBeGreaterThanOrEqual(4)
    const rich = await richChart()
    const set = (name: string, value: string) => ({name, value})
    const cases: Array<{dir: string; command: HelmTemplate; files?: Record<string, string>}> = [
      ...charts.map((dir) => ({dir, command: {...rel, namespace: 'prod', includeCrds: true}})),
      ...charts.map((dir) => ({dir, command: {...rel, skipTests: true, kubeVersion: '1.31.0'}})),
      {dir: rich, command: {...rel, namespace: 'ns', includeCrds: true}},
      {
        dir: rich,
        command: {...rel, skipTests: true, valueFiles: ['prod.yaml', '/.ameide/inline.yaml']},
        files: {'/.ameide/inline.yaml': 'image: {tag: "9"}\n'},
      },
      {
        dir: rich,
        command: {...rel, setFile: [set('image.tag', 'files/linked.txt')], set: [set('sub.enabled', 'false')]},
      },
      {dir: rich, command: {...rel, set: [set('replicas', '0')]}},
      {dir: rich, command: {...rel, kubeVersion: '1.10.0'}},
      {dir: rich, command: {release: 'Bad_Name', chart: '.'}},
      {dir: rich, command: {...rel, valueFiles: ['missing.yaml']}},
      {dir: rich, command: {...rel, valueFiles: ['/etc/passwd']}},
    ]
    let same = 0
    for (const c of cases) {
      const request = {roots: [c.dir], files: c.files ?? {}, cwd: c.dir, commands: [{helmTemplate: c.command}]}
      const [a, again, b] = [await wasm.run(request), await wasm.run(request), await native.run(request)]
      const what = `${c.dir} ${JSON.stringify(c.command)}`
      expect(b.ok, what).toBe(a.ok)
      if (!a.ok || !b.ok || !again.ok) continue
      const [x, y] = [a.results[0]!, b.results[0]!]
      // A line that differs between two renders of the same engine is random (sprig's randAlphaNum in podinfo's
      // test hooks' names): masked in all three.
      const [theirs, ours] = masked(x.stdout, again.results[0]!.stdout, y.stdout)
      expect({exit: y.exit, stdout: ours, limit: y.limit}, what).toEqual({exit: x.exit, stdout: theirs, limit: x.limit})
      // Go's errno text is capitalised on js/wasm only.
      expect(y.error?.message.toLowerCase(), what).toBe(x.error?.message.toLowerCase())
      expect(y.error?.code, what).toBe(x.error?.code)
      expect(y.warnings, what).toEqual(x.warnings)
      same++
    }
    expect(same).toBe(cases.length)
    expect(native.engine()).toBe(NATIVE_ENGINE)
    expect(wasm.engine()).toBe('wasm: AMEIDE_RENDER_ENGINE=wasm')
  }, 600_000)

  it("a chart kept by key (a frozen revision) renders again from the helper's memory, the same", async () => {
    const rich = path.join(work, 'rich')
    const request = {
      roots: [rich],
      files: {},
      cwd: rich,
      commands: [{helmTemplate: {...rel, chartKey: rich}}],
      affinity: rich,
    }
    const first = await native.run(request)
    const again = await native.run(request)
    expect(first.ok && again.ok).toBe(true)
    if (first.ok && again.ok) expect(again.results[0]!.stdout).toBe(first.results[0]!.stdout)
  })

  it('a revision held ahead (a diff sends it while it reads the models): its renders as before; nothing starts for it', async () => {
    const fresh = openRenderModule(renderModuleBuild()!, 'native')
    const tree = new memory.MemoryTree()
    const rich = path.join(work, 'rich')
    for (const f of await readdir(rich, {recursive: true})) {
      const at = path.join(rich, f)
      if (statSync(at).isFile() && !lstatSync(at).isSymbolicLink())
        tree.set(f, {kind: 'file', bytes: readFileSync(at), executable: false})
    }
    const dir = memory.mount(tree.freeze(), 'held-ahead')
    try {
      await fresh.hold([dir])
      expect(fresh.engine()).toBeUndefined() // no helper started, so none took it
      await fresh.warm()
      await fresh.hold([dir])
      const request = {roots: [dir], files: {}, cwd: dir, commands: [{helmTemplate: {...rel, namespace: 'ns'}}]}
      const [held, inWasm] = [await fresh.run(request), await wasm.run(request)]
      expect(fresh.engine()).toBe(NATIVE_ENGINE)
      expect(held.ok && inWasm.ok).toBe(true)
      if (held.ok && inWasm.ok) expect(held.results[0]!.stdout).toBe(inWasm.results[0]!.stdout)
    } finally {
      memory.unmount(dir)
    }
  })

  it('the output limit holds natively as in WebAssembly', async () => {
    const rich = path.join(work, 'rich')
    const request = {roots: [rich], files: {}, cwd: rich, commands: [{helmTemplate: rel}]}
    const limits = {...MODULE_LIMITS, outputBytes: 100}
    const [a, b] = [await wasm.run(request, limits), await native.run(request, limits)]
    expect(a.ok && a.results[0]!.limit).toBe('output')
    expect(b.ok && b.results[0]!.limit).toBe('output')
  })
})

describe.runIf(linuxX64)('where the helper cannot be trusted, WebAssembly renders and says why', () => {
  let tampered: string
  beforeAll(async () => {
    tampered = path.join(work, 'tampered-helper')
    copyFileSync(helper, tampered)
    appendFileSync(tampered, Buffer.from([0]))
    chmodSync(tampered, 0o755)
  })
  afterAll(() => {
    delete process.env.AMEIDE_RENDER_NATIVE
  })

  it("a helper whose sha256 is not the build's never starts: the chart renders in WebAssembly, the engine says why", async () => {
    process.env.AMEIDE_RENDER_NATIVE = tampered
    try {
      const module = openRenderModule(renderModuleBuild()!, undefined)
      const rich = path.join(work, 'rich')
      const run = await module.run({roots: [rich], files: {}, cwd: rich, commands: [{helmTemplate: rel}]})
      expect(run.ok && run.results[0]!.exit).toBe(0)
      expect(module.engine()).toMatch(/^wasm: the native helper's sha256 is [0-9a-f]{12}…, the build recorded/)
      // AMEIDE_RENDER_ENGINE=native: the same start is an error, never a silent fallback.
      const forced = openRenderModule(renderModuleBuild()!, 'native')
      const failed = await forced.run({roots: [rich], files: {}, cwd: rich, commands: [{helmTemplate: rel}]})
      expect(failed).toMatchObject({
        ok: false,
        message: expect.stringMatching(/native render helper did not start: .*sha256/),
      })
    } finally {
      delete process.env.AMEIDE_RENDER_NATIVE
    }
  })

  it('gitops verify --render --json and gitops diff --json name the engine: native, or wasm and why', async () => {
    const repo = await helmGitopsRepo({
      'charts/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\n',
      'charts/app/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: "1"}\n',
      'apps/app.yaml': originApplication('app', 'path: charts/app'),
    })
    const verify = async (env: Record<string, string>) => {
      const run = await runCli(['gitops', 'verify', '--render', '--no-cache', '--json'], {cwd: repo, env})
      const json = run.json()
      assertMatchesSchema('gitops-verify.schema.json', json)
      expect(json.render.deployables.map((d: {status: string}) => d.status)).toEqual(['rendered'])
      return json.render.tools.engine as string
    }
    expect(await verify({})).toBe(NATIVE_ENGINE)
    expect(await verify({AMEIDE_RENDER_ENGINE: 'wasm'})).toBe('wasm: AMEIDE_RENDER_ENGINE=wasm')
    expect(await verify({AMEIDE_RENDER_NATIVE: tampered})).toMatch(/^wasm: the native helper's sha256 is/)
    const diff = await runCli(['gitops', 'diff', '--base', 'HEAD', '--head', 'HEAD', '--no-cache', '--json'], {
      cwd: repo,
      env: {AMEIDE_RENDER_NATIVE: tampered},
    })
    const json = diff.json()
    assertMatchesSchema('gitops-diff.schema.json', json)
    expect(json.renders.engine === null || /^wasm: the native helper's sha256/.test(json.renders.engine)).toBe(true)
  }, 300_000)
})
