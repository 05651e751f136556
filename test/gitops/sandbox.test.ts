/**
 * Confined by construction: helm and kustomize run in the sandbox (src/effects/sandbox.ts, bubblewrap), where the only
 * things that exist are /usr, the tool, the revision and a private home. Attacked through the tool itself, not
 * through the fields the refusals know: tools that try every way out (the caller's environment and PID 1's, $HOME,
 * the checkout's .git/config, a file outside, a loopback TCP listener and a UDP one) and report what they saw in
 * what they render; the effects called directly with what the first line would refuse (a value file named
 * `x,<absolute path>`, a generator reading an absolute path with load restrictions off), so only the sandbox stands;
 * and the limits (an endless template, more objects than allowed, more output than allowed) end as `render-limit`.
 * With no sandbox to be had, an untrusted revision's tools do not run: render-unavailable, naming the fix.
 */
import {randomBytes} from 'node:crypto'
import {createSocket, type Socket} from 'node:dgram'
import {existsSync, readdirSync} from 'node:fs'
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import {createServer, type Server} from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {findHelm} from '../../src/effects/helm.js'
import {kustomize} from '../../src/effects/kustomize.js'
import {probeSandbox, type Confinement} from '../../src/effects/sandbox.js'
import {runCli} from '../support/cli.js'
import {helmGitopsRepo, originApplication} from '../support/helm-repo.js'
import {assertMatchesSchema} from '../support/schema.js'
import {commitAll, git, makeTempDir, runCleanups} from '../support/tmp.js'
import {requireTool, toolEnv} from '../support/toolchain.js'

const CANARY = `canary-${randomBytes(6).toString('hex')}`

let env: Record<string, string | undefined>
let moduleEnv: Record<string, string | undefined>
let outside: string
let home: string
let tcp: Server
let tcpPort: number
let tcpConnections = 0
let udp: Socket
let udpPort: number
let udpDatagrams = 0

beforeAll(async () => {
  requireTool('bwrap')
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
  // The helm and kustomize binaries, in the sandbox: the render module's cases say AMEIDE_RENDERER: undefined.
  env.AMEIDE_RENDERER = 'native'
  moduleEnv = {...env, AMEIDE_RENDERER: undefined}
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
 * A helm or kustomize that, when it renders, tries every way out and renders a ConfigMap saying what it found:
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
    ...(tool === 'git'
      ? [] // git reads its own repository's configuration
      : [`grep -q ${CANARY} ${path.join(repo, '.git', 'config')} 2>/dev/null && seen="$seen leak-gitconfig"`]),
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
  it('a helm and a kustomize that try every way out find nothing: no canary, no connection, no other process', async () => {
    const repo = await twoDeployables()
    const bin = await makeTempDir('ameide-sandbox-bin-')
    await writeFile(path.join(bin, 'helm'), prober('helm', 'v4.1.4+gfake', repo), {mode: 0o755})
    await writeFile(path.join(bin, 'kustomize'), prober('kustomize', 'v5.6.0', repo), {mode: 0o755})
    const before = shmLeftovers()
    expect(before).toBe(0)
    const run = await runCli(['gitops', 'diff', '--base', 'main', '--head', 'pr', '--no-cache', '--json'], {
      cwd: repo,
      env: {...env, PATH: `${bin}${path.delimiter}${env.PATH}`},
    })
    const json = run.json()
    assertMatchesSchema('gitops-diff.schema.json', json)
    const text = run.stdout + run.stderr
    // Both tools ran (their probes are in the diff), and saw nothing of this machine.
    const seen = [...text.matchAll(/seen: \\?"([^"\\]*)/g)].map((m) => m[1])
    expect(seen, text).toHaveLength(2)
    for (const s of seen) {
      expect(s).not.toMatch(/leak-|tcp/)
      expect(s).toContain('home=private')
      // PID 1 (bwrap's reaper), the tool's shell and the probe's own commands: no process of the job is visible.
      expect(Number(/procs=(\d+)/.exec(s)?.[1])).toBeLessThanOrEqual(6)
    }
    expect(text).not.toContain(CANARY)
    expect(tcpConnections).toBe(0)
    expect(udpDatagrams).toBe(0)
    expect(shmLeftovers()).toBe(before)
  })

  it('git reading a commit runs in the sandbox too: it sees the repository and nothing else of the machine', async () => {
    const repo = await twoDeployables()
    const bin = await makeTempDir('ameide-sandbox-bin-')
    // A git that, asked for the tree, tries the same ways out and fails saying what it saw; anything else is git.
    const probe = prober('git', '', repo)
      .replace(/^if \[ "\$1" = version \].*$/m, 'case "$*" in *ls-tree*) ;; *) exec /usr/bin/git "$@";; esac')
      .replace(/^printf .*$/m, 'echo "seen:$seen" >&2; exit 1')
    await writeFile(path.join(bin, 'git'), probe, {mode: 0o755})
    const run = await runCli(['gitops', 'diff', '--base', 'main', '--head', 'pr', '--no-cache', '--json'], {
      cwd: repo,
      env: {...env, PATH: `${bin}${path.delimiter}${env.PATH}`},
    })
    const json = run.json()
    expect(json.error?.code, run.stdout).toBe('REVISION_UNREADABLE')
    const seen = /seen:([^"\\]*)/.exec(json.error.message)?.[1] ?? ''
    expect(seen, json.error.message).toContain('home=private')
    expect(seen).not.toMatch(/leak-|tcp/)
    expect(run.stdout + run.stderr).not.toContain(CANARY)
    expect(tcpConnections).toBe(0)
    expect(udpDatagrams).toBe(0)
  })

  it('with the first line removed: helm reading `x,<absolute path>` and kustomize a generator file outside see nothing there', async () => {
    const probe = await probeSandbox()
    expect(probe.available, JSON.stringify(probe)).toBe(true)
    const confinement: Confinement = {required: true, sandbox: Promise.resolve(probe)}
    const revision = await makeTempDir('ameide-sandbox-revision-')
    // helm splits --values on commas: the second half names a file outside, which the sandbox does not hold.
    await mkdir(path.join(revision, 'chart', 'templates'), {recursive: true})
    await writeFile(path.join(revision, 'chart', 'Chart.yaml'), 'apiVersion: v2\nname: c\nversion: 0.1.0\n')
    await writeFile(
      path.join(revision, 'chart', 'templates', 'cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {leak: {{ .Values.leak | quote }}}\n',
    )
    await writeFile(path.join(revision, 'chart', 'x'), 'a: 1\n')
    const helm = await findHelm('helm', undefined, confinement)
    expect(helm).toBeDefined()
    const request = {
      chartDir: path.join(revision, 'chart'),
      release: 'c',
      apiVersions: [],
      valueFiles: [`${path.join(revision, 'chart', 'x')},${path.join(outside, 'secret.txt')}`],
      inRevision: () => true,
      revision,
    }
    const confined = await helm!.template(request)
    expect(JSON.stringify(confined)).not.toContain(CANARY)
    expect(confined.ok).toBe(false)
    // The same call unconfined reads it: the sandbox, not the arguments, is what stopped it.
    const open = await (await findHelm('helm'))!.template(request)
    expect(JSON.stringify(open)).toContain(CANARY)

    // A builtin generator naming an absolute file, built with load restrictions off (kustomize-controller's mode).
    await mkdir(path.join(revision, 'k'))
    await writeFile(path.join(revision, 'k', 'kustomization.yaml'), 'generators: [gen.yaml]\n')
    await writeFile(
      path.join(revision, 'k', 'gen.yaml'),
      `apiVersion: builtin\nkind: ConfigMapGenerator\nmetadata: {name: leak}\nfiles: [${path.join(outside, 'secret.txt')}]\n`,
    )
    const k = kustomize('kustomize', undefined, confinement)
    const built = await k.build(path.join(revision, 'k'), {loadRestrictionsNone: true, reads: [revision]})
    expect(JSON.stringify(built)).not.toContain(CANARY)
    expect(built.ok).toBe(false)
    const unconfined = await kustomize('kustomize').build(path.join(revision, 'k'), {loadRestrictionsNone: true})
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
        env: moduleEnv,
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

describe('no sandbox to be had', () => {
  it('an untrusted revision renders nothing with a tool (render-unavailable, the fix named); directory sources still render', async () => {
    const repo = await twoDeployables()
    const noSandbox = {...env, AMEIDE_BWRAP: path.join(os.tmpdir(), 'no-such-bwrap')}
    const diff = await runCli(['gitops', 'diff', '--base', 'main', '--head', 'pr', '--no-cache', '--json'], {
      cwd: repo,
      env: noSandbox,
    })
    expect(diff.exitCode, diff.stderr).toBe(1)
    const json = diff.json()
    assertMatchesSchema('gitops-diff.schema.json', json)
    expect(json.summary).toBe('incomplete')
    const unavailable = json.failures.filter((f: {rule: string}) => f.rule === 'render-unavailable')
    expect(unavailable.map((f: {application: string}) => f.application).sort()).toEqual(['chart', 'kust'])
    for (const f of unavailable) expect(f.message).toMatch(/no sandbox can be made here.*fix: /)
    // What ameide renders itself goes on: the directory source's ConfigMap is added.
    expect(JSON.stringify(json.deployables)).toContain('"name":"plain"')

    // A trusted working tree renders without one; --untrusted (or a pull request's job) refuses to.
    const trusted = await runCli(['gitops', 'verify', '--render', '--no-cache', '--json'], {cwd: repo, env: noSandbox})
    expect(trusted.exitCode, trusted.stdout).toBe(0)
    for (const untrusted of [
      runCli(['gitops', 'verify', '--render', '--untrusted', '--no-cache', '--json'], {cwd: repo, env: noSandbox}),
      runCli(['gitops', 'verify', '--render', '--no-cache', '--json'], {
        cwd: repo,
        env: {...noSandbox, GITHUB_ACTIONS: 'true', GITHUB_EVENT_NAME: 'pull_request'},
      }),
    ]) {
      const v = (await untrusted).json()
      const rules = v.findings.filter((f: {rule: string}) => f.rule === 'render-unavailable')
      expect(rules.length, JSON.stringify(v.findings)).toBe(2)
    }
  })

  it('the render module needs none: without bubblewrap, or with one that cannot make namespaces, an untrusted revision renders every chart and kustomize root', async () => {
    const repo = await twoDeployables()
    const refusing = path.join(await makeTempDir('ameide-bwrap-'), 'bwrap')
    // What bubblewrap answers in a container whose seccomp profile refuses new namespaces.
    await writeFile(refusing, '#!/bin/sh\necho "bwrap: No permissions to creating new namespace" >&2\nexit 1\n', {
      mode: 0o755,
    })
    for (const bwrap of [path.join(os.tmpdir(), 'no-such-bwrap'), refusing]) {
      const noSandbox = {...moduleEnv, AMEIDE_BWRAP: bwrap}
      const diff = await runCli(['gitops', 'diff', '--base', 'main', '--head', 'pr', '--no-cache', '--json'], {
        cwd: repo,
        env: noSandbox,
      })
      const json = diff.json()
      assertMatchesSchema('gitops-diff.schema.json', json)
      expect(json.summary, JSON.stringify(json.failures)).not.toBe('incomplete')
      expect(json.failures).toEqual([])
      const added = JSON.stringify(json.deployables)
      for (const name of ['"name":"cm"', '"name":"kcm"', '"name":"plain"']) expect(added).toContain(name)
      for (const untrusted of [
        runCli(['gitops', 'verify', '--render', '--untrusted', '--no-cache', '--json'], {cwd: repo, env: noSandbox}),
        runCli(['gitops', 'verify', '--render', '--no-cache', '--json'], {
          cwd: repo,
          env: {...noSandbox, GITHUB_ACTIONS: 'true', GITHUB_EVENT_NAME: 'pull_request'},
        }),
      ]) {
        const v = (await untrusted).json()
        // The chart (a Helm deployable) rendered; nothing of the kustomize root or the chart is unavailable.
        expect(v.render.deployables.map((d: {status: string}) => d.status)).toEqual(['rendered'])
        const unrendered = v.findings.filter((f: {rule: string}) =>
          /^render-(unavailable|failed|refused)$/.test(f.rule),
        )
        expect(unrendered).toEqual([])
        expect(v.render.tools.sandbox).toMatch(/^webassembly/)
      }
    }
  })

  it('doctor reports the sandbox: ok here, missing with its fix where bwrap is not found', async () => {
    const here = (await runCli(['doctor', '--json'], {env})).json()
    const line = here.checks.find((c: {id: string}) => c.id === 'sandbox')
    expect(line.status).toBe('ok')
    expect(line.detail).toMatch(/bubblewrap/)
    const none = (await runCli(['doctor', '--json'], {env: {...env, AMEIDE_BWRAP: '/nonexistent/bwrap'}})).json()
    const missing = none.checks.find((c: {id: string}) => c.id === 'sandbox')
    expect(missing.status).toBe('missing')
    expect(missing.fix).toMatch(/bubblewrap/)
    await readFile(path.join(home, '.git-credentials'), 'utf8') // untouched
  })
})
