/** Values of the Go template evaluator, and how Go's fmt prints them (`%v`). */

/** A Go `int` a template made (a literal `3`, `len`, a range index); data numbers are float64 (JS numbers). */
export class GoInt {
  constructor(readonly value: number) {}
}

/** Go's invalid reflect.Value: a map key that is absent (printed `<no value>`). */
export const MISSING: unique symbol = Symbol('no value')

export type GoValue = string | number | boolean | null | GoInt | typeof MISSING | GoValue[] | {[k: string]: GoValue}

/** A template that cannot be parsed or executed: Argo CD fails the same way. */
/** The Go type a value has once decoded from JSON/YAML, as Go's errors name it. */
export function goTypeName(v: GoValue): string {
  if (v === null) return 'nil'
  if (typeof v === 'string') return 'string'
  if (typeof v === 'number') return 'float64'
  if (typeof v === 'boolean') return 'bool'
  if (v instanceof GoInt) return 'int'
  if (Array.isArray(v)) return '[]interface {}'
  return 'map[string]interface {}'
}

export class TemplateError extends Error {}

/** Something Argo CD evaluates that this offline evaluator does not: never rendered, named. */
export class UnsupportedTemplate extends TemplateError {
  constructor(readonly what: string) {
    super(`${what} is not supported by the offline ApplicationSet evaluator`)
  }
}

/** Go's truth: false, 0, "", nil, an empty list or map, and the invalid value are false. */
export function isTrue(v: GoValue): boolean {
  if (v === MISSING || v === null) return false
  if (typeof v === 'boolean') return v
  if (typeof v === 'number') return v !== 0
  if (typeof v === 'string') return v.length > 0
  if (v instanceof GoInt) return v.value !== 0
  if (Array.isArray(v)) return v.length > 0
  return Object.keys(v).length > 0
}

/** Go's `%v` of a float64: `%g` with the shortest digits, in exponent form when the exponent is < -4 or ≥ 6 (strconv: 1000000 prints `1e+06`, the Helm/Argo CD large-number surprise). */
export function formatFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN'
  if (n === Infinity) return '+Inf'
  if (n === -Infinity) return '-Inf'
  if (n === 0) return Object.is(n, -0) ? '-0' : '0'
  const [mantissa, expText] = n.toExponential().split('e')
  const exp = Number(expText)
  if (exp < -4 || exp >= 6) {
    const e = Math.abs(exp)
    return `${mantissa}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`
  }
  const digits = mantissa.replace('-', '').replace('.', '')
  const sign = n < 0 ? '-' : ''
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}`
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`
}

/** Go's `%v` (fmt.Sprint of one operand): maps print sorted as `map[k:v]`, lists as `[a b]`, nil as `<nil>`. */
export function formatValue(v: GoValue): string {
  if (v === MISSING) return '<no value>'
  if (v === null) return '<nil>'
  if (typeof v === 'string') return v
  if (typeof v === 'number') return formatFloat(v)
  if (typeof v === 'boolean') return String(v)
  if (v instanceof GoInt) return String(v.value)
  if (Array.isArray(v)) return `[${v.map(formatValue).join(' ')}]`
  return `map[${Object.keys(v)
    .sort()
    .map((k) => `${k}:${formatValue(v[k])}`)
    .join(' ')}]`
}

/** Plain JSON of a value (GoInt as a number, the invalid value as null). */
export function toPlain(v: GoValue): unknown {
  if (v === MISSING) return null
  if (v instanceof GoInt) return v.value
  if (Array.isArray(v)) return v.map(toPlain)
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(v).sort()) out[k] = toPlain(v[k])
    return out
  }
  return v
}
