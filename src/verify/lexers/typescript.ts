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
  const tokens: Token[] = []
  let i = 0
  let line = 1
  let lineStart = 0

  const countLines = (from: number, to: number) => {
    let nl = src.indexOf('\n', from)
    while (nl !== -1 && nl < to) {
      line++
      lineStart = nl + 1
      nl = src.indexOf('\n', nl + 1)
    }
  }

  const prevAllowsRegex = (): boolean => {
    const prev = tokens[tokens.length - 1]
    if (!prev) return true
    if (prev.type === 'punct') return REGEX_AFTER_PUNCT.has(prev.value)
    if (prev.type === 'ident') return REGEX_AFTER_KEYWORD.has(prev.value)
    return false
  }

  /** Tokenizes code until an unmatched `}` (when nested in a template) or the end. */
  const code = (nested: boolean): void => {
    let depth = 0
    while (i < src.length) {
      const c = src.charCodeAt(i)
      if (c === 10) {
        line++
        lineStart = ++i
        continue
      }
      if (c === 32 || c === 9 || c === 13) {
        i++
        continue
      }
      const start = i
      const column = start - lineStart + 1
      const ch = src[i]
      if (ch === '/' && src[i + 1] === '/') {
        const end = src.indexOf('\n', i)
        i = end === -1 ? src.length : end
        continue
      }
      if (ch === '/' && src[i + 1] === '*') {
        const end = src.indexOf('*/', i + 2)
        const stop = end === -1 ? src.length : end + 2
        countLines(i, stop)
        i = stop
        continue
      }
      if (ch === '"' || ch === "'") {
        let j = i + 1
        while (j < src.length && src[j] !== ch && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1
        tokens.push({type: 'string', value: src.slice(i + 1, j), line, column: column + 1})
        i = Math.min(j + 1, src.length)
        continue
      }
      if (ch === '`') {
        template(column)
        continue
      }
      if (ch === '/' && prevAllowsRegex()) {
        let j = i + 1
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
        tokens.push({type: 'regex', value: src.slice(i, j), line, column})
        i = j
        continue
      }
      if (isIdentChar(c)) {
        let j = i + 1
        while (j < src.length && isIdentChar(src.charCodeAt(j))) j++
        const value = src.slice(i, j)
        tokens.push({type: c >= 48 && c <= 57 ? 'number' : 'ident', value, line, column})
        i = j
        continue
      }
      if (ch === '{') depth++
      if (ch === '}') {
        if (nested && depth === 0) {
          i++
          return
        }
        depth--
      }
      tokens.push({type: 'punct', value: ch, line, column})
      i++
    }
  }

  const template = (column: number): void => {
    const startLine = line
    i++ // opening backtick
    let text = ''
    let plain = true
    while (i < src.length) {
      const ch = src[i]
      if (ch === '\\') {
        text += src.slice(i, i + 2)
        if (src[i + 1] === '\n') {
          line++
          lineStart = i + 2
        }
        i += 2
      } else if (ch === '`') {
        i++
        break
      } else if (ch === '$' && src[i + 1] === '{') {
        plain = false
        i += 2
        code(true)
      } else {
        if (ch === '\n') {
          line++
          lineStart = i + 1
        }
        text += ch
        i++
      }
    }
    tokens.push({type: plain ? 'string' : 'template', value: text, line: startLine, column: column + 1})
  }

  code(false)
  return tokens
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
