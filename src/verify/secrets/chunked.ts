/**
 * The scanner over a text too large to hold at once (a file over MAX_TEXT_BYTES): windows of about `chunkChars`
 * that overlap, so every token is whole in some window with its context on both sides. The longest token a rule
 * matches is a PEM private-key block (at most about 10,300 characters, rules.ts); windows carry twice OVERLAP
 * characters, and each reports only the matches that start in its own part, so none is reported twice or cut.
 */
import {LineIndex} from '../text.js'
import {scanSecrets, type SecretMatch} from './scan.js'

/** At least the longest token any rule matches. */
export const OVERLAP = 16 * 1024

export interface LocatedMatch extends SecretMatch {
  line: number
  column: number
  /** The text of the match's line (cut at the window's start for a line longer than the overlap). */
  lineText: string
}

/** Every secret in the concatenation of `pieces`, in order; offsets, lines and columns refer to the whole text. */
export function* scanSecretsChunked(
  pieces: Iterable<string>,
  code: boolean,
  chunkChars = 4 * 1024 * 1024,
): Generator<LocatedMatch> {
  let window = ''
  /** Offset in the whole text of window[0]; newlines before it; characters since the last newline before it. */
  let start = 0
  let linesBefore = 0
  let column0 = 0
  /** Matches starting before this offset (in the whole text) were reported by an earlier window. */
  let reported = 0
  const scan = function* (final: boolean): Generator<LocatedMatch> {
    const end = final ? start + window.length : start + window.length - OVERLAP
    const index = new LineIndex(window)
    for (const m of scanSecrets(window, code)) {
      const at = start + m.offset
      if (at < reported || at >= end) continue
      const {line, column} = index.position(m.offset)
      yield {
        ...m,
        offset: at,
        line: linesBefore + line,
        column: line === 1 ? column0 + column : column,
        lineText: index.lineText(line),
      }
    }
    reported = end
    if (final) return
    // Keep 2 × OVERLAP: left context for the next window's first matches, which start at `end`.
    const drop = window.length - 2 * OVERLAP
    const dropped = window.slice(0, drop)
    const lastNewline = dropped.lastIndexOf('\n')
    let newlines = 0
    for (let i = dropped.indexOf('\n'); i !== -1; i = dropped.indexOf('\n', i + 1)) newlines++
    linesBefore += newlines
    column0 = lastNewline === -1 ? column0 + drop : drop - lastNewline - 1
    start += drop
    window = window.slice(drop)
  }
  for (const piece of pieces) {
    window += piece
    if (window.length >= chunkChars + 2 * OVERLAP) yield* scan(false)
  }
  yield* scan(true)
}
