import type {ImportRef, StringLiteral} from './types.js'

import {isIdentChar} from './chars.js'

type Token = {type: 'ident' | 'string' | 'punct'; value: string; line: number; column: number}

/**
 * A small Go scanner: skips comments, reads identifiers, interpreted and raw strings and runes,
 * and tracks lines. Enough to read the import declarations and to list string literals.
 */
class GoScanner {
  private i = 0
  private line = 1
  private lineStart = 0
  constructor(private readonly src: string) {}

  next(): Token | null {
    const s = this.src
    for (;;) {
      if (this.i >= s.length) return null
      const c = s.charCodeAt(this.i)
      if (c === 10) {
        this.newline(this.i + 1)
        this.i++
      } else if (c === 32 || c === 9 || c === 13) this.i++
      else if (c === 47 && s.charCodeAt(this.i + 1) === 47) {
        const end = s.indexOf('\n', this.i)
        this.i = end === -1 ? s.length : end
      } else if (c === 47 && s.charCodeAt(this.i + 1) === 42) {
        const end = s.indexOf('*/', this.i + 2)
        this.advanceTo(end === -1 ? s.length : end + 2)
      } else break
    }
    const start = this.i
    const line = this.line
    const column = start - this.lineStart + 1
    const c = s[start]
    if (c === '"' || c === "'") {
      let j = start + 1
      while (j < s.length && s[j] !== c && s[j] !== '\n') j += s[j] === '\\' ? 2 : 1
      this.i = Math.min(j + 1, s.length)
      return {type: 'string', value: s.slice(start + 1, j), line, column: column + 1}
    }
    if (c === '`') {
      const end = s.indexOf('`', start + 1)
      const stop = end === -1 ? s.length : end
      this.advanceTo(Math.min(stop + 1, s.length))
      return {type: 'string', value: s.slice(start + 1, stop), line, column: column + 1}
    }
    if (isIdentChar(s.charCodeAt(start))) {
      let j = start + 1
      while (j < s.length && isIdentChar(s.charCodeAt(j))) j++
      this.i = j
      return {type: 'ident', value: s.slice(start, j), line, column}
    }
    this.i++
    return {type: 'punct', value: c, line, column}
  }

  private newline(at: number) {
    this.line++
    this.lineStart = at
  }

  private advanceTo(end: number) {
    const s = this.src
    let nl = s.indexOf('\n', this.i)
    while (nl !== -1 && nl < end) {
      this.newline(nl + 1)
      nl = s.indexOf('\n', nl + 1)
    }
    this.i = end
  }
}

/**
 * The import paths of a Go file: `import "x"`, `import alias "x"`, `import . "x"`, `import _ "x"` and
 * grouped `import ( … )` blocks. Only the import declarations after the package clause count;
 * mentions in comments or strings elsewhere are not imports.
 */
export function goImports(src: string): ImportRef[] {
  const scanner = new GoScanner(src)
  const out: ImportRef[] = []
  let tok = scanner.next()
  if (!tok || tok.value !== 'package') return out
  scanner.next() // package name
  tok = scanner.next()
  const spec = (t: Token | null): Token | null => {
    // [name | . | _] "path"
    if (t && (t.type === 'ident' || t.value === '.')) t = scanner.next()
    if (t && t.type === 'string') {
      out.push({specifier: t.value, line: t.line, column: t.column})
      return scanner.next()
    }
    return t
  }
  while (tok) {
    if (tok.value === ';') {
      tok = scanner.next()
      continue
    }
    if (tok.type !== 'ident' || tok.value !== 'import') break
    tok = scanner.next()
    if (tok?.value === '(') {
      tok = scanner.next()
      while (tok && tok.value !== ')') {
        if (tok.value === ';') tok = scanner.next()
        else {
          const before = tok
          tok = spec(tok)
          if (tok === before) tok = scanner.next()
        }
      }
      tok = scanner.next()
    } else {
      tok = spec(tok)
    }
  }
  return out
}

/** Every string literal of a Go file (interpreted, raw and rune), comments excluded. */
export function goStrings(src: string): StringLiteral[] {
  const scanner = new GoScanner(src)
  const out: StringLiteral[] = []
  for (let tok = scanner.next(); tok; tok = scanner.next()) {
    if (tok.type === 'string') out.push({value: tok.value, line: tok.line, column: tok.column})
  }
  return out
}
