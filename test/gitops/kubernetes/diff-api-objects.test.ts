/**
 * Objects as the API server takes them: a rendered document without `kind` or `apiVersion` (what Argo CD's and
 * helm's decoding and kustomize-controller's apply refuse) fails the render, named — never compared as an object; an
 * object's scope comes from Kubernetes' own kinds, the CRDs rendered beside it and well-known API groups (OpenShift's
 * included), and a kind whose scope is unknown is given no namespace. Real git, the built CLI, the render module.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {scopeOf} from '../../../src/gitops/kubernetes/scope.js'
import {diffLast, history} from '../../support/diff-repo.js'
import {runCleanups} from '../../support/tmp.js'
import {requireTool, toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

type Result = {
  summary: string
  deployables: Array<{
    change: string
    application?: string
    objects: Array<{change: string; kind: string; namespace?: string; name: string}>
  }>
  failures: Array<{revision: string; rule: string; file: string; message: string}>
}

let env: Record<string, string | undefined>
beforeAll(() => {
  requireTool('helm')
  env = toolEnv()
})

const ORIGIN = 'https://github.com/example/fleet.git'
const application = (path: string, namespace: string) =>
  [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata: {name: web, namespace: argocd}',
    'spec:',
    '  project: default',
    `  source: {repoURL: '${ORIGIN}', targetRevision: HEAD, path: ${path}}`,
    `  destination: {server: https://kubernetes.default.svc, namespace: ${namespace}}`,
    '',
  ].join('\n')

describe('a rendered document that is not an object', () => {
  const chart = (template: string, value: string) => ({
    'argocd/web.yaml': application('charts/web', 'web'),
    'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
    'charts/web/values.yaml': `level: ${value}\n`,
    'charts/web/templates/cm.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {level: {{ .Values.level | quote }}}\n',
    'charts/web/templates/odd.yaml': template,
  })

  it.each([
    ['no kind', 'apiVersion: v1\nmetadata: {name: odd}\ndata: {a: "1"}\n', "Object 'Kind' is missing"],
    ['no apiVersion', 'kind: ConfigMap\nmetadata: {name: odd}\n', "Object 'apiVersion' is missing"],
  ])('%s: the render fails, the document named; the diff is incomplete', async (_, template, error) => {
    const repo = await history(chart(template, 'info'), {'charts/web/values.yaml': 'level: debug\n'})
    const {exitCode, result} = await diffLast<Result>(repo, env)
    expect(exitCode).toBe(1)
    expect(result.summary).toBe('incomplete')
    expect(result.failures.map((f) => [f.revision, f.rule])).toEqual([
      ['base', 'render-failed'],
      ['head', 'render-failed'],
    ])
    expect(result.failures[0].message).toMatch(
      new RegExp(`document \\d of its output \\(name "odd"\\) is not an object the controller can apply: ${error}`),
    )
  })

  it('an empty document is no document: rendered, changed', async () => {
    const repo = await history(chart('# nothing\n{}\n', 'info'), {'charts/web/values.yaml': 'level: debug\n'})
    const {exitCode, result} = await diffLast<Result>(repo, env)
    expect(result.failures).toEqual([])
    expect(exitCode).toBe(0)
    expect(result.summary).toBe('changed')
  })
})

describe('a destination namespace change: which objects move, as the API server scopes them', () => {
  const object = (apiVersion: string, kind: string, name: string) =>
    `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: ${name}}\nspec: {}\n`
  const files = (namespace: string) => ({
    'argocd/web.yaml': application('apps/web', namespace),
    'apps/web/cm.yaml': object('v1', 'ConfigMap', 'settings'),
    'apps/web/route.yaml': object('route.openshift.io/v1', 'Route', 'web'),
    'apps/web/oauth.yaml': object('config.openshift.io/v1', 'OAuth', 'cluster'),
    'apps/web/group.yaml': object('user.openshift.io/v1', 'Group', 'admins'),
    'apps/web/scc.yaml': object('security.openshift.io/v1', 'SecurityContextConstraints', 'restricted-web'),
    'apps/web/widget.yaml': object('example.com/v1', 'Widget', 'w'),
  })

  it("namespaced kinds move; OpenShift's cluster-scoped ones stay; an unknown kind is given no namespace", async () => {
    const repo = await history(files('web'), {'argocd/web.yaml': application('apps/web', 'web-2')})
    const {exitCode, stderr, result} = await diffLast<Result>(repo, env)
    expect(exitCode, stderr).toBe(0)
    const moved = result.deployables.flatMap((d) =>
      d.objects.map((o) => `${o.change} ${o.kind} ${o.namespace ?? '-'}/${o.name}`),
    )
    expect(moved.sort()).toEqual([
      'added ConfigMap web-2/settings',
      'added Route web-2/web',
      'removed ConfigMap web/settings',
      'removed Route web/web',
    ])
  })
})

describe('scopeOf', () => {
  it('knows built-in kinds, CRDs and well-known groups; says unknown otherwise', () => {
    expect(scopeOf('v1', 'ConfigMap')).toBe('Namespaced')
    expect(scopeOf('rbac.authorization.k8s.io/v1', 'ClusterRole')).toBe('Cluster')
    expect(scopeOf('config.openshift.io/v1', 'OAuth')).toBe('Cluster')
    expect(scopeOf('user.openshift.io/v1', 'Group')).toBe('Cluster')
    expect(scopeOf('operator.openshift.io/v1', 'IngressController')).toBe('Namespaced')
    expect(scopeOf('route.openshift.io/v1', 'Route')).toBe('Namespaced')
    expect(scopeOf('kustomize.toolkit.fluxcd.io/v1', 'Kustomization')).toBe('Namespaced')
    expect(scopeOf('cert-manager.io/v1', 'ClusterIssuer')).toBe('Cluster')
    expect(scopeOf('example.com/v1', 'Widget')).toBeUndefined()
    expect(scopeOf('example.com/v1', 'Widget', new Map([['example.com/Widget', 'Namespaced']]))).toBe('Namespaced')
    expect(scopeOf('v1', 'Group')).toBe('Namespaced') // a core kind is never taken for OpenShift's
  })
})
