/**
 * `gitops diff` on a revision written to forge its outputs, with the real git and helm: object names, values, an image,
 * a template's file name and a render error that hold workflow commands (`::set-output`, `::add-mask::`,
 * `##[error]`, `::stop-commands::`), terminal controls (OSC 52, a title change, CR, bidi overrides), Markdown that
 * would end a code block, a table row or a cell, mention a user or inject HTML and links — and Secrets spelled to
 * skip the mask (`kind: secret`, a `List` of them, a `last-applied-configuration` annotation that repeats the data).
 * In human output, `--json`, `--markdown`, `$GITHUB_STEP_SUMMARY` and the action's `$GITHUB_OUTPUT`: no line the
 * runner would act on, no raw control, Markdown whose structure is ameide's alone, and no Secret value. `gitops verify
 * --render` on the same revision: its own annotations still reach the runner, one line each, and nothing else does.
 */
import {execa} from 'execa'
import {readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../../support/cli.js'
import {BASE_PASSWORD, baseFiles, prRepo} from '../../support/diff-repo.js'
import {runnerCommands} from '../../support/runner-commands.js'
import {assertMatchesSchema} from '../../support/schema.js'
import {makeTempDir, runCleanups} from '../../support/tmp.js'
import {REPO_ROOT, requireTool, toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

const E = 'e'.repeat(64)
/** Secret values, base and head: none may appear anywhere, raw or base64. */
const CANARIES = {
  lower: ['lower-base-4b1e', 'lower-head-93d0'],
  list: ['list-base-a7c2', 'list-head-58ef'],
  applied: ['applied-base-0c6d', 'applied-head-e2f4'],
}
const canaryForms = Object.values(CANARIES)
  .flat()
  .flatMap((c) => [c, Buffer.from(c).toString('base64')])

/** The chart template an attacker adds to the web chart: every kind of forgery, in base and head alike. */
const HOSTILE_TEMPLATE =
  String.raw`{{- if .Values.enabled }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: "{{ .Release.Name }}-x\e]0;pwned\a\u202eevil"
data:
  0-rev: "{{ .Values.rev }}"
  a-block: |
    ` +
  '``````' +
  String.raw`
    @octocat see [click](https://evil.example) ![img](https://evil.example/p.png) <img src=x onerror=alert(1)> | cell
    ~~~~
    ::set-output name=ctx::forged
    ::add-mask::hidden
    ##[error]forged error
    ::stop-commands::pwned
  b-rev: "{{ .Values.rev }}"
  c-controls: "osc52 \e]52;c;Y2FuYXJ5\a clear \e[2J rtl \u202eevil back\b cr\r::warning::cr"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: "{{ .Release.Name }}-nl\n::set-output name=hdr::forged"
data:
  rev: "{{ .Values.rev }}"
---
apiVersion: v1
kind: secret
metadata:
  name: {{ .Release.Name }}-lower
stringData:
  token: {{ .Values.tokens.lower | quote }}
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Secret
    metadata:
      name: {{ .Release.Name }}-in-list
    data:
      key: {{ .Values.tokens.list | b64enc }}
---
apiVersion: v1
kind: Secret
metadata:
  name: {{ .Release.Name }}-applied
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: {{ dict "apiVersion" "v1" "kind" "Secret" "data" (dict "k" (.Values.tokens.applied | b64enc)) | toJson | quote }}
data:
  k: {{ .Values.tokens.applied | b64enc }}
{{- end }}
{{- if .Values.explode }}
{{ fail "boom\n::set-output name=failed::forged\n  ##[add-mask]leak \x1b]52;c;Y2FuYXJ5\x07 @octocat <b>x</b> | y ` +
  '```' +
  String.raw`" }}
{{- end }}
`

/** A template whose file name forms commands: its invalid object's finding names the file. */
const HOSTILE_FILE = 'sources/charts/apps/web/templates/x##[add-mask]f::set-output name=file::y.yaml'
const INVALID_TEMPLATE = [
  '{{- if .Values.invalid }}',
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata:',
  '  name: {{ .Release.Name }}-invalid',
  'data:',
  '  k: 1',
  '{{- end }}',
  '',
].join('\n')

const values = (which: 0 | 1) =>
  [
    'enabled: true',
    'image:',
    '  ref: ghcr.io/acme/web:1.4.0',
    `password: ${BASE_PASSWORD}`,
    `rev: "${which}"`,
    'tokens:',
    `  lower: ${CANARIES.lower[which]}`,
    `  list: ${CANARIES.list[which]}`,
    `  applied: ${CANARIES.applied[which]}`,
    ...(which === 1 ? ['invalid: true'] : []),
    '',
  ].join('\n')

let env: Record<string, string | undefined>
let repo: string
let work: string
beforeAll(async () => {
  requireTool('helm')
  requireTool('kustomize')
  env = toolEnv()
  work = await makeTempDir('ameide-diff-outputs-')
  const files = {
    ...baseFiles(),
    'sources/charts/apps/web/templates/hostile.yaml': HOSTILE_TEMPLATE,
    [HOSTILE_FILE]: INVALID_TEMPLATE,
    'sources/values/_shared/apps/web/values.yaml': values(0),
  }
  repo = await prRepo(
    {
      'sources/values/_shared/apps/web/values.yaml': values(1),
      // The image a reviewer reads in the Images table and the verdict.
      'sources/values/env/staging/apps/web/values.yaml': String.raw`image:
  ref: "ghcr.io/acme/web:1.5.0@sha256:${E}##[set-output name=img]forged"
`,
      // Production's head does not render: its error message is the revision's.
      'sources/values/env/production/apps/web/values.yaml': 'image:\n  ref: ghcr.io/acme/web:1.4.0\nexplode: true\n',
    },
    files,
  )
})

/** Terminal controls that must never be printed raw (C0 but tab and LF, DEL, C1, bidi). */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

type Diff = {
  summary: string
  failures: Array<{revision: string; message: string}>
  images: Array<{to: string | null}>
  deployables: Array<{environment: string; objects: Array<{kind: string; name: string; masked: boolean; diff: string}>}>
  verdict: {introduced: Array<{file: string; rule: string}>}
  markdown?: {file: string}
}

async function run(args: string[], extra: Record<string, string>) {
  return runCli(['gitops', 'diff', '--head', 'HEAD', ...args], {
    cwd: repo,
    env: {...env, GITHUB_ACTIONS: 'true', ...extra},
  })
}

/** The `$GITHUB_OUTPUT` file as the runner reads it: `name=value` lines and `name<<DELIMITER` blocks. */
function readOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (line === '') continue
    const heredoc = /^([^=]+?)<<(.+)$/.exec(line)
    if (heredoc && (!line.includes('=') || line.indexOf('<<') < line.indexOf('='))) {
      const end = lines.indexOf(heredoc[2], i + 1)
      out[heredoc[1]] = lines.slice(i + 1, end).join('\n')
      i = end
    } else out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1)
  }
  return out
}

/**
 * Markdown checked as GitHub's parser reads it: every fenced block closed by its own fence line (never by a line of
 * the revision's), and outside the blocks no HTML but ameide's folding tags, no mention, no link or image, and each
 * table row with as many cells as its header.
 */
function checkMarkdown(md: string): {blocks: string[]; prose: string[]} {
  const blocks: string[] = []
  const prose: string[] = []
  let fence: string | null = null
  let block: string[] = []
  let columns = 0
  for (const line of md.split('\n')) {
    if (fence !== null) {
      const close = /^ {0,3}(`+)\s*$/.exec(line)
      if (close && close[1].length >= fence.length) {
        expect(line, 'a fence is closed only by its own fence line').toBe(fence)
        blocks.push(block.join('\n'))
        fence = null
      } else block.push(line)
      continue
    }
    const open = /^ {0,3}(`{3,})[^`]*$/.exec(line)
    if (open) {
      fence = open[1]
      block = []
      continue
    }
    prose.push(line)
    const withoutOwnTags = line.replace(/<\/?(details|summary)>/g, '')
    expect(withoutOwnTags, line).not.toMatch(/[<>](?!\s)|<\w/)
    // Code spans are literal: no mention, link or image is read inside them.
    const text = line.replace(/(`+).*?\1/g, '')
    expect(text, line).not.toMatch(/@[\p{L}\p{N}_-]/u)
    if (!/^> \[!(WARNING|NOTE)\]$/.test(line)) expect(text, line).not.toMatch(/(?<!\\)[[\]]/)
    if (line.startsWith('|')) {
      const cells = line.match(/(?<!\\)\|/g)!.length
      if (/^\|( --- \|)+$/.test(line) || columns === 0) columns = cells
      expect(cells, line).toBe(columns)
    } else columns = 0
    expect(line).not.toMatch(RAW_CONTROL)
  }
  expect(fence, 'every fence closed').toBeNull()
  return {blocks, prose}
}

function noSecret(text: string, where: string) {
  for (const c of canaryForms) expect(text, `${where} holds ${c}`).not.toContain(c)
}

describe('gitops diff: outputs a revision cannot forge', () => {
  it('--json, $GITHUB_STEP_SUMMARY and $GITHUB_OUTPUT: no workflow command, no raw control, no Secret value', async () => {
    const summaryFile = path.join(work, 'summary-json.md')
    await writeFile(summaryFile, '')
    const comment = path.join(work, 'comment-json.md')
    const json = await run(['--json', '--markdown', comment], {GITHUB_STEP_SUMMARY: summaryFile})
    expect(json.exitCode, json.stderr).toBe(1)
    const result = json.json<Diff>()
    assertMatchesSchema('gitops-diff.schema.json', result)
    expect(result.summary).toBe('incomplete')

    // The revision's text is all there, as data: the test is not blind.
    const diffs = result.deployables.flatMap((d) => d.objects.map((o) => o.diff)).join('\n')
    expect(diffs).toContain('\n     ::add-mask::hidden\n')
    expect(diffs).toContain('##[error]forged error')
    expect(result.failures).toEqual([expect.objectContaining({revision: 'head'})])
    expect(result.failures[0].message).toContain('\n::set-output name=failed::forged\n')
    expect(result.failures[0].message).toContain('\u001b]52;c;Y2FuYXJ5\u0007')
    expect(result.images.map((i) => i.to)).toContain(`ghcr.io/acme/web:1.5.0@sha256:${E}##[set-output name=img]forged`)
    expect(result.verdict.introduced.map((f) => f.file)).toContain(HOSTILE_FILE)

    // … and none of it forms a command or reaches the terminal raw.
    expect(runnerCommands(json.stdout)).toEqual([])
    expect(runnerCommands(json.stderr)).toEqual([])
    expect(json.stdout).not.toMatch(RAW_CONTROL)
    expect(json.stdout).toContain(':\\u003a')
    expect(json.stdout).toContain('##\\u005b')

    // The masked kinds: spelled in lower case, inside a List, with a last-applied annotation.
    const objects = result.deployables.flatMap((d) => d.objects)
    for (const name of ['web-staging-lower', 'web-staging-applied'])
      expect(
        objects.find((o) => o.name === name),
        name,
      ).toMatchObject({masked: true})
    expect(objects.find((o) => o.kind === 'List')).toMatchObject({masked: true})

    const summary = await readFile(summaryFile, 'utf8')
    const markdown = await readFile(comment, 'utf8')
    expect(summary).toBe(`${markdown}\n`)

    // The action's run step: step outputs from the JSON report.
    const report = path.join(work, 'report.json')
    await writeFile(report, json.stdout)
    const outputs = await execa(process.execPath, [path.join(REPO_ROOT, 'scripts/action/outputs.mjs'), report, '1'])
    const read = readOutputs(outputs.stdout)
    expect(read).toEqual({report, 'exit-code': '1', summary: 'incomplete', markdown: comment})

    for (const [where, text] of Object.entries({
      stdout: json.stdout,
      stderr: json.stderr,
      markdown,
      summary,
      output: outputs.stdout,
    }))
      noSecret(text, where)
  })

  it('human output and --markdown: the text shown as it is, inside stop-commands; Markdown whose structure is ours', async () => {
    const summaryFile = path.join(work, 'summary-human.md')
    await writeFile(summaryFile, '')
    const comment = path.join(work, 'comment-human.md')
    const human = await run(['--markdown', comment], {GITHUB_STEP_SUMMARY: summaryFile})
    expect(human.exitCode, human.stderr).toBe(1)

    // Shown, not acted on: the forged lines are in the output, between a stop and its random token.
    expect(human.stdout).toMatch(/^\s+::add-mask::hidden$/m)
    expect(human.stdout).toMatch(/^::stop-commands::[0-9a-f]{32}$/m)
    expect(runnerCommands(human.stdout)).toEqual([])
    expect(runnerCommands(human.stderr)).toEqual([])
    expect(runnerCommands(`${human.stderr}\n${human.stdout}`)).toEqual([])

    // Controls shown escaped (NO_COLOR: ameide writes no ESC of its own either).
    expect(human.stdout).not.toMatch(RAW_CONTROL)
    expect(human.stdout).toContain('\\x1b]52;c;Y2FuYXJ5\\x07')
    // An object's name in a diff header is quoted as git quotes it: a line break in it makes no line of the output.
    expect(human.stdout).toContain('-x\\033]0;pwned\\a\\342\\200\\256evil"')
    expect(human.stdout).toContain('nl\\n::set-output name=hdr::forged"')
    expect(human.stdout).not.toMatch(/^\s*::set-output name=hdr/m)

    const markdown = await readFile(comment, 'utf8')
    expect(await readFile(summaryFile, 'utf8')).toBe(`${markdown}\n`)
    const {blocks, prose} = checkMarkdown(markdown)
    // Every changed deployable's block, each holding the revision's fence-like lines as text.
    expect(blocks.length).toBeGreaterThanOrEqual(2)
    expect(blocks.join('\n')).toContain('``````')
    expect(blocks.join('\n')).toContain('<img src=x onerror=alert(1)>')
    // The revision's strings in tables and headings, escaped but whole.
    expect(prose.join('\n')).toContain('@\u200doctocat')
    expect(prose.join('\n')).toContain('&lt;b&gt;x&lt;/b&gt; \\| y')
    expect(prose.join('\n')).toContain(`\`ghcr.io/acme/web:1.5.0@sha256:${E}##[set-output name=img]forged\``)

    for (const [where, text] of Object.entries({stdout: human.stdout, stderr: human.stderr, markdown}))
      noSecret(text, where)
  })

  it('gitops verify --render on the same revision: its own annotations are the only commands, each on one line', async () => {
    const summaryFile = path.join(work, 'summary-verify.md')
    await writeFile(summaryFile, '')
    const extra = {...env, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summaryFile}
    const human = await runCli(['gitops', 'verify', '--render'], {cwd: repo, env: extra})
    expect(human.exitCode, human.stderr).toBe(1)
    // The findings name the revision's file and quote its error: shown, not acted on.
    expect(human.stdout).toContain(HOSTILE_FILE)
    expect(human.stdout).toContain('::set-output name=failed::forged')
    expect(runnerCommands(human.stdout)).toEqual([])
    expect(human.stdout).not.toMatch(RAW_CONTROL)
    // stderr: exactly ameide's annotations, one line each, their data escaped.
    const annotations = runnerCommands(human.stderr)
    expect(annotations.length).toBeGreaterThan(0)
    for (const line of annotations)
      expect(line).toMatch(/^::(error|warning) file=[^:,\n]*,(line=\d+,col=\d+,)?title=[^:,]*::/)
    expect(annotations.join('\n')).toContain('boom%0A::set-output name=failed::forged%0A')
    expect(annotations.some((a) => a.startsWith(`::error file=${HOSTILE_FILE.replaceAll(':', '%3A')},`))).toBe(true)
    const summary = await readFile(summaryFile, 'utf8')
    checkMarkdown(summary)
    expect(summary).toContain('x##[add-mask]f::set-output name=file::y.yaml')

    const json = await runCli(['gitops', 'verify', '--render', '--json'], {cwd: repo, env: extra})
    expect(runnerCommands(json.stdout)).toEqual([])
    expect(json.stdout).not.toMatch(RAW_CONTROL)
    expect(JSON.stringify(json.json())).toContain('::set-output name=failed::forged')
    for (const [where, text] of Object.entries({
      stdout: human.stdout,
      stderr: human.stderr,
      summary,
      json: json.stdout,
    }))
      noSecret(text, where)
  })
})
