/**
 * The places in an object an ignore rule names, and their removal (as Argo CD removes them before it compares): a
 * JSON pointer (RFC 6901), or a jq path expression of the subset Argo CD users write — a path of `.key`, `."key"`,
 * `.["key"]`, `[N]`, `[]` (each optionally `?`), stages joined by `|`, and `select(PATH == LITERAL)` or
 * `select(PATH != LITERAL)` with a string, number, boolean or null literal. Nothing else of jq is evaluated: an
 * expression outside the subset is refused with why ({@link parseJqPath}), and the rule says so in the output; it is
 * never half-applied.
 */

/** A place in an object: keys and array indices from its root. */
export type Place = Array<string | number>

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

/** The places a JSON pointer names that exist in `doc` (none or one). */
export function pointerPlaces(doc: unknown, pointer: string): Place[] {
  if (pointer === '') return []
  if (!pointer.startsWith('/')) return []
  const keys = pointer
    .slice(1)
    .split('/')
    .map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'))
  const place: Place = []
  let at: unknown = doc
  for (const k of keys) {
    if (Array.isArray(at) && /^(0|[1-9][0-9]*)$/.test(k) && Number(k) < at.length) {
      place.push(Number(k))
      at = at[Number(k)]
    } else if (isMap(at) && Object.hasOwn(at, k)) {
      place.push(k)
      at = at[k]
    } else return []
  }
  return [place]
}

type Step = {key: string} | {index: number} | {each: true}
type Stage = {path: Step[]} | {select: {path: Step[]; equal: boolean; value: unknown}}

/** A jq path expression of the subset, parsed; or why it is not in the subset. */
export function parseJqPath(expr: string): {stages: Stage[]} | {error: string} {
  try {
    const stages = expr.split(/\|(?=(?:[^"]*"[^"]*")*[^"]*$)/).map((s) => parseStage(s.trim()))
    return {stages}
  } catch (error) {
    return {error: (error as Error).message}
  }
}

function parseStage(text: string): Stage {
  const select = /^select\((.*)\)$/s.exec(text)
  if (!select) return {path: parsePath(text)}
  const m = /^(.*?)\s*(==|!=)\s*(.+)$/s.exec(select[1].trim())
  if (!m) throw new Error(`select(${select[1]}) is not PATH == LITERAL or PATH != LITERAL`)
  let value: unknown
  try {
    value = JSON.parse(m[3])
  } catch {
    throw new Error(`${m[3]} is not a string, number, boolean or null literal`)
  }
  if (value !== null && typeof value === 'object') throw new Error(`${m[3]} is not a scalar literal`)
  return {select: {path: parsePath(m[1].trim()), equal: m[2] === '==', value}}
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/

/** `.a.b[0]."c"[]?` → steps (`?` accepted: a missing place is never an error here). */
function parsePath(text: string): Step[] {
  if (text === '.') return []
  const steps: Step[] = []
  let rest = text
  if (!rest.startsWith('.') && !rest.startsWith('[')) throw new Error(`${text} is not a path (it starts with . or [)`)
  while (rest.length > 0) {
    let m: RegExpExecArray | null
    if ((m = /^\.?\[\]\??/.exec(rest))) steps.push({each: true})
    else if ((m = /^\.?\[(0|[1-9][0-9]*)\]\??/.exec(rest))) steps.push({index: Number(m[1])})
    else if ((m = /^\.?\[("(?:[^"\\]|\\.)*")\]\??/.exec(rest))) steps.push({key: JSON.parse(m[1]) as string})
    else if ((m = /^\.("(?:[^"\\]|\\.)*")\??/.exec(rest))) steps.push({key: JSON.parse(m[1]) as string})
    else if ((m = /^\.([A-Za-z_][A-Za-z0-9_]*)\??/.exec(rest)) && IDENT.test(m[1])) steps.push({key: m[1]})
    else throw new Error(`${rest} is outside the supported jq subset`)
    rest = rest.slice(m[0].length)
  }
  return steps
}

/** Every (place, value) a path reaches from each of `from`. */
function walk(from: Array<{place: Place; value: unknown}>, steps: Step[]) {
  let out = from
  for (const step of steps) {
    const next: typeof out = []
    for (const {place, value} of out) {
      if ('each' in step) {
        if (Array.isArray(value)) value.forEach((v, i) => next.push({place: [...place, i], value: v}))
        else if (isMap(value)) for (const [k, v] of Object.entries(value)) next.push({place: [...place, k], value: v})
      } else if ('index' in step) {
        if (Array.isArray(value) && step.index < value.length)
          next.push({place: [...place, step.index], value: value[step.index]})
      } else if (isMap(value) && Object.hasOwn(value, step.key)) {
        next.push({place: [...place, step.key], value: value[step.key]})
      }
    }
    out = next
  }
  return out
}

/** The places a parsed jq path expression reaches in `doc`. */
export function jqPlaces(doc: unknown, parsed: {stages: Stage[]}): Place[] {
  let stream = [{place: [] as Place, value: doc}]
  for (const stage of parsed.stages) {
    if ('path' in stage) stream = walk(stream, stage.path)
    else {
      const {path, equal, value} = stage.select
      stream = stream.filter((s) => {
        const found = walk([{place: [], value: s.value}], path)
        const v = found.length > 0 ? found[0].value : null
        return (v === value) === equal
      })
    }
  }
  return stream.map((s) => s.place)
}

/** `doc` without the values at `places` (an array element removed shifts those after it, as jq's del does). */
export function removePlaces(doc: unknown, places: Place[]): unknown {
  // Deepest and last first, so an earlier removal never moves a later place.
  const sorted = [...places].sort((a, b) => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (a[i] === b[i]) continue
      return typeof a[i] === 'number' && typeof b[i] === 'number' ? (b[i] as number) - (a[i] as number) : 0
    }
    return b.length - a.length
  })
  const out = structuredClone(doc)
  for (const place of sorted) {
    if (place.length === 0) continue
    let at: unknown = out
    for (const k of place.slice(0, -1)) at = (at as Record<string | number, unknown> | undefined)?.[k]
    const last = place.at(-1)!
    if (Array.isArray(at) && typeof last === 'number') at.splice(last, 1)
    else if (isMap(at) && typeof last === 'string') delete at[last]
  }
  return out
}
