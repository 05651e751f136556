/** How PR data appears in template expressions: the namespace's shape, which PR parameters an expression reads, and where the head sha stands as an image tag. */
import {templateExpressions, type TemplateExpression} from './expressions.js'
import {PR_PARAMS} from './rules.js'

/** Why a namespace is not a fixed prefix plus only the PR number, or undefined when it is. */
export function namespaceProblem(value: string): string | undefined {
  const expressions = templateExpressions(value)
  if (expressions.length === 0) return 'is one fixed namespace for every pull request'
  if (expressions[0].start === 0) return 'has no fixed prefix'
  let literal = ''
  let last = 0
  let number = false
  for (const e of expressions) {
    literal += value.slice(last, e.start)
    last = e.end
    if (e.wholeContext || e.variables.length > 0 || e.params.length !== 1 || e.params[0] !== 'number') {
      return `uses ${describe(e)}; only the PR number may follow the fixed prefix`
    }
    number = true
  }
  literal += value.slice(last)
  if (!number) return 'does not contain the PR number'
  if (!/^[a-z0-9-]+$/.test(literal)) return `has characters outside [a-z0-9-] in its fixed part`
  return undefined
}

export function describe(e: TemplateExpression): string {
  if (e.wholeContext) return `the whole parameter set in {{${e.body}}}`
  if (e.variables.length > 0) return `the variable $${e.variables[0]} in {{${e.body}}}`
  if (e.params.length === 0) return `{{${e.body}}}`
  return `${e.params.join(', ')} in {{${e.body}}}`
}

export function prParams(e: TemplateExpression): string[] {
  return e.params.filter((p) => PR_PARAMS.has(p))
}

/** The head sha as an image tag: after `:` (`repo:{{.head_sha}}`), under a tag-like key, or a Helm `*.tag` parameter. */
export function isImageTag(
  text: string,
  e: TemplateExpression,
  key: string | undefined,
  helmName: string | undefined,
): boolean {
  if (text[e.start - 1] === ':' && /[^\s:]:$/.test(text.slice(0, e.start))) return true
  if (key !== undefined && /(?:^|[._-])tag$|Tag$|^tag$/.test(key)) return true
  if (helmName !== undefined && /(?:^|\.)(?:tag|imageTag|ref)$/i.test(helmName)) return true
  return false
}

/** For a multi-line value, the key of the line an expression sits on (`tag: {{ .head_sha }}` in `values: |`). */
export function lineKey(text: string, offset: number): string | undefined {
  if (!text.includes('\n')) return undefined
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1
  const m = /^\s*(?:-\s+)?["']?([\w.-]+)["']?\s*:/.exec(text.slice(lineStart, offset))
  return m?.[1]
}

export function countBefore(value: string, offset: number): number {
  let n = 0
  for (let i = value.indexOf('{{'); i !== -1 && i < offset; i = value.indexOf('{{', i + 2)) n++
  return n
}
