/**
 * Sources in other repositories (issue 83 part 4): `--source-repo URL=PATH` and `gitopsPolicy.sourceRepositories` map
 * a repository URL to a local clone. A multi-source Application whose `$values` ref lives there renders, from that
 * clone's commit at the source's targetRevision (never its working tree), confined as the revision under review is;
 * so does a chart folder of that repository; unmapped, it stays render-unavailable with the flag named. Real git
 * repositories, the built CLI.
 */
import {symlink} from 'node:fs/promises'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../../support/cli.js'
import {diffJson, edit, type DiffObjects} from '../../support/diff-repo.js'
import {ORIGIN} from '../../support/helm-repo.js'
import {commitAll, git, initGitRepo, makeTempDir, runCleanups} from '../../support/tmp.js'
import {toolEnv} from '../../support/toolchain.js'
import {isMounted, readFileSync} from '../../../src/core/memory-fs/index.js'
import {SourceRepositories, parseSourceRepoFlags, resolveRef} from '../../../src/gitops/revision/source-repos.js'

afterAll(runCleanups)

const VALUES_URL = 'https://github.com/acme/values.git'

type Result = DiffObjects

let env: Record<string, string | undefined>
beforeAll(() => {
  env = toolEnv()
})

const application = (targetRevision: string, valueFile = '$values/envs/prod.yaml') =>
  [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata: {name: web}',
    'spec:',
    '  destination: {namespace: prod}',
    '  sources:',
    `    - repoURL: ${ORIGIN}`,
    '      path: charts/web',
    '      helm:',
    `        valueFiles: [${JSON.stringify(valueFile)}]`,
    `    - repoURL: ${VALUES_URL}`,
    `      targetRevision: ${targetRevision}`,
    '      ref: values',
    '',
  ].join('\n')

const chart = {
  'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
  'charts/web/values.yaml': 'replicas: 1\n',
  'charts/web/templates/cm.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata:\n  replicas: {{ .Values.replicas | quote }}\n',
}

/**
 * The values repository: replicas 3 on main, 5 at tag v2, and a chart of its own (`charts/web`); its working tree says 9
 * (never read).
 */
async function valuesRepo(): Promise<string> {
  const dir = await makeTempDir('ameide-values-repo-')
  await initGitRepo(dir)
  await edit(dir, {'envs/prod.yaml': 'replicas: 3\n', ...chart})
  await commitAll(dir, 'three')
  await git(dir, ['checkout', '-q', '-b', 'release'])
  await edit(dir, {'envs/prod.yaml': 'replicas: 5\n'})
  await commitAll(dir, 'five')
  await git(dir, ['tag', 'v2'])
  await git(dir, ['checkout', '-q', 'main'])
  await symlink('/etc/passwd', path.join(dir, 'envs/escape.yaml'))
  await git(dir, ['add', '-A'])
  await commitAll(dir, 'a link out')
  await edit(dir, {'envs/prod.yaml': 'replicas: 9\n'})
  return dir
}

/** The GitOps repository: the Application at `main` of the values repository, then a pull request moving it to v2. */
async function gitopsRepo(change: Record<string, string>): Promise<string> {
  const dir = await makeTempDir('ameide-gitops-sources-')
  await initGitRepo(dir)
  await git(dir, ['remote', 'add', 'origin', ORIGIN])
  await edit(dir, {...chart, 'argocd/web.yaml': application('main')})
  await commitAll(dir, 'base')
  await git(dir, ['checkout', '-q', '-b', 'pr'])
  await edit(dir, change)
  await commitAll(dir, 'the change')
  return dir
}

describe('gitops diff --source-repo', () => {
  it('renders a $values ref of a mapped repository at each targetRevision, from its commits', async () => {
    const values = await valuesRepo()
    const repo = await gitopsRepo({'argocd/web.yaml': application('v2')})
    // Spelled as Argo CD users write it elsewhere: an ssh URL, another case, no .git.
    const mapped = `git@GitHub.com:acme/values=${values}`
    const {exitCode, result} = await diffJson<Result>(repo, env, ['--head', 'HEAD', '--source-repo', mapped])
    expect(result.failures).toEqual([])
    expect(exitCode).toBe(0)
    expect(result.summary).toBe('changed')
    const web = result.deployables.find((d) => d.application === 'web')!
    expect(web.objects.map((o) => [o.change, o.kind, o.name])).toEqual([['changed', 'ConfigMap', 'web']])
    expect(web.objects[0].diff).toContain('-  replicas: "3"')
    expect(web.objects[0].diff).toContain('+  replicas: "5"')
    expect(web.objects[0].diff).not.toContain('"9"')
  })

  it('names the flag as the fix when the repository is not mapped', async () => {
    const repo = await gitopsRepo({'argocd/web.yaml': application('v2')})
    const {exitCode, result} = await diffJson<Result>(repo, env, ['--head', 'HEAD'])
    expect(exitCode).toBe(1)
    expect(result.summary).toBe('incomplete')
    const messages = result.failures.filter((f) => f.application === 'web').map((f) => f.message)
    expect(messages.length).toBeGreaterThan(0)
    for (const m of messages) expect(m).toContain(`--source-repo ${VALUES_URL}=<path>`)
  })

  it('refuses a link of the mapped repository that leaves it, as the revision refuses its own', async () => {
    const values = await valuesRepo()
    const repo = await gitopsRepo({'argocd/web.yaml': application('main', '$values/envs/escape.yaml')})
    const {exitCode, result} = await diffJson<Result>(repo, env, [
      '--head',
      'HEAD',
      '--source-repo',
      `${VALUES_URL}=${values}`,
    ])
    expect(exitCode).toBe(1)
    const head = result.failures.filter((f) => f.revision === 'head' && f.application === 'web')
    expect(head.map((f) => f.rule)).toEqual(['render-refused'])
    expect(head[0].message).toContain('resolves outside the revision of')
    expect(JSON.stringify(result)).not.toContain('root:')
  })

  it('takes the mapping from ameide.yaml, and says when a targetRevision names nothing there', async () => {
    const values = await valuesRepo()
    const config = `gitopsPolicy:\n  sourceRepositories:\n    ${VALUES_URL}: ${JSON.stringify(values)}\n`
    const repo = await gitopsRepo({'argocd/web.yaml': application('no-such-branch')})
    await git(repo, ['checkout', '-q', 'main'])
    await edit(repo, {'ameide.yaml': config})
    await commitAll(repo, 'config')
    await git(repo, ['checkout', '-q', 'pr'])
    await git(repo, ['merge', '-q', '--no-edit', 'main'])
    const {result} = await diffJson<Result>(repo, env, ['--head', 'HEAD', '--base', 'main'])
    const head = result.failures.filter((f) => f.revision === 'head' && f.application === 'web')
    expect(head.map((f) => f.message).join('\n')).toContain('"no-such-branch" names no branch, tag or commit')
    expect(result.failures.filter((f) => f.revision === 'base')).toEqual([])
  })

  it('renders a chart folder of a mapped repository from its commit at each targetRevision', async () => {
    const values = await valuesRepo()
    const chartThere = (revision: string) =>
      application(revision, '/envs/prod.yaml').replace(
        `repoURL: ${ORIGIN}\n      path: charts/web`,
        `repoURL: ${VALUES_URL}\n      targetRevision: ${revision}\n      path: charts/web`,
      )
    const repo = await gitopsRepo({'argocd/web.yaml': chartThere('main')})
    // This repository's own chart folder of that path changes too: not what the source deploys.
    await edit(repo, {'argocd/web.yaml': chartThere('v2'), 'charts/web/values.yaml': 'replicas: 7\n'})
    await commitAll(repo, 'v2')
    const args = ['--base', 'HEAD^', '--head', 'HEAD', '--source-repo', `${VALUES_URL}=${values}`]
    const {exitCode, result} = await diffJson<Result>(repo, env, args)
    expect(result.failures).toEqual([])
    expect(exitCode).toBe(0)
    const web = result.deployables.find((d) => d.application === 'web')!
    expect(web.objects.map((o) => [o.change, o.kind, o.name])).toEqual([['changed', 'ConfigMap', 'web']])
    expect(web.objects[0].diff).toContain('-  replicas: "3"')
    expect(web.objects[0].diff).toContain('+  replicas: "5"')
    expect(web.objects[0].diff).not.toContain('"7"')
  })

  it('refuses a folder of a mapped repository holding a link that leaves it', async () => {
    const values = await valuesRepo()
    const folderThere = application('main').replace(
      `repoURL: ${ORIGIN}\n      path: charts/web`,
      `repoURL: ${VALUES_URL}\n      path: envs`,
    )
    const repo = await gitopsRepo({'argocd/web.yaml': folderThere})
    const {result} = await diffJson<Result>(repo, env, ['--head', 'HEAD', '--source-repo', `${VALUES_URL}=${values}`])
    const head = result.failures.filter((f) => f.revision === 'head' && f.application === 'web')
    expect(head.map((f) => f.rule)).toEqual(['render-refused'])
    expect(head[0].message).toContain(`source path envs leaves the revision of ${VALUES_URL} (`)
  })

  it('refuses a malformed --source-repo, or a path that is no git repository, with INVALID_SOURCE_REPO (exit 2)', async () => {
    const repo = await gitopsRepo({'argocd/web.yaml': application('v2')})
    const notGit = await makeTempDir('ameide-not-git-')
    for (const value of ['no-equals-sign', `${VALUES_URL}=`, `${VALUES_URL}=${notGit}`]) {
      const run = await runCli(['gitops', 'diff', '--json', '--head', 'HEAD', '--source-repo', value], {cwd: repo, env})
      expect(run.exitCode).toBe(2)
      expect(run.json<{error: {code: string}}>().error.code).toBe('INVALID_SOURCE_REPO')
    }
  })
})

describe('gitops verify --render --source-repo', () => {
  type Verify = {
    render: {deployables: Array<{application?: string; status: string; objects: number}>}
    findings: Array<{rule: string; application?: string; message: string}>
  }
  const verify = async (repo: string, args: string[]) => {
    const run = await runCli(['gitops', 'verify', '--render', '--json', ...args], {cwd: repo, env})
    return run.json<Verify>()
  }

  it('renders the checkout with the mapped values; unmapped, the flag is named', async () => {
    const values = await valuesRepo()
    const repo = await gitopsRepo({'argocd/web.yaml': application('v2')})
    const mapped = await verify(repo, ['--source-repo', `${VALUES_URL}=${values}`])
    expect(mapped.render.deployables.map((d) => [d.application, d.status, d.objects])).toEqual([['web', 'rendered', 1]])
    expect(mapped.findings.filter((f) => f.rule.startsWith('render-'))).toEqual([])
    const unmapped = await verify(repo, [])
    const said = unmapped.findings.filter((f) => f.rule === 'render-unavailable' && f.application === 'web')
    expect(said.map((f) => f.message)).toEqual([
      `Application web: value file $values/envs/prod.yaml comes from ${VALUES_URL}, not this repository: the gate does not fetch it; map a local checkout of it with --source-repo ${VALUES_URL}=<path> (or gitopsPolicy.sourceRepositories).`,
    ])
  })
})

describe('gitops verify --render --source-repo, a chart of the mapped repository', () => {
  it('renders it from the commit its targetRevision names', async () => {
    const values = await valuesRepo()
    const chartThere = application('v2', '/envs/prod.yaml').replace(
      `repoURL: ${ORIGIN}\n      path: charts/web`,
      `repoURL: ${VALUES_URL}\n      targetRevision: v2\n      path: charts/web`,
    )
    const repo = await gitopsRepo({'argocd/web.yaml': chartThere})
    const run = await runCli(['gitops', 'verify', '--render', '--json', '--source-repo', `${VALUES_URL}=${values}`], {
      cwd: repo,
      env,
    })
    const doc = run.json<{
      render: {deployables: Array<{application?: string; status: string; objects: number}>}
      findings: Array<{rule: string}>
    }>()
    expect(doc.render.deployables.map((d) => [d.application, d.status, d.objects])).toEqual([['web', 'rendered', 1]])
    expect(doc.findings.filter((f) => f.rule.startsWith('render-'))).toEqual([])
  })
})

describe('gitops verify --render --source-repo, a kustomize folder and a directory folder of the mapped repository', () => {
  it('builds each from the commit its targetRevision names', async () => {
    const values = await valuesRepo()
    await git(values, ['checkout', '-q', '-f', 'release'])
    await edit(values, {
      'deploy/kustomize/kustomization.yaml': 'resources: [cm.yaml]\nnamePrefix: k-\n',
      'deploy/kustomize/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {a: "1"}\n',
      'deploy/plain/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\ndata: {a: "1"}\n',
    })
    await commitAll(values, 'folders')
    await git(values, ['tag', 'v3'])
    await git(values, ['checkout', '-q', 'main'])
    const folder = (name: string, dir: string) =>
      [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        `metadata: {name: ${name}}`,
        'spec:',
        '  destination: {namespace: prod}',
        `  source: {repoURL: '${VALUES_URL}', targetRevision: v3, path: ${dir}}`,
        '',
      ].join('\n')
    const repo = await gitopsRepo({
      'argocd/web.yaml': folder('kust', 'deploy/kustomize'),
      'argocd/plain.yaml': folder('plain', 'deploy/plain'),
    })
    const run = await runCli(['gitops', 'verify', '--render', '--json', '--source-repo', `${VALUES_URL}=${values}`], {
      cwd: repo,
      env,
    })
    const doc = run.json<{
      render: {
        roots: Array<{application?: string; status: string; objects: number}>
        directories: Array<{application?: string; status: string; objects: number}>
      }
      findings: Array<{rule: string; message: string}>
    }>()
    expect(doc.findings.filter((f) => f.rule.startsWith('render-'))).toEqual([])
    expect(doc.render.roots.map((d) => [d.application, d.status, d.objects])).toEqual([['kust', 'rendered', 1]])
    expect(doc.render.directories.map((d) => [d.application, d.status, d.objects])).toEqual([['plain', 'rendered', 1]])
  })
})

describe('gitopsPolicy.sourceRepositories on an untrusted checkout', () => {
  it('is ignored by verify --render --untrusted (its own base), read otherwise', async () => {
    const values = await valuesRepo()
    const config = `gitopsPolicy:\n  sourceRepositories:\n    ${VALUES_URL}: ${JSON.stringify(values)}\n`
    const repo = await gitopsRepo({'argocd/web.yaml': application('v2'), 'ameide.yaml': config})
    const status = async (args: string[]) => {
      const run = await runCli(['gitops', 'verify', '--render', '--no-cache', '--json', ...args], {cwd: repo, env})
      const doc = run.json<{
        render: {deployables: Array<{application?: string; status: string}>}
        findings: Array<{rule: string; application?: string}>
      }>()
      const said = doc.findings.filter((f) => f.rule === 'render-unavailable').map((f) => [f.application, f.rule])
      return [...doc.render.deployables.map((d) => [d.application, d.status]), ...said]
    }
    expect(await status([])).toEqual([['web', 'rendered']])
    expect(await status(['--untrusted'])).toEqual([['web', 'render-unavailable']])
    expect(await status(['--untrusted', '--source-repo', `${VALUES_URL}=${values}`])).toEqual([['web', 'rendered']])
  })
})

describe('source repository URLs', () => {
  it('match as Argo CD compares them: .git, a trailing slash, case, scp-style and ssh URLs', () => {
    const sources = new SourceRepositories([{url: 'https://github.com/Acme/Charts.git', path: '/x', from: 'flag'}])
    for (const same of [
      'https://github.com/acme/charts',
      'https://GITHUB.com/acme/charts/',
      'https://github.com/acme/charts.git/',
      'git@github.com:acme/charts.git',
      'ssh://git@github.com/acme/charts',
      'ssh://git@github.com:22/acme/charts.git',
    ])
      expect(sources.entryOf(same)?.path, same).toBe('/x')
    for (const other of [
      'https://github.com/acme/charts2',
      'https://gitlab.com/acme/charts',
      'https://github.com/acme',
      '',
    ])
      expect(sources.entryOf(other), other).toBeUndefined()
  })

  it('parses URL=PATH at the first =, paths from the current directory', () => {
    expect(parseSourceRepoFlags(['https://h/o/r=../x'], '/work/a')).toEqual([
      {url: 'https://h/o/r', path: '/work/x', from: 'flag'},
    ])
  })

  it("reads this repository at a pin's commit once, only where the clone holds it, and unmounts it on remove", async () => {
    const clone = await valuesRepo()
    const tag = (await git(clone, ['rev-parse', 'v2^{commit}'])).trim()
    const sources = new SourceRepositories([], clone)
    const tree = sources.pinned({ref: 'v2', kind: 'tag', commit: tag})!
    expect([tree.commit, tree.url, tree.files.has('envs/prod.yaml')]).toEqual([tag, 'this repository', true])
    expect(readFileSync(path.join(tree.dir, 'envs/prod.yaml'), 'utf8')).toBe('replicas: 5\n')
    // One read per commit, whatever names it (a short commit too).
    expect(sources.pinned({ref: tag.slice(0, 10), kind: 'commit'})).toBe(tree)
    expect(sources.pinned({ref: 'c'.repeat(40), kind: 'commit', commit: 'c'.repeat(40)})).toBeUndefined()
    expect(sources.pinned({ref: '>=1.0.0', kind: 'semver'})).toBeUndefined()
    expect(sources.pinned({ref: 'stable', kind: 'unknown'})).toBeUndefined()
    // Without the clone (gitops verify, preview): no pin is read.
    expect(new SourceRepositories([]).pinned({ref: 'v2', kind: 'tag', commit: tag})).toBeUndefined()
    expect(isMounted(tree.dir)).toBe(true)
    await sources.remove()
    expect(isMounted(tree.dir)).toBe(false)
  })

  it('resolves a targetRevision as a branch, a tag, a commit or HEAD; nothing for an option-like ref', async () => {
    const values = await valuesRepo()
    const head = (await git(values, ['rev-parse', 'HEAD'])).trim()
    const tag = (await git(values, ['rev-parse', 'v2^{commit}'])).trim()
    expect(resolveRef(values, '')).toBe(head)
    expect(resolveRef(values, 'HEAD')).toBe(head)
    expect(resolveRef(values, 'main')).toBe(head)
    expect(resolveRef(values, 'v2')).toBe(tag)
    expect(resolveRef(values, 'refs/tags/v2')).toBe(tag)
    expect(resolveRef(values, tag.slice(0, 12))).toBe(tag)
    expect(resolveRef(values, '--output=/tmp/x')).toBeUndefined()
    expect(resolveRef(values, 'nope')).toBeUndefined()
  })
})
