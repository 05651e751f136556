/**
 * The scanner: one keyword prefilter over every rule (as gitleaks does with Aho-Corasick), then only the rules
 * whose keywords the text holds, then the generic rule where a secret-like name occurs. Pure: text in, matches
 * out; the secrets check (src/verify/checks/secrets.ts) turns matches into findings.
 */
import {findAssignedSecrets} from './generic.js'
import {KeywordScanner} from './keywords.js'
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

/** Which rules each keyword wakes. */
const BY_KEYWORD = new Map<string, SecretRule[]>()
for (const rule of SECRET_RULES) for (const k of rule.keywords) BY_KEYWORD.set(k, [...(BY_KEYWORD.get(k) ?? []), rule])

/** Words whose presence wakes the generic rule (a secret-like name holds one). */
const GENERIC_KEYWORDS = ['pass', 'pwd', 'secret', 'token', 'key', 'credential', 'creds', 'bearer', 'auth']

/**
 * Every keyword at once. Where keywords overlap (`acce[sK]ey` holds `sk` and `key`) each position's longest is seen;
 * a longer keyword hides the shorter ones it contains at the same place, so a keyword wakes the rules of every
 * keyword it contains (WAKES), and the generic rule when it contains a generic word (GENERIC).
 */
const SCANNER = new KeywordScanner([...BY_KEYWORD.keys(), ...GENERIC_KEYWORDS])
const GENERIC = SCANNER.keywords.map((k) => GENERIC_KEYWORDS.some((g) => k.includes(g)))
const WAKES = SCANNER.keywords.map((k) =>
  SECRET_RULES.flatMap((rule, i) => (rule.keywords.some((keyword) => k.includes(keyword)) ? [i] : [])),
)

function wokenRules(text: string): {rules: SecretRule[]; generic: number[]} {
  let seen: Uint8Array | undefined
  const generic: number[] = []
  SCANNER.scan(text, (offset, id) => {
    ;(seen ??= new Uint8Array(WAKES.length))[id] = 1
    if (GENERIC[id]) generic.push(offset)
  })
  if (seen === undefined) return {rules: [], generic}
  const woken = new Uint8Array(SECRET_RULES.length)
  seen.forEach((s, id) => {
    if (s === 1) for (const i of WAKES[id]) woken[i] = 1
  })
  return {rules: SECRET_RULES.filter((_, i) => woken[i] === 1), generic}
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
