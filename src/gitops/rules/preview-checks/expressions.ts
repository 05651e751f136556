/**
 * Template expressions of an ApplicationSet string, in both syntaxes Argo CD renders: fasttemplate (`{{number}}`,
 * `{{ values.ns }}`; Argo CD trims the spaces inside the braces) and Go templates (`{{ .number }}`,
 * `{{- .branch | lower -}}`, `{{ printf "pr-%d" .number }}`, `{{ index . "title" }}`, `{{ $.head_sha }}`). An
 * expression is reduced to the parameters it reads: the first name of each field chain (`.values.ns` reads
 * `values`), whether it reads the whole context (`{{ . }}`), and whether it reads a template variable (`$x`), whose
 * origin is not followed (the assignment is an expression of its own and reports what it reads).
 */
export interface TemplateExpression {
  /** Offset of `{{` in the string, and the offset just past `}}`. */
  start: number
  end: number
  /** The text between the braces, trim markers and spaces removed. */
  body: string
  syntax: 'fasttemplate' | 'go'
  /** Parameters read: the root name of every field chain, in order of appearance, without repeats. */
  params: string[]
  /** `{{ . }}` or a function given `.` itself (other than `index . "name"`): every parameter may be read. */
  wholeContext: boolean
  /** A template variable other than `$` (e.g. `$b` after `{{ $b := .branch }}`). */
  variables: string[]
}

const GO_WORDS = new Set(['end', 'else', 'if', 'range', 'with', 'define', 'template', 'block', 'break', 'continue'])
const GO_LITERALS = new Set(['nil', 'true', 'false'])
/** A fasttemplate parameter name: Argo CD's flattened keys (`path.basename`, `values.ns`, `number`). */
const FAST_PARAM = /^[A-Za-z_][\w-]*(?:\.[\w-]+)*$/

/** Every `{{ … }}` of `text`, in order. An unterminated `{{` ends the scan (Argo CD fails to render it). */
export function templateExpressions(text: string): TemplateExpression[] {
  const out: TemplateExpression[] = []
  let from = 0
  for (;;) {
    const start = text.indexOf('{{', from)
    if (start === -1) return out
    const close = closingBraces(text, start + 2)
    if (close === -1) return out
    const end = close + 2
    out.push(analyse(text.slice(start + 2, close), start, end))
    from = end
  }
}

/** The `}}` that closes an expression opened before `from`; string literals inside may contain braces. */
function closingBraces(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i]
    if (c === '"' || c === '`' || c === "'") {
      const j = endOfLiteral(text, i)
      if (j === -1) return text.indexOf('}}', from)
      i = j
      continue
    }
    if (c === '}' && text[i + 1] === '}') return i
  }
  return -1
}

/** Index of the closing quote of the literal starting at `i`, or -1. */
function endOfLiteral(text: string, i: number): number {
  const quote = text[i]
  for (let j = i + 1; j < text.length; j++) {
    if (quote !== '`' && text[j] === '\\') {
      j++
      continue
    }
    if (text[j] === quote) return j
    if (quote !== '`' && text[j] === '\n') return -1
  }
  return -1
}

function analyse(inner: string, start: number, end: number): TemplateExpression {
  const body = inner
    .replace(/^-(?=\s)/, '')
    .replace(/(?<=\s)-$/, '')
    .trim()
  if (FAST_PARAM.test(body)) {
    const root = body.split('.')[0]
    const isWord = GO_WORDS.has(root) || GO_LITERALS.has(root)
    return {start, end, body, syntax: 'fasttemplate', params: isWord ? [] : [root], wholeContext: false, variables: []}
  }
  const params: string[] = []
  const variables: string[] = []
  let wholeContext = false
  const add = (list: string[], name: string) => {
    if (!list.includes(name)) list.push(name)
  }
  for (let i = 0; i < body.length; i++) {
    const c = body[i]
    if (c === '"' || c === '`' || c === "'") {
      const j = endOfLiteral(body, i)
      if (j === -1) break
      i = j
      continue
    }
    const before = i === 0 ? ' ' : body[i - 1]
    if (c === '$') {
      const m = /^\$([A-Za-z_]\w*)?/.exec(body.slice(i))!
      if (m[1]) {
        add(variables, m[1])
        i += m[0].length - 1
        continue
      }
      // `$` is the root context: `$.branch` reads branch, a bare `$` reads everything.
      const field = /^\$\.([A-Za-z_]\w*)/.exec(body.slice(i))
      if (field) {
        add(params, field[1])
        i += field[0].length - 1
      } else if (!/^\$\s*:?=/.test(body.slice(i))) {
        wholeContext = true
      }
      continue
    }
    if (c === '.' && !/[\w)\]]/.test(before) && !/[0-9]/.test(body[i + 1] ?? '')) {
      const field = /^\.([A-Za-z_]\w*)/.exec(body.slice(i))
      if (field) {
        add(params, field[1])
        i += field[0].length - 1
        continue
      }
      // A bare dot: `index . "name"` reads one parameter; anything else hands the whole context over.
      const indexed = /\bindex\s+$/.exec(body.slice(0, i))
      const key = /^\.\s+(["`])([^"`]*)\1/.exec(body.slice(i))
      if (indexed && key) {
        add(params, key[2])
        i += key[0].length - 1
      } else {
        wholeContext = true
      }
    }
  }
  return {start, end, body, syntax: 'go', params, wholeContext, variables}
}
