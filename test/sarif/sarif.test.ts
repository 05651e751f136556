import {createHash} from 'node:crypto'
import {mkdir, readdir, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Log, Result} from 'sarif'

import {RULES} from '../../src/gitops/rules/index.js'
import {buildSarif, FINGERPRINT_KEY, type SarifFinding, type SarifRule} from '../../src/sarif/sarif.js'
import {VERIFY_RULES, verifyRuleAnchor} from '../../src/verify/rules.js'
import {CHECK_IDS} from '../../src/verify/types.js'
import {runCli} from '../support/cli.js'
import {gitopsRepo} from '../support/gitops-fixture.js'
import {assertValidSarif} from '../support/sarif.js'
import {assertMatchesSchema} from '../support/schema.js'
import {commitAll, initGitRepo, makeTempDir, runCleanups} from '../support/tmp.js'

/**
 * `--sarif FILE` on both verify commands: every log the commands write is valid against the official SARIF 2.1.0
 * schema (draft-04, validated with ajv-draft-04), locations are repository-relative with the exact line and
 * column of the --json findings, fingerprints survive lines inserted above a finding, secrets never reach the file.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const VERSION = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')).version as string
afterAll(runCleanups)

// Assembled at run time so no scanner flags this file; the canary must never appear in a SARIF log.
const CANARY = ['ghp', '_', 'Zq8LmT2vXw9Rk4Np7Hs1Jd6Fb3Gc5Ye0Ua8V'].join('')
const PRIMITIVE = 'primitives/domain/orders'
const CHECKS = 'shape,scaffold-markers,tests,secrets,image-policy,naming'

const FILES: Record<string, string> = {
  'internal/handlers/handlers.go':
    'package handlers\n\n// AMEIDE_SCAFFOLD: implement the handlers\nfunc UpdateOrder() {}\n',
  'internal/handlers/handlers_test.go': 'package handlers\n',
  Dockerfile: 'FROM golang:1.22 AS build\nFROM alpine:latest\n',
  'config.yaml': `db:\n  host: db.internal\n  token: "${CANARY}"\n`,
  'dir with space/notes.sh': 'echo start\nrun ghcr.io/acme/tool:dev\n',
}

async function monorepo(files: Record<string, string>): Promise<string> {
  const repo = await makeTempDir('ameide-sarif-')
  await initGitRepo(repo)
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(repo, PRIMITIVE, rel)
    await mkdir(path.dirname(file), {recursive: true})
    await writeFile(file, text)
  }
  await commitAll(repo, 'a primitive')
  return repo
}

type Finding = {rule: string; severity: string; file: string; line: number; column?: number; message: string}

/** `primitive verify` of domain/orders with --sarif and --json (the SARIF may or may not be written). */
function verifyOrders(repo: string, sarif: string, checks = CHECKS, env?: Record<string, string>) {
  return runCli(
    ['primitive', 'verify', '--kind', 'domain', '--name', 'orders', '--check', checks, '--sarif', sarif, '--json'],
    {cwd: repo, env},
  )
}

async function primitiveVerify(repo: string, sarif: string, checks = CHECKS) {
  const run = await verifyOrders(repo, sarif, checks)
  const text = await readFile(path.resolve(repo, sarif), 'utf8')
  return {run, text, log: JSON.parse(text) as Log}
}

const results = (log: Log): Result[] => log.runs[0].results ?? []
const location = (r: Result) => r.locations![0].physicalLocation!
const fingerprint = (r: Result) => r.partialFingerprints![FINGERPRINT_KEY]

/** Every rule id resolves to its descriptor through ruleIndex; every driver rule has help and a docs anchor. */
function checkRules(log: Log, docsPage: string): void {
  const rules = log.runs[0].tool.driver.rules!
  expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length)
  for (const rule of rules) {
    expect(rule.help?.text, rule.id).toBeTruthy()
    expect(rule.shortDescription?.text, rule.id).toBeTruthy()
    expect(rule.helpUri, rule.id).toMatch(
      new RegExp(`^https://github\\.com/ameideio/ameide-cli/blob/main/docs/commands/${docsPage}#`),
    )
    expect(docsAnchors(docsPage), rule.helpUri).toContain(rule.helpUri!.split('#')[1])
  }
  for (const r of results(log)) expect(rules[r.ruleIndex!].id).toBe(r.ruleId)
}

const anchors = new Map<string, Set<string>>()
function docsAnchors(page: string): Set<string> {
  return anchors.get(page)!
}
beforeAll(async () => {
  for (const page of ['verify.md', 'gitops-verify.md']) {
    const text = await readFile(path.join(ROOT, 'docs/commands', page), 'utf8')
    anchors.set(page, new Set([...text.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1])))
  }
})

describe('ameide primitive verify --sarif', () => {
  let repo: string
  beforeAll(async () => {
    repo = await monorepo(FILES)
  })

  it('writes valid SARIF 2.1.0 whatever the verdict: relative locations at the exact line and column of --json', async () => {
    const {run, text, log} = await primitiveVerify(repo, 'reports/verify.sarif')
    expect(run.exitCode, run.stderr).toBe(1)
    const doc = run.json<{
      summary: string
      sarif: string
      primitives: Array<{checks: Array<{id: string; findings: Finding[]}>}>
    }>()
    assertMatchesSchema('verify.schema.json', doc)
    expect(doc.sarif).toBe(path.join(repo, 'reports/verify.sarif'))
    assertValidSarif(log)
    expect(text.endsWith('\n')).toBe(true)

    const run0 = log.runs[0]
    expect(run0.tool.driver).toMatchObject({
      name: 'ameide',
      version: VERSION,
      informationUri: 'https://github.com/ameideio/ameide-cli',
    })
    expect(run0.automationDetails?.id).toBe('ameide/primitive-verify/')
    expect(run0.columnKind).toBe('utf16CodeUnits')
    checkRules(log, 'verify.md')
    // One rule per rule id of the checks that ran, and only theirs.
    expect(run0.tool.driver.rules!.map((r) => r.id)).toEqual(
      CHECKS.split(',').flatMap((c) =>
        Object.keys(VERIFY_RULES[c as keyof typeof VERIFY_RULES]).map((r) => `${c}/${r}`),
      ),
    )

    const findings = doc.primitives[0].checks.flatMap((c) => c.findings.map((f) => ({...f, check: c.id})))
    expect(results(log)).toHaveLength(findings.length)
    findings.forEach((f, i) => {
      const r = results(log)[i]
      expect(r.ruleId).toBe(`${f.check}/${f.rule}`)
      expect(r.level).toBe(f.severity)
      expect(r.message.text!.startsWith(f.message)).toBe(true)
      const loc = location(r)
      expect(loc.artifactLocation).toEqual({
        uri: f.file.split('/').map(encodeURIComponent).join('/'),
        uriBaseId: '%SRCROOT%',
      })
      if (f.line === 0) expect([loc.region, r.properties]).toEqual([{startLine: 1}, {wholeFile: true}])
      else expect(loc.region).toEqual({startLine: f.line, ...(f.column ? {startColumn: f.column} : {})})
    })

    const byRule = (id: string) => results(log).filter((r) => r.ruleId === id)
    const at = (r: Result) =>
      `${location(r).artifactLocation!.uri}:${location(r).region?.startLine ?? 0}:${location(r).region?.startColumn ?? 0}`
    expect(byRule('scaffold-markers/scaffold-marker').map(at)).toEqual([
      `${PRIMITIVE}/internal/handlers/handlers.go:3:4`,
    ])
    expect(byRule('secrets/github-pat').map(at)).toEqual([`${PRIMITIVE}/config.yaml:3:11`])
    expect(byRule('image-policy/floating-tag').map(at)).toEqual([
      `${PRIMITIVE}/Dockerfile:2:6`,
      `${PRIMITIVE}/dir%20with%20space/notes.sh:2:5`,
    ])
    expect(byRule('image-policy/unpinned-base-image').map((r) => [at(r), r.level])).toEqual([
      [`${PRIMITIVE}/Dockerfile:1:6`, 'warning'],
    ])
    expect(byRule('naming/crud-verb').map((r) => r.level)).toEqual(['warning'])
    // Whole-file findings (a missing file): the file at line 1, marked as about the whole file.
    expect(byRule('shape/missing-file').length).toBeGreaterThan(0)
    for (const r of byRule('shape/missing-file')) {
      expect([location(r).region, r.properties]).toEqual([{startLine: 1}, {wholeFile: true}])
    }
    expect(new Set(results(log).map(fingerprint)).size).toBe(results(log).length)
  })

  it('never puts a secret in SARIF: redacted message, no snippet, fingerprint not derived from the line', async () => {
    const {text, log} = await primitiveVerify(repo, 'secrets.sarif', 'secrets')
    assertValidSarif(log)
    const [secret] = results(log)
    expect(secret.ruleId).toBe('secrets/github-pat')
    expect(secret.message.text).toContain(`ghp_…(${CANARY.length} chars)`)
    expect(text).not.toContain(CANARY)
    expect(text).not.toContain(CANARY.slice(4, 20))
    expect(text).not.toMatch(/"snippet"/)
    const rule = log.runs[0].tool.driver.rules!.find((r) => r.id === 'secrets/github-pat')!
    expect(rule.properties).toMatchObject({tags: ['secrets', 'security'], 'security-severity': '8.0'})
    // Rotating the secret (same kind, same redacted form) keeps the alert: the line text is not hashed.
    const rotated = await monorepo({
      ...FILES,
      'config.yaml': FILES['config.yaml'].replace(CANARY.slice(6), [...CANARY.slice(6)].reverse().join('')),
    })
    const again = await primitiveVerify(rotated, 'secrets.sarif', 'secrets')
    expect(results(again.log).map(fingerprint)).toEqual(results(log).map(fingerprint))
  })

  it('fingerprints survive lines inserted above a finding (and re-indentation); the output is byte-identical run to run', async () => {
    const first = await primitiveVerify(repo, 'a.sarif')
    const second = await primitiveVerify(repo, 'a.sarif')
    expect(second.text).toBe(first.text)

    const shifted = await monorepo({
      ...FILES,
      'internal/handlers/handlers.go': `// a header\n// added later\n${FILES['internal/handlers/handlers.go']}`,
      Dockerfile: `# syntax=docker/dockerfile:1\n\n${FILES.Dockerfile.replace('FROM alpine', '   FROM   alpine')}`,
      'config.yaml': `# comment\n${FILES['config.yaml']}`,
    })
    const after = await primitiveVerify(shifted, 'a.sarif')
    assertValidSarif(after.log)
    // Lines added: 2 above the handler and Dockerfile findings, 1 above the secret; the other files are unchanged.
    const shift: Record<string, number> = {
      [`${PRIMITIVE}/internal/handlers/handlers.go`]: 2,
      [`${PRIMITIVE}/Dockerfile`]: 2,
      [`${PRIMITIVE}/config.yaml`]: 1,
    }
    const keyed = (log: Log) => new Map(results(log).map((r) => [fingerprint(r), r]))
    const before = keyed(first.log)
    const now = keyed(after.log)
    expect([...now.keys()].sort()).toEqual([...before.keys()].sort())
    let moved = 0
    for (const [fp, r] of before) {
      const uri = location(r).artifactLocation!.uri!
      const line = location(r).region?.startLine
      const wholeFile = r.properties?.wholeFile === true
      const expected = wholeFile ? line : line! + (shift[uri] ?? 0)
      if (!wholeFile && shift[uri]) moved++
      expect(now.get(fp)!.ruleId).toBe(r.ruleId)
      expect(location(now.get(fp)!).region?.startLine, `${r.ruleId} ${uri}:${line}`).toBe(expected)
    }
    expect(moved).toBe(5)

    // A changed offending line is a new alert.
    const changed = await monorepo({...FILES, Dockerfile: 'FROM golang:1.22 AS build\nFROM alpine:dev\n'})
    const other = await primitiveVerify(changed, 'a.sarif')
    const floating = (log: Log) =>
      results(log)
        .filter((r) => r.ruleId === 'image-policy/floating-tag')
        .map(fingerprint)
    expect(floating(other.log)[0]).not.toBe(floating(first.log)[0])
    expect(floating(other.log)[1]).toBe(floating(first.log)[1])
  })

  it('an empty run is valid SARIF with the rules and no results; the --json result names the file', async () => {
    const clean = await monorepo({'internal/handlers/handlers.go': 'package handlers\n'})
    const run = await verifyOrders(clean, 'empty.sarif', 'secrets,image-policy')
    expect(run.exitCode, run.stderr).toBe(0)
    const log = JSON.parse(await readFile(path.join(clean, 'empty.sarif'), 'utf8')) as Log
    // Human mode says where it went.
    const human = await runCli(
      ['primitive', 'verify', '--kind', 'domain', '--name', 'orders', '--check', 'tests', '--sarif', 'h.sarif'],
      {cwd: clean},
    )
    expect(human.stdout).toContain('SARIF written to h.sarif.')
    assertValidSarif(JSON.parse(await readFile(path.join(clean, 'h.sarif'), 'utf8')))
    assertValidSarif(log)
    expect(results(log)).toEqual([])
    expect(log.runs[0].invocations).toEqual([{executionSuccessful: true}])
    expect(log.runs[0].tool.driver.rules!.map((r) => r.id)).toEqual([
      ...Object.keys(VERIFY_RULES.secrets).map((r) => `secrets/${r}`),
      ...Object.keys(VERIFY_RULES['image-policy']).map((r) => `image-policy/${r}`),
    ])
  })

  it('a missing tool (exit 3) still writes the SARIF, with executionSuccessful false', async () => {
    const dir = await monorepo({
      'buf.gen.yaml': 'version: v2\nplugins:\n  - local: protoc-gen-es\n    out: internal/gen\n',
      'internal/gen/x_pb.ts': 'export {}\n',
    })
    const run = await verifyOrders(dir, 'tool.sarif', 'codegen', {PATH: '/usr/bin:/bin'})
    expect(run.exitCode, run.stdout).toBe(3)
    const log = JSON.parse(await readFile(path.join(dir, 'tool.sarif'), 'utf8')) as Log
    assertValidSarif(log)
    expect(log.runs[0].invocations).toEqual([{executionSuccessful: false}])
    expect(results(log).map((r) => r.ruleId)).toEqual(['codegen/tool-missing'])
  })

  it('a SARIF path that cannot be written is exit 3 FILE_NOT_WRITABLE, and no temporary is left behind', async () => {
    await mkdir(path.join(repo, 'a-directory.sarif'), {recursive: true})
    const run = await verifyOrders(repo, 'a-directory.sarif', 'shape')
    expect(run.exitCode).toBe(3)
    assertMatchesSchema('error.schema.json', run.json())
    expect(run.json().error.code).toBe('FILE_NOT_WRITABLE')
    expect((await readdir(repo)).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })
})

describe('ameide gitops verify --sarif', () => {
  it('writes valid SARIF for the fixture: every finding at its line and column, rules with their seed source', async () => {
    const repo = await gitopsRepo()
    const run = await runCli(['gitops', 'verify', '--json', '--sarif', 'gitops.sarif'], {cwd: repo})
    expect(run.exitCode, run.stderr).toBe(1)
    const doc = run.json<{rules: string[]; findings: Finding[]; sarif: string}>()
    assertMatchesSchema('gitops-verify.schema.json', doc)
    expect(doc.sarif).toBe(path.join(repo, 'gitops.sarif'))
    const log = JSON.parse(await readFile(doc.sarif, 'utf8')) as Log
    assertValidSarif(log)
    checkRules(log, 'gitops-verify.md')
    expect(log.runs[0].automationDetails?.id).toBe('ameide/gitops-verify/')
    const rules = log.runs[0].tool.driver.rules!
    expect(rules.map((r) => r.id)).toEqual(doc.rules)
    for (const rule of rules) {
      const spec = RULES[rule.id as keyof typeof RULES]
      expect(rule.help?.text).toBe(spec.hint)
      expect(rule.fullDescription?.text).toContain(spec.source)
    }
    expect(results(log).map((r) => [r.ruleId, location(r).artifactLocation?.uri, location(r).region])).toEqual(
      doc.findings.map((f) => [
        f.rule,
        f.file,
        f.line === 0 ? {startLine: 1} : {startLine: f.line, startColumn: f.column},
      ]),
    )
    // The dev overlay folder: a folder finding, marked as about the whole folder.
    expect(
      results(log).some(
        (r) => location(r).artifactLocation?.uri === 'sources/values/env/dev/' && r.properties?.wholeFile === true,
      ),
    ).toBe(true)
  })

  it('fingerprints survive a line inserted above; an empty run is valid', async () => {
    const repo = await gitopsRepo()
    expect((await runCli(['gitops', 'verify', '--sarif', 'g.sarif'], {cwd: repo})).exitCode).toBe(1)
    const first = JSON.parse(await readFile(path.join(repo, 'g.sarif'), 'utf8')) as Log
    const file = path.join(repo, 'sources/values/env/local/apps/orders.yaml')
    await writeFile(file, `# promoted by ameide\n${await readFile(file, 'utf8')}`)
    await runCli(['gitops', 'verify', '--sarif', 'g.sarif'], {cwd: repo})
    const second = JSON.parse(await readFile(path.join(repo, 'g.sarif'), 'utf8')) as Log
    assertValidSarif(second)
    const lines = (log: Log) => new Map(results(log).map((r) => [fingerprint(r), location(r)]))
    const a = lines(first)
    const b = lines(second)
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort())
    let moved = 0
    for (const [fp, loc] of a) {
      const shifted = loc.artifactLocation?.uri === 'sources/values/env/local/apps/orders.yaml' ? 1 : 0
      moved += shifted
      expect(b.get(fp)?.region?.startLine, fp).toBe(loc.region ? loc.region.startLine! + shifted : undefined)
    }
    expect(moved).toBeGreaterThan(0)

    const clean = await makeTempDir('ameide-sarif-gitops-')
    await initGitRepo(clean)
    await mkdir(path.join(clean, 'sources/values/env/local'), {recursive: true})
    await writeFile(
      path.join(clean, 'sources/values/env/local/app.yaml'),
      `image:\n  ref: ghcr.io/a/app:1@sha256:${'a'.repeat(64)}\n`,
    )
    await commitAll(clean, 'pinned')
    const ok = await runCli(['gitops', 'verify', '--sarif', 'out/empty.sarif'], {cwd: clean})
    expect(ok.exitCode, ok.stderr).toBe(0)
    const empty = JSON.parse(await readFile(path.join(clean, 'out/empty.sarif'), 'utf8')) as Log
    assertValidSarif(empty)
    expect(results(empty)).toEqual([])
  })
})

describe('the SARIF builder', () => {
  const rule: SarifRule = {id: 'r', title: 'R', help: 'fix it', helpUri: 'https://example.invalid/#r', level: 'error'}
  const lines: Record<string, string[]> = {'a.yaml': ['image: x:dev', 'image: x:dev', '  image:   x:dev  ']}
  const build = (findings: SarifFinding[]) =>
    buildSarif({
      tool: {name: 'ameide', version: '1.2.3', automationId: 't/'},
      rules: [rule],
      findings,
      lineText: (file, line) => lines[file]?.[line - 1],
    })

  it('identical offending lines in one file stay distinct alerts; white space does not count', () => {
    const log = build(
      [1, 2, 3].map((line) => ({ruleId: 'r', level: 'error', file: 'a.yaml', line, column: 1, message: 'm'})),
    )
    assertValidSarif(log)
    const fps = results(log).map(fingerprint)
    expect(new Set(fps).size).toBe(3)
    // The third line normalises like the first two: its hash is the one a third identical line would get.
    const again = build([1, 2].map((line) => ({ruleId: 'r', level: 'error', file: 'a.yaml', line, message: 'm'})))
    expect(results(again).map(fingerprint)).toEqual(fps.slice(0, 2))
    expect(fps[0]).toBe(createHash('sha256').update('r\0a.yaml\0line:image: x:dev\x000').digest('hex'))
  })

  it("a rule's help in Markdown keeps <placeholders> and * as text", () => {
    const log = buildSarif({
      tool: {name: 'ameide', version: '1.2.3', automationId: 't/'},
      rules: [{...rule, help: 'Pin <repository>:<tag>@sha256:<digest> in **/values & `x`'}],
      findings: [],
      lineText: () => undefined,
    })
    assertValidSarif(log)
    expect(log.runs[0].tool.driver.rules![0].help).toEqual({
      text: 'Pin <repository>:<tag>@sha256:<digest> in **/values & `x`',
      markdown:
        'Pin &lt;repository&gt;:&lt;tag&gt;@\u200dsha256:&lt;digest&gt; in \\*\\*/values &amp; \\`x\\`\n\n[Documentation](https://example.invalid/#r)',
    })
  })

  it('the schema validation is not blind: a wrong version, a line 0 region or an unknown property is rejected', () => {
    const log = build([{ruleId: 'r', level: 'error', file: 'a.yaml', line: 1, column: 1, message: 'm'}])
    assertValidSarif(log)
    expect(() => assertValidSarif({...log, version: '2.0.0'})).toThrow(/not valid SARIF/)
    const zero = structuredClone(log)
    zero.runs[0].results![0].locations![0].physicalLocation!.region!.startLine = 0
    expect(() => assertValidSarif(zero)).toThrow(/minimum/)
    expect(() => assertValidSarif({...log, runs: [{...log.runs[0], extra: true}]})).toThrow(/additional/)
  })

  it('unknown rules are described from their finding; a hint equal to the rule help is not repeated', () => {
    const log = build([
      {ruleId: 'r', level: 'warning', file: 'b c/d#e.txt', line: 0, message: 'whole file', hint: 'fix it'},
      {ruleId: 'new-rule', level: 'error', file: 'a.yaml', line: 2, message: 'new', hint: 'do this'},
    ])
    assertValidSarif(log)
    expect(
      results(log).map((r) => [
        r.ruleIndex,
        r.level,
        r.message.text,
        location(r).artifactLocation?.uri,
        location(r).region,
      ]),
    ).toEqual([
      [0, 'warning', 'whole file', 'b%20c/d%23e.txt', {startLine: 1}],
      // The rule's help is the finding's hint: said once.
      [1, 'error', 'new', 'a.yaml', {startLine: 2}],
    ])
    expect(log.runs[0].tool.driver.rules![1]).toMatchObject({id: 'new-rule', help: {text: 'do this'}})
  })
})

describe('the verify rule catalogue', () => {
  it('lists every rule a check reports, and the docs have an anchor for each', async () => {
    const dir = path.join(ROOT, 'src/verify')
    const sources = (await readdir(dir, {recursive: true})).filter((f) => f.endsWith('.ts') && f !== 'rules.ts')
    const reported = new Set<string>()
    for (const f of sources) {
      const text = await readFile(path.join(dir, f), 'utf8')
      for (const m of text.matchAll(/\brule: '([a-z0-9-]+)'/g)) reported.add(m[1])
      for (const m of text.matchAll(/toFinding\([^)]*'([a-z0-9-]+)'\)/g)) reported.add(m[1])
    }
    const catalogued = new Set(CHECK_IDS.flatMap((c) => Object.keys(VERIFY_RULES[c])))
    expect(reported.size).toBeGreaterThan(20)
    expect([...reported].filter((r) => !catalogued.has(r))).toEqual([])
    for (const check of CHECK_IDS) {
      for (const rule of Object.keys(VERIFY_RULES[check]))
        expect(docsAnchors('verify.md')).toContain(verifyRuleAnchor(check, rule))
    }
    for (const rule of Object.keys(RULES)) expect(docsAnchors('gitops-verify.md')).toContain(`rule-${rule}`)
  })
})
