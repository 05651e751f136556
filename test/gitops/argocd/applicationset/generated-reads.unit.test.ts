/**
 * What an ApplicationSet's unevaluated generator is keyed by in `gitops diff` (applicationset/generated-reads.ts,
 * template-places.ts): a change to a file its Applications could read must make the diff incomplete, never
 * "unchanged"; a change to a file none of its places can name leaves it untouched. The places are the template's
 * (folders, `$ref` value files, libraries) and its git generators', each `{{ … }}` any text; whatever cannot be
 * bounded (a templatePatch, a conditional, `..`, the root, a folder reaching out) keys every file.
 */
import fc from 'fast-check'
import * as yaml from 'yaml'
import {afterAll, describe, expect, it} from 'vitest'

import {generatedReads} from '../../../../src/gitops/argocd/applicationset/generated-reads.js'
import {starMatch} from '../../../../src/gitops/argocd/applicationset/template-places.js'
import {sameRepository} from '../../../../src/gitops/revision/repositories.js'
import {makeTempDir, runCleanups, writeFiles} from '../../../support/tmp.js'

afterAll(runCleanups)

const THIS = 'https://github.com/acme/gitops.git'
const texts: Record<string, string> = {
  'argocd/fleet.yaml': '',
  'apps/web/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\n',
  'base/deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\n',
  'environments/base/addons/cert-manager/values.yaml': 'a: 1\n',
  'environments/prod/addons/cert-manager/values.yaml': 'a: 2\n',
  'clusters/prod/config.json': '{}',
  'overlays/prod/kustomization.yaml': 'resources: [../../base]\n',
  'overlays/stage/kustomization.yaml': 'resources: [deploy.yaml]\n',
  'overlays/stage/deploy.yaml': 'kind: Deployment\n',
  'fleet/apps/app.yaml': 'apiVersion: argoproj.io/v1alpha1\nkind: Application\n',
  'README.md': '# fleet\n',
  'infra/main.tf': 'module "eks" {}\n',
  'charts/x/Chart.yaml': 'apiVersion: v2\nname: x\nversion: 0.1.0\n',
  'charts/x/files/motd.txt': 'hello\n',
}
const files = new Set(Object.keys(texts))
const ctx = (named = true) => ({
  files,
  named,
  isThisRepository: (url: string) => sameRepository(THIS, url),
  readText: (f: string) => texts[f],
})

/** An ApplicationSet with a clusters generator, its template's source as given (YAML flow), and `extra` spec lines. */
const appSet = (source: string, extra: string[] = []) =>
  yaml.parse(
    ['spec:', '  generators: [{clusters: {}}]', ...extra, '  template:', '    spec:', `      source: ${source}`].join(
      '\n',
    ),
  ) as unknown

const reads = (doc: unknown, named = true) => generatedReads('argocd/fleet.yaml', doc, ctx(named))
const everything = ['argocd/fleet.yaml', ...[...files].filter((f) => f !== 'argocd/fleet.yaml').sort()]
const only = (...f: string[]) => ['argocd/fleet.yaml', ...f.sort()]
/** What any source of Argo CD's types can read: not the README or Terraform, which no chart or kustomization holds. */
const readable = everything.filter((f) => f !== 'README.md' && f !== 'infra/main.tf')

describe('the files an unevaluated generator is keyed by', () => {
  it('another repository, literally: the ApplicationSet alone', () => {
    expect(reads(appSet('{repoURL: https://github.com/acme/other.git, path: apps/web}'))).toEqual(only())
  })

  it("this repository (another spelling of it too): the source's folder, at any depth", () => {
    expect(reads(appSet(`{repoURL: ${THIS}, path: apps/web}`))).toEqual(only('apps/web/cm.yaml'))
    expect(reads(appSet('{repoURL: git@github.com:acme/gitops, path: apps/}'))).toEqual(only('apps/web/cm.yaml'))
    expect(reads(appSet(`{repoURL: ${THIS}, path: ./apps}`))).toEqual(only('apps/web/cm.yaml'))
  })

  it('a templated repository or path: every file the pattern can name', () => {
    expect(reads(appSet("{repoURL: '{{repo}}', path: 'charts/{{name}}'}"))).toEqual(
      only('charts/x/Chart.yaml', 'charts/x/files/motd.txt'),
    )
    expect(reads(appSet("{repoURL: '{{ .metadata.annotations.repo }}', path: 'apps/{{name}}'}"))).toEqual(
      only('apps/web/cm.yaml'),
    )
    expect(reads(appSet("{repoURL: '{{repo}}', path: '{{path}}'}"))).toEqual(readable)
    expect(reads(appSet('{repoURL: [1], path: x}'))).toEqual(only())
  })

  it("a remote chart with `$ref` value files (gitops-bridge's addons): those value files only", () => {
    const doc = yaml.parse(
      [
        'spec:',
        '  generators: [{merge: {mergeKeys: [server], generators: [{clusters: {}}, {clusters: {selector: {}}}]}}]',
        '  template:',
        '    spec:',
        '      sources:',
        "      - {repoURL: '{{metadata.annotations.addons_repo_url}}', ref: values}",
        "      - chart: '{{values.addonChart}}'",
        "        repoURL: '{{values.addonChartRepository}}'",
        '        helm:',
        '          valueFiles:',
        '          - $values/{{metadata.annotations.addons_repo_basepath}}environments/base/addons/{{values.addonChart}}/values.yaml',
        '          - $values/{{metadata.annotations.addons_repo_basepath}}environments/{{metadata.labels.environment}}/addons/{{values.addonChart}}/values.yaml',
      ].join('\n'),
    )
    expect(reads(doc)).toEqual(
      only('environments/base/addons/cert-manager/values.yaml', 'environments/prod/addons/cert-manager/values.yaml'),
    )
  })

  it('a `$ref` to a source that is literally another repository reads nothing here', () => {
    const doc = appSet('{chart: web, repoURL: https://charts.example.com, helm: {valueFiles: [$v/apps/web/cm.yaml]}}')
    ;(doc as {spec: {template: {spec: {sources: unknown[]}}}}).spec.template.spec.sources = [
      {repoURL: 'https://github.com/acme/other.git', ref: 'v'},
    ]
    expect(reads(doc)).toEqual(only())
  })

  it('anything: a templatePatch, a plugin source, a value file named by a parameter — every file', () => {
    expect(reads(appSet(`{repoURL: ${THIS}, path: apps}`, ["  templatePatch: '{}'"]))).toEqual(everything)
    expect(reads(appSet(`{repoURL: ${THIS}, path: apps, plugin: {name: tanka}}`))).toEqual(everything)
    expect(reads(appSet("{chart: web, repoURL: https://c.example, helm: {valueFiles: ['$v/{{file}}']}}"))).toEqual(
      everything,
    )
  })

  it("unbounded: a conditional, `..`, the root, no path — what Argo CD's source types can read, not the rest", () => {
    expect(reads(appSet(`{repoURL: ${THIS}, path: '{{if .a}}apps{{else}}base{{end}}'}`))).toEqual(readable)
    expect(reads(appSet(`{repoURL: ${THIS}, path: apps/../base}`))).toEqual(readable)
    expect(reads(appSet(`{repoURL: ${THIS}, path: apps, helm: {valueFiles: [../values.yaml]}}`))).toEqual(readable)
    expect(reads(appSet(`{repoURL: ${THIS}, path: .}`))).toEqual(readable)
    expect(reads(appSet(`{repoURL: ${THIS}}`))).toEqual(readable)
  })

  it('jsonnet anywhere in the revision: what it imports is any file', () => {
    const withJsonnet = new Set([...files, 'lib/x.libsonnet'])
    const read = generatedReads('argocd/fleet.yaml', appSet(`{repoURL: ${THIS}, path: .}`), {
      ...ctx(),
      files: withJsonnet,
    })
    expect(read).toContain('README.md')
  })

  it('a folder that reaches out: a kustomization naming a parent, an Application (app of apps)', () => {
    expect(reads(appSet(`{repoURL: ${THIS}, path: overlays/prod}`))).toEqual(readable)
    expect(reads(appSet(`{repoURL: ${THIS}, path: overlays/stage}`))).toEqual(
      only('overlays/stage/kustomization.yaml', 'overlays/stage/deploy.yaml'),
    )
    expect(reads(appSet(`{repoURL: ${THIS}, path: fleet}`))).toEqual(readable)
  })

  it('with the revision at hand, a kustomization reaching out is followed: what kustomize reads, no other file', async () => {
    const root = await makeTempDir('ameide-generated-reads-')
    await writeFiles(root, {
      ...texts,
      'base/kustomization.yaml': 'resources: [deploy.yaml]\npatches: [{path: ../patches/p.yaml}]\n',
      'patches/p.yaml': 'kind: Deployment\n',
      'other/notes.yaml': 'a: 1\n',
    })
    const all = new Set([...files, 'base/kustomization.yaml', 'patches/p.yaml', 'other/notes.yaml'])
    const withRoot = {
      ...ctx(),
      files: all,
      root,
      yaml,
      readText: (f: string) => ({...texts, 'other/notes.yaml': 'a: 1\n'})[f],
    }
    const read = generatedReads('argocd/fleet.yaml', appSet(`{repoURL: ${THIS}, path: overlays/prod}`), withRoot)
    expect(read).toEqual(
      only('overlays/prod/kustomization.yaml', 'base/kustomization.yaml', 'base/deploy.yaml', 'patches/p.yaml'),
    )
    // A folder of Applications is not followed: every file its Applications could read.
    const fleet = generatedReads('argocd/fleet.yaml', appSet(`{repoURL: ${THIS}, path: fleet}`), withRoot)
    expect(fleet).toContain('other/notes.yaml')
  })

  it('a checkout nothing names (no origin, no URL listed): no repository can be told apart', () => {
    expect(reads(appSet('{repoURL: https://github.com/acme/other.git, path: apps}'), false)).toEqual(
      only('apps/web/cm.yaml'),
    )
  })

  it("a git generator of this repository reads its files' pathspecs and its directories", () => {
    const doc = appSet('{repoURL: https://github.com/acme/other.git, path: x}') as {spec: {generators: unknown[]}}
    doc.spec.generators.push({git: {repoURL: THIS, revision: 'HEAD', files: [{path: 'clusters/*/config.json'}]}})
    expect(reads(doc)).toEqual(only('clusters/prod/config.json'))
    doc.spec.generators.push({git: {repoURL: THIS, revision: 'HEAD', directories: [{path: 'overlays/*'}]}})
    expect(reads(doc)).toEqual(readable) // overlays/prod's kustomization reaches out
  })

  describe("a source whose path is wholly a git directories generator's folder, crossed or merged with any generator", () => {
    const git = {git: {repoURL: THIS, revision: 'HEAD', directories: [{path: 'apps/*'}]}}
    const shaped = (generators: unknown[], path: string, goTemplate = false) => ({
      spec: {
        ...(goTemplate ? {goTemplate: true} : {}),
        generators,
        template: {spec: {source: {repoURL: THIS, targetRevision: 'HEAD', path}}},
      },
    })
    const cross = (other: unknown) => [{matrix: {generators: [git, other]}}]
    it('reads only the folders the git generator lists: a matrix, a merge, a nested matrix; {{path}}, {{.path.path}}', () => {
      const clusters = {clusters: {selector: {matchLabels: {env: 'prod'}}}}
      expect(reads(shaped(cross(clusters), '{{.path.path}}', true))).toEqual(only('apps/web/cm.yaml'))
      expect(reads(shaped([{merge: {mergeKeys: ['server'], generators: [git, clusters]}}], '{{path}}'))).toEqual(
        only('apps/web/cm.yaml'),
      )
      const nested = cross({
        matrix: {generators: [{scmProvider: {github: {organization: 'acme'}}}, {list: {elements: [{a: 'b'}]}}]},
      })
      expect(reads(shaped(nested, '{{path.path}}'))).toEqual(only('apps/web/cm.yaml'))
      expect(
        reads(shaped(cross({pullRequest: {github: {owner: 'acme', repo: 'x'}}}), '{{ .path.path }}', true)),
      ).toEqual(only('apps/web/cm.yaml'))
    })
    it('every file where another generator could set that parameter, or the parameter is not the folder', () => {
      // A plugin or a duck-typed resource gives any parameters; a list element can name `path`.
      for (const other of [{plugin: {configMapRef: {name: 'p'}}}, {clusterDecisionResource: {configMapRef: 'd'}}])
        expect(reads(shaped(cross(other), '{{path}}'))).toEqual(readable)
      expect(reads(shaped(cross({list: {elements: [{path: 'infra'}]}}), '{{path}}'))).toEqual(readable)
      // A files generator's `path` is a matched file's folder; the fasttemplate name in a goTemplate set is not the param.
      const files = {git: {repoURL: THIS, revision: 'HEAD', files: [{path: 'clusters/*/config.json'}]}}
      expect(reads(shaped([{matrix: {generators: [files, {clusters: {}}]}}], '{{path}}'))).toEqual(readable)
      expect(reads(shaped(cross({clusters: {}}), '{{path}}', true))).toEqual(readable)
      expect(reads(shaped(cross({clusters: {}}), '{{path.basename}}'))).toEqual(readable)
    })
  })

  it("a generator's own template counts", () => {
    const doc = appSet('{repoURL: https://github.com/acme/other.git, path: x}') as {spec: {generators: unknown[]}}
    doc.spec.generators.push({list: {elements: [], template: {spec: {source: {repoURL: THIS, path: 'base'}}}}})
    expect(reads(doc)).toEqual(only('base/deploy.yaml'))
  })
})

describe('starMatch (a pattern of literal parts with any text between)', () => {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  it('answers as the anchored RegExp of the same pattern', () => {
    const part = fc.string({unit: fc.constantFrom('a', 'b', '/'), maxLength: 4})
    fc.assert(
      fc.property(
        fc.array(part, {minLength: 1, maxLength: 4}),
        fc.string({unit: fc.constantFrom('a', 'b', '/'), maxLength: 10}),
        (parts, s) => {
          const oracle = new RegExp(`^${parts.map(escape).join('[\\s\\S]*')}$`)
          expect(starMatch(parts, s)).toBe(oracle.test(s))
        },
      ),
      {numRuns: 2000},
    )
  })
})
