import {mkdir, readFile, rm, symlink, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {DEFAULT_GITOPS_POLICY} from '../../src/core/config.js'
import {applyEdits} from '../../src/gitops/write/apply.js'
import {planWrite} from '../../src/gitops/write/plan.js'
import {desiredFromRefs} from '../../src/gitops/write/input.js'
import {runCli} from '../support/cli.js'
import {GITOPS_FIXTURE, gitopsRepo} from '../support/gitops-fixture.js'
import {assertMatchesSchema} from '../support/schema.js'
import {git, makeTempDir, runCleanups} from '../support/tmp.js'

afterAll(runCleanups)

const A = 'a'.repeat(64)
const E = 'e'.repeat(64)
const F = 'f'.repeat(64)
const ORDERS = `ghcr.io/ameideio/primitive-domain-orders:4b1e9f0@sha256:${E}`
const OPERATOR = `ghcr.io/ameideio/operator-domain:1.1.0@sha256:${F}`
const GOLDEN = new URL('../fixtures/gitops-golden/', import.meta.url)

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
    // The second file's temporary sibling is taken: its write fails after the first one's succeeded.
    const blocker = path.join(repo, 'sources/values/env/local/apps', `.www.yaml.ameide-${process.pid}.tmp`)
    await mkdir(blocker)
    await expect(applyEdits(repo, plan.edits)).rejects.toThrow()
    await rm(blocker, {recursive: true})
    expect(await snapshot(repo)).toBe('')
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
      },
    ])
    expect(staged.skipped.map((s: {component: string}) => s.component)).toEqual(['operator-domain', 'www'])
    const toProduction = (await cli(repo, ['promote', '--from', 'staging', '--to', 'production'])).json()
    expect(toProduction.changes.map((c: {to: string}) => c.to)).toEqual([LOCAL_ORDERS])
    expect(await readFile(path.join(repo, 'sources/values/env/production/apps/orders.yaml'), 'utf8')).toContain(
      `  ref: ${LOCAL_ORDERS}\nchart:\n  version: latest   # a chart version, not an image\n`,
    )
    const again = (await cli(repo, ['promote', '--from', 'staging', '--to', 'production'])).json()
    expect(again.status).toBe('none')
    const same = await cli(repo, ['promote', '--from', 'local', '--to', 'local'])
    expect(same.exitCode).toBe(2)
  })
})
