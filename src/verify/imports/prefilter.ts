/**
 * Parsing is the expensive part of reading TS/JS imports, so the imports check parses a file only when one of its
 * imports could break a rule. Every rule names the literal texts (`needles`) that a specifier it rejects contains.
 * A file is left unparsed when
 * - every occurrence of a needle in its text is on a line that is a line comment whatever the context the line
 *   starts in (below),
 * - and, if it has a backslash escape that could yield a needle's character (`\u0040`, `\x40`, octal, `\@`, `\/`,
 *   a line continuation), no needle occurs in its text with every escape decoded either.
 * Such a file has no import the rules could report.
 *
 * Why a line can be judged alone: a line begins outside any token (a line terminator ends every token but a
 * comment, a template, a JSX text or attribute, or a string continued with a backslash, which the escape test
 * catches), so its first non-blank `//` is either a line comment running to the end of the line (code context) or
 * text of a block comment, template literal or JSX element. That text stays text up to the needle unless the line
 * holds, before the needle, what could end it: `*\/`, `` ` ``, `${`, `<` or `{`, or a quote followed by a `/` (a
 * JSX attribute string that a quote closes leaves the needle in the tag, still not code, unless `/>` follows). The
 * one import this does not look for is a template literal specifier spanning several lines
 * (`require(\`…\n…\`)`), which names no module anyone can install.
 *
 * Why decoding the whole text works: decoding left to right, an escape never reaches over a quote, so the decoder is
 * in step at the first character of every string literal and the decoded text holds each literal's value.
 */
export function mayImportAny(text: string, needles: readonly string[]): boolean {
  for (const needle of needles) {
    for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
      if (!onCommentLine(text, at)) return true
    }
  }
  if (!escapeTest(needles).test(text)) return false
  const decoded = decodeEscapes(text)
  return needles.some((needle) => decoded.includes(needle))
}

const escapeTests = new Map<string, RegExp>()

/**
 * A backslash followed by `u`, `x`, a digit, a line terminator, or a character of a needle other than the
 * escapes `\b \f \n \r \t \v` (which yield control characters): escapes whose value can be part of a needle.
 */
function escapeTest(needles: readonly string[]): RegExp {
  const key = needles.join('\0')
  let re = escapeTests.get(key)
  if (!re) {
    const chars = new Set([...needles.join('')].filter((c) => !'bfnrtv'.includes(c)))
    const klass = [...chars].map((c) => (/\w/.test(c) ? c : `\\${c}`)).join('')
    re = new RegExp(`\\\\[ux0-9\\r\\n\\u2028\\u2029${klass}]`)
    escapeTests.set(key, re)
  }
  return re
}

const SINGLE: Record<string, string> = {b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v'}
const HEX = /^[0-9a-fA-F]+$/

/** The text with every escape sequence of a string literal replaced by its value (lenient: `\q` is `q`). */
export function decodeEscapes(text: string): string {
  let out = ''
  let i = 0
  for (let b = text.indexOf('\\'); b !== -1 && b + 1 < text.length; b = text.indexOf('\\', i)) {
    out += text.slice(i, b)
    const c = text[b + 1]
    let j = b + 2
    if (c === 'u' && text[j] === '{') {
      const close = text.indexOf('}', j)
      const hex = close === -1 ? '' : text.slice(j + 1, close)
      if (hex.length >= 1 && hex.length <= 6 && HEX.test(hex) && parseInt(hex, 16) <= 0x10ffff) {
        out += String.fromCodePoint(parseInt(hex, 16))
        j = close + 1
      } else out += c
    } else if (c === 'u' || c === 'x') {
      const hex = text.slice(j, j + (c === 'u' ? 4 : 2))
      if (hex.length === (c === 'u' ? 4 : 2) && HEX.test(hex)) {
        out += String.fromCharCode(parseInt(hex, 16))
        j += hex.length
      } else out += c
    } else if (c >= '0' && c <= '7') {
      let digits = c
      while (digits.length < (c <= '3' ? 3 : 2) && text[j] >= '0' && text[j] <= '7') digits += text[j++]
      out += String.fromCharCode(parseInt(digits, 8))
    } else if (c === '\r') {
      if (text[j] === '\n') j++ // a line continuation yields nothing
    } else if (c !== '\n' && c !== '\u2028' && c !== '\u2029') out += SINGLE[c] ?? c
    i = j
  }
  return out + text.slice(i)
}

/**
 * What can end, before the needle, the text of a block comment, a template literal, a JSX element, or a string that
 * spans lines, after which code may follow on the same line. A JSX attribute value that a quote closes leaves the
 * text in the tag, and only a `/` (of `/>`, the one way out of a tag back to code without `<` or `{`) can end it; a
 * quote alone is text (`// import '@buf/x' is forbidden`). A string continued with `\` is the escape test's.
 */
const ENDS_TEXT = /\*\/|`|\$\{|[<{]|["'][^]*\//

/** Whether the line holding `at` starts, after blanks, with `//`, and nothing between that and `at` can end text. */
function onCommentLine(text: string, at: number): boolean {
  const start =
    Math.max(
      text.lastIndexOf('\n', at),
      text.lastIndexOf('\r', at),
      text.lastIndexOf('\u2028', at),
      text.lastIndexOf('\u2029', at),
    ) + 1
  let i = start
  while (i < at && (text[i] === ' ' || text[i] === '\t')) i++
  if (!text.startsWith('//', i) || i + 2 > at) return false
  return !ENDS_TEXT.test(text.slice(i + 2, at))
}
