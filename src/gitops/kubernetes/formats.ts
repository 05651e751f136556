/**
 * The formats the API server's JSON decoding holds a built-in kind's values to (k8s.io/apimachinery and Go's
 * encoding/json, as kube-apiserver decodes a request): a value that does not fit is refused before admission, whatever
 * the field. Owned here, read through the schema's value codes (./minor-fields.ts).
 */

/** A value's type: its JSON type, and where it is a format, why a value of that JSON type does not fit it. */
export interface ValueType {
  /** What it is, in a message: "a string", "an int32". */
  name: string
  /** Whether `v` is of its JSON type. */
  is: (v: unknown) => boolean
  /** Why `v`, of its JSON type, is not of its format, as `: <why>` (undefined: it is). */
  misfit?: (v: unknown) => string | undefined
}

const INT32 = 2 ** 31
const INT64 = 2 ** 63

/** An integer Go decodes into an int32 or int64: within its range. */
const inRange = (bound: number) => (v: unknown) =>
  (v as number) < -bound || (v as number) >= bound ? `: ${String(v)} is out of its range` : undefined

/** Go's encoding/json decodes []byte with base64.StdEncoding: padded, line breaks ignored. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/**
 * metav1.Time and MicroTime: RFC 3339, as Go's time.Parse reads it (`T` and `Z` as written; a fraction of any length;
 * the date and the clock in their ranges).
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))$/

function timeMisfit(v: unknown): string | undefined {
  const m = RFC3339.exec(v as string)
  if (!m) return `: ${JSON.stringify(v)} is not an RFC 3339 time (2006-01-02T15:04:05Z)`
  const [year, month, day, hour, minute, second, zoneHour, zoneMinute] = m.slice(1).map(Number) as number[]
  const days = new Date(Date.UTC(year!, month!, 0)).getUTCDate()
  const fits = month! >= 1 && month! <= 12 && day! >= 1 && day! <= days && hour! < 24 && minute! < 60 && second! < 60
  const zoneFits = m[7] === undefined || (zoneHour! <= 24 && zoneMinute! < 60)
  return fits && zoneFits ? undefined : `: ${JSON.stringify(v)} has a part out of its range`
}

/**
 * resource.Quantity (k8s.io/apimachinery/pkg/api/resource ParseQuantity): a signed decimal, then a binary suffix
 * (Ki … Ei), a decimal one (n u m k M G T P E) or an exponent (e3, E-2); spaces around it are trimmed; a JSON number
 * is read as its text.
 */
const QUANTITY = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/

function quantityMisfit(v: unknown): string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : `: ${String(v)} is not a number`
  return QUANTITY.test((v as string).trim())
    ? undefined
    : `: ${JSON.stringify(v)} is not a number with an optional suffix (500m, 1.5, 128Mi, 1e3)`
}

const isString = (v: unknown) => typeof v === 'string'
const isInteger = (v: unknown) => Number.isInteger(v)

export const FORMATS = {
  int32: {name: 'an int32', is: isInteger, misfit: inRange(INT32)},
  int64: {name: 'an int64', is: isInteger, misfit: inRange(INT64)},
  byte: {
    name: 'base64 bytes',
    is: isString,
    misfit: (v) =>
      BASE64.test((v as string).replace(/[\r\n]/g, '')) ? undefined : ': not base64 (the standard alphabet, padded)',
  },
  dateTime: {name: 'a time', is: isString, misfit: timeMisfit},
  quantity: {name: 'a quantity', is: (v) => isString(v) || typeof v === 'number', misfit: quantityMisfit},
  intOrString: {
    name: 'an int32 or a string',
    is: (v) => isString(v) || isInteger(v),
    misfit: (v) => (isString(v) ? undefined : inRange(INT32)(v)),
  },
} satisfies Record<string, ValueType>
