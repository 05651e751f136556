/**
 * Markdown for GitHub (pull-request comments, $GITHUB_STEP_SUMMARY) that a repository's strings cannot reshape. Every
 * Markdown writer builds its text from these: what the repository controls is always put through one of them.
 * - `mdText`: inline text (paragraph, heading, list item, table cell): no HTML (`<`, `>`, `&` as entities), no link,
 *   image, emphasis or code syntax (backslash-escaped), no `|` ending a table cell, no line break ending a row, no
 *   `@mention` or `#123` reference (a zero-width joiner after `@` and `#`), controls shown escaped;
 * - `htmlText`: text inside an HTML block such as `<summary>` (GitHub reads no Markdown there, so entities only);
 * - `mdCode`: an inline code span, in a table cell or not, that no backtick in it closes;
 * - `mdFence`: a fenced code block longer than the longest backtick run it holds (CommonMark closes a fence of N
 *   backticks only with N or more).
 */
import {printable} from './untrusted.js'

const ZWJ = '\u200d'
/** A line break of any kind: a table row or an inline span must stay on one line. */
const BREAKS = /\r\n|\r|\n|\u2028|\u2029/g

/**
 * The punctuation that forms inline syntax (code, emphasis, strike-through, links and images, table cells) or an ATX
 * heading's closing, escaped with a backslash (CommonMark: any ASCII punctuation may be). Inline text is never put at
 * a line's start, where `-`, `+`, `1.` or `>` would start a block.
 */
const INLINE_SYNTAX = /[\\`*_[\]|~#]/g

/** `@name` and `#123` made inert: GitHub links neither once a zero-width joiner follows the sign. */
const inert = (s: string) => s.replace(/([@#])(?=[\p{L}\p{N}_-])/gu, `$1${ZWJ}`)

const oneLine = (s: string) => printable(s.replace(BREAKS, ' '))

/** Inline Markdown text: renders as exactly these characters, in one table cell when it is one. */
export function mdText(s: string): string {
  const escaped = oneLine(s)
    .replace(INLINE_SYNTAX, (c) => `\\${c}`)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
  return inert(escaped)
}

/** Text inside an HTML block (`<summary>…</summary>`): entities only, GitHub reads no Markdown there. */
export function htmlText(s: string): string {
  const escaped = oneLine(s)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
  return inert(escaped)
}

/** The longest run of `char` in `text` (a loop: a spread of every run would overflow the stack on a large text). */
function longestRun(text: string, char: string): number {
  let longest = 0
  let run = 0
  for (const c of text) {
    run = c === char ? run + 1 : 0
    if (run > longest) longest = run
  }
  return longest
}

/**
 * An inline code span: delimited by one backtick more than the longest run inside, padded when the text starts or
 * ends with a backtick or a space (CommonMark strips one space each side). `|` is escaped as `\|`, which GitHub's
 * tables read as a literal `|` even inside code; line breaks become spaces. Empty text: no span.
 */
export function mdCode(s: string): string {
  const text = oneLine(s).replaceAll('|', '\\|')
  if (text === '') return ''
  const fence = '`'.repeat(longestRun(text, '`') + 1)
  const pad = /^[` ]|[` ]$/.test(text) ? ' ' : ''
  return `${fence}${pad}${text}${pad}${fence}`
}

/** A fenced code block: its fence longer than any backtick run in `text` (at least three). */
export function mdFence(text: string, info = ''): string {
  const fence = '`'.repeat(Math.max(3, longestRun(text, '`') + 1))
  return `${fence}${info}\n${text.endsWith('\n') ? text : `${text}\n`}${fence}`
}

/** The most rows of findings a step summary shows (the job log has them all). */
const TABLE_ROWS = 200

/**
 * A step summary's table of findings after a blank line: `head` (its header and rule rows), a row per item, at most
 * 200, then a line that says how many more (`more`); nothing for no items.
 */
export function cappedTable<T>(
  items: readonly T[],
  head: readonly string[],
  row: (item: T) => string,
  more: (count: number) => string,
): string[] {
  if (items.length === 0) return []
  const lines = ['', ...head, ...items.slice(0, TABLE_ROWS).map(row)]
  if (items.length > TABLE_ROWS) lines.push('', more(items.length - TABLE_ROWS))
  return lines
}
