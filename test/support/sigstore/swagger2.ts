import {Ajv, type ValidateFunction} from 'ajv'
import addFormatsModule from 'ajv-formats'

import {compilePath, describeViolation} from '../github-openapi.js'

/**
 * A published Swagger 2.0 description (Fulcio's, Rekor's: test/fixtures/sigstore/) compiled with ajv, as the GitHub
 * and Argo CD stand-ins do with theirs: an operation is found by method and path template (the project's path
 * compiler), a body is checked against its operation's `in: body` schema, a query against its parameters, a
 * response against the schema of its status (else `default`). With `closeObjects` (Fulcio's, generated from
 * protobuf messages that list every field) an object that lists its properties is closed, so an invented field is a
 * violation. `$ref`s to files outside the description (Rekor's per-type schemas) are not shipped with it: they
 * become `{type: object}`, and the envelope around them is still checked.
 */
const addFormats = ((addFormatsModule as unknown as {default?: typeof addFormatsModule}).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv

type Json = Record<string, any>

export interface Violation {
  where: string
  problem: string
}

export interface Swagger2Operation {
  template: string
  method: string
  operationId: string
  parameters: Json[]
  responses: Record<string, Json>
}

export class Swagger2Spec {
  private readonly ajv: Ajv
  private readonly operations: (Swagger2Operation & ReturnType<typeof compilePath>)[] = []
  private readonly validators = new Map<string, ValidateFunction>()
  readonly doc: Json

  constructor(
    doc: Json,
    private readonly id: string,
    options: {closeObjects: boolean},
  ) {
    this.doc = localise(doc) as Json
    for (const def of Object.values(this.doc.definitions as Json) as Json[]) {
      if (options.closeObjects && def.type === 'object' && def.properties && def.additionalProperties === undefined)
        def.additionalProperties = false
    }
    this.ajv = new Ajv({allErrors: true, strict: false, validateSchema: false})
    addFormats(this.ajv)
    for (const f of ['int64', 'int32', 'uint64', 'uint32', 'double', 'float', 'signedCheckpoint'])
      this.ajv.addFormat(f, true)
    this.ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/)
    this.ajv.addSchema({$id: id, definitions: this.doc.definitions, responses: this.doc.responses ?? {}})
    for (const [template, item] of Object.entries(this.doc.paths as Json)) {
      const compiled = compilePath(template)
      for (const [method, op] of Object.entries(item as Json)) {
        if (method === 'parameters') continue
        this.operations.push({
          ...compiled,
          template,
          method: method.toUpperCase(),
          operationId: (op as Json).operationId,
          parameters: [...((item as Json).parameters ?? []), ...((op as Json).parameters ?? [])],
          responses: (op as Json).responses ?? {},
        })
      }
    }
    this.operations.sort((a, b) => b.literalLength - a.literalLength)
  }

  find(method: string, pathname: string): Swagger2Operation | null {
    return this.operations.find((op) => op.method === method && op.regex.test(pathname)) ?? null
  }

  /** The query parameters against the operation's (unknown, missing or malformed → violations). */
  checkQuery(op: Swagger2Operation, query: URLSearchParams, where: string): Violation[] {
    const out: Violation[] = []
    const declared = op.parameters.filter((p) => p.in === 'query')
    for (const name of query.keys()) {
      if (!declared.some((p) => p.name === name)) out.push({where, problem: `unknown query parameter "${name}"`})
    }
    for (const p of declared) {
      const value = query.get(p.name)
      if (value === null) {
        if (p.required) out.push({where, problem: `missing query parameter "${p.name}"`})
        continue
      }
      const {name: _n, in: _i, required: _r, description: _d, ...schema} = p
      const typed = p.type === 'integer' ? Number(value) : value
      out.push(...this.validate(schema, typed, `${where} ?${p.name}`))
    }
    return out
  }

  /** The body parameter's schema of `op`, or null. */
  bodySchema(op: Swagger2Operation): Json | null {
    return op.parameters.find((p) => p.in === 'body')?.schema ?? null
  }

  /** The response schema for `status` (else `default`); null: the description documents no body. */
  responseSchema(op: Swagger2Operation, status: number): Json | null | undefined {
    let response = op.responses[String(status)] ?? op.responses.default
    if (!response) return undefined
    if (response.$ref) response = this.resolve(response.$ref as string)
    return (response.schema as Json | undefined) ?? null
  }

  /** The schema of a named definition (`#/definitions/<name>`). */
  definition(name: string): Json | undefined {
    return this.doc.definitions[name] as Json | undefined
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

  private resolve(ref: string): Json {
    let node: unknown = this.doc
    for (const part of ref.replace(/^#\//, '').split('/')) node = (node as Json)[part]
    return node as Json
  }

  private rebase(schema: unknown): unknown {
    if (Array.isArray(schema)) return schema.map((s) => this.rebase(s))
    if (!schema || typeof schema !== 'object') return schema
    const out: Json = {}
    for (const [k, v] of Object.entries(schema as Json)) {
      if (k === 'discriminator') continue
      out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `${this.id}${v}` : this.rebase(v)
    }
    return out
  }
}

/** `$ref`s to files the description does not carry become `{type: object}` (see the class comment). */
function localise(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(localise)
  if (!node || typeof node !== 'object') return node
  const out: Json = {}
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === '$ref' && typeof v === 'string' && !v.startsWith('#/')) continue
    out[k] = localise(v)
  }
  return out
}
