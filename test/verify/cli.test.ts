import {createHash} from 'node:crypto'
import {readdir, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it, onTestFinished} from 'vitest'

import {KINDS} from '../../src/primitives/kinds.js'
import {runCli} from '../support/cli.js'
import {assertMatchesSchema} from '../support/schema.js'
import {initGitRepo, makeTempDir, runCleanups} from '../support/tmp.js'

afterAll(runCleanups)

/** Every file under dir (except .git) with its sha256: the tree must be byte-identical after verify. */
async function treeDigest(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const e of await readdir(dir, {recursive: true, withFileTypes: true})) {
    const full = path.join(e.parentPath, e.name)
    const rel = path.relative(dir, full)
    if (rel === '.git' || rel.startsWith(`.git${path.sep}`)) continue
    out[rel] = e.isFile()
      ? createHash('sha256')
          .update(await readFile(full))
          .digest('hex')
      : 'dir'
  }
  return out
}

let repo: string
beforeAll(async () => {
  repo = await makeTempDir('ameide-verify-cli-')
  await initGitRepo(repo)
  for (const kind of KINDS) {
    const run = await runCli(['primitive', 'scaffold', '--kind', kind, '--name', 'demo', '--json'], {cwd: repo})
    expect(run.exitCode, run.stderr).toBe(0)
  }
})

describe('ameide primitive verify on freshly scaffolded primitives', () => {
  it('RED state: every kind fails only scaffold-markers; the tree is byte-identical afterwards', async () => {
    const before = await treeDigest(repo)
    const run = await runCli(['primitive', 'verify', '--all', '--json'], {cwd: repo})
    expect(run.exitCode, run.stderr).toBe(1)
    const doc = run.json()
    assertMatchesSchema('verify.schema.json', doc)
    expect(doc.summary).toBe('fail')
    expect(doc.primitives.map((p: {path: string}) => p.path)).toEqual(
      [...KINDS].sort().map((k) => `primitives/${k}/demo`),
    )
    for (const p of doc.primitives) {
      const failing = p.checks.filter((c: {status: string}) => c.status === 'fail').map((c: {id: string}) => c.id)
      expect(failing, p.path).toEqual(['scaffold-markers'])
      expect(p.checks.map((c: {id: string}) => c.id)).toEqual([
        'shape',
        'scaffold-markers',
        'tests',
        'imports',
        'codegen',
        'secrets',
        'image-policy',
        'naming',
        'process-bpmn',
        'buf-lint',
        'buf-breaking',
      ])
    }
    expect(await treeDigest(repo)).toEqual(before)
  })

  it('human output: one line per check with ✓ ! ✗ –, findings with file:line, and a summary line', async () => {
    const run = await runCli(['primitive', 'verify', '--kind', 'domain', '--name', 'demo'], {cwd: repo})
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(/✗ scaffold-markers/)
    expect(run.stdout).toMatch(/✓ shape/)
    expect(run.stdout).toMatch(/– codegen/)
    expect(run.stdout).toMatch(
      /primitives\/domain\/demo\/internal\/handlers\/handlers_test\.go:\d+:\d+ \[scaffold-marker\]/,
    )
    expect(run.stdout).toMatch(/^FAIL: 1 primitive\(s\), 1 failing;/m)
    // Each rule's hint once (a hint per distinct text), after the findings, with how many findings share it.
    const markers = run.stdout.match(/\[scaffold-marker\]/g)?.length ?? 0
    const hints = run.stdout.split('\n').filter((l) => /^ {2}scaffold-marker \(\d+ findings?\): /.test(l))
    expect(hints.length).toBeGreaterThan(0)
    expect(hints.length).toBeLessThan(markers)
    expect(new Set(hints).size).toBe(hints.length)
    expect(hints.reduce((n, l) => n + Number(/\((\d+) finding/.exec(l)![1]), 0)).toBe(markers)
    expect(run.stdout.indexOf('Hints')).toBeGreaterThan(run.stdout.lastIndexOf('[scaffold-marker]'))
  })

  it('after the markers are replaced, every check passes (warnings allowed) and the exit code is 0', async () => {
    const green = await makeTempDir('ameide-verify-green-')
    await initGitRepo(green)
    for (const kind of KINDS)
      await runCli(['primitive', 'scaffold', '--kind', kind, '--name', 'demo', '--json'], {cwd: green})
    for (const e of await readdir(path.join(green, 'primitives'), {recursive: true, withFileTypes: true})) {
      if (!e.isFile()) continue
      const file = path.join(e.parentPath, e.name)
      const text = await readFile(file, 'utf8')
      if (text.includes('AMEIDE_SCAFFOLD')) await writeFile(file, text.replaceAll('AMEIDE_SCAFFOLD', 'IMPLEMENTED'))
    }
    const run = await runCli(['primitive', 'verify', '--all', '--json'], {cwd: green})
    const doc = run.json()
    assertMatchesSchema('verify.schema.json', doc)
    expect(run.exitCode, JSON.stringify(doc).slice(0, 2000)).toBe(0)
    expect(doc.summary).toBe('pass')
    for (const p of doc.primitives) {
      for (const c of p.checks) {
        // The templates' base images are pinned by digest: a fresh scaffold warns about nothing.
        expect(['pass', 'skip'], `${p.path} ${c.id}`).toContain(c.status)
      }
    }
  })

  it('without --kind/--name/--all it verifies the primitive containing the current directory', async () => {
    const run = await runCli(['primitive', 'verify', '--json', '--check', 'shape'], {
      cwd: path.join(repo, 'primitives/agent/demo/src'),
    })
    expect(run.exitCode).toBe(0)
    const doc = run.json()
    expect(doc.primitives.map((p: {path: string}) => p.path)).toEqual(['primitives/agent/demo'])
    expect(doc.primitives[0].checks.map((c: {id: string}) => c.id)).toEqual(['shape'])
  })

  it('--check selects checks (repeatable and comma-separated) in the stable order', async () => {
    const run = await runCli(
      [
        'primitive',
        'verify',
        '--kind',
        'agent',
        '--name',
        'demo',
        '--check',
        'secrets,imports',
        '--check',
        'tests',
        '--json',
      ],
      {cwd: repo},
    )
    expect(run.exitCode).toBe(0)
    expect(run.json().primitives[0].checks.map((c: {id: string}) => c.id)).toEqual(['tests', 'imports', 'secrets'])
  })

  it('under GitHub Actions: ::error annotations on stderr and a markdown table in $GITHUB_STEP_SUMMARY', async () => {
    const summaryDir = await makeTempDir('ameide-verify-gha-')
    const summaryFile = path.join(summaryDir, 'summary.md')
    await writeFile(summaryFile, '')
    // A base image with a version tag and no digest: the one warning.
    const dockerfile = path.join(repo, 'primitives/domain/demo/Dockerfile')
    const pinned = await readFile(dockerfile, 'utf8')
    await writeFile(dockerfile, pinned.replace(/^FROM (\S+?)@sha256:[0-9a-f]{64}/m, 'FROM $1'))
    onTestFinished(() => writeFile(dockerfile, pinned))
    const run = await runCli(['primitive', 'verify', '--kind', 'domain', '--name', 'demo', '--json'], {
      cwd: repo,
      env: {GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summaryFile},
    })
    expect(run.exitCode).toBe(1)
    expect(run.stderr).toMatch(
      /^::error file=primitives\/domain\/demo\/internal\/handlers\/handlers_test\.go,line=\d+,col=\d+,title=ameide verify scaffold-markers%3A scaffold-marker::/m,
    )
    expect(run.stderr).toMatch(/^::warning file=primitives\/domain\/demo\/Dockerfile,line=\d+/m)
    run.json() // stdout is still exactly one JSON document
    const md = await readFile(summaryFile, 'utf8')
    expect(md).toContain('| `primitives/domain/demo` | scaffold-markers | ❌ fail |')
  })
})

describe('usage errors exit 2, with a JSON error document', () => {
  it.each([
    [['--kind', 'domain'], 'INVALID_SELECTION'],
    [['--all', '--kind', 'domain', '--name', 'demo'], 'INVALID_SELECTION'],
    [['--kind', 'widget', '--name', 'demo'], 'INVALID_KIND'],
    [['--kind', 'domain', '--name', 'Bad_Name'], 'INVALID_NAME'],
    [['--all', '--check', 'nope'], 'UNKNOWN_CHECK'],
    [['--all', '--checks', 'Codegen,BufFormat'], 'UNKNOWN_CHECK'],
    [['--all', '--mode', 'cluster'], 'UNSUPPORTED_MODE'],
    [['--all', '--mode', 'all'], 'UNSUPPORTED_MODE'],
  ])('%j → %s, even outside a git repository', async (args, code) => {
    const outside = await makeTempDir('ameide-verify-nogit-')
    const run = await runCli(['primitive', 'verify', ...args, '--json'], {cwd: outside})
    expect(run.exitCode).toBe(2)
    assertMatchesSchema('error.schema.json', run.json())
    expect(run.json().error.code).toBe(code)
  })

  it("the backlog's invocation works: --mode repo, --checks, check names in any case", async () => {
    const backlog = await runCli(
      [
        'primitive',
        'verify',
        '--kind',
        'domain',
        '--name',
        'demo',
        '--mode',
        'repo',
        '--checks',
        'Codegen,Naming',
        '--json',
      ],
      {cwd: repo},
    )
    expect(backlog.stderr).not.toMatch(/Nonexistent flag/)
    const ids = backlog.json().primitives[0].checks.map((c: {id: string}) => c.id)
    expect(ids).toEqual(['codegen', 'naming'])
    const mixed = await runCli(
      [
        'primitive',
        'verify',
        '--kind',
        'domain',
        '--name',
        'demo',
        '--check',
        'SCAFFOLD_MARKERS',
        '--check',
        'ImagePolicy',
        '--check',
        'Security',
        '--json',
      ],
      {cwd: repo},
    )
    expect(mixed.json().primitives[0].checks.map((c: {id: string}) => c.id)).toEqual([
      'scaffold-markers',
      'secrets',
      'image-policy',
    ])
  })

  it('an unknown primitive, and no selection outside a primitive folder, exit 2 with a hint', async () => {
    const unknown = await runCli(['primitive', 'verify', '--kind', 'domain', '--name', 'ghost', '--json'], {cwd: repo})
    expect(unknown.exitCode).toBe(2)
    expect(unknown.json().error.code).toBe('PRIMITIVE_NOT_FOUND')
    const none = await runCli(['primitive', 'verify'], {cwd: repo})
    expect(none.exitCode).toBe(2)
    expect(none.stderr).toContain('NO_PRIMITIVE_SELECTED')
    expect(none.stderr).toMatch(/hint: Pass --kind K --name N, or --all/)
  })
})
