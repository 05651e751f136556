/**
 * The scanner: one keyword prefilter over every rule (as gitleaks does with Aho-Corasick), then only the rules
 * whose keywords the text holds, then the generic rule where a secret-like name occurs. Pure: text in, matches
 * out; the secrets check (src/verify/checks/secrets.ts) turns matches into findings.
 */
import {findAssignedSecrets} from './generic.js'
import {isPlaceholder} from './placeholders.js'
import {looksRandom, nameLike} from './random.js'
import {SECRET_RULES, type SecretRule} from './rules.js'

export const GENERIC_RULE = {id: 'generic-secret', what: 'a high-entropy value assigned to a secret-like name'}

export interface SecretMatch {
  rule: string
  what: string
  /** The secret itself: for locating and redacting only, never printed. */
  value: string
  offset: number
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Which rules each keyword wakes. */
const BY_KEYWORD = new Map<string, SecretRule[]>()
for (const rule of SECRET_RULES) for (const k of rule.keywords) BY_KEYWORD.set(k, [...(BY_KEYWORD.get(k) ?? []), rule])

/** Words whose presence wakes the generic rule (a secret-like name holds one). */
const GENERIC_KEYWORDS = ['pass', 'pwd', 'secret', 'token', 'key', 'credential', 'creds', 'bearer', 'auth']

/**
 * One alternation of every keyword, longest first, case-insensitive like the keywords, inside a lookahead so that
 * keywords that overlap (`acce[sK]ey` holds `sk` and `key`) are all seen: the scan moves one character at a time.
 */
const PREFILTER = new RegExp(
  `(?=(${[...new Set([...BY_KEYWORD.keys(), ...GENERIC_KEYWORDS])]
    .sort((a, b) => b.length - a.length)
    .map(escape)
    .join('|')}))`,
  'gi',
)

function wokenRules(text: string): {rules: SecretRule[]; generic: boolean} {
  const keywords = new Set<string>()
  PREFILTER.lastIndex = 0
  for (let m = PREFILTER.exec(text); m; m = PREFILTER.exec(text)) {
    keywords.add(m[1].toLowerCase())
    PREFILTER.lastIndex = m.index + 1
  }
  // A longer keyword hides the shorter ones it contains at the same place; look those up by substring.
  const rules = new Set<SecretRule>()
  let generic = false
  for (const k of keywords) {
    for (const [keyword, woken] of BY_KEYWORD) if (k.includes(keyword)) for (const r of woken) rules.add(r)
    if (GENERIC_KEYWORDS.some((g) => k.includes(g))) generic = true
  }
  return {rules: SECRET_RULES.filter((r) => rules.has(r)), generic}
}

function bodyOf(rule: SecretRule, secret: string): string {
  const lower = secret.toLowerCase()
  const prefix = rule.keywords.filter((k) => lower.startsWith(k)).sort((a, b) => b.length - a.length)[0]
  return prefix ? secret.slice(prefix.length) : secret
}

function accepted(rule: SecretRule, secret: string): boolean {
  if (rule.validate && !rule.validate(secret)) return false
  if (rule.body === 'any') return true
  const body = rule.body === 'whole' ? secret : bodyOf(rule, secret)
  if (isPlaceholder(body) || nameLike(body)) return false
  // A token body is random by construction: its alphabet is fixed, so judge it by its own characters.
  return looksRandom(body.replace(/[-_.]/g, ''), Math.min(8, body.length))
}

/** Every secret in the text: provider rules first; the generic rule only where no provider rule matched. */
export function scanSecrets(text: string): SecretMatch[] {
  const {rules, generic} = wokenRules(text)
  if (rules.length === 0 && !generic) return []
  const out: SecretMatch[] = []
  const taken: Array<[number, number]> = []
  const overlaps = (start: number, end: number): boolean => taken.some(([s, e]) => start < e && s < end)
  for (const rule of rules) {
    rule.pattern.lastIndex = 0
    for (let m = rule.pattern.exec(text); m; m = rule.pattern.exec(text)) {
      const value = m[1]
      if (!value) continue
      const offset = m.index + m[0].lastIndexOf(value)
      if (overlaps(offset, offset + value.length) || !accepted(rule, value)) continue
      taken.push([offset, offset + value.length])
      out.push({rule: rule.id, what: rule.what, value, offset})
    }
  }
  if (generic)
    for (const g of findAssignedSecrets(text)) {
      if (overlaps(g.offset, g.offset + g.value.length)) continue
      taken.push([g.offset, g.offset + g.value.length])
      out.push({rule: GENERIC_RULE.id, what: GENERIC_RULE.what, value: g.value, offset: g.offset})
    }
  return out.sort((a, b) => a.offset - b.offset)
}
