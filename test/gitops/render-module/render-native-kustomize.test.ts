/**
 * `kustomize build` in the native render helper (go/kustomize_fs.go: kustomize's file system over the helper's
 * memory) against the WebAssembly module (kustomize's own file system over the worker's memory): every kustomization
 * of the corpora and kustomizations reaching each way kustomize reads — links, the load restrictor both ways,
 * generators' files, components, deprecated fields' notices, remote and missing resources — give the same bytes, or
 * the same error, and the same warnings. The module itself is held to the kustomize binary by render-module.test.ts.
 */
import {symlinkSync} from 'node:fs'
import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'

import type {KustomizeBuild} from '../../../src/effects/render-module/commands.js'
import {openRenderModule, renderModuleBuild, type RenderModule} from '../../../src/effects/render-module/host.js'
import {nativeCommands, NATIVE_ENGINE} from '../../../src/effects/render-module/native.js'
import {foldersHolding, unpackRenderCorpus} from '../../support/render-corpus.js'
import {makeTempDir} from '../../support/tmp.js'

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
  for (const [p, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, p)), {recursive: true})
    await writeFile(path.join(root, p), text)
  }
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

describe.runIf(linuxX64)('kustomize build: native and WebAssembly, the same renders', () => {
  let wasm: RenderModule
  let native: RenderModule
  beforeAll(() => {
    wasm = openRenderModule(renderModuleBuild()!, 'wasm')
    native = openRenderModule(renderModuleBuild()!, 'native')
  })

  async function same(root: string, command: KustomizeBuild): Promise<boolean> {
    const request = {
      roots: [root],
      files: {},
      cwd: '/',
      commands: [{kustomizeBuild: command, documents: true as const}],
    }
    const [a, b] = [await wasm.run(request), await native.run(request)]
    const what = JSON.stringify(command)
    expect(b.ok, what).toBe(a.ok)
    if (!a.ok || !b.ok) return false
    const [x, y] = [a.results[0]!, b.results[0]!]
    expect({exit: y.exit, stdout: y.stdout, documents: y.documents}, what).toEqual({
      exit: x.exit,
      stdout: x.stdout,
      documents: x.documents,
    })
    // Go's errno text is capitalised on js/wasm only.
    expect(y.error?.message.toLowerCase(), what).toBe(x.error?.message.toLowerCase())
    expect(y.error?.code, what).toBe(x.error?.code)
    expect(y.warnings, what).toEqual(x.warnings)
    return x.exit === 0
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

  it('a request the helper runs: helm template and kustomize build alone; one holding another command goes to wasm', () => {
    const build = {kustomizeBuild: {dir: '/x'}}
    expect(nativeCommands([build])).toBe(true)
    expect(nativeCommands([{helmTemplate: {release: 'r', chart: '.'}}, build])).toBe(true)
    expect(nativeCommands([['argocd', 'kustomize-edit', '{}'], build])).toBe(false)
    expect(nativeCommands([['flux', 'generate', '{}'], build])).toBe(false)
  })
})
