/**
 * Confined by construction: the product renders Helm and kustomize only through the render module
 * (src/effects/render-module), their own Go code as WebAssembly over the revision in memory — no process, no file of
 * this machine, no network, no environment. Attacked through the tools themselves, not through the fields the
 * refusals know: a helm and a kustomize on PATH that would try every way out (the caller's environment and PID 1's,
 * $HOME, the checkout's .git/config, a file outside, a loopback TCP listener and a UDP one) are never run; the
 * renderers called directly with what the first line would refuse (a value file named `x,<absolute path>`, a
 * generator reading an absolute path with load restrictions off) read nothing outside, where the binaries
 * (test/support/native-render.ts) would; the limits (an endless template, more objects than allowed, more output
 * than allowed) end as `render-limit`. Without the module nothing renders: render-unavailable, naming the fix.
 */
import {randomBytes} from 'node:crypto'
import {createSocket, type Socket} from 'node:dgram'
import {existsSync, readdirSync} from 'node:fs'
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import {createServer, type Server} from 'node:net'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {moduleHelm} from '../../../src/effects/render-module/helm.js'
import {sharedRenderModule} from '../../../src/effects/render-module/host.js'
import {moduleKustomize} from '../../../src/effects/render-module/kustomize.js'
import {runCli} from '../../support/cli.js'
import {helmGitopsRepo, originApplication} from '../../support/helm-repo.js'
import {nativeHelm, nativeKustomize} from '../../support/native-render.js'
import {assertMatchesSchema} from '../../support/schema.js'
import {commitAll, git, makeTempDir, runCleanups} from '../../support/tmp.js'
import {requireTool, toolEnv} from '../../support/toolchain.js'
import {cliWithoutRenderModule} from '../../support/unbuilt-package.js'

const CANARY = `canary-${randomBytes(6).toString('hex')}`

let env: Record<string, string | undefined>
let outside: string
let home: string
let tcp: Server
let tcpPort: number
let tcpConnections = 0
let udp: Socket
let udpPort: number
let udpDatagrams = 0

beforeAll(async () => {
  requireTool('kustomize')
  requireTool('helm')
  outside = await makeTempDir('ameide-sandbox-outside-')
  await writeFile(path.join(outside, 'secret.txt'), `leak: ${CANARY}\n`)
  home = await makeTempDir('ameide-sandbox-home-')
  await writeFile(path.join(home, '.git-credentials'), `https://x:${CANARY}@github.com\n`)
  await mkdir(path.join(home, '.docker'))
  await writeFile(path.join(home, '.docker', 'config.json'), `{"auths":{"r":{"auth":"${CANARY}"}}}\n`)
  env = {...toolEnv(), HOME: home, GITHUB_TOKEN: CANARY, AWS_SECRET_ACCESS_KEY: CANARY}
  env.TMPDIR = await makeTempDir('ameide-sandbox-tmp-')
  tcp = createServer((socket) => {
    tcpConnections++
    socket.destroy()
  })
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve))
  tcpPort = (tcp.address() as {port: number}).port
  udp = createSocket('udp4')
  udp.on('message', () => udpDatagrams++)
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve))
  udpPort = udp.address().port
})

afterAll(async () => {
  await new Promise<void>((resolve) => tcp.close(() => resolve()))
  udp.close()
  await runCleanups()
})

/**
 * A helm or kustomize that, if it ever renders, tries every way out and renders a ConfigMap saying what it found:
 * `leak-*` for a canary it could read, `tcp`/`udp` for a datagram or connection that left, `procs=N`.
 */
function prober(tool: string, version: string, repo: string): string {
  return [
    '#!/bin/bash',
    `if [ "$1" = version ]; then echo ${version}; exit 0; fi`,
    'seen=""',
    `grep -q ${CANARY} ${path.join(outside, 'secret.txt')} 2>/dev/null && seen="$seen leak-outside"`,
    `grep -q ${CANARY} ${path.join(home, '.git-credentials')} 2>/dev/null && seen="$seen leak-home"`,
    `grep -q ${CANARY} ${path.join(home, '.docker', 'config.json')} 2>/dev/null && seen="$seen leak-docker"`,
    `grep -q ${CANARY} ${path.join(repo, '.git', 'config')} 2>/dev/null && seen="$seen leak-gitconfig"`,
    `env | grep -q ${CANARY} && seen="$seen leak-env"`,
    `tr '\\0' '\\n' < /proc/1/environ 2>/dev/null | grep -q ${CANARY} && seen="$seen leak-pid1"`,
    `for p in /proc/[0-9]*; do tr '\\0' '\\n' < $p/environ 2>/dev/null | grep -q ${CANARY} && seen="$seen leak-proc"; done`,
    'for p in /proc/[0-9]*; do grep -q run.js $p/cmdline 2>/dev/null && seen="$seen leak-ameide-process"; done',
    `(exec 3<>/dev/tcp/127.0.0.1/${tcpPort}) 2>/dev/null && seen="$seen tcp"`,
    `(echo x > /dev/udp/127.0.0.1/${udpPort}) 2>/dev/null`,
    'seen="$seen procs=$(ls -d /proc/[0-9]* | wc -l) home=$([ -d "$HOME" ] && echo private)"',
    `printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: ${tool}-probe\\n  namespace: dev\\ndata:\\n  seen: "%s"\\n' "$seen"`,
    '',
  ].join('\n')
}

const application = originApplication

/** A repository whose head adds a chart Application and a kustomize Application (the base has neither). */
async function twoDeployables(): Promise<string> {
  const repo = await helmGitopsRepo({'README.md': 'gitops\n'})
  await git(repo, ['branch', '-M', 'main'])
  await git(repo, ['config', 'http.https://github.com/.extraheader', `AUTHORIZATION: basic ${CANARY}`])
  await git(repo, ['checkout', '-q', '-b', 'pr'])
  const files: Record<string, string> = {
    'argocd/chart.yaml': application('chart', 'path: charts/app'),
    'charts/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\n',
    'charts/app/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n',
    'argocd/kust.yaml': application('kust', 'path: deploy'),
    'deploy/kustomization.yaml': 'resources: [cm.yaml]\n',
    'deploy/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kcm\n',
    'argocd/plain.yaml': application('plain', 'path: plain'),
    'plain/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n  namespace: dev\n',
  }
  for (const [f, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(repo, f)), {recursive: true})
    await writeFile(path.join(repo, f), text)
  }
  await commitAll(repo, 'deployables')
  return repo
}

/**
 * What ameide left in its temporary folder (the runs' TMPDIR: revisions, helm homes, render wrappers), but Node's
 * module compile cache, which bin/run.js keeps there on purpose.
 */
const shmLeftovers = () =>
  existsSync(env.TMPDIR!) ? readdirSync(env.TMPDIR!).filter((n) => n !== 'node-compile-cache').length : 0

describe('the tools see only the revision', () => {
  it('a helm and a kustomize on PATH that would try every way out never run: the module renders, nothing leaves', async () => {
    const repo = await twoDeployables()
    const bin = await makeTempDir('ameide-sandbox-bin-')
    await writeFile(path.join(bin, 'helm'), prober('helm', 'v4.1.4+gfake', repo), {mode: 0o755})
    await writeFile(path.join(bin, 'kustomize'), prober('kustomize', 'v5.6.0', repo), {mode: 0o755})
    const before = shmLeftovers()
    expect(before).toBe(0)
    const onPath = {...env, PATH: `${bin}${path.delimiter}${env.PATH}`}
    const run = await runCli(['gitops', 'diff', '--base', 'main', '--head', 'pr', '--no-cache', '--json'], {
      cwd: repo,
      env: onPath,
    })
    const json = run.json()
    assertMatchesSchema('gitops-diff.schema.json', json)
    expect(json.failures).toEqual([])
    const text = run.stdout + run.stderr
    // The chart's, the kustomize root's and the directory source's objects, rendered by the module: no probe ran.
    for (const name of ['"name":"cm"', '"name":"kcm"', '"name":"plain"'])
      expect(JSON.stringify(json.deployables)).toContain(name)
    expect(text).not.toMatch(/-probe|seen: /)
    expect(text).not.toContain(CANARY)
    expect(tcpConnections).toBe(0)
    expect(udpDatagrams).toBe(0)
    expect(shmLeftovers()).toBe(before)
    // Untrusted (--untrusted, a pull request's job) renders the same: the chart and the root, nothing unavailable.
    for (const untrusted of [
      runCli(['gitops', 'verify', '--render', '--untrusted', '--no-cache', '--json'], {cwd: repo, env: onPath}),
      runCli(['gitops', 'verify', '--render', '--no-cache', '--json'], {
        cwd: repo,
        env: {...onPath, GITHUB_ACTIONS: 'true', GITHUB_EVENT_NAME: 'pull_request'},
      }),
    ]) {
      const v = (await untrusted).json()
      expect(v.render.deployables.map((d: {status: string}) => d.status)).toEqual(['rendered'])
      expect(v.findings.filter((f: {rule: string}) => /^render-(unavailable|failed|refused)$/.test(f.rule))).toEqual([])
      // What confined the render: the native helper's seccomp filter where it rendered, else WebAssembly.
      expect(v.render.tools.sandbox).toMatch(
        v.render.tools.engine === 'native (seccomp)' ? /^seccomp: the native helper \(go1\./ : /^webassembly \(go1\./,
      )
      expect(JSON.stringify(v)).not.toContain(CANARY)
    }
  })

  it('with the first line removed: helm reading `x,<absolute path>` and kustomize a generator file outside see nothing there', async () => {
    const module = sharedRenderModule()
    expect(module, 'the render module is not built: npm run build').toBeDefined()
    const revision = await makeTempDir('ameide-sandbox-revision-')
    // helm splits --values on commas: the second half names a file outside, which the module does not hold.
    await mkdir(path.join(revision, 'chart', 'templates'), {recursive: true})
    await writeFile(path.join(revision, 'chart', 'Chart.yaml'), 'apiVersion: v2\nname: c\nversion: 0.1.0\n')
    await writeFile(
      path.join(revision, 'chart', 'templates', 'cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {leak: {{ .Values.leak | quote }}}\n',
    )
    await writeFile(path.join(revision, 'chart', 'x'), 'a: 1\n')
    const request = {
      chartDir: path.join(revision, 'chart'),
      release: 'c',
      apiVersions: [],
      valueFiles: [`${path.join(revision, 'chart', 'x')},${path.join(outside, 'secret.txt')}`],
      inRevision: () => true,
      revision,
    }
    const confined = await moduleHelm(module!).template(request)
    expect(JSON.stringify(confined)).not.toContain(CANARY)
    expect(confined.ok).toBe(false)
    // The same call to the helm binary reads it: the module, not the arguments, is what stopped it.
    const open = await (await nativeHelm(requireTool('helm'))).template(request)
    expect(JSON.stringify(open)).toContain(CANARY)

    // A builtin generator naming an absolute file, built with load restrictions off (kustomize-controller's mode).
    await mkdir(path.join(revision, 'k'))
    await writeFile(path.join(revision, 'k', 'kustomization.yaml'), 'generators: [gen.yaml]\n')
    await writeFile(
      path.join(revision, 'k', 'gen.yaml'),
      `apiVersion: builtin\nkind: ConfigMapGenerator\nmetadata: {name: leak}\nfiles: [${path.join(outside, 'secret.txt')}]\n`,
    )
    const wrapper = await makeTempDir('ameide-sandbox-wrapper-')
    const built = await moduleKustomize(module!).build(path.join(revision, 'k'), {
      loadRestrictionsNone: true,
      reads: [wrapper, revision],
    })
    expect(JSON.stringify(built)).not.toContain(CANARY)
    expect(built.ok).toBe(false)
    const unconfined = await nativeKustomize(requireTool('kustomize')).build(path.join(revision, 'k'), {
      loadRestrictionsNone: true,
    })
    expect(JSON.stringify(unconfined)).toContain(CANARY)
  })
})

describe('limits', () => {
  it(
    'the render module: an endless template, too many objects and too much output end as render-limit, exit 1, nothing left behind',
    {timeout: 200_000},
    async () => {
      // A loop that grows without bound (memory), and one that only spins (CPU, then the time-out).
      const grow =
        '{{- range $i := until 2000000000 }}{{- $x := add $i 1 }}{{- end }}\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: never}\n'
      const spin =
        '{{- range $i := until 200000 }}{{- range $j := until 200000 }}{{- end }}{{- end }}\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: never}\n'
      const many =
        '{{- range $i := until 25000 }}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: "m{{ $i }}"}\n{{- end }}\n'
      const big =
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  big: {{ repeat 70000000 "x" | quote }}\n'
      const chart = (name: string, template: string) => ({
        [`argocd/${name}.yaml`]: application(name, `path: charts/${name}`),
        [`charts/${name}/Chart.yaml`]: `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`,
        [`charts/${name}/templates/t.yaml`]: template,
      })
      const repo = await helmGitopsRepo({
        ...chart('grow', grow),
        ...chart('spin', spin),
        ...chart('many', many),
        ...chart('big', big),
      })
      const before = shmLeftovers()
      const started = Date.now()
      const run = await runCli(['gitops', 'verify', '--render', '--no-cache', '--json'], {
        cwd: repo,
        env,
        timeoutMs: 180_000,
      })
      const elapsed = Date.now() - started
      expect(run.exitCode, run.stderr).toBe(1)
      const json = run.json()
      assertMatchesSchema('gitops-verify.schema.json', json)
      const limits = json.findings.filter((f: {rule: string}) => f.rule === 'render-limit')
      const byApp = Object.fromEntries(limits.map((f: {application: string; message: string}) => [f.application, f]))
      expect(Object.keys(byApp).sort(), JSON.stringify(json.findings, null, 1)).toEqual(['big', 'grow', 'many', 'spin'])
      expect(byApp.grow.message).toMatch(/out of its \d+ MiB of memory/)
      // The render thread's own CPU time is what the module's limit counts (effects/render-module/thread-cpu.ts).
      expect(byApp.spin.message).toMatch(/used more than 60 s of CPU/)
      expect(byApp.many.message).toMatch(/more than 20,000 objects/)
      expect(byApp.big.message).toMatch(/more than 32 MiB/)
      for (const f of limits) expect(f.severity).toBe('error')
      // Within the documented limits: 60 s of the render thread's CPU bounds it.
      expect(elapsed).toBeLessThan(180_000)
      expect(shmLeftovers()).toBe(before)
    },
  )
})

describe('output ameide cannot read', () => {
  it('a template that prints 150 YAML aliases: render-failed at the Application, exit 1, never INTERNAL_ERROR', async () => {
    const bomb = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n  a: &a x\n  b: [${Array.from({length: 150}, () => '*a').join(', ')}]\n`
    const repo = await helmGitopsRepo({
      'argocd/bomb.yaml': application('bomb', 'path: charts/bomb'),
      'charts/bomb/Chart.yaml': 'apiVersion: v2\nname: bomb\nversion: 0.1.0\n',
      'charts/bomb/templates/cm.yaml': bomb,
    })
    const run = await runCli(['gitops', 'verify', '--render', '--no-cache', '--json'], {cwd: repo, env})
    const json = run.json()
    expect(json.error, run.stdout).toBeUndefined()
    assertMatchesSchema('gitops-verify.schema.json', json)
    expect(run.exitCode).toBe(1)
    const failed = json.findings.filter((f: {rule: string}) => f.rule === 'render-failed')
    expect(failed.map((f: {application: string}) => f.application)).toEqual(['bomb'])
    expect(failed[0].message).toMatch(/more than 100 YAML aliases/)
  })
})

describe('without the render module', () => {
  it('every chart and kustomize root is render-unavailable naming the fix; the diff is incomplete, verify never passes', async () => {
    const repo = await twoDeployables()
    // The built package without dist/render-module (test/support/unbuilt-package.ts): a source build without Go.
    const cli = await cliWithoutRenderModule()
    const diff = await runCli(['gitops', 'diff', '--base', 'main', '--head', 'pr', '--no-cache', '--json'], {
      cwd: repo,
      env,
      cli,
    })
    expect(diff.exitCode, diff.stderr).toBe(1)
    const json = diff.json()
    assertMatchesSchema('gitops-diff.schema.json', json)
    expect(json.summary).toBe('incomplete')
    const unavailable = json.failures.filter((f: {rule: string}) => f.rule === 'render-unavailable')
    expect(unavailable.map((f: {application: string}) => f.application).sort()).toEqual(['chart', 'kust'])
    for (const f of unavailable)
      expect(f.message).toMatch(/render module is not built.*npm run build with the Go module proxy reachable/)
    // What ameide reads itself goes on: the directory source's ConfigMap is added.
    expect(JSON.stringify(json.deployables)).toContain('"name":"plain"')

    // verify --render fails closed: each is an error (as with --require-render), exit 1, never a pass.
    const verify = await runCli(['gitops', 'verify', '--render', '--no-cache', '--json'], {cwd: repo, env, cli})
    const v = verify.json()
    assertMatchesSchema('gitops-verify.schema.json', v)
    expect(v.error, verify.stdout).toBeUndefined()
    expect(verify.exitCode).toBe(1)
    expect(v.summary).toBe('fail')
    const rules = v.findings.filter((f: {rule: string}) => f.rule === 'render-unavailable')
    expect(
      rules.map((f: {severity: string}) => f.severity),
      JSON.stringify(v.findings),
    ).toEqual(['error', 'error'])
    expect(v.render.tools).toMatchObject({helm: null, kustomize: 'not built', sandbox: null})
    expect(v.render.deployables.map((d: {status: string}) => d.status)).toEqual(['unavailable'])
    // The same checkout with the module: it passes, so the failure above is the missing module's.
    const built = await runCli(['gitops', 'verify', '--render', '--no-cache', '--json'], {cwd: repo, env})
    expect(built.exitCode, built.stdout).toBe(0)

    // doctor: the render-module line is missing with its fix, and required (✗, exit 3) where the checkout renders.
    const doctor = (await runCli(['doctor', '--json', '--offline'], {cwd: repo, env, cli})).json()
    const line = doctor.checks.find((c: {id: string}) => c.id === 'render-module')
    expect(line).toMatchObject({status: 'missing'})
    expect(line.fix).toMatch(/npm/)
    await readFile(path.join(home, '.git-credentials'), 'utf8') // untouched
  })
})
