/**
 * An Argo CD Helm source's options against the `helm template` Argo CD runs for them (argoproj/argo-cd v3.5.1,
 * util/helm/cmd.go template: `--name-template`, `--namespace`, `--set-file` per fileParameter, `--values` of the
 * values text, `--include-crds` unless skipCrds, `--skip-schema-validation`, `--skip-tests`), run with the real helm —
 * and the objects `gitops diff` renders for the same Application (its removal lists every object it deployed, whole).
 * The field table (docs/gitops-fields.md) names this test for each option it proves.
 */
import {execa} from 'execa'
import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parse, parseAllDocuments, stringify} from 'yaml'

import {diffLast, history} from '../support/diff-repo.js'
import {makeTempDir, runCleanups} from '../support/tmp.js'
import {requireTool, toolEnv} from '../support/toolchain.js'

afterAll(runCleanups)

type Obj = {kind: string; metadata: {name: string; namespace?: string}} & Record<string, unknown>
type DiffResult = {
  summary: string
  deployables: Array<{
    application?: string
    objects: Array<{change: string; kind: string; namespace?: string; name: string; diff: string}>
  }>
  failures: unknown[]
}

let helm: string
let env: Record<string, string | undefined>
beforeAll(() => {
  helm = requireTool('helm')
  env = toolEnv()
})

const DEST = 'dest'
const chart: Record<string, string> = {
  'Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
  'values.yaml': 'replicas: 1\nimage: ghcr.io/acme/web:1.0.0\nconfig: ""\n',
  'values.schema.json': JSON.stringify({type: 'object', properties: {replicas: {type: 'integer', maximum: 5}}}),
  'crds/widget.yaml': [
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    'metadata: {name: widgets.acme.io}',
    'spec:',
    '  group: acme.io',
    '  names: {kind: Widget, plural: widgets}',
    '  scope: Namespaced',
    '  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]',
    '',
  ].join('\n'),
  'templates/deployment.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: {{ .Release.Name }}}',
    'spec:',
    '  replicas: {{ .Values.replicas }}',
    '  selector: {matchLabels: {app: web}}',
    '  template:',
    '    metadata: {labels: {app: web}}',
    '    spec: {containers: [{name: web, image: {{ .Values.image | quote }}}]}',
    '',
  ].join('\n'),
  'templates/config.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}-config}\ndata: {config: {{ .Values.config | quote }}}\n',
  'templates/tests/test.yaml': [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  name: {{ .Release.Name }}-test',
    '  annotations: {"helm.sh/hook": test}',
    'spec: {containers: [{name: t, image: busybox}], restartPolicy: Never}',
    '',
  ].join('\n'),
  'files/config.txt': 'mode=file\n',
}

/** Each case: an Application's `helm:` options. */
const CASES: Record<string, Record<string, unknown>> = {
  values: {values: 'replicas: 3\nimage: ghcr.io/acme/web:2.0.0 # a comment\n'},
  'skip-crds': {skipCrds: true},
  'skip-tests': {skipTests: true},
  'file-parameters': {fileParameters: [{name: 'config', path: 'files/config.txt'}]},
  'skip-schema-validation': {skipSchemaValidation: true, values: 'replicas: 9\n'},
}

const application = (name: string, helmOptions: Record<string, unknown>) =>
  stringify({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {name, namespace: 'argocd'},
    spec: {
      project: 'default',
      destination: {server: 'https://kubernetes.default.svc', namespace: DEST},
      source: {repoURL: 'https://github.com/example/fleet.git', path: `charts/${name}`, helm: helmOptions},
    },
  })

/** The `helm template` Argo CD's repo-server runs for the options (util/helm/cmd.go), with the real helm. */
async function argoTemplate(name: string, o: Record<string, unknown>): Promise<Obj[]> {
  const dir = path.join(await makeTempDir('ameide-argo-helm-'), name)
  for (const [f, text] of Object.entries(chart)) {
    await mkdir(path.dirname(path.join(dir, f)), {recursive: true})
    await writeFile(path.join(dir, f), text)
  }
  const args = ['template', dir, '--name-template', name, '--namespace', DEST]
  for (const p of (o.fileParameters as Array<{name: string; path: string}>) ?? [])
    args.push('--set-file', `${p.name}=${path.join(dir, p.path)}`)
  if (typeof o.values === 'string') {
    const file = path.join(path.dirname(dir), 'values-extra.yaml')
    await writeFile(file, o.values)
    args.push('--values', file)
  }
  if (o.skipCrds !== true) args.push('--include-crds')
  if (o.skipSchemaValidation === true) args.push('--skip-schema-validation')
  if (o.skipTests === true) args.push('--skip-tests')
  const {stdout} = await execa(helm, args)
  return parseAllDocuments(stdout)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null)
}

/** An object as compared: its namespace as Argo CD applies it (the destination's when it names none). */
const normal = (o: Obj, namespace: string | undefined) => {
  const {namespace: _, ...metadata} = o.metadata
  return [`${o.kind} ${namespace ?? ''}/${o.metadata.name}`, {...o, metadata}] as const
}
const CLUSTER_SCOPED = new Set(['CustomResourceDefinition', 'Namespace', 'ClusterRole'])

describe("Argo CD Helm options: gitops diff's objects against the helm template the repo-server runs", () => {
  it('values as YAML text, skipCrds, skipTests, fileParameters and skipSchemaValidation render as Argo CD renders them', async () => {
    const files: Record<string, string> = {}
    for (const [name, options] of Object.entries(CASES)) {
      for (const [f, text] of Object.entries(chart)) files[`charts/${name}/${f}`] = text
      files[`argocd/${name}.yaml`] = application(name, options)
    }
    const removed = Object.fromEntries(Object.keys(CASES).map((n) => [`argocd/${n}.yaml`, null]))
    const {result} = await diffLast<DiffResult>(await history(files, removed), env, ['--no-cache'])
    expect(result.failures).toEqual([])
    const results: Record<string, [unknown, unknown]> = {}
    for (const [name, options] of Object.entries(CASES)) {
      const ours = result.deployables
        .filter((d) => d.application === name)
        .flatMap((d) => d.objects)
        .map((o) => {
          expect(o.change).toBe('removed')
          const yaml = o.diff
            .split('\n')
            .filter((l) => l.startsWith('-') && !l.startsWith('---'))
            .map((l) => l.slice(1))
            .join('\n')
          return normal(parse(yaml) as Obj, o.namespace)
        })
      const argo = (await argoTemplate(name, options)).map((o) =>
        normal(o, CLUSTER_SCOPED.has(o.kind) ? undefined : (o.metadata.namespace ?? DEST)),
      )
      const sorted = (xs: ReadonlyArray<readonly [string, unknown]>) =>
        Object.fromEntries([...xs].sort(([a], [b]) => a.localeCompare(b)))
      results[name] = [sorted(ours), sorted(argo)]
    }
    for (const [name, [ours, argo]] of Object.entries(results)) {
      expect(Object.keys(ours as object).length, name).toBeGreaterThan(1)
      expect(ours, name).toEqual(argo)
    }
    // Not vacuous: the options change what Argo CD renders.
    const keys = (name: string) => Object.keys(results[name]![1] as object).join(',')
    expect(keys('skip-crds')).not.toContain('CustomResourceDefinition')
    expect(keys('values')).toContain('CustomResourceDefinition')
    expect(keys('skip-tests')).not.toContain('Pod')
    expect(keys('values')).toContain('Pod')
  })
})
