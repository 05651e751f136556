/**
 * YAML as Kubernetes reads it. The API server, kubectl and Argo CD (gitops-engine's `kube.SplitYAML`) turn each
 * document into JSON with sigs.k8s.io/yaml, whose resolver is go-yaml v2's: YAML 1.1 plain scalars (`0444` is the
 * octal 292, `yes`, `on` and `y` are true, `1_000` is 1000, `08` is the float 8), timestamps kept as their text, and
 * keys made strings (`1.5e6:` is "1.5e+06", a null key an error); what JSON cannot hold (`.inf`, `.nan`) fails.
 * Only plain scalars resolve: quoted and block scalars are strings, as an explicit `!!str` is.
 * Held to sigs.k8s.io/yaml itself, built natively: test/images/kube-yaml.test.ts.
 */
import type {Document, DocumentOptions, EmptyStream, ParseOptions, SchemaOptions, ScalarTag, Tags} from 'yaml'

import {documentsTooDeep, flowTooDeep, NESTED_TOO_DEEP, type YamlModule} from './parse.js'

const BOOLS: Record<string, boolean> = {}
for (const t of ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']) BOOLS[t] = true
for (const f of ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']) BOOLS[f] = false
const NULLS = new Set(['', '~', 'null', 'Null', 'NULL'])
const INFINITIES = /^([-+]?)\.(?:inf|Inf|INF)$/
const NANS = new Set(['.nan', '.NaN', '.NAN'])

/** go-yaml's `yamlStyleFloat`. */
const YAML_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/
/** Go's `strconv.ParseFloat` over a decimal that starts with its point (`.5`, `.5e3`). */
const GO_DECIMAL = /^\.[0-9]+(?:[eE][-+]?[0-9]+)?$/

/** What JSON cannot carry: sigs.k8s.io/yaml's json.Marshal refuses it, so the document does not read. */
export class NotJson extends Error {}

/** A text nested past ameide's limit (MAX_NESTING): a limit of ameide's, not a fault of the text. */
export class NestingLimit extends Error {}

const STACK = /call stack|too much recursion/i

/** Go's `strconv.ParseInt(s, 0, 64)` then `ParseUint`: the integer, or undefined (underscores already removed). */
function goInteger(s: string): number | bigint | undefined {
  const m = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s)
  if (!m) return undefined
  const [, sign, digits] = m
  const body = /^0[0-7]+$/.test(digits) ? `0o${digits.slice(1)}` : digits
  const value = BigInt(body) * (sign === '-' ? -1n : 1n)
  if (value < -(2n ** 63n) || value >= 2n ** 64n) return undefined
  if (value >= 2n ** 63n && sign !== '') return undefined // past int64, only ParseUint, which takes no sign
  return Number.isSafeInteger(Number(value)) ? Number(value) : value
}

/** Go's `strconv.underscoreOK` for a decimal: every `_` between two digits (ParseFloat's rule; the '.' case). */
const underscoresBetweenDigits = (text: string) => !/(^|[^0-9])_|_($|[^0-9])/.test(text)

/** A plain scalar as go-yaml v2 resolves it (a timestamp stays its text, as it does decoded into interface{}). */
export function kubeScalar(text: string): unknown {
  if (NULLS.has(text)) return null
  // Own keys only: `toString` is a string, not Object.prototype's function.
  if (Object.hasOwn(BOOLS, text)) return BOOLS[text]
  if (NANS.has(text)) return NaN
  const infinity = INFINITIES.exec(text)
  if (infinity) return infinity[1] === '-' ? -Infinity : Infinity
  const first = text[0]
  if (first !== '.' && !/[-+0-9]/.test(first)) return text
  const plain = text.replaceAll('_', '')
  if (first === '.') return GO_DECIMAL.test(plain) && underscoresBetweenDigits(text) ? Number(plain) : text
  const int = goInteger(plain)
  if (int !== undefined) return typeof int === 'bigint' ? Number(int) : int
  // A float out of range is Go's ErrRange: the text stays a string.
  if (YAML_FLOAT.test(plain) && Number.isFinite(Number(plain))) return Number(plain)
  return text
}

/**
 * A float key as sigs.k8s.io/yaml writes it: Go's `strconv.FormatFloat(f, 'g', -1, 32)` (the shortest digits that
 * give the same float32, in %e from an exponent of 6 or below -4), infinities and NaN as YAML spells them.
 */
function goFloatKey(f: number): string {
  if (Number.isNaN(f)) return '.nan'
  if (!Number.isFinite(f)) return f > 0 ? '.inf' : '-.inf'
  const f32 = Math.fround(f)
  if (Object.is(f32, -0)) return '-0'
  let digits = 1
  while (digits < 9 && Math.fround(Number(f32.toPrecision(digits))) !== f32) digits++
  const [mantissa, e] = f32.toExponential(digits - 1).split('e')
  const exp = Number(e)
  if (exp < -4 || exp >= 6) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`
  return String(Number(f32.toPrecision(digits)))
}

/** A plain key as sigs.k8s.io/yaml makes it a JSON key. */
export function kubeKey(text: string): string {
  const value = kubeScalar(text)
  if (value === null) throw new NotJson('unsupported map key of type: <nil>')
  if (typeof value !== 'number') return String(value)
  const int = /^[-+0-9]/.test(text) ? goInteger(text.replaceAll('_', '')) : undefined
  if (typeof int === 'bigint' && int >= 2n ** 63n) throw new NotJson('unsupported map key of type: uint64')
  return int === undefined ? goFloatKey(value) : String(int)
}

/** What sigs.k8s.io/yaml's json.Marshal carries: not an infinity or NaN. */
function jsonValue(text: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new NotJson(`json: unsupported value: ${text}`)
  return value
}

/** An explicitly tagged scalar (`!!int "10"`): resolved as plain, then held to its tag, as go-yaml does. */
function explicit(name: string, is: (v: unknown) => boolean): ScalarTag {
  return {
    tag: `tag:yaml.org,2002:${name}`,
    resolve(text) {
      const value = kubeScalar(text)
      if (!is(value)) throw new NotJson(`cannot decode ${JSON.stringify(text)} as a !!${name}`)
      return jsonValue(text, value)
    },
  }
}

const EXPLICIT = [
  explicit('int', (v) => typeof v === 'number' && Number.isInteger(v)),
  explicit('float', (v) => typeof v === 'number'),
  explicit('bool', (v) => typeof v === 'boolean'),
  explicit('null', (v) => v === null),
]

const anyPlain = /[\s\S]*/
const valueTag: ScalarTag = {
  tag: 'tag:ameide.io,2026:kube-value',
  default: true,
  test: anyPlain,
  resolve: (text) => jsonValue(text, kubeScalar(text)),
}
const keyTag: ScalarTag = {
  tag: 'tag:ameide.io,2026:kube-key',
  default: 'key',
  // `<<` is the merge key, which go-yaml merges as the `yaml` library does.
  test: /^(?!<<$)[\s\S]*$/,
  resolve: (text) => kubeKey(text),
}

/** Options for `parseAllDocuments` that read every document as Kubernetes does. */
export const KUBE_YAML: ParseOptions & DocumentOptions & SchemaOptions = {
  schema: 'failsafe',
  merge: true,
  uniqueKeys: false,
  customTags: (tags: Tags) => ['merge', keyTag, valueTag, ...EXPLICIT, ...tags],
  logLevel: 'error',
}

/**
 * Every document of `text` as Kubernetes reads it (null for an empty one); throws where Kubernetes cannot read it:
 * a syntax error, a collection as a key, a value JSON cannot hold, aliases past `maxAliasCount`.
 */
export function kubeDocuments(yaml: YamlModule, text: string, maxAliasCount = 100): unknown[] {
  // Past the nesting limit, the same refusal whether the check or the parser's stack stops it (never a draw).
  if (flowTooDeep(text)) throw new NestingLimit(NESTED_TOO_DEEP)
  let docs: Document.Parsed[] | EmptyStream
  try {
    docs = yaml.parseAllDocuments(text, KUBE_YAML) as Document.Parsed[] | EmptyStream
  } catch (error) {
    throw STACK.test(String((error as Error)?.message)) ? new NestingLimit(NESTED_TOO_DEEP) : error
  }
  if (!Array.isArray(docs)) return []
  if (documentsTooDeep(yaml, docs)) throw new NestingLimit(NESTED_TOO_DEEP)
  return docs.map((doc) => {
    if (doc.errors.length > 0) throw new NotJson(doc.errors[0].message.split('\n')[0])
    yaml.visit(doc, {
      Pair(_, pair) {
        if (yaml.isCollection(pair.key)) throw new NotJson('a map key is a collection, which JSON cannot hold')
      },
    })
    return doc.toJS({maxAliasCount}) as unknown
  })
}
