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
    String.raw`[ \t]*(:{1,3}=|=>|\?=|\.=|<-|(?<![=!<>])=(?![=>~])|:(?![:/])|["']?[ \t]*,|>[ \t]*\r?\n?)[ \t]*`,
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

/** Every secret-like assignment of a random-looking literal in the text. */
export function findAssignedSecrets(text: string): GenericMatch[] {
  const out: GenericMatch[] = []
  ASSIGNMENT.lastIndex = 0
  for (let m = ASSIGNMENT.exec(text); m; m = ASSIGNMENT.exec(text)) {
    const name = m[2]
    const value = m[5] ?? m[6]
    if (value === undefined || !isSecretName(name)) {
      // Not this name: a later identifier in the same match may be the name (`string apiToken = "…"`).
      ASSIGNMENT.lastIndex = m.index + 1
      continue
    }
    if (m[6] !== undefined && /\(/.test(value)) continue // a call
    if (!looksRandom(value)) continue
    out.push({name, value, offset: m.index + m[0].length - value.length - (m[5] !== undefined ? 1 : 0)})
  }
  return out
}
