/**
 * Objects as the API server scopes them: a custom kind's scope comes from its CustomResourceDefinition wherever the
 * revision keeps it (not only one rendered beside it), a changed CRD scope re-renders what it reaches, and a kind
 * whose scope nothing known says is given no namespace and is said to be of unknown scope, in the JSON (`scope`)
 * and the human output. Real git, the built CLI.
 */
import {mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import * as YAML from 'yaml'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {crdScopesDigest, crdScopesOf} from '../../../src/gitops/kubernetes/crd-scopes.js'
import {scopeOf} from '../../../src/gitops/kubernetes/scope.js'

import {runCli} from '../../support/cli.js'
import {diffLast, history} from '../../support/diff-repo.js'
import {makeTempDir, runCleanups} from '../../support/tmp.js'
import {toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

type Result = {
  summary: string
  deployables: Array<{objects: Array<{change: string; kind: string; namespace?: string; name: string; scope?: string}>}>
  failures: unknown[]
}

let env: Record<string, string | undefined>
beforeAll(() => {
  env = toolEnv()
})

const ORIGIN = 'https://github.com/example/fleet.git'
const application = (namespace: string) =>
  [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata: {name: web, namespace: argocd}',
    'spec:',
    '  project: default',
    `  source: {repoURL: '${ORIGIN}', targetRevision: HEAD, path: apps/web}`,
    `  destination: {server: https://kubernetes.default.svc, namespace: ${namespace}}`,
    '',
  ].join('\n')
const object = (apiVersion: string, kind: string, name: string, spec = '{}') =>
  `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: ${name}}\nspec: ${spec}\n`
const crd = (scope: string) =>
  [
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    'metadata: {name: widgets.example.com}',
    'spec:',
    '  group: example.com',
    '  names: {kind: Widget, plural: widgets}',
    `  scope: ${scope}`,
    '  versions: [{name: v1, served: true, storage: true}]',
    '',
  ].join('\n')

const changes = (r: Result) =>
  r.deployables.flatMap((d) => d.objects.map((o) => `${o.change} ${o.kind} ${o.namespace ?? '-'}/${o.name}`)).sort()

describe("a custom kind's scope from its CRD elsewhere in the revision (crds/, applied by something else)", () => {
  const files = (namespace: string, scope: string) => ({
    'argocd/web.yaml': application(namespace),
    'crds/widgets.yaml': crd(scope),
    'apps/web/cm.yaml': object('v1', 'ConfigMap', 'settings'),
    'apps/web/widget.yaml': object('example.com/v1', 'Widget', 'w'),
  })

  it('Namespaced: the Widget moves with the destination namespace, as the ConfigMap does', async () => {
    const repo = await history(files('web', 'Namespaced'), {'argocd/web.yaml': application('web-2')})
    const {exitCode, stderr, result} = await diffLast<Result>(repo, env)
    expect(exitCode, stderr).toBe(0)
    expect(changes(result)).toEqual([
      'added ConfigMap web-2/settings',
      'added Widget web-2/w',
      'removed ConfigMap web/settings',
      'removed Widget web/w',
    ])
  })

  it('Cluster: the Widget stays where it is; only the ConfigMap moves', async () => {
    const repo = await history(files('web', 'Cluster'), {'argocd/web.yaml': application('web-2')})
    const {exitCode, stderr, result} = await diffLast<Result>(repo, env)
    expect(exitCode, stderr).toBe(0)
    expect(changes(result)).toEqual(['added ConfigMap web-2/settings', 'removed ConfigMap web/settings'])
  })

  it("only the CRD's scope changed (Cluster → Namespaced): the Widget now takes the destination's namespace", async () => {
    const repo = await history(files('web', 'Cluster'), {'crds/widgets.yaml': crd('Namespaced')})
    const {exitCode, stderr, result} = await diffLast<Result>(repo, env)
    expect(exitCode, stderr).toBe(0)
    expect(result.summary).toBe('changed')
    expect(changes(result)).toEqual(['added Widget web/w', 'removed Widget -/w'])
  })
})

describe('a kind whose scope is unknown offline: no namespace invented, the unknown scope said', () => {
  const files = (size: number) => ({
    'argocd/web.yaml': application('web'),
    'apps/web/thing.yaml': object('things.unknown.example.io/v1', 'Thing', 't', `{size: ${size}}`),
  })

  it('in the JSON (scope: unknown, no namespace) and the human output', async () => {
    const repo = await history(files(1), files(2))
    const {exitCode, stderr, result} = await diffLast<Result>(repo, env)
    expect(exitCode, stderr).toBe(0)
    expect(result.deployables.flatMap((d) => d.objects)).toEqual([
      expect.objectContaining({change: 'changed', kind: 'Thing', name: 't', scope: 'unknown'}),
    ])
    expect(result.deployables[0].objects[0].namespace).toBeUndefined()
    const human = await runCli(['gitops', 'diff', '--base', 'HEAD^', '--head', 'HEAD'], {cwd: repo, env})
    expect(human.stdout).toMatch(/Thing\/t: its scope is unknown .*no namespace given/)
  })

  it('a kind whose scope is known carries no scope field', async () => {
    const repo = await history(
      {'argocd/web.yaml': application('web'), 'apps/web/cm.yaml': object('v1', 'ConfigMap', 'c', '{a: 1}')},
      {'apps/web/cm.yaml': object('v1', 'ConfigMap', 'c', '{a: 2}')},
    )
    const {result} = await diffLast<Result>(repo, env)
    expect(result.deployables.flatMap((d) => d.objects).map((o) => [o.kind, o.namespace, o.scope])).toEqual([
      ['ConfigMap', 'web', undefined],
    ])
  })
})

describe("the revision's CRDs, read", () => {
  it('each kind by group, its scope; two that disagree leave it unknown; a templated or scope-less one is none', async () => {
    const dir = await makeTempDir('ameide-crds-')
    const files: Record<string, string> = {
      'crds/widgets.yaml': crd('Namespaced'),
      'other/gadgets.yaml': crd('Cluster')
        .replace(/Widget/g, 'Gadget')
        .replace(/widgets/g, 'gadgets'),
      'a/twice.yaml': crd('Cluster')
        .replace(/Widget/g, 'Twice')
        .replace(/widgets/g, 'twices'),
      'b/twice.yaml': crd('Namespaced')
        .replace(/Widget/g, 'Twice')
        .replace(/widgets/g, 'twices'),
      'chart/templates/crd.yaml': `${crd('Cluster').replace(/Widget/g, 'Templated')}{{ .Values.x }}: [\n`,
      'no-scope.yaml': crd('Cluster')
        .replace(/Widget/g, 'Scopeless')
        .replace('  scope: Cluster\n', ''),
    }
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(path.join(dir, path.dirname(f)), {recursive: true})
      writeFileSync(path.join(dir, f), text)
    }
    const scopes = crdScopesOf(dir, Object.keys(files), YAML, 1 << 20)
    expect([...scopes].sort()).toEqual([
      ['example.com/Gadget', 'Cluster'],
      ['example.com/Twice', 'conflict'],
      ['example.com/Widget', 'Namespaced'],
    ])
    expect(scopeOf('example.com/v1', 'Widget', new Map(), scopes)).toBe('Namespaced')
    expect(scopeOf('example.com/v1', 'Gadget', new Map(), scopes)).toBe('Cluster')
    expect(scopeOf('example.com/v1', 'Twice', new Map(), scopes)).toBeUndefined()
    // One rendered beside the object is the one applied with it: it comes first.
    expect(scopeOf('example.com/v1', 'Gadget', new Map([['example.com/Gadget', 'Namespaced']]), scopes)).toBe(
      'Namespaced',
    )
    expect(crdScopesDigest(scopes)).toMatch(/^crds [0-9a-f]{16}$/)
    expect(crdScopesDigest(new Map())).toBe('')
  })
})
