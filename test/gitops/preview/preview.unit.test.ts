import {readFileSync} from 'node:fs'
import path from 'node:path'
import * as yaml from 'yaml'
import {describe, expect, it} from 'vitest'

import {
  checkPreviewApplicationSet,
  isPreviewApplicationSet,
  namespaceProblem,
  sameRepository,
} from '../../../src/gitops/rules/preview-checks/applicationset.js'
import {templateExpressions} from '../../../src/gitops/rules/preview-checks/expressions.js'
import {previewFindings} from '../../../src/gitops/rules/preview-checks/file.js'
import {DEFAULT_PREVIEW_POLICY, type PreviewPolicy} from '../../../src/gitops/rules/preview-checks/rules.js'

const FIXTURES = path.resolve('test/fixtures/preview')
const EXAMPLE = path.resolve('docs/examples/gitops/preview-applicationset.yaml')
const GITOPS = 'https://github.com/ameideio/ameide-gitops'
const POLICY: PreviewPolicy = {...DEFAULT_PREVIEW_POLICY, repositories: [GITOPS]}

/** `line:column rule` of every finding of every document of `text`, sorted by position. */
function check(text: string, policy: PreviewPolicy = POLICY): string[] {
  const lines = new yaml.LineCounter()
  const out: Array<{line: number; column: number; s: string}> = []
  for (const doc of yaml.parseAllDocuments(text, {lineCounter: lines})) {
    if (!('contents' in doc)) continue
    const findings = checkPreviewApplicationSet({
      yaml,
      root: doc.contents,
      text,
      position: (o) => ({line: lines.linePos(o).line, column: lines.linePos(o).col}),
      policy,
    })
    for (const f of findings) {
      out.push({
        line: f.line,
        column: f.column,
        s: `${f.line}:${f.column} ${f.rule}${f.severity === 'warning' ? ' (warning)' : ''}`,
      })
    }
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column || (a.s < b.s ? -1 : 1)).map((x) => x.s)
}

const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8')
const example = readFileSync(EXAMPLE, 'utf8')

/** Replaces exactly one occurrence of `from` in the example. */
function mutate(from: string, to: string): string {
  expect(example.split(from).length, `"${from}" occurs once in the example`).toBe(2)
  return example.replace(from, to)
}

describe('template expressions', () => {
  const params = (s: string) => templateExpressions(s).map((e) => [e.syntax, e.params, e.wholeContext, e.variables])

  it('reads fasttemplate parameters, with Argo CD’s trimmed spaces and flattened keys', () => {
    expect(params('pr-{{number}}-{{ values.ns }}')).toEqual([
      ['fasttemplate', ['number'], false, []],
      ['fasttemplate', ['values'], false, []],
    ])
    expect(params('{{path.basename}}')).toEqual([['fasttemplate', ['path'], false, []]])
  })

  it('reads Go template fields through pipelines, functions, trim markers, $ and index', () => {
    expect(params('{{- .branch | lower | trunc 10 -}}')).toEqual([['go', ['branch'], false, []]])
    expect(params('{{ printf "pr-%d" .number }}')).toEqual([['go', ['number'], false, []]])
    expect(params('{{ $.head_sha }}')).toEqual([['go', ['head_sha'], false, []]])
    expect(params('{{ index . "title" }}')).toEqual([['go', ['title'], false, []]])
    expect(params('{{ .values.slug }}')).toEqual([['go', ['values'], false, []]])
    expect(params('{{ (index .labels 0) }}')).toEqual([['go', ['labels'], false, []]])
  })

  it('treats the whole context and variables as unknown data', () => {
    expect(params('{{ . }}')).toEqual([['go', [], true, []]])
    expect(params('{{ toJson . }}')).toEqual([['go', [], true, []]])
    expect(params('{{ $b := .branch }}{{ $b }}')).toEqual([
      ['go', ['branch'], false, ['b']],
      ['go', [], false, ['b']],
    ])
  })

  it('ignores fields named inside string literals and keeps braces inside them', () => {
    expect(params('{{ printf "%s.branch}}" .number }}')).toEqual([['go', ['number'], false, []]])
    expect(templateExpressions('a {{ "}}" }} b')[0].end).toBe('a {{ "}}" }}'.length)
    expect(params('{{ end }}{{ else }}{{ true }}')).toEqual([
      ['fasttemplate', [], false, []],
      ['fasttemplate', [], false, []],
      ['fasttemplate', [], false, []],
    ])
    expect(templateExpressions('no template {{ here')).toEqual([])
  })
})

describe('namespace shape', () => {
  it.each([
    ['pr-{{.number}}', undefined],
    ['pr-{{ .number }}', undefined],
    ['pr-{{number}}-web', undefined],
    ['pr-{{ .number | toString }}', undefined],
    ['preview', 'is one fixed namespace for every pull request'],
    ['{{ .number }}', 'has no fixed prefix'],
    ['pr-{{ .branch_slug }}', 'uses branch_slug in {{.branch_slug}}; only the PR number may follow the fixed prefix'],
    ['pr-{{ .number }}-{{ .title }}', 'uses title in {{.title}}; only the PR number may follow the fixed prefix'],
    ['pr-{{ . }}', 'uses the whole parameter set in {{.}}; only the PR number may follow the fixed prefix'],
    ['pr-{{ $n }}', 'uses the variable $n in {{$n}}; only the PR number may follow the fixed prefix'],
    ['pr-{{ "x" }}', 'uses {{"x"}}; only the PR number may follow the fixed prefix'],
    ['PR_{{ .number }}', 'has characters outside [a-z0-9-] in its fixed part'],
  ])('%s', (value, problem) => {
    expect(namespaceProblem(value)).toBe(problem)
  })
})

describe('repository URLs', () => {
  it('compares across git’s spellings', () => {
    expect(sameRepository(GITOPS, 'https://github.com/ameideio/ameide-gitops.git')).toBe(true)
    expect(sameRepository(GITOPS, 'git@github.com:ameideio/ameide-gitops.git')).toBe(true)
    expect(sameRepository(GITOPS, 'ssh://git@github.com/AmeideIO/ameide-gitops')).toBe(true)
    expect(sameRepository(GITOPS, 'https://github.com/ameideio/ameide-gitops-fork')).toBe(false)
    expect(sameRepository(GITOPS, 'https://github.com/someone/ameide-gitops')).toBe(false)
  })
})

describe('preview rules on an ApplicationSet', () => {
  it('the shipped example passes every rule', () => {
    expect(check(example, {...POLICY, projects: ['previews'], webhook: true})).toEqual([])
    // Without the webhook declared, requeueAfterSeconds: 300 is still fast enough.
    expect(check(example)).toEqual([])
  })

  it('decoy: a non-PR ApplicationSet using {{.branch}} from a git generator is not a preview', () => {
    const text = fixture('git-branch.yaml')
    expect(isPreviewApplicationSet(yaml, yaml.parseDocument(text).contents)).toBe(false)
    expect(check(text)).toEqual([])
  })

  it('decoy: a safe ApplicationSet in fasttemplate syntax breaks only the strict-template rule', () => {
    // pr-{{ number }}-web, {{head_short_sha}} as a Helm image.tag, {{ head_sha }} after ":" in a values block.
    expect(check(fixture('safe-fasttemplate.yaml'))).toEqual(['5:1 preview-template-strict'])
  })

  it('a PR generator nested in a matrix (inside a merge): every rule, at its line and column', () => {
    expect(check(fixture('matrix-unsafe.yaml'))).toEqual([
      '7:22 preview-template-strict', // goTemplateOptions: ["missingkey=zero"]
      '17:19 preview-refresh (warning)', // no requeueAfterSeconds
      '18:21 preview-untrusted', // github without labels (a branchMatch filter does not count)
      '24:30 preview-pr-input', // values.slug: {{ .branch_slug }}
      '29:34 preview-cleanup', // preserveResourcesOnDeletion: true
      '31:5 preview-cleanup', // no finalizer (metadata:)
      '34:17 preview-project', // project: "{{ .values.slug }}"
      '36:37 preview-pr-input', // repoURL …/{{ .author }}/…
      '37:26 preview-pr-input', // targetRevision: "{{.head_sha}}"
      '44:23 preview-pr-input', // a Helm parameter "commit" gets the head sha
      '46:26 preview-namespace', // server from {{ .title }}
      '46:26 preview-pr-input',
      '47:21 preview-namespace', // pr-{{ .number }}-{{ .branch_slug | trunc 20 }}
      '47:38 preview-pr-input',
      '50:18 preview-cleanup', // prune: false
      '52:13 preview-cleanup', // CreateNamespace=true
    ])
  })

  it('two generators with violations, Bitbucket Server included, and index/$ field access', () => {
    expect(check(fixture('violations.yaml'))).toEqual([
      '5:1 preview-template-strict', // no goTemplate
      '8:9 preview-untrusted', // bitbucketServer: no label filter in Argo CD
      '12:30 preview-refresh (warning)', // 1800 s
      '13:7 preview-refresh (warning)', // github: no requeueAfterSeconds
      '17:19 preview-untrusted', // labels: []
      '19:5 preview-cleanup', // no finalizers
      '20:17 preview-pr-input', // {{ index . "title" }}
      '21:5 preview-cleanup', // no syncPolicy
      '22:16 preview-project', // default
      '24:18 preview-pr-input', // repoURL of another repository
      '26:16 preview-pr-input', // path: "{{ $.head_sha }}"
      '29:21 preview-namespace', // "{{ .number }}": no prefix
    ])
  })

  it.each([
    ['project: previews', 'project: default', ['39:16 preview-project']],
    ['project: previews', 'project: "{{ .number }}"', ['39:17 preview-project']],
    [
      'namespace: "pr-{{ .number }}"',
      'namespace: "pr-{{ .branch }}"',
      ['55:21 preview-namespace', '55:24 preview-pr-input'],
    ],
    ['namespace: "pr-{{ .number }}"', 'namespace: previews', ['55:20 preview-namespace']],
    [
      'server: https://kubernetes.default.svc',
      'server: "https://{{ .author }}.svc"',
      ['53:26 preview-namespace', '53:26 preview-pr-input'],
    ],
    ['          labels:\n            - preview\n', '', ['20:9 preview-untrusted']],
    ['goTemplateOptions: ["missingkey=error"]', 'goTemplateOptions: []', ['17:22 preview-template-strict']],
    ['goTemplate: true', 'goTemplate: false', ['16:15 preview-template-strict']],
    ['prune: true', 'prune: false', ['58:18 preview-cleanup']],
    ['        - resources-finalizer.argocd.argoproj.io\n', '        - example.com/other\n', ['36:9 preview-cleanup']],
    ['- ServerSideApply=true', '- CreateNamespace=true', ['62:13 preview-cleanup']],
    ['  template:\n', '  syncPolicy:\n    preserveResourcesOnDeletion: true\n  template:\n', ['30:34 preview-cleanup']],
    ['targetRevision: main', 'targetRevision: "{{ .head_sha }}"', ['43:26 preview-pr-input']],
    ['targetRevision: main', 'targetRevision: "{{ .branch }}"', ['43:26 preview-pr-input']],
    ['path: sources/charts/primitives/orders', 'path: "previews/{{ .head_short_sha_7 }}"', ['44:25 preview-pr-input']],
    ['name: "orders-pr-{{ .number }}"', 'name: "orders-{{ .branch_slug }}"', ['31:21 preview-pr-input']],
    ['ameide.io/preview: "true"', 'ameide.io/author: "{{ .author }}"', ['33:28 preview-pr-input']],
    ['ameide.io/preview: "true"', 'ameide.io/sha: "{{ .head_sha }}"', ['33:25 preview-pr-input']],
    [
      'repoURL: https://github.com/ameideio/ameide-gitops.git',
      'repoURL: https://github.com/ameideio/ameide.git',
      ['42:18 preview-pr-input'],
    ],
    [
      'repoURL: https://github.com/ameideio/ameide-gitops.git',
      'repoURL: "{{ .values.repo }}"',
      ['42:19 preview-pr-input'],
    ],
    ['requeueAfterSeconds: 300', 'requeueAfterSeconds: 301', ['28:30 preview-refresh (warning)']],
    ['        requeueAfterSeconds: 300\n', '', ['19:7 preview-refresh (warning)']],
  ])('one violation in the example: %s → %s', (from, to, expected) => {
    expect(check(mutate(from, to))).toEqual(expected)
  })

  it("a Source Hydrator's dry and sync sources: each repoURL one of the allowed repositories", () => {
    const hydrated = (sync: string, dry: string) =>
      mutate(
        '      source:\n        repoURL: https://github.com/ameideio/ameide-gitops.git\n',
        [
          '      sourceHydrator:',
          `        syncSource: {targetBranch: previews, path: orders, repoURL: https://github.com/ameideio/${sync}}`,
          '        drySource:',
          `          repoURL: https://github.com/ameideio/${dry}`,
          '',
        ].join('\n'),
      )
    expect(check(hydrated('ameide-gitops.git', 'ameide-gitops.git'))).toEqual([])
    expect(check(hydrated('other.git', 'ameide-gitops.git'))).toEqual(['42:69 preview-pr-input'])
    expect(check(hydrated('ameide-gitops.git', 'ameide.git'))).toEqual(['44:20 preview-pr-input'])
  })

  it('gitopsPolicy.preview: projects, repositories and webhook', () => {
    expect(check(example, {...POLICY, projects: ['other']})).toEqual(['39:16 preview-project'])
    expect(check(example, {...POLICY, repositories: []})).toEqual(['42:18 preview-pr-input'])
    const polling = mutate('        requeueAfterSeconds: 300\n', '')
    expect(check(polling, {...POLICY, webhook: true})).toEqual([])
  })

  it('a generator’s own template overrides spec.template (Argo CD merges them)', () => {
    const text = mutate(
      '        requeueAfterSeconds: 300\n',
      '        requeueAfterSeconds: 300\n        template:\n          spec:\n            project: default\n',
    )
    expect(check(text)).toEqual(['31:22 preview-project'])
  })

  it('templatePatch is read for PR data', () => {
    const text = mutate(
      '  template:\n',
      '  templatePatch: |\n    metadata:\n      annotations:\n        by: {{ .author }}\n  template:\n',
    )
    expect(check(text)).toEqual(['32:13 preview-pr-input'])
  })

  it('other kinds and other API groups are not previews', () => {
    expect(check(example.replace('kind: ApplicationSet', 'kind: Application'))).toEqual([])
    expect(check(example.replace('apiVersion: argoproj.io/v1alpha1', 'apiVersion: example.com/v1'))).toEqual([])
  })

  it('embedded YAML: an ApplicationSet in a literal block string is reported at the outer file’s line and column', () => {
    const inner = fixture('violations.yaml')
    const outer =
      '# values of an app-of-apps chart\nextraObjects:\n  - name: previews\n    manifests: |-\n' +
      inner
        .trimEnd()
        .split('\n')
        .map((l) => (l === '' ? '' : `      ${l}`))
        .join('\n') +
      '\n'
    const direct = check(inner)
    const found = previewFindings(yaml, outer, POLICY)
      .map((f) => `${f.line}:${f.column} ${f.rule}${f.severity === 'warning' ? ' (warning)' : ''}`)
      .sort((a, b) => parseInt(a) - parseInt(b) || parseInt(a.split(':')[1]) - parseInt(b.split(':')[1]))
    // Four lines down (the block starts on line 5), six columns right.
    const shifted = direct.map((d) => d.replace(/^(\d+):(\d+)/, (_m, l, c) => `${Number(l) + 4}:${Number(c) + 6}`))
    expect(found).toEqual(shifted)
    expect(found).toContain('33:27 preview-namespace')
  })

  it('a file naming no ApplicationSet is not parsed, an invalid one has no preview findings', () => {
    expect(previewFindings(yaml, 'kind: Deployment\n: : :\n', POLICY)).toEqual([])
    expect(previewFindings(yaml, 'kind: ApplicationSet\nspec: [\n', POLICY)).toEqual([])
  })
})
