/**
 * An Argo CD Application's Helm fields, one Application per field, rendered by `gitops diff` and held to Argo CD
 * v3.5.1's own repo-server code: the oracle (test/support/argo-oracle.ts) renders the same Application of the same
 * revision with reposerver/repository GenerateManifests, asked as the application controller asks it (the destination
 * namespace, the cluster's version), helm (4.1.4, .tools) on its PATH, its output read by kube.SplitYAML, and the
 * destination namespace given to the namespaced objects that name none, as Argo CD applies them. The objects must be
 * the same. Each case runs in both forms of the source: `spec.source`, and a Source Hydrator's `drySource`, which the
 * hydrator has the repo-server render without the cluster's state (controller/hydrator_dependencies.go GetRepoObjs,
 * sendRuntimeState false): no cluster API versions, and no `--kube-version` unless the source's own — helm's default
 * then (see KNOWN below).
 */
import * as YAML from 'yaml'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {addedObjects, byName, type AddedResult} from '../../support/argo-render.js'
import {oracleObjects, startOracle, type Oracle} from '../../support/argo-oracle.js'
import {diffLast, history} from '../../support/diff-repo.js'
import {formApplication, ORIGIN, SOURCE_FORMS, type SourceForm} from '../../support/helm-repo.js'
import {git, runCleanups} from '../../support/tmp.js'
import {requireTool, toolEnv} from '../../support/toolchain.js'

let oracle: Oracle
afterAll(async () => {
  oracle?.stop()
  await runCleanups()
})

const CHART = 'charts/demo'
const chartFiles: Record<string, string> = {
  [`${CHART}/Chart.yaml`]: 'apiVersion: v2\nname: demo\nversion: 0.1.0\n',
  [`${CHART}/values.yaml`]: 'greeting: hello\nport: 8080\nimage: {repository: ghcr.io/acme/demo, tag: "1.0"}\n',
  [`${CHART}/values-a.yaml`]: 'greeting: from-a\na: true\n',
  [`${CHART}/values-b.yaml`]: 'greeting: from-b\nb: true\n',
  [`${CHART}/values-c.yaml`]: 'greeting: from-c\nc: true\n',
  [`${CHART}/files/motd.txt`]: 'welcome\n',
  [`${CHART}/values.schema.json`]: JSON.stringify({type: 'object', properties: {port: {type: 'integer'}}}),
  [`${CHART}/crds/widget.yaml`]: [
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    'metadata: {name: widgets.example.com}',
    'spec:',
    '  group: example.com',
    '  names: {kind: Widget, plural: widgets}',
    '  scope: Namespaced',
    '  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]',
    '',
  ].join('\n'),
  // What the release was given, as text Kubernetes reads unchanged.
  [`${CHART}/templates/values.yaml`]: [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: {{ .Release.Name }}-values',
    'data:',
    '  values: {{ toJson .Values | quote }}',
    '  releaseNamespace: {{ .Release.Namespace | quote }}',
    '  kubeVersion: {{ .Capabilities.KubeVersion.Version | quote }}',
    '  widgets: {{ .Capabilities.APIVersions.Has "example.com/v1/Widget" | quote }}',
    '',
  ].join('\n'),
  // An object in the release namespace by its template, beside ones that name none.
  [`${CHART}/templates/pinned.yaml`]: [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: {{ .Release.Name }}-pinned',
    '  namespace: {{ .Release.Namespace }}',
    '',
  ].join('\n'),
  // YAML 1.1 as Kubernetes reads it: an octal mode, `yes`, an empty annotations map.
  [`${CHART}/templates/deployment.yaml`]: [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: {{ .Release.Name }}',
    '  annotations: {}',
    'spec:',
    '  selector: {matchLabels: {app: demo}}',
    '  template:',
    '    metadata: {labels: {app: demo, sidecar: yes}}',
    '    spec:',
    '      containers:',
    '        - name: demo',
    '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"',
    '          ports: [{containerPort: {{ .Values.port }}}]',
    '      volumes:',
    '        - name: secret',
    '          secret: {secretName: demo, defaultMode: 0444}',
    '',
  ].join('\n'),
  [`${CHART}/templates/tests/test.yaml`]: [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  name: {{ .Release.Name }}-test',
    '  annotations: {"helm.sh/hook": test}',
    'spec: {containers: [{name: t, image: busybox}]}',
    '',
  ].join('\n'),
}

interface Case {
  name: string
  /** The lines under `helm:`. */
  helm: string[]
}

/** The cluster's version (gitopsPolicy.render.kubernetesVersion's default), sent with `spec.source` only. */
const KUBE = '1.34.0'

const CASES: Case[] = [
  {name: 'plain', helm: []},
  {name: 'values-string', helm: ['values: |', '  greeting: inline', '  port: 0444']},
  {name: 'values-object', helm: ['valuesObject:', '  greeting: object', '  nested: {list: [1, 2]}']},
  {name: 'values-both', helm: ['values: "greeting: text"', 'valuesObject: {greeting: object}']},
  {name: 'value-files', helm: ['valueFiles: [values-b.yaml, values-a.yaml]']},
  // Argo CD ≥ 3.5: a file also listed explicitly leaves the glob and takes the explicit entry's place.
  {name: 'value-files-glob', helm: ['valueFiles: ["values-*.yaml", values-a.yaml]']},
  {name: 'value-files-missing', helm: ['valueFiles: [values-a.yaml, nowhere.yaml]', 'ignoreMissingValueFiles: true']},
  {name: 'parameters', helm: ['parameters:', '  - {name: greeting, value: "a,b"}', '  - {name: port, value: "9090"}']},
  // One name with and without forceString: two maps, --set-string after --set.
  {
    name: 'parameters-force',
    helm: [
      'parameters:',
      '  - {name: image.tag, value: "2.0", forceString: true}',
      '  - {name: image.tag, value: "3.0"}',
    ],
  },
  {
    name: 'parameters-env',
    helm: [
      'parameters:',
      '  - {name: greeting, value: "$ARGOCD_APP_NAMESPACE-${ARGOCD_APP_NAME}-$ARGOCD_APP_PROJECT_NAME-$$-$UNSET"}',
    ],
  },
  {name: 'file-parameters', helm: ['fileParameters: [{name: motd, path: files/motd.txt}]']},
  {name: 'release-name', helm: ['releaseName: renamed']},
  // Only what templates `.Release.Namespace` moves; the rest gets the destination's at apply.
  {name: 'helm-namespace', helm: ['namespace: elsewhere']},
  {name: 'kube-version', helm: ['kubeVersion: v1.29.4-gke.1']},
  {name: 'api-versions', helm: ['apiVersions: [example.com/v1/Widget]']},
  {name: 'skip-crds', helm: ['skipCrds: true']},
  {name: 'skip-tests', helm: ['skipTests: true']},
  {
    name: 'skip-schema',
    helm: ['skipSchemaValidation: true', 'parameters: [{name: port, value: eighty, forceString: true}]'],
  },
]

const application = (c: Case, form: SourceForm) =>
  formApplication(
    form,
    c.name,
    [`path: ${CHART}`, ...(c.helm.length > 0 ? ['helm:', ...c.helm.map((l) => `  ${l}`)] : [])].join('\n'),
    '',
  )

const repos = {} as Record<SourceForm, string>

beforeAll(async () => {
  requireTool('helm')
  oracle = await startOracle()
  for (const form of SOURCE_FORMS) {
    const apps = Object.fromEntries(CASES.map((c) => [`apps/${c.name}.yaml`, application(c, form)]))
    repos[form] = await history({...chartFiles, 'apps/.keep': ''}, apps)
    await git(repos[form], ['remote', 'set-url', 'origin', ORIGIN])
  }
}, 1_800_000)

/**
 * KNOWN: the one difference that is the oracle's, not ameide's. Argo CD v3.5.1's image ships helm 4.2.1, whose
 * default Kubernetes version (its client-go v0.36.1) is v1.36.0; the oracle runs the tools' helm 4.1.4 (v1.35.0).
 * Without a version sent (a dry source without its own `kubeVersion`) only `.Capabilities.KubeVersion` reads it.
 */
const HELM_DEFAULT_KUBE = {oracle: 'v1.35.0', argo: 'v1.36.0'}

/** The case as Argo CD's repo-server renders it: the oracle's objects, the destination namespace given. */
async function argoRender(c: Case, form: SourceForm) {
  const dir = repos[form]
  const answer = await oracle.render({
    dir,
    revision: await git(dir, ['rev-parse', 'HEAD']),
    application: YAML.parse(application(c, form)) as Record<string, unknown>,
    kubeVersion: KUBE,
  })
  const objects = oracleObjects(answer)
  for (const o of objects)
    if (o.kind === 'ConfigMap' && (o.data as Record<string, string>)?.kubeVersion === HELM_DEFAULT_KUBE.oracle)
      (o.data as Record<string, string>).kubeVersion = HELM_DEFAULT_KUBE.argo
  return objects
}

describe("Argo CD's Helm fields, each as Argo CD v3.5.1's repo-server renders it", () => {
  const results = {} as Record<SourceForm, AddedResult>

  beforeAll(async () => {
    const runs = await Promise.all(SOURCE_FORMS.map((form) => diffLast<AddedResult>(repos[form], toolEnv())))
    for (const [i, form] of SOURCE_FORMS.entries()) results[form] = runs[i].result
  }, 300_000)

  it.each(SOURCE_FORMS.flatMap((form) => CASES.map((c) => [c.name, form, c] as const)))(
    '%s through %s',
    async (_, form, c) => {
      const want = byName(await argoRender(c, form))
      expect(Object.keys(want).length).toBeGreaterThanOrEqual(3)
      const got = byName(addedObjects(results[form], c.name))
      expect(got).toEqual(want)
    },
  )
})
