/**
 * The parts of reading an Argo CD source that are rules rather than renders: Argo CD's glob (gobwas without
 * separators) for `directory.include`/`exclude`, Go's walk order, the JSON merge patch of `.argocd-source*.yaml`, and
 * `kustomize edit set image` arguments as images entries.
 */
import {describe, expect, it} from 'vitest'

import {argoGlob, selectDirectory, walkOrder} from '../../../src/gitops/argocd/directory/directory.js'
import {jsonnetSource, UNKNOWN_VARIABLES} from '../../../src/gitops/argocd/directory/jsonnet-source.js'
import {imageEntry, kustomizeEdits} from '../../../src/gitops/argocd/kustomize/kustomize-options.js'
import {mergePatch, overrideName, withOverrides} from '../../../src/gitops/argocd/application/overrides.js'
import type {DeployablesContext} from '../../../src/gitops/model/context.js'
import type {ArgoApplication} from '../../../src/gitops/model/types.js'

describe('Argo CD directory sources', () => {
  it('matches include/exclude as gobwas without separators: * crosses /, {a,b}, [!x], ?', () => {
    expect(argoGlob('*.yaml').test('sub/dir/a.yaml')).toBe(true)
    expect(argoGlob('{old/*,*.json}').test('old/deep/a.yaml')).toBe(true)
    expect(argoGlob('{old/*,*.json}').test('x/y.json')).toBe(true)
    expect(argoGlob('{old/*,*.json}').test('new/a.yaml')).toBe(false)
    expect(argoGlob('[!a]*.yaml').test('b.yaml')).toBe(true)
    expect(argoGlob('[!a]*.yaml').test('a.yaml')).toBe(false)
    expect(argoGlob('a?.yml').test('ab.yml')).toBe(true)
    expect(argoGlob('a.yml').test('aXyml')).toBe(false)
  })

  it('nested alternatives, escapes, classes; an unclosed brace or a bad class matches nothing', () => {
    expect(argoGlob('{a,b{c,d}}/*.yaml').test('bd/x.yaml')).toBe(true)
    expect(argoGlob('{a,b{c,d}}/*.yaml').test('b/x.yaml')).toBe(false)
    expect(argoGlob('\\*.yaml').test('*.yaml')).toBe(true)
    expect(argoGlob('\\*.yaml').test('a.yaml')).toBe(false)
    expect(argoGlob('[a-c]x').test('bx')).toBe(true)
    expect(argoGlob('a,b}').test('a,b}')).toBe(true)
    expect(argoGlob('{a').test('a')).toBe(false)
    expect(argoGlob('[z-a]').test('b')).toBe(false)
    expect(argoGlob('').test('')).toBe(true)
  })

  it("a pull request's pathological include (*a*a*…b) against a long name answers at once (no backtracking)", () => {
    const glob = argoGlob(`${'*a'.repeat(16)}*b`)
    expect(glob.test(`${'a'.repeat(200)}.yaml`)).toBe(false)
    expect(glob.test(`${'a'.repeat(200)}b`)).toBe(true)
  })

  it("orders files as Go's filepath.Walk visits them: a folder where its name sorts", () => {
    expect(['a.yaml', 'a/b.yaml', 'a-b.yaml'].sort(walkOrder)).toEqual(['a/b.yaml', 'a-b.yaml', 'a.yaml'])
  })

  it('selects the folder, its subfolders only with recurse, manifests by extension; jsonnet apart', () => {
    const files = new Set(['app/a.yaml', 'app/b.json', 'app/c.txt', 'app/sub/d.yml', 'app/e.jsonnet', 'other/f.yaml'])
    const ctx = {trackedFiles: [...files], files}
    expect(selectDirectory({}, 'app', ctx)).toEqual({
      manifests: ['app/a.yaml', 'app/b.json'],
      jsonnet: ['app/e.jsonnet'],
    })
    expect(selectDirectory({directory: {recurse: true, exclude: '*.json'}}, 'app', ctx).manifests).toEqual([
      'app/a.yaml',
      'app/sub/d.yml',
    ])
    expect(selectDirectory({directory: {recurse: true, include: 'sub/*'}}, 'app', ctx).manifests).toEqual([
      'app/sub/d.yml',
    ])
  })
})

describe('the jsonnet of a directory source', () => {
  const files = new Set(['app/main.jsonnet', 'app/x.yaml', 'vendor/k.libsonnet', 'other/o.yaml'])
  const ctx = {files, trackedFiles: [...files]} as unknown as DeployablesContext
  const app = {
    name: 'shop',
    spec: {project: 'team', destination: {namespace: 'web'}},
  } as unknown as ArgoApplication
  const source = {
    repoURL: 'https://github.com/acme/x.git',
    path: 'app',
    targetRevision: 'main',
    directory: {
      jsonnet: {
        tlas: [{name: 'a', value: 'x'}, {name: 'b', value: '1+1', code: true}, {name: 'n'}],
        extVars: [{name: 'e', value: '$ARGOCD_APP_NAME', code: false}],
        libs: ['vendor', 7],
      },
    },
  }

  it("reads tlas, extVars (code or string) and libs, and the repo-server's environment the Application gives", () => {
    const selection = selectDirectory(source, 'app', ctx)
    expect(selection).toEqual({manifests: ['app/x.yaml'], jsonnet: ['app/main.jsonnet']})
    expect(jsonnetSource(selection, source, 'app', app, ctx)).toEqual({
      jsonnet: {
        files: ['app/main.jsonnet'],
        tlas: [
          {name: 'a', value: 'x', code: false},
          {name: 'b', value: '1+1', code: true},
          {name: 'n', value: '', code: false},
        ],
        extVars: [{name: 'e', value: '$ARGOCD_APP_NAME', code: false}],
        libs: ['vendor'],
        env: {
          ARGOCD_APP_NAME: 'shop',
          ARGOCD_APP_NAMESPACE: 'web',
          ARGOCD_APP_PROJECT_NAME: 'team',
          ARGOCD_APP_SOURCE_REPO_URL: 'https://github.com/acme/x.git',
          ARGOCD_APP_SOURCE_PATH: 'app',
          ARGOCD_APP_SOURCE_TARGET_REVISION: 'main',
        },
      },
      // Its inputs: the folder and the libraries' folders.
      reads: ['app/main.jsonnet', 'app/x.yaml', 'vendor/k.libsonnet'],
    })
    expect(UNKNOWN_VARIABLES).toEqual([
      'ARGOCD_APP_REVISION',
      'ARGOCD_APP_REVISION_SHORT',
      'ARGOCD_APP_REVISION_SHORT_8',
    ])
  })

  it('a folder without .jsonnet files has no jsonnet', () => {
    const plain = {...source, path: 'other'}
    expect(jsonnetSource(selectDirectory(plain, 'other', ctx), plain, 'other', app, ctx)).toEqual({reads: []})
  })
})

describe('.argocd-source overrides', () => {
  it('merges as RFC 7396: maps key by key, lists replaced, null deletes', () => {
    expect(
      mergePatch({helm: {parameters: [{name: 'a'}], valueFiles: ['x']}}, {helm: {parameters: [], valueFiles: null}}),
    ).toEqual({helm: {parameters: []}})
  })

  it('merges .argocd-source.yaml, then .argocd-source-<app>.yaml; keeps path, repoURL, chart, targetRevision', async () => {
    const yaml = await import('yaml')
    const texts: Record<string, string> = {
      'app/.argocd-source.yaml': 'path: elsewhere\nhelm:\n  releaseName: shared\n  valueFiles: [a.yaml]\n',
      'app/.argocd-source-web.yaml': 'helm:\n  releaseName: web-1\n',
    }
    const merged = withOverrides({path: 'app', repoURL: 'r', helm: {}}, 'app', 'web', (f) => texts[f], yaml)
    expect(merged).toEqual({
      source: {path: 'app', repoURL: 'r', helm: {releaseName: 'web-1', valueFiles: ['a.yaml']}},
      files: ['app/.argocd-source.yaml', 'app/.argocd-source-web.yaml'],
    })
    expect(withOverrides({path: 'app'}, 'app', 'web', () => '- a\n', yaml).error).toMatch(/not a YAML mapping/)
    expect(overrideName('web', 'argocd')).toBe('web')
    expect(overrideName('web', 'team-a')).toBe('team-a_web')
  })
})

describe('kustomize options of an Application', () => {
  it('reads kustomize edit set image arguments', () => {
    expect(imageEntry('nginx:1.27')).toEqual({name: 'nginx', newTag: '1.27'})
    expect(imageEntry('nginx=ghcr.io/acme/nginx:2@sha256:abc')).toEqual({
      name: 'nginx',
      newName: 'ghcr.io/acme/nginx',
      newTag: '2',
      digest: 'sha256:abc',
    })
    expect(imageEntry('registry:5000/app@sha256:abc')).toEqual({name: 'registry:5000/app', digest: 'sha256:abc'})
    expect(kustomizeEdits({images: ['a:1'], namePrefix: 'p-', commonLabels: {}})).toEqual({
      namePrefix: 'p-',
      images: [{name: 'a', newTag: '1'}],
    })
  })
})
