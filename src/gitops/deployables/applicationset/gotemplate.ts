/**
 * Go's text/template, the subset ApplicationSets use, evaluated as Argo CD's ApplicationSet controller does
 * (`applicationset/utils/utils.go` Replace: text/template with sprig minus env/expandenv/getHostByName, plus
 * normalize, slugify, toYaml, fromYaml, fromYamlArray; `goTemplateOptions` such as `missingkey=error`).
 *
 * Values are plain JSON as Go's JSON/YAML decoding yields them: numbers are float64 (Go prints 1000000 as `1e+06`),
 * `null` is a nil interface, a key that is absent is Go's invalid value (printed `<no value>`). Integers that a
 * template makes (a literal `3`, `len`) are {@link GoInt}. Anything this evaluator does not implement (a sprig
 * function, a printf verb, `template`/`define`) is an {@link UnsupportedTemplate} error naming it: the caller fails
 * closed rather than render something Argo CD would render differently.
 */
import {callFunction, isKnownFunction} from './functions.js'
import {
  formatValue,
  GoInt,
  goTypeName,
  MISSING,
  type GoValue,
  isTrue,
  TemplateError,
  UnsupportedTemplate,
} from './values.js'

export {TemplateError, UnsupportedTemplate} from './values.js'

export type MissingKey = 'default' | 'zero' | 'error'

export interface GoTemplateOptions {
  missingKey: MissingKey
}

/** Reads `goTemplateOptions` (`missingkey=error` and friends); any other option is unsupported. */
export function parseGoTemplateOptions(options: unknown): GoTemplateOptions {
  let missingKey: MissingKey = 'default'
  for (const o of Array.isArray(options) ? options : []) {
    const m = /^missingkey=(default|invalid|zero|error)$/.exec(String(o))
    if (!m) throw new UnsupportedTemplate(`goTemplateOptions ${JSON.stringify(o)}`)
    missingKey = m[1] === 'invalid' ? 'default' : (m[1] as MissingKey)
  }
  return {missingKey}
}

// ---------------------------------------------------------------- lexing and parsing

type Arg =
  | {kind: 'dot'}
  | {kind: 'field'; names: string[]}
  | {kind: 'var'; name: string; names: string[]}
  | {kind: 'ident'; name: string}
  | {kind: 'literal'; value: GoValue}
  | {kind: 'pipe'; pipe: Pipe; names: string[]}

interface Command {
  args: Arg[]
}
interface Pipe {
  decl: string[]
  assign: boolean
  cmds: Command[]
}
interface Block {
  kind: 'if' | 'with' | 'range'
  pipe: Pipe
  list: Node[]
  elseList: Node[]
}
type Node = {kind: 'text'; text: string} | {kind: 'action'; pipe: Pipe} | Block | {kind: 'break' | 'continue'}

interface Token {
  t: 'dot' | 'field' | 'var' | 'ident' | 'literal' | '(' | ')' | '|' | ':=' | '=' | ','
  v?: string
  value?: GoValue
  names?: string[]
  /** Whether whitespace precedes the token (`(x).f` chains a field, `(x) .f` is another argument). */
  spaced?: boolean
}

const compiled = new Map<string, Node[]>()

/** Renders `text` with `data` as Go's text/template would (with the functions Argo CD registers). */
export function renderGoTemplate(text: string, data: unknown, options: GoTemplateOptions): string {
  let nodes = compiled.get(text)
  if (!nodes) {
    nodes = parse(text)
    if (compiled.size > 2000) compiled.clear()
    compiled.set(text, nodes)
  }
  const state = new State(options, data as GoValue)
  const out: string[] = []
  state.walk(data as GoValue, nodes, out)
  return out.join('')
}

function parse(text: string): Node[] {
  const root: Node[] = []
  // The stack of open blocks: the list being filled, the block node and whether it is in its else part.
  const stack: Array<{node: Block; inElse: boolean; chained: number}> = []
  const current = (): Node[] => {
    const top = stack.at(-1)
    if (!top) return root
    return top.inElse ? top.node.elseList : top.node.list
  }
  let i = 0
  let trimNext = false
  while (i < text.length) {
    const open = text.indexOf('{{', i)
    let chunk = open === -1 ? text.slice(i) : text.slice(i, open)
    if (trimNext) chunk = chunk.replace(/^[ \t\r\n]+/, '')
    trimNext = false
    if (open === -1) {
      if (chunk) current().push({kind: 'text', text: chunk})
      break
    }
    let start = open + 2
    if (/^-[ \t\r\n]/.test(text.slice(start, start + 2))) {
      chunk = chunk.replace(/[ \t\r\n]+$/, '')
      start += 1
    }
    if (chunk) current().push({kind: 'text', text: chunk})
    // Comments: {{/* … */}} with optional trim markers.
    const afterSpace = text.slice(start).replace(/^[ \t\r\n]*/, '')
    if (afterSpace.startsWith('/*')) {
      const endComment = text.indexOf('*/', start)
      if (endComment === -1) throw new TemplateError('unclosed comment')
      let k = endComment + 2
      const rest = text.slice(k)
      const m = /^([ \t\r\n]+-)?}}/.exec(rest)
      if (!m) throw new TemplateError('comment ends before closing delimiter')
      if (m[1]) trimNext = true
      i = k + m[0].length
      k = i
      continue
    }
    const {tokens, end, trimRight} = lexAction(text, start)
    trimNext = trimRight
    i = end
    const word = tokens[0]?.t === 'ident' ? tokens[0].v : undefined
    switch (word) {
      case 'if':
      case 'with':
      case 'range': {
        const node = {kind: word, pipe: parsePipe(tokens.slice(1), word === 'range'), list: [], elseList: []} as Block
        current().push(node)
        stack.push({node, inElse: false, chained: 0})
        break
      }
      case 'else': {
        const top = stack.at(-1)
        if (!top || top.inElse) throw new TemplateError('unexpected {{else}}')
        top.inElse = true
        const next = tokens[1]?.t === 'ident' ? tokens[1].v : undefined
        if (next === 'if' || next === 'with') {
          if (next !== top.node.kind) throw new TemplateError(`unexpected {{else ${next}}} in ${top.node.kind}`)
          const node = {kind: next, pipe: parsePipe(tokens.slice(2), false), list: [], elseList: []} as Block
          top.node.elseList.push(node)
          // `{{else if}}` shares the closing {{end}} of the chain.
          stack.push({node, inElse: false, chained: top.chained + 1})
        } else if (tokens.length > 1) {
          throw new TemplateError('unexpected tokens after {{else}}')
        }
        break
      }
      case 'end': {
        if (tokens.length > 1) throw new TemplateError('unexpected tokens after {{end}}')
        let top = stack.pop()
        if (!top) throw new TemplateError('unexpected {{end}}')
        while (top.chained > 0) top = stack.pop()!
        break
      }
      case 'break':
      case 'continue':
        if (!stack.some((s) => s.node.kind === 'range')) throw new TemplateError(`{{${word}}} outside {{range}}`)
        current().push({kind: word})
        break
      case 'define':
      case 'template':
      case 'block':
        throw new UnsupportedTemplate(`{{${word}}}`)
      default:
        current().push({kind: 'action', pipe: parsePipe(tokens, false)})
    }
  }
  if (stack.length > 0) throw new TemplateError(`unexpected EOF: {{${stack.at(-1)!.node.kind}}} has no {{end}}`)
  return root
}

/** Tokens of one action, from just after `{{` (and its trim marker) to the closing `}}`. */
function lexAction(text: string, from: number): {tokens: Token[]; end: number; trimRight: boolean} {
  let i = from
  // Every token is pushed while `i` is still at its first character.
  const tokens: Token[] = []
  const rawPush = tokens.push.bind(tokens)
  tokens.push = (...ts: Token[]) => rawPush(...ts.map((t) => ({...t, spaced: /\s/.test(text[i - 1] ?? ' ')})))
  const ident = /[A-Za-z_][A-Za-z0-9_]*/y
  for (;;) {
    if (i >= text.length) throw new TemplateError('unclosed action')
    const c = text[i]
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      // ` -}}` closes with a right trim.
      if (text.startsWith('-}}', i + 1)) return {tokens, end: i + 4, trimRight: true}
      i++
      continue
    }
    if (text.startsWith('}}', i)) return {tokens, end: i + 2, trimRight: false}
    if (c === '(' || c === ')' || c === '|' || c === ',') {
      tokens.push({t: c})
      i++
      continue
    }
    if (text.startsWith(':=', i)) {
      tokens.push({t: ':='})
      i += 2
      continue
    }
    if (c === '=') {
      tokens.push({t: '='})
      i++
      continue
    }
    if (c === '"') {
      let j = i + 1
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\') j++
        if (text[j] === '\n') throw new TemplateError('unterminated quoted string')
        j++
      }
      if (j >= text.length) throw new TemplateError('unterminated quoted string')
      tokens.push({t: 'literal', value: unquote(text.slice(i, j + 1))})
      i = j + 1
      continue
    }
    if (c === '`') {
      const j = text.indexOf('`', i + 1)
      if (j === -1) throw new TemplateError('unterminated raw quoted string')
      tokens.push({t: 'literal', value: text.slice(i + 1, j)})
      i = j + 1
      continue
    }
    if (c === "'") throw new UnsupportedTemplate('character constants')
    const num = /[-+]?(?:0[xX][0-9a-fA-F_]+|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][-+]?\d+)?)/y
    num.lastIndex = i
    const n =
      (c === '-' || c === '+' || /[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) && num.exec(text)
    if (n && n[0] !== '-' && n[0] !== '+') {
      const raw = n[0].replace(/_/g, '')
      const isFloat = /[.eE]/.test(raw) && !/^[-+]?0[xX]/.test(raw)
      tokens.push({t: 'literal', value: isFloat ? Number(raw) : new GoInt(Number(raw))})
      i += n[0].length
      continue
    }
    if (c === '.') {
      const names: string[] = []
      let j = i
      while (text[j] === '.') {
        ident.lastIndex = j + 1
        const m = ident.exec(text)
        if (!m) break
        names.push(m[0])
        j += 1 + m[0].length
      }
      if (names.length === 0) {
        tokens.push({t: 'dot'})
        i++
      } else {
        tokens.push({t: 'field', names})
        i = j
      }
      continue
    }
    if (c === '$') {
      ident.lastIndex = i + 1
      const m = ident.exec(text)
      const name = '$' + (m?.[0] ?? '')
      let j = i + name.length
      const names: string[] = []
      while (text[j] === '.') {
        ident.lastIndex = j + 1
        const f = ident.exec(text)
        if (!f) break
        names.push(f[0])
        j += 1 + f[0].length
      }
      tokens.push({t: 'var', v: name, names})
      i = j
      continue
    }
    ident.lastIndex = i
    const m = ident.exec(text)
    if (m) {
      const w = m[0]
      if (w === 'true' || w === 'false') tokens.push({t: 'literal', value: w === 'true'})
      else if (w === 'nil') tokens.push({t: 'literal', value: null})
      else tokens.push({t: 'ident', v: w})
      i += w.length
      continue
    }
    throw new TemplateError(`unexpected ${JSON.stringify(c)} in command`)
  }
}

function unquote(s: string): string {
  try {
    return JSON.parse(
      s.replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1').replace(/\\([abfv'])/g, (_, e: string) => {
        return ({a: '\\u0007', b: '\\b', f: '\\f', v: '\\u000b', "'": "'"} as Record<string, string>)[e]
      }),
    ) as string
  } catch {
    throw new TemplateError(`malformed quoted string ${s}`)
  }
}

function parsePipe(tokens: Token[], isRange: boolean): Pipe {
  const decl: string[] = []
  let assign = false
  let k = 0
  // `$x :=`, `$x =`, and in range `$i, $v :=`.
  const declEnd = tokens.findIndex((t) => t.t === ':=' || t.t === '=')
  if (declEnd > 0 && tokens.slice(0, declEnd).every((t) => (t.t === 'var' && t.names!.length === 0) || t.t === ',')) {
    for (const t of tokens.slice(0, declEnd)) if (t.t === 'var') decl.push(t.v!)
    if (decl.length > (isRange ? 2 : 1)) throw new TemplateError('too many declarations')
    assign = tokens[declEnd].t === '='
    k = declEnd + 1
  }
  const {pipe, next} = parseCommands(tokens, k, false)
  if (next !== tokens.length) throw new TemplateError(`unexpected ${tokens[next].t} in command`)
  if (pipe.length === 0) throw new TemplateError('missing value for command')
  return {decl, assign, cmds: pipe}
}

function parseCommands(tokens: Token[], from: number, inParens: boolean): {pipe: Command[]; next: number} {
  const cmds: Command[] = []
  let args: Arg[] = []
  let k = from
  for (; k < tokens.length; k++) {
    const t = tokens[k]
    if (t.t === ')') {
      if (!inParens) throw new TemplateError('unexpected right paren')
      break
    }
    if (t.t === '|') {
      if (args.length === 0) throw new TemplateError('missing command before |')
      cmds.push({args})
      args = []
      continue
    }
    switch (t.t) {
      case 'dot':
        args.push({kind: 'dot'})
        break
      case 'field':
        args.push({kind: 'field', names: t.names!})
        break
      case 'var':
        args.push({kind: 'var', name: t.v!, names: t.names!})
        break
      case 'ident':
        if (!isKnownFunction(t.v!)) throw new TemplateError(`function "${t.v}" not defined`)
        args.push({kind: 'ident', name: t.v!})
        break
      case 'literal':
        args.push({kind: 'literal', value: t.value!})
        break
      case '(': {
        const inner = parseCommands(tokens, k + 1, true)
        k = inner.next
        // `(pipeline).Field.Chain`
        const names: string[] = []
        const after = tokens[k + 1]
        if (after?.t === 'field' && !after.spaced) {
          names.push(...after.names!)
          k++
        }
        args.push({kind: 'pipe', pipe: {decl: [], assign: false, cmds: inner.pipe}, names})
        break
      }
      default:
        throw new TemplateError(`unexpected ${t.t} in operand`)
    }
  }
  if (args.length > 0) cmds.push({args})
  else if (cmds.length > 0) throw new TemplateError('missing command after |')
  if (inParens && tokens[k]?.t !== ')') throw new TemplateError('unclosed left paren')
  return {pipe: cmds, next: inParens ? k : k}
}

// ---------------------------------------------------------------- execution

/** Steps one template may execute offline. */
const MAX_OPS = 1_000_000

class Break {}
class Continue {}

class State {
  private vars: Array<{name: string; value: GoValue}>
  constructor(
    private options: GoTemplateOptions,
    data: GoValue,
  ) {
    this.vars = [{name: '$', value: data}]
  }

  /** Nodes executed: a bound, so a template (`range 1000000000`) cannot hold the gate. */
  private ops = 0

  walk(dot: GoValue, nodes: Node[], out: string[]): void {
    for (const node of nodes) {
      if (++this.ops > MAX_OPS) throw new UnsupportedTemplate(`a template executing more than ${MAX_OPS} steps`)
      switch (node.kind) {
        case 'text':
          out.push(node.text)
          break
        case 'action': {
          const v = this.pipeline(dot, node.pipe)
          if (node.pipe.decl.length === 0) out.push(printable(v))
          break
        }
        case 'if':
        case 'with': {
          const mark = this.vars.length
          const v = this.pipeline(dot, node.pipe)
          if (isTrue(v)) this.walk(node.kind === 'with' ? v : dot, node.list, out)
          else this.walk(dot, node.elseList, out)
          this.vars.length = mark
          break
        }
        case 'range':
          this.range(dot, node, out)
          break
        case 'break':
          throw new Break()
        case 'continue':
          throw new Continue()
      }
    }
  }

  private range(dot: GoValue, node: Block, out: string[]): void {
    const mark = this.vars.length
    const pipe = {...node.pipe, decl: []}
    const v = this.pipeline(dot, pipe)
    let count = 0
    let entry: (i: number) => [GoValue, GoValue]
    if (Array.isArray(v)) {
      count = v.length
      entry = (i) => [new GoInt(i), v[i]]
    } else if (isMap(v)) {
      const keys = Object.keys(v).sort()
      count = keys.length
      entry = (i) => [keys[i], v[keys[i]]]
    } else if (v instanceof GoInt) {
      // Go ≥ 1.22 ranges over an integer; entries are made one at a time (the step bound applies).
      count = Math.max(0, v.value)
      entry = (i) => [new GoInt(i), new GoInt(i)]
    } else if (v === null || v === MISSING) {
      entry = () => [MISSING, MISSING]
    } else {
      throw new TemplateError(`range can't iterate over ${formatValue(v)}`)
    }
    if (count === 0) {
      this.walk(dot, node.elseList, out)
      this.vars.length = mark
      return
    }
    for (let n = 0; n < count; n++) {
      const [key, elem] = entry(n)
      if (++this.ops > MAX_OPS) throw new UnsupportedTemplate(`a template executing more than ${MAX_OPS} steps`)
      const inner = this.vars.length
      if (node.pipe.decl.length === 1) this.vars.push({name: node.pipe.decl[0], value: elem})
      if (node.pipe.decl.length === 2) {
        this.vars.push({name: node.pipe.decl[0], value: key})
        this.vars.push({name: node.pipe.decl[1], value: elem})
      }
      try {
        this.walk(elem, node.list, out)
      } catch (e) {
        if (e instanceof Break) {
          this.vars.length = inner
          break
        }
        if (!(e instanceof Continue)) throw e
      }
      this.vars.length = inner
    }
    this.vars.length = mark
  }

  private pipeline(dot: GoValue, pipe: Pipe): GoValue {
    let value: GoValue = MISSING
    let first = true
    for (const cmd of pipe.cmds) {
      value = this.command(dot, cmd, first ? undefined : value)
      first = false
    }
    // Go digs a value of interface type out: a nil becomes the invalid value.
    if (value === null) value = MISSING
    for (const name of pipe.decl) {
      if (pipe.assign) {
        const slot = [...this.vars].reverse().find((v) => v.name === name)
        if (!slot) throw new TemplateError(`undefined variable: ${name}`)
        slot.value = value
      } else this.vars.push({name, value})
    }
    return value
  }

  private command(dot: GoValue, cmd: Command, final: GoValue | undefined): GoValue {
    const [head, ...rest] = cmd.args
    const extra = rest.length > 0 || final !== undefined
    switch (head.kind) {
      case 'ident':
        return this.call(dot, head.name, rest, final)
      case 'field':
        if (extra) throw new UnsupportedTemplate(`arguments given to field .${head.names.join('.')} (methods)`)
        return this.chain(dot, head.names)
      case 'var':
        if (extra) throw new TemplateError(`can't give argument to non-function ${head.name}`)
        return this.chain(this.variable(head.name), head.names)
      case 'pipe':
        if (extra) throw new TemplateError("can't give argument to non-function")
        return this.chain(this.pipeline(dot, head.pipe), head.names)
      case 'dot':
        if (extra) throw new TemplateError("can't give argument to non-function .")
        return dot
      case 'literal':
        if (extra) throw new TemplateError(`can't give argument to non-function ${formatValue(head.value)}`)
        return head.value
    }
  }

  private variable(name: string): GoValue {
    for (let k = this.vars.length - 1; k >= 0; k--) if (this.vars[k].name === name) return this.vars[k].value
    throw new TemplateError(`undefined variable: ${name}`)
  }

  private chain(receiver: GoValue, names: string[]): GoValue {
    let v = receiver
    for (const name of names) v = this.field(v, name)
    return v
  }

  /** Go's evalField on a map or a nil/invalid receiver (plain data has no structs or methods). */
  private field(receiver: GoValue, name: string): GoValue {
    if (receiver === MISSING) {
      if (this.options.missingKey === 'error') throw new TemplateError(`nil data; no entry for key "${name}"`)
      return MISSING
    }
    if (receiver === null) throw new TemplateError(`nil pointer evaluating interface {}.${name}`)
    if (isMap(receiver)) {
      if (Object.hasOwn(receiver, name)) return receiver[name]
      if (this.options.missingKey === 'error') throw new TemplateError(`map has no entry for key "${name}"`)
      return this.options.missingKey === 'zero' ? null : MISSING
    }
    throw new TemplateError(`can't evaluate field ${name} in type ${goTypeName(receiver)}`)
  }

  private call(dot: GoValue, name: string, argNodes: Arg[], final: GoValue | undefined): GoValue {
    // `and` / `or` evaluate their arguments lazily, as Go ≥ 1.18 does.
    if (name === 'and' || name === 'or') {
      const thunks = argNodes.map((a) => () => this.arg(dot, a))
      if (final !== undefined) thunks.push(() => final)
      if (thunks.length === 0) throw new TemplateError(`wrong number of args for ${name}: want at least 1 got 0`)
      let v: GoValue = MISSING
      for (const t of thunks) {
        v = t()
        if (name === 'and' ? !isTrue(v) : isTrue(v)) return v
      }
      return v
    }
    const args = argNodes.map((a) => this.arg(dot, a))
    if (final !== undefined) args.push(final)
    return callFunction(
      name,
      args.map((a) => (a === MISSING ? null : a)),
    )
  }

  private arg(dot: GoValue, a: Arg): GoValue {
    switch (a.kind) {
      case 'ident':
        return this.call(dot, a.name, [], undefined)
      case 'dot':
        return dot
      case 'field':
        return this.chain(dot, a.names)
      case 'var':
        return this.chain(this.variable(a.name), a.names)
      case 'pipe':
        return this.chain(this.pipeline(dot, a.pipe), a.names)
      case 'literal':
        return a.value
    }
  }
}

function isMap(v: GoValue): v is Record<string, GoValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoInt)
}

/** What an action prints: Go's printableValue (the invalid value prints `<no value>`). */
function printable(v: GoValue): string {
  if (v === MISSING || v === null) return '<no value>'
  return formatValue(v)
}
