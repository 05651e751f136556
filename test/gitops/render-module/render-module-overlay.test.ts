/**
 * The render module's overlay (src/effects/render-module/go/_overlay/): pinned files of Helm and of its JSON-schema
 * library that the module is built with in place of upstream's, so that Helm's default capabilities do not register
 * every Kubernetes API group into client-go's scheme at start, nothing links client-go's clientset and discovery,
 * and the values-schema validator compiles its meta-schemas on first use. Each replaced upstream file, read from
 * Go's module cache at the version the workspace builds, must be the one the overlay was made for: when a module
 * moves, this fails until the overlay is reviewed against the new file. What the overlay changes must not show:
 * the default capabilities and a chart's values schema come out as Helm 4.1.4's own binary gives them.
 */
import {execFile, execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {promisify} from 'node:util'
import {beforeAll, describe, expect, it} from 'vitest'

import type {HelmTemplate} from '../../../src/effects/render-module/commands.js'
import {sharedRenderModule, type RenderModule} from '../../../src/effects/render-module/host.js'
import {helmTemplateArgs} from '../../support/native-render.js'
import {makeTempDir} from '../../support/tmp.js'
import {requireTool} from '../../support/toolchain.js'

interface GoPatchRecord {
  module: string
  version: string
  path: string
  sha256: string
  patch?: string
  into?: string
}
const {patched, threeWay} = (await import(path.join(import.meta.dirname, '../../../scripts/go-patches.mjs'))) as {
  patched(dir: string, file: GoPatchRecord, upstreamPath: string): string
  threeWay(ours: string, base: string, theirs: string, labels?: string[]): {text: string; clean: boolean}
}

const run = promisify(execFile)
const repoRoot = path.resolve(import.meta.dirname, '../../..')
const moduleDir = path.join(repoRoot, 'src/effects/render-module/go')
const manifest = JSON.parse(readFileSync(path.join(moduleDir, '_overlay/overlay.json'), 'utf8')) as {
  files: GoPatchRecord[]
}

/** Go in the workspace the build uses (its module cache, its build list), as scripts/build-wasm.mjs runs it. */
const go = (args: string[]) =>
  execFileSync(requireTool('go'), args, {
    cwd: moduleDir,
    encoding: 'utf8',
    env: {
      ...process.env,
      GOWORK: path.join(repoRoot, 'src/effects/go.work'),
      GOTOOLCHAIN: /^toolchain (go\S+)$/m.exec(readFileSync(path.join(repoRoot, 'src/effects/go.work'), 'utf8'))![1],
      GOFLAGS: '-mod=readonly',
    },
  })

/** Where a record's upstream file is: the Go release's GOROOT, a module of the build list, or another module's. */
function upstreamOf(file: GoPatchRecord): string {
  if (file.module === 'go') return path.join(go(['env', 'GOROOT']).trim(), file.path)
  const key = `${file.module}@${file.version}`
  return path.join((JSON.parse(go(['mod', 'download', '-json', key])) as {Dir: string}).Dir, file.path)
}

describe('only our change is in the repository: a patch per upstream file, pinned to that file', () => {
  it.each(manifest.files)('$module $path', (file) => {
    // Module "go" is the Go release itself: its version is the build's. A module copied `into` ours is not in the
    // build list (another module's internal/ package); the others are, at the version the patch was made for.
    if (file.module === 'go') expect(go(['env', 'GOVERSION']).trim()).toBe(file.version)
    else if (!file.into) expect(go(['list', '-m', '-f', '{{.Version}}', file.module]).trim()).toBe(file.version)
    const upstream = readFileSync(upstreamOf(file), 'utf8')
    expect(createHash('sha256').update(upstream).digest('hex'), 'upstream changed: run go-patches rebase').toBe(
      file.sha256,
    )
    const ours = patched(moduleDir, file, upstreamOf(file))
    const packageOf = (text: string) => /^package (\w+)/m.exec(text)?.[1]
    if (file.into) {
      // Copied into our package by the build, exactly as patched (gitignored; never committed).
      expect(readFileSync(path.join(moduleDir, file.into), 'utf8')).toBe(ours)
      expect(execFileSync('git', ['ls-files', path.join(moduleDir, file.into)], {encoding: 'utf8'})).toBe('')
    } else {
      // A reviewed edit of that file: same package, its header saying so.
      expect(packageOf(ours)).toBe(packageOf(upstream))
      expect(ours).toMatch(/^\/\/ ameide overlay \(src\/effects\/render-module\/go\/_overlay\/overlay\.json\)/m)
    }
    if (file.patch) expect(ours).not.toBe(upstream)
  })

  it('a new upstream takes our change by a three-way merge, its conflicts shown as conflicts', () => {
    const base = 'package p\n\nfunc a() int { return 1 }\n\nfunc b() int { return 2 }\n'
    const ours = base.replace('return 1', 'return 10')
    const clean = threeWay(ours, base, base.replace('return 2', 'return 20'))
    expect(clean).toEqual({
      clean: true,
      text: 'package p\n\nfunc a() int { return 10 }\n\nfunc b() int { return 20 }\n',
    })
    const conflict = threeWay(ours, base, base.replace('return 1', 'return 11'), ['ameide', 'v1', 'v2'])
    expect(conflict.clean).toBe(false)
    expect(conflict.text).toContain(
      '<<<<<<< ameide\nfunc a() int { return 10 }\n=======\nfunc a() int { return 11 }\n>>>>>>> v2',
    )
  })
})

describe('what the overlay changes does not show: the module and Helm 4.1.4 give the same', () => {
  let module: RenderModule
  let helm: string
  beforeAll(() => {
    const built = sharedRenderModule()
    if (!built) throw new Error('the render module is not built: npm run build')
    module = built
    helm = requireTool('helm')
  })

  async function chart(files: Record<string, string>): Promise<string> {
    const dir = await makeTempDir('ameide-overlay-')
    for (const [file, text] of Object.entries({'Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n', ...files})) {
      await mkdir(path.dirname(path.join(dir, file)), {recursive: true})
      await writeFile(path.join(dir, file), text)
    }
    return dir
  }

  async function both(dir: string, set: Array<{name: string; value: string}> = []): Promise<[string, string]> {
    const command: HelmTemplate = {release: 'rel', chart: dir, set}
    const home = await makeTempDir('ameide-overlay-home-')
    const native = await run(helm, helmTemplateArgs(command), {
      env: {PATH: '/usr/bin:/bin', HOME: home, HELM_CONFIG_HOME: home, HELM_CACHE_HOME: home, HELM_DATA_HOME: home},
    }).then(
      ({stdout}) => stdout,
      (e: {stderr: string}) =>
        `error: ${e.stderr
          .split('\n')
          .filter((l) => l && !l.startsWith('level='))
          .join('\n')}`,
    )
    const answer = await module.run({
      roots: [dir],
      files: {},
      cwd: dir,
      commands: [{helmTemplate: command}],
    })
    if (!answer.ok) throw new Error(answer.message)
    const [r] = answer.results
    return [native, r!.exit === 0 ? r!.stdout : `error: Error: ${r!.error?.message.trim()}`]
  }

  it('the default capabilities: every API version in order, the Kubernetes and Helm versions', async () => {
    const dir = await chart({
      'templates/cm.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: caps}\ndata:\n  kube: {{ .Capabilities.KubeVersion.Version | quote }}\n  helm: {{ .Capabilities.HelmVersion.Version | quote }}\n  apps: {{ .Capabilities.APIVersions.Has "apps/v1" | quote }}\n  crd: {{ .Capabilities.APIVersions.Has "apiextensions.k8s.io/v1beta1" | quote }}\n  versions: {{ join "," .Capabilities.APIVersions | quote }}\n',
    })
    const [native, ours] = await both(dir)
    expect(native).toContain('kube: "v1.35.0"')
    expect(native).toContain('apps: "true"')
    expect(native).toMatch(/versions: "v1,admissionregistration\.k8s\.io\/v1,.{1000,}"/)
    expect(ours).toBe(native)
  })

  it('a values schema of each draft validates on first use as in Helm: valid values pass, invalid ones fail alike', async () => {
    const template = {
      'templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: v}\ndata: {n: "{{ .Values.n }}"}\n',
    }
    for (const draft of [
      'http://json-schema.org/draft-04/schema#',
      'http://json-schema.org/draft-07/schema#',
      'https://json-schema.org/draft/2020-12/schema',
    ]) {
      const schema = JSON.stringify({
        $schema: draft,
        type: 'object',
        properties: {n: {type: 'integer', minimum: 1}},
        required: ['n'],
      })
      const dir = await chart({...template, 'values.schema.json': schema})
      const [nativeOk, oursOk] = await both(dir, [{name: 'n', value: '3'}])
      expect(nativeOk).toContain('n: "3"')
      expect(oursOk, draft).toBe(nativeOk)
      const [nativeBad, oursBad] = await both(dir, [{name: 'n', value: '0'}])
      expect(nativeBad).toMatch(/^error: .*values don't meet the specifications of the schema/s)
      expect(oursBad.toLowerCase(), draft).toBe(nativeBad.toLowerCase())
    }
    // A schema that is itself invalid against its meta-schema: refused alike (the meta-schemas are there).
    const dir = await chart({...template, 'values.schema.json': '{"type": 12}'})
    const [native, ours] = await both(dir, [{name: 'n', value: '3'}])
    expect(native).toMatch(/^error: /)
    expect(ours.toLowerCase()).toBe(native.toLowerCase())
  })
})
