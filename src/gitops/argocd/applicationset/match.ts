/**
 * The two path matchers of Argo CD's git generators:
 * - files: the repo-server lists `git ls-files --full-name -- <pattern>` — a git pathspec without magic, where a
 *   pattern with no wildcard matches that path or any file under it as a directory, and a pattern with wildcards is
 *   `wildmatch` without WM_PATHNAME: `*` and `?` also match `/` (measured: `environments/*\/component.yaml` lists
 *   `environments/dev/a/component.yaml`);
 * - directories: Go's `path.Match`, where `*` and `?` never match `/` (an invalid pattern matches nothing).
 * Matching is a table over (pattern token, text position): linear in their product, whatever the pattern (a
 * pattern written in a repository never makes the gate backtrack exponentially).
 */

const GLOB = /[*?[\\]/

/** Whether `file` (repo-relative) is listed by `git ls-files -- <pattern>`. */
export function pathspecMatches(pattern: string, file: string): boolean {
  const p = pattern.replace(/^\.\//, '').replace(/^\/+/, '')
  if (!GLOB.test(p)) {
    const dir = p.replace(/\/+$/, '')
    return p === '' || file === dir || file.startsWith(`${dir}/`)
  }
  // What precedes the first wildcard is literal: a file that does not start with it is not matched (most are not).
  if (!file.startsWith(p.slice(0, p.search(GLOB)))) return false
  const tokens = compile(p, true)
  return tokens !== null && matches(tokens, [...file], true)
}

/** Go's path.Match(pattern, name). */
export function goPathMatch(pattern: string, name: string): boolean {
  const tokens = compile(pattern, false)
  return tokens !== null && matches(tokens, [...name], false)
}

type Token =
  {t: 'char'; c: string} | {t: 'any'} | {t: 'star'} | {t: 'class'; negate: boolean; ranges: Array<[string, string]>}

const cache = new Map<string, Token[] | null>()

/** The pattern's tokens, or null when it is malformed (an unclosed class, a trailing backslash). */
function compile(pattern: string, git: boolean): Token[] | null {
  const key = `${git ? 1 : 0}${pattern}`
  if (cache.has(key)) return cache.get(key)!
  const chars = [...pattern]
  const out: Token[] = []
  let ok = true
  for (let i = 0; i < chars.length && ok; i++) {
    const c = chars[i]
    if (c === '*') {
      if (out.at(-1)?.t !== 'star') out.push({t: 'star'})
    } else if (c === '?') out.push({t: 'any'})
    else if (c === '\\') {
      if (i + 1 >= chars.length) ok = false
      else out.push({t: 'char', c: chars[++i]})
    } else if (c === '[') {
      let j = i + 1
      let negate = false
      if (chars[j] === '^' || (git && chars[j] === '!')) {
        negate = true
        j++
      }
      const ranges: Array<[string, string]> = []
      let first = true
      // git allows `]` as the first member of a class; Go does not (an empty class is malformed).
      while (j < chars.length && (chars[j] !== ']' || (first && git))) {
        let lo = chars[j]
        if (lo === '\\') lo = chars[++j] ?? ''
        let hi = lo
        if (chars[j + 1] === '-' && chars[j + 2] !== undefined && chars[j + 2] !== ']') {
          hi = chars[j + 2] === '\\' ? (chars[j + 3] ?? '') : chars[j + 2]
          j += chars[j + 2] === '\\' ? 3 : 2
        }
        if (lo === '' || hi === '') {
          ok = false
          break
        }
        ranges.push([lo, hi])
        first = false
        j++
      }
      if (!ok || j >= chars.length || ranges.length === 0) ok = false
      else {
        out.push({t: 'class', negate, ranges})
        i = j
      }
    } else out.push({t: 'char', c})
  }
  const tokens = ok ? out : null
  if (cache.size > 1000) cache.clear()
  cache.set(key, tokens)
  return tokens
}

function one(token: Token, c: string, slash: boolean): boolean {
  switch (token.t) {
    case 'char':
      return token.c === c
    case 'any':
      return slash || c !== '/'
    case 'class': {
      const inside = token.ranges.some(([lo, hi]) => c >= lo && c <= hi)
      return inside !== token.negate
    }
    default:
      return false
  }
}

/** Whether the tokens match all of `text`; `slash`: whether `*` and `?` may match `/`. */
function matches(tokens: Token[], text: string[], slash: boolean): boolean {
  // reach[i]: the tokens consumed so far can match text[0..i).
  let reach = new Array<boolean>(text.length + 1).fill(false)
  reach[0] = true
  for (const token of tokens) {
    const next = new Array<boolean>(text.length + 1).fill(false)
    if (token.t === 'star') {
      for (let i = 0; i <= text.length; i++) {
        next[i] = reach[i] || (i > 0 && next[i - 1] && (slash || text[i - 1] !== '/'))
      }
    } else {
      for (let i = 1; i <= text.length; i++) next[i] = reach[i - 1] && one(token, text[i - 1], slash)
    }
    reach = next
  }
  return reach[text.length]
}
