import {readFileSync} from 'node:fs'
import {verify} from 'node:crypto'
import type {IncomingMessage, ServerResponse} from 'node:http'

import {LoopbackServer} from './loopback.js'
import type {OidcTokenEndpoint} from './oidc.js'
import {issue, type Ca} from './pki.js'
import {Swagger2Spec} from './swagger2.js'

/**
 * Fulcio on loopback, checked against Fulcio's published descriptions of both APIs cosign calls: v1
 * (test/fixtures/sigstore/fulcio_legacy.swagger.json), which cosign 2.5 calls — `POST /api/v1/signingCert` with a
 * `fulciov1betaCreateSigningCertificateRequest` (the key as base64 of its PEM, `signedEmailAddress` the proof), answer
 * 201 with the PEM chain — and v2 (fulcio.swagger.json), which cosign 3 calls through sigstore-go — `POST
 * /api/v2/signingCert` with a `fulciov2CreateSigningCertificateRequest` (the key as PEM, `proofOfPossession`), answer
 * 200 with a `v2SigningCertificate`. Both: `Authorization: bearer <OIDC token>`; protobuf JSON, so a `null` or absent
 * field is its default (cosign 2.5 sends `"certificateSigningRequest": null`, sigstore-go leaves `credentials` out for
 * the header), as Fulcio's gateway reads them. It verifies the token with the OIDC stand-in's key and the proof of
 * possession (the subject signed with the key to certify), then issues a certificate from its CA with the SAN
 * (`https://github.com/<job_workflow_ref>`), the code-signing EKU and the issuer in extensions 1.3.6.1.4.1.57264.1.1
 * and .1.8. A refused token is 401 with an `rpcStatus`. Every response is checked against the description first.
 */
export const FULCIO_SWAGGER = new URL('../../fixtures/sigstore/fulcio_legacy.swagger.json', import.meta.url)
export const FULCIO_V2_SWAGGER = new URL('../../fixtures/sigstore/fulcio.swagger.json', import.meta.url)

interface FulcioApi {
  spec: Swagger2Spec
  /** The key to certify (PEM), the proof of possession and a token the body carries. */
  read(body: Record<string, any>): {publicKeyPem: string; proof: Buffer; token?: string}
  /** The success status and body for a PEM chain (leaf first). */
  issued(chain: string[]): {status: number; body: unknown; contentType: string}
}

const specs = new Map<string, Swagger2Spec>()
function spec(url: URL, id: string, adjust: (doc: Record<string, any>) => void = () => {}): Swagger2Spec {
  let s = specs.get(id)
  if (!s) {
    const doc = JSON.parse(readFileSync(url, 'utf8'))
    adjust(doc)
    s = new Swagger2Spec(doc, id, {closeObjects: true})
    specs.set(id, s)
  }
  return s
}

const V1: () => FulcioApi = () => ({
  spec: spec(FULCIO_SWAGGER, 'https://fulcio.sigstore.dev/swagger.json'),
  read: (body) => ({
    publicKeyPem: Buffer.from(String(body.publicKey?.content ?? ''), 'base64').toString('utf8'),
    proof: Buffer.from(String(body.signedEmailAddress ?? ''), 'base64'),
  }),
  issued: (chain) => ({
    status: 201,
    body: `${chain.join('\n')}\n`,
    contentType: 'application/pem-certificate-chain',
  }),
})

// The v2 request's `required` is the proto's field behaviour, which the gateway does not enforce on JSON: an absent
// field is its default (sigstore-go sends the token in the header, no `credentials`, no CSR).
const V2: () => FulcioApi = () => ({
  spec: spec(FULCIO_V2_SWAGGER, 'https://fulcio.sigstore.dev/v2/swagger.json', (doc) => {
    delete doc.definitions.fulciov2CreateSigningCertificateRequest.required
  }),
  read: (body) => ({
    publicKeyPem: String(body.publicKeyRequest?.publicKey?.content ?? ''),
    proof: Buffer.from(String(body.publicKeyRequest?.proofOfPossession ?? ''), 'base64'),
    token: body.credentials?.oidcIdentityToken,
  }),
  issued: (chain) => ({
    status: 200,
    body: {signedCertificateEmbeddedSct: {chain: {certificates: chain}}},
    contentType: 'application/json',
  }),
})

export class FulcioStandIn extends LoopbackServer {
  /** Refuse every token (a Fulcio not configured for this issuer). */
  refuseTokens = false
  readonly issuedFor: string[] = []
  /** The API version of each request served, in order. */
  readonly apiVersions: string[] = []

  constructor(
    private readonly ca: Ca,
    private readonly oidc: OidcTokenEndpoint,
    private readonly workDir: string,
  ) {
    super('fulcio')
  }

  protected async handle(req: IncomingMessage, res: ServerResponse, url: URL, raw: Buffer): Promise<void> {
    const where = `${req.method} ${url.pathname}`
    const api = url.pathname.startsWith('/api/v2/') ? V2() : V1()
    const op = api.spec.find(req.method ?? '', url.pathname)
    if (!op) {
      this.violation(where, 'no such operation in Fulcio’s description')
      return this.json(res, 404, {code: 5, message: 'not found', details: []})
    }
    this.apiVersions.push(url.pathname.split('/')[2])
    let body: Record<string, any>
    try {
      body = dropNulls(JSON.parse(raw.toString('utf8'))) as Record<string, any>
    } catch {
      this.violation(where, 'body is not JSON')
      return this.json(res, 400, {code: 3, message: 'bad body', details: []})
    }
    const schema = api.spec.bodySchema(op)
    const bad = schema ? api.spec.validate(schema, body, where) : []
    if (bad.length > 0) {
      this.violations.push(...bad)
      return this.answer(res, api, op, 400, {code: 3, message: 'request violates the description', details: []})
    }
    const request = api.read(body)
    const auth = req.headers.authorization ?? ''
    const token = /^bearer /i.test(auth) ? auth.slice(7) : request.token
    if (!token) return this.answer(res, api, op, 401, {code: 16, message: 'no bearer token', details: []})
    const claims = this.refuseTokens ? null : this.oidc.verifyToken(token)
    if (!claims) {
      return this.answer(res, api, op, 401, {
        code: 16,
        message: 'There was an error processing the identity token',
        details: [],
      })
    }
    if (!verify('sha256', Buffer.from(claims.sub), request.publicKeyPem, request.proof)) {
      return this.answer(res, api, op, 400, {
        code: 3,
        message: 'The signature supplied in the request could not be verified',
        details: [],
      })
    }
    const san = `https://github.com/${claims.job_workflow_ref}`
    const leaf = await issue(this.ca, this.workDir, request.publicKeyPem, [
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=codeSigning',
      `subjectAltName=critical,URI:${san}`,
      `1.3.6.1.4.1.57264.1.1=DER:${Buffer.from(claims.iss).toString('hex')}`,
      `1.3.6.1.4.1.57264.1.8=ASN1:UTF8String:${claims.iss}`,
    ])
    this.issuedFor.push(san)
    const issued = api.issued([leaf.trim(), this.ca.pem.trim()])
    const asDescribed =
      typeof issued.body === 'string'
        ? {contentType: issued.contentType, data: Buffer.from(issued.body).toString('base64')}
        : issued.body
    const violations = api.spec.validate(
      api.spec.responseSchema(op, 200) ?? {},
      asDescribed,
      `${where} -> ${issued.status}`,
    )
    if (violations.length > 0) this.violations.push(...violations)
    res.writeHead(issued.status, {'content-type': issued.contentType})
    res.end(typeof issued.body === 'string' ? issued.body : JSON.stringify(issued.body))
  }

  private answer(
    res: ServerResponse,
    api: FulcioApi,
    op: NonNullable<ReturnType<Swagger2Spec['find']>>,
    status: number,
    body: unknown,
  ): void {
    const schema = api.spec.responseSchema(op, status)
    if (schema) this.violations.push(...api.spec.validate(schema, body, `fulcio ${op.operationId} -> ${status}`))
    this.json(res, status, body)
  }
}

function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls)
  if (!value || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, dropNulls(v)]),
  )
}
