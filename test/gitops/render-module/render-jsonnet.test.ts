/**
 * Argo CD's jsonnet in the render module (effects/render-module/jsonnet.ts, go/jsonnet.go) against the `jsonnet` of
 * the same go.sum (go-jsonnet's cmd/jsonnet, built by scripts/build-wasm.mjs --jsonnet): TLAs and extVars
 * (string and code), `libs` as JPaths after the app folder, relative and JPath imports, importstr, std functions and
 * errors — the same objects (the native JSON read as Argo CD's findManifests reads it: an array's elements, or one
 * object), or the same message. Then what only the repo-server does (env substitution, its unmarshalling) and the
 * confinement: the module reads the revision in memory and nothing of the host.
 */
import {execFile, execFileSync} from 'node:child_process'
import {mkdir, symlink, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {promisify} from 'node:util'
import {beforeAll, describe, expect, it} from 'vitest'

import {sharedRenderModule} from '../../../src/effects/render-module/host.js'
import {moduleJsonnet, type Jsonnet, type JsonnetVariable} from '../../../src/effects/render-module/jsonnet.js'
import {runToEnd} from '../../support/exec.js'
import {makeTempDir} from '../../support/tmp.js'

const run = promisify(execFile)
const repoRoot = path.resolve(import.meta.dirname, '../../..')

let jsonnet: Jsonnet
let native: string

beforeAll(async () => {
  const module = sharedRenderModule()
  if (!module) throw new Error('the render module is not built: npm run build')
  if (!module.build.jsonnet) throw new Error('the render module was built without jsonnet: npm run build')
  jsonnet = moduleJsonnet(module, module.build.jsonnet)
  native = path.join(await makeTempDir('ameide-jsonnet-native-'), 'jsonnet')
  await runToEnd(process.execPath, [path.join(repoRoot, 'scripts/build-wasm.mjs'), '--jsonnet', native], {
    showStderr: true,
  })
  expect(execFileSync(native, ['--version'], {encoding: 'utf8'})).toContain(module.build.jsonnet)
}, 600_000)

interface Case {
  files: Record<string, string>
  /** The .jsonnet files evaluated (under app/). */
  entries?: string[]
  tlas?: JsonnetVariable[]
  extVars?: JsonnetVariable[]
  libs?: string[]
}

async function revision(files: Record<string, string>): Promise<string> {
  const root = await makeTempDir('ameide-jsonnet-')
  for (const [f, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, f)), {recursive: true})
    await writeFile(path.join(root, f), text)
  }
  return root
}

const flags = (kind: 'tla' | 'ext', vars: JsonnetVariable[] = []) =>
  vars.flatMap((v) => [`--${kind}-${v.code ? 'code' : 'str'}`, `${v.name}=${v.value}`])

/** The native jsonnet's answer, read as findManifests reads it: objects, or the message. */
async function nativeRun(root: string, c: Case, entry: string): Promise<{ok: boolean; out: unknown}> {
  const args = [
    ...['app', ...(c.libs ?? [])].flatMap((j) => ['-J', path.join(root, j)]),
    ...flags('tla', c.tlas),
    ...flags('ext', c.extVars),
    path.join(root, 'app', entry),
  ]
  try {
    const {stdout} = await run(native, args, {cwd: path.join(root, 'app'), env: {PATH: '/usr/bin:/bin'}})
    const value = JSON.parse(stdout) as unknown
    return {ok: true, out: Array.isArray(value) ? value.filter((v) => v !== null) : [value]}
  } catch (e) {
    const said = String((e as {stderr?: string}).stderr ?? e).trim()
    return {ok: false, out: said.replaceAll(`${root}/`, '')}
  }
}

async function moduleRun(root: string, c: Case, entry: string): Promise<{ok: boolean; out: unknown}> {
  const result = await jsonnet.evaluate({
    revision: root,
    appPath: path.join(root, 'app'),
    files: [path.join(root, 'app', entry)],
    tlas: c.tlas ?? [],
    extVars: c.extVars ?? [],
    libs: c.libs ?? [],
    env: {},
    unknown: [],
  })
  if (!result.ok) return {ok: false, out: result.message.replace(`Failed to evaluate jsonnet "${entry}": `, '')}
  expect(result.files.map((f) => f.file)).toEqual([`app/${entry}`])
  return {ok: true, out: result.files[0]!.objects}
}

const cm = (name: string, data: string) =>
  `{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: ${name}}, data: ${data}}`

const CASES: Record<string, Case> = {
  'one object': {files: {'app/main.jsonnet': cm("'one'", '{a: "b"}')}},
  'an array, a null element dropped': {
    files: {'app/main.jsonnet': `[${cm("'x'", '{}')}, null, ${cm("'y'", '{}')}]`},
  },
  'TLAs: string and code': {
    files: {
      'app/main.jsonnet': `function(name, replicas, flag=false) ${cm('name', '{r: std.toString(replicas * 2), f: std.toString(flag)}')}`,
    },
    tlas: [
      {name: 'name', value: 'from-tla', code: false},
      {name: 'replicas', value: '3 + 4', code: true},
      {name: 'flag', value: 'true', code: true},
    ],
  },
  'extVars: string and code': {
    files: {
      'app/main.jsonnet': cm("std.extVar('env')", "{tier: std.extVar('tier').name, n: std.toString(std.extVar('n'))}"),
    },
    extVars: [
      {name: 'env', value: 'prod', code: false},
      {name: 'tier', value: "{name: 'gold'}", code: true},
      {name: 'n', value: '"41"', code: false},
    ],
  },
  'libs: JPaths after the app folder, the last lib first': {
    files: {
      'app/main.jsonnet': cm(
        "(import 'k.libsonnet').name",
        "{v: (import 'only-in-b.libsonnet').v, app: (import 'local.libsonnet').x}",
      ),
      'app/local.libsonnet': "{x: 'app folder'}",
      'vendor/a/k.libsonnet': "{name: 'from-a'}",
      'vendor/b/k.libsonnet': "{name: 'from-b'}",
      'vendor/b/only-in-b.libsonnet': "{v: 'b'}",
    },
    libs: ['vendor/a', 'vendor/b'],
  },
  'relative imports, importstr, importbin': {
    files: {
      'app/main.jsonnet':
        "local conf = import '../shared/conf.libsonnet'; " +
        cm('conf.name', "{script: importstr 'files/run.sh', size: std.toString(std.length(importbin 'files/run.sh'))}"),
      'app/files/run.sh': '#!/bin/sh\necho hi\n',
      'shared/conf.libsonnet': "{name: 'shared-' + (import 'nested/n.libsonnet')}",
      'shared/nested/n.libsonnet': "'nested'",
    },
  },
  'std functions': {
    files: {
      'app/main.jsonnet': cm(
        "'std'",
        "{yaml: std.manifestYamlDoc({a: [1, 2], b: {c: 'd'}}), b64: std.base64('ameide'), md5: std.md5('x'), " +
          "fmt: std.format('%s-%05d', ['v', 42]), sorted: std.join(',', std.sort(['c', 'a', 'b'])), " +
          "parsed: std.toString(std.parseYaml('a: [1, 2]')), json: std.manifestJsonMinified({z: 1, a: [true, null]}), " +
          "sha: std.sha256('ameide'), merged: std.toString(std.mergePatch({a: 1, b: {c: 2}}, {b: {c: null, d: 3}}))}",
      ),
    },
  },
  'an error()': {files: {'app/main.jsonnet': "error 'the image is not pinned'"}},
  'a runtime error with a stack trace': {
    files: {
      'app/main.jsonnet': 'local f(x) = x.missing; [f({a: 1})]',
    },
  },
  'a syntax error': {files: {'app/main.jsonnet': '{a: }'}},
  'a missing import': {files: {'app/main.jsonnet': "import 'nowhere.libsonnet'"}},
  'a missing TLA': {files: {'app/main.jsonnet': 'function(required) {}'}},
  'an undefined extVar': {files: {'app/main.jsonnet': "std.extVar('nope')"}},
  'a TLA code value that does not parse': {
    files: {'app/main.jsonnet': `function(x) ${cm("'a'", '{x: std.toString(x)}')}`},
    tlas: [{name: 'x', value: '{oops', code: true}],
  },
}

describe("jsonnet: the render module and go-jsonnet's own jsonnet of the same go.sum", () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(name, async () => {
      const root = await revision(c.files)
      const [a, b] = [await nativeRun(root, c, 'main.jsonnet'), await moduleRun(root, c, 'main.jsonnet')]
      expect(b).toEqual(a)
    })
  }

  it('the cases reach both outcomes', async () => {
    const outcomes = await Promise.all(
      Object.values(CASES).map(async (c) => (await nativeRun(await revision(c.files), c, 'main.jsonnet')).ok),
    )
    expect(outcomes.filter(Boolean).length).toBe(7)
    expect(outcomes.filter((ok) => !ok).length).toBe(7)
  })
})

/** The module's answer for `files` (app/ the source's folder), with the repo-server's environment. */
async function evaluate(files: Record<string, string>, options: Partial<Case> & {entries?: string[]} = {}) {
  const root = await revision(files)
  const result = await jsonnet.evaluate({
    revision: root,
    appPath: path.join(root, 'app'),
    files: (options.entries ?? ['main.jsonnet']).map((e) => path.join(root, 'app', e)),
    tlas: options.tlas ?? [],
    extVars: options.extVars ?? [],
    libs: options.libs ?? [],
    env: {ARGOCD_APP_NAME: 'guestbook', ARGOCD_APP_NAMESPACE: 'web'},
    unknown: ['ARGOCD_APP_REVISION'],
  })
  return {root, result}
}

describe('jsonnet: what the repo-server adds', () => {
  it("substitutes the Application's variables in TLA and extVar values, `$$` a `$`, an unknown one empty", async () => {
    const {result} = await evaluate(
      {'app/main.jsonnet': `function(who) ${cm('who', "{ns: std.extVar('ns'), code: std.toString(std.extVar('c'))}")}`},
      {
        tlas: [{name: 'who', value: '$ARGOCD_APP_NAME-$${kept}-${UNSET}x', code: false}],
        extVars: [
          {name: 'ns', value: '${ARGOCD_APP_NAMESPACE}', code: false},
          {name: 'c', value: "'$ARGOCD_APP_NAME'", code: true},
        ],
      },
    )
    expect(result).toEqual({
      ok: true,
      files: [
        {
          file: 'app/main.jsonnet',
          objects: [
            {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              metadata: {name: 'guestbook-${kept}-x'},
              data: {ns: 'web', code: 'guestbook'},
            },
          ],
        },
      ],
    })
  })

  it('substitutes in place, as the repo-server does: the second .jsonnet file sees its values substituted twice', async () => {
    const {result} = await evaluate(
      {'app/a.jsonnet': `function(v) ${cm("'a'", '{v: v}')}`, 'app/b.jsonnet': `function(v) ${cm("'b'", '{v: v}')}`},
      {entries: ['a.jsonnet', 'b.jsonnet'], tlas: [{name: 'v', value: '$$ARGOCD_APP_NAME', code: false}]},
    )
    expect(result.ok && result.files.map((f) => f.objects[0]!.data)).toEqual([
      {v: '$ARGOCD_APP_NAME'},
      {v: 'guestbook'},
    ])
  })

  it('a value naming the revision Argo CD resolves is not evaluated: the variable named', async () => {
    const {result} = await evaluate(
      {'app/main.jsonnet': `function(rev) ${cm("'a'", '{rev: rev}')}`},
      {tlas: [{name: 'rev', value: 'v-${ARGOCD_APP_REVISION}', code: false}]},
    )
    expect(result).toMatchObject({ok: false, unknownVariable: 'ARGOCD_APP_REVISION'})
  })

  it("evaluates every file in the order given, named from the revision's root", async () => {
    const {result} = await evaluate(
      {'app/a.jsonnet': cm("'a'", '{}'), 'app/sub/b.jsonnet': `[${cm("'b1'", '{}')}, ${cm("'b2'", '{}')}]`},
      {entries: ['sub/b.jsonnet', 'a.jsonnet']},
    )
    expect(
      result.ok && result.files.map((f) => [f.file, f.objects.map((o) => (o.metadata as {name: string}).name)]),
    ).toEqual([
      ['app/sub/b.jsonnet', ['b1', 'b2']],
      ['app/a.jsonnet', ['a']],
    ])
  })

  it("unmarshals as Argo CD does: no kind, a scalar or a nested array fail with the repo-server's message", async () => {
    const cases: Array<[string, RegExp]> = [
      [
        "{apiVersion: 'v1', metadata: {name: 'x'}}",
        /^Failed to unmarshal generated json "main.jsonnet": .*Object 'Kind' is missing/,
      ],
      ['42', /^Failed to unmarshal generated json "main.jsonnet": /],
      [`[[${cm("'x'", '{}')}]]`, /^Failed to unmarshal generated json "main.jsonnet": /],
      ["'a string'", /^Failed to unmarshal generated json "main.jsonnet": /],
    ]
    for (const [code, message] of cases) {
      const {result} = await evaluate({'app/main.jsonnet': code})
      expect(result.ok, code).toBe(false)
      expect(!result.ok && result.message, code).toMatch(message)
    }
  })

  it('an evaluation error names the file as Argo CD does, its paths relative to the revision', async () => {
    const {root, result} = await evaluate({'app/main.jsonnet': "error 'boom'"})
    expect(result.ok).toBe(false)
    const message = !result.ok ? result.message : ''
    expect(message).toMatch(
      /^Failed to evaluate jsonnet "main.jsonnet": RUNTIME ERROR: boom\n\s+app\/main.jsonnet:1:1-13/,
    )
    expect(message).not.toContain(root)
  })

  it("past the module's limits: a render-limit, never a partial list", async () => {
    const {result} = await evaluate({
      'app/main.jsonnet': `[${cm("'c' + i", '{}')} for i in std.range(1, 20001)]`,
    })
    expect(result).toEqual({
      ok: false,
      limit: 'objects',
      message: expect.stringMatching(/^jsonnet stopped: .*20,000 objects/),
    })
  })

  it('a lib outside the repository root is refused, as the repo-server refuses it', async () => {
    for (const lib of ['../elsewhere', '/../../etc']) {
      const {result} = await evaluate({'app/main.jsonnet': cm("'a'", '{}')}, {libs: [lib]})
      expect(result).toEqual({ok: false, message: `file '${lib}' resolved to outside repository root`})
    }
    const {result} = await evaluate(
      {'app/main.jsonnet': cm("(import 'k.libsonnet').n", '{}'), 'lib/k.libsonnet': "{n: 'abs'}"},
      {libs: ['/lib']},
    )
    expect(result.ok).toBe(true)
  })
})

describe('jsonnet: confined to the revision', () => {
  /** A file of the host beside the revision, which a native jsonnet does read: proof that it is reachable. */
  async function hostSecret(): Promise<string> {
    const dir = await makeTempDir('ameide-jsonnet-host-')
    await writeFile(path.join(dir, 'secret.libsonnet'), "{secret: 'HOST-ONLY-CONTENT'}")
    return dir
  }

  it("import '/etc/passwd', importstr '/etc/passwd' and an absolute path of the host are not found", async () => {
    const secret = await hostSecret()
    for (const code of [
      "importstr '/etc/passwd'",
      "import '/etc/passwd'",
      `(import '${secret}/secret.libsonnet').secret`,
    ]) {
      const {result} = await evaluate({'app/main.jsonnet': cm("'a'", `{x: ${code}}`)})
      expect(result.ok, code).toBe(false)
      const message = !result.ok ? result.message : ''
      expect(message, code).toMatch(/couldn't open import "[^"]+": no match locally or in the Jsonnet library paths/)
      expect(message).not.toMatch(/root:|HOST-ONLY-CONTENT/)
    }
  })

  /** A fresh revision for each attempt: a thread keeps the revision it took (a revision does not change). */
  async function confined(code: string, links: Record<string, string> = {}, libs: string[] = []) {
    const root = await revision({'app/main.jsonnet': code})
    for (const [at, target] of Object.entries(links)) await symlink(target, path.join(root, at))
    const result = await jsonnet.evaluate({
      revision: root,
      appPath: path.join(root, 'app'),
      files: [path.join(root, 'app/main.jsonnet')],
      ...{tlas: [], extVars: [], libs, env: {}, unknown: []},
    })
    return {root, result}
  }

  it('a ../ escape past the revision is not found, though the host holds the file', async () => {
    const secret = await hostSecret()
    const probe = await revision({'app/main.jsonnet': ''})
    const escape = `${path.relative(path.join(probe, 'app'), secret)}/secret.libsonnet`
    expect(escape).toMatch(/^\.\.\/\.\.\//)
    const code = cm("'a'", `{x: (import '${escape}').secret}`)
    await writeFile(path.join(probe, 'app/main.jsonnet'), code)
    const reachable = await nativeRun(probe, {files: {}}, 'main.jsonnet')
    expect(JSON.stringify(reachable.out)).toContain('HOST-ONLY-CONTENT') // the host's jsonnet reads it
    for (const c of [code, `{x: importstr '../../../../../../../../etc/passwd'}`]) {
      const {result} = await confined(c)
      expect(result.ok, c).toBe(false)
      expect(!result.ok && result.message, c).toMatch(/couldn't open import "\.\.\/\.\.\//)
      expect(JSON.stringify(result)).not.toMatch(/root:|HOST-ONLY-CONTENT/)
    }
  })

  it('links leading out of the revision are not followed: a file link, a folder link, a lib link', async () => {
    const secret = await hostSecret()
    const attempts: Array<[string, Record<string, string>, string[]]> = [
      ["{x: importstr 'passwd.txt'}", {'app/passwd.txt': '/etc/passwd'}, []],
      ["{x: (import 'secret.libsonnet').secret}", {'app/secret.libsonnet': path.join(secret, 'secret.libsonnet')}, []],
      ["{x: (import '../outside/secret.libsonnet').secret}", {outside: secret}, []],
      // Argo CD refuses the lib (it resolves outside the root); the revision in memory has no such link: not found.
      ["{x: (import 'secret.libsonnet').secret}", {outside: secret}, ['outside']],
    ]
    for (const [code, links, libs] of attempts) {
      const {result} = await confined(code, links, libs)
      expect(result.ok, code).toBe(false)
      expect(!result.ok && result.message, code).toMatch(
        /couldn't open import "(passwd.txt|secret.libsonnet|\.\.\/outside\/secret.libsonnet)"/,
      )
      expect(JSON.stringify(result)).not.toMatch(/root:|HOST-ONLY-CONTENT/)
    }
    // A link that stays inside the revision is followed.
    const root = await revision({
      'app/main.jsonnet': cm("(import 'lib.libsonnet').v", '{}'),
      'shared.libsonnet': "{v: 'in'}",
    })
    await symlink('../shared.libsonnet', path.join(root, 'app/lib.libsonnet'))
    const inside = await jsonnet.evaluate({
      revision: root,
      appPath: path.join(root, 'app'),
      files: [path.join(root, 'app/main.jsonnet')],
      ...{tlas: [], extVars: [], libs: [], env: {}, unknown: []},
    })
    expect(inside.ok && inside.files[0]!.objects[0]!.metadata).toEqual({name: 'in'})
  })
})
