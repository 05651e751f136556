/**
 * A pull request is data, never a key: `gitops diff` (the working tree as head, and `--head REV`), `gitops verify
 * --render` and `--print-layout` on a hostile revision, with the real git, helm and kustomize and the built CLI. Each
 * attack is refused by name (`render-refused`), fails the run, and none of the planted canaries — a token in the
 * environment, the checkout's `.git/config` extraheader, a file outside the repository, a loopback server, a
 * plugin's or filter driver's marker — appears in stdout, stderr, `--json`, `--markdown`, $GITHUB_STEP_SUMMARY,
 * $GITHUB_OUTPUT or the render caches under `.git/ameide`.
 */
import {randomBytes} from 'node:crypto'
import {existsSync} from 'node:fs'
import {chmod, mkdir, readdir, readFile, rm, symlink, writeFile} from 'node:fs/promises'
import type {Server} from 'node:http'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {CallToolResult} from '@modelcontextprotocol/sdk/types.js'

import {connect} from '../../mcp/client.js'
import {runCli} from '../../support/cli.js'
import {edit} from '../../support/diff-repo.js'
import {helmGitopsRepo, ORIGIN, originApplication} from '../../support/helm-repo.js'
import {closeLoopback, listenLoopback} from '../../support/loopback.js'
import {assertMatchesSchema} from '../../support/schema.js'
import {commitAll, git, makeTempDir, runCleanups} from '../../support/tmp.js'
import {toolEnv} from '../../support/toolchain.js'

const TOKEN = `canary-env-${randomBytes(6).toString('hex')}`
const HEADER = `canary-git-${randomBytes(6).toString('hex')}`
const OUTSIDE = `canary-outside-${randomBytes(6).toString('hex')}`

let env: Record<string, string | undefined>
let outside: string
let server: Server
let requests: string[]
let loopback: string

beforeAll(async () => {
  env = {...toolEnv(), GITHUB_TOKEN: TOKEN, REGISTRY_PASSWORD: TOKEN, AWS_SECRET_ACCESS_KEY: TOKEN}
  env.TMPDIR = await makeTempDir('ameide-untrusted-tmp-')
  outside = await makeTempDir('ameide-untrusted-outside-')
  await writeFile(path.join(outside, 'secret.txt'), `${OUTSIDE}\n`)
  await writeFile(
    path.join(outside, 'evil.yaml'),
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: outside\ndata:\n  leak: ${OUTSIDE}\n`,
  )
  await mkdir(path.join(outside, 'base'))
  await writeFile(path.join(outside, 'base', 'kustomization.yaml'), 'resources: [cm.yaml]\n')
  await writeFile(
    path.join(outside, 'base', 'cm.yaml'),
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: base\ndata:\n  leak: ${OUTSIDE}\n`,
  )
  requests = []
  ;({server, url: loopback} = await listenLoopback((req, res) => {
    requests.push(`${req.method} ${req.url}`)
    res.statusCode = 404
    res.end()
  }))
})

afterAll(async () => {
  await closeLoopback(server)
  await runCleanups()
})

const application = originApplication

/** A chart whose ConfigMap prints `.Files.Get "files/leak"`, deployed by Application `app`. */
const chartFiles = (): Record<string, string> => ({
  'argocd/app.yaml': application('app', 'path: charts/app'),
  'charts/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\n',
  'charts/app/values.yaml': 'greeting: hello\n',
  'charts/app/files/leak': 'nothing to see\n',
  'charts/app/templates/cm.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: leak\ndata:\n  leak: {{ .Files.Get "files/leak" | quote }}\n  greeting: {{ .Values.greeting | quote }}\n',
})

/** The checkout's .git/config carries a token the way actions/checkout (persist-credentials) writes it. */
async function withExtraheader(repo: string): Promise<void> {
  await git(repo, ['config', 'http.https://github.com/.extraheader', `AUTHORIZATION: basic ${HEADER}`])
}

async function relink(repo: string, file: string, target: string): Promise<void> {
  await rm(path.join(repo, file), {force: true, recursive: true})
  await mkdir(path.dirname(path.join(repo, file)), {recursive: true})
  await symlink(target, path.join(repo, file))
}

/** Every file under `dir`, concatenated (the render caches). */
async function allText(dir: string): Promise<string> {
  if (!existsSync(dir)) return ''
  let out = ''
  for (const e of await readdir(dir, {withFileTypes: true, recursive: true})) {
    if (e.isFile()) out += await readFile(path.join(e.parentPath, e.name), 'utf8')
  }
  return out
}

interface Attack {
  exitCode: number
  json: any
  /** stdout and stderr of both runs, the Markdown file, the step summary, GITHUB_OUTPUT, the render caches. */
  everything: string
}

/** Runs `ameide <args>` twice (human under GitHub Actions with --markdown for diff, then --json) on `repo`. */
async function attack(repo: string, args: string[], extraEnv: Record<string, string> = {}): Promise<Attack> {
  const out = await makeTempDir('ameide-untrusted-out-')
  const files = {
    GITHUB_STEP_SUMMARY: path.join(out, 'summary.md'),
    GITHUB_OUTPUT: path.join(out, 'output.txt'),
  }
  const markdown = path.join(out, 'comment.md')
  const isDiff = args[1] === 'diff'
  const human = await runCli([...args, ...(isDiff ? ['--markdown', markdown] : [])], {
    cwd: repo,
    env: {...env, ...extraEnv, ...files, GITHUB_ACTIONS: 'true'},
  })
  const machine = await runCli([...args, '--json'], {cwd: repo, env: {...env, ...extraEnv}})
  const json = machine.json()
  if (!('error' in json)) assertMatchesSchema(isDiff ? 'gitops-diff.schema.json' : 'gitops-verify.schema.json', json)
  expect(human.exitCode).toBe(machine.exitCode)
  const read = async (f: string) => (existsSync(f) ? readFile(f, 'utf8') : '')
  const everything = [
    human.stdout,
    human.stderr,
    machine.stdout,
    machine.stderr,
    await read(markdown),
    await read(files.GITHUB_STEP_SUMMARY),
    await read(files.GITHUB_OUTPUT),
    await allText(path.join(repo, '.git', 'ameide')),
  ].join('\n')
  return {exitCode: machine.exitCode, json, everything}
}

const refusals = (json: any): Array<{file: string; message: string}> =>
  [...(json.failures ?? []), ...(json.findings ?? [])].filter((f: {rule: string}) => f.rule === 'render-refused')

function expectNoCanary(a: Attack): void {
  for (const canary of [TOKEN, HEADER, OUTSIDE]) expect(a.everything).not.toContain(canary)
  // Nor a temporary folder of the run (a materialised revision, a renderer's home).
  expect(a.everything).not.toMatch(/ameide-(diff-base|diff-head|render|layout|helm|kustomize|git)-[A-Za-z0-9]{6}\b/)
}

/** Refused: exit 1, the diff `incomplete` (verify: `fail`), no canary anywhere; its `render-refused` findings. */
function expectRefused(a: Attack): Array<{file: string; message: string}> {
  expect(a.exitCode, a.everything).toBe(1)
  expect(a.json.summary).toBe('failures' in a.json ? 'incomplete' : 'fail')
  expectNoCanary(a)
  const refused = refusals(a.json)
  expect(refused.length, JSON.stringify(a.json)).toBeGreaterThan(0)
  return refused
}

describe('a link out of the revision is refused, never read', () => {
  it('a chart file linked to /proc/self/environ: gitops diff (working tree and --head) and verify --render refuse it', async () => {
    const repo = await helmGitopsRepo(chartFiles())
    await relink(repo, 'charts/app/files/leak', '/proc/self/environ')
    for (const args of [
      ['gitops', 'diff'],
      ['gitops', 'verify', '--render'],
    ]) {
      const a = await attack(repo, args)
      const refused = expectRefused(a)
      expect(refused[0].message).toContain('charts/app/files/leak')
      expect(refused[0].message).toContain('an absolute path')
      expect(refused[0].message).not.toContain('/proc')
      if (args[1] === 'diff') expect(a.json.deployables).toEqual([])
    }
    // Committed on a branch: --head reads the commit from git objects, the same refusal.
    await git(repo, ['checkout', '-q', '-b', 'pr'])
    await commitAll(repo, 'environ')
    const a = await attack(repo, ['gitops', 'diff', '--base', 'main', '--head', 'pr'])
    expect(expectRefused(a).map((f) => f.file)).toEqual(['argocd/app.yaml'])
    // A link no deployable reads is refused too (as Argo CD refuses the repository): nothing may pass for complete.
    await relink(repo, 'charts/app/files/leak', '../../../README.md')
    await writeFile(path.join(repo, 'README.md'), 'readme\n')
    await symlink('/proc/self/environ', path.join(repo, 'docs-environ'))
    await commitAll(repo, 'elsewhere')
    const elsewhere = await attack(repo, ['gitops', 'verify', '--render'])
    expect(expectRefused(elsewhere).map((f) => f.file)).toEqual(['docs-environ'])
  })

  it("a chart file linked to the checkout's .git/config (the extraheader token): refused with the working tree and --head", async () => {
    const repo = await helmGitopsRepo(chartFiles())
    await withExtraheader(repo)
    await relink(repo, 'charts/app/files/leak', '../../../.git/config')
    const wt = await attack(repo, ['gitops', 'diff'])
    expect(expectRefused(wt)[0].message).toContain("the repository's .git folder")
    await git(repo, ['checkout', '-q', '-b', 'pr'])
    await commitAll(repo, 'git config')
    const head = await attack(repo, ['gitops', 'diff', '--base', 'main', '--head', 'HEAD'])
    expect(expectRefused(head)[0].message).toContain('charts/app/files/leak')
  })

  it('a template linked to a YAML outside the repository (relative, and through an in-tree link): verify --render fails', async () => {
    const repo = await helmGitopsRepo(chartFiles())
    const rel = path.relative(path.join(repo, 'charts/app/templates'), path.join(outside, 'evil.yaml'))
    await relink(repo, 'charts/app/templates/evil.yaml', rel)
    // Tracked (a pull request commits it); an untracked link is never read at all.
    await git(repo, ['add', '-A'])
    const a = await attack(repo, ['gitops', 'verify', '--render'])
    const refused = expectRefused(a)
    expect(a.json.render.deployables.map((d: {status: string}) => d.status)).toEqual(['refused'])
    expect(refused[0].message).toContain('charts/app/templates/evil.yaml')
    expect(refused[0].message).toContain('a path that leaves the revision')
    // x/y/up -> ../.. (the root: in bounds); charts/app/templates/evil.yaml -> ../../../x/y/up/../<outside>: lexically
    // inside, really outside once `up` is followed.
    await mkdir(path.join(repo, 'x', 'y'), {recursive: true})
    await symlink('../..', path.join(repo, 'x', 'y', 'up'))
    await relink(
      repo,
      'charts/app/templates/evil.yaml',
      `../../../x/y/up/../${path.relative(path.dirname(repo), outside)}/evil.yaml`,
    )
    await git(repo, ['add', '-A'])
    const through = await attack(repo, ['gitops', 'verify', '--render'])
    // Lexically x/y/up/.. stays inside; followed step by step, `..` from the root leaves.
    expect(expectRefused(through)[0].message).toContain(
      'charts/app/templates/evil.yaml, a symbolic link to a path that leaves',
    )
    // A link through another link that leaves: refused as such (and the other one too).
    await symlink(outside, path.join(repo, 'x', 'out'))
    await relink(repo, 'charts/app/templates/evil.yaml', '../../../x/out/evil.yaml')
    await git(repo, ['add', '-A'])
    const chained = await attack(repo, ['gitops', 'verify', '--render'])
    expect(expectRefused(chained)[0].message).toContain('a path through a link that leaves the revision')
    // --print-layout reads the same revision: nothing outside is read for it either.
    const layout = await runCli(['gitops', 'verify', '--print-layout', '--json'], {cwd: repo, env})
    expect(layout.exitCode, layout.stderr).toBe(0)
    expect(layout.stdout + layout.stderr).not.toContain(OUTSIDE)
  })

  it('a kustomize base outside the repository, a source path and value files that leave it: refused by name', async () => {
    const repo = await helmGitopsRepo({
      ...chartFiles(),
      'argocd/app.yaml': application(
        'app',
        ['path: charts/app', 'helm:', '  valueFiles: [../../../../secret.txt]'].join('\n'),
      ),
      'argocd/kust.yaml': application('kust', 'path: deploy'),
      'argocd/away.yaml': application('away', 'path: ../../elsewhere'),
      'flux/sync.yaml': [
        'apiVersion: kustomize.toolkit.fluxcd.io/v1',
        'kind: Kustomization',
        'metadata: {name: away, namespace: flux-system}',
        'spec:',
        '  path: ../../elsewhere',
        '  sourceRef: {kind: GitRepository, name: flux-system}',
        '',
      ].join('\n'),
      'deploy/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n',
    })
    const base = path.relative(path.join(repo, 'deploy'), path.join(outside, 'base'))
    await writeFile(path.join(repo, 'deploy/kustomization.yaml'), `resources:\n  - cm.yaml\n  - ${base}\n`)
    await commitAll(repo, 'outside')
    const a = await attack(repo, ['gitops', 'verify', '--render'])
    const files = expectRefused(a).map((f) => f.file)
    expect(files).toEqual(
      expect.arrayContaining(['argocd/app.yaml', 'argocd/away.yaml', 'deploy/kustomization.yaml', 'flux/sync.yaml']),
    )
    expect(a.json.render.roots.find((r: {dir: string}) => r.dir === 'deploy').status).toBe('refused')
    expectRefused(await attack(repo, ['gitops', 'diff']))
  })

  it('a guessed overlay holding a link out is refused before any build, even the one that looks for Applications it prints', async () => {
    // x/overlays/prod is guessed (kustomize's overlays/<env>/) beside an Application deploying x/overlays/dev, and it
    // names an Argo CD kind, so the gate would build it to see whether it prints Applications — not with a link out.
    const marker = `probe-${randomBytes(6).toString('hex')}`
    const repo = await helmGitopsRepo({
      'argocd/x.yaml': application('x', 'path: x/overlays/dev'),
      'x/base/kustomization.yaml': 'resources: [cm.yaml]\n',
      'x/base/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: "1"}\n',
      'x/overlays/dev/kustomization.yaml': 'resources: [../../base]\n',
      'x/overlays/prod/kustomization.yaml': [
        'resources: [../../base, probe.yaml]',
        'patches:',
        '- patch: \'[{"op": "add", "path": "/metadata/labels", "value": {}}]\'',
        '  target: {kind: Application}',
        '',
      ].join('\n'),
      'x/overlays/prod/probe.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: probe}\ndata: {a: ${marker}}\n`,
    })
    await symlink('/proc/self/environ', path.join(repo, 'x/overlays/prod/environ'))
    await commitAll(repo, 'environ') // in both revisions of the diff, which changes what both overlays read
    await writeFile(
      path.join(repo, 'x/base/cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: "2"}\n',
    )
    for (const args of [
      ['gitops', 'diff'],
      ['gitops', 'verify', '--render'],
    ]) {
      const a = await attack(repo, args)
      expect(expectRefused(a).map((f) => f.file)).toContain('x/overlays/prod/kustomization.yaml')
      // Never built: its output is nowhere, the render caches included.
      expect(a.everything).not.toContain(marker)
    }
  })

  it('an in-bounds link keeps working: a values file linked to another renders, and its target is part of the cache key', async () => {
    const repo = await helmGitopsRepo({
      ...chartFiles(),
      'argocd/app.yaml': application(
        'app',
        ['path: charts/app', 'helm:', '  valueFiles: [values-prod.yaml]'].join('\n'),
      ),
      'shared/values.yaml': 'greeting: linked-1\n',
      'shared/notes/leak.txt': 'notes-1\n',
    })
    await symlink('../../shared/values.yaml', path.join(repo, 'charts/app/values-prod.yaml'))
    // A chart folder linked to another folder of the repository: read through, keyed by what it holds.
    await rm(path.join(repo, 'charts/app/files'), {recursive: true})
    await symlink('../../shared/notes', path.join(repo, 'charts/app/files'))
    await relink(repo, 'shared/notes/leak', 'leak.txt')
    await commitAll(repo, 'links')
    const first = await runCli(['gitops', 'verify', '--render', '--json'], {cwd: repo, env})
    expect(first.exitCode, first.stdout).toBe(0)
    expect(first.json().render.deployables[0].status).toBe('rendered')
    await git(repo, ['checkout', '-q', '-b', 'pr'])
    await writeFile(path.join(repo, 'shared/values.yaml'), 'greeting: linked-2\n')
    const d = await attack(repo, ['gitops', 'diff'])
    expect(d.exitCode, d.everything).toBe(0)
    expect(d.json.summary).toBe('changed')
    expect(JSON.stringify(d.json.deployables)).toContain('linked-2')
    expect(JSON.stringify(d.json.deployables)).toContain('notes-1')
    // Only what the linked folder holds changes: the cache key follows the links (rendered again, not cached).
    await writeFile(path.join(repo, 'shared/values.yaml'), 'greeting: linked-1\n')
    const warm = await runCli(['gitops', 'verify', '--render', '--json'], {cwd: repo, env})
    expect(warm.json().render.deployables[0].status).toBe('cached')
    await writeFile(path.join(repo, 'shared/notes/leak.txt'), 'notes-2\n')
    const again = await runCli(['gitops', 'verify', '--render', '--json'], {cwd: repo, env})
    expect(again.json().render.deployables[0].status).toBe('rendered')
  })
})

describe('no network, no code from the revision, nothing to steal', () => {
  it('every remote input names a loopback server that sees no request: render-unavailable, the diff incomplete', async () => {
    // The pull request adds every source: each is touched, so what it could not render makes the diff incomplete (an
    // untouched one would not: test/gitops/diff/diff-untouched.test.ts).
    const repo = await helmGitopsRepo({'README.md': 'the base holds none of it\n'})
    await edit(repo, {
      ...chartFiles(),
      'argocd/app.yaml': application(
        'app',
        ['path: charts/app', 'helm:', `  valueFiles: [${loopback}/values.yaml]`].join('\n'),
      ),
      'argocd/deps.yaml': application('deps', 'path: charts/deps'),
      'charts/deps/Chart.yaml': [
        'apiVersion: v2',
        'name: deps',
        'version: 0.1.0',
        'dependencies:',
        `  - {name: web, version: 1.0.0, repository: ${loopback}/charts}`,
        `  - {name: oci, version: 1.0.0, repository: oci://${loopback.replace('http://', '')}/charts}`,
        '',
      ].join('\n'),
      'charts/deps/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deps\n',
      'argocd/kust.yaml': application('kust', 'path: deploy'),
      'deploy/kustomization.yaml': [
        'resources:',
        `  - ${loopback}/resource.yaml`,
        `  - git::${loopback}/org/repo.git//base?ref=main`,
        `  - file://${outside}/base`,
        `  - ${loopback.replace('http://', '')}/org/repo//base`,
        '',
      ].join('\n'),
      'argocd/refs.yaml': application('refs', 'path: refs'),
      'refs/kustomization.yaml': [
        'resources: [cm.yaml]',
        `patches: [{path: ${loopback}/patch.yaml}]`,
        `configMapGenerator: [{name: fetched, files: [${loopback}/file.txt]}]`,
        `openapi: {path: ${loopback}/openapi.json}`,
        '',
      ].join('\n'),
      'refs/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: refs\n',
      'argocd/inflate.yaml': application('inflate', 'path: inflate'),
      'argocd/other.yaml': application('other', 'path: deploy').replace(
        `repoURL: ${ORIGIN}`,
        `repoURL: ${loopback}/other.git`,
      ),
      'inflate/kustomization.yaml': [
        'helmCharts:',
        `  - {name: web, repo: ${loopback}/charts, version: 1.0.0, releaseName: web}`,
        '',
      ].join('\n'),
    })
    await commitAll(repo, 'every remote input')
    const before = requests.length
    const a = await attack(repo, ['gitops', 'diff', '--base', 'HEAD^'])
    expect(a.exitCode).toBe(1)
    expect(a.json.summary).toBe('incomplete')
    const v = await attack(repo, ['gitops', 'verify', '--render', '--require-render'])
    expect(v.exitCode).toBe(1)
    const unavailable = v.json.findings.filter((f: {rule: string}) => f.rule === 'render-unavailable')
    expect(unavailable.map((f: {file: string}) => f.file)).toEqual(
      expect.arrayContaining([
        'argocd/app.yaml',
        'argocd/deps.yaml',
        'argocd/other.yaml',
        'deploy/kustomization.yaml',
        'inflate/kustomization.yaml',
        'refs/kustomization.yaml',
      ]),
    )
    // An untrusted revision names no chart repository that is fetched: its dependencies are not requested.
    expect(unavailable.map((f: {message: string}) => f.message).join('\n')).toMatch(
      /Application deps.*(offline|not requested|no request)|charts\/deps/,
    )
    expect(unavailable.map((f: {message: string}) => f.message).join('\n')).toContain(`file://`)
    // The dependency is named as diff names it: the chart, the repository asked and the Chart.yaml line that asked.
    expect(unavailable.find((f: {application?: string}) => f.application === 'deps').dependency).toEqual({
      chart: 'web',
      repository: `${loopback}/charts`,
      file: 'charts/deps/Chart.yaml',
      line: 5,
    })
    expect(v.everything).toContain(`chart web from ${loopback}/charts (a dependency in charts/deps/Chart.yaml:5)`)
    expect(requests.slice(before)).toEqual([])
    expectNoCanary(a)
    expectNoCanary(v)
  })

  it('no kustomize plugin, KRM function, helm downloader plugin or git filter driver runs while a revision is read', async () => {
    const marks = await makeTempDir('ameide-untrusted-marks-')
    const plugin = (name: string) => `#!/bin/sh\ntouch ${path.join(marks, name)}\ncat\n`
    const repo = await helmGitopsRepo({
      'argocd/kust.yaml': application('kust', 'path: deploy'),
      'deploy/kustomization.yaml': 'resources: [cm.yaml]\ngenerators: [krm.yaml, exec.yaml]\n',
      'deploy/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n',
      'deploy/krm.yaml': [
        'apiVersion: example.com/v1',
        'kind: Gen',
        'metadata:',
        '  name: krm',
        '  annotations:',
        '    config.kubernetes.io/function: |',
        '      exec:',
        '        path: ./krm.sh',
        '',
      ].join('\n'),
      'deploy/krm.sh': plugin('krm'),
      'deploy/exec.yaml': 'apiVersion: someteam.example.com/v1\nkind: ExecGen\nmetadata:\n  name: exec\n',
      'argocd/deps.yaml': application('deps', 'path: charts/deps'),
      'charts/deps/Chart.yaml':
        'apiVersion: v2\nname: deps\nversion: 0.1.0\ndependencies:\n  - {name: web, version: 1.0.0, repository: "canary://charts"}\n',
      'charts/deps/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deps\n',
      '.gitattributes': '*.yaml filter=evil\n',
    })
    await chmod(path.join(repo, 'deploy/krm.sh'), 0o755)
    // An exec plugin where kustomize looks for one, a helm downloader plugin for canary://, a filter driver.
    const xdg = await makeTempDir('ameide-untrusted-xdg-')
    const execDir = path.join(xdg, 'kustomize', 'plugin', 'someteam.example.com', 'v1', 'execgen')
    await mkdir(execDir, {recursive: true})
    await writeFile(path.join(execDir, 'ExecGen'), plugin('exec'), {mode: 0o755})
    const helmPlugins = await makeTempDir('ameide-untrusted-helm-plugins-')
    await mkdir(path.join(helmPlugins, 'canary'))
    await writeFile(
      path.join(helmPlugins, 'canary', 'plugin.yaml'),
      `name: canary\nversion: 0.1.0\ncommand: ${path.join(helmPlugins, 'canary', 'get.sh')}\ndownloaders:\n  - command: ${path.join(helmPlugins, 'canary', 'get.sh')}\n    protocols: [canary]\n`,
    )
    await writeFile(path.join(helmPlugins, 'canary', 'get.sh'), plugin('helm'), {mode: 0o755})
    await git(repo, ['config', 'filter.evil.smudge', `touch ${path.join(marks, 'smudge')}; cat`])
    await git(repo, ['config', 'filter.evil.clean', `touch ${path.join(marks, 'clean')}; cat`])
    await git(repo, ['config', 'core.fsmonitor', `touch ${path.join(marks, 'fsmonitor')}; false`])
    await git(repo, ['checkout', '-q', '-b', 'pr'])
    await writeFile(path.join(repo, 'deploy/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm2\n')
    await git(repo, ['-c', 'core.fsmonitor=false', 'commit', '-qam', 'change', '--no-verify'])
    await rm(marks, {recursive: true, force: true})
    await mkdir(marks)
    const extra = {
      XDG_CONFIG_HOME: xdg,
      KUSTOMIZE_PLUGIN_HOME: path.join(xdg, 'kustomize', 'plugin'),
      HELM_PLUGINS: helmPlugins,
    }
    const d = await attack(repo, ['gitops', 'diff', '--base', 'main', '--head', 'pr'], extra)
    expect(d.exitCode).toBe(1)
    const w = await attack(repo, ['gitops', 'diff'], extra)
    expect(w.exitCode).toBe(1)
    const v = await attack(repo, ['gitops', 'verify', '--render'], extra)
    expect(v.exitCode).toBe(1)
    expect(await readdir(marks)).toEqual([])
  })

  it("no renderer sees this process's environment: a helm and a kustomize on PATH that would record theirs never run", async () => {
    const bin = await makeTempDir('ameide-untrusted-bin-')
    const seen = await makeTempDir('ameide-untrusted-seen-')
    const fake = (tool: string, version: string) =>
      [
        '#!/bin/sh',
        `env >> ${path.join(seen, tool)}`,
        `case "$1" in version) echo ${version};; *) printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: ${tool}\\n';; esac`,
        '',
      ].join('\n')
    await writeFile(path.join(bin, 'helm'), fake('helm', 'v4.1.4+gfake'), {mode: 0o755})
    await writeFile(path.join(bin, 'kustomize'), fake('kustomize', 'v5.6.0'), {mode: 0o755})
    const repo = await helmGitopsRepo({
      ...chartFiles(),
      'argocd/kust.yaml': application('kust', 'path: deploy'),
      'deploy/kustomization.yaml': 'resources: [cm.yaml]\n',
      'deploy/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n',
    })
    const run = await runCli(['gitops', 'verify', '--render', '--no-cache', '--json'], {
      cwd: repo,
      env: {
        ...env,
        PATH: `${bin}${path.delimiter}${env.PATH}`,
        KUBECONFIG: '/nowhere/kubeconfig',
        HTTPS_PROXY: 'http://proxy.invalid',
      },
    })
    expect(run.exitCode, run.stdout + run.stderr).toBe(0)
    // The render module rendered the chart and the root (it has no environment at all); neither binary ran.
    const json = run.json()
    expect(json.render.deployables.map((d: {status: string}) => d.status)).toEqual(['rendered'])
    expect(json.render.roots.map((r: {status: string}) => r.status)).toContain('rendered')
    expect(await readdir(seen)).toEqual([])
    expect(run.stdout + run.stderr).not.toContain(TOKEN)
  })
})

describe('the render paths of directory sources, overrides, app of apps and generated Flux kustomizations', () => {
  const DOTS = '../'.repeat(24)
  const flux = (name: string, p: string) =>
    [
      'apiVersion: kustomize.toolkit.fluxcd.io/v1',
      'kind: Kustomization',
      `metadata: {name: ${name}, namespace: flux-system}`,
      'spec:',
      `  path: ${p}`,
      '  sourceRef: {kind: GitRepository, name: flux-system}',
      '',
    ].join('\n')
  const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`

  it('a directory source whose folder (recurse, include) holds links to /proc/self/environ and to a YAML outside: refused', async () => {
    const repo = await helmGitopsRepo({
      'argocd/dir.yaml': application('dir', ['path: plain', 'directory: {recurse: true, include: "*"}'].join('\n')),
      'plain/cm.yaml': cm('plain'),
      'plain/deep/cm.yaml': cm('deep'),
    })
    await symlink('/proc/self/environ', path.join(repo, 'plain/environ.yaml'))
    await symlink(
      path.relative(path.join(repo, 'plain/deep'), path.join(outside, 'evil.yaml')),
      path.join(repo, 'plain/deep/evil.yaml'),
    )
    await commitAll(repo, 'links')
    for (const args of [
      ['gitops', 'verify', '--render'],
      ['gitops', 'diff'],
    ]) {
      const refused = expectRefused(await attack(repo, args))
      const text = refused.map((f) => f.message).join('\n')
      expect(text).toContain('plain/environ.yaml')
      expect(text).toContain('plain/deep/evil.yaml')
    }
  })

  it('an override (.argocd-source-<app>.yaml) naming value files, file parameters, components and patches outside or remote: refused or unavailable, never read or fetched', async () => {
    await mkdir(path.join(outside, 'comp'), {recursive: true})
    await writeFile(
      path.join(outside, 'comp', 'kustomization.yaml'),
      'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [cm.yaml]\n',
    )
    await writeFile(
      path.join(outside, 'comp', 'cm.yaml'),
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: outside-comp\ndata:\n  leak: ${OUTSIDE}\n`,
    )
    const repo = await helmGitopsRepo({
      ...chartFiles(),
      'charts/app/.argocd-source-app.yaml': [
        'helm:',
        `  valueFiles: [${DOTS}${outside.slice(1)}/secret.txt, ${outside}/secret.txt, ${loopback}/values.yaml]`,
        `  fileParameters: [{name: leak, path: ${DOTS}${outside.slice(1)}/secret.txt}]`,
        '',
      ].join('\n'),
      'argocd/comp.yaml': application('comp', 'path: comp'),
      'comp/kustomization.yaml': 'resources: [cm.yaml]\n',
      'comp/cm.yaml': cm('comp'),
      'comp/.argocd-source-comp.yaml': `kustomize:\n  components: [${DOTS}${outside.slice(1)}/comp]\n`,
      'argocd/remote.yaml': application('remote', 'path: remote'),
      'remote/kustomization.yaml': 'resources: [cm.yaml]\n',
      'remote/cm.yaml': cm('remote'),
      'remote/.argocd-source-remote.yaml': [
        'kustomize:',
        `  components: [${loopback}/component.yaml]`,
        `  patches: [{path: ${loopback}/patch.yaml}]`,
        '',
      ].join('\n'),
      'argocd/patch.yaml': application('patch', 'path: patch'),
      'patch/kustomization.yaml': 'resources: [cm.yaml]\n',
      'patch/cm.yaml': cm('patch'),
      'patch/.argocd-source-patch.yaml': `kustomize:\n  patches: [{path: ${outside}/evil.yaml}]\n`,
    })
    const before = requests.length
    const v = await attack(repo, ['gitops', 'verify', '--render'])
    const refused = expectRefused(v)
    // The chart's value files are refused where the Application is declared; kustomize options where written.
    expect(refused.map((f) => f.file)).toEqual(
      expect.arrayContaining(['argocd/app.yaml', 'comp/.argocd-source-comp.yaml', 'patch/.argocd-source-patch.yaml']),
    )
    const roots = Object.fromEntries(v.json.render.roots.map((r: {dir: string; status: string}) => [r.dir, r.status]))
    expect(roots).toEqual({comp: 'refused', patch: 'refused', remote: 'unavailable'})
    const unavailable = v.json.findings.filter((f: {rule: string}) => f.rule === 'render-unavailable')
    expect(unavailable.map((f: {file: string}) => f.file)).toContain('remote/.argocd-source-remote.yaml')
    expectRefused(await attack(repo, ['gitops', 'diff']))
    expect(requests.slice(before)).toEqual([])
  })

  it('an app-of-apps child whose path or value files leave the revision or name a loopback server: refused or unavailable', async () => {
    const child = (name: string, source: string) =>
      application(name, source).replace('namespace: argocd', 'namespace: argocd')
    const repo = await helmGitopsRepo({
      ...chartFiles(),
      'argocd/root.yaml': application('root', 'path: apps'),
      'apps/kustomization.yaml': 'resources: [away.yaml, values.yaml, remote.yaml]\n',
      'apps/away.yaml': child('away', `path: ${DOTS}${outside.slice(1)}/base`),
      'apps/values.yaml': child(
        'values',
        ['path: charts/app', 'helm:', `  valueFiles: [${DOTS}${outside.slice(1)}/secret.txt]`].join('\n'),
      ),
      'apps/remote.yaml': child(
        'remote',
        ['path: charts/app', 'helm:', `  valueFiles: [${loopback}/values.yaml]`].join('\n'),
      ),
    })
    await rm(path.join(repo, 'argocd/app.yaml'))
    await commitAll(repo, 'children')
    const before = requests.length
    const v = await attack(repo, ['gitops', 'verify', '--render'])
    const text = expectRefused(v)
      .map((f) => f.message)
      .join('\n')
    expect(text).toContain('away')
    expect(text).toContain('values')
    expectRefused(await attack(repo, ['gitops', 'diff']))
    expect(requests.slice(before)).toEqual([])
  })

  it('a Flux Kustomization over a plain folder (LoadRestrictionsNone) whose tree holds a kustomization naming files outside, directly or through an in-bounds folder link: refused', async () => {
    const repo = await helmGitopsRepo({
      'flux/apps.yaml': flux('apps', './clusters/dev'),
      'clusters/dev/cm.yaml': cm('dev'),
      'clusters/dev/sub/kustomization.yaml': `resources: [${DOTS}${outside.slice(1)}/evil.yaml]\n`,
    })
    const direct = await attack(repo, ['gitops', 'verify', '--render'])
    expect(expectRefused(direct).map((f) => f.file)).toContain('clusters/dev/sub/kustomization.yaml')
    // The same kustomization in another folder, reached through a link in the Flux path's tree.
    await rm(path.join(repo, 'clusters/dev/sub'), {recursive: true})
    await mkdir(path.join(repo, 'lib/evil'), {recursive: true})
    await writeFile(
      path.join(repo, 'lib/evil/kustomization.yaml'),
      `resources: [${DOTS}${outside.slice(1)}/evil.yaml]\n`,
    )
    await mkdir(path.join(repo, 'clusters/dev/sub'), {recursive: true})
    await writeFile(path.join(repo, 'clusters/dev/sub/kustomization.yaml'), 'resources: [lib]\n')
    await symlink('../../../lib/evil', path.join(repo, 'clusters/dev/sub/lib'))
    await commitAll(repo, 'through a link')
    for (const args of [
      ['gitops', 'verify', '--render'],
      ['gitops', 'diff'],
    ]) {
      const a = await attack(repo, args)
      expectRefused(a)
    }
    // An Argo CD kustomize source (kustomize's default restrictions) through a folder link to a base outside.
    await mkdir(path.join(repo, 'argocd'))
    await writeFile(path.join(repo, 'argocd/k.yaml'), application('k', 'path: clusters/dev/sub'))
    await writeFile(path.join(repo, 'lib/evil/kustomization.yaml'), `resources: [${DOTS}${outside.slice(1)}/base]\n`)
    await commitAll(repo, 'argo')
    expectRefused(await attack(repo, ['gitops', 'verify', '--render']))
  })
})

describe('the configuration file of a hostile revision', () => {
  it('ameide.yaml linked to a file outside the repository or to /proc/self/environ: refused unread, nothing quoted', async () => {
    await writeFile(path.join(outside, 'config.yaml'), `registry: ${OUTSIDE}\nbroken: [\n`)
    const repo = await helmGitopsRepo(chartFiles())
    for (const target of [path.relative(repo, path.join(outside, 'config.yaml')), '/proc/self/environ']) {
      await relink(repo, 'ameide.yaml', target)
      for (const args of [
        ['gitops', 'verify'],
        ['gitops', 'verify', '--print-layout'],
      ]) {
        const a = await attack(repo, args, {ZZ_SECRET: `${TOKEN}: {`})
        expect(a.exitCode, a.everything).toBe(3)
        expect(a.json.error.message).toContain('ameide.yaml is a symbolic link to a path outside the repository')
        expectNoCanary(a)
      }
      // gitops diff reads the base's ameide.yaml, never the checkout's: a head's link out is refused, unread, and
      // reported as the head's change to the policy.
      await git(repo, ['add', 'ameide.yaml'])
      const d = await attack(repo, ['gitops', 'diff'], {ZZ_SECRET: `${TOKEN}: {`})
      expect(expectRefused(d).map((f) => f.file)).toContain('ameide.yaml')
      expect(d.json.policy).toMatchObject({present: false, changed: true})
      expect(d.json.policy.headInvalid).toContain('ameide.yaml is a symbolic link to')
      await git(repo, ['rm', '-q', '--cached', 'ameide.yaml'])
    }
  })
})

describe('the MCP tools on a hostile revision', () => {
  it('gitops_diff and gitops_verify (render) through the MCP client: refused, no canary in the tool result or the log', async () => {
    const repo = await helmGitopsRepo(chartFiles())
    await withExtraheader(repo)
    await git(repo, ['checkout', '-q', '-b', 'pr'])
    await relink(repo, 'charts/app/files/leak', '/proc/self/environ')
    const rel = path.relative(path.join(repo, 'charts/app/templates'), path.join(outside, 'evil.yaml'))
    await relink(repo, 'charts/app/templates/evil.yaml', rel)
    await commitAll(repo, 'hostile')
    const defined = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined))
    const session = await connect(repo, {env: defined})
    for (const [name, args] of [
      ['gitops_diff', {root: repo, base: 'main', head: 'pr'}],
      ['gitops_diff', {root: repo}],
      ['gitops_verify', {root: repo, render: true}],
    ] as const) {
      const result = (await session.client.callTool({name, arguments: args})) as CallToolResult
      const text = JSON.stringify(result)
      for (const canary of [TOKEN, HEADER, OUTSIDE]) expect(text).not.toContain(canary)
      const doc = result.structuredContent as any
      expect(doc, text).toBeDefined()
      expect(doc.summary).toBe(name === 'gitops_diff' ? 'incomplete' : 'fail')
      expect(
        refusals(doc)
          .map((f) => f.message)
          .join('\n'),
      ).toContain('charts/app/files/leak')
    }
    for (const canary of [TOKEN, HEADER, OUTSIDE]) expect(session.stderr()).not.toContain(canary)
  })
})
