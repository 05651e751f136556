/**
 * ApplicationSets evaluated offline (src/gitops/argocd/applicationset/): each test names the Argo CD rule it
 * relies on (argoproj/argo-cd applicationset/generators/*.go, applicationset/utils/utils.go,
 * applicationset/controllers/template/*.go; docs/operator-manual/applicationset/*.md).
 */
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'
import * as yaml from 'yaml'

import {DEFAULT_GITOPS_POLICY} from '../../../../src/core/config.js'
import {sharedTemplateEngine} from '../../../../src/effects/gotemplate/index.js'
import {expandApplicationSet, pathspecMatches} from '../../../../src/gitops/argocd/applicationset/index.js'
import {linedDocuments} from '../../../../src/gitops/kubernetes/yaml-lines.js'
import type {ApplicationSetExpansion, ExpansionContext} from '../../../../src/gitops/model/types.js'
import {runCli} from '../../../support/cli.js'
import {assertMatchesSchema} from '../../../support/schema.js'
import {commitAll, git, initGitRepo, makeTempDir, runCleanups} from '../../../support/tmp.js'

afterAll(runCleanups)

const THIS_REPO = 'https://github.com/acme/gitops.git'

/** A real git repository with `files` committed (and `untracked` written but not added). */
async function checkout(files: Record<string, string>, untracked: Record<string, string> = {}) {
  const root = await makeTempDir('ameide-appset-')
  await initGitRepo(root)
  const write = async (rel: string, text: string) => {
    await mkdir(path.dirname(path.join(root, rel)), {recursive: true})
    await writeFile(path.join(root, rel), text)
  }
  for (const [rel, text] of Object.entries(files)) await write(rel, text)
  await commitAll(root, 'fixture')
  for (const [rel, text] of Object.entries(untracked)) await write(rel, text)
  const tracked = (await git(root, ['ls-files', '-z'])).split('\0').filter(Boolean).sort()
  const texts = new Map<string, string>()
  for (const f of tracked) texts.set(f, await readFile(path.join(root, f), 'utf8'))
  const ctx: ExpansionContext = {
    trackedFiles: tracked,
    isThisRepository: (url) => url.replace(/\.git$/, '') === THIS_REPO.replace(/\.git$/, ''),
    readText: (f) => texts.get(f),
    templateEngine: sharedTemplateEngine,
    maxApplications: DEFAULT_GITOPS_POLICY.maxApplications,
  }
  const expand = (file: string): ApplicationSetExpansion => {
    const [doc] = linedDocuments(yaml, texts.get(file)!)
    return expandApplicationSet(ctx, {file, text: doc.text, lineOf: doc.lineOf})
  }
  return {root, ctx, expand, texts}
}

/** The 1-based line of the first line of `text` containing `needle`. */
const lineWith = (text: string, needle: string): number => text.split('\n').findIndex((l) => l.includes(needle)) + 1

const COMPONENTS_APPSET = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: components
  namespace: argocd
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
    - git:
        repoURL: ${THIS_REPO}
        revision: HEAD
        files:
          - path: environments/**/component.yaml
  template:
    metadata:
      name: '{{ .name }}-{{ index .path.segments 1 }}'
      namespace: elsewhere
    spec:
      project: default
      source:
        repoURL: ${THIS_REPO}
        targetRevision: HEAD
        path: '{{ .chart }}'
        helm:
          releaseName: '{{ .name }}'
          valueFiles:
            - /sources/values/_shared/apps/{{ .name }}.yaml
            - /sources/values/env/{{ index .path.segments 1 }}/apps/{{ .name }}.yaml
          ignoreMissingValueFiles: true
      destination:
        server: https://kubernetes.default.svc
        namespace: '{{ get . "namespace" | default (printf "%s-%s" .name (index .path.segments 1)) }}'
`

const COMPONENT_FILES = {
  'environments/dev/components/web/component.yaml': 'name: web\nchart: sources/charts/apps/web\n',
  'environments/staging/components/web/component.yaml':
    'name: web\nchart: sources/charts/apps/web\nnamespace: web-stg\n',
  'environments/staging/components/api/component.yaml': 'name: api\nchart: sources/charts/apps/api\n',
}

describe('git files generator over environments/**/component.yaml (the design documents\u2019 layout)', () => {
  it('deploys each component per environment, valueFiles layered _shared then env/<env>', async () => {
    const {expand, texts} = await checkout(
      {
        'argocd/applicationsets/components.yaml': COMPONENTS_APPSET,
        ...COMPONENT_FILES,
        // `**/` needs a directory between: the pathspec does not list environments/component.yaml (measured).
        'environments/component.yaml': 'name: stray\nchart: x\n',
      },
      // Rule (git.go → repo-server `git ls-files`): only tracked files are listed.
      {'environments/prod/components/web/component.yaml': 'name: web\nchart: sources/charts/apps/web\n'},
    )
    const text = texts.get('argocd/applicationsets/components.yaml')!
    const out = expand('argocd/applicationsets/components.yaml')
    expect(out.errors).toEqual([])
    // Rule (text/template missingkey=error): `.namespace | default …` still fails on a file without `namespace`.
    const strict = (
      await checkout({'a.yaml': text.replace('get . "namespace"', '.namespace'), ...COMPONENT_FILES})
    ).expand('a.yaml')
    expect(strict.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/map has no entry for key "namespace"/),
      expect.stringMatching(/map has no entry for key "namespace"/),
    ])
    expect(out.notRendered).toEqual([])
    // Rule (git.go): file paths sorted; one param set per file.
    expect(out.applications.map((a) => [a.name, a.environment])).toEqual([
      ['web-dev', 'dev'],
      ['api-staging', 'staging'],
      ['web-staging', 'staging'],
    ])
    const [web] = out.applications
    // Rule (template.go): the Application's namespace is the ApplicationSet's, whatever the template says.
    expect(web.namespace).toBe('argocd')
    expect(web.file).toBe('argocd/applicationsets/components.yaml')
    expect(web.line).toBe(1)
    const source = web.spec.source as {path: string; helm: {valueFiles: string[]; releaseName: string}}
    expect(source.path).toBe('sources/charts/apps/web')
    expect(source.helm.valueFiles).toEqual([
      '/sources/values/_shared/apps/web.yaml',
      '/sources/values/env/dev/apps/web.yaml',
    ])
    expect((web.spec.destination as {namespace: string}).namespace).toBe('web-dev')
    expect((out.applications[2].spec.destination as {namespace: string}).namespace).toBe('web-stg')
    // Rule (git.go, goTemplate): the file's content stays nested, plus path.{path,basename,filename,…,segments}.
    expect(web.generatedBy).toEqual({
      applicationSet: 'components',
      params: {
        name: 'web',
        chart: 'sources/charts/apps/web',
        path: {
          path: 'environments/dev/components/web',
          basename: 'web',
          filename: 'component.yaml',
          basenameNormalized: 'web',
          filenameNormalized: 'component.yaml',
          segments: ['environments', 'dev', 'components', 'web'],
        },
      },
    })
    // The line of the template field that produced each value.
    expect(web.lineOf(['source', 'helm', 'valueFiles', 1])).toBe(lineWith(text, '/sources/values/env/'))
    expect(web.lineOf(['source', 'path'])).toBe(lineWith(text, "path: '{{ .chart }}'"))
    expect(web.lineOf(['source', 'helm', 'releaseName'])).toBe(lineWith(text, 'releaseName'))
  })

  it('matches files with git pathspec semantics, checked against the real `git ls-files`', async () => {
    // Rule (util/git/client.go LsFiles): `git ls-files --full-name -- <pattern>`; `*` crosses `/` in a pathspec.
    const files = {
      'environments/dev/component.yaml': 'a: 1\n',
      'environments/dev/a/component.yaml': 'a: 1\n',
      'environments/component.yaml': 'a: 1\n',
      'environments/staging/web/config.json': '{}\n',
      'environments/st[a]ge/x.yaml': 'a: 1\n',
      'other/environments/dev/component.yaml': 'a: 1\n',
    }
    const {root, ctx} = await checkout(files)
    for (const pattern of [
      'environments/*/component.yaml',
      'environments/**/component.yaml',
      'environments',
      'environments/dev',
      'environments/*.yaml',
      'environments/?ev/*',
      'environments/[sd]*/*.json',
      '*/component.yaml',
      'environments/dev/component.yaml',
      'environments/[!s]*/component.yaml',
      'environments/st\\[a]ge/*',
      '*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*z',
    ]) {
      const listed = (await git(root, ['ls-files', '--full-name', '-z', '--', pattern]))
        .split('\0')
        .filter(Boolean)
        .sort()
      expect([pattern, ctx.trackedFiles.filter((f) => pathspecMatches(pattern, f))]).toEqual([pattern, listed])
    }
  })

  it('lists each item of a file holding a list, and fails on a file that is neither', async () => {
    // Rule (git.go generateParamsFromGitFile): an object, else a list of objects; an empty file is one empty set.
    const appset = COMPONENTS_APPSET.replace('environments/**/component.yaml', 'teams/*.yaml')
      .replace("name: '{{ .name }}-{{ index .path.segments 1 }}'", "name: '{{ .name }}-{{ .path.filenameNormalized }}'")
      .replaceAll('(index .path.segments 1)', '.path.basename')
      .replaceAll('{{ index .path.segments 1 }}', '{{ .path.basename }}')
    const {expand} = await checkout({
      'appset.yaml': appset.replace('missingkey=error', 'missingkey=default'),
      'teams/a.yaml': '- name: one\n  chart: c1\n- name: two\n  chart: c2\n',
      'teams/b.yaml': '',
    })
    const out = expand('appset.yaml')
    expect(out.errors).toEqual([])
    expect(out.applications.map((a) => a.name)).toEqual(['one-a.yaml', 'two-a.yaml', '<no value>-b.yaml'])
    const bad = await checkout({'appset.yaml': appset, 'teams/a.yaml': 'just a scalar\n'})
    const failed = bad.expand('appset.yaml')
    expect(failed.applications).toEqual([])
    expect(failed.errors[0].message).toMatch(/unable to process file 'teams\/a.yaml'/)
  })
})

describe('matrix, merge and fasttemplate', () => {
  it('matrix of git directories × list, in fasttemplate (flattened keys, unknown tags left verbatim)', async () => {
    const appset = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: charts
  namespace: argocd
spec:
  generators:
    - matrix:
        generators:
          - git:
              repoURL: git@github.com:acme/gitops
              revision: HEAD
              directories:
                - path: sources/charts/apps/*
                - path: sources/charts/apps/legacy
                  exclude: true
          - list:
              elements:
                - env: dev
                - env: production
  template:
    metadata:
      name: '{{path.basename}}-{{ env }}'
    spec:
      project: default
      source:
        repoURL: git@github.com:acme/gitops
        path: '{{path}}'
        helm:
          valueFiles:
            - values.yaml
            - '../../../values/env/{{env}}/{{path[3]}}.yaml'
            - '{{ nme }}.yaml'
      destination:
        namespace: '{{path.basenameNormalized}}'
`
    const {expand} = await checkout({
      'appset.yaml': appset,
      'sources/charts/apps/web/Chart.yaml': 'name: web\n',
      'sources/charts/apps/web/templates/deploy.yaml': 'x: 1\n',
      'sources/charts/apps/Api_Server/Chart.yaml': 'name: api\n',
      'sources/charts/apps/legacy/Chart.yaml': 'name: legacy\n',
      'sources/charts/apps/.hidden/Chart.yaml': 'name: hidden\n',
    })
    // isThisRepository is given the https spelling only: the ssh spelling is another repository.
    const other = expand('appset.yaml')
    expect(other.applications).toEqual([])
    expect(other.notRendered).toEqual([
      expect.objectContaining({
        applicationSet: 'charts',
        generator: 'matrix.git',
        why: expect.stringMatching(/another repository/),
      }),
    ])
    const {expand: expand2} = await checkout({
      'appset.yaml': appset.replaceAll('git@github.com:acme/gitops', THIS_REPO),
      'sources/charts/apps/web/Chart.yaml': 'name: web\n',
      'sources/charts/apps/web/templates/deploy.yaml': 'x: 1\n',
      'sources/charts/apps/Api_Server/Chart.yaml': 'name: api\n',
      'sources/charts/apps/legacy/Chart.yaml': 'name: legacy\n',
      'sources/charts/apps/.hidden/Chart.yaml': 'name: hidden\n',
    })
    const out = expand2('appset.yaml')
    expect(out.errors).toEqual([])
    // Rule (git.go directories): path.Match, `*` is one segment (templates/ is not listed); exclude wins; hidden skipped.
    // Rule (matrix.go): every set of the first child × every set of the second.
    expect(out.applications.map((a) => [a.name, a.environment])).toEqual([
      ['Api_Server-dev', 'dev'],
      ['Api_Server-production', 'production'],
      ['web-dev', 'dev'],
      ['web-production', 'production'],
    ])
    const api = out.applications[0]
    const source = api.spec.source as {path: string; helm: {valueFiles: string[]}}
    expect(source.path).toBe('sources/charts/apps/Api_Server')
    // Rule (utils.go Replace, fasttemplate): `{{ nme }}` is no parameter: left as written.
    expect(source.helm.valueFiles).toEqual(['values.yaml', '../../../values/env/dev/Api_Server.yaml', '{{ nme }}.yaml'])
    expect((api.spec.destination as {namespace: string}).namespace).toBe('api-server')
  })

  it('matrix: the second child reads the first child\u2019s params; in goTemplate the first child wins a conflict', async () => {
    const appset = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: per-app, namespace: argocd}
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
    - matrix:
        generators:
          - git:
              repoURL: ${THIS_REPO}
              directories: [{path: apps/*}]
          - git:
              repoURL: ${THIS_REPO}
              files: [{path: '{{ .path.path }}/envs/*.yaml'}]
  template:
    metadata: {name: '{{ .path.basename }}-{{ .environment }}'}
    spec:
      project: default
      source: {repoURL: ${THIS_REPO}, path: '{{ .path.path }}', helm: {valueFiles: ['envs/{{ .environment }}.yaml']}}
      destination: {namespace: '{{ .path.basename }}'}
`
    const {expand} = await checkout({
      'appset.yaml': appset,
      'apps/web/envs/dev.yaml': 'environment: dev\n',
      'apps/web/envs/prod.yaml': 'environment: prod\n',
      'apps/api/envs/dev.yaml': 'environment: dev\n',
    })
    const out = expand('appset.yaml')
    expect(out.errors).toEqual([])
    expect(out.applications.map((a) => [a.name, a.environment, (a.spec.source as {path: string}).path])).toEqual([
      ['api-dev', 'dev', 'apps/api'],
      ['web-dev', 'dev', 'apps/web'],
      ['web-prod', 'prod', 'apps/web'],
    ])
  })

  it('merge: later children override the base sets with equal merge keys; fasttemplate flattens file content', async () => {
    const appset = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: merged, namespace: argocd}
spec:
  generators:
    - merge:
        mergeKeys: [path.basename]
        generators:
          - git:
              repoURL: ${THIS_REPO}
              files: [{path: 'clusters/*/config.yaml'}]
          - list:
              elements:
                - path.basename: staging
                  image.tag: pinned
  template:
    metadata: {name: '{{path.basename}}'}
    spec:
      project: default
      source:
        repoURL: ${THIS_REPO}
        path: charts/app
        helm:
          parameters:
            - {name: image.tag, value: '{{image.tag}}'}
            - {name: replicas, value: '{{replicas}}'}
            - {name: first, value: '{{zones.0}}'}
      destination: {namespace: '{{environment}}'}
`
    const {expand} = await checkout({
      'appset.yaml': appset,
      'clusters/dev/config.yaml': 'environment: dev\nimage: {tag: latest}\nreplicas: 1000000\nzones: [a, b]\n',
      'clusters/staging/config.yaml': 'environment: staging\nimage: {tag: latest}\nreplicas: 2\nzones: [c]\n',
    })
    const out = expand('appset.yaml')
    expect(out.errors).toEqual([])
    const values = out.applications.map((a) => [
      a.name,
      a.environment,
      (a.spec.source as {helm: {parameters: Array<{value: string}>}}).helm.parameters.map((p) => p.value),
    ])
    // Rule (git.go, fasttemplate): content flattened to dot keys, each value Go `%v` (a float64 1000000 is 1e+06).
    // Rule (merge.go): the set whose `path.basename` equals the list element's takes the element's keys.
    expect(values).toEqual([
      ['dev', 'dev', ['latest', '1e+06', 'a']],
      ['staging', 'staging', ['pinned', '2', 'c']],
    ])
    // Rule (merge.go getParamSetsByMergeKey): two sets with the same merge-key values fail the generator.
    const dup = await checkout({
      'appset.yaml': appset.replace('mergeKeys: [path.basename]', 'mergeKeys: [image.tag]'),
      'clusters/dev/config.yaml': 'environment: dev\nimage: {tag: latest}\n',
      'clusters/staging/config.yaml': 'environment: staging\nimage: {tag: latest}\n',
    })
    const failed = dup.expand('appset.yaml')
    expect(failed.applications).toEqual([])
    expect(failed.errors[0].message).toMatch(/not unique by the given mergeKeys/)
  })

  it('a generator-level template is merged over spec.template, and a selector filters on the flattened params', async () => {
    const appset = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: selected, namespace: argocd}
spec:
  goTemplate: true
  generators:
    - list:
        elements:
          - {name: web, tier: {level: front}}
          - {name: db, tier: {level: back}}
        template:
          metadata: {}
          spec:
            project: ''
            source: {repoURL: ${THIS_REPO}, path: 'generator/{{ .name }}'}
      selector:
        matchExpressions:
          - {key: tier.level, operator: In, values: [front]}
  template:
    metadata: {name: '{{ .name }}'}
    spec:
      project: default
      source: {repoURL: ${THIS_REPO}, path: 'base/{{ .name }}'}
      destination: {namespace: apps}
`
    const {expand, texts} = await checkout({'appset.yaml': appset})
    const out = expand('appset.yaml')
    expect(out.errors).toEqual([])
    // Rule (generator_spec_processor.go): mergo fills the generator template's empty fields from spec.template.
    expect(out.applications.map((a) => [a.name, a.spec.project, (a.spec.source as {path: string}).path])).toEqual([
      ['web', 'default', 'generator/web'],
    ])
    expect(out.applications[0].lineOf(['source', 'path'])).toBe(
      lineWith(texts.get('appset.yaml')!, "path: 'generator/"),
    )
    expect(out.applications[0].lineOf(['destination', 'namespace'])).toBe(
      lineWith(texts.get('appset.yaml')!, 'namespace: apps'),
    )
  })
})

describe('goTemplate: templatePatch, missingkey=error, unsupported functions', () => {
  const appset = (extra: string, options = '["missingkey=error"]') => `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: patched, namespace: argocd}
spec:
  goTemplate: true
  goTemplateOptions: ${options}
  generators:
    - list:
        elements:
          - name: web
            env: staging
            autoSync: true
            valueFiles: [values.yaml, values-staging.yaml]
  template:
    metadata: {name: '{{ .name }}'}
    spec:
      project: default
      source:
        repoURL: ${THIS_REPO}
        path: charts/{{ .name | lower }}
        helm:
          valueFiles: [base.yaml]
      destination: {namespace: '{{ .name }}'}
${extra}`

  it('templatePatch is rendered as text, parsed as YAML and merged: lists replaced, spec.project kept', async () => {
    const text = appset(`  templatePatch: |
    spec:
      project: attacker
      source:
        helm:
          valueFiles:
          {{- range .valueFiles }}
            - {{ . }}
          {{- end }}
    {{- if .autoSync }}
      syncPolicy:
        automated: {prune: true}
    {{- end }}
`)
    const {expand} = await checkout({'appset.yaml': text})
    const out = expand('appset.yaml')
    expect(out.errors).toEqual([])
    const [app] = out.applications
    // Rule (patch.go): strategic merge patch; the Application type declares no merge keys, so lists are replaced.
    expect((app.spec.source as {helm: {valueFiles: string[]}}).helm.valueFiles).toEqual([
      'values.yaml',
      'values-staging.yaml',
    ])
    expect((app.spec.source as {path: string}).path).toBe('charts/web')
    expect(app.spec.syncPolicy).toEqual({automated: {prune: true}})
    // Rule (patch.go): "Prevent changes to the `project` field".
    expect(app.spec.project).toBe('default')
    expect(app.environment).toBe('staging')
    // A value the patch introduced points at the templatePatch; one it left points at the template.
    const patchLine = lineWith(text, 'templatePatch:')
    expect(app.lineOf(['source', 'helm', 'valueFiles', 1])).toBe(patchLine)
    expect(app.lineOf(['syncPolicy', 'automated', 'prune'])).toBe(patchLine)
    expect(app.lineOf(['source', 'path'])).toBe(lineWith(text, 'path: charts/'))
  })

  it('an empty or null templatePatch leaves the Application as the template renders it (it crashed the diff)', async () => {
    // Rule (patch.go applyTemplatePatch): "" and "null" convert to the JSON null, and k8s StrategicMergePatch with a
    // null patch returns the original.
    const plain = (await checkout({'appset.yaml': appset('')})).expand('appset.yaml')
    for (const patch of [
      "  templatePatch: ''\n",
      '  templatePatch: "null"\n',
      '  templatePatch: "{{- if false }}x{{ end }}"\n',
    ]) {
      const out = (await checkout({'appset.yaml': appset(patch)})).expand('appset.yaml')
      expect(out.errors).toEqual([])
      expect(out.applications.map((a) => a.spec)).toEqual(plain.applications.map((a) => a.spec))
    }
  })

  it('missingkey=error fails the ApplicationSet on an unknown key; without it Go prints <no value>', async () => {
    const typo = appset('').replace("namespace: '{{ .name }}'", "namespace: '{{ .nmae }}'")
    const strict = (await checkout({'appset.yaml': typo})).expand('appset.yaml')
    // Rule (utils.go Replace: text/template Option("missingkey=error")): an absent key is an execution error,
    // and the controller generates nothing for the ApplicationSet (template.go returns the first error).
    expect(strict.applications).toEqual([])
    expect(strict.errors).toEqual([
      expect.objectContaining({
        applicationSet: 'patched',
        file: 'appset.yaml',
        message: expect.stringMatching(/map has no entry for key "nmae"/),
      }),
    ])
    // Rule (GenerateApplications decodes the template into Argo CD's types): a field they do not declare is
    // dropped before rendering, so its template never runs.
    const undeclared = appset('').replace(
      '      project: default',
      "      project: default\n      bogus: '{{ .nmae }}'",
    )
    const dropped = (await checkout({'appset.yaml': undeclared})).expand('appset.yaml')
    expect(dropped.errors).toEqual([])
    expect(dropped.applications[0].spec).not.toHaveProperty('bogus')
    const loose = (await checkout({'appset.yaml': typo.replace('["missingkey=error"]', '[]')})).expand('appset.yaml')
    expect(loose.errors).toEqual([])
    expect((loose.applications[0].spec.destination as {namespace: string}).namespace).toBe('<no value>')
  })

  it('every sprig function renders as Go renders it; a name Argo CD does not define fails as Go\u2019s parser does', async () => {
    // Rule (utils.go): the function map is sprig's GenericFuncMap plus normalize/slugify/toYaml/fromYaml.
    const text = appset('').replace(
      'charts/{{ .name | lower }}',
      `'{{ regexReplaceAll "w" .name "W" | sha256sum | trunc 8 }}'`,
    )
    const out = (await checkout({'appset.yaml': text})).expand('appset.yaml')
    expect(out.errors).toEqual([])
    // sha256("Web") = 29751047…: Go's own crypto through sprig.
    expect((out.applications[0].spec.source as {path: string}).path).toBe('29751047')
    for (const fn of ['shout', 'include', 'env', 'expandenv', 'getHostByName']) {
      const unknown = appset('').replace('charts/{{ .name | lower }}', `'{{ ${fn} .name }}'`)
      expect((await checkout({'appset.yaml': unknown})).expand('appset.yaml').errors[0].message).toMatch(
        new RegExp(`function "${fn}" not defined`),
      )
    }
  })
})

describe('generators that need a cluster or an API', () => {
  it('lists pullRequest (also inside a matrix) and clusters as not rendered, and still expands the rest', async () => {
    const text = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: previews, namespace: argocd}
spec:
  goTemplate: true
  generators:
    - pullRequest:
        github: {owner: acme, repo: web}
    - matrix:
        generators:
          - clusters: {}
          - pullRequest:
              github: {owner: acme, repo: web}
    - list:
        elements: [{name: steady}]
  template:
    metadata: {name: '{{ .name }}'}
    spec:
      project: default
      source: {repoURL: ${THIS_REPO}, path: 'apps/{{ .name }}'}
      destination: {namespace: apps}
`
    const out = (await checkout({'appset.yaml': text})).expand('appset.yaml')
    expect(out.errors).toEqual([])
    expect(out.applications.map((a) => a.name)).toEqual(['steady'])
    // Rule (pull_request.go / cluster.go): these read the SCM API or cluster Secrets: nothing offline.
    expect(out.notRendered).toEqual([
      {
        file: 'appset.yaml',
        line: lineWith(text, '- pullRequest:'),
        applicationSet: 'previews',
        generator: 'pullRequest',
        why: expect.stringMatching(/SCM provider API/),
      },
      {
        file: 'appset.yaml',
        line: lineWith(text, '- clusters:'),
        applicationSet: 'previews',
        generator: 'matrix.clusters',
        why: expect.stringMatching(/cluster/),
      },
    ])
  })
})

describe('gitops verify --print-layout lists what each ApplicationSet generates (the built CLI)', () => {
  it('names, environments, chart paths and valueFiles, and the generators not rendered, in text and --json', async () => {
    const previews = `---
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: previews, namespace: argocd}
spec:
  goTemplate: true
  generators:
    - pullRequest: {github: {owner: acme, repo: web}}
  template:
    metadata: {name: 'pr-{{ .number }}'}
    spec: {project: default, source: {repoURL: ${THIS_REPO}, path: apps/web}, destination: {namespace: pr}}
`
    const {root} = await checkout({
      'argocd/applicationsets/components.yaml': COMPONENTS_APPSET + previews,
      ...COMPONENT_FILES,
    })
    await git(root, ['remote', 'add', 'origin', 'git@github.com:acme/gitops.git'])
    const run = await runCli(['gitops', 'verify', '--print-layout', '--json'], {cwd: root})
    expect(run.exitCode, run.stderr).toBe(0)
    const result = run.json()
    assertMatchesSchema('gitops-verify.schema.json', result)
    // Rule (git.go): the ssh spelling of the origin is the same repository as the https repoURL.
    expect(result.layout.applicationSets).toEqual([
      {
        file: 'argocd/applicationsets/components.yaml',
        line: 1,
        name: 'components',
        applications: [
          {
            name: 'web-dev',
            environment: 'dev',
            // Rule (template.go, utils.go RenderTemplateParams): the ApplicationSet's namespace, and Argo CD's
            // resources finalizer when the template names none.
            metadata: {name: 'web-dev', namespace: 'argocd', finalizers: ['resources-finalizer.argocd.argoproj.io']},
            spec: expect.objectContaining({
              project: 'default',
              destination: {server: 'https://kubernetes.default.svc', namespace: 'web-dev'},
            }),
            sources: [
              {
                repoURL: THIS_REPO,
                path: 'sources/charts/apps/web',
                valueFiles: ['/sources/values/_shared/apps/web.yaml', '/sources/values/env/dev/apps/web.yaml'],
              },
            ],
          },
          expect.objectContaining({name: 'api-staging', environment: 'staging'}),
          expect.objectContaining({name: 'web-staging', environment: 'staging'}),
        ],
        notRendered: [],
        errors: [],
      },
      {
        file: 'argocd/applicationsets/components.yaml',
        line: COMPONENTS_APPSET.split('\n').length + 1,
        name: 'previews',
        applications: [],
        notRendered: [
          {
            line: COMPONENTS_APPSET.split('\n').length + 7,
            generator: 'pullRequest',
            why: expect.stringMatching(/pull requests/),
          },
        ],
        errors: [],
      },
    ])
    const text = await runCli(['gitops', 'verify', '--print-layout'], {cwd: root})
    expect(text.exitCode, text.stderr).toBe(0)
    expect(text.stdout).toContain('ApplicationSets (evaluated offline)')
    expect(text.stdout).toMatch(
      /web-dev\s+dev\s+sources\/charts\/apps\/web values \/sources\/values\/_shared\/apps\/web.yaml, \/sources\/values\/env\/dev\/apps\/web.yaml/,
    )
    expect(text.stdout).toMatch(/not rendered pullRequest \(line \d+\): lists open pull requests/)
  })
})

describe('bounds: an ApplicationSet cannot hold the gate', () => {
  it('a template that would run without end, and a matrix that multiplies past the bound, are errors', async () => {
    const text = (name: string, elements: string) => `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: big, namespace: argocd}
spec:
  goTemplate: true
  generators:
    - matrix:
        generators:
          - list: {elementsYaml: '${elements}'}
          - list: {elementsYaml: '${elements}'}
  template:
    metadata: {name: '${name}'}
    spec: {project: default, source: {repoURL: ${THIS_REPO}, path: x}, destination: {namespace: x}}
`
    const loop = (await checkout({'a.yaml': text('{{ range 100000000 }}x{{ end }}', '[{n: 1}]')})).expand('a.yaml')
    expect(loop.applications).toEqual([])
    // Go ranges over an int; an output past 1.5 MiB (etcd's object limit) is an error, not a held gate.
    expect(loop.errors[0].message).toMatch(/the output is larger than 1572864 bytes/)
    const wide = (
      await checkout({
        'a.yaml': text('{{ .a }}', '[' + Array.from({length: 142}, (_, i) => `{a${i}: x}`).join(', ') + ']'),
      })
    ).expand('a.yaml')
    expect(wide.applications).toEqual([])
    expect(wide.errors[0].message).toMatch(/more than 20000 parameter sets/)
  })
})

describe('duplicate Application names (controllers/applicationset_controller.go validateGeneratedApplications)', () => {
  it('two parameter sets that render one name: an error at the template name, and no Application applied', async () => {
    const text = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: twins, namespace: argocd}
spec:
  goTemplate: true
  generators:
    - list:
        elements:
          - {env: dev}
          - {env: prod}
  template:
    metadata:
      name: 'web'
    spec: {project: default, source: {repoURL: ${THIS_REPO}, path: 'env/{{ .env }}'}, destination: {namespace: x}}
`
    const expansion = (await checkout({'twins.yaml': text})).expand('twins.yaml')
    expect(expansion.errors).toEqual([
      {
        file: 'twins.yaml',
        line: lineWith(text, "name: 'web'"),
        applicationSet: 'twins',
        message: 'ApplicationSet twins contains applications with duplicate name: web',
      },
    ])
    expect(expansion.applications).toEqual([])
  })
})
