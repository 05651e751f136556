/**
 * A result an agent can hold: a tool's `--json` document answered within a byte budget, summary first. The document
 * whole fits: it is the answer. Else every scalar and every object of it is kept (counts, verdicts, revisions) and its
 * lists are filled in turn, item by item, in their order, until the budget is spent; `truncated` then says what was
 * left out of each list, the `detail` to ask next for the rest of the main list (deployables, findings), and the
 * resource holding the whole document. A `detail` (environment, deployable, rule) keeps only the items that name
 * it — an item that names none of these keys is kept. An item larger than the whole budget is shown with its long
 * strings cut (each says so), so every call makes progress and the `next` details reach every item.
 */

export interface Detail {
  environment?: string
  deployable?: string
  rule?: string
  /** Items of the main list skipped (the `next` detail of a truncated answer sets it). */
  offset?: number
  /**
   * A kept result (its resource URI): the part is answered from that document, the command not run again (the
   * `next` detail sets it, so paging reads one document, consistent and at once).
   */
  result?: string
}

export interface Truncated {
  /** The budget, and the size of the whole document (compact JSON, bytes). */
  maxBytes: number
  bytes: number
  /** Each list cut: where, how many items are shown from `from`, of how many (after the detail's filter). */
  lists: Array<{path: string; from: number; shown: number; total: number}>
  /** The detail that asks for the next items of the main list (absent: none left). */
  next?: Detail
  /** The MCP resource holding the whole document (resources/read). */
  resource: string
  how: string
}

type Json = Record<string, unknown>

export const DEFAULT_MAX_BYTES = 24_000
/** Room kept for the `truncated` marker itself. */
const MARKER_ROOM = 1_200

const size = (v: unknown) => Buffer.byteLength(JSON.stringify(v), 'utf8')
const isMap = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v)

/** Does an item of a list fit the detail (a key it does not have does not exclude it). */
function matches(item: unknown, d: Detail): boolean {
  if (!isMap(item)) return true
  if (d.environment !== undefined && 'environment' in item && item.environment !== d.environment) return false
  if (d.rule !== undefined && 'rule' in item && item.rule !== d.rule) return false
  if (d.deployable !== undefined) {
    const names = ['application', 'source', 'name'].filter((k) => k in item).map((k) => item[k])
    if (names.length > 0 && !names.includes(d.deployable)) return false
  }
  return true
}

/** The lists of a document (top level, and one level into its objects), by path. */
function listsOf(doc: Json): Array<{path: string[]; items: unknown[]}> {
  const out: Array<{path: string[]; items: unknown[]}> = []
  for (const [k, v] of Object.entries(doc)) {
    if (Array.isArray(v)) out.push({path: [k], items: v})
    else if (isMap(v))
      for (const [k2, v2] of Object.entries(v)) if (Array.isArray(v2)) out.push({path: [k, k2], items: v2})
  }
  return out
}

function setAt(doc: Json, path: string[], value: unknown): void {
  if (path.length === 1) doc[path[0]] = value
  else doc[path[0]] = {...(doc[path[0]] as Json), [path[1]]: value}
}

/** An item cut to about `room` bytes: its longest strings shortened, each saying so. */
function cutItem(item: unknown, room: number, resource: string): unknown {
  let out = structuredClone(item)
  for (let guard = 0; guard < 64 && size(out) > room; guard++) {
    const longest = longestString(out)
    if (!longest || longest.value.length < 120) break
    const keep = Math.max(60, longest.value.length - (size(out) - room) - 200)
    const text = `${longest.value.slice(0, keep)}\n… [cut by ameide mcp: ${keep} of ${longest.value.length} characters; the whole document: ${resource}]`
    out = replaceAt(out, longest.path, text)
  }
  return out
}

function longestString(v: unknown, path: Array<string | number> = []): {path: typeof path; value: string} | undefined {
  if (typeof v === 'string') return {path, value: v}
  let best: {path: typeof path; value: string} | undefined
  const entries: Array<[string | number, unknown]> = Array.isArray(v)
    ? v.map((x, i) => [i, x])
    : isMap(v)
      ? Object.entries(v)
      : []
  for (const [k, x] of entries) {
    const found = longestString(x, [...path, k])
    if (found && (!best || found.value.length > best.value.length)) best = found
  }
  return best
}

function replaceAt(v: unknown, path: Array<string | number>, value: unknown): unknown {
  if (path.length === 0) return value
  const [k, ...rest] = path
  if (Array.isArray(v)) return v.map((x, i) => (i === k ? replaceAt(x, rest, value) : x))
  return {...(v as Json), [k]: replaceAt((v as Json)[k], rest, value)}
}

/**
 * The answer to a call: the document whole when it fits and no detail narrows it; else the summary (or the
 * detail's part) within `maxBytes`, with `truncated` when anything was left out. `main` names the list paged by
 * `detail.offset` (`deployables`, `findings`).
 */
export function withinBudget(
  doc: Json,
  options: {maxBytes: number; detail?: Detail; main: string; resource: string},
): Json {
  const {maxBytes, detail = {}, main, resource} = options
  const whole = size(doc)
  const lists = listsOf(doc).map((l) => ({...l, items: l.items.filter((i) => matches(i, detail))}))
  const offset = detail.offset ?? 0
  const filtered: Json = {...doc}
  for (const l of lists) setAt(filtered, l.path, l.items)
  if (offset === 0 && size(filtered) <= maxBytes) return filtered
  const out: Json = {...doc}
  for (const l of lists) setAt(out, l.path, [])
  let used = size(out) + MARKER_ROOM
  const shown = lists.map((l) => ({
    ...l,
    from: l.path.join('.') === main ? Math.min(offset, l.items.length) : 0,
    kept: [] as unknown[],
    full: false,
  }))
  // Round robin, one item of each list in turn, each list in its order: no list takes the whole budget.
  for (let progress = true; progress;) {
    progress = false
    for (const l of shown) {
      if (l.full || l.from + l.kept.length >= l.items.length) continue
      let item = l.items[l.from + l.kept.length]
      const isMain = l.path.join('.') === main
      // The main list always shows one item (cut if it must), so each next call makes progress.
      if (used + size(item) + 1 > maxBytes && isMain && l.kept.length === 0)
        item = cutItem(item, Math.max(200, maxBytes - used), resource)
      if (used + size(item) + 1 > maxBytes && !(isMain && l.kept.length === 0)) {
        l.full = true
        continue
      }
      l.kept.push(item)
      used += size(item) + 1
      progress = true
    }
  }
  for (const l of shown) setAt(out, l.path, l.kept)
  const cut = shown.filter((l) => l.from > 0 || l.kept.length < l.items.length)
  const mainList = shown.find((l) => l.path.join('.') === main)
  const rest = mainList && mainList.from + mainList.kept.length < mainList.items.length
  const truncated: Truncated = {
    maxBytes,
    bytes: whole,
    lists: cut.map((l) => ({path: l.path.join('.'), from: l.from, shown: l.kept.length, total: l.items.length})),
    ...(rest ? {next: {...detail, offset: mainList.from + mainList.kept.length, result: resource}} : {}),
    resource,
    how:
      `The whole document is ${whole} bytes, over maxBytes ${maxBytes}: every count is whole, the lists are cut. ` +
      `Call again with ${rest ? '`next` as detail for the next ' + main + ' (answered from this result, not run again), or ' : ''}detail {environment, deployable, rule, result} for one part, a larger maxBytes, or read ${resource}.`,
  }
  return {...out, truncated}
}
