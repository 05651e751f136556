/**
 * Go's net/url escaping, as the SCM providers' Go clients put names into URLs: url.PathEscape (a path segment) and
 * url.QueryEscape (a query value). Every UTF-8 byte is escaped as upper-case `%XX` but the unreserved characters
 * (`A-Z a-z 0-9 - _ . ~`); a path segment also keeps `$ & + : = @`, a query value writes a space as `+`.
 */

const UNRESERVED = /^[A-Za-z0-9\-_.~]$/
const PATH_SEGMENT = /^[A-Za-z0-9\-_.~$&+:=@]$/

function escaped(text: string, keep: RegExp, space: string): string {
  let out = ''
  for (const byte of new TextEncoder().encode(text)) {
    const c = String.fromCharCode(byte)
    if (c === ' ' && space !== '') out += space
    else out += keep.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/** url.PathEscape: `/ ; , ?`, a space, `%` and everything not unreserved escaped; `$ & + : = @` kept. */
export function goPathEscape(text: string): string {
  return escaped(text, PATH_SEGMENT, '')
}

/** url.QueryEscape: everything not unreserved escaped, a space as `+`. */
export function goQueryEscape(text: string): string {
  return escaped(text, UNRESERVED, '+')
}
