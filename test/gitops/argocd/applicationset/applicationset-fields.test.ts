/**
 * An ApplicationSet's generator fields, one ApplicationSet per field over the same repository, evaluated by
 * `gitops diff` (the generators of src/gitops/argocd/applicationset/, every template through Argo CD's own
 * Render compiled to WebAssembly) and rendered: each generated Application is named, placed and pointed at a folder
 * by its parameters, so the Applications the diff adds — their names, their objects' folders and namespaces — are
 * the parameter sets. Each case's expectation is what argo-cd v3.5.1 computes, the rule cited beside it
 * (applicationset/generators/{git,list,matrix}.go, value_interpolation.go, applicationset/utils/utils.go
 * RenderGeneratorParams, reposerver/repository GetGitDirectories and `git ls-files` for GetFiles; the 3.0 upgrade
 * notes for applyNestedSelectors).
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {diffLast, history} from '../../../support/diff-repo.js'
import {ORIGIN} from '../../../support/helm-repo.js'
import {git, runCleanups} from '../../../support/tmp.js'
import {requireTool, toolEnv} from '../../../support/toolchain.js'

afterAll(runCleanups)

const APPS = ['alpha', 'beta', 'gamma', 'legacy']

/** Four plain folders, the environment files a git files generator reads, and a catalog for elementsYaml. */
const files: Record<string, string> = {
  ...Object.fromEntries(
    APPS.map((a) => [
      `apps/${a}/configmap.yaml`,
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${a}}\ndata: {app: ${a}}\n`,
    ]),
  ),
  'envs/dev/app.yaml': 'app: alpha\nowner: team-a\n',
  'envs/staging/app.yaml': 'app: beta\nowner: team-b\n',
  'envs/prod/eu/app.yaml': 'app: gamma\nowner: team-c\n',
  'envs/prod/us/app.yaml': 'app: alpha\nowner: team-d\n',
  // Argo CD's documented elementsYaml shape (docs/operator-manual/applicationset/Generators-List.md).
  'catalog/components.yaml': [
    'key:',
    '  components:',
    '    - {name: alpha, namespace: ns-alpha, replicas: 2}',
    '    - {name: beta, namespace: ns-beta}',
    '',
  ].join('\n'),
  'argocd/.keep': '',
}

interface Case {
  /** The test's title (the field table names it). */
  name: string
  /** The ApplicationSet's file name under argocd/. */
  file: string
  goTemplate: boolean
  /** The lines of `spec` before `generators:` (e.g. applyNestedSelectors). */
  spec?: string[]
  /** The generators, as YAML flow or block lines under `generators:`. */
  generators: string[]
  /** The template's name, source path and destination namespace. */
  template: {name: string; path: string; namespace: string}
  /** What argo-cd v3.5.1 generates: Application → its objects (`Kind/namespace/name`). */
  want: Record<string, string[]>
}

const cm = (ns: string, app: string) => [`ConfigMap/${ns}/${app}`]

/** A nested selector: the inner matrix's list keeps only the elements whose `app` is not beta. */
const nested = (flag: string) => [
  '- matrix:',
  '    generators:',
  `      - list: {elements: [{flag: "${flag}"}]}`,
  '      - matrix:',
  '          generators:',
  '            - list: {elements: [{app: alpha}, {app: beta}]}',
  '              selector: {matchExpressions: [{key: app, operator: NotIn, values: [beta]}]}',
  '            - list: {elements: [{ns: nested}]}',
]
const nestedCase = (flag: string, spec: string[]): Omit<Case, 'name'> => ({
  file: `nested-${flag}.yaml`,
  goTemplate: true,
  spec,
  generators: nested(flag),
  template: {name: `n${flag}-{{ .app }}`, path: 'apps/{{ .app }}', namespace: '{{ .ns }}-{{ .flag }}'},
  // Since Argo CD 3.0 the field is ignored: a nested selector is always applied (upgrading/2.14-3.0.md).
  want: {[`n${flag}-alpha`]: cm(`nested-${flag}`, 'alpha')},
})

const CASES: Case[] = [
  {
    // filterApps: a folder any exclude item matches is left out, whatever the items' order; path.Match globs.
    name: 'git.directories exclude: a folder an exclude item matches is left out, before or after the include',
    file: 'dirs-exclude.yaml',
    goTemplate: true,
    generators: [
      `- git:`,
      `    repoURL: ${ORIGIN}`,
      '    revision: HEAD',
      '    directories:',
      '      - {path: apps/legacy, exclude: true}',
      "      - {path: 'apps/*'}",
      "      - {path: 'apps/g*', exclude: true}",
    ],
    template: {name: 'dx-{{ .path.basename }}', path: '{{ .path.path }}', namespace: 'dx'},
    want: {'dx-alpha': cm('dx', 'alpha'), 'dx-beta': cm('dx', 'beta')},
  },
  {
    // generateParamsForGitFiles: the files every include pattern lists, minus those an exclude pattern lists, each
    // pattern a `git ls-files` pathspec (a plain path is a folder; `*` crosses `/`).
    name: 'git.files exclude: the files an exclude pathspec lists are removed from those the includes list',
    file: 'files-exclude.yaml',
    goTemplate: true,
    generators: [
      `- git:`,
      `    repoURL: ${ORIGIN}`,
      '    revision: HEAD',
      '    files:',
      "      - {path: 'envs/*/app.yaml'}",
      '      - {path: envs/prod/eu, exclude: true}',
      "      - {path: 'envs/*ing/app.yaml', exclude: true}",
    ],
    template: {name: 'fx-{{ .path.basename }}', path: 'apps/{{ .app }}', namespace: '{{ .owner }}'},
    want: {'fx-dev': cm('team-a', 'alpha'), 'fx-us': cm('team-d', 'alpha')},
  },
  {
    // pathParamPrefix: the path parameters under `<prefix>.path` — two git generators in a matrix keep both (without
    // it the first child's `path` wins the merge).
    name: 'git.pathParamPrefix: the path parameters under the prefix, so two git generators in a matrix keep both',
    file: 'prefix.yaml',
    goTemplate: true,
    generators: [
      '- matrix:',
      '    generators:',
      `      - git: {repoURL: ${ORIGIN}, revision: HEAD, pathParamPrefix: env, files: [{path: envs/dev/app.yaml}, {path: envs/prod/us/app.yaml}]}`,
      `      - git: {repoURL: ${ORIGIN}, revision: HEAD, pathParamPrefix: folder, directories: [{path: 'apps/[ab]*'}]}`,
    ],
    template: {
      name: 'pp-{{ .env.path.basename }}-{{ .folder.path.basename }}',
      path: '{{ .folder.path.path }}',
      namespace: '{{ .owner }}-{{ index .env.path.segments 1 }}',
    },
    want: {
      'pp-dev-alpha': cm('team-a-dev', 'alpha'),
      'pp-dev-beta': cm('team-a-dev', 'beta'),
      'pp-us-alpha': cm('team-d-prod', 'alpha'),
      'pp-us-beta': cm('team-d-prod', 'beta'),
    },
  },
  {
    // fasttemplate: `<prefix>.path`, `<prefix>.path.basename`, `<prefix>.path[<n>]`.
    name: 'git.pathParamPrefix in fasttemplate: <prefix>.path, <prefix>.path.basename and <prefix>.path[n]',
    file: 'prefix-fast.yaml',
    goTemplate: false,
    generators: [
      `- git: {repoURL: ${ORIGIN}, revision: HEAD, pathParamPrefix: app, directories: [{path: apps/gamma}]}`,
    ],
    template: {name: 'pf-{{app.path.basename}}', path: '{{app.path}}', namespace: 'pf-{{app.path[0]}}'},
    want: {'pf-gamma': cm('pf-apps', 'gamma')},
  },
  {
    // appendTemplatedValues: each value rendered with the set's own parameters, as `.values.<key>`.
    name: 'git.values: each value rendered with the set (path and file keys), read as .values.<key>',
    file: 'values.yaml',
    goTemplate: true,
    generators: [
      `- git:`,
      `    repoURL: ${ORIGIN}`,
      '    revision: HEAD',
      "    files: [{path: 'envs/prod/*/app.yaml'}]",
      "    values: {region: '{{ .path.basename }}', team: '{{ .owner | upper }}', fixed: x}",
    ],
    template: {
      name: 'v-{{ .values.region }}-{{ .values.fixed }}',
      path: 'apps/{{ .app }}',
      namespace: '{{ .values.team | lower }}-v',
    },
    want: {'v-eu-x': cm('team-c-v', 'gamma'), 'v-us-x': cm('team-d-v', 'alpha')},
  },
  {
    // fasttemplate: `values.<key>`, rendered with the flattened file keys.
    name: 'git.values in fasttemplate: values.<key>, rendered with the flattened file keys',
    file: 'values-fast.yaml',
    goTemplate: false,
    generators: [
      `- git: {repoURL: ${ORIGIN}, revision: HEAD, files: [{path: envs/staging}], values: {ns: 'vf-{{owner}}'}}`,
    ],
    template: {name: 'vf-{{path.basename}}', path: 'apps/{{app}}', namespace: '{{values.ns}}'},
    want: {'vf-staging': cm('vf-team-b', 'beta')},
  },
  {
    // RenderGeneratorParams: a matrix's second child has its values pre-resolved with the first child's set
    // (missingkey=error; a missing key keeps the value as written), then rendered with its own.
    name: 'git.values in a matrix: pre-resolved with the first child, then rendered with the git set',
    file: 'values-matrix.yaml',
    goTemplate: true,
    generators: [
      '- matrix:',
      '    generators:',
      '      - list: {elements: [{cluster: east}]}',
      `      - git: {repoURL: ${ORIGIN}, revision: HEAD, directories: [{path: apps/beta}], values: {where: '{{ .cluster }}', app: '{{ .path.basename }}'}}`,
    ],
    template: {name: 'vm-{{ .values.where }}-{{ .values.app }}', path: 'apps/{{ .values.app }}', namespace: 'vm'},
    want: {'vm-east-beta': cm('vm', 'beta')},
  },
  {
    // list.go: elementsYaml unmarshalled (sigs.k8s.io/yaml) and appended; here the documented shape, a git file's
    // list passed through toJson by the matrix's interpolation.
    name: 'list.elementsYaml: the documented matrix of a git file and its list through toJson',
    file: 'elements-yaml.yaml',
    goTemplate: true,
    spec: ['goTemplateOptions: ["missingkey=error"]'],
    generators: [
      '- matrix:',
      '    generators:',
      `      - git: {repoURL: ${ORIGIN}, revision: HEAD, files: [{path: catalog/components.yaml}]}`,
      '      - list: {elementsYaml: "{{ .key.components | toJson }}"}',
    ],
    template: {
      name: 'ey-{{ .name }}-{{ get . "replicas" | default 1 }}',
      path: 'apps/{{ .name }}',
      namespace: '{{ .namespace }}',
    },
    want: {'ey-alpha-2': cm('ns-alpha', 'alpha'), 'ey-beta-1': cm('ns-beta', 'beta')},
  },
  {
    // list.go: `elements` first, then the elementsYaml items appended.
    name: 'list.elementsYaml in fasttemplate: its items appended after the elements',
    file: 'elements-yaml-fast.yaml',
    goTemplate: false,
    generators: ['- list:', '    elements: [{app: alpha}]', '    elementsYaml: "- app: beta\\n- {app: gamma}\\n"'],
    template: {name: 'eyf-{{app}}', path: 'apps/{{app}}', namespace: 'eyf'},
    want: {'eyf-alpha': cm('eyf', 'alpha'), 'eyf-beta': cm('eyf', 'beta'), 'eyf-gamma': cm('eyf', 'gamma')},
  },
  {
    name: 'applyNestedSelectors ignored (Argo CD 3.0+): a nested selector applies without it, with false and with true',
    ...nestedCase('unset', []),
  },
  {
    name: 'applyNestedSelectors: false, the nested selector applied',
    ...nestedCase('false', ['applyNestedSelectors: false']),
  },
  {
    name: 'applyNestedSelectors: true, the nested selector applied',
    ...nestedCase('true', ['applyNestedSelectors: true']),
  },
]

const appSet = (c: Case) =>
  [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: ApplicationSet',
    'metadata:',
    `  name: ${c.file.replace(/\.yaml$/, '')}`,
    '  namespace: argocd',
    'spec:',
    `  goTemplate: ${c.goTemplate}`,
    ...(c.spec ?? []).map((l) => `  ${l}`),
    '  generators:',
    ...c.generators.map((l) => `    ${l}`),
    '  template:',
    `    metadata: {name: '${c.template.name}'}`,
    '    spec:',
    '      project: default',
    `      source: {repoURL: ${ORIGIN}, targetRevision: HEAD, path: '${c.template.path}'}`,
    `      destination: {server: https://kubernetes.default.svc, namespace: '${c.template.namespace}'}`,
    '',
  ].join('\n')

interface Result {
  summary: string
  deployables: Array<{
    application?: string
    change: string
    objects: Array<{kind: string; name: string; namespace?: string}>
  }>
  failures: unknown[]
  verdict: {introduced: Array<{rule: string; file: string; message: string}>}
}

describe('ApplicationSet generator fields, each as argo-cd v3.5.1 generates them, through `gitops diff`', () => {
  let result: Result

  beforeAll(async () => {
    requireTool('kustomize')
    requireTool('helm')
    const repo = await history(files, Object.fromEntries(CASES.map((c) => [`argocd/${c.file}`, appSet(c)])))
    await git(repo, ['remote', 'set-url', 'origin', ORIGIN])
    result = (await diffLast<Result>(repo, toolEnv())).result
  }, 300_000)

  it('adds every generated Application and nothing else: no failure, nothing render-unavailable', () => {
    expect(result.failures).toEqual([])
    expect(result.verdict.introduced.filter((f) => f.rule === 'render-unavailable')).toEqual([])
    const want = CASES.flatMap((c) => Object.keys(c.want)).sort()
    expect(result.deployables.map((d) => d.application ?? '').sort()).toEqual(want)
    for (const d of result.deployables) expect(d.change).toBe('added')
  })

  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const prefix = Object.keys(c.want)[0].split('-')[0]
    const got = Object.fromEntries(
      result.deployables
        .filter((d) => d.application?.startsWith(`${prefix}-`))
        .map((d) => [d.application!, d.objects.map((o) => `${o.kind}/${o.namespace ?? ''}/${o.name}`).sort()]),
    )
    expect(got).toEqual(c.want)
  })
})
