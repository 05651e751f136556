/**
 * The render module against the binaries of the same versions: `helm template` of Helm 4.1.4 (the set-up's helm)
 * and `kustomize build` of kustomize 5.8.1 built natively from the module's own go.sum
 * (scripts/build-wasm.mjs --kustomize). Every kustomization and chart of the real corpus
 * (shared/corpora/gitops-real) and charts made here to reach each part of `helm template` (hooks, tests, CRDs,
 * NOTES.txt, subcharts, file:// dependencies, Capabilities, --set*, schemas, failures): the same bytes out, or the
 * same error. The differences found, each explained and the only thing masked:
 * - a line that differs between two native runs of the same command is random (sprig's randAlphaNum in podinfo's test
 *   hooks' names): compared as `<random>`;
 * - Go's own text for an errno on js/wasm is capitalised ("No such file or directory"), on Linux not: errors are
 *   compared ignoring case;
 * - Helm's action package logs a failure (`level=ERROR msg=…`) before its error; the module has no logger: log lines
 *   are dropped from errors, as the oracle drops them from helm's message (test/support/native-render.ts).
 */
import {execFile, execFileSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {promisify} from 'node:util'
import {beforeAll, describe, expect, it} from 'vitest'

import type {HelmTemplate, ModuleCommand} from '../../../src/effects/render-module/commands.js'
import {sharedRenderModule, type RenderModule} from '../../../src/effects/render-module/host.js'
import {helmTemplateArgs} from '../../support/native-render.js'
import {runToEnd} from '../../support/exec.js'
import {makeTempDir} from '../../support/tmp.js'
import {requireTool} from '../../support/toolchain.js'
import {foldersHolding} from '../../support/render-corpus.js'

const run = promisify(execFile)
/** `helm template rel .`, the release every case renders. */
const rel: HelmTemplate = {release: 'rel', chart: '.'}
const set = (name: string, value: string) => ({name, value})
const repoRoot = path.resolve(import.meta.dirname, '../../..')
const corpus = path.resolve(repoRoot, '../shared/corpora/gitops-real')

let module: RenderModule
let work: string
let helm: string
let kustomize: string

/** A native run: stdout, or the error helm/kustomize printed (without the binary's own exit noise). */
async function native(binary: string, args: string[], cwd: string): Promise<{ok: boolean; out: string}> {
  const home = await makeTempDir('ameide-native-home-')
  try {
    const {stdout} = await run(binary, args, {
      cwd,
      env: {PATH: '/usr/bin:/bin', HOME: home, HELM_CONFIG_HOME: home, HELM_CACHE_HOME: home, HELM_DATA_HOME: home},
      maxBuffer: 256 * 1024 * 1024,
    })
    return {ok: true, out: stdout}
  } catch (e) {
    const said = String((e as {stderr?: string}).stderr ?? e)
    return {
      ok: false,
      out: said
        .split('\n')
        .filter((l) => !/^level=/i.test(l.trim()))
        .join('\n')
        .trim(),
    }
  }
}

/** `ours` with the lines that differ between two native runs (random by construction) masked in all three. */
function masked(first: string, second: string, ours: string): [string, string] {
  const [a, b, c] = [first, second, ours].map((t) => t.split('\n'))
  if (a!.length !== b!.length) return [first, ours]
  const random = new Set(a!.flatMap((line, i) => (line === b![i] ? [] : [i])))
  const mask = (lines: string[]) => lines.map((l, i) => (random.has(i) ? '<random>' : l)).join('\n')
  return [mask(a!), mask(c!)]
}

async function inModule(command: ModuleCommand, cwd: string, root: string): Promise<{ok: boolean; out: string}> {
  const answer = await module.run({roots: [root], files: {}, cwd, commands: [command]})
  if (!answer.ok) return {ok: false, out: answer.message}
  const [r] = answer.results
  return r!.exit === 0 ? {ok: true, out: r!.stdout} : {ok: false, out: `Error: ${r!.error?.message.trim()}`}
}

beforeAll(async () => {
  const built = sharedRenderModule()
  if (!built) throw new Error('the render module is not built: npm run build')
  module = built
  helm = requireTool('helm')
  expect(execFileSync(helm, ['version', '--short'], {encoding: 'utf8'}).trim()).toBe(module.build.helm)
  if (!existsSync(corpus)) throw new Error(`the corpus is missing: ${corpus} (shared/ beside the clone)`)
  work = await makeTempDir('ameide-render-module-')
  kustomize = path.join(work, 'kustomize')
  await runToEnd(process.execPath, [path.join(repoRoot, 'scripts/build-wasm.mjs'), '--kustomize', kustomize], {
    showStderr: true,
  })
  for (const archive of ['corpus.tar.gz', 'charts.tar.gz'])
    execFileSync('tar', ['-xzf', path.join(corpus, archive), '-C', work])
}, 600_000)

describe('kustomize build: the module and kustomize 5.8.1 of the same go.sum', () => {
  it('every kustomization of the corpus renders to the same bytes, or fails with the same message', async () => {
    const dirs = await foldersHolding(path.join(work, 'corpus'), 'kustomization.yaml')
    expect(dirs.length).toBeGreaterThan(100)
    let rendered = 0
    for (const dir of dirs) {
      const [a, b] = [
        await native(kustomize, ['build', dir], dir),
        await inModule({kustomizeBuild: {dir}}, dir, path.join(work, 'corpus')),
      ]
      expect(b.ok, `${dir}: ${b.out.slice(0, 300)}`).toBe(a.ok)
      if (a.ok) {
        rendered++
        expect(b.out, dir).toBe(a.out)
      } else expect(b.out.replace(/^Error: /, '').toLowerCase(), dir).toBe(a.out.replace(/^Error: /, '').toLowerCase())
    }
    expect(rendered).toBeGreaterThan(50)
  }, 300_000)
})

/** A chart that reaches each part of `helm template`. */
async function richChart(name: string): Promise<string> {
  const dir = path.join(work, name)
  const files: Record<string, string> = {
    'sub/Chart.yaml': 'apiVersion: v2\nname: sub\nversion: 1.2.0\n',
    'sub/values.yaml': 'greeting: hello\n',
    'sub/templates/cm.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}-sub}\ndata: {g: {{ .Values.greeting | quote }}, global: {{ .Values.global.tier | default "none" | quote }}}\n',
    'sub/templates/NOTES.txt': 'sub notes\n',
    'app/Chart.yaml':
      'apiVersion: v2\nname: app\nversion: 0.3.0\nappVersion: "9.9"\nkubeVersion: ">=1.20.0-0"\ndependencies:\n  - {name: sub, version: "~1.2.0", repository: "file://../sub", condition: sub.enabled}\n',
    'app/values.yaml':
      'image: {repository: ghcr.io/acme/app, tag: v1}\nreplicas: 2\nsub: {enabled: true, greeting: hi}\nglobal: {tier: gold}\nlist: [a, b]\n',
    'app/values.schema.json':
      '{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "properties": {"replicas": {"type": "integer", "minimum": 1}}}\n',
    'app/crds/crd.yaml':
      'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.acme.io}\nspec: {group: acme.io, names: {kind: Widget, plural: widgets}, scope: Namespaced, versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]}\n',
    'app/templates/_helpers.tpl': '{{- define "app.name" -}}{{ .Chart.Name }}-{{ .Release.Name }}{{- end -}}\n',
    'app/templates/deploy.yaml': [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: {{ include "app.name" . }}',
      '  namespace: {{ .Release.Namespace }}',
      '  labels: {helm: {{ .Capabilities.HelmVersion.Version | quote }}, kube: {{ .Capabilities.KubeVersion.Version | quote }}}',
      'spec:',
      '  replicas: {{ .Values.replicas }}',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: app',
      '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"',
      '          args: {{ toJson .Values.list }}',
      '{{- if .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" }}',
      '---',
      'apiVersion: monitoring.coreos.com/v1',
      'kind: ServiceMonitor',
      'metadata: {name: {{ include "app.name" . }}}',
      '{{- end }}',
      '',
    ].join('\n'),
    'app/templates/svc.yaml':
      'apiVersion: v1\nkind: Service\nmetadata: {name: svc, annotations: {checksum: {{ include (print $.Template.BasePath "/deploy.yaml") . | sha256sum }}}}\nspec: {ports: [{port: 80}]}\n',
    'app/templates/hook.yaml':
      'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations: {"helm.sh/hook": pre-install, "helm.sh/hook-weight": "-5"}\nspec: {template: {spec: {containers: [{name: m, image: busybox}], restartPolicy: Never}}}\n',
    'app/templates/tests/t.yaml':
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: test\n  annotations: {"helm.sh/hook": test}\nspec: {containers: [{name: t, image: busybox}]}\n',
    'app/templates/NOTES.txt': 'Installed {{ .Release.Name }}\n',
    'app/templates/empty.yaml': '{{- if false }}\napiVersion: v1\n{{- end }}\n',
    'app/files/motd.txt': 'welcome\n',
    'app/prod.yaml': 'replicas: 3\nimage: {tag: v2}\n',
  }
  for (const [f, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, f)), {recursive: true})
    await writeFile(path.join(dir, f), text)
  }
  return dir
}

describe('helm template: the module and Helm 4.1.4', () => {
  it('the corpus charts and a chart reaching every part of helm template: the same bytes, or the same error', async () => {
    const rich = await richChart('rich')
    // The dependency, built by each side the way ameide builds it (effects/helm.ts: a file:// dependency).
    const built = await native(helm, ['dependency', 'build', '.'], path.join(rich, 'app'))
    expect(built.ok, built.out).toBe(true)
    const charts = [
      ...(await foldersHolding(path.join(work, 'charts'), 'Chart.yaml')),
      ...(await foldersHolding(path.join(work, 'corpus'), 'Chart.yaml')),
    ]
    expect(charts.length).toBeGreaterThanOrEqual(4)
    const app = path.join(rich, 'app')
    // Each case reads its own folder (the module keeps a folder it read for its life: a revision does not change).
    const cases: Array<{dir: string; command: HelmTemplate}> = [
      ...charts.map((dir) => ({dir, command: {...rel, namespace: 'prod', includeCrds: true}})),
      {dir: app, command: {...rel, namespace: 'ns', includeCrds: true}},
      {dir: app, command: {...rel, skipTests: true, valueFiles: ['prod.yaml']}},
      {dir: app, command: {...rel, kubeVersion: '1.29.3', apiVersions: ['monitoring.coreos.com/v1']}},
      // A value with commas: helm reads --values and --api-versions as lists, each value split at its commas.
      {dir: app, command: {...rel, apiVersions: ['a.io/v1,b.io/v1'], valueFiles: ['prod.yaml,values.yaml']}},
      {dir: app, command: {...rel, set: [set('replicas', '5,list={x,y}')], setString: [set('image.tag', '007')]}},
      {dir: app, command: {...rel, setFile: [set('image.tag', 'files/motd.txt')], set: [set('sub.enabled', 'false')]}},
      // Failures: the schema, kubeVersion, a release name Helm refuses, a missing file.
      {dir: app, command: {...rel, set: [set('replicas', '0')]}},
      {dir: app, command: {...rel, kubeVersion: '1.10.0'}},
      {dir: app, command: {release: 'Bad_Name', chart: '.'}},
      {dir: app, command: {...rel, valueFiles: ['missing.yaml']}},
      {dir: app, command: {...rel, skipSchemaValidation: true, set: [set('replicas', '0')]}},
    ]
    for (const c of cases) {
      const args = helmTemplateArgs(c.command)
      const [a, b] = [
        await native(helm, args, c.dir),
        await inModule({helmTemplate: c.command}, c.dir, c.dir.startsWith(rich) ? rich : c.dir),
      ]
      const what = `${c.dir} ${args.join(' ')}`
      expect(b.ok, `${what}: ${b.out.slice(0, 300)}`).toBe(a.ok)
      const again = await native(helm, args, c.dir)
      const [theirs, ours] = masked(a.out, again.out, b.out)
      expect(ours.toLowerCase(), what).toBe(theirs.toLowerCase())
    }
  }, 300_000)

  it('a chart whose charts/ misses its file:// dependency: helm dependency build in memory, then the same render', async () => {
    const rich = await richChart('rich-deps')
    const app = path.join(rich, 'app')
    const module = await inModule(['helm', 'dependency', 'build', app], app, rich)
    expect(module.ok, module.out).toBe(true)
    // Nothing reached the disk: charts/ is still missing there.
    expect(existsSync(path.join(app, 'charts'))).toBe(false)
    const answer = await sharedRenderModule()!.run({
      roots: [rich],
      files: {},
      cwd: app,
      commands: [['helm', 'dependency', 'build', app], {helmTemplate: rel}],
    })
    expect(answer.ok).toBe(true)
    await native(helm, ['dependency', 'build', '.'], app)
    const a = await native(helm, ['template', 'rel', '.'], app)
    if (!answer.ok) return
    expect(answer.results[1]!.stdout).toBe(a.out)
  }, 120_000)
})
