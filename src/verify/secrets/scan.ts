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
 * One alternation of every keyword, longest first, case-insensitive like the keywords. After each match the scan
 * resumes one character on, not after it, so keywords that overlap (`acce[sK]ey` holds `sk` and `key`) are all
 * seen; between matches the regex engine skips ahead on its own (a lookahead per character costs 8× more).
 */
const PREFILTER = new RegExp(
  [...new Set([...BY_KEYWORD.keys(), ...GENERIC_KEYWORDS])]
    .sort((a, b) => b.length - a.length)
    .map(escape)
    .join('|'),
  'gi',
)

function wokenRules(text: string): {rules: SecretRule[]; generic: number[]} {
  const keywords = new Set<string>()
  const generic: number[] = []
  PREFILTER.lastIndex = 0
  for (let m = PREFILTER.exec(text); m; m = PREFILTER.exec(text)) {
    const keyword = m[0].toLowerCase()
    keywords.add(keyword)
    if (GENERIC_KEYWORDS.some((g) => keyword.includes(g))) generic.push(m.index)
    PREFILTER.lastIndex = m.index + 1
  }
  // A longer keyword hides the shorter ones it contains at the same place; look those up by substring.
  const rules = new Set<SecretRule>()
  for (const k of keywords)
    for (const [keyword, woken] of BY_KEYWORD) if (k.includes(keyword)) for (const r of woken) rules.add(r)
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
  // A token body is random by construction: its alphabet is fixed, so judge it by its own characters; a value
  // whose length the format does not fix (a password in a URL) must be as long as any generated one.
  return looksRandom(body.replace(/[-_.]/g, ''), rule.body === 'whole' ? 8 : Math.min(8, body.length))
}

const CODE =
  /\.(?:go|py|pyi|[cm]?[jt]sx?|java|kt|kts|scala|cs|fs|rb|php|rs|c|cc|cpp|cxx|h|hpp|swift|dart|lua|ex|exs|erl|clj)$/i

/** Source code, where an unquoted value is an expression, or anything else (config, scripts, docs, no path). */
export function isSourceCode(path: string): boolean {
  return CODE.test(path)
}

/**
 * Every secret in the text: provider rules first; the generic rule only where no provider rule matched.
 * `code`: the text is source code (see findAssignedSecrets); unknown texts are read as config.
 */
export function scanSecrets(text: string, code = false): SecretMatch[] {
  const {rules, generic} = wokenRules(text)
  if (rules.length === 0 && generic.length === 0) return []
  const out: SecretMatch[] = []
  const taken: Array<[number, number]> = []
  const overlaps = (start: number, end: number): boolean => taken.some(([s, e]) => start < e && s < end)
  for (const rule of rules) {
    rule.pattern.lastIndex = 0
    for (let m = rule.pattern.exec(text); m; m = rule.pattern.exec(text)) {
      const value = m[1]
      if (!value) continue
      const offset = m.indices![1][0]
      if (overlaps(offset, offset + value.length) || !accepted(rule, value)) continue
      taken.push([offset, offset + value.length])
      out.push({rule: rule.id, what: rule.what, value, offset})
    }
  }
  if (generic.length > 0)
    for (const g of findAssignedSecrets(text, generic, code)) {
      if (overlaps(g.offset, g.offset + g.value.length)) continue
      taken.push([g.offset, g.offset + g.value.length])
      out.push({rule: GENERIC_RULE.id, what: GENERIC_RULE.what, value: g.value, offset: g.offset})
    }
  return out.sort((a, b) => a.offset - b.offset)
}
