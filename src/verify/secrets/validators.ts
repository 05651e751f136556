/**
 * The secrets rules' whole-secret tests (`validate` in ./rules.ts): structure a regex cannot say — a JWT's decodable
 * header, a Slack token's ids, a PEM body, a password that looks generated.
 */
import {isPlaceholder, isRepetitive} from './placeholders.js'
import {looksRandom} from './random.js'

function decodesToJsonObject(part: string): boolean {
  try {
    const text = Buffer.from(part, 'base64url').toString('utf8')
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
  } catch {
    return false
  }
}

/** A JWT whose header and payload decode to JSON objects and whose header names an algorithm. */
export function wellFormedJwt(token: string): boolean {
  const [header, payload] = token.split('.')
  if (!decodesToJsonObject(header) || !decodesToJsonObject(payload)) return false
  return /"alg"\s*:/.test(Buffer.from(header, 'base64url').toString('utf8'))
}

/**
 * Slack tokens: numeric ids (team, user, bot: 6+ digits; a leading 1- or 2- is a version) and a random part.
 * `xoxp-1234-1234-1234-…` and `xoxe.xoxp-1-RANDOMSTRINGHERE` are placeholders people write in docs.
 */
export function slackShaped(token: string): boolean {
  const body = token.replace(/^(?:xoxe\.)?xox[a-z]-|^xapp-/, '')
  const segments = body.split('-').filter(Boolean)
  const ids = segments.filter((s, i) => /^\d+$/.test(s) && !(i === 0 && s.length === 1))
  const rest = segments.filter((s) => !/^\d+$/.test(s)).join('')
  if (ids.some((s) => s.length < 6)) return false
  if (rest.length < 8 || isPlaceholder(rest)) return false
  return looksRandom(rest) || /^[a-f0-9]{16,}$/.test(rest) || (ids.length >= 2 && /^[A-Za-z0-9]{16,}$/.test(rest))
}

/** A value that decodes to `user:password` (HTTP Basic) holds a secret only when the password looks generated. */
export function basicPasswordRandom(value: string): boolean {
  const decoded = /^[A-Za-z0-9+/]+={0,2}$/.test(value) ? Buffer.from(value, 'base64').toString('latin1') : ''
  const colon = decoded.indexOf(':')
  if (colon < 0 || !/^[\x20-\x7e]+$/.test(decoded)) return true
  return looksRandom(decoded.slice(colon + 1))
}

/** A PEM private key with a body: at least 64 base64 characters between header and footer. */
export function hasKeyBody(block: string): boolean {
  const body = block
    .replace(/-----(?:BEGIN|END)[^-]*-----/g, '')
    .replace(/\\n|\\r|[\s"',+]/g, '')
    .replace(/^[A-Za-z-]+:.*$/gm, '')
  return /[A-Za-z0-9+/=]{64,}/.test(body) && !isRepetitive(body)
}

/** A Slack webhook URL whose secret path is not a placeholder. */
export const slackWebhookRandom = (url: string): boolean =>
  !isPlaceholder(url.replace(/^.*?\/(?:services|workflows|triggers)\//, '').replace(/\//g, ''))

/** A Twitter bearer token whose body (after the leading A's, URL escapes removed) looks random. */
export const twitterBearerRandom = (token: string): boolean =>
  looksRandom(token.replace(/^A+/, '').replace(/%[0-9A-F]{2}/g, ''))

/** A URL's password that is a literal (no template braces, no escapes) of at least 10 characters. */
export const urlPasswordLiteral = (password: string): boolean => !/[[\]{}()<>%]/.test(password) && password.length >= 10
