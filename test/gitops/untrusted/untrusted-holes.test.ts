/**
 * The holes a second attack round found in the first line (the field checks; the render module is the second): kustomize
 * plugin configurations, helm's comma-splitting flags, the release name, gitlinks, manifests ameide cannot parse,
 * replayed messages and the policy of the head. Each with the real git, helm and kustomize and the built CLI: exit 1,
 * the cause named, and none of the canaries — a token in the environment, one in `$HOME`, the checkout's
 * `.git/config` extraheader, a file outside the repository — in stdout, stderr, `--json`, `--markdown`, the step
 * summary or the render caches; nothing left in the temporary folder.
 */
import {randomBytes} from 'node:crypto'
import {existsSync} from 'node:fs'
import {mkdir, readdir, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../../support/cli.js'
import {helmGitopsRepo, ORIGIN, originApplication} from '../../support/helm-repo.js'
import {assertMatchesSchema} from '../../support/schema.js'
import {MEMORY_ROOT} from '../../../src/core/memory-fs/index.js'
import {commitAll, git, makeTempDir, runCleanups} from '../../support/tmp.js'
import {toolEnv} from '../../support/toolchain.js'

const TOKEN = `canary-env-${randomBytes(6).toString('hex')}`
const HOMEC = `canary-home-${randomBytes(6).toString('hex')}`
const HEADER = `canary-git-${randomBytes(6).toString('hex')}`
const OUTSIDE = `canary-outside-${randomBytes(6).toString('hex')}`
const DOTS = '../'.repeat(24)

let env: Record<string, string | undefined>
let outside: string
let home: string
let tmp: string

beforeAll(async () => {
  tmp = await makeTempDir('ameide-holes-tmp-')
  home = await makeTempDir('ameide-holes-home-')
  await writeFile(path.join(home, '.git-credentials'), `https://x:${HOMEC}@github.com\n`)
  env = {...toolEnv(), GITHUB_TOKEN: TOKEN, REGISTRY_PASSWORD: TOKEN, HOME: home, TMPDIR: tmp}
  outside = await makeTempDir('ameide-holes-outside-')
  await writeFile(path.join(outside, 'secret.txt'), `${OUTSIDE}\n`)
  await writeFile(path.join(outside, 'patch.yaml'), `- op: add\n  path: /data/leak\n  value: ${OUTSIDE}\n`)
})

afterAll(async () => {
  await runCleanups()
})

const application = originApplication

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

const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: b\n`

/** A chart whose ConfigMap prints its values and `.Files.Get "files/leak"`, deployed by Application `app`. */
const chart = (dir = 'charts/app'): Record<string, string> => ({
  [`${dir}/Chart.yaml`]: 'apiVersion: v2\nname: app\nversion: 0.1.0\n',
  [`${dir}/values.yaml`]: 'greeting: hello\n',
  [`${dir}/vals/dev.yaml`]: 'greeting: dev\n',
  [`${dir}/files/p`]: 'in tree\n',
  [`${dir}/templates/cm.yaml`]:
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  values: {{ toJson .Values | quote }}\n',
})

async function withExtraheader(repo: string): Promise<void> {
  await git(repo, ['config', 'http.https://github.com/.extraheader', `AUTHORIZATION: basic ${HEADER}`])
}

async function allText(dir: string): Promise<string> {
  if (!existsSync(dir)) return ''
  let out = ''
  for (const e of await readdir(dir, {withFileTypes: true, recursive: true})) {
    if (e.isFile()) out += await readFile(path.join(e.parentPath, e.name), 'utf8')
  }
  return out
}

export interface Attack {
  exitCode: number
  json: any
  human: string
  markdown: string
  everything: string
}

/** Runs `ameide <args>` twice (human under GitHub Actions with --markdown for diff, then --json) on `repo`. */
async function attack(repo: string, args: string[]): Promise<Attack> {
  const out = await makeTempDir('ameide-holes-out-')
  const files = {GITHUB_STEP_SUMMARY: path.join(out, 'summary.md'), GITHUB_OUTPUT: path.join(out, 'output.txt')}
  const markdown = path.join(out, 'comment.md')
  const isDiff = args[1] === 'diff'
  const human = await runCli([...args, ...(isDiff ? ['--markdown', markdown] : [])], {
    cwd: repo,
    env: {...env, ...files, GITHUB_ACTIONS: 'true'},
  })
  const machine = await runCli([...args, '--json'], {cwd: repo, env})
  const json = machine.json()
  if (!('error' in json)) assertMatchesSchema(isDiff ? 'gitops-diff.schema.json' : 'gitops-verify.schema.json', json)
  expect(human.exitCode).toBe(machine.exitCode)
  const read = async (f: string) => (existsSync(f) ? readFile(f, 'utf8') : '')
  const md = await read(markdown)
  const everything = [
    human.stdout,
    human.stderr,
    machine.stdout,
    machine.stderr,
    md,
    await read(files.GITHUB_STEP_SUMMARY),
    await read(files.GITHUB_OUTPUT),
    await allText(path.join(repo, '.git', 'ameide')),
  ].join('\n')
  // Nothing of the run is left in its temporary folder; no output names where a revision was held in memory.
  expect((await readdir(tmp)).filter((f) => f !== 'node-compile-cache')).toEqual([])
  expect(everything).not.toContain(MEMORY_ROOT)
  return {exitCode: machine.exitCode, json, human: human.stdout + human.stderr, markdown: md, everything}
}

const findings = (json: any, rule: string): Array<{file: string; message: string}> =>
  [...(json.failures ?? []), ...(json.findings ?? [])].filter((f: {rule: string}) => f.rule === rule)

function expectNoCanary(a: Attack): void {
  for (const canary of [TOKEN, HOMEC, HEADER, OUTSIDE]) expect(a.everything).not.toContain(canary)
  expect(a.everything).not.toMatch(/ameide-(diff-base|diff-head|render|layout|helm|kustomize|git)-[A-Za-z0-9]{6}\b/)
}

/** Exit 1, the diff `incomplete` (verify: `fail`), no canary; the findings of `rule`. */
function expectFailed(a: Attack, rule = 'render-refused'): Array<{file: string; message: string}> {
  expect(a.exitCode, a.everything).toBe(1)
  expect(a.json.summary).toBe('failures' in a.json ? 'incomplete' : 'fail')
  expectNoCanary(a)
  const found = findings(a.json, rule)
  expect(found.length, JSON.stringify(a.json)).toBeGreaterThan(0)
  return found
}

const BOTH = [
  ['gitops', 'verify', '--render'],
  ['gitops', 'diff'],
]

describe('kustomize plugin configurations are judged like every file reference', () => {
  it('a Flux Kustomization over a plain folder (LoadRestrictionsNone): a ConfigMapGenerator config whose files and envs leave the revision, a PatchTransformer reading .git/config: refused', async () => {
    const repo = await helmGitopsRepo({
      'flux/apps.yaml': flux('apps', './clusters/dev'),
      'clusters/dev/cm.yaml': cm('dev'),
      'clusters/dev/sub/kustomization.yaml': 'resources: [cm.yaml]\ngenerators: [gen.yaml]\n',
      'clusters/dev/sub/cm.yaml': cm('sub'),
      'clusters/dev/sub/gen.yaml': [
        'apiVersion: builtin',
        'kind: ConfigMapGenerator',
        'metadata: {name: leak}',
        `files: [${DOTS}${outside.slice(1)}/secret.txt, creds=${home}/.git-credentials]`,
        `envs: [${DOTS}${outside.slice(1)}/secret.txt]`,
        '',
      ].join('\n'),
    })
    await withExtraheader(repo)
    for (const args of BOTH) {
      const refused = expectFailed(await attack(repo, args))
      expect(refused.map((f) => f.file)).toContain('clusters/dev/sub/gen.yaml')
      expect(refused.map((f) => f.message).join('\n')).toContain('leaves the revision')
    }
    // A transformer config (a file, and a folder whose kustomization lists it) naming .git/config and a file outside.
    await mkdir(path.join(repo, 'clusters/dev/tr/cfg'), {recursive: true})
    await writeFile(path.join(repo, 'clusters/dev/sub/kustomization.yaml'), 'resources: [cm.yaml]\n')
    await writeFile(
      path.join(repo, 'clusters/dev/tr/kustomization.yaml'),
      'resources: [cm.yaml]\ntransformers: [cfg]\n',
    )
    await writeFile(path.join(repo, 'clusters/dev/tr/cm.yaml'), cm('tr'))
    await writeFile(path.join(repo, 'clusters/dev/tr/cfg/kustomization.yaml'), 'resources: [patch.yaml]\n')
    await writeFile(
      path.join(repo, 'clusters/dev/tr/cfg/patch.yaml'),
      [
        'apiVersion: builtin',
        'kind: PatchTransformer',
        'metadata: {name: p}',
        `path: ${path.join(outside, 'patch.yaml')}`,
        'target: {kind: ConfigMap}',
        '',
      ].join('\n'),
    )
    await commitAll(repo, 'transformer')
    for (const args of BOTH) {
      const refused = expectFailed(await attack(repo, args))
      expect(refused.map((f) => f.file)).toContain('clusters/dev/tr/cfg/patch.yaml')
    }
  })

  it('an Argo CD kustomize source: an inline generator and a validator config naming a loopback URL or .git/config', async () => {
    const repo = await helmGitopsRepo({
      'argocd/k.yaml': application('k', 'path: k'),
      'k/kustomization.yaml': 'resources: [cm.yaml]\n',
      'k/cm.yaml': cm('k'),
    })
    await git(repo, ['checkout', '-q', '-b', 'pr'])
    await writeFile(
      path.join(repo, 'k/kustomization.yaml'),
      [
        'resources: [cm.yaml]',
        'generators:',
        '  - |-',
        '    apiVersion: builtin',
        '    kind: SecretGenerator',
        '    metadata: {name: s}',
        `    files: [${DOTS}${outside.slice(1)}/secret.txt]`,
        'validators: [v.yaml]',
        '',
      ].join('\n'),
    )
    await writeFile(
      path.join(repo, 'k/v.yaml'),
      'apiVersion: builtin\nkind: PatchTransformer\nmetadata: {name: v}\npath: https://127.0.0.1:9/p.yaml\n',
    )
    await commitAll(repo, 'inline')
    for (const args of BOTH)
      expect(expectFailed(await attack(repo, args)).map((f) => f.file)).toContain('k/kustomization.yaml')
    // The URL alone: unavailable, never fetched.
    await writeFile(path.join(repo, 'k/kustomization.yaml'), 'resources: [cm.yaml]\nvalidators: [v.yaml]\n')
    await commitAll(repo, 'url')
    const u = await attack(repo, ['gitops', 'diff'])
    expect(expectFailed(u, 'render-unavailable').map((f) => f.file)).toContain('k/v.yaml')
  })
})

const gitRepository = [
  'apiVersion: source.toolkit.fluxcd.io/v1',
  'kind: GitRepository',
  'metadata: {name: flux-system, namespace: flux-system}',
  `spec: {url: ${ORIGIN}, ref: {branch: main}}`,
  '',
].join('\n')

const helmRelease = (name: string, extra: string[] = []) =>
  [
    'apiVersion: helm.toolkit.fluxcd.io/v2',
    'kind: HelmRelease',
    `metadata: {name: ${name}, namespace: flux-system}`,
    'spec:',
    '  chart:',
    '    spec:',
    '      chart: ./charts/app',
    '      sourceRef: {kind: GitRepository, name: flux-system}',
    ...extra.map((l) => `      ${l}`),
    '',
  ].join('\n')

describe('no path helm splits on commas reaches helm', () => {
  it('a value file "vals/x,<absolute path>" (Application valueFiles, HelmRelease valuesFiles) and a file parameter "files/p,leak=<path>": helm reads the in-tree file, nothing else', async () => {
    await mkdir(path.join(home, '.docker'), {recursive: true})
    await writeFile(path.join(home, '.docker', 'config.json'), `{"auths": {"ghcr.io": {"auth": "${HOMEC}"}}}\n`)
    await writeFile(path.join(outside, 'values.yaml'), `leak: ${OUTSIDE}\n`)
    const docker = path.join(home, '.docker', 'config.json')
    const repo = await helmGitopsRepo({
      ...chart(),
      'argocd/app.yaml': application('app', 'path: charts/app'),
      'flux/source.yaml': gitRepository,
      'flux/release.yaml': helmRelease('rel'),
    })
    await withExtraheader(repo)
    await git(repo, ['checkout', '-q', '-b', 'pr'])
    const inTree: Record<string, string> = {
      'charts/app/vals/x': 'greeting: first-half\n',
      [`charts/app/vals/x,${docker}`]: 'greeting: in-tree-docker\n',
      [`charts/app/vals/y,${outside}/values.yaml`]: 'greeting: in-tree-outside\n',
      'charts/app/files/p': 'first-half\n',
      [`charts/app/files/p,leak=${outside}/secret.txt`]: 'in-tree-file\n',
    }
    for (const [f, text] of Object.entries(inTree)) {
      await mkdir(path.dirname(path.join(repo, f)), {recursive: true})
      await writeFile(path.join(repo, f), text)
    }
    await writeFile(
      path.join(repo, 'argocd/app.yaml'),
      application(
        'app',
        [
          'path: charts/app',
          'helm:',
          `  valueFiles: ["vals/x,${docker}"]`,
          `  fileParameters: [{name: file, path: "files/p,leak=${outside}/secret.txt"}]`,
        ].join('\n'),
      ),
    )
    await writeFile(
      path.join(repo, 'flux/release.yaml'),
      helmRelease('rel', ['valuesFiles:', `  - "charts/app/vals/y,${outside}/values.yaml"`]),
    )
    await commitAll(repo, 'commas')
    for (const args of BOTH) {
      const a = await attack(repo, args)
      expectNoCanary(a)
      expect(a.exitCode, a.everything).toBe(0)
    }
    const d = await attack(repo, ['gitops', 'diff'])
    const text = JSON.stringify(d.json)
    expect(text).toContain('in-tree-docker')
    expect(text).toContain('in-tree-outside')
    expect(text).toContain('in-tree-file')
    expect(text).not.toContain('first-half')
  })

  it('a parameter or file parameter whose name holds "," or "=": refused by name', async () => {
    const repo = await helmGitopsRepo({...chart(), 'argocd/app.yaml': application('app', 'path: charts/app')})
    await git(repo, ['checkout', '-q', '-b', 'pr'])
    for (const field of ['fileParameters', 'parameters']) {
      const entry =
        field === 'fileParameters' ? `{name: "a=${outside}/secret.txt,b", path: files/p}` : `{name: "a,b", value: "1"}`
      await writeFile(
        path.join(repo, 'argocd/app.yaml'),
        application('app', ['path: charts/app', 'helm:', `  ${field}: [${entry}]`].join('\n')),
      )
      await commitAll(repo, field)
      for (const args of BOTH) {
        const refused = expectFailed(await attack(repo, args))
        expect(refused.map((f) => f.message).join('\n')).toContain(`${field} name`)
      }
    }
  })
})

describe('the release name is a name, never a template', () => {
  it('helm.releaseName and a HelmRelease releaseName holding sprig (getHostByName, env): refused; a name Helm would refuse: failed; a valid one renders under its name', async () => {
    const repo = await helmGitopsRepo({
      ...chart(),
      'argocd/app.yaml': application('app', 'path: charts/app'),
      'flux/source.yaml': gitRepository,
      'flux/release.yaml': helmRelease('rel'),
    })
    await git(repo, ['checkout', '-q', '-b', 'pr'])
    const named = (releaseName: string) =>
      application('app', ['path: charts/app', 'helm:', `  releaseName: '${releaseName}'`].join('\n'))
    await writeFile(path.join(repo, 'argocd/app.yaml'), named('{{ getHostByName "ameide-canary.invalid" }}'))
    await writeFile(
      path.join(repo, 'flux/release.yaml'),
      helmRelease('rel').replace('spec:\n', `spec:\n  releaseName: '{{ env "HOME" }}-{{ env "GITHUB_TOKEN" }}'\n`),
    )
    await commitAll(repo, 'templates')
    for (const args of BOTH) {
      const refused = expectFailed(await attack(repo, args))
      expect(refused.map((f) => f.file).sort()).toEqual(['argocd/app.yaml', 'flux/release.yaml'])
      expect(refused[0].message).toContain('is a template')
    }
    await writeFile(path.join(repo, 'argocd/app.yaml'), named('x'.repeat(54)))
    await writeFile(path.join(repo, 'flux/release.yaml'), helmRelease('rel'))
    await commitAll(repo, 'too long')
    const long = expectFailed(await attack(repo, ['gitops', 'diff']), 'render-failed')
    expect(long.map((f) => f.message).join('\n')).toContain('not a valid Helm release name')
    await writeFile(path.join(repo, 'argocd/app.yaml'), named('my-release.v1'))
    await commitAll(repo, 'valid')
    const ok = await attack(repo, ['gitops', 'diff'])
    expect(ok.exitCode, ok.everything).toBe(0)
    expect(JSON.stringify(ok.json)).toContain('my-release.v1')
  })
})

describe('a submodule is another repository: named, never skipped', () => {
  it('a gitlink inside a chart, a recursive directory source and an Argo CD kustomize root: render-unavailable naming it (working tree and --head), the diff incomplete', async () => {
    const repo = await helmGitopsRepo({
      ...chart(),
      'argocd/app.yaml': application('app', 'path: charts/app'),
      'argocd/dir.yaml': application('dir', ['path: plain', 'directory: {recurse: true}'].join('\n')),
      'plain/cm.yaml': cm('plain'),
      // Argo CD's repo-server checks submodules out: a kustomize build over one reads another repository.
      'argocd/kust.yaml': application('kust', 'path: kust'),
      'kust/kustomization.yaml': 'resources: [cm.yaml, mod]\n',
      'kust/cm.yaml': cm('kust'),
    })
    await git(repo, ['checkout', '-q', '-b', 'pr'])
    const commit = (await git(repo, ['rev-parse', 'HEAD'])).trim()
    for (const link of ['charts/app/charts/sub', 'plain/sub', 'kust/mod']) {
      await git(repo, ['update-index', '--add', '--cacheinfo', `160000,${commit},${link}`])
    }
    await git(repo, ['commit', '-qm', 'submodules'])
    for (const args of [...BOTH, ['gitops', 'diff', '--base', 'main', '--head', 'pr']]) {
      const a = await attack(repo, args)
      if (args[1] === 'verify') {
        expectNoCanary(a)
        continue
      }
      const found = expectFailed(a, 'render-unavailable')
      const text = found.map((f) => f.message).join('\n')
      expect(text).toContain('charts/app/charts/sub is a git submodule')
      expect(text).toContain('plain/sub is a git submodule')
      expect(text).toContain('kust/mod is a git submodule')
    }
    const v = await attack(repo, ['gitops', 'verify', '--render', '--require-render'])
    expect(
      expectFailed(v, 'render-unavailable')
        .map((f) => f.file)
        .sort(),
    ).toEqual(['argocd/app.yaml', 'argocd/dir.yaml', 'argocd/kust.yaml'])
  })
})

describe('what ameide cannot read within its limits is incomplete, never absent', () => {
  const aliases = (n: number) => `[${Array.from({length: n}, () => '*a').join(', ')}]`

  it('an Application, a Flux Kustomization and a directory-source manifest with 100 YAML aliases: render-failed, the diff incomplete, nothing "removed"', async () => {
    const repo = await helmGitopsRepo({
      ...chart(),
      'argocd/app.yaml': application('app', 'path: charts/app'),
      'argocd/dir.yaml': application('dir', 'path: plain'),
      'plain/cm.yaml': cm('plain'),
      'flux/apps.yaml': flux('apps', './clusters/dev'),
      'clusters/dev/cm.yaml': cm('dev'),
    })
    await git(repo, ['checkout', '-q', '-b', 'pr'])
    await writeFile(
      path.join(repo, 'argocd/app.yaml'),
      application(
        'app',
        'path: charts/app',
        `  info: &a [{name: x, value: y}]\n  ignoreDifferences: ${aliases(100)}\n`,
      ),
    )
    await writeFile(
      path.join(repo, 'flux/apps.yaml'),
      `${flux('apps', './clusters/dev')}  x: &a 1\n  y: ${aliases(100)}\n`,
    )
    await writeFile(path.join(repo, 'plain/cm.yaml'), `${cm('plain')}  x: &a b\n  y: "${'z'}"\nz: ${aliases(100)}\n`)
    await commitAll(repo, 'aliases')
    for (const args of [
      ['gitops', 'diff'],
      ['gitops', 'diff', '--base', 'main', '--head', 'pr'],
    ]) {
      const a = await attack(repo, args)
      const failed = expectFailed(a, 'render-failed')
      expect(failed.map((f) => f.file).sort()).toEqual(['argocd/dir.yaml', 'argocd/app.yaml', 'flux/apps.yaml'].sort())
      expect(failed.map((f) => f.message).join('\n')).toContain('more than 100 YAML aliases')
      expect(a.json.counts.applicationsRemoved).toBe(0)
      expect(a.json.counts.deployablesRemoved).toBe(0)
      expect(a.human).not.toMatch(/[1-9]\d* removed/)
    }
  })

  it('a UTF-16 manifest (with its byte-order mark) in a directory source is read as Argo CD reads it', async () => {
    const repo = await helmGitopsRepo({
      'argocd/dir.yaml': application('dir', 'path: plain'),
      'plain/cm.yaml': cm('plain'),
    })
    await git(repo, ['checkout', '-q', '-b', 'pr'])
    const text = cm('utf16').replace('a: b', 'a: sixteen')
    await writeFile(
      path.join(repo, 'plain/le.yaml'),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
    )
    const be = Buffer.from(cm('utf16be'), 'utf16le').swap16()
    await writeFile(path.join(repo, 'plain/be.yaml'), Buffer.concat([Buffer.from([0xfe, 0xff]), be]))
    await commitAll(repo, 'utf-16')
    const a = await attack(repo, ['gitops', 'diff'])
    expect(a.exitCode, a.everything).toBe(0)
    expect(a.json.summary).toBe('changed')
    const names = a.json.deployables.flatMap((d: {objects: Array<{name: string}>}) => d.objects.map((o) => o.name))
    expect(names.sort()).toEqual(['utf16', 'utf16be'])
    expect(JSON.stringify(a.json)).toContain('sixteen')
  })
})

describe('a replayed diff keeps repository-relative paths', () => {
  it('helm and kustomize failures answered from .git/ameide on the second run name no temporary folder', async () => {
    const repo = await helmGitopsRepo({
      ...chart(),
      'argocd/app.yaml': application('app', 'path: charts/app'),
      'argocd/k.yaml': application('k', 'path: k'),
      'k/kustomization.yaml': 'resources: [cm.yaml]\n',
      'k/cm.yaml': cm('k'),
    })
    await git(repo, ['checkout', '-q', '-b', 'pr'])
    await writeFile(path.join(repo, 'charts/app/vals/dev.yaml'), 'greeting: [unclosed\n')
    await writeFile(
      path.join(repo, 'argocd/app.yaml'),
      application('app', ['path: charts/app', 'helm:', '  valueFiles: [vals/dev.yaml]'].join('\n')),
    )
    await writeFile(path.join(repo, 'k/kustomization.yaml'), 'resources: [cm.yaml, missing.yaml]\n')
    await commitAll(repo, 'broken')
    for (const args of [
      ['gitops', 'diff'],
      ['gitops', 'diff', '--base', 'main', '--head', 'pr'],
    ]) {
      // attack() runs twice: the second run answers from the render cache of the first.
      const first = await attack(repo, args)
      const replay = await attack(repo, args)
      for (const a of [first, replay]) {
        const failed = expectFailed(a, 'render-failed')
        const text = failed.map((f) => f.message).join('\n')
        expect(text).toContain('charts/app/vals/dev.yaml')
        expect(text).not.toContain(tmp)
        expect(a.everything).not.toContain(tmp)
      }
    }
  })
})

describe("the policy is the base's ameide.yaml", () => {
  it('a head that adds maskKinds, removes them or breaks ameide.yaml: the base decides, the change is shown in every output', async () => {
    const value = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\ndata:\n  a: ${v}\n`
    const repo = await helmGitopsRepo({
      'argocd/dir.yaml': application('dir', 'path: plain'),
      'plain/cm.yaml': value('before-value'),
    })
    await git(repo, ['checkout', '-q', '-b', 'pr'])
    // The head hides its own ConfigMap change.
    await writeFile(path.join(repo, 'ameide.yaml'), 'gitopsPolicy:\n  diff:\n    maskKinds: [ConfigMap]\n')
    await writeFile(path.join(repo, 'plain/cm.yaml'), value('after-value'))
    await commitAll(repo, 'hide')
    for (const args of [
      ['gitops', 'diff'],
      ['gitops', 'diff', '--base', 'main', '--head', 'pr'],
    ]) {
      const a = await attack(repo, args)
      expect(a.exitCode, a.everything).toBe(0)
      expect(a.json.policy).toMatchObject({from: 'base', file: 'ameide.yaml', present: false, changed: true})
      expect(a.json.policy.diff).toContain('+    maskKinds: [ConfigMap]')
      expect(JSON.stringify(a.json.deployables)).toContain('after-value')
      expect(a.human).toContain('Policy: this change adds ameide.yaml')
      expect(a.human).toContain('+    maskKinds: [ConfigMap]')
      expect(a.markdown).toContain('### Policy change')
      expect(a.markdown).toContain('maskKinds')
    }
    // The base masks ConfigMaps; a head that drops the mask (and breaks the file) does not unmask its own change.
    await git(repo, ['checkout', '-q', 'main'])
    await writeFile(path.join(repo, 'ameide.yaml'), 'gitopsPolicy:\n  diff:\n    maskKinds: [ConfigMap]\n')
    await commitAll(repo, 'mask')
    await git(repo, ['checkout', '-q', '-b', 'pr2'])
    await writeFile(path.join(repo, 'ameide.yaml'), 'gitopsPolicy:\n  diff:\n    maskKinds: []\n  nonsense: 1\n')
    await writeFile(path.join(repo, 'plain/cm.yaml'), value('secret-after'))
    await commitAll(repo, 'unmask')
    const b = await attack(repo, ['gitops', 'diff'])
    expect(b.exitCode, b.everything).toBe(0)
    expect(b.json.policy).toMatchObject({present: true, changed: true})
    expect(b.json.policy.headInvalid).toContain('ameide.yaml is invalid')
    expect(b.everything).not.toContain('secret-after')
    expect(JSON.stringify(b.json.deployables)).toContain('<masked (changed)>')
    // Unchanged: said so, nothing more.
    await git(repo, ['checkout', '-q', 'main'])
    await git(repo, ['checkout', '-q', '-b', 'pr3'])
    await writeFile(path.join(repo, 'plain/cm.yaml'), value('third'))
    await commitAll(repo, 'third')
    const c = await attack(repo, ['gitops', 'diff'])
    expect(c.json.policy).toEqual({from: 'base', file: 'ameide.yaml', present: true, changed: false})
    expect(c.markdown).not.toContain('Policy change')
  })
})
