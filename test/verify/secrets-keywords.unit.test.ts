import {describe, expect, it} from 'vitest'

import {KeywordScanner} from '../../src/verify/secrets/keywords.js'
import {SECRET_RULES} from '../../src/verify/secrets/rules.js'

const KEYWORDS = [...SECRET_RULES.flatMap((r) => r.keywords), 'pass', 'pwd', 'secret', 'token', 'key', 'auth']
const scanner = new KeywordScanner(KEYWORDS)

/** What the scanner replaces: a case-insensitive alternation, longest first, resumed one character on. */
const REGEX = new RegExp(scanner.keywords.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gi')
function byRegex(text: string): Array<[number, string]> {
  const out: Array<[number, string]> = []
  REGEX.lastIndex = 0
  for (let m = REGEX.exec(text); m; m = REGEX.exec(text)) {
    out.push([m.index, m[0].toLowerCase()])
    REGEX.lastIndex = m.index + 1
  }
  return out
}
function byScanner(text: string): Array<[number, string]> {
  const out: Array<[number, string]> = []
  scanner.scan(text, (offset, id) => out.push([offset, scanner.keywords[id]]))
  return out
}

describe('the secrets keyword scanner', () => {
  it('finds at each position the longest keyword, case-insensitively, overlaps included', () => {
    expect(byScanner('AcceSKey = x')).toEqual([
      [4, 'sk'],
      [5, 'key'],
    ])
    expect(byScanner('GITHUB_PAT_x ghp_')).toEqual(byRegex('GITHUB_PAT_x ghp_'))
    expect(byScanner('github_pat_').map(([, k]) => k)).toContain('github_pat_')
  })

  it('folds only A-Z: the Kelvin sign, dotted I and other non-ASCII letters match no keyword', () => {
    for (const text of ['\u212aey', 'toke\u212a', '\u0130ntegration auth', 'pa\u017f\u017f', 'ſecret']) {
      expect(byScanner(text)).toEqual(byRegex(text))
    }
    expect(byScanner('\u212aey')).toEqual([])
  })

  it('agrees with the regex on generated texts (keywords cut, cased and joined at random)', () => {
    let seed = 96
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff
    const pieces = [...scanner.keywords, ' ', '\n', '=', '"', 'é', '\u212a', 'x', '_', '-', '.']
    for (let n = 0; n < 300; n++) {
      let text = ''
      while (text.length < 200) {
        const piece = pieces[Math.floor(rand() * pieces.length)]
        const cut = piece.slice(Math.floor(rand() * 2), piece.length - Math.floor(rand() * 2))
        text += [...cut].map((c) => (rand() < 0.5 ? c.toUpperCase() : c)).join('')
      }
      expect(byScanner(text)).toEqual(byRegex(text))
    }
  })

  it('refuses a keyword it could not match (upper case, one character, NUL, non-ASCII)', () => {
    expect(() => new KeywordScanner(['Key'])).toThrow(/lower-case ASCII/)
    expect(() => new KeywordScanner(['k'])).toThrow(/two or more/)
    expect(() => new KeywordScanner(['a\0'])).toThrow(/lower-case ASCII/)
    expect(() => new KeywordScanner(['cl\u00e9'])).toThrow(/lower-case ASCII/)
  })
})
