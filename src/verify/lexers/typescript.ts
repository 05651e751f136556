import {isIdentChar} from './chars.js'
import type {StringLiteral} from './types.js'
import {memo} from '../text.js'

export type TokenType = 'ident' | 'string' | 'template' | 'regex' | 'number' | 'punct'
export interface Token {
  type: TokenType
  value: string
  line: number
  column: number
}

/** Keywords after which a `/` starts a regular expression, not a division. */
const REGEX_AFTER_KEYWORD = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
])
const REGEX_AFTER_PUNCT = new Set('(,=:[!&|?{};+-*%<>~^'.split(''))

/**
 * Tokenizes TypeScript/JavaScript: comments are dropped; strings, template literals (with `${…}`
 * expressions tokenized as code), regular expressions and identifiers become tokens with positions.
 */
export function tokenizeTypeScript(src: string): Token[] {
  const scanner = new TypeScriptScanner(src)
  scanner.code(false)
  return scanner.tokens
}

/**
 * The scanner behind `tokenizeTypeScript`: a position in the text, the line it is on, and the
 * tokens read so far (the last of which decides whether a `/` starts a regular expression).
 */
class TypeScriptScanner {
  readonly tokens: Token[] = []
  private i = 0
  private line = 1
  private lineStart = 0
  constructor(private readonly src: string) {}

  /** Tokenizes code until an unmatched `}` (when nested in a template) or the end. */
  code(nested: boolean): void {
    let depth = 0
    while (this.i < this.src.length) {
      if (this.skipTrivia()) continue
      const column = this.i - this.lineStart + 1
      const ch = this.src[this.i]
      if (ch === '"' || ch === "'") this.quoted(ch, column)
      else if (ch === '`') this.template(column)
      else if (ch === '/' && this.prevAllowsRegex()) this.regex(column)
      else if (isIdentChar(this.src.charCodeAt(this.i))) this.word(column)
      else {
        if (ch === '{') depth++
        if (ch === '}') {
          if (nested && depth === 0) {
            this.i++
            return
          }
          depth--
        }
        this.tokens.push({type: 'punct', value: ch, line: this.line, column})
        this.i++
      }
    }
  }

  /** Steps over one newline, blank, line comment or block comment; false when the text goes on with a token. */
  private skipTrivia(): boolean {
    const src = this.src
    const c = src.charCodeAt(this.i)
    if (c === 10) {
      this.line++
      this.lineStart = ++this.i
      return true
    }
    if (c === 32 || c === 9 || c === 13) {
      this.i++
      return true
    }
    const ch = src[this.i]
    if (ch === '/' && src[this.i + 1] === '/') {
      const end = src.indexOf('\n', this.i)
      this.i = end === -1 ? src.length : end
      return true
    }
    if (ch === '/' && src[this.i + 1] === '*') {
      const end = src.indexOf('*/', this.i + 2)
      const stop = end === -1 ? src.length : end + 2
      this.countLines(this.i, stop)
      this.i = stop
      return true
    }
    return false
  }

  /** A `'…'` or `"…"` string: it ends at its quote or, unterminated, at the end of the line. */
  private quoted(quote: string, column: number): void {
    const src = this.src
    let j = this.i + 1
    while (j < src.length && src[j] !== quote && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1
    this.tokens.push({type: 'string', value: src.slice(this.i + 1, j), line: this.line, column: column + 1})
    this.i = Math.min(j + 1, src.length)
  }

  /** A template literal; its `${…}` expressions are tokenized as code in place, and it is a `template` if it has any. */
  private template(column: number): void {
    const src = this.src
    const startLine = this.line
    this.i++ // opening backtick
    let text = ''
    let plain = true
    while (this.i < src.length) {
      const ch = src[this.i]
      if (ch === '\\') {
        text += src.slice(this.i, this.i + 2)
        if (src[this.i + 1] === '\n') {
          this.line++
          this.lineStart = this.i + 2
        }
        this.i += 2
      } else if (ch === '`') {
        this.i++
        break
      } else if (ch === '$' && src[this.i + 1] === '{') {
        plain = false
        this.i += 2
        this.code(true)
      } else {
        if (ch === '\n') {
          this.line++
          this.lineStart = this.i + 1
        }
        text += ch
        this.i++
      }
    }
    this.tokens.push({type: plain ? 'string' : 'template', value: text, line: startLine, column: column + 1})
  }

  /** A regular expression literal with its flags: a `/` inside a `[…]` class does not end it. */
  private regex(column: number): void {
    const src = this.src
    let j = this.i + 1
    let inClass = false
    while (j < src.length && src[j] !== '\n') {
      if (src[j] === '\\') j += 2
      else {
        if (src[j] === '[') inClass = true
        else if (src[j] === ']') inClass = false
        else if (src[j] === '/' && !inClass) break
        j++
      }
    }
    j++
    while (j < src.length && isIdentChar(src.charCodeAt(j))) j++
    this.tokens.push({type: 'regex', value: src.slice(this.i, j), line: this.line, column})
    this.i = j
  }

  /** An identifier, keyword or number: a run of identifier characters, a number when it starts with a digit. */
  private word(column: number): void {
    const src = this.src
    const c = src.charCodeAt(this.i)
    let j = this.i + 1
    while (j < src.length && isIdentChar(src.charCodeAt(j))) j++
    const value = src.slice(this.i, j)
    this.tokens.push({type: c >= 48 && c <= 57 ? 'number' : 'ident', value, line: this.line, column})
    this.i = j
  }

  /** Whether a `/` here starts a regular expression: at the start, after most punctuation and after some keywords. */
  private prevAllowsRegex(): boolean {
    const prev = this.tokens[this.tokens.length - 1]
    if (!prev) return true
    if (prev.type === 'punct') return REGEX_AFTER_PUNCT.has(prev.value)
    if (prev.type === 'ident') return REGEX_AFTER_KEYWORD.has(prev.value)
    return false
  }

  /** Moves the line count over the newlines in `[from, to)`. */
  private countLines(from: number, to: number): void {
    let nl = this.src.indexOf('\n', from)
    while (nl !== -1 && nl < to) {
      this.line++
      this.lineStart = nl + 1
      nl = this.src.indexOf('\n', nl + 1)
    }
  }
}

/** Every string literal and template text of a TS/JS file, comments excluded. */
export function typescriptStrings(src: string, tokens = tokenizeTypeScript(src)): StringLiteral[] {
  return tokens
    .filter((t) => t.type === 'string' || t.type === 'template')
    .map((t) => ({value: t.value, line: t.line, column: t.column}))
}

/** The tokens of a file's text, computed once per file and shared by the checks. */
export function typescriptTokens(file: {text: string | null}): ReturnType<typeof tokenizeTypeScript> {
  return memo(file, 'typescriptTokens', () => tokenizeTypeScript(file.text ?? ''))
}
