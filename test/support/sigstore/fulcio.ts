import {readFileSync} from 'node:fs'
import {verify} from 'node:crypto'
import type {IncomingMessage, ServerResponse} from 'node:http'

import {LoopbackServer} from './loopback.js'
import type {OidcTokenEndpoint} from './oidc.js'
import {issue, type Ca} from './pki.js'
import {Swagger2Spec} from './swagger2.js'

/**
 * Fulcio on loopback, checked against Fulcio's published description of the v1 API cosign 2.5 calls
 * (test/fixtures/sigstore/fulcio_legacy.swagger.json): `POST /api/v1/signingCert` with a
 * `fulciov1betaCreateSigningCertificateRequest` body (protobuf JSON: a `null` field is its default, so nulls are
 * dropped before the check), `Authorization: bearer <OIDC token>`. It verifies the token with the OIDC stand-in's
 * key and the proof of possession (the subject signed with the key to certify), then issues a certificate from its
 * CA with the SAN (`https://github.com/<job_workflow_ref>`), the code-signing EKU and the issuer in extensions
 * 1.3.6.1.4.1.57264.1.1 and .1.8; answer 201 with the PEM chain (the `apiHttpBody` the description names). A refused
 * token is 401 with an `rpcStatus`. Every response is checked against the description before it is sent.
 */
export const FULCIO_SWAGGER = new URL('../../fixtures/sigstore/fulcio_legacy.swagger.json', import.meta.url)

let spec: Swagger2Spec | undefined
const fulcioSpec = () =>
  (spec ??= new Swagger2Spec(
    JSON.parse(readFileSync(FULCIO_SWAGGER, 'utf8')),
    'https://fulcio.sigstore.dev/swagger.json',
    {
      closeObjects: true,
    },
  ))

export class FulcioStandIn extends LoopbackServer {
  /** Refuse every token (a Fulcio not configured for this issuer). */
  refuseTokens = false
  readonly issuedFor: string[] = []

  constructor(
    private readonly ca: Ca,
    private readonly oidc: OidcTokenEndpoint,
    private readonly workDir: string,
  ) {
    super('fulcio')
  }

  protected async handle(req: IncomingMessage, res: ServerResponse, url: URL, raw: Buffer): Promise<void> {
    const where = `${req.method} ${url.pathname}`
    const op = fulcioSpec().find(req.method ?? '', url.pathname)
    if (!op) {
      this.violation(where, 'no such operation in Fulcio’s description')
      return this.json(res, 404, {code: 5, message: 'not found', details: []})
    }
    let body: Record<string, unknown>
    try {
      body = dropNulls(JSON.parse(raw.toString('utf8'))) as Record<string, unknown>
    } catch {
      this.violation(where, 'body is not JSON')
      return this.json(res, 400, {code: 3, message: 'bad body', details: []})
    }
    const schema = fulcioSpec().bodySchema(op)
    const bad = schema ? fulcioSpec().validate(schema, body, where) : []
    if (bad.length > 0) {
      this.violations.push(...bad)
      return this.answer(res, op, 400, {code: 3, message: 'request violates the description', details: []})
    }
    const auth = req.headers.authorization ?? ''
    if (!/^bearer /i.test(auth)) return this.answer(res, op, 401, {code: 16, message: 'no bearer token', details: []})
    const claims = this.refuseTokens ? null : this.oidc.verifyToken(auth.slice(7))
    if (!claims) {
      return this.answer(res, op, 401, {
        code: 16,
        message: 'There was an error processing the identity token',
        details: [],
      })
    }
    const key = body.publicKey as {content: string}
    const publicKeyPem = Buffer.from(key.content, 'base64').toString('utf8')
    const proof = Buffer.from(String(body.signedEmailAddress ?? ''), 'base64')
    if (!verify('sha256', Buffer.from(claims.sub), publicKeyPem, proof)) {
      return this.answer(res, op, 400, {
        code: 3,
        message: 'The signature supplied in the request could not be verified',
        details: [],
      })
    }
    const san = `https://github.com/${claims.job_workflow_ref}`
    const leaf = await issue(this.ca, this.workDir, publicKeyPem, [
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=codeSigning',
      `subjectAltName=critical,URI:${san}`,
      `1.3.6.1.4.1.57264.1.1=DER:${Buffer.from(claims.iss).toString('hex')}`,
      `1.3.6.1.4.1.57264.1.8=ASN1:UTF8String:${claims.iss}`,
    ])
    this.issuedFor.push(san)
    const chain = `${leaf.trim()}\n${this.ca.pem.trim()}\n`
    const violations = fulcioSpec().validate(
      fulcioSpec().responseSchema(op, 200) ?? {},
      {contentType: 'application/pem-certificate-chain', data: Buffer.from(chain).toString('base64')},
      `${where} -> 201`,
    )
    if (violations.length > 0) this.violations.push(...violations)
    res.writeHead(201, {'content-type': 'application/pem-certificate-chain'})
    res.end(chain)
  }

  private answer(
    res: ServerResponse,
    op: NonNullable<ReturnType<Swagger2Spec['find']>>,
    status: number,
    body: unknown,
  ): void {
    const schema = fulcioSpec().responseSchema(op, status)
    if (schema) this.violations.push(...fulcioSpec().validate(schema, body, `fulcio ${op.operationId} -> ${status}`))
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
