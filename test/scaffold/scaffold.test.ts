import {execa} from 'execa'
import {createHash} from 'node:crypto'
import {mkdir, readFile, readdir, symlink, unlink, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {KINDS, type Kind} from '../../src/primitives/kinds.js'
import {LAYOUTS} from '../../src/primitives/layout.js'
import {runCli} from '../support/cli.js'
import {assertMatchesSchema} from '../support/schema.js'
import {initGitRepo, makeTempDir, runCleanups} from '../support/tmp.js'

afterAll(runCleanups)

async function newRepo(): Promise<string> {
  const dir = await makeTempDir('ameide-scaffold-')
  await initGitRepo(dir)
  return dir
}

/** Every file under `dir`, relative, sorted, with its sha256. */
async function treeDigest(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  const entries = await readdir(dir, {recursive: true, withFileTypes: true})
  for (const e of entries) {
    if (!e.isFile()) continue
    const full = path.join(e.parentPath, e.name)
    const rel = path.relative(dir, full)
    if (rel.startsWith('.git' + path.sep)) continue
    out[rel] = createHash('sha256')
      .update(await readFile(full))
      .digest('hex')
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)))
}

const scaffold = (repo: string, kind: string, name: string, extra: string[] = []) =>
  runCli(['primitive', 'scaffold', '--kind', kind, '--name', name, '--json', ...extra], {cwd: repo})

describe.each(KINDS.map((k) => [k]))('scaffold --kind %s', (kind: Kind) => {
  it('creates exactly the layout, valid per schema, with RED tests and nothing forbidden', async () => {
    const repo = await newRepo()
    const run = await scaffold(repo, kind, 'sample-one')
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    const result = run.json()
    assertMatchesSchema('scaffold.schema.json', result)
    expect(result).toMatchObject({kind, name: 'sample-one', path: `primitives/${kind}/sample-one`, dryRun: false})
    expect(result.nextSteps).toContain(`ameide primitive verify --kind ${kind} --name sample-one`)
    expect(result.nextSteps).toContain(`ameide primitive gitops scaffold --kind ${kind} --name sample-one --version v0`)

    const expected = LAYOUTS[kind].map((f) => `primitives/${kind}/sample-one/${f.path}`).sort()
    expect(result.files.map((f: {path: string}) => f.path).sort()).toEqual(expected)
    expect(result.files.every((f: {action: string}) => f.action === 'create')).toBe(true)
    expect(Object.keys(await treeDigest(repo)).sort()).toEqual(expected)

    for (const file of LAYOUTS[kind]) {
      const text = await readFile(path.join(repo, `primitives/${kind}/sample-one`, file.path), 'utf8')
      if (file.role === 'test' && !file.path.endsWith('__init__.py'))
        expect(text, file.path).toContain('AMEIDE_SCAFFOLD')
      expect(text, file.path).not.toMatch(/:(dev|main|latest)\b/)
      expect(text, file.path).not.toMatch(/^kind:\s*(Deployment|Service|StatefulSet|Application|Kustomization)\b/m)
      expect(text, file.path).not.toMatch(/\{\{\s*[A-Za-z_]+\s*\}\}/)
      expect(file.path).not.toMatch(/(^|\/)(internal\/gen|charts?|helm|k8s|manifests?|gitops)\//)
    }
    const catalog = await readFile(path.join(repo, `primitives/${kind}/sample-one/catalog-info.yaml`), 'utf8')
    expect(catalog).toContain(`ameide.io/primitive-kind: ${kind}`)
  })
})

describe('scaffold file hygiene per language', () => {
  it('Go primitives are gofmt-clean, Python compiles, TypeScript typechecks', async () => {
    const repo = await newRepo()
    for (const kind of KINDS) expect((await scaffold(repo, kind, 'lang-check')).exitCode).toBe(0)

    const gofmt = await execa('gofmt', ['-l', '-e', 'primitives'], {cwd: repo, reject: false})
    expect(gofmt.stderr).toBe('')
    expect(gofmt.stdout).toBe('')
    expect(gofmt.exitCode).toBe(0)

    const py = (await readdir(path.join(repo, 'primitives/agent/lang-check'), {recursive: true})).filter((f) =>
      f.endsWith('.py'),
    )
    expect(py.length).toBeGreaterThan(3)
    const compiled = await execa('python3', ['-m', 'py_compile', ...py], {
      cwd: path.join(repo, 'primitives/agent/lang-check'),
      reject: false,
    })
    expect(compiled.stderr).toBe('')
    expect(compiled.exitCode).toBe(0)

    const ui = path.join(repo, 'primitives/uisurface/lang-check')
    await writeFile(path.join(ui, 'sdk-stub.d.ts'), "declare module '@ameideio/ameide-sdk-ts/proto.js' {}\n") // the SDK, stubbed
    const sources = (await readdir(ui, {recursive: true})).filter((f) => f.endsWith('.ts'))
    const tsc = await execa(
      path.resolve('node_modules/.bin/tsc'),
      [
        '--noEmit',
        '--strict',
        '--module',
        'NodeNext',
        '--moduleResolution',
        'NodeNext',
        '--target',
        'ES2022',
        '--typeRoots',
        path.resolve('node_modules/@types'),
        '--types',
        'node',
        ...sources,
      ],
      {cwd: ui, reject: false},
    )
    expect(tsc.stdout + tsc.stderr).toBe('')
    expect(tsc.exitCode).toBe(0)
  })
})

describe('scaffold never overwrites', () => {
  it('a re-run is a no-op that reports every file as skipped', async () => {
    const repo = await newRepo()
    expect((await scaffold(repo, 'domain', 'orders')).exitCode).toBe(0)
    const before = await treeDigest(repo)
    const again = await scaffold(repo, 'domain', 'orders')
    expect(again.exitCode).toBe(0)
    expect(again.json().files.every((f: {action: string}) => f.action === 'skip')).toBe(true)
    expect(await treeDigest(repo)).toEqual(before)
  })

  it('keeps a modified file byte for byte and fills in only a missing one', async () => {
    const repo = await newRepo()
    await scaffold(repo, 'agent', 'triage')
    const base = path.join(repo, 'primitives/agent/triage')
    const mine = 'def invoke():\n    return "implemented by a human"\n'
    await writeFile(path.join(base, 'src/agent.py'), mine)
    await unlink(path.join(base, 'README.md'))
    const run = await scaffold(repo, 'agent', 'triage')
    expect(run.exitCode).toBe(0)
    const actions = Object.fromEntries(run.json().files.map((f: {path: string; action: string}) => [f.path, f.action]))
    expect(actions['primitives/agent/triage/README.md']).toBe('create')
    expect(actions['primitives/agent/triage/src/agent.py']).toBe('skip')
    expect(Object.values(actions).filter((a) => a === 'create')).toHaveLength(1)
    expect(await readFile(path.join(base, 'src/agent.py'), 'utf8')).toBe(mine)
  })

  it('treats a directory or symlink at a file path as existing', async () => {
    const repo = await newRepo()
    const base = path.join(repo, 'primitives/uisurface/portal')
    await mkdir(path.join(base, 'README.md'), {recursive: true})
    await symlink('/nonexistent-target', path.join(base, 'Dockerfile'))
    const run = await scaffold(repo, 'uisurface', 'portal')
    expect(run.exitCode).toBe(0)
    const skipped = run
      .json()
      .files.filter((f: {action: string}) => f.action === 'skip')
      .map((f: {path: string}) => f.path)
    expect(skipped.sort()).toEqual(['primitives/uisurface/portal/Dockerfile', 'primitives/uisurface/portal/README.md'])
  })
})

describe('scaffold --dry-run and determinism', () => {
  it('--dry-run prints the same plan and writes nothing', async () => {
    const repo = await newRepo()
    const dry = await scaffold(repo, 'process', 'fulfilment', ['--dry-run'])
    expect(dry.exitCode).toBe(0)
    assertMatchesSchema('scaffold.schema.json', dry.json())
    expect(dry.json().dryRun).toBe(true)
    expect(await treeDigest(repo)).toEqual({})
    const real = await scaffold(repo, 'process', 'fulfilment')
    expect(real.json().files).toEqual(dry.json().files)
  })

  it('two runs into two repositories give byte-identical trees', async () => {
    const [a, b] = [await newRepo(), await newRepo()]
    for (const kind of KINDS) {
      await scaffold(a, kind, 'same')
      await scaffold(b, kind, 'same')
    }
    const digestA = await treeDigest(a)
    expect(Object.keys(digestA).length).toBeGreaterThan(40)
    expect(await treeDigest(b)).toEqual(digestA)
  })

  it('prints a human tree with created/skipped and next steps', async () => {
    const repo = await newRepo()
    const run = await runCli(['primitive', 'scaffold', '--kind', 'projection', '--name', 'order-view'], {cwd: repo})
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain('projection/order-view (go)')
    expect(run.stdout).toMatch(/\+ created\s+cmd\/main\.go/)
    expect(run.stdout).toContain('ameide primitive verify --kind projection --name order-view')
    expect(run.stdout).not.toContain('\u001B[') // NO_COLOR is set by runCli
    const again = await runCli(['primitive', 'scaffold', '--kind', 'projection', '--name', 'order-view'], {cwd: repo})
    expect(again.stdout).toMatch(/= skipped \(exists\)\s+cmd\/main\.go/)
  })
})

describe('scaffold is atomic under interruption', () => {
  /** Every file present must equal what a complete run writes. */
  async function assertNoPartialFiles(repo: string, complete: Record<string, string>) {
    const now = await treeDigest(repo)
    for (const [file, digest] of Object.entries(now)) {
      if (/\.ameide-tmp-\d+-[0-9a-f]+$/.test(file)) continue // an unlinked-on-next-run temp, not a target
      expect(digest, `${file} is partial`).toBe(complete[file])
    }
    return now
  }

  it.each([['SIGKILL'], ['SIGINT']] as const)(
    '%s mid-write leaves only complete files, and a re-run completes the tree',
    async (signal) => {
      const reference = await newRepo()
      await scaffold(reference, 'domain', 'ledger')
      const complete = await treeDigest(reference)

      const repo = await newRepo()
      const {CLI} = await import('../support/cli.js')
      const child = execa(
        process.execPath,
        [CLI, 'primitive', 'scaffold', '--kind', 'domain', '--name', 'ledger', '--json'],
        {
          cwd: repo,
          env: {AMEIDE_TEST_TIMINGS: JSON.stringify({slowWriteMs: 150}), NO_COLOR: '1'},
          reject: false,
        },
      )
      // Wait until at least two files are complete, so the kill lands between or inside writes.
      const base = path.join(repo, 'primitives/domain/ledger')
      for (let i = 0; i < 400; i++) {
        const names = await readdir(base, {recursive: true}).catch(() => [] as string[])
        if (names.filter((n) => !n.includes('.ameide-tmp-')).length >= 4) break
        await new Promise((r) => setTimeout(r, 10))
      }
      await new Promise((r) => setTimeout(r, 75)) // inside the next file's pause
      child.kill(signal)
      const ended = await child
      expect(ended.signal ?? ended.exitCode).toBe(signal === 'SIGKILL' ? 'SIGKILL' : 130)

      const partial = await assertNoPartialFiles(repo, complete)
      const written = Object.keys(partial).filter((f) => !f.includes('.ameide-tmp-'))
      expect(written.length).toBeGreaterThan(0)
      expect(written.length).toBeLessThan(Object.keys(complete).length)
      if (signal === 'SIGINT') expect(Object.keys(partial).some((f) => f.includes('.ameide-tmp-'))).toBe(false)

      const rerun = await scaffold(repo, 'domain', 'ledger')
      expect(rerun.exitCode).toBe(0)
      expect(await treeDigest(repo)).toEqual(complete)
    },
  )
})

describe('scaffold rejects bad input with exit 2 and writes nothing', () => {
  const hostileNames = [
    '',
    'Orders',
    'ORDERS',
    'orders_v2',
    'orders v2',
    '../orders',
    '..',
    '.',
    'a/b',
    'a\\b',
    '/abs',
    'orders/',
    '-orders',
    'orders-',
    'or--ders',
    '1orders',
    'orders;rm -rf ~',
    'orders$(id)',
    '`id`',
    'orders|cat',
    'orders&',
    'ordérs',
    'оrders' /* Cyrillic о */,
    'orders\u200b',
    'orders\n',
    'a'.repeat(34),
    '~orders',
    'orders*',
    "orders'",
    '"orders"',
    'orders.v2',
    '%2e%2e',
    'orders\u0000x',
  ]

  it(`rejects ${hostileNames.length} hostile names`, async () => {
    expect(hostileNames.length).toBeGreaterThanOrEqual(25)
    const repo = await newRepo()
    const runs = await Promise.all(
      hostileNames
        .filter((n) => !n.includes('\u0000'))
        .map(async (name) => ({name, run: await scaffold(repo, 'domain', name)})),
    )
    for (const {name, run} of runs) {
      expect(run.exitCode, JSON.stringify(name)).toBe(2)
      const doc = run.json()
      assertMatchesSchema('error.schema.json', doc)
      expect(doc.error.code, JSON.stringify(name)).toBe(name === '' ? doc.error.code : 'INVALID_NAME')
    }
    expect(await treeDigest(repo)).toEqual({})
    expect(await readdir(repo)).toEqual(['.git'])
  })

  it('accepts a name of exactly 33 characters', async () => {
    const repo = await newRepo()
    expect((await scaffold(repo, 'domain', 'a'.repeat(33), ['--dry-run'])).exitCode).toBe(0)
  })

  it('rejects an unknown kind, and a language other than the canonical one naming it', async () => {
    const repo = await newRepo()
    const kind = await scaffold(repo, 'service', 'orders')
    expect(kind.exitCode).toBe(2)
    expect(kind.json().error.code).toBe('INVALID_KIND')
    const lang = await scaffold(repo, 'agent', 'triage', ['--lang', 'go'])
    expect(lang.exitCode).toBe(2)
    expect(lang.json().error).toMatchObject({code: 'UNSUPPORTED_LANGUAGE', exitCode: 2})
    expect(lang.json().error.message).toContain('python')
    expect((await scaffold(repo, 'agent', 'triage', ['--lang', 'py', '--dry-run'])).exitCode).toBe(0)
    const human = await runCli(['primitive', 'scaffold', '--kind', 'uisurface', '--name', 'x', '--lang', 'go'], {
      cwd: repo,
    })
    expect(human.exitCode).toBe(2)
    expect(human.stderr).toContain('typescript')
    expect(human.stdout).toBe('')
    expect(await readdir(repo)).toEqual(['.git'])
  })

  it('an unknown flag is exit 2 in both modes', async () => {
    const repo = await newRepo()
    const json = await runCli(['primitive', 'scaffold', '--kind', 'domain', '--name', 'x', '--colour', '--json'], {
      cwd: repo,
    })
    expect(json.exitCode).toBe(2)
    assertMatchesSchema('error.schema.json', json.json())
    const human = await runCli(['primitive', 'scaffold', '--kind', 'domain'], {cwd: repo})
    expect(human.exitCode).toBe(2)
    expect(human.stderr).toMatch(/name/)
  })

  it('outside a git repository without --repo-root is exit 3; a missing --repo-root is exit 2', async () => {
    const plain = await makeTempDir('ameide-nogit-')
    const run = await scaffold(plain, 'domain', 'orders')
    expect(run.exitCode).toBe(3)
    expect(run.json().error.code).toBe('NOT_A_GIT_REPOSITORY')
    const missing = await scaffold(plain, 'domain', 'orders', ['--repo-root', path.join(plain, 'nope')])
    expect(missing.exitCode).toBe(2)
    expect(missing.json().error.code).toBe('REPO_ROOT_NOT_FOUND')
    expect(await readdir(plain)).toEqual([])
    const explicit = await scaffold(plain, 'domain', 'orders', ['--repo-root', plain, '--dry-run'])
    expect(explicit.exitCode).toBe(0)
  })

  it('refuses a primitives/ folder that is a symlink leading outside the repository', async () => {
    const repo = await newRepo()
    const outside = await makeTempDir('ameide-outside-')
    await symlink(outside, path.join(repo, 'primitives'))
    const run = await scaffold(repo, 'domain', 'orders')
    expect(run.exitCode).toBe(2)
    expect(run.json().error.code).toBe('PATH_OUTSIDE_REPOSITORY')
    expect(await readdir(outside)).toEqual([])
  })
})
