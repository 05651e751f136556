import {isIdentChar} from './chars.js'
import type {ImportRef, StringLiteral} from './types.js'
import {memo} from '../text.js'

type TokenType = 'ident' | 'string' | 'punct' | 'newline'
interface Token {
  type: TokenType
  value: string
  line: number
  column: number
}

const STRING_PREFIX = /^[rRbBuUfF]{1,2}$/

/** Token kinds of PyLexer.scan (numbers, so skipping allocates nothing). */
const NEWLINE = 0
const IDENT = 1
const STRING = 2
const PUNCT = 3
const TYPE_NAMES: TokenType[] = ['newline', 'ident', 'string', 'punct']

/**
 * Python lexer: comments dropped; single, double and triple-quoted strings (with r/b/u/f prefixes)
 * become tokens; a `newline` token ends each logical line (not inside brackets and not after a
 * backslash continuation), and a final one ends the text. `scan` reads one token into fields without
 * allocating; `next` builds the token; `skipStatement` skips to the next statement start.
 */
class PyLexer {
  private i = 0
  private line = 1
  private lineStart = 0
  private depth = 0
  private ended = false
  // The token `scan` read: kind, value bounds (or the punct character), position.
  kind = NEWLINE
  from = 0
  to = 0
  tokLine = 1
  tokColumn = 1
  constructor(private readonly src: string) {}

  /** Reads the next token; false after the final newline. Character codes: this sees every character. */
  scan(): boolean {
    const src = this.src
    while (this.i < src.length) {
      const i = this.i
      const c = src.charCodeAt(i)
      if (c === 10) {
        const newline = this.depth === 0
        if (newline) this.set(NEWLINE, i, i + 1, this.line, i - this.lineStart + 1)
        this.line++
        this.lineStart = ++this.i
        if (newline) return true
        continue
      }
      if (c === 32 || c === 9 || c === 13 || c === 12) {
        this.i++
        continue
      }
      if (
        c === 92 &&
        (src.charCodeAt(i + 1) === 10 || (src.charCodeAt(i + 1) === 13 && src.charCodeAt(i + 2) === 10))
      ) {
        // backslash continuation
        this.i += src.charCodeAt(i + 1) === 10 ? 2 : 3
        this.line++
        this.lineStart = this.i
        continue
      }
      if (c === 35) {
        // # comment
        const end = src.indexOf('\n', i)
        this.i = end === -1 ? src.length : end
        continue
      }
      const column = i - this.lineStart + 1
      if (isIdentChar(c)) {
        let j = i + 1
        while (j < src.length && isIdentChar(src.charCodeAt(j))) j++
        const after = src.charCodeAt(j)
        if ((after === 34 || after === 39) && j - i <= 2 && STRING_PREFIX.test(src.slice(i, j))) {
          this.i = j
          this.readString(column + (j - i))
          return true
        }
        this.set(IDENT, i, j, this.line, column)
        this.i = j
        return true
      }
      if (c === 34 || c === 39) {
        this.readString(column)
        return true
      }
      if (c === 40 || c === 91 || c === 123) this.depth++
      else if ((c === 41 || c === 93 || c === 125) && this.depth > 0) this.depth--
      this.set(PUNCT, i, i + 1, this.line, column)
      this.i++
      return true
    }
    if (this.ended) return false
    this.ended = true
    this.set(NEWLINE, this.i, this.i, this.line, this.i - this.lineStart + 1)
    return true
  }

  /** The token `scan` just read. */
  token(): Token {
    return {
      type: TYPE_NAMES[this.kind],
      value: this.src.slice(this.from, this.to),
      line: this.tokLine,
      column: this.tokColumn,
    }
  }

  next(): Token | null {
    return this.scan() ? this.token() : null
  }

  /**
   * Skips tokens up to and including the next statement start (a newline token, `;` or `:`) without
   * building them; returns how many tokens it skipped, or -1 when the text ended first.
   */
  skipStatement(): number {
    for (let n = 1; this.scan(); n++) {
      if (this.kind === NEWLINE) return n
      if (this.kind === PUNCT) {
        const c = this.src.charCodeAt(this.from)
        if (c === 59 || c === 58) return n
      }
    }
    return -1
  }

  private set(kind: number, from: number, to: number, line: number, column: number): void {
    this.kind = kind
    this.from = from
    this.to = to
    this.tokLine = line
    this.tokColumn = column
  }

  private readString(column: number): void {
    const src = this.src
    const i = this.i
    const q = src.charCodeAt(i)
    const triple = src.charCodeAt(i + 1) === q && src.charCodeAt(i + 2) === q
    const startLine = this.line
    const open = triple ? 3 : 1
    let j = i + open
    let closed = false
    while (j < src.length) {
      const d = src.charCodeAt(j)
      if (d === 92) j += 2
      else if (d === q && (!triple || (src.charCodeAt(j + 1) === q && src.charCodeAt(j + 2) === q))) {
        closed = true
        break
      } else if (!triple && d === 10) break
      else j++
    }
    const end = Math.min(j + (closed ? open : 0), src.length)
    let nl = src.indexOf('\n', i)
    while (nl !== -1 && nl < end) {
      this.line++
      this.lineStart = nl + 1
      nl = src.indexOf('\n', nl + 1)
    }
    this.set(STRING, i + open, Math.min(j, src.length), startLine, column + open)
    this.i = end
  }
}

/** Every token of a Python text (see PyLexer). */
export function tokenizePython(src: string): Token[] {
  const lexer = new PyLexer(src)
  const tokens: Token[] = []
  while (lexer.scan()) tokens.push(lexer.token())
  return tokens
}

/**
 * Tokens on demand: only those the import parser looks at are built; between statements that do
 * not start with `import`/`from` the lexer skips without allocating.
 */
class LazyTokens {
  private window: Token[] = []
  /** Token index of window[0]. */
  private base = 0
  constructor(private readonly lexer: PyLexer) {}

  at(k: number): Token | undefined {
    const idx = k - this.base
    while (this.window.length <= idx) {
      const t = this.lexer.next()
      if (!t) return undefined
      this.window.push(t)
    }
    return this.window[idx]
  }

  /** Token k has not been built yet (so it and the rest of its statement can be skipped). */
  unread(k: number): boolean {
    return k - this.base >= this.window.length
  }

  /** Skips from unread token k through the next statement start; the index after it, or -1 at the end. */
  skipFrom(k: number): number {
    const n = this.lexer.skipStatement()
    if (n < 0) return -1
    this.window = []
    this.base = k + n
    return this.base
  }
}

/**
 * The imported modules of a Python file: `import a.b as c, d` and `from x import y` (also
 * parenthesised over several lines, or continued with backslashes). For `from x import a, b` each
 * name is reported as `x.a`, `x.b`; relative modules keep their leading dots. Mentions in comments
 * or strings are not imports.
 */
export function pythonImports(src: string, tokens?: Token[]): ImportRef[] {
  if (tokens) return importsOf((k) => tokens[k])
  const lazy = new LazyTokens(new PyLexer(src))
  return importsOf((k) => lazy.at(k), lazy)
}

function importsOf(tok: (k: number) => Token | undefined, lazy?: LazyTokens): ImportRef[] {
  const out: ImportRef[] = []
  let atStatementStart = true
  for (let i = 0; ; i++) {
    if (!atStatementStart && lazy?.unread(i)) {
      // Nothing in the rest of this statement can start an import: skip to the next one unbuilt.
      const next = lazy.skipFrom(i)
      if (next < 0) break
      i = next - 1
      atStatementStart = true
      continue
    }
    const t = tok(i)
    if (!t) break
    if (t.type === 'newline' || (t.type === 'punct' && (t.value === ';' || t.value === ':'))) {
      atStatementStart = true
      continue
    }
    if (!atStatementStart) continue
    atStatementStart = false
    if (t.type !== 'ident') continue
    if (t.value === 'import') {
      let j = i + 1
      for (;;) {
        const [name, after] = dotted(tok, j)
        if (!name) break
        out.push({specifier: name, line: tok(j)!.line, column: tok(j)!.column})
        j = after
        if (tok(j)?.value === 'as') j += 2
        if (tok(j)?.value !== ',') break
        j++
      }
      i = j - 1
    } else if (t.value === 'from') {
      let j = i + 1
      let dots = ''
      while (tok(j)?.value === '.') {
        dots += '.'
        j++
      }
      const moduleToken = tok(j)
      const [name, after] = tok(j)?.value === 'import' ? [null, j] : dotted(tok, j)
      const module = dots + (name ?? '')
      j = after
      if (tok(j)?.value !== 'import') continue
      j++
      if (tok(j)?.value === '(') j++
      const where = name ? moduleToken! : t
      if (tok(j)?.value === '*') {
        out.push({specifier: module, line: where.line, column: where.column})
        continue
      }
      let any = false
      while (tok(j)?.type === 'ident') {
        const sep = module.endsWith('.') || module === '' ? '' : '.'
        out.push({specifier: `${module}${sep}${tok(j)!.value}`, line: where.line, column: where.column})
        any = true
        j++
        if (tok(j)?.value === 'as') j += 2
        if (tok(j)?.value !== ',') break
        j++
      }
      if (!any) out.push({specifier: module, line: where.line, column: where.column})
      i = j - 1
    }
  }
  return out
}

function dotted(tok: (k: number) => Token | undefined, start: number): [string | null, number] {
  let j = start
  if (tok(j)?.type !== 'ident') return [null, j]
  let name = tok(j)!.value
  j++
  while (tok(j)?.value === '.' && tok(j + 1)?.type === 'ident') {
    name += `.${tok(j + 1)!.value}`
    j += 2
  }
  return [name, j]
}

/** Every string literal of a Python file, comments excluded. */
export function pythonStrings(src: string, tokens = tokenizePython(src)): StringLiteral[] {
  return tokens.filter((t) => t.type === 'string').map((t) => ({value: t.value, line: t.line, column: t.column}))
}

/** The tokens of a file's text, computed once per file and shared by the checks. */
export function pythonTokens(file: {text: string | null}): ReturnType<typeof tokenizePython> {
  return memo(file, 'pythonTokens', () => tokenizePython(file.text ?? ''))
}
