/**
 * Guarded YAML parsing shared by verify's image policy (a tolerant scanner) and the GitOps facts (an exact,
 * writable extractor): every document of a text, with errors and alias bombs turned into a reason instead of a
 * throw, and the limits both apply. What each does with a text that does not parse is its own policy.
 */
import type {Document, LineCounter} from 'yaml'

export type YamlModule = typeof import('yaml')

/** Alias expansion limit: a YAML bomb is a reason, never a crash or a hang. */
export const MAX_ALIAS_COUNT = 100
/** How deep YAML embedded in block strings is followed. */
export const MAX_EMBED_DEPTH = 4

export type ParsedYaml = {docs: Document.Parsed[]; reason?: undefined} | {docs?: undefined; reason: string}

/** Every document of `text` (positions through `lineCounter`), or why it is not usable YAML. */
export function parseYaml(yaml: YamlModule, text: string, lineCounter: LineCounter): ParsedYaml {
  let docs: Document.Parsed[]
  try {
    docs = yaml.parseAllDocuments(text, {lineCounter, uniqueKeys: false, prettyErrors: false}) as Document.Parsed[]
  } catch (error) {
    return {reason: `not YAML: ${(error as Error).message.split('\n')[0]}`}
  }
  if (!Array.isArray(docs)) return {reason: 'not YAML'}
  const bad = docs.find((d) => d.errors.length > 0)
  if (bad) return {reason: `not valid YAML (${bad.errors[0].message.split('\n')[0]})`}
  if (text.includes('*')) {
    try {
      // toJS resolves aliases under the limit; the walkers themselves never follow an alias.
      for (const d of docs) d.toJS({maxAliasCount: MAX_ALIAS_COUNT})
    } catch (error) {
      return {reason: `aliases expand too far (${(error as Error).message.split('\n')[0]})`}
    }
  }
  return {docs}
}

/** A multi-line string that may hold YAML: some line starts with a `key:` (or `- key:`). */
export const looksLikeYamlMapping = (value: string): boolean => /^\s*(?:-\s+)?[\w."'-]+\s*:(?:\s|$)/m.test(value)
