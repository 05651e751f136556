import {execFile} from 'node:child_process'
import {mkdir, readdir, readFile, rm, symlink, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {promisify} from 'node:util'
import {afterAll, describe, expect, it} from 'vitest'

import {DEFAULT_GITOPS_POLICY} from '../../../src/core/config.js'
import {applyEdits} from '../../../src/gitops/write/apply.js'
import {planWrite} from '../../../src/gitops/write/plan.js'
import {desiredFromRefs} from '../../../src/gitops/write/input.js'
import {runCli} from '../../support/cli.js'
import {requireTool} from '../../support/toolchain.js'
import {GITOPS_FIXTURE, gitopsRepo} from '../../support/gitops-fixture.js'
import {assertMatchesSchema} from '../../support/schema.js'
import {git, makeTempDir, runCleanups} from '../../support/tmp.js'

const execFileAsync = promisify(execFile)

/** Runs a tool; `ok: false` with the reason when it is missing or fails. */
async function runTool(cmd: string, args: string[]): Promise<{ok: boolean; stdout: string; error?: string}> {
  try {
    const {stdout} = await execFileAsync(cmd, args, {maxBuffer: 16 << 20})
    return {ok: true, stdout}
  } catch (error) {
    return {ok: false, stdout: '', error: (error as Error).message.split('\n')[0]}
  }
}

afterAll(runCleanups)

const A = 'a'.repeat(64)
const E = 'e'.repeat(64)
const F = 'f'.repeat(64)
const ORDERS = `ghcr.io/ameideio/primitive-domain-orders:4b1e9f0@sha256:${E}`
const OPERATOR = `ghcr.io/ameideio/operator-domain:1.1.0@sha256:${F}`
const GOLDEN = new URL('../../fixtures/gitops-golden/', import.meta.url)

/** A publish report (the fields set-image reads; the full report is exercised in verify-evidence.test.ts). */
const report = (images: Array<{component: string; ref: string | null}>, failures: Array<{component: string}> = []) => ({
  schemaVersion: 1,
  images,
  failures: failures.map((f) => ({...f, code: 'BUILD_FAILED', message: 'boom', exitCode: 1})),
})

async function writeReport(doc: unknown): Promise<string> {
  const file = path.join(await makeTempDir(), 'publish.json')
  await writeFile(file, JSON.stringify(doc))
  return file
}

const cli = (repo: string, args: string[]) => runCli(['gitops', ...args, '--json'], {cwd: repo})

/** Every file of the checkout with its bytes, to prove "nothing was written". */
async function snapshot(repo: string): Promise<string> {
  return git(repo, ['status', '--porcelain', '--untracked-files=all'])
}

describe('ameide gitops set-image', () => {
  it('--dry-run prints exactly the golden diff and writes nothing; the run writes exactly it, byte for byte', async () => {
    const repo = await gitopsRepo()
    const file = await writeReport(
      report(
        [
          {component: 'domain-orders', ref: ORDERS},
          {component: 'agent-triage', ref: `ghcr.io/ameideio/primitive-agent-triage:4b1e9f0@sha256:${E}`},
        ],
        [{component: 'process-billing'}],
      ),
    )
    const dry = await cli(repo, ['set-image', '--env', 'local', '--report', file, '--dry-run'])
    expect(dry.exitCode, dry.stderr).toBe(0)
    const planned = dry.json()
    assertMatchesSchema('gitops-set-image.schema.json', planned)
    expect(planned.status).toBe('planned')
    expect(planned.diff).toBe(await readFile(new URL('set-image-local.diff', GOLDEN), 'utf8'))
    expect(await snapshot(repo)).toBe('')

    const run = await cli(repo, ['set-image', '--env', 'local', '--report', file])
    const result = run.json()
    assertMatchesSchema('gitops-set-image.schema.json', result)
    expect(result.status).toBe('applied')
    expect(result.changes.map((c: {file: string; line: number}) => `${c.file}:${c.line}`)).toEqual([
      'sources/values/env/local/apps/orders-smoke.yaml:15',
      'sources/values/env/local/apps/orders.yaml:4',
    ])
    expect(result.notFound).toEqual([
      {component: 'agent-triage', repository: 'ghcr.io/ameideio/primitive-agent-triage', ref: expect.any(String)},
    ])
    expect(result.skipped).toEqual([{component: 'process-billing', reason: 'failed to publish (BUILD_FAILED)'}])
    // git's own diff of the working tree is the golden diff: nothing else moved.
    expect(await git(repo, ['diff', '--stat'])).toMatch(/2 files changed, 2 insertions\(\+\), 2 deletions\(-\)/)
    const again = await cli(repo, ['set-image', '--env', 'local', '--report', file])
    expect(again.exitCode).toBe(0)
    expect(again.json()).toMatchObject({status: 'none', changes: [], files: []})
    expect(again.json().unchanged).toHaveLength(2)
  })

  it('--require-all checks the plan: an image with no reference is exit 1 with nothing written and no GitHub request', async () => {
    const repo = await gitopsRepo()
    const file = await writeReport(
      report([
        {component: 'domain-orders', ref: ORDERS},
        {component: 'agent-triage', ref: `ghcr.io/ameideio/primitive-agent-triage:4b1e9f0@sha256:${E}`},
      ]),
    )
    // A GitHub API nobody listens on: any request would end in a GITHUB_* error, not IMAGES_NOT_WIRED.
    const env = {GH_TOKEN: 'unused', GITHUB_TOKEN: '', GITHUB_API_URL: 'http://127.0.0.1:9'}
    const args = ['--require-all', '--open-pr', '--repo', 'ameideio/gitops']
    const run = await runCli(['gitops', 'set-image', '--env', 'local', '--report', file, ...args, '--json'], {
      cwd: repo,
      env,
    })
    expect(run.exitCode, run.stderr).toBe(1)
    expect(run.json().error).toMatchObject({code: 'IMAGES_NOT_WIRED', hints: [expect.any(String)]})
    expect(run.json().error.message).toContain('agent-triage')
    expect(await snapshot(repo)).toBe('')

    // promote: a pinned image of local that staging does not wire.
    const extra = `ghcr.io/ameideio/primitive-agent-triage:4b1e9f0@sha256:${E}`
    await writeFile(path.join(repo, 'sources/values/env/local/apps/triage.yaml'), `image:\n  ref: ${extra}\n`)
    await git(repo, ['add', '-A'])
    await git(repo, ['commit', '-qm', 'triage'])
    const promoted = await runCli(['gitops', 'promote', '--from', 'local', '--to', 'staging', ...args, '--json'], {
      cwd: repo,
      env,
    })
    expect(promoted.exitCode, promoted.stderr).toBe(1)
    expect(promoted.json().error).toMatchObject({code: 'IMAGES_NOT_WIRED'})
    expect(await snapshot(repo)).toBe('')
  })

  it('writes kustomize images: entries as `kustomize edit set image` does, and kustomize build renders the refs', async () => {
    const repo = await gitopsRepo()
    const refs = [
      `ghcr.io/ameideio/gateway-v2:2.0.0@sha256:${E}`,
      `docker.io/library/redis:7.2.5@sha256:${E}`,
      `ghcr.io/ameideio/search:0.9.1@sha256:${E}`,
    ]
    const args = ['set-image', '--env', 'staging', ...refs.flatMap((r) => ['--ref', r])]
    const dry = await cli(repo, [...args, '--dry-run'])
    expect(dry.exitCode, dry.stderr).toBe(0)
    // newTag replaced in place (quotes kept), digest added in the entry's own style (block line, flow pair).
    expect(dry.json().diff).toBe(await readFile(new URL('set-image-staging-kustomize.diff', GOLDEN), 'utf8'))
    expect(await snapshot(repo)).toBe('')
    const run = await cli(repo, args)
    expect(run.json()).toMatchObject({status: 'applied', files: ['sources/values/env/staging/kustomization.yaml']})
    // The base manifest is untouched: the overlay pins its images through kustomize.
    expect(await snapshot(repo)).toBe('M sources/values/env/staging/kustomization.yaml')
    expect((await cli(repo, args)).json()).toMatchObject({status: 'none'})

    // Differential: the real renderer (the standalone kustomize scripts/setup.sh installs; the test fails without it)
    // deploys exactly the refs that were set.
    const rendered = await runTool(requireTool('kustomize'), ['build', path.join(repo, 'sources/values/env/staging')])
    expect(rendered.ok, rendered.error).toBe(true)
    const images = [...rendered.stdout.matchAll(/^\s*-?\s*image: (\S+)$/gm)].map((m) => m[1])
    expect(images.filter((i) => i.includes('@sha256:' + E))).toEqual([refs[0], refs[2], refs[1]])
  })

  it('writes image maps in their own convention: Helm values, valuesObject, helm.values, helm.parameters, a ConfigMap', async () => {
    const repo = await gitopsRepo()
    const C = 'c'.repeat(64)
    const refs = [
      `ghcr.io/ameideio/api:1.1.0@sha256:${E}`,
      `ghcr.io/ameideio/worker:1.1.0@sha256:${E}`,
      `ghcr.io/ameideio/sidecar:1.1.0@sha256:${E}`,
      `ghcr.io/ameideio/web:1.1.0@sha256:${E}`,
      `ghcr.io/ameideio/flux-app:2.1.0@sha256:${E}`,
      `ghcr.io/ameideio/runner:3.2.0@sha256:${E}`,
      // The values of a chart whose templates read no digest: the digest goes into the tag.
      `ghcr.io/ameideio/chart-web:1.1.0@sha256:${E}`,
      // Already pinned to this ref: unchanged.
      `ghcr.io/ameideio/pinned:1.0@sha256:${C}`,
    ]
    const args = ['set-image', '--env', 'staging', ...refs.flatMap((r) => ['--ref', r])]
    const dry = await cli(repo, [...args, '--dry-run'])
    expect(dry.exitCode, dry.stderr).toBe(0)
    // valuesObject block map (a digest line after the tag's comment), helm.values block string (digest field and a
    // flow map), helm.parameters (the digest in the tag value), an inline ConfigMap's values.yaml, a tag@digest map,
    // a local chart's values.yaml (`tag: 1.1.0@sha256:…`, as its template renders repository:tag).
    expect(dry.json().diff).toBe(await readFile(new URL('set-image-staging-helm.diff', GOLDEN), 'utf8'))
    expect(dry.json().unchanged).toEqual([expect.objectContaining({repository: 'ghcr.io/ameideio/pinned', line: 23})])
    expect(dry.json().notFound).toEqual([])
    expect(await snapshot(repo)).toBe('')
    const run = await cli(repo, args)
    expect(run.exitCode, run.stderr).toBe(0)
    expect(await git(repo, ['diff', '--stat'])).toMatch(/3 files changed, 10 insertions\(\+\), 8 deletions\(-\)/)
    // Every map now reads as the ref that was set: left to pin are only the images no ref was given for.
    const verify = await runCli(['gitops', 'verify', '--json', '--env', 'staging', '--rule', 'image-not-pinned'], {
      cwd: repo,
    })
    const left = verify.json().findings.map((f: {file: string; line: number}) => `${f.file}:${f.line}`)
    expect(left.filter((f: string) => /helm-apps|runner/.test(f))).toEqual([
      // helm.parameters image.repository (storefront, tag latest) and the dind init container.
      'sources/values/env/staging/apps/helm-apps.yaml:39',
      'sources/values/env/staging/apps/runner.yaml:16',
    ])
    expect((await cli(repo, args)).json()).toMatchObject({status: 'none'})
  })

  it('gitopsPolicy.mapDigest: tag yields to the evidence of the file: its pinned maps carry a digest key', async () => {
    const repo = await gitopsRepo()
    await writeFile(path.join(repo, 'ameide.yaml'), 'gitopsPolicy:\n  mapDigest: tag\n')
    await git(repo, ['add', '-A'])
    await git(repo, ['commit', '-qm', 'mapDigest'])
    const api = `ghcr.io/ameideio/api:1.1.0@sha256:${E}`
    const worker = `ghcr.io/ameideio/worker:1.1.0@sha256:${E}`
    const run = await cli(repo, ['set-image', '--env', 'staging', '--ref', api, '--ref', worker])
    expect(run.exitCode, run.stderr).toBe(0)
    const file = 'sources/values/env/staging/apps/helm-apps.yaml'
    const before = await readFile(path.join(GITOPS_FIXTURE, file), 'utf8')
    // The map without a digest follows the file's two pinned maps (digest keys); the map with one keeps it.
    expect(run.json().changes.map((c: {convention: {evidence: string; why: string}}) => c.convention)).toEqual([
      {form: 'digest-field', evidence: 'file', why: '2 of 2 pinned maps in this file pin with a digest key'},
      {form: 'digest-field', evidence: 'map', why: 'the map has a digest key'},
    ])
    expect(await readFile(path.join(repo, file), 'utf8')).toBe(
      before
        .replace('(a comment is no reference)\n', `(a comment is no reference)\n              digest: sha256:${E}\n`)
        .replace('tag: 1.0.0 # not', 'tag: 1.1.0 # not')
        .replace('tag: "1.0.0"\n              digest: sha256:' + A, `tag: "1.1.0"\n              digest: sha256:${E}`),
    )
  })

  it('adds the missing keys of an image map that names only its repository, in its own style', async () => {
    const repo = await gitopsRepo()
    const file = 'sources/values/env/staging/apps/solo.yaml'
    await writeFile(
      path.join(repo, file),
      'solo:\n  image:\n    repository: ghcr.io/ameideio/solo # no tag\nflow:\n  image: {repository: ghcr.io/ameideio/flow}\n',
    )
    await git(repo, ['add', '-A'])
    await git(repo, ['commit', '-qm', 'solo'])
    const refs = [`ghcr.io/ameideio/solo:1.0.0@sha256:${E}`, `ghcr.io/ameideio/flow:2.0.0@sha256:${E}`]
    const run = await cli(repo, ['set-image', '--env', 'staging', ...refs.flatMap((r) => ['--ref', r])])
    expect(run.exitCode, run.stderr).toBe(0)
    // No pinned map in the file or its folder decides; the repository's (3 of 5 with the digest in the tag) do.
    expect(run.json().changes[0].convention.evidence).toBe('repository')
    expect(await readFile(path.join(repo, file), 'utf8')).toBe(
      `solo:\n  image:\n    repository: ghcr.io/ameideio/solo # no tag\n    tag: 1.0.0@sha256:${E}\n` +
        `flow:\n  image: {repository: ghcr.io/ameideio/flow, tag: 2.0.0@sha256:${E}}\n`,
    )
  })

  it('writes Argo CD kustomize.images entries after their `name=` and Image Updater helm parameters', async () => {
    const repo = await gitopsRepo()
    const shop = `ghcr.io/ameideio/shop-v2:1.1.0@sha256:${E}`
    const cart = `ghcr.io/ameideio/cart:1.1.0@sha256:${E}`
    const checkout = `ghcr.io/ameideio/checkout:1.1.0@sha256:${E}`
    const run = await cli(repo, ['set-image', '--env', 'staging', '--ref', shop, '--ref', cart, '--ref', checkout])
    expect(run.exitCode, run.stderr).toBe(0)
    const apps = 'sources/values/env/staging/apps/'
    const read = (root: string, f: string) => readFile(path.join(root, apps, f), 'utf8')
    expect(await read(repo, 'argocd-kustomize.yaml')).toBe(
      (await read(GITOPS_FIXTURE, 'argocd-kustomize.yaml'))
        .replace('shop=ghcr.io/ameideio/shop-v2:1.0.0', `shop=${shop}`)
        .replace('"ghcr.io/ameideio/cart:1.0.0"', `"${cart}"`),
    )
    // No digest parameter: the digest goes into the tag value (no parameter is added).
    expect(await read(repo, '.argocd-source-checkout.yaml')).toBe(
      (await read(GITOPS_FIXTURE, '.argocd-source-checkout.yaml')).replace('value: 1.0.0', `value: 1.1.0@sha256:${E}`),
    )
    expect(await git(repo, ['diff', '--stat'])).toMatch(/2 files changed, 3 insertions\(\+\), 3 deletions\(-\)/)
  })

  it('stops with AMBIGUOUS_REFERENCE when a helm.parameters group has no tag to write into', async () => {
    const repo = await gitopsRepo()
    const file = path.join(repo, 'sources/values/env/staging/apps/helm-apps.yaml')
    const text = await readFile(file, 'utf8')
    await writeFile(file, text.replace('          - {name: web.image.tag, value: "1.0.0"}\n', ''))
    await git(repo, ['commit', '-qam', 'no tag'])
    const run = await cli(repo, ['set-image', '--env', 'staging', '--ref', `ghcr.io/ameideio/web:1.1.0@sha256:${E}`])
    expect(run.exitCode, run.stderr).toBe(1)
    expect(run.json().error).toMatchObject({code: 'AMBIGUOUS_REFERENCE', hints: [expect.stringContaining('image.tag')]})
    expect(await snapshot(repo)).toBe('')
  })

  it('rewrites an image a JSON 6902 patch adds, inside its block string, and only its bytes', async () => {
    const repo = await gitopsRepo()
    const curl = `docker.io/curlimages/curl:8.7.0@sha256:${E}`
    const run = await cli(repo, ['set-image', '--env', 'production', '--ref', curl])
    expect(run.exitCode, run.stderr).toBe(0)
    const file = 'sources/values/env/production/apps/patches.yaml'
    const before = await readFile(path.join(GITOPS_FIXTURE, file), 'utf8')
    expect(await readFile(path.join(repo, file), 'utf8')).toBe(before.replace("'curlimages/curl:8.6.0'", `'${curl}'`))
    expect(await snapshot(repo)).toBe(`M ${file}`)
  })

  it('migrates :dev to the pinned ref and keeps quotes, CRLF line endings and a missing final newline', async () => {
    const repo = await gitopsRepo()
    const www = `ghcr.io/ameideio/www:2.0.0@sha256:${F}`
    const run = await cli(repo, ['set-image', '--env', 'local', '--ref', OPERATOR, '--ref', www])
    expect(run.exitCode, run.stderr).toBe(0)
    const orders = await readFile(path.join(repo, 'sources/values/env/local/apps/orders.yaml'), 'utf8')
    const before = await readFile(path.join(GITOPS_FIXTURE, 'sources/values/env/local/apps/orders.yaml'), 'utf8')
    expect(orders).toBe(before.replace('"ghcr.io/ameideio/operator-domain:dev"', `"${OPERATOR}"`))
    const crlf = await readFile(path.join(repo, 'sources/values/env/local/apps/www.yaml'), 'utf8')
    expect(crlf).toBe(`image:\r\n  ref: '${www}'\r\ningress:\r\n  host: www.local.ameide.io`)
    // The result verifies: nothing left to pin in the local overlay.
    const verify = await runCli(['gitops', 'verify', '--json', '--env', 'local', '--rule', 'image-not-pinned'], {
      cwd: repo,
    })
    expect(verify.json().findings.filter((f: {file: string}) => f.file.includes('env/local'))).toEqual([])
  })

  it('refuses bad input with exit 2 before touching any file', async () => {
    const repo = await gitopsRepo()
    const cases: Array<[string[], string]> = [
      [['--ref', 'ghcr.io/ameideio/operator-domain:dev'], 'INVALID_IMAGE_REF'],
      [['--ref', `ghcr.io/ameideio/operator-domain:main@sha256:${F}`], 'INVALID_IMAGE_REF'],
      [['--ref', `ghcr.io/ameideio/operator-domain@sha256:${F}`], 'INVALID_IMAGE_REF'],
      [['--ref', `GHCR.io/Ameide/x:1@sha256:${F}`], 'INVALID_IMAGE_REF'],
      [['--ref', OPERATOR, '--ref', `ghcr.io/ameideio/operator-domain:1.2.0@sha256:${E}`], 'CONFLICTING_REFS'],
      [['--report', await writeReport({schemaVersion: 2, images: [], failures: []})], 'INVALID_REPORT'],
      [['--report', await writeReport(report([{component: '../../etc/passwd', ref: ORDERS}]))], 'INVALID_REPORT'],
      [['--report', '/nonexistent/report.json'], 'INVALID_REPORT'],
    ]
    for (const [args, code] of cases) {
      const run = await cli(repo, ['set-image', '--env', 'local', ...args])
      expect(run.exitCode, `${args.join(' ')}: ${run.stdout}`).toBe(2)
      expect(run.json().error.code).toBe(code)
    }
    const env = await cli(repo, ['set-image', '--env', '../staging', '--ref', OPERATOR])
    expect(env.json().error.code).toBe('INVALID_ENVIRONMENT')
    expect(await snapshot(repo)).toBe('')
  })

  it('checks --env/--from/--to at the door (exit 2 outside a checkout) and names --root, not --repo-root', async () => {
    const outside = await makeTempDir()
    const cases: Array<[string[], string]> = [
      [['set-image', '--env', 'Bad_Env', '--ref', OPERATOR], '--env "Bad_Env"'],
      [['promote', '--from', 'local', '--to', 'staging-'], '--to "staging-"'],
      [['promote', '--from', '-dev', '--to', 'local'], '--from "-dev"'],
    ]
    for (const [args, named] of cases) {
      const run = await runCli(['gitops', ...args, '--json'], {cwd: outside})
      expect(run.exitCode, args.join(' ')).toBe(2)
      expect(run.json().error.code).toBe('INVALID_ENVIRONMENT')
      expect(run.json().error.message).toContain(named)
    }
    for (const flag of ['--root', '--repo-root']) {
      const run = await runCli(['gitops', 'verify', flag, '/nonexistent-root', '--json'], {cwd: outside})
      expect(run.exitCode).toBe(2)
      expect(run.json().error.code).toBe('REPO_ROOT_NOT_FOUND')
      expect(run.json().error.message).toBe('--root /nonexistent-root is not a directory.')
      expect(run.json().error.hints.join(' ')).toContain('GitOps checkout')
    }
    const none = await runCli(['gitops', 'verify', '--json'], {cwd: outside})
    expect(none.exitCode).toBe(3)
    expect(none.json().error.hints.join(' ')).toContain('pass --root DIR')
  })

  it('stops with nothing written on invalid YAML in the overlay or a symlink out of the repository', async () => {
    const repo = await gitopsRepo()
    await writeFile(path.join(repo, 'sources/values/env/local/apps/broken.yaml'), 'image:\n  ref: [unclosed\n')
    const broken = await cli(repo, ['set-image', '--env', 'local', '--ref', OPERATOR])
    expect(broken.exitCode).toBe(1)
    expect(broken.json().error).toMatchObject({
      code: 'OVERLAY_NOT_YAML',
      message: expect.stringContaining('broken.yaml'),
    })
    await rm(path.join(repo, 'sources/values/env/local/apps/broken.yaml'))

    const outside = path.join(await makeTempDir(), 'outside.yaml')
    await writeFile(outside, 'image:\n  ref: ghcr.io/ameideio/www:0.0.1\n')
    await symlink(outside, path.join(repo, 'sources/values/env/local/apps/linked.yaml'))
    const www = `ghcr.io/ameideio/www:2.0.0@sha256:${F}`
    const linked = await cli(repo, ['set-image', '--env', 'local', '--ref', www, '--ref', OPERATOR])
    // The symlink is not followed: the file listing never enters it, so only real files are rewritten.
    expect(linked.exitCode, linked.stdout).toBe(0)
    expect(await readFile(outside, 'utf8')).toBe('image:\n  ref: ghcr.io/ameideio/www:0.0.1\n')
  })

  it('writes all files or none: a failure in the middle of the writes leaves every file as it was', async () => {
    const repo = await gitopsRepo()
    const policy = DEFAULT_GITOPS_POLICY
    const plan = await planWrite(
      repo,
      policy,
      'local',
      desiredFromRefs([OPERATOR, `ghcr.io/ameideio/www:2.0.0@sha256:${F}`]),
    )
    expect(plan.edits.map((e) => e.file)).toEqual([
      'sources/values/env/local/apps/orders.yaml',
      'sources/values/env/local/apps/www.yaml',
    ])
    // The second file's temporary is taken: its write fails after the first one's succeeded.
    const blocker = path.join(repo, '.git/ameide/write/tmp', `1.${process.pid}.tmp`)
    await mkdir(blocker, {recursive: true})
    await expect(applyEdits(repo, plan.edits)).rejects.toThrow()
    await rm(blocker, {recursive: true})
    expect(await snapshot(repo)).toBe('')
    // The journal was closed: nothing left for a later writer to recover.
    expect(await readdir(path.join(repo, '.git/ameide/write'))).toEqual(['tmp'])
    expect(await readdir(path.join(repo, '.git/ameide/write/tmp'))).toEqual([])
    // A file changed after planning is never overwritten.
    await writeFile(path.join(repo, 'sources/values/env/local/apps/www.yaml'), 'image:\n  ref: changed\n')
    await expect(applyEdits(repo, plan.edits)).rejects.toMatchObject({code: 'FILE_CHANGED'})
    expect(await git(repo, ['status', '--porcelain'])).toBe('M sources/values/env/local/apps/www.yaml')
  })
})

describe('ameide gitops promote', () => {
  it('copies the exact refs local → staging → production, and lists sources that are not pinned', async () => {
    const repo = await gitopsRepo()
    const toStaging = await cli(repo, ['promote', '--from', 'local', '--to', 'staging'])
    expect(toStaging.exitCode, toStaging.stderr).toBe(0)
    const staged = toStaging.json()
    assertMatchesSchema('gitops-promote.schema.json', staged)
    const LOCAL_ORDERS = `ghcr.io/ameideio/primitive-domain-orders:3f9c2a1@sha256:${A}`
    expect(staged.changes).toEqual([
      {
        file: 'sources/values/env/staging/apps/orders.yaml',
        line: 2,
        component: 'domain-orders',
        repository: 'ghcr.io/ameideio/primitive-domain-orders',
        from: `ghcr.io/ameideio/primitive-domain-orders:2e8d1b0@sha256:${'b'.repeat(64)}`,
        to: LOCAL_ORDERS,
        convention: {form: 'reference', evidence: 'reference', why: 'a one-string reference takes the whole ref'},
      },
    ])
    expect(staged.skipped.map((s: {component: string}) => s.component)).toEqual(['operator-domain', 'www'])
    const toProduction = (await cli(repo, ['promote', '--from', 'staging', '--to', 'production'])).json()
    expect(toProduction.changes.map((c: {to: string}) => c.to)).toContain(LOCAL_ORDERS)
    expect(await readFile(path.join(repo, 'sources/values/env/production/apps/orders.yaml'), 'utf8')).toContain(
      `  ref: ${LOCAL_ORDERS}\nchart:\n  version: latest   # a chart version, not an image\n`,
    )
    const again = (await cli(repo, ['promote', '--from', 'staging', '--to', 'production'])).json()
    expect(again.status).toBe('none')
    const same = await cli(repo, ['promote', '--from', 'local', '--to', 'local'])
    expect(same.exitCode).toBe(2)
  })

  it("reads image maps as sources and writes them in each target map's own convention (golden diff)", async () => {
    const repo = await gitopsRepo()
    const dry = await cli(repo, ['promote', '--from', 'staging', '--to', 'production', '--dry-run'])
    expect(dry.exitCode, dry.stderr).toBe(0)
    assertMatchesSchema('gitops-promote.schema.json', dry.json())
    // The file already pins a map as tag@digest: its block map and flow map without a digest follow it.
    expect(dry.json().diff).toBe(await readFile(new URL('promote-staging-production.diff', GOLDEN), 'utf8'))
    expect(
      dry.json().changes.map((c: {file: string; line: number; to: string}) => `${c.file}:${c.line} ${c.to}`),
    ).toEqual([
      `sources/values/env/production/apps/helm-apps.yaml:4 ghcr.io/ameideio/runner:3.1.0@sha256:${'c'.repeat(64)}`,
      `sources/values/env/production/apps/helm-apps.yaml:7 ghcr.io/ameideio/cache:v1.2.3@sha256:${'c'.repeat(64)}`,
      `sources/values/env/production/apps/helm-apps.yaml:10 ghcr.io/ameideio/worker:1.0.0@sha256:${A}`,
      `sources/values/env/production/apps/orders.yaml:2 ghcr.io/ameideio/primitive-domain-orders:2e8d1b0@sha256:${'b'.repeat(64)}`,
    ])
    // Unpinned maps of the source are listed, not promoted.
    expect(dry.json().skipped.map((s: {component: string}) => s.component)).toEqual(
      expect.arrayContaining(['api', 'sidecar', 'web', 'flux-app']),
    )
    expect(await snapshot(repo)).toBe('')
    const run = await cli(repo, ['promote', '--from', 'staging', '--to', 'production'])
    expect(run.exitCode, run.stderr).toBe(0)
    const again = (await cli(repo, ['promote', '--from', 'staging', '--to', 'production'])).json()
    expect(again.status).toBe('none')
  })
})
