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

/** Words that make a name a credential's name on their own. */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'pass',
  'secret',
  'secrets',
  'token',
  'tokens',
  'apikey',
  'apikeys',
  'credential',
  'credentials',
  'creds',
  'auth',
  'bearer',
  'privatekey',
  'accesskey',
  'secretkey',
  'apitoken',
  'authtoken',
  'accesstoken',
  'refreshtoken',
  'clientsecret',
])
/** An upper-case run-together word that ends in one of these (`AUTHTOKEN`, `STRIPESECRET`) is a secret's name too. */
const SECRET_SUFFIX = /(?:password|passwd|passphrase|secret|token|apikey|accesskey|secretkey|privatekey|credentials?)$/
/** `<qualifier> key`: the pairs that name a key (api key, access key, signing key …). */
const KEY_QUALIFIERS = new Set([
  'api',
  'access',
  'secret',
  'private',
  'auth',
  'signing',
  'encryption',
  'master',
  'client',
  'session',
  'app',
  'account',
  'license',
  'service',
  'admin',
  'write',
  'read',
  'deploy',
  'webhook',
  'storage',
  'shared',
  'hmac',
])
/** A last word that makes the name about a secret rather than the secret (its URL, id, length …). */
const NOT_THE_SECRET = new Set([
  'url',
  'uri',
  'endpoint',
  'path',
  'file',
  'dir',
  'name',
  'id',
  'ids',
  'type',
  'kind',
  'length',
  'len',
  'size',
  'count',
  'ttl',
  'expiry',
  'expires',
  'expiration',
  'timeout',
  'prefix',
  'suffix',
  'header',
  'field',
  'param',
  'env',
  'var',
  'ref',
  'version',
  'policy',
  'rotation',
  'format',
  'pattern',
  'regex',
  'mode',
  'enabled',
  'required',
  'hint',
  'label',
  'placeholder',
  'description',
  'min',
  'max',
  'hash',
  'digest',
  'fingerprint',
  'provider',
  'source',
  'key',
  'keys',
])
/** Words that make the value public by design. */
const PUBLIC = new Set(['public', 'publishable', 'csrf', 'xsrf', 'pubkey'])

/** The words of an identifier: split at `_ - . [ ]` and camel case, lower-cased, trailing numbers dropped. */
function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .map((w) => w.replace(/\d+$/, ''))
    .filter((w) => w !== '')
}

export function isSecretName(name: string): boolean {
  const words = nameWords(name).map((w, i, all) =>
    i === all.length - 1 && name === name.toUpperCase() && SECRET_SUFFIX.test(w) && !SECRET_WORDS.has(w) ? 'secret' : w,
  )
  if (words.length === 0 || words.some((w) => PUBLIC.has(w))) return false
  let secret = false
  for (let i = 0; i < words.length; i++) {
    const w = words[i]
    if (SECRET_WORDS.has(w) || (w === 'key' && i > 0 && KEY_QUALIFIERS.has(words[i - 1]))) secret = true
  }
  if (!secret) return false
  const last = words.at(-1)!
  if (last === 'key') return KEY_QUALIFIERS.has(words.at(-2) ?? '')
  return !NOT_THE_SECRET.has(last)
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
    String.raw`[ \t]*(:{1,3}=|=>|\?=|\.=|<-|(?<![=!<>])=(?![=>~])|:(?![:/])|,)[ \t]*`,
    String.raw`(?:(["'\x60])((?:(?!\4)[^\\\n]|\\.){1,500})\4|([^\s"'\x60,;#)\]}<>\\]{8,500}))`,
  ].join(''),
  'g',
)

export interface GenericMatch {
  name: string
  value: string
  /** Offset of the value in the text. */
  offset: number
}

/** `<apiToken>value</apiToken>` (XML config, .NET settings), also with the value on its own line. */
const XML_ELEMENT = /<([A-Za-z_][\w.-]*)>[ \t]*\r?\n?[ \t]*([^\s<>"']{8,500})[ \t]*\r?\n?[ \t]*<\/\1>/g

/**
 * Every secret-like assignment of a random-looking literal on the lines that hold one of `at` (the offsets where
 * the prefilter saw a secret word): an assignment is one line, so no other line can hold one.
 *
 * In source code (`code`) only quoted values count: a bare value there is an expression (`password =
 * request.form["password"]`, `auth: _t.AuthType`). `name, value` counts only as two quoted strings
 * (`setProperty("API_TOKEN", "…")`), never as two arguments.
 */
export function findAssignedSecrets(text: string, at: readonly number[], code: boolean): GenericMatch[] {
  const out: GenericMatch[] = []
  let lineEnd = -1
  for (const position of at) {
    if (position < lineEnd) continue
    const lineStart = text.lastIndexOf('\n', position - 1) + 1
    lineEnd = text.indexOf('\n', position)
    if (lineEnd < 0) lineEnd = text.length
    const line = text.slice(lineStart, lineEnd)
    if (code && !/["'`]/.test(line)) continue // code assigns secrets as string literals only
    ASSIGNMENT.lastIndex = 0
    for (let m = ASSIGNMENT.exec(line); m; m = ASSIGNMENT.exec(line)) {
      const [, nameQuote, name, operator, , quoted, bare] = m
      const value = quoted ?? bare
      if (value === undefined || !isSecretName(name)) {
        // Not this name: a later identifier in the same match may be the name (`string apiToken = "…"`).
        ASSIGNMENT.lastIndex = m.index + 1
        continue
      }
      if (bare !== undefined && code) continue
      if (operator === ',' && (!nameQuote || quoted === undefined)) continue
      if (/["'{}()[\]<>\\]/.test(value)) continue // code or markup, not a key
      if (!looksRandom(value)) continue
      out.push({name, value, offset: lineStart + m.index + m[0].length - value.length - (quoted !== undefined ? 1 : 0)})
    }
  }
  if (!code && at.length > 0 && text.includes('</')) {
    XML_ELEMENT.lastIndex = 0
    for (let m = XML_ELEMENT.exec(text); m; m = XML_ELEMENT.exec(text)) {
      const [whole, name, value] = m
      if (isSecretName(name) && looksRandom(value))
        out.push({name, value, offset: m.index + whole.indexOf(value, name.length + 2)})
    }
  }
  return out
}
