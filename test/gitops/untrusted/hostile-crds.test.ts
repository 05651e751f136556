/**
 * CRDs from the attacker's revision, through the built CLI (`gitops verify --render --json`): a schema nested 1,000
 * levels deep, an enum of 100,000 values, a pattern that backtracks in other engines (`(a+)+$` against 100,000 `a`s
 * and a `!`), a CEL rule whose cost has no bound, and an object of each. Whether the CRDs come from a chart's crds/
 * (rendered: the render module reads them) or from files of the revision (read here), the run ends within
 * {@link BOUND_MS}, exit 1, never INTERNAL_ERROR, and every object is an error finding naming what stopped it — the
 * API server's answer, its cost limit, or the limit of ameide's that kept its CRD unread — never a pass.
 */
import {afterAll, describe, expect, it} from 'vitest'

import {runCli} from '../../support/cli.js'
import {helmGitopsRepo, originApplication} from '../../support/helm-repo.js'
import {assertMatchesSchema} from '../../support/schema.js'
import {runCleanups} from '../../support/tmp.js'
import {toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

/** Either revision takes 4–9 s wall, 2–2.5 s of CPU, on 2 cores at load 8: the bound leaves room for a slower runner. */
const BOUND_MS = 60_000

type Finding = {rule: string; severity: string; file: string; message: string; object?: {name: string}}
type Result = {summary: string; findings: Finding[]}

const GROUP = 'hostile.example.com'

function crd(kind: string, spec: Record<string, unknown>): string {
  const plural = `${kind.toLowerCase()}s`
  const names = {plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List`}
  const schema = {openAPIV3Schema: {type: 'object', properties: {spec}}}
  return `${JSON.stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {name: `${plural}.${GROUP}`},
    spec: {group: GROUP, scope: 'Namespaced', names, versions: [{name: 'v1', served: true, storage: true, schema}]},
  })}\n`
}

function nested(levels: number, leaf: unknown, wrap: (inner: unknown) => unknown): unknown {
  let value = leaf
  for (let i = 0; i < levels; i++) value = wrap(value)
  return value
}

/** The four hostile CRDs, by file name. */
const hostileCrds = (): Record<string, string> => ({
  'deeps.yaml': crd('Deep', {
    type: 'object',
    properties: {deep: nested(1000, {type: 'string'}, (n) => ({type: 'object', properties: {n}}))},
  }),
  'choices.yaml': crd('Choice', {
    type: 'object',
    properties: {choice: {type: 'string', enum: Array.from({length: 100_000}, (_, i) => `v${i}`)}},
  }),
  'patterns.yaml': crd('Pattern', {type: 'object', properties: {text: {type: 'string', pattern: '(a+)+$'}}}),
  'costlys.yaml': crd('Costly', {
    type: 'object',
    'x-kubernetes-validations': [{rule: "self.items.all(a, self.items.all(b, self.items.all(c, a + b + c != '')))"}],
    properties: {items: {type: 'array', items: {type: 'string'}}},
  }),
})

/**
 * An object of each: a number where the deep schema wants an object, a value not in the enum, a long string, 3,000
 * items. (An object itself nested past ameide's YAML limit is never read: the folder's render fails, the same way
 * each run — test/images/kube-yaml-nesting.unit.test.ts.)
 */
const hostileObjects = () =>
  [
    {kind: 'Deep', spec: {deep: {n: 5}}},
    {kind: 'Choice', spec: {choice: 'nope'}},
    {kind: 'Pattern', spec: {text: `${'a'.repeat(100_000)}!`}},
    {kind: 'Costly', spec: {items: Array.from({length: 3000}, () => 'x')}},
  ]
    .map(({kind, spec}) =>
      JSON.stringify({apiVersion: `${GROUP}/v1`, kind, metadata: {name: kind.toLowerCase()}, spec}),
    )
    .join('\n---\n')

async function verifyTimed(repo: string) {
  const started = Date.now()
  const run = await runCli(['gitops', 'verify', '--render', '--json'], {cwd: repo, env: toolEnv(), timeoutMs: BOUND_MS})
  const elapsed = Date.now() - started
  expect(run.stdout).not.toContain('INTERNAL_ERROR')
  expect(run.stderr).not.toContain('INTERNAL_ERROR')
  const result = run.json<Result>()
  assertMatchesSchema('gitops-verify.schema.json', result)
  expect(run.exitCode).toBe(1)
  expect(result.summary).toBe('fail')
  expect(elapsed).toBeLessThan(BOUND_MS)
  // The API server's messages echo a hostile CRD's enum and a hostile object's value: each is cut.
  expect(run.stdout.length).toBeLessThan(100_000)
  const about = (name: string) => {
    const said = result.findings.filter((f) => f.object?.name === name || f.object?.name === `dev/${name}`)
    expect(said.length, name).toBeGreaterThan(0)
    expect(
      said.every((f) => f.severity === 'error'),
      name,
    ).toBe(true)
    return said.map((f) => `${f.rule}: ${f.message}`).join('\n')
  }
  return {about, result}
}

describe('gitops verify --render: hostile CRDs from the revision stay bounded and fail closed', () => {
  it("a chart's crds/: the CEL rule's CRD refused for its estimated cost, each object refused by its CRD, the rule stopped at its cost limit", async () => {
    const chart = Object.fromEntries(
      Object.entries(hostileCrds()).map(([f, text]) => [`charts/hostile/crds/${f}`, text]),
    )
    const repo = await helmGitopsRepo({
      'argocd/crds.yaml': originApplication('crds', 'path: charts/hostile'),
      'argocd/objects.yaml': originApplication('objects', 'path: objects'),
      'charts/hostile/Chart.yaml': 'apiVersion: v2\nname: hostile\nversion: 0.1.0\n',
      ...chart,
      'objects/objects.yaml': `${hostileObjects()}\n`,
    })
    const {about, result} = await verifyTimed(repo)
    // The API server refuses the rendered CRD itself: its rule's estimated cost, before any object is sent.
    const refused = result.findings.filter((f) => f.object?.name === `costlys.${GROUP}`)
    expect(refused.map((f) => [f.rule, f.severity])).toContainEqual(['schema-invalid', 'error'])
    expect(refused.map((f) => f.message).join('\n')).toMatch(
      /the API server refuses this CRD: .*x-kubernetes-validations\[0\]\.rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x/,
    )
    expect(about('deep')).toMatch(/schema-invalid: .*\/spec\/deep\/n .*must be of type object/s)
    expect(about('choice')).toMatch(
      /schema-invalid: .*\/spec\/choice Unsupported value: "nope": supported values: "v0", .* \(\d+ characters cut: a finding carries 1000 of the API server's message\)/,
    )
    expect(about('pattern')).toMatch(
      /schema-invalid: .*\/spec\/text Invalid value: "a+ … \(\d+ characters cut.*should match '\(a\+\)\+\$'/,
    )
    expect(about('costly')).toMatch(/schema-invalid: .*\/spec .*call cost exceeds limit for rule: self\.items\.all/)
  })

  it("files of the revision: one past ameide's YAML nesting is said unread, its kind's object an error naming it", async () => {
    const files = Object.fromEntries(Object.entries(hostileCrds()).map(([f, text]) => [`crds/${f}`, text]))
    const repo = await helmGitopsRepo({
      'argocd/objects.yaml': originApplication('objects', 'path: objects'),
      ...files,
      'objects/objects.yaml': `${hostileObjects()}\n`,
    })
    const {about} = await verifyTimed(repo)
    expect(about('deep')).toMatch(
      /^schema-unknown: .*No CRD read defines it, and crds\/deeps\.yaml, which may, was not read: its collections nest deeper than 256 levels, more than ameide's YAML reader follows/,
    )
    expect(about('choice')).toMatch(/Unsupported value: "nope".*characters cut.*in crds\/choices\.yaml/)
    expect(about('pattern')).toMatch(/should match '\(a\+\)\+\$'.*in crds\/patterns\.yaml/)
    expect(about('costly')).toMatch(/call cost exceeds limit for rule.*in crds\/costlys\.yaml/)
  })
})
