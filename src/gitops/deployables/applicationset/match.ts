/**
 * The two path matchers of Argo CD's git generators:
 * - files: the repo-server lists `git ls-files --full-name -- <pattern>` — a git pathspec without magic, where a
 *   pattern with no wildcard matches that path or any file under it as a directory, and a pattern with wildcards is
 *   `wildmatch` without WM_PATHNAME: `*` and `?` also match `/` (measured: `environments/*\/component.yaml` lists
 *   `environments/dev/a/component.yaml`);
 * - directories: Go's `path.Match`, where `*` and `?` never match `/` (an invalid pattern matches nothing).
 */

const GLOB = /[*?[\\]/

/** Whether `file` (repo-relative) is listed by `git ls-files -- <pattern>`. */
export function pathspecMatches(pattern: string, file: string): boolean {
  const p = pattern.replace(/^\.\//, '').replace(/^\/+/, '')
  if (!GLOB.test(p)) {
    const dir = p.replace(/\/+$/, '')
    return p === '' || file === dir || file.startsWith(`${dir}/`)
  }
  return globRegex(p, true)?.test(file) ?? false
}

/** Go's path.Match(pattern, name). */
export function goPathMatch(pattern: string, name: string): boolean {
  return globRegex(pattern, false)?.test(name) ?? false
}

const cache = new Map<string, RegExp | null>()

/** A glob as a regular expression; `slash`: whether `*`/`?` cross `/`. Null for a malformed pattern. */
function globRegex(pattern: string, slash: boolean): RegExp | null {
  const key = `${slash ? 1 : 0}${pattern}`
  if (cache.has(key)) return cache.get(key)!
  const any = slash ? '[\\s\\S]' : '[^/]'
  let re = ''
  let ok = true
  for (let i = 0; i < pattern.length && ok; i++) {
    const c = pattern[i]
    if (c === '*') re += `${any}*`
    else if (c === '?') re += any
    else if (c === '\\') {
      i++
      if (i >= pattern.length) ok = false
      else re += escape(pattern[i])
    } else if (c === '[') {
      let j = i + 1
      let negate = false
      if (pattern[j] === '^' || (slash && pattern[j] === '!')) {
        negate = true
        j++
      }
      let cls = ''
      let first = true
      while (j < pattern.length && (pattern[j] !== ']' || (first && slash))) {
        let ch = pattern[j]
        if (ch === '\\') {
          j++
          ch = pattern[j] ?? ''
        }
        cls += ch === '-' && pattern[j - 1] !== '\\' && !first && pattern[j + 1] !== ']' ? '-' : escapeClass(ch)
        first = false
        j++
      }
      if (j >= pattern.length || cls === '') ok = false
      else {
        re += `[${negate ? '^' : ''}${cls}]`
        if (!slash) re = re.replace(/\[\^([^\]]*)\]$/, (m) => (negate ? `(?!/)${m}` : m))
        i = j
      }
    } else re += escape(c)
  }
  const out = ok ? new RegExp(`^${re}$`) : null
  cache.set(key, out)
  return out
}

const escape = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
const escapeClass = (c: string) => c.replace(/[\]\\^-]/g, '\\$&')
