import {createHash, createHmac} from 'node:crypto'
import {readFileSync} from 'node:fs'
import type {IncomingHttpHeaders} from 'node:http'

import type {Json, Violation} from './swagger2-spec.js'

/**
 * An AWS service's published Smithy JSON model (aws/api-models-aws) for a fake server speaking its awsJson1_1
 * protocol: a request is `POST /` with `Content-Type: application/x-amz-json-1.1` and `X-Amz-Target:
 * <service>.<Operation>`; `find` names the operation (one the service's shape lists), `checkInput` holds the JSON body
 * to the operation's input shape and `checkOutput` a response body to its output shape (members by name, their
 * types, `required`, length, range, pattern and enum traits; an unknown member, a null, a wrong type is a violation),
 * `checkError` an error body to the protocol's encoding (`__type` one of the operation's errors or AWS's common
 * ones, its members the error shape's). `checkSignature` verifies a request's SigV4 `Authorization` (scope: the
 * test's access key, the region, the model's signing name; every header of the protocol signed) by computing the
 * signature anew from the canonical request with the test's secret: what a wrong key, region, service, header or
 * body gives is a violation.
 */

/** AWS's errors common to every service (https://docs.aws.amazon.com/general/latest/gr/api-retries.html and the
 * protocol's authentication failures): not in a service's model, sent by its front end. */
export const COMMON_ERRORS = [
  'AccessDeniedException',
  'IncompleteSignature',
  'InternalFailure',
  'InvalidSignatureException',
  'MissingAuthenticationToken',
  'ServiceUnavailable',
  'ThrottlingException',
  'UnrecognizedClientException',
]

export interface SmithyOperation {
  name: string
  input?: string
  output?: string
  errors: string[]
}

const PRELUDE: Record<string, string> = {
  'smithy.api#String': 'string',
  'smithy.api#Boolean': 'boolean',
  'smithy.api#PrimitiveBoolean': 'boolean',
  'smithy.api#Integer': 'integer',
  'smithy.api#PrimitiveInteger': 'integer',
  'smithy.api#Long': 'long',
  'smithy.api#PrimitiveLong': 'long',
  'smithy.api#Timestamp': 'timestamp',
}

export class SmithySpec {
  readonly target: string
  readonly signingName: string
  private readonly shapes: Record<string, Json>
  private readonly namespace: string

  constructor(file: URL) {
    this.shapes = (JSON.parse(readFileSync(file, 'utf8')) as Json).shapes as Record<string, Json>
    const [id, service] = Object.entries(this.shapes).find(([, s]) => s.type === 'service')!
    this.namespace = id.split('#')[0]
    this.target = id.split('#')[1]
    this.signingName = service.traits['aws.auth#sigv4'].name as string
    if (!service.traits['aws.protocols#awsJson1_1']) throw new Error(`${id} does not speak awsJson1_1`)
  }

  /** The operation an `X-Amz-Target` names, when the service has it. */
  find(target: string | undefined): SmithyOperation | undefined {
    const [prefix, name] = (target ?? '').split('.')
    const op = this.shapes[`${this.namespace}#${name}`]
    if (prefix !== this.target || op?.type !== 'operation') return undefined
    const errors = ((op.errors ?? []) as Json[]).map((e) => (e.target as string).split('#')[1])
    return {name, input: op.input?.target, output: op.output?.target, errors}
  }

  checkInput(op: SmithyOperation, body: unknown, where: string): Violation[] {
    if (op.input === undefined) return [{where, problem: 'the operation takes no input'}]
    return this.check(op.input, body, where, '')
  }

  checkOutput(op: SmithyOperation, body: unknown, where: string): Violation[] {
    return op.output === undefined ? [] : this.check(op.output, body, where, '')
  }

  /** An error answer: `__type` names an error of the operation (or a common one), the rest its shape's members. */
  checkError(op: SmithyOperation, body: unknown, where: string): Violation[] {
    const {__type: type, ...rest} = (body ?? {}) as Json
    if (typeof type !== 'string') return [{where, problem: 'an error body without __type'}]
    const code = type.slice(type.lastIndexOf('#') + 1)
    if (COMMON_ERRORS.includes(code)) return typeof rest.message === 'string' ? [] : [{where, problem: 'no message'}]
    if (!op.errors.includes(code)) return [{where, problem: `${code} is not an error of ${op.name}`}]
    return this.check(`${this.namespace}#${code}`, rest, where, '')
  }

  private check(id: string, value: unknown, where: string, at: string): Violation[] {
    const bad = (problem: string): Violation[] => [{where, problem: `${at || '/'}: ${problem}`}]
    if (value === null) return bad('null')
    const type = PRELUDE[id] ?? this.shapes[id]?.type
    const shape = this.shapes[id] ?? {}
    const traits = (shape.traits ?? {}) as Json
    switch (type) {
      case 'structure':
        return this.structure(shape, value, where, at)
      case 'list': {
        if (!Array.isArray(value)) return bad('must be a list')
        return [
          ...this.length(traits, value.length, bad),
          ...value.flatMap((v, i) => this.check(shape.member.target, v, where, `${at}/${i}`)),
        ]
      }
      case 'map': {
        if (typeof value !== 'object' || Array.isArray(value)) return bad('must be a map')
        return Object.entries(value as Json).flatMap(([k, v]) => [
          ...this.check(shape.key.target, k, where, `${at}/${k}(key)`),
          ...this.check(shape.value.target, v, where, `${at}/${k}`),
        ])
      }
      case 'string':
      case 'enum':
        return this.string(shape, traits, value, bad)
      case 'boolean':
        return typeof value === 'boolean' ? [] : bad('must be a boolean')
      case 'integer':
      case 'long': {
        if (!Number.isInteger(value)) return bad('must be an integer')
        const range = traits['smithy.api#range'] as Json | undefined
        const n = value as number
        return range && ((range.min !== undefined && n < range.min) || (range.max !== undefined && n > range.max))
          ? bad(`out of range ${JSON.stringify(range)}`)
          : []
      }
      case 'timestamp':
        return typeof value === 'number' ? [] : bad('must be epoch seconds')
      default:
        return bad(`shape ${id} (${String(type)}) is not checked by this fake`)
    }
  }

  private structure(shape: Json, value: unknown, where: string, at: string): Violation[] {
    if (typeof value !== 'object' || Array.isArray(value))
      return [{where, problem: `${at || '/'}: must be a structure`}]
    const members = (shape.members ?? {}) as Record<string, Json>
    const out: Violation[] = []
    for (const [name, member] of Object.entries(members))
      if (member.traits?.['smithy.api#required'] !== undefined && !(name in (value as Json)))
        out.push({where, problem: `${at}/${name}: required`})
    for (const [name, v] of Object.entries(value as Json)) {
      const member = members[name]
      if (member === undefined) out.push({where, problem: `${at || '/'}: unknown member "${name}"`})
      else out.push(...this.check(member.target as string, v, where, `${at}/${name}`))
    }
    return out
  }

  private string(shape: Json, traits: Json, value: unknown, bad: (p: string) => Violation[]): Violation[] {
    if (typeof value !== 'string') return bad('must be a string')
    const out = this.length(traits, [...value].length, bad)
    const pattern = traits['smithy.api#pattern'] as string | undefined
    if (pattern !== undefined && !new RegExp(pattern, 'u').test(value)) out.push(...bad(`must match ${pattern}`))
    const values =
      shape.type === 'enum'
        ? Object.values(shape.members as Record<string, Json>).map((m) => m.traits['smithy.api#enumValue'])
        : ((traits['smithy.api#enum'] as Json[] | undefined)?.map((e) => e.value) ?? undefined)
    if (values !== undefined && !values.includes(value)) out.push(...bad(`must be one of ${values.join(', ')}`))
    return out
  }

  private length(traits: Json, n: number, bad: (p: string) => Violation[]): Violation[] {
    const length = traits['smithy.api#length'] as Json | undefined
    if (!length) return []
    return (length.min !== undefined && n < length.min) || (length.max !== undefined && n > length.max)
      ? bad(`length ${n} out of ${JSON.stringify(length)}`)
      : []
  }

  /** The request's SigV4 signature, computed anew: scope, signed headers, the signature itself. */
  checkSignature(
    request: {method: string; path: string; headers: IncomingHttpHeaders; body: string},
    key: {accessKeyId: string; secretAccessKey: string; sessionToken?: string; region: string},
    where: string,
  ): Violation[] {
    const bad = (problem: string): Violation[] => [{where, problem: `SigV4: ${problem}`}]
    const auth = /^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      String(request.headers.authorization ?? ''),
    )
    if (!auth) return bad(`no SigV4 Authorization header: ${String(request.headers.authorization)}`)
    const [, credential, signedList, signature] = auth
    const [accessKeyId, date, region, service, terminal] = credential.split('/')
    const amzDate = String(request.headers['x-amz-date'] ?? '')
    const scope = [date, region, service, terminal].join('/')
    const expected = `${key.accessKeyId}/${amzDate.slice(0, 8)}/${key.region}/${this.signingName}/aws4_request`
    if (`${accessKeyId}/${scope}` !== expected) return bad(`credential ${credential}, expected ${expected}`)
    const signed = signedList.split(';')
    for (const h of ['host', 'x-amz-date', 'x-amz-target', 'content-type'])
      if (!signed.includes(h)) return bad(`${h} is not signed`)
    if (key.sessionToken !== undefined && request.headers['x-amz-security-token'] !== key.sessionToken)
      return bad('no session token (X-Amz-Security-Token)')
    if (key.sessionToken !== undefined && !signed.includes('x-amz-security-token'))
      return bad('the session token is not signed')
    const header = (h: string) =>
      String(request.headers[h] ?? '')
        .trim()
        .replaceAll(/\s+/g, ' ')
    const canonical = [
      request.method,
      request.path,
      '',
      ...signed.map((h) => `${h}:${header(h)}`),
      '',
      signedList,
      sha256(request.body),
    ].join('\n')
    const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n')
    let k: Buffer = hmac(`AWS4${key.secretAccessKey}`, date)
    for (const part of [region, service, 'aws4_request']) k = hmac(k, part)
    const computed = createHmac('sha256', k).update(toSign).digest('hex')
    return computed === signature ? [] : bad('the signature does not match the request')
  }
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest()
