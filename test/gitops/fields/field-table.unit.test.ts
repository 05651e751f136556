/**
 * The field table is the contract (issue 61): every field of the pinned CRDs (src/gitops/fields/crds/) classified,
 * no rule for a field no CRD has, every named test present in test/, and docs/gitops-fields.md what the generator
 * writes now. A new controller release pinned with a new field fails here until the field is classified.
 */
import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {unsupportedField} from '../../../src/gitops/fields/check.js'
import {fieldsDoc, fieldsOf, loadPinned, ruleKeys, type PinnedCrd} from '../../../src/gitops/fields-doc/doc.js'
import {canonical, leaves, ruleOf, TABLE, type CrdKind} from '../../../src/gitops/fields-doc/table.js'

const root = path.join(import.meta.dirname, '..', '..', '..')
const crds = loadPinned(root)

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
/**
 * Whether test/<file> holds an `it(...)` titled `title` (in any of the three quotes), or an `it.each` over cases one
 * of which is `name`d `title`.
 */
function hasTest(file: string, title: string): boolean {
  const full = path.join(root, 'test', file)
  if (!existsSync(full)) return false
  const text = readFileSync(full, 'utf8')
  return ["'", '"', '`'].some((q) => {
    const literal = escape(q + (q === "'" ? title.replace(/'/g, "\\'") : title) + q)
    return (
      new RegExp(`\\bit\\(\\s*${literal}`).test(text) ||
      (/\bit\.each\(/.test(text) && new RegExp(`\\bname: ${literal}`).test(text))
    )
  })
}

describe('the field table of the pinned CRDs', () => {
  it('pins the eight CRDs, each with the origin pins.json names', () => {
    const pins = JSON.parse(readFileSync(path.join(root, 'src/gitops/fields/crds/pins.json'), 'utf8')) as Array<
      Record<string, string>
    >
    expect(crds.map((c) => c.kind).sort()).toEqual(Object.keys(TABLE).sort())
    for (const [i, crd] of crds.entries()) {
      const {repo, tag, path: p, sha256} = pins[i]
      expect(crd.origin).toEqual({repo, tag, path: p, sha256})
      expect(leaves(crd.spec).length).toBeGreaterThan(5)
    }
  })

  it('classifies every field of every pinned CRD', () => {
    const unclassified = crds.flatMap((crd) =>
      fieldsOf(crd)
        .rows.filter((r) => !r.rule)
        .map((r) => `${crd.kind} ${r.path}`),
    )
    expect(unclassified).toEqual([])
  })

  it('fails on a field the table does not classify (a new release adding one is not a silent gap)', () => {
    const app = crds.find((c) => c.kind === 'HelmRelease')!
    const grown: PinnedCrd = {
      ...app,
      spec: {...app.spec, properties: {...app.spec.properties, renderHints: {type: 'object', properties: {mode: {}}}}},
    }
    expect(
      fieldsOf(grown)
        .rows.filter((r) => !r.rule)
        .map((r) => r.path),
    ).toEqual(['spec.renderHints.mode'])
    expect(fieldsDoc([grown])).toContain('| `spec.renderHints.mode` | **unclassified** |')
  })

  it('holds no rule for a field no pinned CRD has', () => {
    const reached = new Set<string>()
    for (const crd of crds)
      for (const concrete of leaves(crd.spec)) {
        const c = canonical(crd.kind, concrete)
        const r = ruleOf(c.crd, c.path)
        if (r) reached.add(`${c.crd} ${r.key}`)
      }
    const unreached = ruleKeys()
      .map(({crd, key}) => `${crd} ${key}`)
      .filter((k) => !reached.has(k))
    expect(unreached).toEqual([])
  })

  it('names, for every exact field, a test of test/ that exists; every unsupported field says what the user sees', () => {
    const missing: string[] = []
    for (const crd of Object.keys(TABLE) as CrdKind[])
      for (const [key, rule] of Object.entries(TABLE[crd])) {
        if (rule.class === 'exact' && !rule.test) missing.push(`${crd} ${key}: exact without a test`)
        if (rule.test && !hasTest(rule.test.file, rule.test.title))
          missing.push(`${crd} ${key}: no it(${JSON.stringify(rule.test.title)}) in test/${rule.test.file}`)
        if (rule.class === 'unsupported' && !rule.message) missing.push(`${crd} ${key}: unsupported without a message`)
        if (rule.reportedBy && !existsSync(path.join(root, rule.reportedBy.split(' ')[0])))
          missing.push(`${crd} ${key}: ${rule.reportedBy} does not exist`)
      }
    expect(missing).toEqual([])
    // The check itself: a title that is not there is not found.
    expect(hasTest('gitops/render/render-helm.test.ts', 'a title no test has')).toBe(false)
  })

  it('docs/gitops-fields.md is what `npm run fields` writes now', () => {
    const written = readFileSync(path.join(root, 'docs/gitops-fields.md'), 'utf8')
    expect(written === fieldsDoc(crds), 'docs/gitops-fields.md is stale: run `npm run fields`').toBe(true)
  })
})

describe('the unsupported fields an object sets (what the product reports render-unavailable)', () => {
  const source = (helm: Record<string, unknown>) => ({repoURL: 'https://example.test/r.git', path: 'charts/web', helm})

  it('names a field set in the case the table names, and nothing for the cases rendered as the controller does', () => {
    // Rendered as the controllers render them now (argo-helm-fields, argo-kustomize-fields): nothing named.
    expect(unsupportedField('Application', 'spec.source', source({namespace: 'other'}))).toBeUndefined()
    expect(
      unsupportedField('Application', 'spec.source', source({valueFiles: ['v/*.yaml', 'v/c.yaml']})),
    ).toBeUndefined()
    const params = [
      {name: 'image.tag', value: '1'},
      {name: 'image.tag', value: '2', forceString: true},
    ]
    expect(unsupportedField('Application', 'spec.source', source({parameters: params}))).toBeUndefined()
    // Named: the case the table says is wrong.
    expect(
      unsupportedField('Application', 'spec.source', {repoURL: 'x', path: 'k', kustomize: {version: 'v4.5.7'}}),
    ).toMatchObject({field: 'kustomize.version', message: expect.stringContaining('kustomize 5.8.1')})
    // Already named by the product with its own message: not named twice.
    expect(unsupportedField('Application', 'spec.source', {repoURL: 'x', plugin: {name: 'p'}})).toBeUndefined()
    expect(unsupportedField('HelmRelease', 'spec', {upgrade: {disableSchemaValidation: true}})).toBeUndefined()
    expect(unsupportedField('HelmRelease', 'spec', {upgrade: {preserveValues: false}})).toBeUndefined()
    expect(unsupportedField('HelmRelease', 'spec', {upgrade: {preserveValues: true}})).toMatchObject({
      field: 'upgrade.preserveValues',
    })
    expect(unsupportedField('HelmRelease', 'spec', {postRenderStrategy: 'combined'})).toBeUndefined()
    expect(unsupportedField('HelmRelease', 'spec', {postRenderStrategy: 'nohooks'})).toMatchObject({
      field: 'postRenderStrategy',
    })
    expect(unsupportedField('Kustomization', 'spec', {path: './apps', ignoreMissingComponents: true})).toBeUndefined()
    expect(unsupportedField('Kustomization', 'spec', {path: './apps', buildMetadata: ['originAnnotations']})).toBe(
      undefined,
    )
    expect(
      unsupportedField('Application', 'spec', {source: source({namespace: 'x'}), sourceHydrator: {}}, 'spec.source'),
    ).toBeUndefined()
    // A Source Hydrator's dry source is rendered: its fields named as a source's, left to the source's own check.
    const hydrated = {sourceHydrator: {drySource: {repoURL: 'x', path: 'k', kustomize: {version: 'v4.5.7'}}}}
    expect(unsupportedField('Application', 'spec', {sourceHydrator: {drySource: {repoURL: 'x'}}})).toBeUndefined()
    expect(unsupportedField('Application', 'spec', hydrated)).toMatchObject({
      field: 'sourceHydrator.drySource.kustomize.version',
    })
    expect(
      unsupportedField('Application', 'spec', hydrated, ['spec.source', 'spec.sourceHydrator.drySource']),
    ).toBeUndefined()
  })
})
