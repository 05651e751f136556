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

/**
 * Tokenizes Python: comments dropped; single, double and triple-quoted strings (with r/b/u/f
 * prefixes) become tokens; a `newline` token ends each logical line (not inside brackets and not
 * after a backslash continuation).
 */
export function tokenizePython(src: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  let line = 1
  let lineStart = 0
  let depth = 0
  const newlinesIn = (from: number, to: number) => {
    let nl = src.indexOf('\n', from)
    while (nl !== -1 && nl < to) {
      line++
      lineStart = nl + 1
      nl = src.indexOf('\n', nl + 1)
    }
  }
  // Character codes, not one-character strings: this loop sees every character of every Python file.
  while (i < src.length) {
    const c = src.charCodeAt(i)
    if (c === 10) {
      if (depth === 0) tokens.push({type: 'newline', value: '\n', line, column: i - lineStart + 1})
      line++
      lineStart = ++i
      continue
    }
    if (c === 32 || c === 9 || c === 13 || c === 12) {
      i++
      continue
    }
    if (c === 92 && (src.charCodeAt(i + 1) === 10 || (src.charCodeAt(i + 1) === 13 && src.charCodeAt(i + 2) === 10))) {
      // backslash continuation
      i += src.charCodeAt(i + 1) === 10 ? 2 : 3
      line++
      lineStart = i
      continue
    }
    if (c === 35) {
      // # comment
      const end = src.indexOf('\n', i)
      i = end === -1 ? src.length : end
      continue
    }
    const column = i - lineStart + 1
    if (isIdentChar(c)) {
      let j = i + 1
      while (j < src.length && isIdentChar(src.charCodeAt(j))) j++
      const word = src.slice(i, j)
      const after = src.charCodeAt(j)
      if ((after === 34 || after === 39) && STRING_PREFIX.test(word)) {
        i = j
        readString(column + word.length)
        continue
      }
      tokens.push({type: 'ident', value: word, line, column})
      i = j
      continue
    }
    if (c === 34 || c === 39) {
      readString(column)
      continue
    }
    if (c === 40 || c === 91 || c === 123) depth++
    else if ((c === 41 || c === 93 || c === 125) && depth > 0) depth--
    tokens.push({type: 'punct', value: src[i], line, column})
    i++
  }
  tokens.push({type: 'newline', value: '', line, column: i - lineStart + 1})
  return tokens

  function readString(column: number): void {
    const q = src.charCodeAt(i)
    const triple = src.charCodeAt(i + 1) === q && src.charCodeAt(i + 2) === q
    const startLine = line
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
    const value = src.slice(i + open, Math.min(j, src.length))
    const end = Math.min(j + (closed ? open : 0), src.length)
    newlinesIn(i, end)
    tokens.push({type: 'string', value, line: startLine, column: column + open})
    i = end
  }
}

/**
 * The imported modules of a Python file: `import a.b as c, d` and `from x import y` (also
 * parenthesised over several lines, or continued with backslashes). For `from x import a, b` each
 * name is reported as `x.a`, `x.b`; relative modules keep their leading dots. Mentions in comments
 * or strings are not imports.
 */
export function pythonImports(src: string, tokens = tokenizePython(src)): ImportRef[] {
  const out: ImportRef[] = []
  let atStatementStart = true
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]
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
        const [name, after] = dotted(tokens, j)
        if (!name) break
        out.push({specifier: name, line: tokens[j].line, column: tokens[j].column})
        j = after
        if (tokens[j]?.value === 'as') j += 2
        if (tokens[j]?.value !== ',') break
        j++
      }
      i = j - 1
    } else if (t.value === 'from') {
      let j = i + 1
      let dots = ''
      while (tokens[j]?.value === '.') {
        dots += '.'
        j++
      }
      const moduleToken = tokens[j]
      const [name, after] = tokens[j]?.value === 'import' ? [null, j] : dotted(tokens, j)
      const module = dots + (name ?? '')
      j = after
      if (tokens[j]?.value !== 'import') continue
      j++
      if (tokens[j]?.value === '(') j++
      const where = name ? moduleToken : t
      if (tokens[j]?.value === '*') {
        out.push({specifier: module, line: where.line, column: where.column})
        continue
      }
      let any = false
      while (tokens[j]?.type === 'ident') {
        const sep = module.endsWith('.') || module === '' ? '' : '.'
        out.push({specifier: `${module}${sep}${tokens[j].value}`, line: where.line, column: where.column})
        any = true
        j++
        if (tokens[j]?.value === 'as') j += 2
        if (tokens[j]?.value !== ',') break
        j++
      }
      if (!any) out.push({specifier: module, line: where.line, column: where.column})
      i = j - 1
    }
  }
  return out
}

function dotted(tokens: Token[], start: number): [string | null, number] {
  let j = start
  if (tokens[j]?.type !== 'ident') return [null, j]
  let name = tokens[j].value
  j++
  while (tokens[j]?.value === '.' && tokens[j + 1]?.type === 'ident') {
    name += `.${tokens[j + 1].value}`
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
