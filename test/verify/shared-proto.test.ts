import {execa} from 'execa'
import {readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, describe, expect, it} from 'vitest'

import {runCli} from '../support/cli.js'
import {assertValidSarif} from '../support/sarif.js'
import {assertMatchesSchema} from '../support/schema.js'
import {commitAll, git, initGitRepo, makeTempDir, runCleanups} from '../support/tmp.js'
import {writeFiles} from './helpers.js'

/**
 * The shared proto module (packages/ameide_core_proto) under `primitive verify --all`: the built CLI, the buf the
 * project ships (@bufbuild/buf) and real git repositories with a base on main and a change on a feature branch.
 * Its findings appear in `shared[]` of the JSON result, after the primitives in the human output, and as
 * annotations and job-summary rows under GitHub Actions.
 */
afterAll(runCleanups)

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const BUF_PATH = `${path.join(ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}`
const SHARED = 'packages/ameide_core_proto'
/** The seed layout: a v2 workspace at the package root, protos under src/ameide_core_proto/**. */
const BUF_YAML = 'version: v2\nmodules:\n  - path: src\nlint:\n  use:\n    - STANDARD\nbreaking:\n  use:\n    - FILE\n'
const PROTO_REL = 'src/ameide_core_proto/orders/v1/orders.proto'
const PROTO_FILE = `${SHARED}/${PROTO_REL}`
const BASE_PROTO = `syntax = "proto3";

package ameide_core_proto.orders.v1;

message Order {
  string order_id = 1;
  int64 amount_cents = 2;
}
`
/** order_id removed (a breaking change under FILE) and a message that is not PascalCase (a lint failure). */
const HEAD_PROTO = `syntax = "proto3";

package ameide_core_proto.orders.v1;

message Order {
  int64 amount_cents = 2;
}

message order_note {
  string text = 1;
}
`
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1
const BUF_CHECKS = ['--check', 'buf-lint,buf-breaking']

interface Check {
  id: string
  status: string
  note?: string
  findings: Array<{rule: string; file: string; line: number; column?: number; message: string}>
}
interface Result {
  summary: string
  primitives: Array<{path: string; summary: string; checks: Check[]}>
  shared: Array<{path: string; summary: string; checks: Check[]}>
  nextSteps: string[]
}

/**
 * A repository with one primitive (no buf module of its own) and, unless `head` is null, the shared module:
 * `base` committed on main (null: not there), then `head` committed on the branch `feature`.
 */
async function repoWith(base: string | null, head: string | null): Promise<string> {
  const repo = await makeTempDir('ameide-shared-proto-')
  await initGitRepo(repo)
  await writeFiles(repo, {'README.md': '# x\n', 'primitives/domain/orders/README.md': '# orders\n'})
  if (base !== null) await writeFiles(path.join(repo, SHARED), {'buf.yaml': BUF_YAML, [PROTO_REL]: base})
  await commitAll(repo, 'base')
  await git(repo, ['checkout', '-q', '-b', 'feature'])
  if (head !== null) await writeFiles(path.join(repo, SHARED), {'buf.yaml': BUF_YAML, [PROTO_REL]: head})
  await commitAll(repo, 'change')
  return repo
}

async function verify(repo: string, args: string[], env: Record<string, string> = {}) {
  const run = await runCli(['primitive', 'verify', ...args, '--json'], {cwd: repo, env: {PATH: BUF_PATH, ...env}})
  const doc = run.json<Result>()
  assertMatchesSchema('verify.schema.json', doc)
  return {run, doc}
}

const check = (doc: Result, id: string) => {
  expect(doc.shared).toHaveLength(1)
  const found = doc.shared[0].checks.find((c) => c.id === id)
  expect(found, id).toBeDefined()
  return found as Check
}

describe('the shared proto module under verify --all', () => {
  it('reports a real lint failure and a removed field at their file, line and column, and fails the run', async () => {
    const repo = await repoWith(BASE_PROTO, HEAD_PROTO)
    const {run, doc} = await verify(repo, ['--all', ...BUF_CHECKS])
    expect(run.exitCode, run.stderr).toBe(1)
    expect(doc.summary).toBe('fail')
    // The primitive itself passes (no buf module: skip); the run fails because of the shared module alone.
    expect(doc.primitives.map((p) => [p.path, p.summary])).toEqual([['primitives/domain/orders', 'pass']])
    expect(doc.shared.map((s) => [s.path, s.summary])).toEqual([[SHARED, 'fail']])
    expect(doc.shared[0].checks.map((c) => [c.id, c.status])).toEqual([
      ['buf-lint', 'fail'],
      ['buf-breaking', 'fail'],
    ])

    const lint = check(doc, 'buf-lint')
    expect(lint.findings).toEqual([
      expect.objectContaining({
        rule: 'buf-lint',
        file: PROTO_FILE,
        line: lineOf(HEAD_PROTO, 'message order_note'),
        column: 'message '.length + 1,
        message: expect.stringMatching(/^MESSAGE_PASCAL_CASE: /),
      }),
    ])

    const breaking = check(doc, 'buf-breaking')
    expect(breaking.note).toMatch(/^against merge-base with main \([0-9a-f]{12}\)$/)
    expect(breaking.findings).toEqual([
      expect.objectContaining({
        rule: 'buf-breaking',
        file: PROTO_FILE,
        line: lineOf(HEAD_PROTO, 'message Order {'),
        message: expect.stringMatching(/^FIELD_NO_DELETE: .*"order_id"/),
      }),
    ])
    expect(doc.nextSteps).toHaveLength(1)
    expect(doc.nextSteps).toContainEqual(
      expect.stringContaining(`shared proto module ${SHARED} (buf-lint, buf-breaking)`),
    )

    // Human output: a block for the module after the primitives, findings at file:line:col, the summary line.
    const human = await runCli(['primitive', 'verify', '--all', ...BUF_CHECKS], {cwd: repo, env: {PATH: BUF_PATH}})
    expect(human.exitCode).toBe(1)
    expect(human.stdout).toMatch(new RegExp(`^shared proto module ${SHARED}  FAIL$`, 'm'))
    expect(human.stdout).toContain(`${PROTO_FILE}:${lineOf(HEAD_PROTO, 'message order_note')}:9 [buf-lint]`)
    expect(human.stdout).toMatch(/^FAIL: 1 primitive\(s\), 0 failing, shared proto module failing; 2 error\(s\)/m)
    expect(human.stdout.indexOf('domain/orders')).toBeLessThan(human.stdout.indexOf('shared proto module'))

    // SARIF for code scanning carries the module's findings too, at the same place.
    const sarifFile = path.join(repo, 'verify.sarif')
    const sarifRun = await runCli(['primitive', 'verify', '--all', ...BUF_CHECKS, '--sarif', sarifFile], {
      cwd: repo,
      env: {PATH: BUF_PATH},
    })
    expect(sarifRun.exitCode).toBe(1)
    const sarif = JSON.parse(await readFile(sarifFile, 'utf8'))
    assertValidSarif(sarif)
    const located = sarif.runs[0].results!.map((r) => {
      const loc = r.locations![0].physicalLocation!
      return [r.ruleId, loc.artifactLocation!.uri, loc.region?.startLine]
    })
    expect(located).toEqual(
      expect.arrayContaining([
        ['buf-lint', PROTO_FILE, lineOf(HEAD_PROTO, 'message order_note')],
        ['buf-breaking', PROTO_FILE, lineOf(HEAD_PROTO, 'message Order {')],
      ]),
    )
  }, 120_000)

  it('under GitHub Actions: annotations at the proto line and rows in the job summary', async () => {
    const repo = await repoWith(BASE_PROTO, HEAD_PROTO)
    const summaryFile = path.join(await makeTempDir('ameide-shared-gha-'), 'summary.md')
    await writeFile(summaryFile, '')
    const {run} = await verify(repo, ['--all', ...BUF_CHECKS], {
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: summaryFile,
    })
    expect(run.exitCode).toBe(1)
    const lintLine = lineOf(HEAD_PROTO, 'message order_note')
    expect(run.stderr).toContain(
      `::error file=${PROTO_FILE},line=${lintLine},col=9,title=ameide verify buf-lint%3A buf-lint::MESSAGE_PASCAL_CASE`,
    )
    expect(run.stderr).toMatch(
      new RegExp(
        `^::error file=${PROTO_FILE},line=${lineOf(HEAD_PROTO, 'message Order {')},.*title=ameide verify buf-breaking%3A buf-breaking::FIELD_NO_DELETE`,
        'm',
      ),
    )
    const md = await readFile(summaryFile, 'utf8')
    expect(md).toContain(`| \`${SHARED}\` | buf-lint | ❌ fail | 1 |`)
    expect(md).toContain(`| \`${SHARED}\` | buf-breaking | ❌ fail | 1 |`)
    expect(md).toContain(`| error | \`${PROTO_FILE}:${lintLine}\` | buf-lint/buf-lint |`)
  }, 120_000)

  it('a clean module (a field added) passes both checks and the run', async () => {
    const repo = await repoWith(BASE_PROTO, `${BASE_PROTO}\nmessage OrderNote {\n  string text = 1;\n}\n`)
    const {run, doc} = await verify(repo, ['--all', ...BUF_CHECKS])
    expect(run.exitCode, run.stderr).toBe(0)
    expect(doc.summary).toBe('pass')
    expect(doc.shared).toEqual([
      {
        path: SHARED,
        summary: 'pass',
        checks: [
          {id: 'buf-lint', status: 'pass', findings: []},
          {
            id: 'buf-breaking',
            status: 'pass',
            note: expect.stringMatching(/^against merge-base with main/),
            findings: [],
          },
        ],
      },
    ])
  }, 120_000)

  it('absent module: nothing reported; a folder without buf.yaml: both checks skip with the reason', async () => {
    const absent = await repoWith(null, null)
    const none = await verify(absent, ['--all', ...BUF_CHECKS])
    expect(none.run.exitCode).toBe(0)
    expect(none.doc.shared).toEqual([])
    const human = await runCli(['primitive', 'verify', '--all', ...BUF_CHECKS], {cwd: absent, env: {PATH: BUF_PATH}})
    expect(human.stdout).not.toContain('shared proto module')

    const noBufYaml = await repoWith(null, null)
    await writeFiles(path.join(noBufYaml, SHARED), {'README.md': '# protos\n'})
    const skipped = await verify(noBufYaml, ['--all', ...BUF_CHECKS])
    expect(skipped.run.exitCode).toBe(0)
    expect(skipped.doc.shared[0].checks).toEqual([
      {id: 'buf-lint', status: 'skip', note: `no buf module (buf.yaml) in ${SHARED}`, findings: []},
      {id: 'buf-breaking', status: 'skip', note: `no buf module (buf.yaml) in ${SHARED}`, findings: []},
    ])
  }, 120_000)

  it('is checked only under --all, and only with the buf checks selected (any of their names)', async () => {
    const repo = await repoWith(BASE_PROTO, HEAD_PROTO)
    const one = await verify(repo, ['--kind', 'domain', '--name', 'orders', ...BUF_CHECKS])
    expect(one.run.exitCode).toBe(0)
    expect(one.doc.shared).toEqual([])
    const inside = await runCli(['primitive', 'verify', ...BUF_CHECKS, '--json'], {
      cwd: path.join(repo, 'primitives/domain/orders'),
      env: {PATH: BUF_PATH},
    })
    expect(inside.exitCode).toBe(0)
    expect(inside.json<Result>().shared).toEqual([])

    const other = await verify(repo, ['--all', '--check', 'imports,secrets'])
    expect(other.doc.shared).toEqual([])
    expect(other.run.exitCode).toBe(0)

    const lintOnly = await verify(repo, ['--all', '--checks', 'BufLint'])
    expect(lintOnly.run.exitCode).toBe(1)
    expect(lintOnly.doc.shared[0].checks.map((c) => [c.id, c.status])).toEqual([['buf-lint', 'fail']])

    // Every check selected (the default): the buf checks still apply to the module, nothing else.
    const all = await verify(repo, ['--all'])
    expect(all.doc.shared[0].checks.map((c) => c.id)).toEqual(['buf-lint', 'buf-breaking'])
  }, 180_000)

  it('no base (the only commit): buf-breaking skips with the reason, buf-lint still runs', async () => {
    const repo = await makeTempDir('ameide-shared-root-')
    await initGitRepo(repo)
    await writeFiles(path.join(repo, SHARED), {'buf.yaml': BUF_YAML, [PROTO_REL]: HEAD_PROTO})
    await commitAll(repo, 'only commit')
    const {run, doc} = await verify(repo, ['--all', ...BUF_CHECKS])
    expect(run.exitCode).toBe(1)
    expect(doc.primitives).toEqual([])
    expect(check(doc, 'buf-breaking')).toMatchObject({
      status: 'skip',
      note: expect.stringMatching(/^no base to compare with/),
      findings: [],
    })
    expect(check(doc, 'buf-lint').status).toBe('fail')
  }, 120_000)

  it('a module new since the base is skip, saying so; buf missing is a tool-missing finding and exit 3', async () => {
    const repo = await repoWith(null, BASE_PROTO)
    const {doc} = await verify(repo, ['--all', ...BUF_CHECKS])
    expect(check(doc, 'buf-breaking')).toMatchObject({status: 'skip', note: expect.stringMatching(/new since/)})

    const noBuf = await runCli(['primitive', 'verify', '--all', ...BUF_CHECKS, '--json'], {
      cwd: repo,
      env: {PATH: path.dirname(await which('git'))},
    })
    expect(noBuf.exitCode, noBuf.stderr).toBe(3)
    const result = noBuf.json<Result>()
    assertMatchesSchema('verify.schema.json', result)
    expect(result.shared[0].checks[0].findings).toEqual([
      expect.objectContaining({rule: 'tool-missing', file: `${SHARED}/buf.yaml`}),
    ])
  }, 120_000)
})

async function which(name: string): Promise<string> {
  return (await execa('sh', ['-c', `command -v ${name}`])).stdout.trim()
}
