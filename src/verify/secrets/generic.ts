/**
 * The generic rule: a secret-like name assigned a literal that looks generated. It covers every provider
 * without a documented token format, and keys of any provider assigned in code or config:
 *
 *   Go        apiKey := "…"   var stripeToken string = "…"   Token: "…" (struct literal)
 *   TS / JS   const apiKey: string = "…"   apiKey: '…' (object)   this.token = `…`
 *   Python    API_KEY = "…"   client(api_key="…")   api_key: str = "…"
 *   YAML/JSON password: …   "client_secret": "…"
 *   .env/sh   DB_PASSWORD=…   export TOKEN='…'
 */
import {looksRandom} from './random.js'

/** Names whose value is a credential: a word of the name (by `_`, `-`, `.` or camel case) is one of these. */
const SECRET_WORDS =
  /(?:password|passwd|passphrase|pwd|secret|token|apikey|credentials?|creds|privatekey|accesskey|secretkey|authkey|signingkey|encryptionkey|masterkey|clientkey|sessionkey|apitoken|bearer)$/
const KEY_NAME =
  /(?:^|[_.-])(?:api|access|secret|private|auth|signing|encryption|master|client|session|app|account|license|service|admin|write|read|deploy|webhook)[_.-]?key$/i

/** Names that contain a secret word but hold no secret (token URLs, key ids, counts, references to a secret). */
const NOT_A_SECRET_NAME =
  /(?:url|uri|endpoint|path|file|dir|name|id|ids|type|kind|length|len|size|count|ttl|expiry|expires|expiration|timeout|prefix|suffix|header|field|param|env|var|ref|version|policy|rotation|format|pattern|regex|mode|enabled|required|hint|label|placeholder|description|min|max|hash|digest)$/i

/** Words of an identifier, lower-cased and joined, so `apiKey`, `API_KEY`, `api-key` all read `apikey`. */
function normalise(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '')
}

export function isSecretName(name: string): boolean {
  const last =
    name
      .split(/[.[\]]/)
      .filter(Boolean)
      .at(-1) ?? name
  if (
    NOT_A_SECRET_NAME.test(
      last
        .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
        .split(/[_-]/)
        .at(-1) ?? '',
    )
  )
    return false
  if (KEY_NAME.test(last.replace(/([a-z0-9])([A-Z])/g, '$1_$2'))) return true
  const joined = normalise(last)
  if (SECRET_WORDS.test(joined)) return true
  // A secret word inside the name followed only by a qualifier: password_super_secure, token2, secretValue.
  return /(?:password|passwd|passphrase|secret|token|apikey|credential)(?:[0-9]*|_?(?:value|str|string|plain|raw|hash|b64|base64|hex|data|text|old|new|prod|dev|test|staging|[a-z]*secure|v[0-9]))$/.test(
    last
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, ''),
  )
}

/**
 * name [type] operator value, on one line. The name may be quoted (JSON) or a dotted path (this.token,
 * config.apiKey); Go's `var name type =` and TS/Python's `name: type =` annotations sit between name and `=`.
 * `==`, `!=`, `<=` and `>=` are comparisons, not assignments.
 */
const ASSIGNMENT = new RegExp(
  [
    String.raw`(?<![\w$.-])(["']?)([A-Za-z_$][\w$]*(?:[.-][A-Za-z_$][\w$]*)*)\1`,
    String.raw`(?:[ \t]*:[ \t]*[A-Za-z_][\w.]*(?:<[^<>\n]*>)?(?:\[\])?[ \t]*(?==)|[ \t]+(?:\*?[A-Za-z_][\w.]*|\[\]byte)[ \t]*(?==[^=]))?`,
    String.raw`[ \t]*(:=|=>|\?=|(?<![=!<>])=(?![=>~])|:(?![:/]))[ \t]*`,
    String.raw`(?:(["'\x60])((?:(?!\4)[^\\\n]|\\.){1,500})\4|([^\s"'\x60,;#)\]}>]{8,500}))`,
  ].join(''),
  'g',
)

export interface GenericMatch {
  name: string
  value: string
  /** Offset of the value in the text. */
  offset: number
}

/** Every secret-like assignment of a random-looking literal in the text. */
export function findAssignedSecrets(text: string): GenericMatch[] {
  const out: GenericMatch[] = []
  ASSIGNMENT.lastIndex = 0
  for (let m = ASSIGNMENT.exec(text); m; m = ASSIGNMENT.exec(text)) {
    const name = m[2]
    const value = m[5] ?? m[6]
    if (value === undefined || !isSecretName(name)) continue
    if (m[6] !== undefined && /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+(?:\(|$)/.test(value)) continue // an expression
    if (m[6] !== undefined && /\(/.test(value)) continue // a call
    if (!looksRandom(value)) continue
    out.push({name, value, offset: m.index + m[0].length - value.length - (m[5] !== undefined ? 1 : 0)})
  }
  return out
}
