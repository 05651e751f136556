import {lineIndexOf} from '../text.js'
import type {Check, Finding} from '../types.js'

/**
 * A reviewed false positive is suppressed on its own line with `ameide:allow-secret(<reason>)`; the
 * reason is mandatory (at least 3 characters). A marker without a reason suppresses nothing.
 */
export const SUPPRESSION = /ameide:allow-secret\(([^)]*)\)/

interface Pattern {
  rule: string
  what: string
  regex: RegExp
  /** Group holding the secret (0 = whole match). */
  group?: number
  /** Extra filter on the secret value. */
  accept?: (value: string) => boolean
}

const PATTERNS: Pattern[] = [
  {
    rule: 'aws-access-key',
    what: 'an AWS access key id',
    regex: /\b((?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16})\b/g,
    group: 1,
  },
  {rule: 'github-token', what: 'a GitHub token', regex: /\b((?:ghp|gho|ghs|ghu|ghr)_[A-Za-z0-9]{36,255})\b/g, group: 1},
  {
    rule: 'github-token',
    what: 'a GitHub fine-grained token',
    regex: /\b(github_pat_[A-Za-z0-9_]{50,255})\b/g,
    group: 1,
  },
  {rule: 'slack-token', what: 'a Slack token', regex: /\b(xox[abposr]-[A-Za-z0-9-]{10,})\b/g, group: 1},
  {
    rule: 'slack-webhook',
    what: 'a Slack webhook URL',
    regex: /(https:\/\/hooks\.slack\.com\/services\/T[A-Za-z0-9_]+\/B[A-Za-z0-9_]+\/[A-Za-z0-9_]+)/g,
    group: 1,
  },
  {rule: 'google-api-key', what: 'a Google API key', regex: /\b(AIza[0-9A-Za-z_-]{35})(?![0-9A-Za-z_-])/g, group: 1},
  {
    rule: 'private-key',
    what: 'a private key block',
    regex: /(-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----)/g,
    group: 1,
  },
  {
    rule: 'jwt',
    what: 'a JSON Web Token',
    regex: /\b(eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})/g,
    group: 1,
  },
  {
    rule: 'assigned-secret',
    what: 'a high-entropy value assigned to a secret-like name',
    // name (password, secret, token, api_key, …) then = : := or => then a quoted or bare value
    regex:
      /\b[\w.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|credentials?)[\w.-]*["']?\s*(?::=|=>|=|:)\s*(?:["'`]([^"'`\s]{12,})["'`]|([A-Za-z0-9+/_=.~-]{16,}))/gi,
    accept: looksRandom,
  },
]

/**
 * Cheap tests before running the patterns: every match of a case-sensitive pattern contains one of
 * these literals, and every `assigned-secret` match contains one of the secret-like names. A text
 * that passes neither cannot match anything (most files), one that passes only one runs only those.
 */
const LITERAL_TRIGGER =
  /A(?:KIA|SIA|GPA|IDA|ROA|NPA|NVA|IPA)|gh[pousr]_|github_pat_|xox|hooks\.slack|AIza|PRIVATE KEY|eyJ/
const NAME_TRIGGER =
  /password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|credential/i
const LITERAL_PATTERNS = PATTERNS.filter((p) => !p.regex.ignoreCase)
const NAME_PATTERNS = PATTERNS.filter((p) => p.regex.ignoreCase)

/** Shannon entropy in bits per character. */
export function entropy(value: string): number {
  const counts = new Map<string, number>()
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1)
  let bits = 0
  for (const n of counts.values()) {
    const p = n / value.length
    bits -= p * Math.log2(p)
  }
  return bits
}

/** A literal that looks generated rather than a placeholder, a reference or a word. */
function looksRandom(value: string): boolean {
  if (/\$\{|\{\{|%\(|<[^>]*>|^\$[A-Z_]/.test(value)) return false // templates, env references, <placeholders>
  if (/^(?:x+|\*+|changeme|password|secret|example|placeholder|redacted|dummy|test|none|null)/i.test(value))
    return false
  if (/^[a-z]+(?:[._-][a-z]+)*$/i.test(value)) return false // words and dotted identifiers
  if (/^(?:[a-z]+|[a-z]*\d{1,3})(?:[._/-](?:[a-z]+|[a-z]*\d{1,3}))*$/i.test(value)) return false // names like orders-v1-db
  if (/^[a-z][a-z0-9+.-]*:\/\/[^@\s]*$/i.test(value) || /^\.{0,2}\//.test(value)) return false // URLs without credentials, paths
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(value)).length
  return classes >= 2 && entropy(value) >= 3.5
}

/** Redacted form: the first four characters, then how long the value is. Never the secret itself. */
export function redactSecret(value: string): string {
  if (value.startsWith('-----BEGIN')) return value
  return `${value.slice(0, 4)}…(${value.length} chars)`
}

export const secretsCheck: Check = {
  id: 'secrets',
  summary: 'no hard-coded secrets (cloud/GitHub/Slack/Google keys, private keys, JWTs, high-entropy assignments)',
  skipReason: () => null,
  run(ctx) {
    const findings: Finding[] = []
    let suppressed = 0
    for (const file of ctx.files) {
      const text = file.text
      if (text === null) continue
      const literal = LITERAL_TRIGGER.test(text)
      const named = NAME_TRIGGER.test(text)
      if (!literal && !named) continue
      // Same order as PATTERNS (the case-sensitive ones first, assigned-secret last): `seen` keeps the first.
      const patterns = literal && named ? PATTERNS : literal ? LITERAL_PATTERNS : NAME_PATTERNS
      const index = lineIndexOf(file)
      const seen = new Set<string>()
      for (const pattern of patterns) {
        pattern.regex.lastIndex = 0
        for (let m = pattern.regex.exec(text); m; m = pattern.regex.exec(text)) {
          const value = pattern.group ? m[pattern.group] : (m[1] ?? m[2])
          if (!value) continue
          if (pattern.accept && !pattern.accept(value)) continue
          const offset = m.index + m[0].indexOf(value)
          const {line, column} = index.position(offset)
          const key = `${line}:${column}`
          if (seen.has(key)) continue
          seen.add(key)
          const marker = SUPPRESSION.exec(index.lineText(line))
          if (marker && marker[1].trim().length >= 3) {
            suppressed++
            continue
          }
          findings.push({
            rule: pattern.rule,
            severity: 'error',
            file: file.repoPath,
            line,
            column,
            message: `Hard-coded secret: ${pattern.what} (${redactSecret(value)}).`,
            hint: marker
              ? 'The ameide:allow-secret(...) marker on this line has no reason; write why the value is not a secret, e.g. ameide:allow-secret(test fixture, not a real key).'
              : 'Remove it and rotate it if it was ever real; read it at run time from the environment (the platform injects secrets). If it is a reviewed false positive, add ameide:allow-secret(<reason>) on the line.',
          })
        }
      }
    }
    findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || (a.column ?? 0) - (b.column ?? 0))
    return {
      findings,
      note: suppressed > 0 ? `${suppressed} finding(s) suppressed with ameide:allow-secret(<reason>)` : undefined,
    }
  },
}
