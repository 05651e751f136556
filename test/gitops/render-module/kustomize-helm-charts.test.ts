/**
 * kustomize's Helm inflator in the render module against the binaries: `kustomize build --enable-helm` of kustomize
 * 5.8.1 built natively from the module's own go.sum (scripts/build-wasm.mjs --kustomize, no overlay: it executes the
 * helm binary it is given) with the set-up's helm 4.1.4, and the module's `kustomizeBuild` with `enableHelm` (its
 * patched generator calls the Helm it links, go/helm_kustomize.go), in WebAssembly and in the native helper, the
 * chart in the folder or laid in the request's files (as the gate lays a fetched one). The same files, the same bytes
 * out — or the same error: `helmCharts` as kustomize's docs write it (name, repo, version, releaseName, namespace,
 * valuesInline, valuesFile, includeCRDs) with the chart where kustomize looks before it pulls
 * (`<chartHome>/<name>-<version>/<name>`), a chart of chartHome with no repo, the older
 * `helmChartInflationGenerator`, values merged, and without --enable-helm. The module never pulls: a chart absent from
 * the tree is an error, not a fetch.
 */
import {execFileSync} from 'node:child_process'
import path from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'

import {openRenderModule, renderModuleBuild, type RenderModule} from '../../../src/effects/render-module/host.js'
import {runNative} from '../../support/native-render.js'
import {runToEnd} from '../../support/exec.js'
import {makeTempDir, writeFiles} from '../../support/tmp.js'
import {requireTool} from '../../support/toolchain.js'

const repoRoot = path.resolve(import.meta.dirname, '../../..')
/** The module's engines: WebAssembly, and the native helper where it runs (Linux x64 here). */
let engines: Array<[string, RenderModule]>
let kustomize: string
let helm: string
let work: string

beforeAll(async () => {
  const built = renderModuleBuild()
  if (!built) throw new Error('the render module is not built: npm run build')
  engines = [['wasm', openRenderModule(built, 'wasm')]]
  if (process.platform === 'linux' && process.arch === 'x64')
    engines.push(['native', openRenderModule(built, 'native')])
  helm = requireTool('helm')
  expect(execFileSync(helm, ['version', '--short'], {encoding: 'utf8'}).trim()).toBe(built.helm)
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

type Answer = {ok: boolean; out: string}

/** kustomize build of `dir` natively, then in each engine (`files` laid over the tree): the native answer, each engine's. */
async function bothBuild(
  dir: string,
  enableHelm: boolean,
  files: Record<string, string> = {},
): Promise<[Answer, ...Array<[string, Answer]>]> {
  const home = await makeTempDir('ameide-kustomize-helm-home-')
  const args = ['build', dir, ...(enableHelm ? ['--enable-helm', '--helm-command', helm] : [])]
  const native = await runNative(kustomize, args, dir, {HOME: home})
  const ours: Array<[string, Answer]> = []
  for (const [engine, module] of engines) {
    const ran = await module.run({roots: [dir], files, cwd: dir, commands: [{kustomizeBuild: {dir, enableHelm}}]})
    if (!ran.ok) throw new Error(ran.message)
    const [r] = ran.results
    ours.push([engine, {ok: r!.exit === 0, out: r!.exit === 0 ? r!.stdout : `Error: ${r!.error?.message.trim()}`}])
  }
  return [{ok: native.exit === 0, out: native.exit === 0 ? native.stdout : native.stderr.trim()}, ...ours]
}

describe('kustomize helmCharts: the module and kustomize 5.8.1 --enable-helm with helm 4.1.4', () => {
  for (const [name, files] of Object.entries(CASES).filter(([n]) => n !== 'missing'))
    it(`${name}: the same bytes`, async () => {
      const dir = path.join(work, name)
      await writeFiles(dir, files)
      const [native, ...ours] = await bothBuild(dir, true)
      expect(native.ok, native.out).toBe(true)
      for (const [engine, answer] of ours) expect(answer.out, engine).toBe(native.out)
    }, 120_000)

  it("a chart laid in the request's files where kustomize looks for it: as if the folder held it", async () => {
    const held = path.join(work, 'docs')
    const dir = path.join(work, 'laid')
    await writeFiles(dir, {'kustomization.yaml': CASES.docs!['kustomization.yaml']!})
    const chart = Object.entries(CASES.docs!).filter(([f]) => f.startsWith('charts/'))
    const files = Object.fromEntries(chart.map(([f, text]) => [path.join(dir, f), text]))
    const [native] = await bothBuild(held, true)
    const [, ...ours] = await bothBuild(dir, true, files)
    expect(native.ok, native.out).toBe(true)
    for (const [engine, answer] of ours) expect(answer.out, engine).toBe(native.out)
  }, 120_000)

  it('a chart neither under chartHome nor with a repo: the same error', async () => {
    const dir = path.join(work, 'missing')
    await writeFiles(dir, CASES.missing!)
    const [native, ...ours] = await bothBuild(dir, true)
    expect(native.ok).toBe(false)
    for (const [engine, answer] of ours) expect(answer, engine).toEqual(native)
  })

  it('without --enable-helm: both refuse the kustomization, in the same words', async () => {
    const dir = path.join(work, 'docs')
    const [native, ...ours] = await bothBuild(dir, false)
    expect(native.ok).toBe(false)
    expect(native.out).toContain('must specify --enable-helm')
    for (const [engine, answer] of ours) expect(answer, engine).toEqual(native)
  })

  it('a chart with a repo the tree does not hold: the module pulls nothing and says so', async () => {
    const dir = path.join(work, 'absent')
    await writeFiles(dir, {
      'kustomization.yaml':
        'helmCharts:\n- {name: far, repo: https://charts.example.com, version: 1.0.0, releaseName: r}\n',
    })
    const [, ...ours] = await bothBuild(dir, true)
    for (const [engine, answer] of ours) {
      expect(answer.ok, engine).toBe(false)
      expect(answer.out, engine).toContain('nothing is pulled here')
    }
  })

  it('the engines: WebAssembly, and the native helper on Linux x64', () => {
    expect(engines.map(([e]) => e)).toEqual(
      process.platform === 'linux' && process.arch === 'x64' ? ['wasm', 'native'] : ['wasm'],
    )
  })
})
