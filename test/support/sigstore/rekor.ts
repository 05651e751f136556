import {createHash, generateKeyPairSync, sign} from 'node:crypto'
import {readFileSync} from 'node:fs'
import type {IncomingMessage, ServerResponse} from 'node:http'
import {parse} from 'yaml'

import {LoopbackServer} from './loopback.js'
import {Swagger2Spec} from './swagger2.js'

/**
 * Rekor on loopback, checked against Rekor's published description (test/fixtures/sigstore/rekor-openapi.yaml):
 * `POST /api/v1/log/entries` takes a `ProposedEntry`, checked against the definition its `kind` names (the
 * description's discriminator), and answers 201 with a `LogEntry` as sigstore-go reads it (cosign 3): the entry's
 * canonical body (a `dsse` entry canonicalised as Rekor does — the envelope's and payload's hashes and the
 * signatures with their verifiers, no proposed content; other kinds as proposed), a signed entry timestamp (ECDSA
 * P-256, this log's key, over the canonical JSON of body, integratedTime, logID and logIndex), and an inclusion proof
 * in the RFC 6962 Merkle tree of every entry so far with a checkpoint signed as a note (origin, size, root; the key
 * hint the first four bytes of the key's SHA-256). `GET /api/v1/log/publicKey` serves the key. Each response is
 * checked before it is sent.
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
  /** The RFC 6962 leaf hashes of the entries' canonical bodies, in log order. */
  private readonly leaves: Buffer[] = []
  private readonly origin = 'rekor.stand-in - 1'

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
    const canonicalBody = canonicalEntry(entry as Record<string, any>, raw)
    const body = canonicalBody.toString('base64')
    const uuid = createHash('sha256').update(raw).digest('hex')
    const logIndex = this.entries.length
    const integratedTime = Math.floor(Date.now() / 1000)
    const signed = canonical({body, integratedTime, logID: this.logId, logIndex})
    const signedEntryTimestamp = sign('sha256', Buffer.from(signed), this.keys.privateKey).toString('base64')
    this.entries.push({kind: entry.kind!, uuid})
    this.leaves.push(hash(Buffer.from([0]), canonicalBody))
    const inclusionProof = this.inclusionProof(logIndex)
    this.send(
      res,
      op,
      201,
      {
        [uuid]: {
          body,
          integratedTime,
          logID: this.logId,
          logIndex,
          verification: {signedEntryTimestamp, inclusionProof},
        },
      },
      {ETag: uuid, Location: `${this.url}/api/v1/log/entries/${uuid}`},
    )
  }

  /** The proof of `index` in the tree of every entry so far, with the checkpoint of that tree. */
  private inclusionProof(index: number) {
    const treeSize = this.leaves.length
    const root = treeHash(this.leaves)
    const note = `${this.origin}\n${treeSize}\n${root.toString('base64')}\n`
    const keyHint = createHash('sha256')
      .update(this.keys.publicKey.export({type: 'spki', format: 'der'}))
      .digest()
      .subarray(0, 4)
    const signature = sign('sha256', Buffer.from(note), this.keys.privateKey)
    const line = `\u2014 rekor.stand-in ${Buffer.concat([keyHint, signature]).toString('base64')}\n`
    return {
      logIndex: index,
      rootHash: root.toString('hex'),
      treeSize,
      hashes: auditPath(index, this.leaves).map((h) => h.toString('hex')),
      checkpoint: `${note}\n${line}`,
    }
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

/**
 * The body Rekor stores for a proposed entry: a `dsse` entry canonicalised as Rekor's dsse v0.0.1 type does (the
 * hashes of the envelope and its payload, each signature with its verifier); other kinds as they were proposed.
 */
function canonicalEntry(entry: Record<string, any>, raw: Buffer): Buffer {
  if (entry.kind !== 'dsse') return raw
  const proposed = entry.spec.proposedContent as {envelope: string; verifiers: string[]}
  const envelope = JSON.parse(proposed.envelope) as {payload: string; signatures: {sig: string}[]}
  const sha256 = (data: Buffer | string) => ({
    algorithm: 'sha256',
    value: createHash('sha256').update(data).digest('hex'),
  })
  return Buffer.from(
    canonicalJson({
      apiVersion: entry.apiVersion,
      kind: 'dsse',
      spec: {
        envelopeHash: sha256(proposed.envelope),
        payloadHash: sha256(Buffer.from(envelope.payload, 'base64')),
        signatures: envelope.signatures.map((s, i) => ({
          signature: s.sig,
          verifier: proposed.verifiers[i] ?? proposed.verifiers[0],
        })),
      },
    }),
  )
}

/** RFC 8785 for nested JSON of strings, numbers, arrays and objects: keys sorted, no whitespace. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(value)
}

function hash(...parts: Buffer[]): Buffer {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return h.digest()
}

/** The largest power of two below n (n > 1). */
function split(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/** RFC 6962's Merkle tree hash over leaf hashes. */
function treeHash(leaves: Buffer[]): Buffer {
  if (leaves.length === 1) return leaves[0]
  const k = split(leaves.length)
  return hash(Buffer.from([1]), treeHash(leaves.slice(0, k)), treeHash(leaves.slice(k)))
}

/** RFC 6962's audit path of leaf m, bottom up. */
function auditPath(m: number, leaves: Buffer[]): Buffer[] {
  if (leaves.length <= 1) return []
  const k = split(leaves.length)
  return m < k
    ? [...auditPath(m, leaves.slice(0, k)), treeHash(leaves.slice(k))]
    : [...auditPath(m - k, leaves.slice(k)), treeHash(leaves.slice(0, k))]
}
