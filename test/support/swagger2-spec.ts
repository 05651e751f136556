import {Ajv, type ValidateFunction} from 'ajv'
import addFormatsModule from 'ajv-formats'
import {readFileSync} from 'node:fs'

import {compilePath, describeViolation} from './github-openapi.js'

/**
 * A service's published Swagger 2.0 description, compiled with ajv for a fake server on loopback (Argo CD's, Gitea's,
 * …): `find` matches a request to its operation by method and path template (longest literal first), `checkQuery`
 * holds its query to the operation's parameters (an unknown one, a missing required one, a wrong boolean, integer
 * or enum is a violation), `validate` a body against a schema of the description. `closed`: objects without
 * `additionalProperties` refuse unknown fields (a description that lists every field its service sends). A parameter
 * may be a `$ref` to the description's `parameters`; AutoRest's `x-ms-paths` (`/items?path={path}`: one path, an
 * operation per query key) are read too, an operation there matching only a request with its query keys.
 */

const addFormats = ((addFormatsModule as unknown as {default?: typeof addFormatsModule}).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv

export type Json = Record<string, any>

export interface Violation {
  where: string
  problem: string
}

export interface Operation {
  template: string
  regex: RegExp
  paramNames: string[]
  literalLength: number
  method: string
  operationId: string
  /** The query keys an `x-ms-paths` operation is told apart by (`path` of `/items?path={path}`). */
  queryKeys: string[]
  parameters: Array<{name: string; in: string; type?: string; items?: Json; required?: boolean; enum?: unknown[]}>
  responses: Record<string, {schema?: Json}>
}

export interface Swagger2Options {
  /** Objects without `additionalProperties` refuse unknown fields. */
  closed?: boolean
  basePath?: string
  /**
   * A property not `required` may be null: the description of a Go service (go-swagger) cannot say that encoding/json
   * writes a nil pointer, slice or map as null (Gitea's `parent`, `signer`, `added`).
   */
  nullable?: boolean
  /** Path parameters that span slashes (default `path`). */
  multiSegment?: string[]
  /** Applied to the parsed description before it is compiled (what the service sends that it does not describe). */
  patch?: (doc: Json) => void
}

/** Every optional property of the schema (and of the schemas inside it) also admits null. */
function nullableOptionals(schema: Json): void {
  if (!schema || typeof schema !== 'object') return
  const required = new Set((schema.required ?? []) as string[])
  for (const [name, prop] of Object.entries((schema.properties ?? {}) as Json)) {
    nullableOptionals(prop as Json)
    if (!required.has(name)) (schema.properties as Json)[name] = {anyOf: [{type: 'null'}, prop]}
  }
  if (schema.items) nullableOptionals(schema.items as Json)
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
    nullableOptionals(schema.additionalProperties as Json)
}

export class Swagger2Spec {
  private readonly ajv: Ajv
  private readonly operations: Operation[] = []
  private readonly validators = new Map<string, ValidateFunction>()

  private readonly responses: Json

  constructor(
    /** The description's file, or the description itself (one assembled from parts). */
    file: URL | string | Json,
    private readonly id: string,
    options: Swagger2Options = {},
  ) {
    const doc =
      file instanceof URL || typeof file === 'string'
        ? (JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as Json)
        : file
    options.patch?.(doc)
    this.responses = (doc.responses ?? {}) as Json
    if (options.nullable) for (const def of Object.values(doc.definitions as Json)) nullableOptionals(def as Json)
    if (options.closed) {
      for (const def of Object.values(doc.definitions as Json) as Json[]) {
        if (def.type === 'object' && def.properties && def.additionalProperties === undefined)
          def.additionalProperties = false
      }
    }
    this.ajv = new Ajv({allErrors: true, strict: false, validateSchema: false})
    addFormats(this.ajv)
    for (const f of ['int64', 'int32', 'uint64', 'uint32', 'byte', 'double', 'float', 'T']) this.ajv.addFormat(f, true)
    this.ajv.addSchema({$id: id, definitions: doc.definitions})
    const base = options.basePath ?? ''
    const parameters = (doc.parameters ?? {}) as Json
    const resolve = (p: Json): Json =>
      typeof p.$ref === 'string' ? (parameters[p.$ref.replace('#/parameters/', '')] as Json) : p
    const paths = Object.entries({...(doc.paths as Json), ...((doc['x-ms-paths'] ?? {}) as Json)})
    for (const [key, item] of paths) {
      const [template, query = ''] = key.split('?')
      const queryKeys = query ? query.split('&').map((kv) => kv.split('=')[0]) : []
      const {regex, paramNames, literalLength} = compilePath(base + template, options.multiSegment)
      const shared = ((item as Json).parameters ?? []) as Json[]
      for (const [method, op] of Object.entries(item as Json)) {
        if (method === 'parameters') continue
        this.operations.push({
          template: base + key,
          regex,
          paramNames,
          literalLength,
          method: method.toUpperCase(),
          operationId: (op as Json).operationId,
          queryKeys,
          parameters: [...shared, ...(((op as Json).parameters ?? []) as Json[])].map(
            resolve,
          ) as Operation['parameters'],
          responses: (op as Json).responses ?? {},
        })
      }
    }
    this.operations.sort((a, b) => b.literalLength - a.literalLength || b.queryKeys.length - a.queryKeys.length)
  }

  find(
    method: string,
    pathname: string,
    query?: URLSearchParams,
  ): {op: Operation; params: Record<string, string>} | null {
    for (const op of this.operations) {
      if (op.method !== method) continue
      if (op.queryKeys.some((k) => !query?.has(k))) continue
      const m = op.regex.exec(pathname)
      if (!m) continue
      const params: Record<string, string> = {}
      op.paramNames.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1])))
      return {op, params}
    }
    return null
  }

  /** The query's violations of the operation's parameters. */
  checkQuery(op: Operation, query: URLSearchParams, where: string): Violation[] {
    const out: Violation[] = []
    for (const [name, value] of query) {
      const p = op.parameters.find((x) => x.in === 'query' && x.name === name)
      if (!p) out.push({where, problem: `unknown query parameter ${name}`})
      else if (p.type === 'boolean' && !['true', 'false'].includes(value))
        out.push({where, problem: `${name} is not a boolean`})
      else if (p.type === 'integer' && !/^-?\d+$/.test(value)) out.push({where, problem: `${name} is not an integer`})
      else if (p.enum && !p.enum.includes(value))
        out.push({where, problem: `${name} is not one of ${p.enum.join(', ')}`})
    }
    for (const p of op.parameters.filter((x) => x.required && x.in === 'query')) {
      if (!query.has(p.name)) out.push({where, problem: `missing query parameter ${p.name}`})
    }
    return out
  }

  /** The response schema of the operation for this status (else its `default`), if the description gives one. */
  responseSchema(op: Operation, status: number): Json | undefined {
    return this.response(op, status)?.schema
  }

  /** Whether the operation declares this status (a `$ref` to the description's `responses` resolved). */
  declares(op: Operation, status: number): boolean {
    return this.response(op, status) !== undefined
  }

  private response(op: Operation, status: number): {schema?: Json} | undefined {
    const r = (op.responses[String(status)] ?? op.responses.default) as Json | undefined
    const ref = typeof r?.$ref === 'string' ? /^#\/responses\/(.+)$/.exec(r.$ref) : null
    return ref ? (this.responses[ref[1]] as Json | undefined) : r
  }

  validate(schema: Json, value: unknown, where: string): Violation[] {
    const key = JSON.stringify(schema)
    let validate = this.validators.get(key)
    if (!validate) {
      validate = this.ajv.compile(this.rebase(schema) as Json)
      this.validators.set(key, validate)
    }
    if (validate(value)) return []
    return (validate.errors ?? []).map((e) => ({where, problem: describeViolation(e)}))
  }

  private rebase(schema: unknown): unknown {
    if (Array.isArray(schema)) return schema.map((s) => this.rebase(s))
    if (!schema || typeof schema !== 'object') return schema
    const out: Json = {}
    for (const [k, v] of Object.entries(schema as Json)) {
      out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `${this.id}${v}` : this.rebase(v)
    }
    return out
  }
}
