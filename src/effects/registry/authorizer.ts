import {failureError, prerequisiteError} from '../../core/errors.js'
import {registerSecret} from '../../core/secrets.js'
import {parseChallenge, type Challenge} from './challenge.js'
import type {CredentialLookup, RegistryCredential} from './credentials.js'
import type {HttpExchange} from './http.js'

/**
 * The registry's auth state, per host: anonymous until the first 401, then the challenge it answered with. Basic:
 * the host's credentials on every request from then on. Bearer: the distribution token flow (GET realm with
 * `service` and `scope`, Basic credentials when there are any), one token per host and scope, reused. Tokens go
 * through `exchange` (the client's, so they are retried and counted like every other request).
 */
export type TokenExchange = (method: string, url: string, headers: Record<string, string>) => Promise<HttpExchange>

export class Authorizer {
  /** Hosts that answered with a Basic challenge (or none). */
  private readonly basicHosts = new Set<string>()
  /** Bearer tokens by `host scope`. */
  private readonly tokens = new Map<string, string>()
  private readonly challenges = new Map<string, Challenge>()

  constructor(
    private readonly credentials: CredentialLookup,
    private readonly exchange: TokenExchange,
  ) {}

  /** The Authorization header already known for this host/scope (none before the first challenge). */
  async authorization(host: string, scope: string): Promise<Record<string, string>> {
    const token = this.tokens.get(`${host} ${scope}`)
    if (token) return {Authorization: `Bearer ${token}`}
    if (this.basicHosts.has(host)) return basicHeader(await this.credentials.get(host))
    const challenge = this.challenges.get(host)
    if (challenge?.scheme === 'bearer') return this.answer(host, scope, challenge)
    return {}
  }

  /** A 401 with this `WWW-Authenticate`: remember the challenge and return the header that answers it. */
  async challenged(host: string, scope: string, wwwAuthenticate: string | null): Promise<Record<string, string>> {
    const challenge = parseChallenge(wwwAuthenticate)
    if (challenge) this.challenges.set(host, challenge)
    return this.answer(host, scope, challenge)
  }

  /** The credentials for a host, for messages (which say where they came from, never what they are). */
  credentialFor(host: string): Promise<RegistryCredential | undefined> {
    return this.credentials.get(host)
  }

  private async answer(host: string, scope: string, challenge: Challenge | undefined): Promise<Record<string, string>> {
    if (!challenge || challenge.scheme === 'basic') {
      this.basicHosts.add(host)
      return basicHeader(await this.credentials.get(host))
    }
    const token = await this.fetchToken(host, scope, challenge)
    this.tokens.set(`${host} ${scope}`, token)
    return {Authorization: `Bearer ${token}`}
  }

  /** The distribution token flow: GET realm?service=…&scope=…, with Basic credentials when there are any. */
  private async fetchToken(host: string, scope: string, challenge: Challenge): Promise<string> {
    const realm = new URL(challenge.params.realm)
    if (challenge.params.service) realm.searchParams.set('service', challenge.params.service)
    realm.searchParams.set('scope', scope)
    const credential = await this.credentials.get(host)
    const res = await this.exchange('GET', realm.toString(), basicHeader(credential))
    if (res.status !== 200) {
      throw prerequisiteError(
        'REGISTRY_UNAUTHORIZED',
        `The token service of ${host} answered ${res.status} for ${scope}.`,
        [`Log in to ${host} (docker config, REGISTRY_AUTH_FILE) or set GITHUB_TOKEN for ghcr.io.`],
      )
    }
    const parsed = JSON.parse(res.body.toString('utf8')) as {token?: string; access_token?: string}
    const token = parsed.token ?? parsed.access_token
    if (!token) throw failureError('REGISTRY_REQUEST_FAILED', `The token service of ${host} returned no token.`)
    registerSecret(token)
    return token
  }
}

function basicHeader(credential: {username: string; password: string} | undefined): Record<string, string> {
  if (!credential) return {}
  const value = Buffer.from(`${credential.username}:${credential.password}`).toString('base64')
  // the encoded form is as secret as the password
  registerSecret(value)
  return {Authorization: `Basic ${value}`}
}
