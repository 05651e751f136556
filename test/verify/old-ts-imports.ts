import {tokenizeTypeScript, type Token} from '../../src/verify/lexers/typescript.js'
import type {ImportRef} from '../../src/verify/lexers/types.js'

/**
 * The TS/JS import reader `verify` used before it parsed (kept here as the baseline of the differential test): the
 * module specifiers read from the tokens of `src/verify/lexers/typescript.ts`. Without a grammar it takes JSX text
 * and some regular expressions for code.
 */
export function typescriptImportsByTokens(src: string, tokens = tokenizeTypeScript(src)): ImportRef[] {
  const out: ImportRef[] = []
  const push = (t: Token) => out.push({specifier: t.value, line: t.line, column: t.column})
  const isStr = (t: Token | undefined) => t?.type === 'string'
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]
    if (t.type !== 'ident') continue
    const prev = tokens[i - 1]
    if (prev && prev.type === 'punct' && prev.value === '.') continue // obj.import / obj.require
    const next = tokens[i + 1]
    if (t.value === 'require' || t.value === 'import') {
      if (next?.value === '(' && isStr(tokens[i + 2])) {
        push(tokens[i + 2])
        continue
      }
    }
    if (t.value === 'import') {
      if (isStr(next)) {
        push(next)
        continue
      }
      if (next?.value === '(' || next?.value === '.') continue
      // import [type] clause from "x"
      for (let j = i + 1; j < tokens.length && j < i + 400; j++) {
        const u = tokens[j]
        if (u.type === 'punct' && u.value === ';') break
        if (u.type === 'string' || u.type === 'template') break
        if (u.type === 'ident' && u.value === 'require') break // import x = require("y"): handled above
        if (u.type === 'ident' && u.value === 'from' && isStr(tokens[j + 1])) {
          push(tokens[j + 1])
          break
        }
      }
    } else if (t.value === 'export') {
      let j = i + 1
      if (tokens[j]?.value === 'type') j++
      const opener = tokens[j]?.value
      if (opener !== '*' && opener !== '{') continue
      let depth = 0
      for (; j < tokens.length && j < i + 400; j++) {
        const u = tokens[j]
        if (u.type === 'punct') {
          if (u.value === '{') depth++
          else if (u.value === '}') {
            depth--
            if (depth === 0 && tokens[j + 1]?.value !== 'from') break
          } else if (u.value === ';') break
        } else if (u.type === 'ident' && u.value === 'from' && depth === 0 && isStr(tokens[j + 1])) {
          push(tokens[j + 1])
          break
        } else if (u.type === 'string') break
      }
    }
  }
  return out
}
