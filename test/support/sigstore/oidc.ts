import {generateKeyPairSync, sign, verify, type KeyObject} from 'node:crypto'
import type {IncomingMessage, ServerResponse} from 'node:http'

import {LoopbackServer} from './loopback.js'

/**
 * GitHub Actions' OIDC token endpoint on loopback (what `ACTIONS_ID_TOKEN_REQUEST_URL` points at). GitHub publishes
 * no OpenAPI description of it; its contract is the Actions toolkit's (`@actions/core` getIDToken) and what cosign
 * 2.5 sends, recorded in test/fixtures/sigstore/README.md: `GET <url>&audience=sigstore`, `Authorization: bearer
 * <request token>` (any case of the scheme), answer `{"value": "<JWT>"}`. Anything else is a violation. The JWT is
 * ES256, signed with this issuer's key; `verifyToken` is what the Fulcio stand-in trusts.
 */
export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com'

export interface OidcBehaviour {
  /** Answer 401 or 403 to the next requests (a job without `permissions: id-token: write`). */
  refuse?: 401 | 403
  /** Serve this many more tokens, then refuse with 403 (a refusal in the middle of a run). */
  refuseAfter?: number
  /** `job_workflow_ref` of the tokens: the workflow the certificate will name. */
  jobWorkflowRef: string
  /** `repository` claim. */
  repository: string
}

export interface TokenClaims {
  iss: string
  sub: string
  aud: string
  exp: number
  iat: number
  nbf: number
  repository: string
  job_workflow_ref: string
  ref: string
}

export class OidcTokenEndpoint extends LoopbackServer {
  readonly issuer = GITHUB_ISSUER
  /** Every identity token issued (tests grep output for them). */
  readonly issued: string[] = []
  private readonly keys = generateKeyPairSync('ec', {namedCurve: 'P-256'})

  constructor(
    readonly requestToken: string,
    public behaviour: OidcBehaviour,
  ) {
    super('oidc')
  }

  /** The value of ACTIONS_ID_TOKEN_REQUEST_URL (the runner's carries a query already; cosign appends `&audience=`). */
  get requestUrl(): string {
    return `${this.url}/_apis/distributedtask/hubs/build/plans/1/jobs/2/idtoken?api-version=2.0`
  }

  protected handle(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const where = `${req.method} ${url.pathname}`
    if (req.method !== 'GET' || !url.pathname.endsWith('/idtoken')) {
      this.violation(where, 'not the token endpoint (GET …/idtoken)')
      return this.json(res, 404, {message: 'not found'})
    }
    const audience = url.searchParams.get('audience')
    if (url.searchParams.get('api-version') !== '2.0' || audience !== 'sigstore') {
      this.violation(where, `query must be api-version=2.0&audience=sigstore, was ${url.search}`)
    }
    const auth = req.headers.authorization ?? ''
    if (!/^bearer /i.test(auth)) this.violation(where, 'no bearer Authorization')
    if (this.behaviour.refuseAfter !== undefined && this.behaviour.refuseAfter-- <= 0) this.behaviour.refuse ??= 403
    if (this.behaviour.refuse) return this.json(res, this.behaviour.refuse, {message: 'Forbidden'})
    if (auth.slice(7) !== this.requestToken) return this.json(res, 401, {message: 'Bad credentials'})
    const token = this.mint(audience ?? '')
    this.json(res, 200, {value: token, count: 1})
  }

  /** A token for the current behaviour's repository and workflow (also what a job would put in SIGSTORE_ID_TOKEN). */
  mint(audience = 'sigstore'): string {
    const now = Math.floor(Date.now() / 1000)
    const claims: TokenClaims = {
      iss: this.issuer,
      sub: `repo:${this.behaviour.repository}:ref:refs/heads/main`,
      aud: audience,
      exp: now + 300,
      iat: now,
      nbf: now - 5,
      repository: this.behaviour.repository,
      job_workflow_ref: this.behaviour.jobWorkflowRef,
      ref: 'refs/heads/main',
    }
    const token = this.sign(claims)
    this.issued.push(token)
    return token
  }

  sign(claims: object): string {
    const header = b64url(JSON.stringify({alg: 'ES256', typ: 'JWT', kid: 'stand-in'}))
    const body = b64url(JSON.stringify(claims))
    const signature = sign('sha256', Buffer.from(`${header}.${body}`), {
      key: this.keys.privateKey,
      dsaEncoding: 'ieee-p1363',
    })
    return `${header}.${body}.${signature.toString('base64url')}`
  }

  /** The claims of a token this issuer signed and that has not expired; null otherwise. */
  verifyToken(token: string): TokenClaims | null {
    return verifyJwt(token, this.keys.publicKey)
  }
}

export function verifyJwt(token: string, key: KeyObject): TokenClaims | null {
  const [header, body, signature] = token.split('.')
  if (!header || !body || !signature) return null
  const ok = verify(
    'sha256',
    Buffer.from(`${header}.${body}`),
    {key, dsaEncoding: 'ieee-p1363'},
    Buffer.from(signature, 'base64url'),
  )
  if (!ok) return null
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenClaims
  return claims.exp > Date.now() / 1000 ? claims : null
}

function b64url(text: string): string {
  return Buffer.from(text).toString('base64url')
}
