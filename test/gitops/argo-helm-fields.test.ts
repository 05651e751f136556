/**
 * An Argo CD Application's Helm fields, one Application per field, rendered by `gitops diff` and held to the real
 * helm (4.1.4, .tools) run with the arguments Argo CD's repo-server gives it for that field (reposerver/repository
 * repository.go helmTemplate and getResolvedValueFiles, util/helm cmd.go template, argo-cd v3.5.1: `--name-template`,
 * `--namespace`, `--kube-version`, `--set` then `--set-string` then `--set-file`, the value files, the inline values
 * file, `--api-versions`, `--include-crds` unless skipCrds), its output read as Argo CD reads it (kube.SplitYAML:
 * apimachinery over sigs.k8s.io/yaml, built natively from test/images/testdata/kube-yaml) and the destination
 * namespace given to the namespaced objects that name none, as Argo CD applies them. The objects must be the same.
 * Each case runs in both forms of the source: `spec.source`, and a Source Hydrator's `drySource`, which the hydrator
 * has the repo-server render without the cluster's state (controller/hydrator_dependencies.go GetRepoObjs,
 * sendRuntimeState false): no cluster API versions, and no `--kube-version` unless the source's own — the default of
 * Argo CD v3.5.1's helm 4.2.1 then, v1.36.0 (its client-go v0.36.1; see src/gitops/deployables/source-hydrator.ts).
 */
import {execFileSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {addedObjects, argoReader, byName, type AddedResult, type Obj} from '../support/argo-render.js'
import {diffLast, history} from '../support/diff-repo.js'
import {formApplication, ORIGIN, SOURCE_FORMS, type SourceForm} from '../support/helm-repo.js'
import {git, makeTempDir, runCleanups} from '../support/tmp.js'
import {requireTool, toolEnv} from '../support/toolchain.js'

afterAll(runCleanups)

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
  /** The arguments Argo CD gives `helm template <chart> --name-template <release> --namespace <ns>` after those. */
  args: string[]
  /** `--name-template` when not the Application's name. */
  release?: string
  /** `--namespace` when not the destination's (`dev`). */
  namespace?: string
  /** The inline values file Argo CD writes (`values`/`valuesObject`), as YAML. */
  inline?: string
}

const KUBE = ['--kube-version', '1.34.0'] // the cluster's: gitopsPolicy.render.kubernetesVersion
const CRDS = ['--include-crds']

const CASES: Case[] = [
  {name: 'plain', helm: [], args: [...KUBE, ...CRDS]},
  {
    name: 'values-string',
    helm: ['values: |', '  greeting: inline', '  port: 0444'],
    args: [...KUBE, ...CRDS],
    inline: 'greeting: inline\nport: 0444\n',
  },
  {
    name: 'values-object',
    helm: ['valuesObject:', '  greeting: object', '  nested: {list: [1, 2]}'],
    args: [...KUBE, ...CRDS],
    inline: 'greeting: object\nnested: {list: [1, 2]}\n',
  },
  {
    name: 'values-both',
    helm: ['values: "greeting: text"', 'valuesObject: {greeting: object}'],
    args: [...KUBE, ...CRDS],
    inline: 'greeting: object\n',
  },
  {
    name: 'value-files',
    helm: ['valueFiles: [values-b.yaml, values-a.yaml]'],
    args: [...KUBE, '--values', 'values-b.yaml', '--values', 'values-a.yaml', ...CRDS],
  },
  // Argo CD ≥ 3.5: a file also listed explicitly leaves the glob and takes the explicit entry's place.
  {
    name: 'value-files-glob',
    helm: ['valueFiles: ["values-*.yaml", values-a.yaml]'],
    args: [...KUBE, '--values', 'values-b.yaml', '--values', 'values-c.yaml', '--values', 'values-a.yaml', ...CRDS],
  },
  {
    name: 'value-files-missing',
    helm: ['valueFiles: [values-a.yaml, nowhere.yaml]', 'ignoreMissingValueFiles: true'],
    args: [...KUBE, '--values', 'values-a.yaml', ...CRDS],
  },
  {
    name: 'parameters',
    helm: ['parameters:', '  - {name: greeting, value: "a,b"}', '  - {name: port, value: "9090"}'],
    args: [...KUBE, '--set', 'greeting=a\\,b', '--set', 'port=9090', ...CRDS],
  },
  // One name with and without forceString: two maps, --set-string after --set.
  {
    name: 'parameters-force',
    helm: [
      'parameters:',
      '  - {name: image.tag, value: "2.0", forceString: true}',
      '  - {name: image.tag, value: "3.0"}',
    ],
    args: [...KUBE, '--set', 'image.tag=3.0', '--set-string', 'image.tag=2.0', ...CRDS],
  },
  {
    name: 'parameters-env',
    helm: [
      'parameters:',
      '  - {name: greeting, value: "$ARGOCD_APP_NAMESPACE-${ARGOCD_APP_NAME}-$ARGOCD_APP_PROJECT_NAME-$$-$UNSET"}',
    ],
    args: [...KUBE, '--set', 'greeting=dev-parameters-env-default-$-', ...CRDS],
  },
  {
    name: 'file-parameters',
    helm: ['fileParameters: [{name: motd, path: files/motd.txt}]'],
    args: [...KUBE, '--set-file', 'motd=files/motd.txt', ...CRDS],
  },
  {name: 'release-name', helm: ['releaseName: renamed'], args: [...KUBE, ...CRDS], release: 'renamed'},
  // Only what templates `.Release.Namespace` moves; the rest gets the destination's at apply.
  {name: 'helm-namespace', helm: ['namespace: elsewhere'], args: [...KUBE, ...CRDS], namespace: 'elsewhere'},
  {name: 'kube-version', helm: ['kubeVersion: v1.29.4-gke.1'], args: ['--kube-version', '1.29.4', ...CRDS]},
  {
    name: 'api-versions',
    helm: ['apiVersions: [example.com/v1/Widget]'],
    args: [...KUBE, '--api-versions', 'example.com/v1/Widget', ...CRDS],
  },
  {name: 'skip-crds', helm: ['skipCrds: true'], args: [...KUBE]},
  {name: 'skip-tests', helm: ['skipTests: true'], args: [...KUBE, ...CRDS, '--skip-tests']},
  {
    name: 'skip-schema',
    helm: ['skipSchemaValidation: true', 'parameters: [{name: port, value: eighty, forceString: true}]'],
    args: [...KUBE, '--set-string', 'port=eighty', ...CRDS, '--skip-schema-validation'],
  },
]

const application = (c: Case, form: SourceForm) =>
  formApplication(
    form,
    c.name,
    [`path: ${CHART}`, ...(c.helm.length > 0 ? ['helm:', ...c.helm.map((l) => `  ${l}`)] : [])].join('\n'),
    '',
  )

let read: Awaited<ReturnType<typeof argoReader>>
let helm: string
const repos = {} as Record<SourceForm, string>

beforeAll(async () => {
  helm = requireTool('helm')
  read = await argoReader()
  for (const form of SOURCE_FORMS) {
    const apps = Object.fromEntries(CASES.map((c) => [`apps/${c.name}.yaml`, application(c, form)]))
    repos[form] = await history({...chartFiles, 'apps/.keep': ''}, apps)
    await git(repos[form], ['remote', 'set-url', 'origin', ORIGIN])
  }
}, 600_000)

/** The dry source's arguments: Argo CD sends no cluster version, so its helm's default stands in for the cluster's. */
const withoutCluster = (args: string[]) => args.map((a, i) => (a === KUBE[1] && args[i - 1] === KUBE[0] ? '1.36.0' : a))

/** The case as Argo CD renders it: helm with its arguments, read by kube.SplitYAML, the destination namespace given. */
async function argoRender(c: Case, form: SourceForm): Promise<Obj[]> {
  const repo = repos[form]
  const dir = await makeTempDir('ameide-argo-helm-case-')
  const extra: string[] = []
  if (c.inline !== undefined) {
    writeFileSync(path.join(dir, 'inline.yaml'), c.inline)
    extra.push('--values', path.join(dir, 'inline.yaml'))
  }
  // Inline values come after the value files and before --api-versions (cmd.go): slot them in there.
  const given = form === 'spec.source' ? c.args : withoutCluster(c.args)
  const at = given.findIndex((a) => a === '--api-versions' || a === '--include-crds' || a === '--skip-tests')
  const args = at < 0 ? [...given, ...extra] : [...given.slice(0, at), ...extra, ...given.slice(at)]
  const out = execFileSync(
    helm,
    ['template', '.', '--name-template', c.release ?? c.name, '--namespace', c.namespace ?? 'dev', ...args],
    {cwd: path.join(repo, CHART), env: toolEnv({HELM_CACHE_HOME: dir, HELM_CONFIG_HOME: dir, HELM_DATA_HOME: dir})},
  ).toString('utf8')
  return read(out, 'dev')
}

describe("Argo CD's Helm fields, each as the repo-server renders it with the real helm", () => {
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
