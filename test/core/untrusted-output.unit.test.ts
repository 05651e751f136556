/**
 * The escapes that keep a repository's strings from driving a terminal, a CI runner or GitHub's Markdown
 * (src/core/output/untrusted.ts, src/core/output/markdown.ts), and the masking of Secrets in the diff
 * (src/gitops/diff/objects.ts): property-based over strings built from the pieces an attacker would use.
 */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {htmlText, mdCode, mdFence, mdText} from '../../src/core/output/markdown.js'
import {makeStyle} from '../../src/core/output/style.js'
import {
  formsWorkflowCommand,
  humanOutput,
  jsonForRunner,
  printable,
  printableLines,
  terminalSafe,
  withoutWorkflowCommands,
} from '../../src/core/output/untrusted.js'
import {annotation} from '../../src/effects/actions.js'
import {MASKED, MASKED_CHANGED, masks, shownBody} from '../../src/gitops/diff/objects.js'
import {runnerCommands} from '../support/runner-commands.js'

/** Strings made of the pieces that form commands, controls and Markdown syntax, and of anything else. */
const PIECES = [
  '::',
  '##[',
  ']',
  ':',
  '#',
  'set-output name=x',
  'add-mask',
  'stop-commands',
  'error',
  ' ',
  '\t',
  '\n',
  '\r',
  '\r\n',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\u001b',
  '\u001b[31m',
  '\u001b]52;c;eA==\u0007',
  '\u0007',
  '\b',
  '\u009b',
  '\u202e',
  '\u2066',
  '`',
  '```',
  '|',
  '\\',
  '\\|',
  '<',
  '>',
  '&',
  '&amp;',
  '"',
  '@',
  'octocat',
  '123',
  '[',
  '(',
  ')',
  '!',
  '*',
  '_',
  '~',
  'x',
  'é',
]
const hostile = fc
  .array(fc.oneof(fc.constantFrom(...PIECES), fc.string({unit: 'grapheme', maxLength: 4})), {maxLength: 24})
  .map((parts) => parts.join(''))

const TERMINAL_CONTROLS =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/ // eslint-disable-line no-control-regex

describe('terminal text', () => {
  it('printable: no control and no line break is left, and plain text is unchanged', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const out = printable(s)
        expect(out).not.toMatch(TERMINAL_CONTROLS)
        expect(out).not.toMatch(/[\n\t]/)
      }),
    )
    expect(printable('ghcr.io/acme/web:1.5.0 — ✓ é')).toBe('ghcr.io/acme/web:1.5.0 — ✓ é')
    expect(printable('a\u001b]52;c;eA==\u0007b\u202ec\r\n')).toBe('a\\x1b]52;c;eA==\\x07b\\u202ec\\x0d\\x0a')
  })

  it('printableLines keeps line feeds and tabs, terminalSafe keeps only the styles ameide writes', () => {
    expect(printableLines('one\n\ttwo\r\u0008')).toBe('one\n\ttwo\\x0d\\x08')
    const style = makeStyle(true)
    const own = `${style.bold('b')} ${style.red('r')} ${style.dim('d')} ${style.cyan('c')}`
    expect(terminalSafe(own)).toBe(own)
    expect(terminalSafe('\u001b[8mhidden\u001b]0;title\u0007\u001b[2J')).toBe(
      '\\x1b[8mhidden\\x1b]0;title\\x07\\x1b[2J',
    )
    fc.assert(
      fc.property(hostile, (s) => {
        // Without ameide's own sequences, no ESC survives.
        expect(terminalSafe(s.replaceAll('\u001b[31m', ''))).not.toMatch(TERMINAL_CONTROLS)
      }),
    )
  })
})

describe('workflow commands', () => {
  it('the runner model is not blind', () => {
    expect(runnerCommands('ok\n  ::set-output name=x::y\n')).toEqual(['  ::set-output name=x::y'])
    expect(runnerCommands('a ##[add-mask]b')).toEqual(['a ##[add-mask]b'])
    expect(runnerCommands('x\r::error::y')).toEqual(['::error::y'])
    expect(runnerCommands('\u0085\u00a0::warning::w')).toHaveLength(1)
    expect(runnerCommands('::stop-commands::t\n::error::hidden\n::t::\n::error::seen')).toEqual(['::error::seen'])
  })

  it('human output: any text forms no command, and is unchanged when it would form none', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const out = withoutWorkflowCommands(s)
        expect(runnerCommands(out)).toEqual([])
        if (!formsWorkflowCommand(s)) expect(out).toBe(s)
        else expect(out).toContain(s)
      }),
    )
    expect(humanOutput('fine\n::add-mask::x')).toMatch(/^::stop-commands::([0-9a-f]{32})\nfine\n::add-mask::x\n::\1::$/)
  })

  it('a text holding the token it was given is wrapped with another one', () => {
    const text = '::error::x\n::0123::'
    const out = withoutWorkflowCommands(text, '0123')
    expect(runnerCommands(out)).toEqual([])
    expect(out).not.toMatch(/^::stop-commands::0123$/m)
  })

  it('--json: parses back to the same value, forms no command, holds no raw control', () => {
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        {depthSize: 'small'},
        hostile,
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('node'), {maxLength: 4}),
        fc.dictionary(hostile, tie('node'), {maxKeys: 4}),
      ),
    })).node
    fc.assert(
      fc.property(value, (v) => {
        const text = jsonForRunner(JSON.stringify(v, null, 2))
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(v)))
        expect(runnerCommands(text)).toEqual([])
        expect(text).not.toMatch(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/)
      }),
    )
  })

  it("ameide's own annotations stay one command each, their data escaped as the runner documents", () => {
    fc.assert(
      fc.property(hostile, hostile, (file, message) => {
        const line = annotation({severity: 'error', file, line: 3, message, hint: 'h'}, `title ${file}`)
        expect(line.split(/\r\n|\r|\n/)).toHaveLength(1)
        expect(runnerCommands(line)).toEqual([line])
        const props = line.slice(2, line.indexOf('::', 2))
        expect(props.split(',').map((p) => p.split('=')[0])).toEqual(['error file', 'line', 'title'])
      }),
    )
  })
})

/** The `|` that end a GitHub table cell: those no backslash precedes (cmark-gfm's table_cell scanner). */
const cellBreaks = (row: string) => row.match(/(?<!\\)\|/g)?.length ?? 0

describe('Markdown', () => {
  it('mdText: one table cell, on one line, with no HTML, mention, link, image or code syntax', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const row = `| ${mdText(s)} |`
        expect(row).not.toMatch(/[\r\n\u2028\u2029]/)
        expect(cellBreaks(row)).toBe(2)
        expect(row).not.toMatch(/[<>]/)
        expect(row).not.toMatch(/&(?!amp;|lt;|gt;)/)
        expect(row).not.toMatch(/[@#][\p{L}\p{N}_-]/u)
        // Every `[`, `]`, backtick, `*`, `_` and `~` is escaped.
        expect(row.replace(/\\[\\`*_[\]|~#]/g, '')).not.toMatch(/[`*_[\]~\\]/)
      }),
    )
    expect(mdText('@octocat [x](y) ![i](u) <b>|</b> #12')).toBe(
      '@\u200doctocat \\[x\\](y) !\\[i\\](u) &lt;b&gt;\\|&lt;/b&gt; \\#\u200d12',
    )
  })

  it('htmlText: entities only, no tag, no mention', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const out = htmlText(s)
        expect(out).not.toMatch(/[<>"\r\n]/)
        expect(out).not.toMatch(/&(?!amp;|lt;|gt;|quot;)/)
        expect(out).not.toMatch(/[@#][\p{L}\p{N}_-]/u)
      }),
    )
  })

  it('mdCode: no backtick run inside closes the span, no | ends the cell, one line', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const span = mdCode(s)
        if (span === '') return
        const fence = /^`+/.exec(span)![0]
        expect(span.endsWith(fence)).toBe(true)
        const inner = span.slice(fence.length, -fence.length)
        for (const run of inner.match(/`+/g) ?? []) expect(run.length).not.toBe(fence.length)
        expect(cellBreaks(`| ${span} |`)).toBe(2)
        expect(span).not.toMatch(/[\r\n]/)
      }),
    )
    expect(mdCode('a`b')).toBe('``a`b``')
    expect(mdCode('`x')).toBe('`` `x ``')
  })

  it('mdFence: longer than any backtick run it holds; only its last line closes it', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const block = mdFence(s, 'diff')
        const lines = block.split('\n')
        const fence = /^`+/.exec(lines[0])![0]
        expect(fence.length).toBeGreaterThanOrEqual(3)
        expect(lines.at(-1)).toBe(fence)
        for (const run of s.match(/`+/g) ?? []) expect(run.length).toBeLessThan(fence.length)
      }),
    )
    // A text of very many backtick runs (a spread of them would overflow the stack).
    expect(mdFence('`a'.repeat(300_000)).startsWith('``')).toBe(true)
  })
})

describe('Secret masking', () => {
  const secret = (kind: string, apiVersion = 'v1') => ({
    apiVersion,
    kind,
    metadata: {
      name: 's',
      labels: {app: 'a'},
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration': '{"kind":"Secret","data":{"k":"c2VjcmV0LXZhbHVl"}}',
      },
    },
    type: 'Opaque',
    data: {k: 'c2VjcmV0LXZhbHVl'},
    stringData: {t: 'string-secret'},
  })

  it.each(['Secret', 'secret', 'SECRET', ' Secret '])(
    'kind %j, any apiVersion: every value masked, the identity kept',
    (kind) => {
      for (const apiVersion of ['v1', 'example.com/v1']) {
        const {body, masked} = shownBody(secret(kind, apiVersion), undefined, false, [])
        expect(masked).toBe(true)
        const text = JSON.stringify(body)
        expect(text).not.toMatch(/c2VjcmV0LXZhbHVl|string-secret|c3RyaW5nLXNlY3JldA==/)
        expect(body).toMatchObject({apiVersion, kind, type: 'Opaque', metadata: {name: 's', labels: {app: 'a'}}})
        expect(body.data).toEqual({k: MASKED, t: MASKED})
        expect(body).not.toHaveProperty('stringData')
        expect(body.metadata).toMatchObject({
          annotations: {'kubectl.kubernetes.io/last-applied-configuration': MASKED},
        })
      }
    },
  )

  it('stringData is folded into data: moving a value from one to the other is no change', () => {
    const base = {apiVersion: 'v1', kind: 'Secret', metadata: {name: 's'}, data: {k: 'dmFsdWU='}}
    const head = {apiVersion: 'v1', kind: 'Secret', metadata: {name: 's'}, stringData: {k: 'value'}}
    const changed = {apiVersion: 'v1', kind: 'Secret', metadata: {name: 's'}, stringData: {k: 'other'}}
    const b = shownBody(base, undefined, false, []).body
    expect(shownBody(head, base, true, []).body).toEqual(b)
    expect(shownBody(changed, base, true, []).body.data).toEqual({k: MASKED_CHANGED})
  })

  it("a List's Secret items are masked, its other items shown", () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [secret('Secret'), {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'c'}, data: {a: 'shown'}}],
    }
    const {body, masked} = shownBody(list, undefined, false, [])
    expect(masked).toBe(true)
    expect(JSON.stringify(body)).not.toMatch(/c2VjcmV0LXZhbHVl|string-secret/)
    expect(JSON.stringify(body)).toContain('shown')
    expect(shownBody({kind: 'SecretList', items: [secret('secret')]}, undefined, false, []).masked).toBe(true)
    // A typed list's items without a kind of their own are of the list's kind.
    const {kind: _, ...untyped} = secret('Secret')
    const typed = shownBody({apiVersion: 'v1', kind: 'SecretList', items: [untyped]}, undefined, false, [])
    expect(typed.masked).toBe(true)
    expect(JSON.stringify(typed.body)).not.toMatch(/c2VjcmV0LXZhbHVl|string-secret/)
    expect(typed.body.items).toEqual([expect.not.objectContaining({kind: expect.anything()})])
  })

  it('maskKinds match in any letter case; other kinds are shown as they are', () => {
    expect(masks('configmap', ['ConfigMap'])).toBe(true)
    expect(masks('ConfigMap', [])).toBe(false)
    expect(masks(undefined, [])).toBe(false)
    const cm = {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'c'}, data: {a: 'shown'}}
    expect(shownBody(cm, undefined, false, [])).toEqual({body: cm, masked: false})
  })
})
