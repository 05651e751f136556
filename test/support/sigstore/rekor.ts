import {createHash, generateKeyPairSync, sign} from 'node:crypto'
import {readFileSync} from 'node:fs'
import type {IncomingMessage, ServerResponse} from 'node:http'
import {parse} from 'yaml'

import {LoopbackServer} from './loopback.js'
import {Swagger2Spec} from './swagger2.js'

/**
 * Rekor on loopback, checked against Rekor's published description (test/fixtures/sigstore/rekor-openapi.yaml):
 * `POST /api/v1/log/entries` takes a `ProposedEntry`, checked against the definition its `kind` names (the
 * description's discriminator), and answers 201 with a `LogEntry` whose signed entry timestamp is an ECDSA P-256
 * signature, with this log's key, over the canonical JSON of body, integratedTime, logID and logIndex (as Rekor
 * signs it); `GET /api/v1/log/publicKey` serves the key. Each response is checked before it is sent.
 */
export const REKOR_OPENAPI = new URL('../../fixtures/sigstore/rekor-openapi.yaml', import.meta.url)

let spec: Swagger2Spec | undefined
function rekorSpec(): Swagger2Spec {
  if (spec) return spec
  const doc = parse(readFileSync(REKOR_OPENAPI, 'utf8')) as {definitions: Record<string, any>}
  // LogEntry.body is `type: object` in the description, which go-swagger generates as Go's interface{}: Rekor sends
  // the canonical entry base64-encoded (a string), and cosign reads it so. The one place the description is read as
  // Rekor's own server reads it; everything else is checked as written.
  doc.definitions.LogEntry.additionalProperties.properties.body = {type: 'string', format: 'byte'}
  spec = new Swagger2Spec(doc, 'https://rekor.sigstore.dev/openapi.json', {closeObjects: false})
  return spec
}

export class RekorStandIn extends LoopbackServer {
  readonly keys = generateKeyPairSync('ec', {namedCurve: 'P-256'})
  readonly entries: {kind: string; uuid: string}[] = []
  readonly logId: string

  constructor() {
    super('rekor')
    this.logId = createHash('sha256')
      .update(this.keys.publicKey.export({type: 'spki', format: 'der'}))
      .digest('hex')
  }

  get publicKeyPem(): string {
    return this.keys.publicKey.export({type: 'spki', format: 'pem'}).toString()
  }

  protected handle(req: IncomingMessage, res: ServerResponse, url: URL, raw: Buffer): void {
    const where = `${req.method} ${url.pathname}`
    const s = rekorSpec()
    const op = s.find(req.method ?? '', url.pathname)
    if (!op) {
      this.violation(where, 'no such operation in Rekor’s description')
      return this.json(res, 404, {code: 404, message: 'not found'})
    }
    const query = s.checkQuery(op, url.searchParams, where)
    if (query.length > 0) this.violations.push(...query)
    if (op.operationId === 'getPublicKey') {
      res.writeHead(200, {'content-type': 'application/x-pem-file'})
      return void res.end(this.publicKeyPem)
    }
    if (op.operationId !== 'createLogEntry') {
      this.violation(where, `the stand-in does not serve ${op.operationId}`)
      return this.send(res, op, 500, {code: 500, message: `not served: ${op.operationId}`})
    }
    let entry: {kind?: string}
    try {
      entry = JSON.parse(raw.toString('utf8')) as {kind?: string}
    } catch {
      this.violation(where, 'body is not JSON')
      return this.send(res, op, 400, {code: 400, message: 'body is not JSON'})
    }
    // go-swagger's discriminator: `kind` picks the definition, whose second allOf member holds the other fields.
    const {kind: _kind, ...rest} = entry as Record<string, unknown>
    const typed = entry.kind
      ? (s.definition(entry.kind)?.allOf as Record<string, unknown>[] | undefined)?.[1]
      : undefined
    const bad = [
      ...s.validate(s.bodySchema(op)!, entry, where),
      ...(typed
        ? s.validate(typed, rest, `${where} (${entry.kind})`)
        : [{where, problem: `unknown entry kind ${String(entry.kind)}`}]),
    ]
    if (bad.length > 0) {
      this.violations.push(...bad)
      return this.send(res, op, 400, {code: 400, message: 'entry violates the description'})
    }
    const body = Buffer.from(raw.toString('utf8')).toString('base64')
    const uuid = createHash('sha256').update(raw).digest('hex')
    const logIndex = this.entries.length
    const integratedTime = Math.floor(Date.now() / 1000)
    const signed = canonical({body, integratedTime, logID: this.logId, logIndex})
    const signedEntryTimestamp = sign('sha256', Buffer.from(signed), this.keys.privateKey).toString('base64')
    this.entries.push({kind: entry.kind!, uuid})
    this.send(
      res,
      op,
      201,
      {[uuid]: {body, integratedTime, logID: this.logId, logIndex, verification: {signedEntryTimestamp}}},
      {ETag: uuid, Location: `${this.url}/api/v1/log/entries/${uuid}`},
    )
  }

  private send(
    res: ServerResponse,
    op: NonNullable<ReturnType<Swagger2Spec['find']>>,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    const schema = rekorSpec().responseSchema(op, status)
    if (schema) this.violations.push(...rekorSpec().validate(schema, body, `rekor ${op.operationId} -> ${status}`))
    this.json(res, status, body, headers)
  }
}

/** RFC 8785 for the flat objects Rekor signs: keys sorted, no whitespace. */
function canonical(value: Record<string, unknown>): string {
  return `{${Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(value[k])}`)
    .join(',')}}`
}
