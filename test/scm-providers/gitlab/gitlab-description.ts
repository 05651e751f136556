import {Ajv, type ValidateFunction} from 'ajv'
import {readFileSync} from 'node:fs'
import {parse} from 'yaml'

import {compilePath, describeViolation} from '../../support/github-openapi.js'

/**
 * The operations of GitLab's published OpenAPI 3 description that Argo CD's gitlab provider asks
 * (fixtures/gitlab-openapi-v3.operations.yaml, cut verbatim out of doc/api/openapi/openapi_v3.yaml), for the
 * fake GitLab: `find` matches a request to its operation by method and path template, `checkQuery` holds its query to
 * the operation's parameters (an unknown one, a missing required one, a wrong boolean, integer or enum is a
 * violation), `checkResponse` its status to the documented ones and its body to the documented schema. What the
 * extract does not carry is named, never guessed: a `$ref` to a component schema of the full description is checked
 * as "any value" and recorded in `unresolved` (the README says why they are not here).
 */

type Json = Record<string, any>

export interface Violation {
  where: string
  problem: string
}

interface Parameter {
  name: string
  in: string
  required?: boolean
  schema?: Json
}

export interface DescribedOperation {
  template: string
  regex: RegExp
  paramNames: string[]
  literalLength: number
  method: string
  operationId: string
  parameters: Parameter[]
  responses: Record<string, {content?: Record<string, {schema?: Json}>}>
}

export const GITLAB_DESCRIPTION = new URL('./fixtures/gitlab-openapi-v3.operations.yaml', import.meta.url)

export class GitLabDescription {
  /** Component schemas a response referred to that the extract does not carry (validated as any value). */
  readonly unresolved = new Set<string>()
  private readonly operations: DescribedOperation[] = []
  private readonly ajv = new Ajv({allErrors: true, strict: false, validateSchema: false})
  private readonly validators = new Map<string, ValidateFunction>()

  constructor(file: URL = GITLAB_DESCRIPTION) {
    const doc = parse(readFileSync(file, 'utf8')) as Json
    for (const [template, item] of Object.entries(doc.paths as Json)) {
      for (const [method, op] of Object.entries(item as Json)) {
        this.operations.push({
          ...compilePath(template),
          method: method.toUpperCase(),
          operationId: op.operationId,
          parameters: op.parameters ?? [],
          responses: op.responses ?? {},
        })
      }
    }
    this.operations.sort((a, b) => b.literalLength - a.literalLength)
  }

  find(method: string, pathname: string): {op: DescribedOperation; params: Record<string, string>} | null {
    for (const op of this.operations) {
      const m = op.method === method ? op.regex.exec(pathname) : null
      if (!m) continue
      const params: Record<string, string> = {}
      op.paramNames.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1])))
      return {op, params}
    }
    return null
  }

  checkQuery(op: DescribedOperation, query: URLSearchParams, where: string): Violation[] {
    const out: Violation[] = []
    for (const [name, value] of query) {
      const schema = op.parameters.find((p) => p.in === 'query' && p.name === name)?.schema
      if (!schema) out.push({where, problem: `unknown query parameter ${name}`})
      else out.push(...checkValue(schema, value, `${where} query ${name}`))
    }
    for (const p of op.parameters.filter((x) => x.required && x.in === 'query'))
      if (!query.has(p.name)) out.push({where, problem: `missing query parameter ${p.name}`})
    return out
  }

  checkResponse(op: DescribedOperation, status: number, body: unknown, where: string): Violation[] {
    const documented = op.responses[String(status)]
    if (!documented) return [{where, problem: `status ${status} is not documented for ${op.operationId}`}]
    const schema = documented.content?.['application/json']?.schema
    if (!schema) return []
    const key = JSON.stringify(schema)
    let validate = this.validators.get(key)
    if (!validate) {
      validate = this.ajv.compile(this.resolvable(schema) as Json)
      this.validators.set(key, validate)
    }
    return validate(body) ? [] : (validate.errors ?? []).map((e) => ({where, problem: describeViolation(e)}))
  }

  private resolvable(schema: unknown): unknown {
    if (Array.isArray(schema)) return schema.map((s) => this.resolvable(s))
    if (!schema || typeof schema !== 'object') return schema
    const ref = (schema as Json).$ref
    if (typeof ref === 'string') {
      this.unresolved.add(ref.replace('#/components/schemas/', ''))
      return true
    }
    return Object.fromEntries(Object.entries(schema as Json).map(([k, v]) => [k, this.resolvable(v)]))
  }
}

/** A query value (always a string) against its parameter's schema: boolean, integer, enum. */
export function checkValue(schema: Json, value: string, where: string): Violation[] {
  if (schema.type === 'boolean' && !['true', 'false'].includes(value)) return [{where, problem: 'not a boolean'}]
  if (schema.type === 'integer' && !/^-?\d+$/.test(value)) return [{where, problem: 'not an integer'}]
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    return [{where, problem: `not one of ${schema.enum.join(', ')}`}]
  return []
}
