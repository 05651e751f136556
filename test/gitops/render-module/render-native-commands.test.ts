/**
 * The commands the native render helper runs besides `helm template` (render-native.test.ts), against the WebAssembly
 * module, where the same Go reads the revision through Go's os package over the worker's memory:
 * - `kustomize build` (go/kustomize_fs.go: kustomize's file system over the helper's memory): every kustomization of
 *   the corpora and kustomizations reaching each way kustomize reads — links, the load restrictor both ways,
 *   generators' files, components, deprecated fields' notices, remote and missing resources;
 * - Argo CD's jsonnet (go/jsonnet_importer.go: go-jsonnet's FileImporter over the helper's memory): imports beside the
 *   file, from library paths (one through a link), `importstr`, a missing import, a folder imported, `std.trace`;
 * - `flux substitute`: the build's file read from the request;
 * each the same bytes, or the same error, and the same warnings. The module itself is held to the kustomize, helm and
 * jsonnet binaries by render-module.test.ts and render-jsonnet.test.ts.
 */
import {symlinkSync} from 'node:fs'
import path from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'

import type {KustomizeBuild, ModuleCommand} from '../../../src/effects/render-module/commands.js'
import {openRenderModule, renderModuleBuild, type RenderModule} from '../../../src/effects/render-module/host.js'
import {nativeCommands, NATIVE_ENGINE} from '../../../src/effects/render-module/native.js'
import {foldersHolding, unpackRenderCorpus} from '../../support/render-corpus.js'
import {makeTempDir, writeFiles} from '../../support/tmp.js'

const linuxX64 = process.platform === 'linux' && process.arch === 'x64'

let work: string

/** Kustomizations reaching each way `kustomize build` reads, under `work/rich`; each case names its folder. */
async function richKustomizations(): Promise<string> {
  const root = path.join(work, 'rich')
  const deploy = (name: string) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}}\nspec: {template: {spec: {containers: [{name: c, image: "x:1"}]}}}\n`
  const files: Record<string, string> = {
    'base/kustomization.yaml':
      'resources: [deploy.yaml]\nconfigMapGenerator:\n  - {name: cfg, files: [app.properties, linked.txt]}\n',
    'base/deploy.yaml': deploy('web'),
    'base/app.properties': 'a=1\n',
    'shared/motd.txt': 'hello\n',
    'overlay/kustomization.yaml':
      'resources: [../base]\ncomponents: [../component]\nnamePrefix: prod-\ncommonLabels: {env: prod}\npatchesStrategicMerge: [patch.yaml]\nimages: [{name: x, newTag: "2"}]\n',
    'overlay/patch.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 3}\n',
    'component/kustomization.yaml':
      'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nlabels: [{pairs: {team: a}}]\n',
    'outside/kustomization.yaml': 'configMapGenerator:\n  - {name: out, files: [../shared/motd.txt]}\n',
    'missing/kustomization.yaml': 'resources: [nowhere.yaml]\n',
    'remote/kustomization.yaml':
      'resources:\n  - https://github.com/kubernetes-sigs/kustomize//examples/helloWorld?ref=v5.8.1\n',
    'linkout/kustomization.yaml': 'configMapGenerator:\n  - {name: out, files: [linked.txt]}\n',
    'helm/kustomization.yaml':
      'helmCharts: [{name: podinfo, repo: https://stefanprodan.github.io/podinfo, version: 6.0.0}]\n',
    'escape/kustomization.yaml': 'resources: [secrets.yaml]\n',
    'loop/kustomization.yaml': 'resources: [a.yaml]\n',
    'alt/Kustomization': `resources: [d.yaml]\n`,
    'alt/d.yaml': deploy('alt'),
    'notdir/kustomization.yaml': 'resources: [file.yaml/sub]\n',
    'notdir/file.yaml': deploy('f'),
  }
  await writeFiles(root, files)
  symlinkSync('app.properties', path.join(root, 'base/linked.txt'))
  symlinkSync('../shared/motd.txt', path.join(root, 'linkout/linked.txt'))
  symlinkSync('/etc/passwd', path.join(root, 'escape/secrets.yaml'))
  symlinkSync('b.yaml', path.join(root, 'loop/a.yaml'))
  symlinkSync('a.yaml', path.join(root, 'loop/b.yaml'))
  symlinkSync('overlay', path.join(root, 'linked-overlay'))
  return root
}

beforeAll(async () => {
  work = await makeTempDir('ameide-native-kustomize-')
}, 60_000)

describe.runIf(linuxX64)('native and WebAssembly: the same answers', () => {
  let wasm: RenderModule
  let native: RenderModule
  beforeAll(() => {
    wasm = openRenderModule(renderModuleBuild()!, 'wasm')
    native = openRenderModule(renderModuleBuild()!, 'native')
  })

  const same = (root: string, command: KustomizeBuild) =>
    sameAnswer({roots: [root], files: {}, cwd: '/', commands: [{kustomizeBuild: command, documents: true}]})

  /** Both engines' answers to the request: the same; true when it succeeded. */
  async function sameAnswer(request: {
    roots: string[]
    files: Record<string, string>
    cwd: string
    commands: ModuleCommand[]
  }): Promise<boolean> {
    const [a, b] = [await wasm.run(request), await native.run(request)]
    const what = JSON.stringify(request.commands).slice(0, 300)
    expect(b.ok, what).toBe(a.ok)
    if (!a.ok || !b.ok) return false
    expect(b.results.length, what).toBe(a.results.length)
    a.results.forEach((x, i) => {
      const y = b.results[i]!
      expect({exit: y.exit, stdout: y.stdout, documents: y.documents}, what).toEqual({
        exit: x.exit,
        stdout: x.stdout,
        documents: x.documents,
      })
      // Go's errno text is capitalised on js/wasm only.
      expect(y.error?.message.toLowerCase(), what).toBe(x.error?.message.toLowerCase())
      expect(y.error?.code, what).toBe(x.error?.code)
      expect(y.warnings, what).toEqual(x.warnings)
    })
    return a.results.length === request.commands.length && a.results.at(-1)!.exit === 0
  }

  it('every kustomization of the corpora: the same bytes, or the same error', async () => {
    unpackRenderCorpus(work)
    const dirs = await foldersHolding(path.join(work, 'corpus'), 'kustomization.yaml')
    expect(dirs.length).toBeGreaterThan(100)
    let rendered = 0
    for (const dir of dirs) if (await same(path.join(work, 'corpus'), {dir})) rendered++
    expect(rendered).toBeGreaterThan(50)
    expect(native.engine()).toBe(NATIVE_ENGINE)
  }, 600_000)

  it('links, the load restrictor both ways, generators, components, notices, failures: the same answer', async () => {
    const root = await richKustomizations()
    const at = (dir: string) => path.join(root, dir)
    const cases: KustomizeBuild[] = [
      {dir: at('base')},
      {dir: at('base'), loadRestrictionsNone: true},
      {dir: at('overlay')},
      {dir: at('linked-overlay')},
      {dir: at('outside')},
      {dir: at('outside'), loadRestrictionsNone: true},
      {dir: at('linkout')},
      {dir: at('linkout'), loadRestrictionsNone: true},
      {dir: at('alt')},
      {dir: at('missing')},
      {dir: at('remote')},
      {dir: at('helm')},
      {dir: at('escape')},
      {dir: at('loop')},
      {dir: at('notdir')},
      {dir: at('nowhere')},
      {dir: at('base/deploy.yaml')},
    ]
    const rendered = []
    for (const c of cases) if (await same(root, c)) rendered.push(c.dir)
    // The ones that build: the base, the overlay by its folder and through a link, a read outside the folder where
    // the restrictor allows it, a kustomization by another of its names; every other case fails the same way.
    expect(rendered.map((d) => path.relative(root, d))).toEqual([
      'base',
      'base',
      'overlay',
      'linked-overlay',
      'outside',
      'linkout',
      'alt',
    ])
  }, 300_000)

  it("Argo CD's kustomize edits, then the build: every option, components, patches, failures: the same answer", async () => {
    const root = path.join(work, 'argo')
    const deploy =
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1, template: {spec: {containers: [{name: c, image: "nginx:1"}]}}}\n'
    const files: Record<string, string> = {
      'app/kustomization.yaml': '# kept?\nresources: [deploy.yaml]\n',
      'app/deploy.yaml': deploy,
      'upper/Kustomization': 'resources: [deploy.yaml]\n',
      'upper/deploy.yaml': deploy,
      'comp/kustomization.yaml':
        'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nlabels: [{pairs: {c: "1"}}]\n',
      'none/deploy.yaml': deploy,
    }
    await writeFiles(root, files)
    const edit = (dir: string, options: object) =>
      sameAnswer({
        roots: [root],
        files: {},
        cwd: path.join(root, dir),
        commands: [
          ['argocd', 'kustomize-edit', JSON.stringify({env: {ARGOCD_APP_NAME: 'web'}, repoRoot: root, ...options})],
          {kustomizeBuild: {dir: path.join(root, dir)}, documents: true},
        ],
      })
    const answered = [
      await edit('app', {
        namePrefix: 'p-',
        nameSuffix: '-s',
        namespace: 'ns',
        images: ['nginx=nginx:2', 'x=${ARGOCD_APP_NAME}:1'],
      }),
      await edit('app', {replicas: [{name: 'web', count: 3}], commonLabels: {team: 'a'}, forceCommonLabels: true}),
      await edit('app', {commonAnnotations: {who: '$ARGOCD_APP_NAME'}, commonAnnotationsEnvsubst: true}),
      await edit('app', {
        patches: [{target: {kind: 'Deployment'}, patch: '- op: add\n  path: /metadata/labels\n  value: {p: "1"}\n'}],
      }),
      await edit('app', {components: ['../comp', '../gone'], ignoreMissingComponents: true}),
      await edit('upper', {
        namePrefix: 'u-',
        patches: [{patch: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2}\n'}],
      }),
      await edit('app', {components: ['../gone']}),
      await edit('app', {replicas: [{name: 'web', count: 'three'}]}),
      await edit('none', {namePrefix: 'n-'}),
      await edit('none', {patches: [{patch: '{}'}]}),
    ]
    expect(answered).toEqual([true, true, true, true, true, true, false, false, false, false])
  }, 120_000)

  it("Flux's artifact and generated kustomization, then the build: ignore files, links, sparse checkouts, fields, failures: the same answer", async () => {
    const root = path.join(work, 'flux')
    const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\n`
    const files: Record<string, string> = {
      'kust/kustomization.yaml': 'resources: [a.yaml]\n',
      'kust/a.yaml': cm('a'),
      'plain/a.yaml': cm('a'),
      'plain/sub/b.yaml': cm('b'),
      'comp/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nnamespace: c\n',
    }
    await writeFiles(root, files)
    const generate = (dir: string, spec: object) =>
      sameAnswer({
        roots: [root],
        files: {},
        cwd: path.join(root, dir),
        commands: [
          ['flux', 'generate', JSON.stringify(spec)],
          {kustomizeBuild: {dir: path.join(root, dir)}, documents: true},
        ],
      })
    // Flux's artifact first: what source-controller leaves out (.sourceignore files, spec.ignore, links, a sparse
    // checkout) removed, then the generator lists what is left.
    await writeFiles(root, {
      '.sourceignore': '# ours\n*.txt\n',
      'art/a.yaml': cm('a'),
      'art/b.txt': 'not in the artifact\n',
      'art/sub/c.yaml': cm('c'),
      'art/sub/.sourceignore': 'c.yaml\n',
      'art/sub/d.yaml': cm('d'),
    })
    symlinkSync('a.yaml', path.join(root, 'art/link.yaml'))
    const artifact = (artifactSpec: object, resources: string[]) =>
      sameAnswer({
        roots: [root],
        files: {},
        cwd: path.join(root, 'art'),
        commands: [
          ['flux', 'artifact', JSON.stringify({dir: root, ...artifactSpec})],
          ['flux', 'generate', JSON.stringify({resources})],
          {kustomizeBuild: {dir: path.join(root, 'art')}, documents: true},
        ],
      })
    const listed = ['a.yaml', 'b.txt', 'link.yaml', 'sub/c.yaml', 'sub/d.yaml']
    const made = [
      await artifact({}, listed),
      await artifact({ignore: 'd.yaml\n'}, listed),
      await artifact({sparseCheckout: ['./art/sub']}, listed),
      await artifact({sparseCheckout: ['missing']}, listed),
    ]
    expect(made).toEqual([true, true, true, false])
    const answered = [
      await generate('kust', {targetNamespace: 'ns', namePrefix: 'p-', images: [{name: 'x', newTag: '2'}]}),
      await generate('plain', {resources: ['a.yaml', 'sub/b.yaml', 'gone.yaml'], nameSuffix: '-s'}),
      await generate('kust', {components: ['../comp', '../gone'], ignoreMissingComponents: true}),
      await generate('kust', {
        patches: [{patch: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: v}\n'}],
      }),
      await generate('kust', {components: ['https://example.com/c']}),
      await generate('kust', {components: ['../gone']}),
    ]
    expect(answered).toEqual([true, true, true, true, false, false])
  }, 120_000)

  it('helm dependency build of file:// dependencies, then the chart: the archive made in memory, the same answer', async () => {
    const root = path.join(work, 'deps')
    await writeFiles(root, {
      'sub/Chart.yaml': 'apiVersion: v2\nname: sub\nversion: 1.2.0\n',
      'sub/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}-sub}\n',
      'app/Chart.yaml':
        'apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - {name: sub, version: "~1.2.0", repository: "file://../sub"}\n',
      'app/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}-app}\n',
      'old/Chart.yaml':
        'apiVersion: v2\nname: old\nversion: 0.1.0\ndependencies:\n  - {name: sub, version: "~2.0.0", repository: "file://../sub"}\n',
      'far/Chart.yaml':
        'apiVersion: v2\nname: far\nversion: 0.1.0\ndependencies:\n  - {name: x, version: "1", repository: "https://charts.example.com"}\n',
    })
    const build = (chart: string) =>
      sameAnswer({
        roots: [root],
        files: {},
        cwd: path.join(root, chart),
        commands: [
          ['helm', 'dependency', 'build', path.join(root, chart)],
          {helmTemplate: {release: 'rel', chart: path.join(root, chart)}},
        ],
      })
    expect([await build('app'), await build('old'), await build('far')]).toEqual([true, false, false])
  }, 120_000)

  it('jsonnet: imports beside the file and from library paths, importstr, failures, std.trace: the same answer', async () => {
    const root = path.join(work, 'jsonnet')
    const files: Record<string, string> = {
      'app/main.jsonnet':
        'local lib = import "lib.libsonnet"; local k = import "k.libsonnet";\n[lib.cm("a"), k.cm(importstr "motd.txt")]\n',
      'app/lib.libsonnet': '{cm(n):: {apiVersion: "v1", kind: "ConfigMap", metadata: {name: n}}}\n',
      'app/motd.txt': 'hello',
      'vendor/k.libsonnet': '{cm(d):: {apiVersion: "v1", kind: "ConfigMap", metadata: {name: "k"}, data: {d: d}}}\n',
      'app/trace.jsonnet': 'std.trace("traced", {apiVersion: "v1", kind: "ConfigMap", metadata: {name: "t"}})\n',
      'app/missing.jsonnet': 'import "nowhere.libsonnet"\n',
      'app/folder.jsonnet': 'import "sub"\n',
      'app/sub/x.txt': 'x',
      'app/up.jsonnet': 'import "../../outside.libsonnet"\n',
      'app/broken.jsonnet': '{a: }\n',
      'app/fails.jsonnet': 'error "refused"\n',
      'app/tla.jsonnet': 'function(name) {apiVersion: "v1", kind: "ConfigMap", metadata: {name: name}}\n',
    }
    await writeFiles(root, files)
    symlinkSync('vendor', path.join(root, 'linked-vendor'))
    const app = path.join(root, 'app')
    const evaluate = (file: string, more: object = {}) =>
      sameAnswer({
        roots: [root],
        files: {},
        cwd: app,
        commands: [
          [
            'jsonnet',
            JSON.stringify({
              repoRoot: root,
              appPath: app,
              files: [path.join(app, file)],
              tlas: [],
              extVars: [],
              libs: ['linked-vendor'],
              env: {},
              unknown: [],
              ...more,
            }),
          ],
        ],
      })
    const answered = []
    for (const file of ['main', 'trace', 'missing', 'folder', 'up', 'broken', 'fails'])
      answered.push(await evaluate(`${file}.jsonnet`))
    answered.push(await evaluate('tla.jsonnet', {tlas: [{name: 'name', value: 'from-tla', code: false}]}))
    answered.push(await evaluate('main.jsonnet', {libs: ['../outside']}))
    expect(answered).toEqual([true, true, false, false, false, false, false, true, false])
  }, 120_000)

  it('flux substitute: the build handed in the request, variables, strict failures: the same answer', async () => {
    const built = '/.ameide/flux-built.yaml'
    const yaml =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "${name}"}\ndata: {a: "${a:=fallback}", b: "${b^^}"}\n'
    const substitute = (vars: Record<string, string>) =>
      sameAnswer({
        roots: [],
        files: {[built]: yaml},
        cwd: '/',
        commands: [['flux', 'substitute', JSON.stringify({file: built, vars, strict: true, always: false})]],
      })
    expect([await substitute({name: 'n', b: 'up'}), await substitute({name: 'n'})]).toEqual([true, false])
  }, 60_000)

  it("every command of a render runs in the helper; a request of none, or of the module's version, does not", () => {
    const build = {kustomizeBuild: {dir: '/x'}}
    expect(nativeCommands([build])).toBe(true)
    expect(nativeCommands([{helmTemplate: {release: 'r', chart: '.'}}, build])).toBe(true)
    expect(
      nativeCommands([
        ['jsonnet', '{}'],
        ['flux', 'substitute', '{}'],
        ['kube', 'validate', '{}'],
      ]),
    ).toBe(true)
    expect(nativeCommands([['argocd', 'kustomize-edit', '{}'], build])).toBe(true)
    expect(nativeCommands([['flux', 'generate', '{}'], build])).toBe(true)
    expect(nativeCommands([['flux', 'artifact', '{}'], ['flux', 'generate', '{}'], build])).toBe(true)
    expect(nativeCommands([['helm', 'dependency', 'build', '.'], {helmTemplate: {release: 'r', chart: '.'}}])).toBe(
      true,
    )
    expect(nativeCommands([['version']])).toBe(false)
    expect(nativeCommands([])).toBe(false)
  })
})
