/**
 * The text `yaml.stringify(body, {sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false})` gives (the
 * `yaml` library, 2.x: ./objects.ts stableYaml) for the shape most rendered objects have — maps with plain keys,
 * lists of scalars and maps, scalars that need no quotes — written directly, ≈ 10× faster than building the
 * library's document first. Anything else (a string the library would quote or write as a block, a key it would
 * quote, a list in a list, a number that is not finite) is left to the library: `undefined`. Held byte for byte to
 * the library by test/gitops/diff/plain-yaml.unit.test.ts (properties, and rendered objects).
 */

type Json = null | boolean | number | string | Json[] | {[key: string]: Json}

const INDENT = '  '

/** `body`'s text as the library writes it, or undefined where the library decides what this does not. */
export function plainYaml(body: unknown): string | undefined {
  if (!isMap(body)) return undefined
  if (Object.keys(body).length === 0) return '{}\n'
  const out: string[] = []
  return mapLines(body, '', out) ? out.join('') : undefined
}

const isMap = (v: unknown): v is {[key: string]: Json} =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  [Object.prototype, null].includes(Object.getPrototypeOf(v))

/** Each entry of `map` (keys in the library's order: `<` on the strings) at `indent`; false: not this shape. */
function mapLines(map: {[key: string]: Json}, indent: string, out: string[]): boolean {
  const keys = Object.keys(map).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  for (const key of keys) {
    const value = map[key]
    if (value === undefined) continue
    if (key.length > 1000 || !plainString(key)) return false
    if (!entryLines(`${indent}${key}:`, value, indent, out)) return false
  }
  return true
}

/** A map entry or list item whose text starts `head` (`key:`, `-`), its value inline or on the lines below. */
function entryLines(head: string, value: Json, indent: string, out: string[]): boolean {
  if (Array.isArray(value)) {
    if (value.length === 0) return (out.push(`${head} []\n`), true)
    out.push(`${head}\n`)
    return seqLines(value, indent + INDENT, out)
  }
  if (isMap(value)) {
    if (Object.keys(value).length === 0) return (out.push(`${head} {}\n`), true)
    out.push(`${head}\n`)
    return mapLines(value, indent + INDENT, out)
  }
  const text = scalar(value)
  if (text === undefined) return false
  out.push(`${head} ${text}\n`)
  return true
}

/** Each item of `seq` at `indent`: `- scalar`, or a map whose first entry shares the dash's line. */
function seqLines(seq: Json[], indent: string, out: string[]): boolean {
  for (const item of seq) {
    if (Array.isArray(item)) return false
    if (isMap(item) && Object.keys(item).length > 0) {
      const at = out.length
      if (!mapLines(item, indent + INDENT, out)) return false
      out[at] = `${indent}- ${out[at].slice(indent.length + INDENT.length)}`
    } else if (!entryLines(`${indent}-`, item, indent, out)) return false
  }
  return true
}

/** A scalar's text when the library writes it plain: null, a boolean, a finite number, a plain string. */
function scalar(value: Json): string | undefined {
  if (value === null) return 'null'
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'number')
    return Number.isFinite(value) ? (Object.is(value, -0) ? '-0' : JSON.stringify(value)) : undefined
  if (typeof value === 'string') return plainString(value) ? value : undefined
  return undefined
}

/**
 * Whether the library writes `s` as it is (stringifyString's plainString, block context, no folding): one line, no
 * control character, no indicator where YAML reads one, no document marker, and not read back as another type by
 * the core schema (null, a boolean, an integer, a float).
 */
function plainString(s: string): boolean {
  return !(
    // eslint-disable-next-line no-control-regex -- the library's own test: a control character forces double quotes
    /[\n\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u.test(s) ||
    /^[\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[:][ \t]|[\t ]#|[\t :]$/.test(s) ||
    /^(?:---|\.\.\.)/.test(s) ||
    CORE_TYPES.some((t) => t.test(s))
  )
}

/** The core schema's scalars other than strings (the `yaml` library's schema/core tags' tests). */
const CORE_TYPES = [
  /^(?:~|[Nn]ull|NULL)?$/,
  /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
  /^0o[0-7]+$/,
  /^[-+]?[0-9]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
]
