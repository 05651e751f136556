/**
 * A HelmRelease's CRD policy, as helm-controller v1.6.3 installs a release (internal/action/install.go, crds.go): the
 * chart's crds/ are applied unless `install.crds` is Skip (empty is Create); `install.skipCRDs` is deprecated and read
 * nowhere. Rendered by `gitops diff` over a chart with a CRD in crds/ and a ConfigMap in templates/.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {addedObjects, type AddedResult} from '../../../support/argo-render.js'
import {diffLast, history} from '../../../support/diff-repo.js'
import {runCleanups} from '../../../support/tmp.js'
import {requireTool, toolEnv} from '../../../support/toolchain.js'

afterAll(runCleanups)

const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.acme.io}
spec:
  group: acme.io
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]
`
const chart: Record<string, string> = {
  'charts/widgets/Chart.yaml': 'apiVersion: v2\nname: widgets\nversion: 0.1.0\n',
  'charts/widgets/crds/widget.yaml': crd,
  'charts/widgets/templates/config.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}}\ndata: {a: "1"}\n',
}

const CASES: Array<{name: string; install?: string; crd: boolean}> = [
  {name: 'default', crd: true},
  {name: 'create', install: 'crds: Create', crd: true},
  {name: 'create-replace', install: 'crds: CreateReplace', crd: true},
  {name: 'skip', install: 'crds: Skip', crd: false},
  // Deprecated, read nowhere in helm-controller v1.6.3: the CRD is installed.
  {name: 'skip-crds', install: 'skipCRDs: true', crd: true},
]

const release = (c: (typeof CASES)[number]) =>
  [
    'apiVersion: helm.toolkit.fluxcd.io/v2',
    'kind: HelmRelease',
    `metadata: {name: ${c.name}, namespace: ${c.name}}`,
    'spec:',
    '  interval: 10m',
    '  chart:',
    '    spec:',
    '      chart: ./charts/widgets',
    '      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}',
    ...(c.install ? [`  install: {${c.install}}`] : []),
    '',
  ].join('\n')

let result: AddedResult

beforeAll(async () => {
  requireTool('helm')
  requireTool('kustomize')
  const head: Record<string, string> = {}
  for (const c of CASES) head[`apps/${c.name}/release.yaml`] = release(c)
  const repo = await history(chart, head)
  result = (await diffLast<AddedResult>(repo, toolEnv(), ['--no-cache'])).result
}, 600_000)

describe("a HelmRelease's CRD policy, as helm-controller installs the release", () => {
  it("install.crds Skip leaves the chart's CRDs out; Create, CreateReplace and the default apply them; skipCRDs is read nowhere", () => {
    for (const c of CASES) {
      const kinds = addedObjects(result, `${c.name}/${c.name}`)
        .map((o) => o.kind)
        .sort()
      expect(kinds, c.name).toEqual(c.crd ? ['ConfigMap', 'CustomResourceDefinition'] : ['ConfigMap'])
    }
  })
})
