/**
 * The ApplicationSet template engine (src/effects/gotemplate) against Go itself: the WebAssembly module, the confined
 * native render helper that links the same engine (what the CLI runs on Linux) and a native build of the same Go
 * program (scripts/build-wasm.mjs --engine-native) render the same requests, and must agree byte for byte, errors
 * included. Then the outputs that Argo CD's Go-template documentation and sprig's
 * function documentation state, and the engine's bounds.
 */
import {spawnSync} from 'node:child_process'
import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {openTemplateEngine, type TemplateEngine} from '../../../src/effects/gotemplate/index.js'
import {MODULE_LIMITS} from '../../../src/effects/limits.js'
import {confinementOf, startNative} from '../../../src/effects/render-module/native.js'
import {
  FAST_PARAM_SETS,
  FAST_TEMPLATES,
  NAMES,
  OPTION_SETS,
  PARAM_SETS,
  SLOW_TEMPLATES,
  TEMPLATES,
  YAML_TEXTS,
} from '../../fixtures/gotemplate/cases.js'
import {runCli} from '../../support/cli.js'
import {runToEnd} from '../../support/exec.js'
import {commitAll, initGitRepo, makeTempDir, runCleanups} from '../../support/tmp.js'
import {REPO_ROOT, requireTool, toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

let engine: TemplateEngine
let native: string

beforeAll(async () => {
  requireTool('go')
  const dir = await makeTempDir('ameide-engine-')
  native = path.join(dir, 'engine')
  await runToEnd(process.execPath, ['scripts/build-wasm.mjs', '--engine-native', native], {
    cwd: REPO_ROOT,
    env: toolEnv(),
  })
  engine = openTemplateEngine()
})

/** One request answered by the native build: its JSON response, parsed. */
function nativeAnswer(request: object): Record<string, unknown> {
  const run = spawnSync(native, [], {
    input: JSON.stringify(request),
    encoding: 'utf8',
    env: {...process.env, TZ: 'UTC'},
  })
  expect(run.status, run.stderr).toBe(0)
  return JSON.parse(run.stdout) as Record<string, unknown>
}

/**
 * Go's spec leaves a float → integer conversion outside the integer's range implementation-dependent: amd64 gives the
 * minimum integer, arm64 and js/wasm (Go 1.26 always converts saturating) the nearest bound — Argo CD itself answers
 * by its machine. The corpus's one such conversion, `int64 .big` with big = 1e21, is taken from a native amd64
 * reference as arm64 and the WebAssembly engine compute it; every other byte is the native build's.
 */
function asSaturating(request: {templates: string[]; params: Array<Record<string, unknown>>}, results: string[][]) {
  if (process.arch !== 'x64') return results
  return results.map((row, set) =>
    row.map((out, t) =>
      request.templates[t].includes('int64 .big') && Number(request.params[set].big) > 2 ** 63
        ? out.replace('-9223372036854775808', '9223372036854775807')
        : out,
    ),
  )
}

describe('the confined native helper answers as the native build of the engine does', () => {
  const requests = () => [
    ...OPTION_SETS.map((options) => ({
      op: 'render',
      goTemplate: true,
      options,
      templates: TEMPLATES.map(([, t]) => t),
      params: PARAM_SETS,
    })),
    {op: 'render', goTemplate: false, options: [], templates: FAST_TEMPLATES, params: FAST_PARAM_SETS},
    {op: 'yaml', texts: YAML_TEXTS},
    {op: 'slug', texts: NAMES},
    {op: 'sanitize', texts: NAMES},
    {op: 'version'},
  ]

  it('every request of the corpus, byte for byte, inside its seccomp filter', async () => {
    const thread = await startNative(MODULE_LIMITS.memoryBytes)
    try {
      for (const request of requests()) {
        const answer = await thread.askTemplate(JSON.stringify(request), MODULE_LIMITS)
        if (!answer.ok) throw new Error(answer.message)
        expect(JSON.parse(answer.answer), request.op).toEqual(nativeAnswer(request))
      }
      expect(confinementOf(thread.pid)).toBeUndefined()
    } finally {
      process.kill(thread.pid, 'SIGKILL')
    }
  })
})

describe('the WebAssembly engine and a native build of the same Go program agree byte for byte', () => {
  it.each(OPTION_SETS.map((o) => [o.join(',') || '(no options)', o] as const))(
    'goTemplate, %s: every template string with every parameter set, failures included',
    (_, options) => {
      const request = {goTemplate: true, options, templates: TEMPLATES.map(([, t]) => t), params: PARAM_SETS}
      const wasm = engine.render(request)
      const reference = nativeAnswer({op: 'render', ...request})
      expect(wasm.results).toEqual(asSaturating(request, reference.results as string[][]))
      expect(wasm.failures).toEqual(reference.failures ?? [])
      // The corpus exercises both ways: most strings render, some fail.
      const executions = TEMPLATES.length * PARAM_SETS.length
      if (!options.includes('nosuchoption')) {
        expect(wasm.failures.length).toBeGreaterThan(20)
        expect(wasm.failures.length).toBeLessThan(executions / 2)
      } else expect(wasm.failures.length).toBe(executions)
    },
  )

  it('scrypt and bcrypt through sprig (derivePassword, htpasswd)', () => {
    const request = {goTemplate: true, options: [], templates: SLOW_TEMPLATES, params: [{}]}
    const wasm = engine.render(request)
    expect(wasm.results).toEqual(nativeAnswer({op: 'render', ...request}).results)
    expect(wasm.results[0][1]).toBe('62')
  })

  it('fasttemplate (goTemplate: false): tags, unknown and non-string tags, unterminated tags', () => {
    const request = {goTemplate: false, options: [], templates: FAST_TEMPLATES, params: FAST_PARAM_SETS}
    const wasm = engine.render(request)
    const reference = nativeAnswer({op: 'render', ...request})
    expect(wasm.results).toEqual(reference.results)
    expect(wasm.failures).toEqual(reference.failures ?? [])
    // Rule (utils.go Replace): a missing or non-string parameter leaves the tag as written.
    expect(wasm.results[0].slice(0, 6)).toEqual(['web-prod', 'web', 'X', '{{ absent }}', '{{}}', '{{ n }}'])
  })

  it('YAML read as sigs.k8s.io/yaml reads it (YAML 1.1), errors included', () => {
    const wasm = engine.yaml(YAML_TEXTS)
    const reference = (
      nativeAnswer({op: 'yaml', texts: YAML_TEXTS}).yaml as Array<{json?: string; error?: string}>
    ).map((y) => (y.error !== undefined ? {error: y.error} : {value: JSON.parse(y.json ?? 'null')}))
    expect(wasm).toEqual(reference)
    // What kubectl and Argo CD decode where YAML 1.2 reads otherwise.
    // `no`/`n` and `on`/`y` are the same boolean keys: the last one written wins, as in Go's map.
    expect(wasm[0]).toEqual({value: {flag: true, false: 'x', true: true}})
    expect(wasm[1]).toMatchObject({value: {mode: 493, version: 8, big: 1000, hex: 31}})
  })

  it('SanitizeName, path.Dir/Base and %v agree', () => {
    expect(engine.sanitize(NAMES)).toEqual(nativeAnswer({op: 'sanitize', texts: NAMES}).strings)
    expect(engine.paths(NAMES).map((p) => [p.dir, p.base, p.normalized])).toEqual(
      nativeAnswer({op: 'paths', texts: NAMES}).paths,
    )
    const values = [0, -0.5, 1e21, 1234567, 3, 2.5, true, null, 'x', [1, 'a'], {b: 1, a: [true]}]
    expect(engine.sprint(values)).toEqual(nativeAnswer({op: 'sprint', values}).strings)
  })
})

describe("the pull-request generator's slug and filters: Go's gosimple/slug and regexp, not imitations", () => {
  // Argo CD's outputs (applicationset/generators/pull_request_test.go) and gosimple/slug's own (slug_test.go) under
  // the generator's settings (MaxLength 50, `_` → `-`): transliteration, `&`/`@`, smart truncation at 50.
  const KNOWN: Array<[string, string]> = [
    ['branch1', 'branch1'],
    [
      'feat/areally+long_pull_request_name_to_test_argo_slugification_and_branch_name_shortening_feature',
      'feat-areally-long-pull-request-name-to-test-argo',
    ],
    [
      'feat/anotherreally+long_pull_request_name_to_test_argo_slugification_and_branch_name_shortening_feature',
      'feat-anotherreally-long-pull-request-name-to-test',
    ],
    ['Dobrosław Żybort', 'dobroslaw-zybort'],
    ['Ich heiße', 'ich-heisse'],
    ['影師', 'ying-shi'],
    ['Hellö Wörld хелло ворлд', 'hello-world-khello-vorld'],
    ['fácil €', 'facil-eu'],
    ['This & that @ home', 'this-and-that-at-home'],
    ['"C\'est déjà l’été."', 'cest-deja-lete'],
    ['_test_slug_', 'test-slug'],
    ['  fix/--trim--  ', 'fix-trim'],
    ['smile ☺', 'smile'],
    ['a'.repeat(60), 'a'.repeat(50)],
    ['', ''],
  ]

  it('branch_slug: the known outputs, and the native build agrees', () => {
    const names = KNOWN.map(([n]) => n)
    const slugs = engine.slug(names)
    expect(slugs).toEqual(KNOWN.map(([, s]) => s))
    expect(slugs).toEqual(nativeAnswer({op: 'slug', texts: names}).strings)
  })

  it("slugify's settings (maxSize, smartTruncate) do not leak into branch_slug, nor its into slugify", () => {
    const long = 'feat/areally+long_pull_request_name_to_test_argo_slugification_and_branch_name_shortening_feature'
    const r = engine.render({
      goTemplate: true,
      options: [],
      templates: ['{{ slugify 10 false .name }}'],
      params: [{name: long}],
    })
    expect(r.results[0][0]).toBe('feat-areal')
    expect(engine.slug([long])).toEqual(['feat-areally-long-pull-request-name-to-test-argo'])
    expect(
      engine.render({goTemplate: true, options: [], templates: ['{{ slugify .name }}'], params: [{name: long}]}),
    ).toMatchObject({results: [['feat-areally-long-pull-request-name-to-test-argo']]})
  })

  it("branchMatch: RE2 as Go reads it — named groups (?P<n>), \\pL, repeat limits; a bad pattern is Go's error", () => {
    const pairs = [
      {pattern: '^feat/(?P<topic>[a-z-]+)$', text: 'feat/orders-api'}, // (?P<…>) is not JavaScript
      {pattern: '(?i)^FEAT/', text: 'feat/x'},
      {pattern: '^\\pL+$', text: 'héllo'}, // a Unicode class without JavaScript's u flag
      {pattern: '^\\Qa.b\\E$', text: 'a.b'}, // \Q…\E quoting: JavaScript has none
      {pattern: '^\\Qa.b\\E$', text: 'axb'},
      {pattern: 'main', text: 'not-main-branch'}, // unanchored: MatchString finds it anywhere
      {pattern: 'a{1001}', text: 'a'}, // JavaScript compiles it; RE2 refuses repeats over 1000
      {pattern: '(?=lookahead)', text: 'lookahead'}, // JavaScript's, not RE2's
      {pattern: '(', text: 'x'},
    ]
    const results = engine.match(pairs)
    expect(results).toEqual([
      {matched: true},
      {matched: true},
      {matched: true},
      {matched: true},
      {matched: false},
      {matched: true},
      {error: 'error parsing regexp: invalid repeat count: `{1001}`'},
      {error: 'error parsing regexp: invalid or unsupported Perl syntax: `(?=`'},
      {error: 'error parsing regexp: missing closing ): `(`'},
    ])
    const reference = (
      nativeAnswer({op: 'match', matches: pairs}).matches as Array<{matched: boolean; error?: string}>
    ).map((m) => (m.error !== undefined ? {error: m.error} : {matched: m.matched}))
    expect(results).toEqual(reference)
  })
})

describe('through the CLI: the Applications of an ApplicationSet are what Go renders', () => {
  it('every corpus string that renders, as an info value of the template, with each list element (gitops verify --print-layout)', async () => {
    // Which strings render with every set (as Argo CD, one failure fails the ApplicationSet): asked of Go itself.
    const all = TEMPLATES.map(([, t]) => t)
    const probe = nativeAnswer({op: 'render', goTemplate: true, options: [], templates: all, params: PARAM_SETS})
    const failing = new Set(((probe.failures ?? []) as Array<{template: number}>).map((f) => f.template))
    const strings = all.filter((_, i) => !failing.has(i))
    expect(strings.length).toBeGreaterThan(80)
    const manifest = [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: ApplicationSet',
      'metadata: {name: corpus, namespace: argocd}',
      'spec:',
      '  goTemplate: true',
      '  generators:',
      '    - list:',
      '        elements:',
      ...PARAM_SETS.map((p) => `          - ${JSON.stringify(p)}`),
      '  template:',
      `    metadata: {name: '{{ .name | default "none" }}'}`,
      '    spec:',
      '      project: default',
      '      destination: {namespace: x}',
      '      info:',
      ...strings.map((t, i) => `        - {name: s${i}, value: ${JSON.stringify(t)}}`),
      '',
    ].join('\n')
    // What Argo CD decodes the list elements to, and what Go renders with them.
    const [decoded] = (nativeAnswer({op: 'yaml', texts: [manifest]}).yaml as Array<{json: string}>).map(
      (y) => JSON.parse(y.json) as {spec: {generators: Array<{list: {elements: Array<Record<string, unknown>>}}>}},
    )
    const params = decoded.spec.generators[0].list.elements
    const reference = nativeAnswer({op: 'render', goTemplate: true, options: [], templates: strings, params})
      .results as string[][]
    // Through the CLI the engine is the confined native helper where it starts (Linux x64, arm64): this machine's
    // answer, as Argo CD's on it; elsewhere WebAssembly's, which saturates.
    const native = process.platform === 'linux' && ['x64', 'arm64'].includes(process.arch)
    const expected = native ? reference : asSaturating({templates: strings, params}, reference)
    const repo = await makeTempDir('ameide-engine-cli-')
    await initGitRepo(repo)
    await mkdir(path.join(repo, 'argocd'))
    await writeFile(path.join(repo, 'argocd', 'corpus.yaml'), manifest)
    await commitAll(repo, 'corpus')
    const run = await runCli(['gitops', 'verify', '--print-layout', '--json'], {cwd: repo})
    expect(run.exitCode, run.stderr).toBe(0)
    const [appset] = run.json().layout.applicationSets
    expect(appset.errors).toEqual([])
    const byName = new Map(
      appset.applications.map((a: {name: string; spec: {info: Array<{value: string}>}}) => [a.name, a]),
    )
    params.forEach((p, set) => {
      const empty = Object.keys(p).length === 0
      // Rule (utils.go RenderTemplateParams): an empty parameter set returns the template as written.
      const name = empty ? '{{ .name | default "none" }}' : String(p.name)
      const app = byName.get(name) as {spec: {info: Array<{value: string}>}}
      expect(app, name).toBeDefined()
      expect(app.spec.info.map((e) => e.value)).toEqual(empty ? strings : expected[set])
    })
  })
})

describe('outputs the documentation states', () => {
  const render = (template: string, params: Record<string, unknown> = {}, options = ['missingkey=error']) => {
    const r = engine.render({goTemplate: true, options, templates: [template], params: [params]})
    return r.failures.length > 0 ? `error: ${r.failures[0].message}` : r.results[0][0]
  }
  it.each([
    // Argo CD, ApplicationSet "Go Template": normalize, slugify, parameters as float64, missingkey.
    ['{{ normalize .name }}', {name: 'Hello World'}, 'hello-world'],
    ['{{ slugify .name }}', {name: 'Hello World'}, 'hello-world'],
    ['{{ slugify 20 false .name }}', {name: 'Hello World Long Name Here'}, 'hello-world-long-nam'],
    ['{{ .n }}', {n: 1234567}, '1.234567e+06'],
    ['{{ index .path.segments 1 }}', {path: {segments: ['environments', 'dev']}}, 'dev'],
    // sprig's function docs.
    ['{{ trunc 5 "hello world" }}', {}, 'hello'],
    ['{{ trunc -5 "hello world" }}', {}, 'world'],
    ['{{ abbrev 5 "hello world" }}', {}, 'he...'],
    ['{{ title "hello world" }}', {}, 'Hello World'],
    ['{{ repeat 3 "hello" }}', {}, 'hellohellohello'],
    ['{{ substr 0 5 "hello world" }}', {}, 'hello'],
    ['{{ initials "First Try" }}', {}, 'FT'],
    ['{{ camelcase "http_server" }}', {}, 'HttpServer'],
    ['{{ kebabcase "FirstName" }}', {}, 'first-name'],
    ['{{ snakecase "FirstName" }}', {}, 'first_name'],
    ['{{ swapcase "This Is A.Test" }}', {}, 'tHIS iS a.tEST'],
    ['{{ nospace "hello w o r l d" }}', {}, 'helloworld'],
    ['{{ trimAll "$" "$5.00" }}', {}, '5.00'],
    ['{{ plural "one anchovy" "many anchovies" 2 }}', {}, 'many anchovies'],
    ['{{ until 5 }}', {}, '[0 1 2 3 4]'],
    ['{{ seq 5 }}', {}, '1 2 3 4 5'],
    ['{{ list 1 2 3 4 5 | rest }}', {}, '[2 3 4 5]'],
    ['{{ list 1 1 1 2 | uniq }}', {}, '[1 2]'],
    ['{{ semverCompare "^1.2.0" "1.2.3" }}', {}, 'true'],
    ['{{ regexMatch "^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\\\.[a-zA-Z]{2,}$" "test@acme.com" }}', {}, 'true'],
    ['{{ sha256sum "Hello world!" }}', {}, 'c0535e4be2b79ffd93291305436bf889314e4a3faec05ecffcbb7df31ad9e51a'],
    ['{{ "hello" | b64enc }}', {}, 'aGVsbG8='],
    ['{{ add 1 2 3 }}', {}, '6'],
    ['{{ dig "user" "role" "guest" (dict "user" (dict "role" "admin")) }}', {}, 'admin'],
    ['{{ (urlParse "http://admin:secret@server.com:8080/api?list=false#anchor").host }}', {}, 'server.com:8080'],
    ['{{ toYaml (dict "a" "multi\\nline") }}', {}, 'a: |-\n  multi\n  line'],
    // Go strings are bytes; upper keeps ß; substr past the end is an error.
    ['{{ trunc 3 "Ünïcode" }}|{{ len "Ünïcode" }}|{{ upper "ß" }}', {}, 'Ün|9|ß'],
    [
      '{{ .n }}',
      {},
      'error: failed to execute go template {{ .n }}: template: base:1:3: executing "base" at <.n>: map has no entry for key "n"',
    ],
  ] as Array<[string, Record<string, unknown>, string]>)('%s', (template, params, expected) => {
    expect(render(template, params)).toBe(expected)
  })
})

describe('bounds: a template cannot hold the gate', () => {
  it('an output past 1.5 MiB is an error; a call past its time limit ends the thread, and the next call starts anew', () => {
    const big = engine.render({
      goTemplate: true,
      options: [],
      templates: ['{{ range 2000000 }}x{{ end }}'],
      params: [{}],
    })
    expect(big.failures[0].message).toMatch(/the output is larger than 1572864 bytes/)
    const before = process.env.AMEIDE_GOTEMPLATE_TIMEOUT_MS
    process.env.AMEIDE_GOTEMPLATE_TIMEOUT_MS = '1500'
    try {
      expect(() =>
        engine.render({goTemplate: true, options: [], templates: ['{{ range 2000000000 }}{{ end }}'], params: [{}]}),
      ).toThrow(/no answer within 1500 ms/)
    } finally {
      if (before === undefined) delete process.env.AMEIDE_GOTEMPLATE_TIMEOUT_MS
      else process.env.AMEIDE_GOTEMPLATE_TIMEOUT_MS = before
    }
    expect(
      engine.render({goTemplate: true, options: [], templates: ['{{ .a }}'], params: [{a: 'back'}]}).results,
    ).toEqual([['back']])
  })
})
