import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {detectChanges} from '../../src/changes/detect.js'
import {decideChange} from '../../src/publish/changes.js'
import {discoverComponents} from '../../src/publish/components.js'
import {globMatcher} from '../../src/core/glob.js'
import {DEFAULT_CONFIG} from '../../src/core/config.js'
import {runCli} from '../support/cli.js'
import {toolPath} from '../support/toolchain.js'
import {commitAll, git, initGitRepo, makeTempDir, runCleanups} from '../support/tmp.js'

afterAll(runCleanups)

const SHARED = DEFAULT_CONFIG.publish.sharedInputs

async function repoWith(files: Record<string, string>): Promise<string> {
  const dir = await makeTempDir('ameide-changes-')
  await initGitRepo(dir)
  await write(dir, files)
  await commitAll(dir, 'first')
  return dir
}

async function write(dir: string, files: Record<string, string>): Promise<void> {
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), {recursive: true})
    await writeFile(path.join(dir, file), content)
  }
}

const THREE = {
  'primitives/domain/orders/Dockerfile': 'FROM scratch\n',
  'primitives/domain/orders-archive/Dockerfile.main': 'FROM scratch\n',
  'primitives/domain/orders-archive/Dockerfile': 'FROM other\n',
  'primitives/agent/triage/Dockerfile': 'FROM scratch\n',
  'primitives/agent/no-dockerfile/README.md': '#\n',
  'primitives/unknownkind/x/Dockerfile': 'FROM scratch\n',
  'packages/ameide_sdk_go/sdk.go': 'package sdk\n',
}

describe('components and change detection (real git repositories)', () => {
  it('discovers primitives with Dockerfile.main (preferred) or Dockerfile, sorted, and nothing else', async () => {
    const dir = await repoWith(THREE)
    const components = await discoverComponents(dir, 'reg.example/ns')
    expect(components.map((c) => [c.id, c.dockerfile, c.repository])).toEqual([
      ['agent-triage', 'primitives/agent/triage/Dockerfile', 'reg.example/ns/primitive-agent-triage'],
      ['domain-orders', 'primitives/domain/orders/Dockerfile', 'reg.example/ns/primitive-domain-orders'],
      [
        'domain-orders-archive',
        'primitives/domain/orders-archive/Dockerfile.main',
        'reg.example/ns/primitive-domain-orders-archive',
      ],
    ])
  })

  it('a branch commit: own folder changed (prefix-safe), others unchanged; a shared input changes everything', async () => {
    const dir = await repoWith(THREE)
    const components = await discoverComponents(dir, 'r/ns')
    await git(dir, ['checkout', '-q', '-b', 'feature'])
    await write(dir, {'primitives/domain/orders-archive/x.txt': '1'})
    const sha = await commitAll(dir, 'archive change')
    const changes = await detectChanges({repoRoot: dir, sha, baseBranch: 'main', all: false})
    expect(changes.baseDescription).toBe('merge-base with main')
    expect(changes.files).toEqual(['primitives/domain/orders-archive/x.txt'])
    const decisions = Object.fromEntries(components.map((c) => [c.id, decideChange(c, changes, SHARED)]))
    expect(decisions['domain-orders-archive'].changed).toBe(true)
    expect(decisions['domain-orders'].changed).toBe(false) // primitives/domain/orders is a prefix, not a parent
    expect(decisions['agent-triage'].reason).toMatch(/^unchanged since [0-9a-f]{12} \(merge-base with main\)$/)

    await write(dir, {'packages/ameide_sdk_go/sdk.go': 'package sdk // v2\n'})
    const sha2 = await commitAll(dir, 'sdk change')
    const changes2 = await detectChanges({repoRoot: dir, sha: sha2, baseBranch: 'main', all: false})
    for (const c of components) {
      const decision = decideChange(c, changes2, SHARED)
      if (c.id !== 'domain-orders-archive')
        expect(decision.reason).toContain('shared build input packages/ameide_sdk_go/sdk.go')
      expect(decision.changed).toBe(true)
    }
  })

  it('prefers origin/main over main, and compares a commit on main with its first parent', async () => {
    const upstream = await repoWith(THREE)
    const clone = await makeTempDir('ameide-clone-')
    await git(clone, ['clone', '-q', `file://${upstream}`, '.'])
    await write(clone, {'primitives/agent/triage/app.txt': 'x'})
    await git(clone, ['-c', 'user.name=t', '-c', 'user.email=t@e.invalid', 'commit', '-qam', 'x', '--allow-empty'])
    await git(clone, ['add', '-A'])
    await git(clone, ['-c', 'user.name=t', '-c', 'user.email=t@e.invalid', 'commit', '-qm', 'triage'])
    const sha = await git(clone, ['rev-parse', 'HEAD'])
    // local main moved with the commits; origin/main did not: origin/main wins
    const changes = await detectChanges({repoRoot: clone, sha, baseBranch: 'main', all: false})
    expect(changes.baseDescription).toBe('merge-base with origin/main')
    expect(changes.files).toEqual(['primitives/agent/triage/app.txt'])

    // upstream itself: HEAD is on main → first parent
    await write(upstream, {'primitives/domain/orders/app.txt': 'y'})
    const sha2 = await commitAll(upstream, 'orders')
    const onMain = await detectChanges({repoRoot: upstream, sha: sha2, baseBranch: 'main', all: false})
    expect(onMain.baseDescription).toMatch(/^first parent/)
    expect(onMain.files).toEqual(['primitives/domain/orders/app.txt'])
  })

  it('a root commit on main builds everything; --all too; no base branch is exit 3', async () => {
    const dir = await repoWith(THREE)
    const sha = await git(dir, ['rev-parse', 'HEAD'])
    expect((await detectChanges({repoRoot: dir, sha, baseBranch: 'main', all: false})).everything).toMatch(
      /first commit/,
    )
    expect((await detectChanges({repoRoot: dir, sha, baseBranch: 'main', all: true})).everything).toMatch(/--all/)
    await expect(detectChanges({repoRoot: dir, sha, baseBranch: 'trunk', all: false})).rejects.toMatchObject({
      code: 'BASE_NOT_FOUND',
      exitCode: 3,
    })
    await expect(
      detectChanges({repoRoot: dir, sha, base: 'nope', baseBranch: 'main', all: false}),
    ).rejects.toMatchObject({code: 'BASE_NOT_FOUND', exitCode: 2})
  })

  it('a shallow clone fails fast with exit 3 and a hint instead of rebuilding everything', async () => {
    const upstream = await repoWith(THREE)
    await write(upstream, {'primitives/domain/orders/app.txt': 'y'})
    await commitAll(upstream, 'second')
    const shallow = await makeTempDir('ameide-shallow-')
    await git(shallow, ['clone', '-q', '--depth', '1', `file://${upstream}`, '.'])
    const run = await runCli(
      ['primitive', 'publish', '--json', '--dry-run', '--no-sign', '--registry', '127.0.0.1:1/ns'],
      {cwd: shallow},
    )
    expect(run.exitCode).toBe(3)
    expect(run.json().error).toMatchObject({code: 'SHALLOW_CLONE', exitCode: 3})
    expect(run.json().error.hints.join(' ')).toContain('fetch-depth: 0')
  })

  it('bad input is exit 2 before any repository is looked for', async () => {
    const outside = await makeTempDir('ameide-nogit-')
    for (const [args, code] of [
      [['--sha', 'abc'], 'INVALID_SHA'],
      [['--component', 'domain'], 'INVALID_COMPONENT'],
      [['--component', 'nokind/x'], 'INVALID_COMPONENT'],
      [['--platform', 'linux'], 'INVALID_PLATFORM'],
      [['--registry', 'Not A Registry'], 'INVALID_REGISTRY'],
      [['--build-arg', 'novalue'], 'INVALID_BUILD_ARG'],
      [['--jobs', '0'], 'INVALID_USAGE'],
    ] as const) {
      const run = await runCli(['primitive', 'publish', '--json', ...args], {cwd: outside})
      expect(run.exitCode, `${args.join(' ')}: ${run.stdout}`).toBe(2)
      expect(run.json().error.code).toBe(code)
    }
    const dir = await repoWith(THREE)
    const missing = await runCli(
      ['primitive', 'publish', '--json', '--dry-run', '--no-sign', '--component', 'domain/nothere'],
      {cwd: dir},
    )
    expect(missing.exitCode).toBe(2)
    expect(missing.json().error.code).toBe('COMPONENT_NOT_FOUND')
    const unknownSha = await runCli(
      ['primitive', 'publish', '--json', '--dry-run', '--no-sign', '--sha', 'f'.repeat(40)],
      {cwd: dir},
    )
    expect(unknownSha.json().error.code).toBe('SHA_NOT_FOUND')
    const noKey = await runCli(['primitive', 'publish', '--json', '--dry-run'], {cwd: dir, env: {GITHUB_ACTIONS: ''}})
    expect(noKey.exitCode).toBe(3)
    expect(noKey.json().error.code).toBe('SIGNING_NOT_CONFIGURED')
    // keyless in GitHub Actions without `permissions: id-token: write`: exit 3 before any registry call
    const noOidc = await runCli(['primitive', 'publish', '--json', '--registry', '127.0.0.1:1/ns'], {
      cwd: dir,
      env: {
        GITHUB_ACTIONS: 'true',
        GITHUB_REPOSITORY: 'o/r',
        ACTIONS_ID_TOKEN_REQUEST_URL: '',
        SIGSTORE_ID_TOKEN: '',
        PATH: toolPath(),
      },
    })
    expect(noOidc.exitCode, noOidc.stdout).toBe(3)
    expect(noOidc.json().error.code).toBe('OIDC_TOKEN_UNAVAILABLE')
    expect(noOidc.json().error.hints.join(' ')).toContain('permissions: id-token: write')
    // keyless outside GitHub Actions: the identity `cosign verify` must see comes from flags, or it is exit 3
    const oidc = {GITHUB_ACTIONS: '', SIGSTORE_ID_TOKEN: 'canary-oidc-token-7f3a', PATH: toolPath()}
    const noIdentity = await runCli(['primitive', 'publish', '--json', '--keyless', '--registry', '127.0.0.1:1/ns'], {
      cwd: dir,
      env: oidc,
    })
    expect(noIdentity.exitCode, noIdentity.stdout).toBe(3)
    expect(noIdentity.json().error.code).toBe('KEYLESS_IDENTITY_MISSING')
    const identity = await runCli(
      [
        'primitive',
        'publish',
        '--json',
        '--keyless',
        '--sbom',
        'none',
        '--no-provenance',
        '--registry',
        '127.0.0.1:1/ns',
        '--certificate-identity-regexp',
        '^https://github.com/acme/',
        '--certificate-oidc-issuer',
        'https://token.actions.githubusercontent.com',
      ],
      {cwd: dir, env: {...oidc, AMEIDE_TEST_TIMINGS: JSON.stringify({retryAttempts: 1})}},
    )
    expect(identity.stdout).not.toContain('KEYLESS_IDENTITY_MISSING')
    for (const output of [identity.stdout, identity.stderr, noIdentity.stdout, noIdentity.stderr])
      expect(output).not.toContain('canary-oidc-token-7f3a')
  })

  it('matches shared-input globs', () => {
    expect(globMatcher('packages/ameide_sdk_go/**').test('packages/ameide_sdk_go/a/b.go')).toBe(true)
    expect(globMatcher('packages/ameide_sdk_go/**').test('packages/ameide_sdk_gox/a.go')).toBe(false)
    expect(globMatcher('go.work').test('go.work')).toBe(true)
    expect(globMatcher('go.work').test('sub/go.work')).toBe(false)
    expect(globMatcher('**/buf.gen.*.yaml').test('a/b/buf.gen.local.yaml')).toBe(true)
    expect(globMatcher('**/buf.gen.*.yaml').test('buf.gen.local.yaml')).toBe(true)
    expect(globMatcher('plugins/*').test('plugins/a/b')).toBe(false)
  })
})
