/**
 * Parsing is the expensive part of reading TS/JS imports, so the imports check parses a file only when one of its
 * imports could break a rule. Every rule names the literal texts (`needles`) that a specifier it rejects contains.
 * A file is left unparsed when
 * - every occurrence of a needle is on a line that is a line comment whatever the context the line starts in (below),
 * - and it has no backslash escape that could spell a needle's character inside a string literal (`\u0040buf/`,
 *   `\x40`, octal, `\@`, `\/`, a line continuation).
 * Such a file has no import the rules could report.
 *
 * Why a line can be judged alone: a line begins outside any token (a line terminator ends every token but a
 * comment, a template, a JSX text or attribute, or a string continued with a backslash, which the escape test
 * catches), so its first non-blank `//` is either a line comment running to the end of the line (code context) or
 * text of a block comment, template literal or JSX element. That text stays text up to the needle unless the line
 * holds, before the needle, what could end it: `*\/`, `` ` ``, `${`, `<` or `{` (a JSX attribute string that a
 * quote closes leaves the needle in the tag, still not code). The one import this does not look for is a template
 * literal specifier spanning several lines (`require(\`…\n…\`)`), which names no module anyone can install.
 */
export function mayImportAny(text: string, needles: readonly string[]): boolean {
  if (escapeTest(needles).test(text)) return true
  for (const needle of needles) {
    for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
      if (!onCommentLine(text, at)) return true
    }
  }
  return false
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
    const klass = [...chars].map((c) => (/[\w]/.test(c) ? c : `\\${c}`)).join('')
    re = new RegExp(`\\\\[ux0-9\\r\\n\\u2028\\u2029${klass}]`)
    escapeTests.set(key, re)
  }
  return re
}

/** What can end the text of a block comment, template literal or JSX element before the needle. */
const ENDS_TEXT = /\*\/|`|\$\{|[<{]/

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
