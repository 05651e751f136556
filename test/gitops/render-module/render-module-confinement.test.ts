/**
 * The render module alone, with no field check in front of it: hostile kustomizations, charts and jsonnet handed
 * straight to the module's host (src/effects/render-module/host.ts), with every flag that would open a door in the
 * binaries (exec and container functions, Helm charts inflated by a helm on PATH, load restrictions off; `enableHelm`:
 * kustomize's Helm inflator with the module's own Helm, which pulls nothing and reads only the revision). What
 * `gitops diff` and `verify --render` refuse before rendering (untrusted-revision/holes) is here the module's to hold
 * by construction: it has no file but the revision, no environment, no process and no socket. Canaries: a token in
 * this process's environment, a file outside the revision (reached by absolute path, by `../`, through a link and
 * through /proc), a loopback HTTP server. None may appear in any answer; the server sees 0 requests; nothing is
 * written outside the revision.
 */
import {randomBytes} from 'node:crypto'
import {existsSync} from 'node:fs'
import {readdir, symlink, writeFile} from 'node:fs/promises'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {HelmTemplate} from '../../../src/effects/render-module/commands.js'
import {sharedRenderModule, type ModuleRun, type RenderModule} from '../../../src/effects/render-module/host.js'
import {makeTempDir, writeFiles} from '../../support/tmp.js'

const ENV = `canary-env-${randomBytes(6).toString('hex')}`
const FILE = `canary-file-${randomBytes(6).toString('hex')}`

let module: RenderModule
let outside: string
let server: Server
let url: string
let requests = 0

beforeAll(async () => {
  const built = sharedRenderModule()
  if (!built) throw new Error('the render module is not built: npm run build')
  module = built
  process.env.AMEIDE_CANARY = ENV
  outside = await makeTempDir('ameide-confine-outside-')
  await writeFile(path.join(outside, 'secret.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${FILE}}\n`)
  server = createServer((_, res) => {
    requests++
    res.end(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fetched}\n`)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}, 60_000)

afterAll(async () => {
  delete process.env.AMEIDE_CANARY
  await new Promise((resolve) => server.close(resolve))
})

/**
 * A revision of its own holding `files` (path → text): the module keeps a revision's snapshot for its thread's life,
 * so each case is a new one.
 */
async function folder(name: string, files: Record<string, string>): Promise<string> {
  const dir = await makeTempDir(`ameide-confine-${name}-`)
  await writeFiles(dir, files)
  return dir
}

/** Everything the module said, for the canary search. */
const said = (run: ModuleRun) => JSON.stringify(run)

function expectConfined(run: ModuleRun) {
  const text = said(run)
  expect(text).not.toContain(ENV)
  expect(text).not.toContain(FILE)
  expect(text).not.toContain('fetched')
}

const kustomize = (dir: string, loadRestrictionsNone = false) =>
  module.run({roots: [dir], files: {}, cwd: dir, commands: [{kustomizeBuild: {dir, loadRestrictionsNone}}]})

/** What a kustomize run ended as: its exit and what it printed. */
const outcome = (run: ModuleRun) => {
  if (!run.ok) return {exit: -1, out: run.message}
  const [r] = run.results
  return {exit: r!.exit, out: `${r!.stdout}\n${r!.error?.message ?? ''}`}
}

const NOT_FOUND =
  /no such file|couldn't open import|not found|does not exist|doesn't exist|must be a file|is not in or below|security|unable to find|not a valid|must resolve/i

describe('kustomize build in the module, nothing checked before it', () => {
  it('a resource outside the revision (absolute, ../, through a link, /proc) is not found', async () => {
    const secret = path.join(outside, 'secret.yaml')
    const cases: Array<[string, (dir: string) => Promise<string>]> = [
      ['absolute', () => Promise.resolve(secret)],
      ['../', (dir) => Promise.resolve(path.relative(dir, secret))],
      ['a link', (dir) => symlink(secret, path.join(dir, 'link.yaml')).then(() => 'link.yaml')],
      ['/proc', () => Promise.resolve('/proc/self/environ')],
    ]
    for (const [how, resource] of cases) {
      for (const none of [false, true]) {
        const dir = await folder('k-outside', {})
        await writeFile(path.join(dir, 'kustomization.yaml'), `resources:\n  - ${await resource(dir)}\n`)
        const run = await kustomize(dir, none)
        const {exit, out} = outcome(run)
        expect(exit, `${how} ${none ? 'LoadRestrictionsNone' : ''}: ${out}`).toBe(1)
        expect(out, how).toMatch(NOT_FOUND)
        expectConfined(run)
      }
    }
  }, 120_000)

  it('a remote resource or base is not fetched: no socket', async () => {
    for (const resource of [`${url}/cm.yaml`, `${url.replace('http', 'git::http')}/repo//base?ref=main`]) {
      const dir = await folder('k-remote', {'kustomization.yaml': `resources:\n  - ${resource}\n`})
      const run = await kustomize(dir)
      expect(outcome(run).exit, outcome(run).out).toBe(1)
      expectConfined(run)
    }
    expect(requests).toBe(0)
  }, 120_000)

  it('an exec function, a container function and a Helm chart inflation do not run; no flag can ask for them', async () => {
    const marker = path.join(outside, 'pwned')
    const fn = (annotation: string) =>
      `apiVersion: example.com/v1\nkind: Pwn\nmetadata:\n  name: pwn\n  annotations:\n    config.kubernetes.io/function: |\n${annotation}`
    const exec = fn(
      `      exec:\n        path: /bin/sh\n        args: ["-c", "echo $AMEIDE_CANARY > ${marker}; cat ${path.join(outside, 'secret.yaml')}"]\n`,
    )
    const container = fn('      container:\n        image: example.com/pwn:1\n')
    const flags = ['--enable-alpha-plugins', '--enable-exec', '--enable-helm', '--helm-command', '/bin/sh']
    const kustomizations: Array<Record<string, string>> = [
      {'kustomization.yaml': 'generators: [gen.yaml]\n', 'gen.yaml': exec},
      {'kustomization.yaml': 'generators: [gen.yaml]\n', 'gen.yaml': container},
      {
        'kustomization.yaml': `helmCharts:\n  - name: pwn\n    repo: ${url}\n    version: 1.0.0\n    releaseName: pwn\n`,
      },
    ]
    for (const files of kustomizations) {
      const dir = await folder('k-exec', files)
      const run = await kustomize(dir)
      expect(outcome(run).exit, outcome(run).out).toBe(1)
      expectConfined(run)
      // The protocol has no field for kustomize's flags, and no argv form of `kustomize build` to carry them.
      const asArgv = await module.run({
        roots: [dir],
        files: {},
        cwd: dir,
        commands: [['kustomize', 'build', dir, ...flags]],
      })
      expect(outcome(asArgv)).toEqual({exit: 1, out: expect.stringContaining('unknown command')})
      expectConfined(asArgv)
    }
    expect(existsSync(marker)).toBe(false)
    expect(requests).toBe(0)
  }, 120_000)

  it('with enableHelm, a chart of a repository is not pulled, and a chart home outside the revision is not read', async () => {
    const chart = 'apiVersion: v2\nname: pwn\nversion: 1.0.0\n'
    await writeFiles(outside, {
      'charts/pwn/Chart.yaml': chart,
      'charts/pwn/values.yaml': '{}\n',
      'charts/pwn/templates/cm.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${FILE}}\n`,
    })
    const cases: Array<[string, Record<string, string>, (dir: string) => Promise<unknown>]> = [
      [
        'a repository',
        {'kustomization.yaml': `helmCharts:\n  - {name: pwn, repo: ${url}, version: 1.0.0, releaseName: pwn}\n`},
        () => Promise.resolve(),
      ],
      [
        'an OCI repository',
        {'kustomization.yaml': `helmCharts:\n  - {name: pwn, repo: oci://${url.slice(7)}/c, releaseName: pwn}\n`},
        () => Promise.resolve(),
      ],
      [
        'an absolute chart home',
        {
          'kustomization.yaml': `helmGlobals: {chartHome: ${outside}/charts}\nhelmCharts:\n  - {name: pwn, releaseName: pwn}\n`,
        },
        () => Promise.resolve(),
      ],
      [
        'a ../ chart home',
        {},
        (dir) =>
          writeFile(
            path.join(dir, 'kustomization.yaml'),
            `helmGlobals: {chartHome: ${path.relative(dir, outside)}/charts}\nhelmCharts:\n  - {name: pwn, releaseName: pwn}\n`,
          ),
      ],
      [
        'a chart home through a link',
        {'kustomization.yaml': 'helmCharts:\n  - {name: pwn, releaseName: pwn}\n'},
        (dir) => symlink(path.join(outside, 'charts'), path.join(dir, 'charts')),
      ],
    ]
    for (const [how, files, more] of cases) {
      const dir = await folder('k-helm', files)
      await more(dir)
      for (const loadRestrictionsNone of [false, true]) {
        const run = await module.run({
          roots: [dir],
          files: {},
          cwd: dir,
          commands: [{kustomizeBuild: {dir, loadRestrictionsNone, enableHelm: true, helmKubeVersion: '1.30.0'}}],
        })
        expect(outcome(run).exit, `${how}: ${outcome(run).out}`).toBe(1)
        expect(outcome(run).out, how).toMatch(/nothing is pulled here|no chart found/)
        expectConfined(run)
      }
    }
    expect(requests).toBe(0)
  }, 120_000)
})

describe('helm in the module, nothing checked before it', () => {
  const chart = (templates: Record<string, string>, chartYaml = 'apiVersion: v2\nname: c\nversion: 0.1.0\n') =>
    folder('h', {
      'Chart.yaml': chartYaml,
      ...Object.fromEntries(Object.entries(templates).map(([f, t]) => [`templates/${f}`, t])),
    })
  const helm = (dir: string, command: Partial<HelmTemplate> = {}) =>
    module.run({
      roots: [dir],
      files: {},
      cwd: dir,
      commands: [{helmTemplate: {release: 'rel', chart: dir, ...command}}],
    })
  const configMap =
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata:\n  v: {{ .Values | toJson | quote }}\n'

  it('value files and --set-file outside the revision are not read', async () => {
    const secret = path.join(outside, 'secret.yaml')
    for (const command of [
      {valueFiles: [secret]},
      {valueFiles: ['../'.repeat(12) + secret.slice(1)]},
      {setFile: [{name: 'x', value: secret}]},
      {setFile: [{name: 'x', value: '/proc/self/environ'}]},
      {valueFiles: [`${url}/values.yaml`]},
    ]) {
      const run = await helm(await chart({'cm.yaml': configMap}), command)
      expect(outcome(run).exit, `${JSON.stringify(command)}: ${outcome(run).out}`).toBe(1)
      expect(outcome(run).out).toMatch(NOT_FOUND)
      expectConfined(run)
    }
    expect(requests).toBe(0)
  }, 120_000)

  it('.Files past the chart and lookup give nothing; the chart itself renders', async () => {
    const dir = await chart({
      'cm.yaml': `${configMap}  f: {{ .Files.Get "../../../../../../../../proc/self/environ" | quote }}\n  g: {{ .Files.Get "${path.join(outside, 'secret.yaml')}" | quote }}\n  ns: {{ lookup "v1" "Namespace" "" "" | toJson | quote }}\n`,
    })
    const run = await helm(dir, {set: [{name: 'a', value: 'b'}]})
    const {exit, out} = outcome(run)
    expect(exit, out).toBe(0)
    expect(out).toContain('v: "{\\"a\\":\\"b\\"}"')
    expect(out).toContain('f: ""')
    expect(out).toContain('g: ""')
    expect(out).toContain('ns: "{}"')
    expectConfined(run)
  }, 120_000)

  it('a dependency of a chart repository is not fetched', async () => {
    const dir = await chart(
      {'cm.yaml': configMap},
      `apiVersion: v2\nname: c\nversion: 0.1.0\ndependencies:\n  - name: dep\n    version: 1.0.0\n    repository: ${url}\n`,
    )
    const run = await module.run({roots: [dir], files: {}, cwd: dir, commands: [['helm', 'dependency', 'build', dir]]})
    expect(outcome(run).exit, outcome(run).out).toBe(1)
    expectConfined(run)
    expect(requests).toBe(0)
    expect(await readdir(dir)).not.toContain('charts')
  }, 120_000)
})

describe('jsonnet in the module, nothing checked before it', () => {
  it('an import outside the revision (absolute, ../, /proc, a URL) is not found', async () => {
    const {moduleJsonnet} = await import('../../../src/effects/render-module/jsonnet.js')
    const jsonnet = moduleJsonnet(module, module.build.jsonnet ?? '')
    const secret = path.join(outside, 'secret.yaml')
    for (const expression of [
      `importstr ${JSON.stringify(secret)}`,
      `importstr ${JSON.stringify('../'.repeat(12) + secret.slice(1))}`,
      'importstr "/proc/self/environ"',
      `import ${JSON.stringify(`${url}/x.libsonnet`)}`,
    ]) {
      const dir = await folder('j', {
        'main.jsonnet': `{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'x'}, data: {v: ${expression}}}\n`,
      })
      const result = await jsonnet.evaluate({
        revision: dir,
        appPath: dir,
        files: [path.join(dir, 'main.jsonnet')],
        tlas: [],
        extVars: [],
        libs: [],
        env: {},
        unknown: [],
      })
      expect(result.ok, expression).toBe(false)
      const text = JSON.stringify(result)
      expect(text, expression).toMatch(NOT_FOUND)
      expect(text).not.toContain(ENV)
      expect(text).not.toContain(FILE)
    }
    expect(requests).toBe(0)
  }, 120_000)
})
