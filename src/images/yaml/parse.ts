/**
 * Guarded YAML parsing shared by verify's image policy (a tolerant scanner) and the GitOps facts (an exact,
 * writable extractor): every document of a text, with errors, alias bombs and runaway nesting turned into a reason
 * instead of a throw, and the limits both apply. What each does with a text that does not parse is its own policy.
 */
import type {Document, LineCounter} from 'yaml'

export type YamlModule = typeof import('yaml')

/** Alias expansion limit: a YAML bomb is a reason, never a crash or a hang. */
export const MAX_ALIAS_COUNT = 100
/** How deep YAML embedded in block strings is followed. */
export const MAX_EMBED_DEPTH = 4
/**
 * How deeply collections may nest. Kubernetes objects nest about 15 levels; the `yaml` parser itself runs out of
 * stack near 800 flow levels, and every walker recurses per level, so deeper text is a reason, never a stack overflow.
 */
export const MAX_NESTING = 256

/**
 * Why a text is not usable YAML. `syntax`: it does not parse (a Helm template, random bytes); `limit`: it parses
 * but breaks a resource limit (an alias bomb, runaway nesting), which no template explains.
 */
export type YamlFailure = 'syntax' | 'limit'

export type ParsedYaml =
  | {docs: Document.Parsed[]; reason?: undefined; failure?: undefined}
  | {docs?: undefined; reason: string; failure: YamlFailure}

const firstLine = (error: unknown) => String((error as Error)?.message ?? error).split('\n')[0]
const STACK = /call stack|too much recursion/i

/** Every document of `text` (positions through `lineCounter`), or why it is not usable YAML. */
export function parseYaml(yaml: YamlModule, text: string, lineCounter: LineCounter): ParsedYaml {
  // The lexer recurses per flow level: a text nested past the limit is refused before it is parsed.
  if (flowDepth(text) > MAX_NESTING) return nestedTooDeep()
  let docs: Document.Parsed[]
  try {
    docs = yaml.parseAllDocuments(text, {
      lineCounter,
      uniqueKeys: false,
      prettyErrors: false,
      logLevel: 'error',
    }) as Document.Parsed[]
  } catch (error) {
    if (STACK.test(firstLine(error))) return nestedTooDeep()
    return {reason: `not YAML: ${firstLine(error)}`, failure: 'syntax'}
  }
  if (!Array.isArray(docs)) return {reason: 'not YAML', failure: 'syntax'}
  const bad = docs.find((d) => d.errors.length > 0)
  if (bad) {
    const message = firstLine(bad.errors[0])
    if (STACK.test(message)) return nestedTooDeep()
    return {reason: `not valid YAML (${message})`, failure: 'syntax'}
  }
  for (const d of docs) if (nodeDepth(yaml, d.contents) > MAX_NESTING) return nestedTooDeep()
  if (text.includes('*')) {
    try {
      // toJS resolves aliases under the limit; the walkers themselves never follow an alias.
      for (const d of docs) d.toJS({maxAliasCount: MAX_ALIAS_COUNT})
    } catch (error) {
      return {reason: `aliases expand too far (${firstLine(error)})`, failure: 'limit'}
    }
  }
  return {docs}
}

const nestedTooDeep = (): ParsedYaml => ({reason: NESTED_TOO_DEEP, failure: 'limit'})

/** What a text nested past {@link MAX_NESTING} is told, whether the check or the parser's own stack stopped it. */
export const NESTED_TOO_DEEP = `collections nested deeper than ${MAX_NESTING} levels`

/**
 * Whether `text`, or its parsed documents, nest past {@link MAX_NESTING}: checked before parsing (flow nesting) and
 * after (every node), so that the answer never depends on how much stack the parser happened to have.
 */
export const flowTooDeep = (text: string): boolean => flowDepth(text) > MAX_NESTING
export const documentsTooDeep = (yaml: YamlModule, docs: readonly Document.Parsed[]): boolean =>
  docs.some((d) => nodeDepth(yaml, d.contents) > MAX_NESTING)

/**
 * An upper bound on the flow nesting of `text`: the deepest run of `[`/`{` not closed yet, counting brackets inside
 * quotes and comments too (a text that only looks deep is parsed when the true depth is under the limit: see
 * nodeDepth). Linear, no allocation.
 */
function flowDepth(text: string): number {
  // Most texts hold no flow collection, or only late: the scan starts at the first bracket (a native search).
  const first = text.search(/[[{]/)
  if (first === -1) return 0
  let depth = 0
  let max = 0
  for (let i = first; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--
  }
  return max <= MAX_NESTING ? max : exactFlowDepth(text)
}

/** The flow nesting outside quoted scalars and comments (a rough lexer, only run when the bound is over the limit). */
function exactFlowDepth(text: string): number {
  let depth = 0
  let max = 0
  let quote = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (quote !== 0) {
      if (c === 0x5c && quote === 0x22) i++
      else if (c === quote) quote = 0
      continue
    }
    if (c === 0x22 || c === 0x27) {
      const prev = i > 0 ? text.charCodeAt(i - 1) : 0x20
      if (prev === 0x20 || prev === 0x5b || prev === 0x7b || prev === 0x2c || prev === 0x3a || prev === 0x0a) quote = c
    } else if (c === 0x23 && (i === 0 || /\s/.test(text[i - 1]))) {
      const eol = text.indexOf('\n', i)
      i = eol === -1 ? text.length : eol
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--
  }
  return max
}

/** The nesting depth of a parsed node, walked with an explicit stack (never recursion). */
function nodeDepth(yaml: YamlModule, root: unknown): number {
  let max = 0
  const stack: Array<[unknown, number]> = [[root, 1]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!
    if (yaml.isMap(node) || yaml.isSeq(node)) {
      if (depth > max) max = depth
      if (max > MAX_NESTING) return max
      for (const item of node.items) {
        if (yaml.isPair(item)) {
          stack.push([item.key, depth + 1], [item.value, depth + 1])
        } else stack.push([item, depth + 1])
      }
    }
  }
  return max
}

/** A multi-line string that may hold YAML: some line starts with a `key:` (or `- key:`). */
export const looksLikeYamlMapping = (value: string): boolean => /^\s*(?:-\s+)?[\w."'-]+\s*:(?:\s|$)/m.test(value)
