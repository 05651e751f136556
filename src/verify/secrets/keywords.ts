/**
 * The secrets check's keyword prefilter: where any of a fixed set of lower-case ASCII keywords occurs in a text,
 * case-insensitively, in one pass over its characters. At each position it reports the longest keyword starting
 * there (what a case-insensitive alternation ordered longest first, resumed one character on after each match,
 * finds), about 2× cheaper than that regex: a keyword is looked up by its first two characters in a table.
 *
 * Case-insensitive as a non-unicode `/i` regex is: only A–Z fold to a–z; no other character matches an ASCII one.
 */

/** Each UTF-16 code unit's lower-case ASCII code, or 0 for any character outside ASCII (no keyword holds 0). */
const LOWER = new Uint8Array(65536)
for (let c = 1; c < 128; c++) LOWER[c] = c >= 65 && c <= 90 ? c + 32 : c

/** Every character is ASCII, not NUL, and not an upper-case letter: the only keywords the scan can match. */
const isLowerAscii = (keyword: string): boolean =>
  [...keyword].every((c) => c !== '\0' && LOWER[c.charCodeAt(0)] === c.charCodeAt(0))

export class KeywordScanner {
  /** The keywords, longest first (a keyword's id is its index here). */
  readonly keywords: readonly string[]
  /** For a pair of first characters (`c0 << 7 | c1`), the index in `groups` of the keywords starting so (0: none). */
  private readonly pairs = new Uint16Array(128 * 128)
  /** Keyword ids by their first two characters, longest first. */
  private readonly groups: number[][] = [[]]

  constructor(keywords: Iterable<string>) {
    this.keywords = [...new Set(keywords)].sort((a, b) => b.length - a.length)
    this.keywords.forEach((keyword, id) => {
      if (keyword.length < 2 || !isLowerAscii(keyword))
        throw new Error(`keyword ${JSON.stringify(keyword)}: two or more lower-case ASCII characters`)
      const pair = (keyword.charCodeAt(0) << 7) | keyword.charCodeAt(1)
      if (this.pairs[pair] === 0) this.pairs[pair] = this.groups.push([]) - 1
      this.groups[this.pairs[pair]].push(id)
    })
  }

  /** Calls `hit(offset, id)` for each position of `text` where a keyword starts, with the longest one, in order. */
  scan(text: string, hit: (offset: number, id: number) => void): void {
    const {keywords, pairs, groups} = this
    const last = text.length - 1
    let next = LOWER[text.charCodeAt(0)]
    for (let at = 0; at < last; at++) {
      const first = next
      next = LOWER[text.charCodeAt(at + 1)]
      const group = pairs[(first << 7) | next]
      if (group === 0) continue
      for (const id of groups[group]) {
        const keyword = keywords[id]
        if (at + keyword.length > text.length) continue
        let i = 2
        while (i < keyword.length && LOWER[text.charCodeAt(at + i)] === keyword.charCodeAt(i)) i++
        if (i === keyword.length) {
          hit(at, id)
          break
        }
      }
    }
  }
}
