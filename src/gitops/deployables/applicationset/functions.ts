/**
 * The functions of Argo CD's ApplicationSet Go templates: text/template's builtins, the sprig functions real
 * ApplicationSets use, and Argo CD's own (`normalize`, `slugify`, `toYaml`, `fromYaml`, `fromYamlArray`), each with
 * the argument types and results of the Go implementation. A sprig function not implemented here is an
 * {@link UnsupportedTemplate} error naming it (never a wrong rendering); a name neither Go nor sprig nor Argo CD
 * defines is Go's own parse error (`function "x" not defined`), which Argo CD reports too.
 */
import {stringify} from 'yaml'

import {parseYamlValue} from './yaml-values.js'
import {
  formatFloat,
  formatValue,
  GoInt,
  goTypeName,
  type GoValue,
  isTrue,
  toPlain,
  TemplateError,
  UnsupportedTemplate,
} from './values.js'

type Fn = (args: GoValue[]) => GoValue

/** sprig's GenericFuncMap names (v3) and Go's builtins, less `env`, `expandenv`, `getHostByName` (Argo CD removes them). */
const KNOWN = new Set(
  (
    'and call html index slice js len not or print printf println urlquery eq ge gt le lt ne ' +
    'hello ago date date_in_zone date_modify dateInZone dateModify duration durationRound htmlDate htmlDateInZone ' +
    'must_date_modify mustDateModify mustToDate now toDate unixEpoch abbrev abbrevboth trunc trim upper lower title ' +
    'untitle substr repeat trimall trimAll trimSuffix trimPrefix nospace initials randAlphaNum randAlpha randAscii ' +
    'randNumeric swapcase shuffle snakecase camelcase kebabcase wrap wrapWith contains hasPrefix hasSuffix quote ' +
    'squote cat indent nindent replace plural sha1sum sha256sum sha512sum adler32sum toString atoi int64 int float64 ' +
    'seq toDecimal split splitList splitn toStrings until untilStep add1 add sub div mod mul randInt add1f addf subf ' +
    'divf mulf biggest max min maxf minf ceil floor round join sortAlpha default empty coalesce all any compact ' +
    'mustCompact fromJson toJson toPrettyJson toRawJson mustFromJson mustToJson mustToPrettyJson mustToRawJson ' +
    'ternary deepCopy mustDeepCopy typeOf typeIs typeIsLike kindOf kindIs deepEqual base dir clean ext isAbs osBase ' +
    'osClean osDir osExt osIsAbs b64enc b64dec b32enc b32dec tuple list dict get set unset hasKey pluck keys pick ' +
    'omit merge mergeOverwrite mustMerge mustMergeOverwrite values append push mustAppend mustPush prepend ' +
    'mustPrepend first mustFirst rest mustRest last mustLast initial mustInitial reverse mustReverse uniq mustUniq ' +
    'without mustWithout has mustHas mustSlice concat dig chunk mustChunk bcrypt htpasswd genPrivateKey ' +
    'derivePassword buildCustomCert genCA genCAWithKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert ' +
    'genSignedCertWithKey encryptAES decryptAES randBytes uuidv4 semver semverCompare fail regexMatch ' +
    'mustRegexMatch regexFindAll mustRegexFindAll regexFind mustRegexFind regexReplaceAll mustRegexReplaceAll ' +
    'regexReplaceAllLiteral mustRegexReplaceAllLiteral regexSplit mustRegexSplit regexQuoteMeta urlParse urlJoin ' +
    'normalize slugify toYaml fromYaml fromYamlArray'
  ).split(' '),
)

export function isKnownFunction(name: string): boolean {
  return KNOWN.has(name)
}

export function callFunction(name: string, args: GoValue[]): GoValue {
  const fn = Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined
  if (!fn) throw new UnsupportedTemplate(`the template function "${name}"`)
  try {
    return fn(args)
  } catch (e) {
    if (e instanceof TemplateError) {
      if (e instanceof UnsupportedTemplate || e.message.startsWith('error calling')) throw e
      throw new TemplateError(`error calling ${name}: ${e.message}`)
    }
    throw e
  }
}

// ---------------------------------------------------------------- argument checks (Go's reflect conversions)

function arity(args: GoValue[], n: number, name: string): void {
  if (args.length !== n) throw new TemplateError(`wrong number of args for ${name}: want ${n} got ${args.length}`)
}

function str(v: GoValue): string {
  if (typeof v === 'string') return v
  if (v === null) throw new TemplateError('invalid value; expected string')
  throw new TemplateError(`wrong type for value; expected string; got ${goTypeName(v)}`)
}

function int(v: GoValue): number {
  if (v instanceof GoInt) return v.value
  if (v === null) throw new TemplateError('invalid value; expected int')
  throw new TemplateError(`wrong type for value; expected int; got ${goTypeName(v)}`)
}

function bool(v: GoValue): boolean {
  if (typeof v === 'boolean') return v
  throw new TemplateError(`wrong type for value; expected bool; got ${goTypeName(v)}`)
}

function map(v: GoValue): Record<string, GoValue> {
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoInt)) {
    return v as Record<string, GoValue>
  }
  throw new TemplateError(`wrong type for value; expected map[string]interface {}; got ${goTypeName(v)}`)
}

/** sprig's strval: strings as they are, anything else as `%v`. */
function strval(v: GoValue): string {
  return typeof v === 'string' ? v : formatValue(v)
}

/** sprig's strslice. */
function strslice(v: GoValue): string[] {
  if (Array.isArray(v)) return v.filter((e) => e !== null).map(strval)
  if (v === null) return []
  return [strval(v)]
}

/** Go's strconv.Quote (`%q` of a string). */
export function goQuote(s: string): string {
  let out = '"'
  for (const ch of s) {
    const c = ch.codePointAt(0)!
    if (ch === '"') out += '\\"'
    else if (ch === '\\') out += '\\\\'
    else if (c === 7) out += '\\a'
    else if (c === 8) out += '\\b'
    else if (c === 12) out += '\\f'
    else if (c === 10) out += '\\n'
    else if (c === 13) out += '\\r'
    else if (c === 9) out += '\\t'
    else if (c === 11) out += '\\v'
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`
    else if (/[\p{C}\p{Zl}\p{Zp}]/u.test(ch) || (/\p{Z}/u.test(ch) && ch !== ' ')) {
      out += c > 0xffff ? `\\U${c.toString(16).padStart(8, '0')}` : `\\u${c.toString(16).padStart(4, '0')}`
    } else out += ch
  }
  return out + '"'
}

/** Go's path.Clean. */
export function cleanPath(p: string): string {
  if (p === '') return '.'
  const rooted = p.startsWith('/')
  const out: string[] = []
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') {
      if (out.length > 0 && out.at(-1) !== '..') out.pop()
      else if (!rooted) out.push('..')
      continue
    }
    out.push(part)
  }
  const joined = (rooted ? '/' : '') + out.join('/')
  return joined === '' ? '.' : joined
}

/** Go's path.Base. */
export function basePath(p: string): string {
  if (p === '') return '.'
  const trimmed = p.replace(/\/+$/, '')
  if (trimmed === '') return '/'
  return trimmed.slice(trimmed.lastIndexOf('/') + 1)
}

/** Go's path.Dir. */
export function dirPath(p: string): string {
  return cleanPath(p.slice(0, p.lastIndexOf('/') + 1))
}

/** Argo CD's SanitizeName (`normalize`, `*Normalized` params): lowercase, `[^-a-z0-9.]`→`-`, ≤253, trimmed of `-.`. */
export function sanitizeName(name: string): string {
  let s = name.toLowerCase().replace(/[^-a-z0-9.]/g, '-')
  if (Buffer.byteLength(s) > 253) s = s.slice(0, 253)
  return s.replace(/^[-.]+|[-.]+$/g, '')
}

/** Argo CD's SlugifyName: SanitizeName, then gosimple/slug with MaxLength and smart truncation. */
function slugify(args: GoValue[]): string {
  let maxSize = 50
  let smart = true
  let name = ''
  args.forEach((a, idx) => {
    if (idx === args.length - 1) name = str(a)
    else if (idx === 0) maxSize = int(a)
    else if (idx === 1) smart = bool(a)
  })
  let slug = sanitizeName(name)
    .replace(/[^a-z0-9-_]/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
  if (maxSize > 0 && slug.length > maxSize) {
    if (smart) {
      const cut = slug.lastIndexOf('-', maxSize)
      slug = cut >= 0 ? slug.slice(0, cut) : slug.slice(0, maxSize)
    } else slug = slug.slice(0, maxSize)
  }
  return slug
}

function goJson(v: GoValue, indent?: string): string {
  return JSON.stringify(toPlain(v), null, indent)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
}

/** cast.ToInt64 as sprig's math uses it. */
function toInt64(v: GoValue): number {
  if (v instanceof GoInt) return v.value
  if (typeof v === 'number') return Math.trunc(v)
  if (typeof v === 'boolean') return v ? 1 : 0
  if (typeof v === 'string') {
    const n = /^[-+]?\d+$/.test(v.trim()) ? Number(v.trim()) : 0
    return n
  }
  return 0
}

type Kind = 'bool' | 'int' | 'float' | 'string' | 'invalid' | 'other'
function kindOf(v: GoValue): Kind {
  if (v === null) return 'invalid'
  if (typeof v === 'boolean') return 'bool'
  if (typeof v === 'string') return 'string'
  if (typeof v === 'number') return 'float'
  if (v instanceof GoInt) return 'int'
  return 'other'
}

function num(v: GoValue): number {
  return v instanceof GoInt ? v.value : (v as number)
}

function eq(args: GoValue[]): boolean {
  if (args.length < 2) throw new TemplateError('missing argument for comparison')
  const [a, ...rest] = args
  const ka = kindOf(a)
  for (const b of rest) {
    const kb = kindOf(b)
    if (ka !== kb) {
      if (ka !== 'invalid' && kb !== 'invalid') throw new TemplateError('incompatible types for comparison')
      continue
    }
    if (ka === 'other') throw new TemplateError('invalid type for comparison')
    if (ka === 'invalid' || (ka === 'int' || ka === 'float' ? num(a) === num(b) : a === b)) return true
  }
  return false
}

function lessThan(a: GoValue, b: GoValue): boolean {
  const ka = kindOf(a)
  const kb = kindOf(b)
  if (ka === 'bool' || ka === 'other' || ka === 'invalid' || kb === 'invalid' || kb === 'other' || kb === 'bool') {
    throw new TemplateError('invalid type for comparison')
  }
  if (ka !== kb) throw new TemplateError('incompatible types for comparison')
  if (ka === 'string') return (a as string) < (b as string)
  return num(a) < num(b)
}

/** Go's fmt for printf's verbs %s %v %d %q %t %%; flags, widths and other verbs are not supported. */
function sprintf(format: string, args: GoValue[]): string {
  let out = ''
  let argi = 0
  for (let i = 0; i < format.length; i++) {
    const c = format[i]
    if (c !== '%') {
      out += c
      continue
    }
    const verb = format[++i]
    if (verb === '%') {
      out += '%'
      continue
    }
    if (verb === undefined) {
      out += '%!(NOVERB)'
      break
    }
    if (!'svdqt'.includes(verb)) throw new UnsupportedTemplate(`the printf verb %${verb}`)
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`
      continue
    }
    out += formatVerb(verb, args[argi++])
  }
  if (argi < args.length) {
    out += `%!(EXTRA ${args
      .slice(argi)
      .map((a) => (a === null ? '<nil>' : `${goTypeName(a)}=${formatValue(a)}`))
      .join(', ')})`
  }
  return out
}

function formatVerb(verb: string, v: GoValue): string {
  if (v === null) return verb === 'v' ? '<nil>' : `%!${verb}(<nil>)`
  if (Array.isArray(v)) return `[${v.map((e) => formatVerb(verb, e)).join(' ')}]`
  if (typeof v === 'object' && !(v instanceof GoInt)) {
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${formatVerb(verb, k)}:${formatVerb(verb, (v as Record<string, GoValue>)[k])}`)
      .join(' ')}]`
  }
  const bad = () => `%!${verb}(${goTypeName(v)}=${formatValue(v)})`
  switch (verb) {
    case 'v':
      return formatValue(v)
    case 's':
      return typeof v === 'string' ? v : bad()
    case 'q':
      if (typeof v === 'string') return goQuote(v)
      if (v instanceof GoInt) return `'${String.fromCodePoint(v.value)}'`
      return bad()
    case 'd':
      return v instanceof GoInt ? String(v.value) : bad()
    case 't':
      return typeof v === 'boolean' ? String(v) : bad()
  }
  return bad()
}

function sprint(args: GoValue[]): string {
  let out = ''
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' '
    out += formatValue(a)
  })
  return out
}

function goIndex(args: GoValue[]): GoValue {
  if (args.length === 0) throw new TemplateError('wrong number of args for index: want at least 1 got 0')
  let item = args[0]
  for (const ix of args.slice(1)) {
    if (item === null) throw new TemplateError('index of untyped nil')
    if (Array.isArray(item)) {
      if (!(ix instanceof GoInt)) throw new TemplateError(`cannot index slice/array with type ${goTypeName(ix)}`)
      if (ix.value < 0 || ix.value >= item.length) throw new TemplateError(`index out of range: ${ix.value}`)
      item = item[ix.value]
    } else if (typeof item === 'object' && !(item instanceof GoInt)) {
      if (typeof ix !== 'string') throw new TemplateError(`value has type ${goTypeName(ix)}; should be string`)
      item = Object.hasOwn(item, ix) ? (item as Record<string, GoValue>)[ix] : null
    } else if (typeof item === 'string') {
      if (!(ix instanceof GoInt)) throw new TemplateError(`cannot index string with type ${goTypeName(ix)}`)
      throw new UnsupportedTemplate('index of a string (yields a byte)')
    } else throw new TemplateError(`can't index item of type ${goTypeName(item)}`)
  }
  return item
}

function listArg(v: GoValue, fn: string): GoValue[] {
  if (Array.isArray(v)) return v
  throw new TemplateError(`Cannot find ${fn} on type ${goTypeName(v)}`)
}

const goYaml = (v: GoValue) =>
  stringify(toPlain(v), {sortMapEntries: true, indentSeq: false, lineWidth: 0}).replace(/\n$/, '')

const FUNCTIONS: Record<string, Fn> = {
  not: (a) => (arity(a, 1, 'not'), !isTrue(a[0])),
  eq,
  ne: (a) => (arity(a, 2, 'ne'), !eq(a)),
  lt: (a) => (arity(a, 2, 'lt'), lessThan(a[0], a[1])),
  le: (a) => (arity(a, 2, 'le'), lessThan(a[0], a[1]) || eq(a)),
  gt: (a) => (arity(a, 2, 'gt'), !lessThan(a[0], a[1]) && !eq(a)),
  ge: (a) => (arity(a, 2, 'ge'), !lessThan(a[0], a[1])),
  len: (a) => {
    arity(a, 1, 'len')
    const v = a[0]
    if (v === null) throw new TemplateError('len of nil pointer')
    if (typeof v === 'string') return new GoInt(Buffer.byteLength(v))
    if (Array.isArray(v)) return new GoInt(v.length)
    if (typeof v === 'object' && !(v instanceof GoInt)) return new GoInt(Object.keys(v).length)
    throw new TemplateError(`len of type ${goTypeName(v)}`)
  },
  index: goIndex,
  print: (a) => sprint(a),
  println: (a) => a.map(formatValue).join(' ') + '\n',
  printf: (a) => {
    if (a.length === 0) throw new TemplateError('wrong number of args for printf: want at least 1 got 0')
    return sprintf(str(a[0]), a.slice(1))
  },
  default: (a) => {
    if (a.length === 0) throw new TemplateError('wrong number of args for default: want at least 1 got 0')
    return a.length < 2 || !isTrue(a[1]) ? a[0] : a[1]
  },
  empty: (a) => (arity(a, 1, 'empty'), !isTrue(a[0])),
  coalesce: (a) => a.find((v) => isTrue(v)) ?? null,
  ternary: (a) => (arity(a, 3, 'ternary'), bool(a[2]) ? a[0] : a[1]),
  lower: (a) => (arity(a, 1, 'lower'), str(a[0]).toLowerCase()),
  upper: (a) => (arity(a, 1, 'upper'), str(a[0]).toUpperCase()),
  trim: (a) => (arity(a, 1, 'trim'), str(a[0]).trim()),
  trimPrefix: (a) => {
    arity(a, 2, 'trimPrefix')
    const [p, s] = [str(a[0]), str(a[1])]
    return s.startsWith(p) ? s.slice(p.length) : s
  },
  trimSuffix: (a) => {
    arity(a, 2, 'trimSuffix')
    const [p, s] = [str(a[0]), str(a[1])]
    return p !== '' && s.endsWith(p) ? s.slice(0, s.length - p.length) : s
  },
  replace: (a) => {
    arity(a, 3, 'replace')
    const [from, to, s] = [str(a[0]), str(a[1]), str(a[2])]
    if (from === '') return to + [...s].join(to) + (s === '' ? '' : to)
    return s.split(from).join(to)
  },
  contains: (a) => (arity(a, 2, 'contains'), str(a[1]).includes(str(a[0]))),
  hasPrefix: (a) => (arity(a, 2, 'hasPrefix'), str(a[1]).startsWith(str(a[0]))),
  hasSuffix: (a) => (arity(a, 2, 'hasSuffix'), str(a[1]).endsWith(str(a[0]))),
  quote: (a) =>
    a
      .filter((v) => v !== null)
      .map((v) => goQuote(strval(v)))
      .join(' '),
  squote: (a) =>
    a
      .filter((v) => v !== null)
      .map((v) => `'${strval(v)}'`)
      .join(' '),
  cat: (a) =>
    a
      .filter((v) => v !== null)
      .map(strval)
      .join(' '),
  toString: (a: GoValue[]) => (arity(a, 1, 'toString'), strval(a[0])),
  toYaml: (a) => (arity(a, 1, 'toYaml'), goYaml(a[0])),
  toJson: (a) => (arity(a, 1, 'toJson'), goJson(a[0])),
  toPrettyJson: (a) => (arity(a, 1, 'toPrettyJson'), goJson(a[0], '  ')),
  fromYaml: (a) => {
    arity(a, 1, 'fromYaml')
    const v = parseYamlValue(str(a[0]))
    if (v === null || v === undefined) return {}
    if (typeof v !== 'object' || Array.isArray(v)) throw new TemplateError('cannot unmarshal into map')
    return v as GoValue
  },
  fromYamlArray: (a) => {
    arity(a, 1, 'fromYamlArray')
    const v = parseYamlValue(str(a[0]))
    if (v === null || v === undefined) return []
    if (!Array.isArray(v)) throw new TemplateError('cannot unmarshal into array')
    return v as GoValue
  },
  splitList: (a) => (arity(a, 2, 'splitList'), splitGo(str(a[1]), str(a[0]))),
  join: (a) => (arity(a, 2, 'join'), strslice(a[1]).join(str(a[0]))),
  list: (a) => [...a],
  dict: (a) => {
    const out: Record<string, GoValue> = {}
    for (let i = 0; i < a.length; i += 2) out[strval(a[i])] = i + 1 < a.length ? a[i + 1] : ''
    return out
  },
  get: (a) => {
    arity(a, 2, 'get')
    const m = map(a[0])
    const k = str(a[1])
    return Object.hasOwn(m, k) ? m[k] : ''
  },
  hasKey: (a) => (arity(a, 2, 'hasKey'), Object.hasOwn(map(a[0]), str(a[1]))),
  first: (a) => {
    arity(a, 1, 'first')
    if (a[0] === null) return null
    const l = listArg(a[0], 'first')
    return l.length === 0 ? null : l[0]
  },
  last: (a) => {
    arity(a, 1, 'last')
    if (a[0] === null) return null
    const l = listArg(a[0], 'last')
    return l.length === 0 ? null : l.at(-1)!
  },
  base: (a) => (arity(a, 1, 'base'), basePath(str(a[0]))),
  dir: (a) => (arity(a, 1, 'dir'), dirPath(str(a[0]))),
  clean: (a) => (arity(a, 1, 'clean'), cleanPath(str(a[0]))),
  normalize: (a) => (arity(a, 1, 'normalize'), sanitizeName(str(a[0]))),
  slugify: (a) => slugify(a),
  trunc: (a) => {
    arity(a, 2, 'trunc')
    const [c, s] = [int(a[0]), str(a[1])]
    if (c < 0 && s.length + c > 0) return s.slice(s.length + c)
    if (c >= 0 && s.length > c) return s.slice(0, c)
    return s
  },
  substr: (a) => {
    arity(a, 3, 'substr')
    const [start, end, s] = [int(a[0]), int(a[1]), str(a[2])]
    if (start < 0) return s.slice(0, end)
    if (end < 0 || end > s.length) return s.slice(start)
    return s.slice(start, end)
  },
  nospace: (a) => (arity(a, 1, 'nospace'), str(a[0]).replace(/\s/g, '')),
  indent: (a) => {
    arity(a, 2, 'indent')
    const pad = ' '.repeat(int(a[0]))
    return pad + str(a[1]).replace(/\n/g, `\n${pad}`)
  },
  nindent: (a) => {
    arity(a, 2, 'nindent')
    const pad = ' '.repeat(int(a[0]))
    return '\n' + pad + str(a[1]).replace(/\n/g, `\n${pad}`)
  },
  add: (a: GoValue[]) => new GoInt(a.reduce<number>((s, v) => s + toInt64(v), 0)),
  sub: (a) => (arity(a, 2, 'sub'), new GoInt(toInt64(a[0]) - toInt64(a[1]))),
  int: (a) => (arity(a, 1, 'int'), new GoInt(toInt64(a[0]))),
  float64: (a) => {
    arity(a, 1, 'float64')
    const v = a[0]
    if (typeof v === 'number') return v
    if (v instanceof GoInt) return v.value
    if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v)
    return 0
  },
}

/** Go's strings.Split (an empty separator splits into characters). */
function splitGo(s: string, sep: string): string[] {
  return sep === '' ? [...s] : s.split(sep)
}

export {formatFloat}
