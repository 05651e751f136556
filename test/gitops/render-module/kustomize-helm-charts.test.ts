/**
 * kustomize's Helm inflator in the render module against the binaries: `kustomize build --enable-helm` of kustomize
 * 5.8.1 built natively from the module's own go.sum (scripts/build-wasm.mjs --kustomize, no overlay: it executes the
 * helm binary it is given) with the set-up's helm 4.1.4, and the module's `kustomizeBuild` with `enableHelm` (its
 * patched generator calls the Helm it links, go/helm_kustomize.go). The same files, the same bytes out — or the same
 * error: `helmCharts` as kustomize's docs write it (name, repo, version, releaseName, namespace, valuesInline,
 * valuesFile, includeCRDs) with the chart where kustomize looks before it pulls (`<chartHome>/<name>-<version>/<name>`),
 * a chart of chartHome with no repo, the older `helmChartInflationGenerator`, values merged, and without
 * --enable-helm. The module never pulls: a chart absent from the tree is an error, not a fetch.
 */
import {execFileSync} from 'node:child_process'
import path from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'

import {sharedRenderModule, type RenderModule} from '../../../src/effects/render-module/host.js'
import {runNative} from '../../support/native-render.js'
import {runToEnd} from '../../support/exec.js'
import {makeTempDir, writeFiles} from '../../support/tmp.js'
import {requireTool} from '../../support/toolchain.js'

const repoRoot = path.resolve(import.meta.dirname, '../../..')
let module: RenderModule
let kustomize: string
let helm: string
let work: string

beforeAll(async () => {
  const built = sharedRenderModule()
  if (!built) throw new Error('the render module is not built: npm run build')
  module = built
  helm = requireTool('helm')
  expect(execFileSync(helm, ['version', '--short'], {encoding: 'utf8'}).trim()).toBe(module.build.helm)
  work = await makeTempDir('ameide-kustomize-helm-')
  kustomize = path.join(work, 'kustomize')
  await runToEnd(process.execPath, [path.join(repoRoot, 'scripts/build-wasm.mjs'), '--kustomize', kustomize], {
    showStderr: true,
  })
}, 600_000)

/** A chart's files under `at`: a ConfigMap of its values, a CRD, a hook, a test. */
function chart(at: string, name: string, version: string): Record<string, string> {
  return {
    [`${at}/Chart.yaml`]: `apiVersion: v2\nname: ${name}\nversion: ${version}\nappVersion: "1.0"\n`,
    [`${at}/values.yaml`]: 'greeting: hello\nreplicas: 1\nnested: {a: 1, b: 2}\n',
    [`${at}/crds/widget.yaml`]:
      'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec:\n  group: example.com\n  names: {kind: Widget, plural: widgets}\n  scope: Namespaced\n  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]\n',
    [`${at}/templates/cm.yaml`]: [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: {{ .Release.Name }}-{{ .Chart.Name }}',
      '  namespace: {{ .Release.Namespace }}',
      '  labels: {chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}}',
      'data:',
      '  greeting: {{ .Values.greeting | quote }}',
      '  replicas: {{ .Values.replicas | quote }}',
      '  nested: {{ toJson .Values.nested | quote }}',
      '  kube: {{ .Capabilities.KubeVersion.Version | quote }}',
      '',
    ].join('\n'),
    [`${at}/templates/hook.yaml`]:
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-hook\n  annotations: {"helm.sh/hook": pre-install}\n',
    [`${at}/templates/tests/t.yaml`]:
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}-test\n  annotations: {"helm.sh/hook": test}\nspec: {containers: [{name: t, image: busybox}]}\n',
  }
}

const CASES: Record<string, Record<string, string>> = {
  // kustomize's docs (examples/chart.md): a chart of a repository, where kustomize finds it without pulling.
  docs: {
    'kustomization.yaml': [
      'helmCharts:',
      '- name: minecraft',
      '  repo: https://charts.example.com/stable',
      '  version: 3.1.3',
      '  releaseName: moria',
      '  namespace: games',
      '  includeCRDs: true',
      '  valuesInline:',
      '    greeting: from-inline',
      '    nested: {b: 3}',
      '',
    ].join('\n'),
    ...chart('charts/minecraft-3.1.3/minecraft', 'minecraft', '3.1.3'),
  },
  // A chart of chartHome with no repo, its values from a file of the kustomization, more files after it.
  local: {
    'kustomization.yaml': [
      'resources: [extra.yaml]',
      'helmGlobals: {chartHome: vendored}',
      'helmCharts:',
      '- name: web',
      '  releaseName: site',
      '  valuesFile: values-prod.yaml',
      '  additionalValuesFiles: [more-values.yaml]',
      '  skipTests: true',
      '  skipHooks: true',
      '  kubeVersion: "1.31.0"',
      'namePrefix: p-',
      '',
    ].join('\n'),
    'extra.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\n',
    'values-prod.yaml': 'greeting: prod\nreplicas: 3\n',
    'more-values.yaml': 'nested: {a: 9}\n',
    ...chart('vendored/web', 'web', '0.2.0'),
  },
  // Values merged (valuesMerge: merge keeps the chart's where both set one), the older generator form.
  older: {
    'kustomization.yaml': [
      'helmChartInflationGenerator:',
      '- chartName: web',
      '  releaseName: old',
      '  releaseNamespace: ignored-by-kustomize',
      '  valuesMerge: merge',
      '  valuesLocal: {greeting: local, extra: yes}',
      '',
    ].join('\n'),
    ...chart('charts/web', 'web', '0.1.0'),
  },
  // A chart neither in chartHome nor with a repo: kustomize's own error.
  missing: {'kustomization.yaml': 'helmCharts:\n- {name: nowhere, releaseName: r}\n'},
}

async function bothBuild(
  dir: string,
  enableHelm: boolean,
): Promise<[{ok: boolean; out: string}, {ok: boolean; out: string}]> {
  const home = await makeTempDir('ameide-kustomize-helm-home-')
  const args = ['build', dir, ...(enableHelm ? ['--enable-helm', '--helm-command', helm] : [])]
  const native = await runNative(kustomize, args, dir, {HOME: home})
  const ran = await module.run({roots: [dir], files: {}, cwd: dir, commands: [{kustomizeBuild: {dir, enableHelm}}]})
  if (!ran.ok) throw new Error(ran.message)
  const [r] = ran.results
  return [
    {ok: native.exit === 0, out: native.exit === 0 ? native.stdout : native.stderr.trim()},
    {ok: r!.exit === 0, out: r!.exit === 0 ? r!.stdout : `Error: ${r!.error?.message.trim()}`},
  ]
}

describe('kustomize helmCharts: the module and kustomize 5.8.1 --enable-helm with helm 4.1.4', () => {
  for (const [name, files] of Object.entries(CASES).filter(([n]) => n !== 'missing'))
    it(`${name}: the same bytes`, async () => {
      const dir = path.join(work, name)
      await writeFiles(dir, files)
      const [native, ours] = await bothBuild(dir, true)
      expect(native.ok, native.out).toBe(true)
      expect(ours.out).toBe(native.out)
    }, 120_000)

  it('a chart neither under chartHome nor with a repo: the same error', async () => {
    const dir = path.join(work, 'missing')
    await writeFiles(dir, CASES.missing!)
    const [native, ours] = await bothBuild(dir, true)
    expect([native.ok, ours.ok]).toEqual([false, false])
    expect(ours.out).toBe(native.out)
  })

  it('without --enable-helm: both refuse the kustomization, in the same words', async () => {
    const dir = path.join(work, 'docs')
    const [native, ours] = await bothBuild(dir, false)
    expect([native.ok, ours.ok]).toEqual([false, false])
    expect(ours.out).toBe(native.out)
    expect(ours.out).toContain('must specify --enable-helm')
  })

  it('a chart with a repo the tree does not hold: the module pulls nothing and says so', async () => {
    const dir = path.join(work, 'absent')
    await writeFiles(dir, {
      'kustomization.yaml':
        'helmCharts:\n- {name: far, repo: https://charts.example.com, version: 1.0.0, releaseName: r}\n',
    })
    const [, ours] = await bothBuild(dir, true)
    expect(ours.ok).toBe(false)
    expect(ours.out).toContain('nothing is pulled here')
  })
})
