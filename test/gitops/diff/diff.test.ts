/**
 * `gitops diff` on real git repositories with the real helm and kustomize: the design documents' shape — an
 * ApplicationSet whose git files generator deploys each `environments/<env>/components/<name>/component.yaml` with its
 * first-party chart, values layered `_shared` → `env/<env>` — and PR-shaped changes on a branch: a values change that
 * moves an image, a chart template change that changes every environment, a generator change that adds and removes
 * Applications, a Secret (masked), a head that does not render, the Markdown comment (golden, and cut to GitHub's
 * limit with a note). The checkout is byte-identical before and after, and nothing is left in the temp folder.
 */
import {createHash} from 'node:crypto'
import {readdir, readFile, rm, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../../support/cli.js'
import {assertMatchesSchema} from '../../support/schema.js'
import {BASE_PASSWORD, baseFiles, edit, prRepo} from '../../support/diff-repo.js'
import {git, makeTempDir, runCleanups} from '../../support/tmp.js'
import {requiredImageTemplate} from '../../support/helm-repo.js'
import {requireTool, toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

const E = 'e'.repeat(64)
const HEAD_PASSWORD = 'head-password-93ac'

type Result = {
  summary: string
  base: {revision: string; commit: string | null; chosenBy: string}
  head: {revision: string; commit: string | null; chosenBy: string}
  counts: Record<string, number>
  applications: {added: Array<{kind: string; environment: string; name: string}>; removed: typeof Array.prototype}
  images: Array<{
    environment: string
    application?: string
    object: {kind: string; name: string; container?: string}
    from: string | null
    to: string | null
    pinned: boolean
    file: string
    line: number
  }>
  verdict: {
    fixed: Array<{rule: string; environment?: string; application?: string}>
    introduced: Array<{rule: string; environment?: string; application?: string}>
  }
  deployables: Array<{
    change: string
    kind: string
    environment: string
    application?: string
    objects: Array<{change: string; kind: string; name: string; masked: boolean; diff: string}>
  }>
  failures: Array<{revision: string; rule: string; file: string; application?: string; message: string}>
  renders: Record<'base' | 'head', {rendered: number; cached: number; unchanged: number}> & {engine?: string | null}
  markdown?: {file: string; characters: number; truncated: boolean}
}

let env: Record<string, string | undefined>
let tmp: string
beforeAll(async () => {
  requireTool('kustomize')
  requireTool('helm')
  env = toolEnv()
  // A temp folder of the CLI's own: the test checks it holds nothing once the diff is done.
  tmp = await makeTempDir('ameide-diff-tmp-')
  env.TMPDIR = tmp
})

/** Everything that makes up the checkout's state: HEAD, the index's bytes, status, every file's bytes. */
async function fingerprint(repo: string): Promise<string> {
  const hash = createHash('sha256')
  hash.update(await git(repo, ['rev-parse', 'HEAD']))
  hash.update(await git(repo, ['symbolic-ref', 'HEAD']))
  hash.update(await git(repo, ['status', '--porcelain', '--untracked-files=all', '--ignored']))
  hash.update(await readFile(path.join(repo, '.git', 'index')))
  const walk = async (dir: string): Promise<void> => {
    for (const e of (await readdir(dir, {withFileTypes: true})).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const abs = path.join(dir, e.name)
      if (e.isDirectory()) {
        if (abs === path.join(repo, '.git')) continue
        await walk(abs)
      } else {
        hash.update(`${path.relative(repo, abs)}\0`).update(await readFile(abs))
      }
    }
  }
  await walk(repo)
  return hash.digest('hex')
}

async function diff(repo: string, args: string[] = []) {
  const run = await runCli(['gitops', 'diff', '--json', ...args], {cwd: repo, env})
  let result: Result | undefined
  try {
    result = run.json<Result>()
  } catch {
    throw new Error(`not JSON (exit ${run.exitCode}): ${run.stdout}\n${run.stderr}`)
  }
  if (!('error' in (result as object))) assertMatchesSchema('gitops-diff.schema.json', result)
  return {run, result: result!}
}

describe('gitops diff', () => {
  it('a values change that moves an image: one deployable, its image pinned, the finding fixed; a second run renders nothing', async () => {
    const stagingValues = `image:\n  ref: ghcr.io/acme/web:1.5.0@sha256:${E}\n`
    const repo = await prRepo({'sources/values/env/staging/apps/web/values.yaml': stagingValues})
    const before = await fingerprint(repo)
    const {run, result} = await diff(repo, ['--head', 'HEAD'])
    expect(run.exitCode, run.stderr).toBe(0)
    expect(result.summary).toBe('changed')
    expect(result.base.chosenBy).toBe('merge-base with main')
    expect(result.base.commit).toBe(await git(repo, ['rev-parse', 'main']))
    expect(result.images).toEqual([
      expect.objectContaining({
        environment: 'staging',
        application: 'web-staging',
        object: expect.objectContaining({kind: 'Deployment', name: 'web-staging', container: 'web'}),
        from: 'ghcr.io/acme/web:1.4.0',
        to: `ghcr.io/acme/web:1.5.0@sha256:${E}`,
        pinned: true,
        file: 'sources/values/env/staging/apps/web/values.yaml',
        line: 2,
      }),
    ])
    expect(result.deployables.map((d) => `${d.change} ${d.application}`)).toEqual(['changed web-staging'])
    expect(result.deployables[0].objects.map((o) => `${o.change} ${o.kind}/${o.name}`)).toEqual([
      'changed Deployment/web-staging',
    ])
    expect(result.deployables[0].objects[0].diff).toContain(`+        - image: ghcr.io/acme/web:1.5.0@sha256:${E}`)
    expect(result.verdict.fixed.map((f) => `${f.rule} ${f.application}`)).toEqual(['image-not-pinned web-staging'])
    expect(result.verdict.introduced).toEqual([])
    expect(result.applications.added).toEqual([])
    // Of five Applications only the one whose inputs changed renders, once per revision; a second run renders nothing.
    // The engine that rendered: the confined native helper where the platform allows it, else WebAssembly and why.
    const {engine, ...renders} = result.renders
    expect(renders).toEqual({
      base: {rendered: 1, cached: 0, unchanged: 4},
      head: {rendered: 1, cached: 0, unchanged: 4},
    })
    expect(engine).toMatch(/^(native \(seccomp\)|wasm: .+)$/)
    const again = await diff(repo, ['--head', 'HEAD'])
    const {engine: _, ...cached} = again.result.renders
    expect(cached).toEqual({
      base: {rendered: 0, cached: 1, unchanged: 4},
      head: {rendered: 0, cached: 1, unchanged: 4},
    })
    expect(again.result.deployables).toEqual(result.deployables)
    expect(await fingerprint(repo)).toBe(before)
    // Nothing of ameide's is left in the temp folder (Node's own compile cache may be).
    expect((await readdir(tmp)).filter((f) => f.startsWith('ameide-'))).toEqual([])
  })

  it('defaults to the working tree as the head, and leaves it as it was', async () => {
    const repo = await prRepo({})
    await edit(repo, {'sources/values/env/dev/apps/web/values.yaml': 'image:\n  ref: ghcr.io/acme/web:1.4.1\n'})
    const before = await fingerprint(repo)
    const {run, result} = await diff(repo)
    expect(run.exitCode, run.stderr).toBe(0)
    expect(result.head).toEqual({revision: 'working tree', commit: null, chosenBy: 'working tree'})
    expect(result.images.map((i) => `${i.environment} ${i.from} → ${i.to}`)).toEqual([
      'dev ghcr.io/acme/web:1.4.0 → ghcr.io/acme/web:1.4.1',
    ])
    expect(await fingerprint(repo)).toBe(before)
    // --exit-code: differences exit 1, as git diff --exit-code.
    expect((await diff(repo, ['--exit-code'])).run.exitCode).toBe(1)
    expect((await diff(repo, ['--exit-code', '--head', 'HEAD'])).run.exitCode).toBe(0)
  })

  it('a chart template change changes every environment', async () => {
    const template = requiredImageTemplate.replace(
      '  name: {{ .Release.Name }}\n',
      '  name: {{ .Release.Name }}\n  labels: {tier: web}\n',
    )
    const repo = await prRepo({'sources/charts/apps/web/templates/deployment.yaml': template})
    const {run, result} = await diff(repo, ['--head', 'HEAD'])
    expect(run.exitCode, run.stderr).toBe(0)
    expect(result.deployables.map((d) => `${d.environment} ${d.change} ${d.application}`)).toEqual([
      'dev changed web-dev',
      'production changed web-production',
      'staging changed web-staging',
    ])
    for (const d of result.deployables) expect(d.objects[0].diff).toContain('+    tier: web')
    expect(result.images).toEqual([])
    expect(result.renders.head).toEqual({rendered: 3, cached: 0, unchanged: 2})
  })

  it('a generator change adds and removes Applications', async () => {
    const repo = await prRepo({
      'environments/production/components/api/component.yaml': 'name: api\n',
      'environments/dev/components/api/component.yaml': null,
    })
    const {run, result} = await diff(repo, ['--head', 'HEAD'])
    expect(run.exitCode, run.stderr).toBe(0)
    expect(result.applications).toEqual({
      added: [{kind: 'Application', environment: 'production', name: 'api-production'}],
      removed: [{kind: 'Application', environment: 'dev', name: 'api-dev'}],
    })
    expect(result.deployables.map((d) => `${d.environment} ${d.change} ${d.application}`)).toEqual([
      'dev removed api-dev',
      'production added api-production',
    ])
    expect(result.deployables[1].objects.map((o) => `${o.change} ${o.kind}/${o.name}`)).toEqual([
      'added Deployment/api-production',
    ])
    expect(result.images.map((i) => `${i.environment} ${i.from} → ${i.to}`)).toEqual([
      `dev ghcr.io/acme/api:2.0.0@sha256:${E} → null`,
      `production null → ghcr.io/acme/api:2.0.0@sha256:${E}`,
    ])
  })

  it('kustomize overlays: an images: entry moves an image in one environment, a base change reaches both', async () => {
    const dep = (image: string, replicas = 1) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: ${replicas}\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n        - name: app\n          image: ${image}\n`
    const overlay = (env: string, tag: string) =>
      `namespace: ${env}\nresources:\n  - ../../base\nimages:\n  - name: ghcr.io/acme/web\n    newTag: ${tag}\n`
    const files = {
      'ameide.yaml': 'gitopsPolicy:\n  preset: kustomize\n',
      'app/base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
      'app/base/deployment.yaml': dep('ghcr.io/acme/web:1.0.0'),
      'app/overlays/staging/kustomization.yaml': overlay('staging', '1.0.0'),
      'app/overlays/production/kustomization.yaml': overlay('production', '1.0.0'),
    }
    const repo = await prRepo({'app/overlays/staging/kustomization.yaml': overlay('staging', '1.1.0')}, files)
    const before = await fingerprint(repo)
    const {run, result} = await diff(repo, ['--head', 'HEAD'])
    expect(run.exitCode, run.stderr).toBe(0)
    expect(result.images).toEqual([
      expect.objectContaining({
        environment: 'staging',
        from: 'ghcr.io/acme/web:1.0.0',
        to: 'ghcr.io/acme/web:1.1.0',
        pinned: false,
        file: 'app/overlays/staging/kustomization.yaml',
      }),
    ])
    expect(result.deployables.map((d) => `${d.environment} ${d.kind} ${d.change}`)).toEqual([
      'staging kustomize changed',
    ])
    expect(result.renders.base).toEqual({rendered: 1, cached: 0, unchanged: 1})
    expect(await fingerprint(repo)).toBe(before)
    // An uncommitted edit of the base, against HEAD: the working tree is the default head, and stays as it is.
    await edit(repo, {'app/base/deployment.yaml': dep('ghcr.io/acme/web:1.0.0', 3)})
    const dirty = await fingerprint(repo)
    const base = await diff(repo, ['--base', 'HEAD'])
    expect(base.result.deployables.map((d) => `${d.environment} ${d.change}`)).toEqual([
      'production changed',
      'staging changed',
    ])
    for (const d of base.result.deployables) expect(d.objects[0].diff).toContain('-  replicas: 1\n+  replicas: 3')
    expect(await fingerprint(repo)).toBe(dirty)
  })

  it("masks a Secret's data: the value shows as changed, never printed", async () => {
    const shared = baseFiles()['sources/values/_shared/apps/web/values.yaml'].replace(BASE_PASSWORD, HEAD_PASSWORD)
    const repo = await prRepo({'sources/values/_shared/apps/web/values.yaml': shared})
    const {run, result} = await diff(repo, ['--head', 'HEAD'])
    expect(run.exitCode, run.stderr).toBe(0)
    expect(result.deployables).toHaveLength(3)
    for (const d of result.deployables) {
      expect(d.objects.map((o) => `${o.change} ${o.kind} masked=${o.masked}`)).toEqual(['changed Secret masked=true'])
      expect(d.objects[0].diff).toContain('-  password: <masked>\n+  password: <masked (changed)>')
      expect(d.objects[0].diff).not.toContain('user: app')
    }
    const human = await runCli(['gitops', 'diff', '--head', 'HEAD', '--markdown', 'comment.md'], {cwd: repo, env})
    expect(human.exitCode, human.stderr).toBe(0)
    const markdown = await readFile(path.join(repo, 'comment.md'), 'utf8')
    await rm(path.join(repo, 'comment.md'))
    for (const text of [run.stdout, run.stderr, human.stdout, human.stderr, markdown]) {
      expect(text).not.toContain(BASE_PASSWORD)
      expect(text).not.toContain(HEAD_PASSWORD)
    }
    expect(human.stdout).toContain('password: <masked (changed)>')
  })

  it('masks the kinds gitopsPolicy.diff.maskKinds names, like a Secret', async () => {
    const configMap = (token: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  token: ${token}\n  mode: fast\n`
    const files = {
      'ameide.yaml': 'gitopsPolicy:\n  preset: kustomize\n  diff:\n    maskKinds: [ConfigMap]\n',
      'app/base/kustomization.yaml': 'resources:\n  - settings.yaml\n',
      'app/base/settings.yaml': configMap('tok-before-51ac'),
      'app/overlays/staging/kustomization.yaml': 'namespace: staging\nresources:\n  - ../../base\n',
    }
    const repo = await prRepo({'app/base/settings.yaml': configMap('tok-after-0e2b')}, files)
    const {run, result} = await diff(repo, ['--head', 'HEAD'])
    expect(run.exitCode, run.stderr).toBe(0)
    const [object] = result.deployables[0].objects
    expect(object).toMatchObject({change: 'changed', kind: 'ConfigMap', masked: true})
    expect(object.diff).toContain('-  token: <masked>\n+  token: <masked (changed)>')
    expect(run.stdout).not.toMatch(/tok-(before|after)/)
  })

  it('a head that does not render is reported (exit 1), never an empty diff', async () => {
    const repo = await prRepo({'sources/values/env/production/apps/web/values.yaml': 'image:\n  ref: ""\n'})
    const {run, result} = await diff(repo, ['--head', 'HEAD'])
    expect(run.exitCode, run.stderr).toBe(1)
    expect(result.summary).toBe('incomplete')
    expect(result.failures).toEqual([
      expect.objectContaining({revision: 'head', rule: 'render-failed', application: 'web-production'}),
    ])
    expect(result.failures[0].message).toContain('image.ref is required')
    expect(result.failures[0].message).not.toContain(tmp)
    // Its objects are unknown in the head: not "removed".
    expect(result.deployables).toEqual([])
    const human = await runCli(['gitops', 'diff', '--head', 'HEAD'], {cwd: repo, env})
    expect(human.exitCode).toBe(1)
    expect(human.stdout).toMatch(/Not rendered \(1\)/)
  })

  it('a revision git cannot read is REVISION_UNREADABLE (exit 1), and nothing is left in the temp folder', async () => {
    const repo = await prRepo({})
    const blob = await git(repo, ['rev-parse', 'main:sources/values/env/staging/apps/web/values.yaml'])
    await rm(path.join(repo, '.git', 'objects', blob.slice(0, 2), blob.slice(2)))
    const run = await runCli(['gitops', 'diff', '--json', '--base', 'main'], {cwd: repo, env})
    expect(run.exitCode, run.stderr).toBe(1)
    expect(run.json().error).toMatchObject({code: 'REVISION_UNREADABLE', exitCode: 1})
    expect(run.json().error.message).toContain('base revision')
    expect((await readdir(tmp)).filter((f) => f.startsWith('ameide-'))).toEqual([])
  })

  it("under GitHub Actions the default base is the pull request's base branch (GITHUB_BASE_REF)", async () => {
    const repo = await prRepo({})
    await git(repo, ['branch', 'release', 'main'])
    const run = await runCli(['gitops', 'diff', '--json', '--head', 'HEAD'], {
      cwd: repo,
      env: {...env, GITHUB_ACTIONS: 'true', GITHUB_BASE_REF: 'release', GITHUB_STEP_SUMMARY: ''},
    })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.json<Result>().base.chosenBy).toBe('merge-base with release')
  })

  it('rejects a --head that names no commit (exit 2) and a --base that names none', async () => {
    const repo = await prRepo({})
    const head = await runCli(['gitops', 'diff', '--json', '--head', 'no-such-rev'], {cwd: repo, env})
    expect(head.exitCode).toBe(2)
    expect(head.json().error.code).toBe('REVISION_NOT_FOUND')
    const base = await runCli(['gitops', 'diff', '--json', '--base', '--upload-pack=x'], {cwd: repo, env})
    expect(base.exitCode).toBe(2)
    expect(base.json().error.code).toBe('BASE_NOT_FOUND')
  })

  it('writes the Markdown comment: golden, and cut to the comment limit with a note', async () => {
    const stagingValues = `image:\n  ref: ghcr.io/acme/web:1.5.0@sha256:${E}\n`
    const repo = await prRepo({
      'sources/values/env/staging/apps/web/values.yaml': stagingValues,
      'environments/production/components/api/component.yaml': 'name: api\n',
    })
    const {run, result} = await diff(repo, ['--head', 'HEAD', '--markdown', path.join(repo, '..', 'pr.md')])
    expect(run.exitCode, run.stderr).toBe(0)
    const markdown = (await readFile(path.join(repo, '..', 'pr.md'), 'utf8'))
      .replaceAll(result.base.commit!.slice(0, 12), '<base>')
      .replaceAll(result.head.commit!.slice(0, 12), '<head>')
    expect(result.markdown).toMatchObject({truncated: false})
    const golden = path.join(import.meta.dirname, '..', '..', 'fixtures', 'gitops-diff', 'pr.md')
    if (process.env.AMEIDE_UPDATE_GOLDEN === '1') await writeFile(golden, markdown)
    expect(markdown).toBe(await readFile(golden, 'utf8'))

    // A change whose diff is far over 65,536 characters: every environment's ConfigMap of 3,000 lines.
    const big = (v: string) =>
      [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: {{ .Release.Name }}-big',
        'data:',
        `{{- range $i := until 3000 }}`,
        `  key{{ $i }}: "${v}-{{ $i }}"`,
        '{{- end }}',
        '',
      ].join('\n')
    const files = {...baseFiles(), 'sources/charts/apps/web/templates/big.yaml': big('before')}
    const large = await prRepo({'sources/charts/apps/web/templates/big.yaml': big('after')}, files)
    const cut = await diff(large, ['--head', 'HEAD', '--markdown', 'big.md'])
    expect(cut.run.exitCode, cut.run.stderr).toBe(0)
    const text = await readFile(path.join(large, 'big.md'), 'utf8')
    expect(text.length).toBeLessThanOrEqual(65_536)
    expect(cut.result.markdown).toMatchObject({truncated: true, characters: text.length})
    expect(text.indexOf('### Deployables')).toBeLessThan(text.indexOf('### Object diffs'))
    expect(text).toMatch(/> Truncated to fit a pull-request comment \(65536 characters\): .*left out/)
  })
})
