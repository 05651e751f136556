/**
 * What is not a secret even where it has a secret's shape: placeholders and documented example credentials.
 * Every test here looks at the WHOLE value (or a whole token body), never at a prefix: `testKey9xQ…` is random,
 * `test` is not; `xoxb-…` is a Slack token, `xoxb-xxxxxxxx` is a placeholder.
 */

/** Credentials the providers publish in their documentation and SDK samples; peers allowlist the same ones. */
const DOCUMENTED_EXAMPLES = new Set([
  'AKIAIOSFODNN7EXAMPLE', // AWS access key id in AWS's documentation
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', // AWS secret access key in AWS's documentation
  'AKIAI44QH8DHBEXAMPLE',
  'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
])

/** The stems of AWS's documented example credentials, which people vary (`…SECRETSKEY`, `…7SECRETS`). */
const DOCUMENTED_EXAMPLE_STEMS = ['AKIAIOSFODNN7', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCY']

/**
 * Words that mark a value as a stand-in when one is a whole word of it (by delimiters or camel case). None is
 * shorter than four letters: a random 64-character key holds a three-letter camel-case word now and then.
 */
const PLACEHOLDER_WORDS = new Set([
  'example',
  'examples',
  'sample',
  'placeholder',
  'changeme',
  'dummy',
  'redacted',
  'fake',
  'notreal',
  'here',
  'your',
  'yours',
  'replace',
  'insert',
  'todo',
  'fixme',
  'foobar',
  'lorem',
  'ipsum',
  'none',
  'null',
  'undefined',
  'empty',
  'secret',
  'password',
  'token',
  'value',
  'string',
  'mysecret',
  'mypassword',
])

/**
 * The words of a value: split at non-alphanumerics and at camel-case boundaries, lower-cased. A word glued to
 * digits that continue into more letters (`none2mmVg…`) is not a word of its own; one that ends its segment
 * with digits (`changeme42`) is.
 */
export function wordsOf(value: string): string[] {
  const words: string[] = []
  for (const segment of value.split(/[^A-Za-z0-9]+/)) {
    const parts = segment.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+/g) ?? []
    parts.forEach((part, i) => {
      const next = parts[i + 1]
      if (/^[0-9]/.test(part) || (next !== undefined && /^[0-9]/.test(next) && i + 2 < parts.length)) return
      words.push(part.toLowerCase())
    })
  }
  return words
}

/** The value is a template, a reference or an expression, not a literal. */
const REFERENCE =
  /^\{[A-Za-z_][\w.-]*\}$|^\$\{.*\}$|^\$\(.*\)$|^\{\{.*\}\}$|^<[^<>]*>$|^%\(?\w*\)?[sd]$|^\$[A-Za-z_]\w*$|^%[A-Z_]+%$|^@\w+@$/

/** True when most of the value is one character, or the value repeats a unit of up to eight characters. */
export function isRepetitive(value: string): boolean {
  if (value.length === 0) return true
  const counts = new Map<string, number>()
  let top = 0
  for (const ch of value) {
    const n = (counts.get(ch) ?? 0) + 1
    counts.set(ch, n)
    if (n > top) top = n
  }
  if (top / value.length >= 0.6) return true
  for (let unit = 2; unit <= 8; unit++) {
    if (value.length < unit * 3) break
    const head = value.slice(0, unit)
    if (head.repeat(Math.ceil(value.length / unit)).startsWith(value)) return true
  }
  return false
}

/** Eight of one character in a row, or a run of a mask character (x, X, *, #, 0, .), marks a masked or elided value. */
const MASK = /(?:(.)\1{7,}|x{4,}|X{4,}|\*{3,}|#{4,}|\.{3,}|…|0{8,}|_{4,})/

/** Keyboard runs that people type as fake values. */
const KEYBOARD = /qwerty|asdfgh|zxcvbn/i

/** Six or more consecutive letters or digits in order (`klmnop`, `345678`), which people type as fake values. */
function hasTypedSequence(value: string): boolean {
  const lower = value.toLowerCase()
  let run = 1
  for (let i = 1; i < lower.length; i++) {
    const step = lower.charCodeAt(i) - lower.charCodeAt(i - 1)
    run = step === 1 && /[a-z0-9]/.test(lower[i]) ? run + 1 : 1
    if (run >= 6) return true
  }
  return KEYBOARD.test(value)
}

/** A whole value that is a placeholder or a documented example, never a secret. */
export function isPlaceholder(value: string): boolean {
  if (DOCUMENTED_EXAMPLES.has(value)) return true
  if (DOCUMENTED_EXAMPLE_STEMS.some((stem) => value.startsWith(stem))) return true
  if (/EXAMPLE(?:KEY)?$/.test(value)) return true
  if (REFERENCE.test(value) || /\$\{|\{\{/.test(value)) return true
  if (wordsOf(value).some((w) => PLACEHOLDER_WORDS.has(w))) return true
  if (MASK.test(value)) return true
  if (hasTypedSequence(value)) return true
  return isRepetitive(value)
}
