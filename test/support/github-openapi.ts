import {Ajv, type ErrorObject, type ValidateFunction} from 'ajv'
import addFormatsModule from 'ajv-formats'
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'

/**
 * GitHub's own published OpenAPI description (npm `@octokit/openapi`), compiled with ajv so the fake
 * GitHub server can check every request it receives and every response it sends. Operations are found
 * by method + path template, exactly as GitHub routes them.
 */

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as {default?: typeof addFormatsModule}).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv

const SPEC_ID = 'https://api.github.com/openapi.json'

type Json = Record<string, any>

export interface SpecOperation {
  method: string
  template: string
  operationId: string
  /** Parameters with `$ref`s resolved. */
  parameters: {name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema: Json}[]
  requestBodySchemaPointer: string | null
  /** status -> content type -> schema pointer (null: the spec documents no body). */
  responses: Map<string, Map<string, string> | null>
}

export interface Violation {
  where: string
  problem: string
}

export interface CompiledPath {
  template: string
  regex: RegExp
  paramNames: string[]
  literalLength: number
}

export class GitHubSpec {
  readonly version: string
  private readonly doc: Json
  private readonly ajv: Ajv
  private readonly paths: CompiledPath[]
  private readonly validators = new Map<string, ValidateFunction>()

  constructor(file = 'api.github.com.json') {
    const require = createRequire(import.meta.url)
    const pkgDir = require.resolve('@octokit/openapi/package.json').replace(/package\.json$/, '')
    this.doc = JSON.parse(readFileSync(`${pkgDir}generated/${file}`, 'utf8')) as Json
    this.version = String(this.doc.info?.version)
    stripDiscriminators(this.doc.components)
    // OpenAPI 3.0 schemas: `nullable` is understood by ajv; extension keywords (x-github, example, …) are ignored.
    this.ajv = new Ajv({allErrors: true, strict: false, validateSchema: false, addUsedSchema: false})
    addFormats(this.ajv)
    this.ajv.addFormat('int64', {type: 'number', validate: (n: number) => Number.isInteger(n)})
    this.ajv.addFormat('int32', {type: 'number', validate: (n: number) => Number.isInteger(n)})
    this.ajv.addFormat('binary', true)
    this.ajv.addSchema({$id: SPEC_ID, components: this.doc.components})
    this.paths = Object.keys(this.doc.paths).map((template) => compilePath(template))
    // Most specific first: more literal characters win over parameters (/runs/{id} vs /{path}).
    this.paths.sort((a, b) => b.literalLength - a.literalLength)
  }

  /** The operation for a method and a concrete path, with its decoded path parameters. */
  findOperation(method: string, pathname: string): {operation: SpecOperation; params: Record<string, string>} | null {
    for (const p of this.paths) {
      const m = p.regex.exec(pathname)
      if (!m) continue
      const item = this.doc.paths[p.template] as Json
      const op = item[method.toLowerCase()] as Json | undefined
      if (!op) continue
      const params: Record<string, string> = {}
      p.paramNames.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1])))
      return {operation: this.operation(p.template, method.toLowerCase(), op), params}
    }
    return null
  }

  /** Validates `value` against the schema at `pointer` (a JSON pointer into the spec), returning violations. */
  validate(pointer: string, value: unknown, where: string, options: {closeTopLevel?: boolean} = {}): Violation[] {
    const key = `${pointer}|${options.closeTopLevel ? 'closed' : 'open'}`
    let validate = this.validators.get(key)
    if (!validate) {
      let schema = this.resolvePointer(pointer) as Json
      if (
        options.closeTopLevel &&
        schema.type === 'object' &&
        schema.properties &&
        schema.additionalProperties === undefined
      ) {
        // The request body's own fields: GitHub documents every accepted field, so an undocumented one is a defect.
        schema = {...schema, additionalProperties: false}
      }
      validate = this.ajv.compile(rebase(schema) as Json)
      this.validators.set(key, validate)
    }
    if (validate(value)) return []
    return (validate.errors ?? []).map((e) => ({where, problem: describeViolation(e)}))
  }

  /** Validates against an inline schema (a parameter's), whose `$ref`s point into the spec. */
  validateSchema(schema: Json, value: unknown, where: string): Violation[] {
    const key = `inline|${JSON.stringify(schema)}`
    let validate = this.validators.get(key)
    if (!validate) {
      validate = this.ajv.compile(rebase(schema) as Json)
      this.validators.set(key, validate)
    }
    if (validate(value)) return []
    return (validate.errors ?? []).map((e) => ({where, problem: describeViolation(e)}))
  }

  resolvePointer(pointer: string): unknown {
    let node: unknown = this.doc
    for (const raw of pointer.replace(/^#\//, '').split('/')) {
      const part = raw.replaceAll('~1', '/').replaceAll('~0', '~')
      node = (node as Json)?.[part]
    }
    if (node && typeof node === 'object' && '$ref' in (node as Json) && Object.keys(node as Json).length === 1) {
      return this.resolvePointer((node as Json).$ref as string)
    }
    return node
  }

  /** A `components/examples` value, for building realistic fixtures. */
  example(name: string): Json {
    return structuredClone(this.doc.components.examples[name].value) as Json
  }

  private operation(template: string, method: string, op: Json): SpecOperation {
    const base = `#/paths/${escapePointer(template)}/${method}`
    const parameters = ((op.parameters ?? []) as Json[]).map(
      (p) => (p.$ref ? this.resolvePointer(p.$ref) : p) as SpecOperation['parameters'][number],
    )
    let requestBodySchemaPointer: string | null = null
    if (op.requestBody?.content?.['application/json']?.schema) {
      requestBodySchemaPointer = `${base}/requestBody/content/application~1json/schema`
    }
    const responses = new Map<string, Map<string, string> | null>()
    for (const [status, raw] of Object.entries(op.responses as Json)) {
      let pointer = `${base}/responses/${status}`
      if ((raw as Json).$ref) pointer = (raw as Json).$ref as string
      const response = this.resolvePointer(pointer) as Json
      if (!response.content) {
        responses.set(status, null)
        continue
      }
      const byType = new Map<string, string>()
      for (const type of Object.keys(response.content as Json)) {
        byType.set(type, `${pointer}/content/${escapePointer(type)}/schema`)
      }
      responses.set(status, byType)
    }
    return {
      method: method.toUpperCase(),
      template,
      operationId: op.operationId as string,
      parameters,
      requestBodySchemaPointer,
      responses,
    }
  }
}

/** An OpenAPI path template as a regex; `{path}` (GitHub's contents path) may span slashes. Shared with Argo CD's. */
export function compilePath(template: string, multiSegment: readonly string[] = ['path']): CompiledPath {
  const paramNames: string[] = []
  let literalLength = 0
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const m = /^\{([^}]+)\}$/.exec(part)
      if (m) {
        paramNames.push(m[1])
        // Multi-segment parameters (contents `{path}`) may span slashes, encoded or not.
        return multiSegment.includes(m[1]) ? '(.+)' : '([^/]+)'
      }
      literalLength += part.length
      return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')
    })
    .join('')
  return {template, regex: new RegExp(`^${source}$`), paramNames, literalLength}
}

/** Rewrites local `#/components/...` refs to the registered spec document. */
function rebase(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rebase)
  if (!schema || typeof schema !== 'object') return schema
  const out: Json = {}
  for (const [k, v] of Object.entries(schema as Json)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/')) out[k] = `${SPEC_ID}${v}`
    else if (k === 'discriminator') continue
    else out[k] = rebase(v)
  }
  return out
}

function stripDiscriminators(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(stripDiscriminators)
  if (!node || typeof node !== 'object') return
  delete (node as Json).discriminator
  for (const v of Object.values(node as Json)) stripDiscriminators(v)
  // OpenAPI 3.0's `nullable` beside no `type` (e.g. around an allOf, as branch-with-protection's): ajv wants a type,
  // so the schema becomes "it, or null" — the same meaning, still validated.
  const n = node as Json
  if (n.nullable === true && n.type === undefined && n.properties === undefined) {
    const {nullable: _, ...rest} = n
    for (const k of Object.keys(n)) delete n[k]
    n.anyOf = [rest, {type: 'null'}]
  }
}

function escapePointer(s: string): string {
  return s.replaceAll('~', '~0').replaceAll('/', '~1')
}

/** One schema violation in a line (shared by the OpenAPI-checking stand-ins: GitHub's, Argo CD's). */
export function describeViolation(e: ErrorObject): string {
  const at = e.instancePath || '(root)'
  if (e.keyword === 'additionalProperties')
    return `${at}: unknown field "${(e.params as {additionalProperty: string}).additionalProperty}"`
  return `${at}: ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`
}

let shared: GitHubSpec | undefined
/** One parsed spec per test process (parsing takes a fraction of a second). */
export function githubSpec(): GitHubSpec {
  shared ??= new GitHubSpec()
  return shared
}
