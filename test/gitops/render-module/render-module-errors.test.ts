/**
 * The render module's typed answers (protocol ameide-render/5, go/errors.go and go/warnings.go), asked directly: a
 * failed command's error carries a code decided in Go from the error's type, its message (the words the tool's CLI
 * prints after `Error: `) and, where the error names a place, the file and line; what Helm logged is in `warnings`,
 * never in the error. Real module, real charts, kustomizations and jsonnet in temporary folders.
 */
import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'

import type {ModuleCommand} from '../../../src/effects/render-module/commands.js'
import {sharedRenderModule, type CommandResult, type RenderModule} from '../../../src/effects/render-module/host.js'
import {makeTempDir, writeFiles} from '../../support/tmp.js'
import {requireTool} from '../../support/toolchain.js'

let module: RenderModule

beforeAll(() => {
  const built = sharedRenderModule()
  if (!built) throw new Error('the render module is not built: npm run build')
  module = built
})

/** A folder of its own holding `files` (path → text). */
async function folder(name: string, files: Record<string, string>): Promise<string> {
  const dir = await makeTempDir(`ameide-errors-${name}-`)
  await writeFiles(dir, files)
  return dir
}

/** The one command's result, run in `dir`. */
async function ask(dir: string, command: ModuleCommand, files: Record<string, string> = {}): Promise<CommandResult> {
  const run = await module.run({roots: [dir], files, cwd: dir, commands: [command]})
  if (!run.ok) throw new Error(run.message)
  return run.results[0]!
}

const CHART = 'apiVersion: v2\nname: web\nversion: 0.1.0\n'
const template = (dir: string, extra: Partial<{valueFiles: string[]}> = {}) =>
  ask(dir, {helmTemplate: {release: 'rel', chart: '.', ...extra}})

describe('helm template: template errors name the template as Helm names it, and the line', () => {
  it('a parse error (an undefined function)', async () => {
    const dir = await folder('parse', {
      'Chart.yaml': CHART,
      'templates/d.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ nosuchfunction .Release.Name }}\n',
    })
    const r = await template(dir)
    expect(r.exit).toBe(1)
    expect(r.error).toMatchObject({code: 'template', file: 'web/templates/d.yaml', line: 4})
    expect(r.error!.message).toBe(
      'parse error at (web/templates/d.yaml:4): function "nosuchfunction" not defined\n\nUse --debug flag to render out invalid YAML',
    )
  })

  it('an execution error (a nil pointer), in the file it happens in: a helper included from another template', async () => {
    const dir = await folder('exec', {
      'Chart.yaml': CHART,
      'values.yaml': 'a: null\n',
      'templates/_helpers.tpl': '{{- define "web.name" -}}\n\n{{ .Values.a.b.c }}\n{{- end -}}\n',
      'templates/d.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include "web.name" . }}\n',
    })
    const r = await template(dir)
    expect(r.error).toMatchObject({code: 'template', file: 'web/templates/_helpers.tpl', line: 3})
    expect(r.error!.message).toContain('nil pointer evaluating interface {}.b')
    // The same error in the template itself: its own name and line.
    const single = await folder('exec-single', {
      'Chart.yaml': CHART,
      'values.yaml': 'a: null\n',
      'templates/e.yaml': 'kind: ConfigMap\n\nx: {{ .Values.a.b.c }}\n',
    })
    expect((await template(single)).error).toMatchObject({code: 'template', file: 'web/templates/e.yaml', line: 3})
  })
})

describe('helm template: values', () => {
  it('a values.schema.json rejecting the values is values-schema, with Helm’s message', async () => {
    const dir = await folder('schema', {
      'Chart.yaml': CHART,
      'values.yaml': 'replicas: many\n',
      'values.schema.json': '{"type":"object","properties":{"replicas":{"type":"integer"}}}',
      'templates/d.yaml': 'kind: ConfigMap\n',
    })
    const r = await template(dir)
    expect(r.error?.code).toBe('values-schema')
    expect(r.error!.message).toMatch(
      /^values don't meet the specifications of the schema\(s\) in the following chart\(s\):\nweb:\n/,
    )
    expect(r.error!.message).toContain('replicas')
    expect(r.error!.file).toBeUndefined()
  })

  it('a values file that does not parse is yaml, with its path and line', async () => {
    const dir = await folder('yaml', {
      'Chart.yaml': CHART,
      'templates/d.yaml': 'kind: ConfigMap\n',
      'broken.yaml': 'a: 1\nb: 2\nc: [unclosed\nd: 4\n',
    })
    const file = path.join(dir, 'broken.yaml')
    const r = await template(dir, {valueFiles: [file]})
    expect(r.error).toMatchObject({code: 'yaml', file})
    expect(r.error!.message).toMatch(new RegExp(`^failed to parse ${file}: .*yaml: line ${r.error!.line}: `))
    expect(r.error!.line).toBeGreaterThanOrEqual(3)
    expect(r.error!.line).toBeLessThanOrEqual(5)
  })

  it('a dependency missing from charts/ is missing-dependency', async () => {
    const dir = await folder('dependency', {
      'Chart.yaml': `${CHART}dependencies:\n  - name: sub\n    version: 0.1.0\n    repository: file://../sub\n`,
      'templates/d.yaml': 'kind: ConfigMap\n',
    })
    const r = await template(dir)
    expect(r.error?.code).toBe('missing-dependency')
    expect(r.error!.message).toContain('found in Chart.yaml, but missing in charts/ directory: sub')
  })
})

describe('warnings: what Helm logged, one entry per record, never in the error', () => {
  it("Helm's slog records and the deprecation notice, beside a template error", async () => {
    const dir = await folder('warnings', {
      'Chart.yaml': `${CHART}deprecated: true\ndependencies:\n  - name: sub\n    version: 0.1.0\n    condition: sub.enabled\n`,
      'values.yaml': 'sub:\n  enabled: yes-please\n',
      'charts/sub/Chart.yaml': 'apiVersion: v2\nname: sub\nversion: 0.1.0\n',
      'charts/sub/templates/s.yaml': 'kind: ConfigMap\n',
      'templates/d.yaml': 'x: {{ nosuchfunction }}\n',
    })
    const r = await template(dir)
    expect(r.error?.code).toBe('template')
    expect(r.warnings).toContain('this chart is deprecated')
    expect(r.warnings).toContainEqual(expect.stringMatching(/^returned non-bool value path=sub\.enabled chart=sub$/))
    expect(r.warnings.every((w) => !w.startsWith('level='))).toBe(true)
    expect(r.error!.message).not.toMatch(/deprecated|non-bool/)
    // A render that succeeds says its warnings too, and no error.
    const fine = await folder('warnings-fine', {
      'Chart.yaml': `${CHART}deprecated: true\n`,
      'templates/d.yaml': 'x: 1\n',
    })
    const ok = await template(fine)
    expect(ok).toMatchObject({exit: 0, warnings: ['this chart is deprecated']})
    expect(ok.error).toBeUndefined()
  })
})

describe('warnings: what kustomize printed on its own stderr, one entry per line, never in the error', () => {
  it("kustomize's deprecation notice, with a build that succeeds and one that fails", async () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n'
    const dir = await folder('kustomize-warn', {
      'kustomization.yaml': 'commonLabels:\n  app: web\nresources:\n  - cm.yaml\n',
      'cm.yaml': cm,
    })
    const ok = await ask(dir, {kustomizeBuild: {dir}})
    expect(ok.exit).toBe(0)
    expect(ok.warnings).toEqual([expect.stringMatching(/^# Warning: 'commonLabels' is deprecated\./)])
    expect(ok.stderr).toBe('')
    const broken = await folder('kustomize-warn-broken', {
      'kustomization.yaml': 'commonLabels:\n  app: web\nresources:\n  - missing.yaml\n',
    })
    const failed = await ask(broken, {kustomizeBuild: {dir: broken}})
    expect(failed.error?.code).toBe('kustomize')
    expect(failed.warnings).toEqual(ok.warnings)
    expect(failed.error!.message).not.toContain('commonLabels')
  })
})

describe('jsonnet', () => {
  const spec = (dir: string, extra: object = {}) =>
    JSON.stringify({
      repoRoot: dir,
      appPath: dir,
      files: [path.join(dir, 'main.jsonnet')],
      tlas: [],
      extVars: [],
      libs: [],
      env: {},
      unknown: [],
      ...extra,
    })

  it('a runtime error is jsonnet, with the file and line of its innermost frame', async () => {
    const dir = await folder('jsonnet', {
      'main.jsonnet': 'local lib = import "lib.libsonnet";\n[lib.cm("a")]\n',
      'lib.libsonnet': '{\n  cm(name)::\n    error "no config map " + name,\n}\n',
    })
    const r = await ask(dir, ['jsonnet', spec(dir)])
    expect(r.error).toMatchObject({code: 'jsonnet', file: path.join(dir, 'lib.libsonnet'), line: 3})
    expect(r.error!.message).toMatch(/^Failed to evaluate jsonnet "main\.jsonnet": RUNTIME ERROR: no config map a\n/)
  })

  it('a static error (does not parse) is jsonnet, with its file and line', async () => {
    const dir = await folder('jsonnet-static', {'main.jsonnet': '{\n  a: 1,\n  b: ,\n}\n'})
    const r = await ask(dir, ['jsonnet', spec(dir)])
    expect(r.error).toMatchObject({code: 'jsonnet', file: path.join(dir, 'main.jsonnet'), line: 3})
  })

  it('an unknown $var is unknown-variable, the variable in its own field', async () => {
    const dir = await folder('jsonnet-var', {'main.jsonnet': '{}\n'})
    const tlas = [{name: 'rev', value: 'at $ARGOCD_APP_REVISION', code: false}]
    const r = await ask(dir, ['jsonnet', spec(dir, {tlas, unknown: ['ARGOCD_APP_REVISION']})])
    expect(r.error).toEqual({
      code: 'unknown-variable',
      message: 'unknown variable $ARGOCD_APP_REVISION',
      variable: 'ARGOCD_APP_REVISION',
    })
  })
})

describe('kustomize, Flux post-build, a bad request', () => {
  it('a missing kustomize resource is kustomize', async () => {
    const dir = await folder('kustomize', {'kustomization.yaml': 'resources:\n  - missing.yaml\n'})
    const r = await ask(dir, {kustomizeBuild: {dir}})
    expect(r.error?.code).toBe('kustomize')
    expect(r.error!.message).toContain('missing.yaml')
  })

  it('a variable with no value (strict) is substitute', async () => {
    const dir = await folder('flux', {})
    const file = '/.ameide/built.yaml'
    const spec = JSON.stringify({file, vars: {OTHER: 'x'}, strict: true, always: false})
    const r = await ask(dir, ['flux', 'substitute', spec], {
      [file]: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: ${MISSING}\n',
    })
    expect(r.error?.code).toBe('substitute')
    expect(r.error!.message).toContain('MISSING')
  })

  it('a request the module cannot take is usage', async () => {
    const dir = await folder('usage', {})
    expect((await ask(dir, ['jsonnet'])).error).toEqual({code: 'usage', message: 'jsonnet takes one JSON argument'})
    expect((await ask(dir, ['no-such-command'])).error?.code).toBe('usage')
  })
})

describe("text/template's location prefix, read in Go (go/errors_test.go)", () => {
  it('go test passes', () => {
    const repoRoot = path.resolve(import.meta.dirname, '../../..')
    const out = execFileSync(
      requireTool('go'),
      ['test', '-count=1', '-run', 'TestTemplateErrorLocation|TestClassify', '.'],
      {
        cwd: path.join(repoRoot, 'src/effects/render-module/go'),
        encoding: 'utf8',
        env: {
          ...process.env,
          GOWORK: path.join(repoRoot, 'src/effects/go.work'),
          GOTOOLCHAIN: /^toolchain (go\S+)$/m.exec(
            readFileSync(path.join(repoRoot, 'src/effects/go.work'), 'utf8'),
          )![1],
          GOFLAGS: '-mod=readonly',
        },
      },
    )
    expect(out).toMatch(/^ok\s/)
  }, 120_000)
})
