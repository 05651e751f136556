import {createHash} from 'node:crypto'

import {AmeideError, failureError, prerequisiteError, remoteError} from '../../core/errors.js'
import {
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  RetryBudgetExhausted,
  type RetryPolicy,
  withRetry,
} from '../../core/retry.js'
import {redact, registerSecret} from '../../core/secrets.js'
import {parseChallenge, type Challenge} from './challenge.js'
import {DockerStyleCredentials, type CredentialLookup} from './credentials.js'
import {httpExchange, type HttpExchange} from './http.js'
import {parseRepository as parseRepositoryName, registryApiHost} from '../../images/reference.js'
import {isPlainHttp} from './hosts.js'

/**
 * A small OCI distribution-spec client (the subset publish needs): manifests by tag or digest (GET with the full
 * OCI + Docker Accept list, HEAD, PUT of exact bytes), tag lists and blob existence. Auth: anonymous first, then
 * the registry's challenge (Basic, or Bearer token from `realm` with `service` and `scope`). Plain HTTP for loopback
 * hosts and configured insecure ones. Every HTTP exchange is retried on 429/5xx/resets/timeouts (Retry-After
 * honoured) with `core/retry.ts`; `requests` counts every HTTP request sent (for the bench). Transport: `http.ts`
 * (node:http(s) with keep-alive agents; fetch cost ≈ 2.5× the CPU per exchange).
 */
export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
] as const

export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(', ')

export const INDEX_MEDIA_TYPES: readonly string[] = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]

export interface ManifestHead {
  digest: string
  mediaType: string
  size: number
}

export interface Manifest extends ManifestHead {
  /** The exact bytes the registry served (PUT them back unchanged to retag). */
  bytes: Buffer
}

export interface RegistryClientOptions {
  /** Hosts (with or without port) reached over plain HTTP besides loopback ones. */
  insecureHosts?: readonly string[]
  credentials?: CredentialLookup
  retryPolicy?: RetryPolicy
  /** Per HTTP request, ms. Default 30 s. */
  timeoutMs?: number
  /** Called for every HTTP request sent (method, url). */
  onRequest?: (method: string, url: string) => void
}

/** A non-2xx answer. */
export class RegistryHttpError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly body: string,
    readonly retryAfterMs?: number,
  ) {
    super(`${method} ${url} -> ${status}${body ? ` ${body.slice(0, 300)}` : ''}`)
    this.name = 'RegistryHttpError'
  }

  get transient(): boolean {
    return this.status === 429 || this.status >= 500
  }
}

const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
])

/** Transient (worth another attempt) and the server's Retry-After, for withRetry. */
export function classifyRegistryError(error: unknown): {transient: boolean; retryAfterMs?: number} {
  if (error instanceof RegistryHttpError) return {transient: error.transient, retryAfterMs: error.retryAfterMs}
  if (error instanceof AmeideError) return {transient: false}
  const e = error as {name?: string; code?: string; cause?: {code?: string; name?: string}}
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return {transient: true}
  const code = e?.cause?.code ?? e?.code
  if (code && TRANSIENT_NETWORK_CODES.has(code)) return {transient: true}
  // undici reports a dropped connection as "fetch failed" / "other side closed" / "terminated"
  if (e?.name === 'TypeError' && /fetch failed|terminated|other side closed/i.test(String((error as Error).message))) {
    return {transient: e?.cause?.code !== 'ENOTFOUND'}
  }
  return {transient: false}
}

export function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

type Exchange = HttpExchange

type Access = 'pull' | 'push'

export class RegistryClient {
  /** HTTP requests sent so far (token requests included). */
  requests = 0
  private readonly credentials: CredentialLookup
  private readonly policy: RetryPolicy
  /** Per host: 'basic' once a Basic challenge was seen; per host+scope: bearer tokens. */
  private readonly basicHosts = new Set<string>()
  private readonly tokens = new Map<string, string>()
  private readonly challenges = new Map<string, Challenge>()

  constructor(private readonly options: RegistryClientOptions = {}) {
    this.credentials = options.credentials ?? new DockerStyleCredentials()
    this.policy = options.retryPolicy ?? DEFAULT_RETRY_POLICY
  }

  /** GET a manifest by tag or digest; null when the registry answers 404. The digest is checked against the bytes. */
  async getManifest(repository: string, reference: string): Promise<Manifest | null> {
    const repo = target(repository)
    const res = await this.send(
      repo,
      'GET',
      `manifests/${reference}`,
      'pull',
      {Accept: MANIFEST_ACCEPT},
      undefined,
      [404],
    )
    if (res.status === 404) return null
    const digest = sha256Digest(res.body)
    const served = res.headers.get('docker-content-digest')
    if (served && served !== digest) {
      throw failureError(
        'REGISTRY_DIGEST_MISMATCH',
        `${repository}:${reference}: the registry's digest ${served} does not match the bytes served (${digest}).`,
      )
    }
    if (reference.startsWith('sha256:') && reference !== digest) {
      throw failureError('REGISTRY_DIGEST_MISMATCH', `${repository}@${reference}: the bytes served hash to ${digest}.`)
    }
    return {digest, mediaType: mediaTypeOf(res), size: res.body.length, bytes: res.body}
  }

  /** HEAD a manifest: its digest and media type, or null when it does not exist. */
  async headManifest(repository: string, reference: string): Promise<ManifestHead | null> {
    const repo = target(repository)
    const res = await this.send(
      repo,
      'HEAD',
      `manifests/${reference}`,
      'pull',
      {Accept: MANIFEST_ACCEPT},
      undefined,
      [404],
    )
    if (res.status === 404) return null
    const digest = res.headers.get('docker-content-digest')
    if (!digest) {
      // A registry that omits the header on HEAD: fall back to GET and hash the bytes.
      const manifest = await this.getManifest(repository, reference)
      return manifest && {digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.size}
    }
    return {digest, mediaType: mediaTypeOf(res), size: Number(res.headers.get('content-length') ?? 0)}
  }

  /** PUT the exact bytes under `reference`; returns the digest the registry reports (checked against the bytes). */
  async putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const repo = target(repository)
    const res = await this.send(repo, 'PUT', `manifests/${reference}`, 'push', {'Content-Type': mediaType}, bytes)
    const expected = sha256Digest(bytes)
    const reported = res.headers.get('docker-content-digest') ?? expected
    if (reported !== expected) {
      throw failureError(
        'REGISTRY_DIGEST_MISMATCH',
        `${repository}:${reference}: the registry stored ${reported}, expected ${expected}.`,
      )
    }
    return reported
  }

  /** All tags of a repository ([] when the repository does not exist); follows `Link` pagination. */
  async listTags(repository: string): Promise<string[]> {
    const repo = target(repository)
    const tags: string[] = []
    let next: string | undefined = 'tags/list?n=1000'
    while (next) {
      const res = await this.send(repo, 'GET', next, 'pull', {Accept: 'application/json'}, undefined, [404])
      if (res.status === 404) return tags
      const parsed = JSON.parse(res.body.toString('utf8')) as {tags?: string[] | null}
      tags.push(...(parsed.tags ?? []))
      const link = res.headers.get('link')
      const match = link ? /<([^>]+)>;\s*rel="?next"?/.exec(link) : null
      next = match ? match[1].replace(/^.*\/v2\/.+?\/tags\//, 'tags/') : undefined
    }
    return tags.sort()
  }

  /** True when the blob exists in the repository. */
  async blobExists(repository: string, digest: string): Promise<boolean> {
    const repo = target(repository)
    const res = await this.send(repo, 'HEAD', `blobs/${digest}`, 'pull', {}, undefined, [404])
    return res.status !== 404
  }

  /** GET a (small) blob, e.g. an image config. */
  async getBlob(repository: string, digest: string): Promise<Buffer> {
    const repo = target(repository)
    const res = await this.send(repo, 'GET', `blobs/${digest}`, 'pull', {})
    if (sha256Digest(res.body) !== digest) {
      throw failureError(
        'REGISTRY_DIGEST_MISMATCH',
        `${repository}@${digest}: the blob served does not match its digest.`,
      )
    }
    return res.body
  }

  private baseUrl(host: string): string {
    return `${isPlainHttp(host, this.options.insecureHosts) ? 'http' : 'https'}://${host}`
  }

  /**
   * One API call: the exchange (retried on transient failures), and on 401 one more exchange with the
   * credentials the challenge asks for. `okStatuses` lists non-2xx answers the caller handles itself.
   */
  private async send(
    repo: Target,
    method: string,
    pathAfterName: string,
    access: Access,
    headers: Record<string, string>,
    body?: Buffer,
    okStatuses: number[] = [],
  ): Promise<Exchange> {
    const url = `${this.baseUrl(repo.host)}/v2/${repo.name}/${pathAfterName}`
    const scope = `repository:${repo.name}:${access === 'push' ? 'pull,push' : 'pull'}`
    let res = await this.exchange(method, url, {...headers, ...(await this.authorization(repo.host, scope))}, body)
    if (res.status === 401) {
      const challenge = parseChallenge(res.headers.get('www-authenticate'))
      if (challenge) this.challenges.set(repo.host, challenge)
      const authorization = await this.answerChallenge(repo.host, scope, challenge)
      res = await this.exchange(method, url, {...headers, ...authorization}, body)
    }
    if ((res.status >= 200 && res.status < 300) || okStatuses.includes(res.status)) return res
    if (res.status === 401 || res.status === 403) {
      const credential = await this.credentials.get(repo.host)
      throw prerequisiteError(
        'REGISTRY_UNAUTHORIZED',
        `${method} ${repo.repository} (${pathAfterName.split('?')[0]}): the registry answered ${res.status}${credential ? ` with the credentials from ${credential.source}` : ' and no credentials were found'}.`,
        [
          `Log in to ${repo.host} (docker login / buildah login writes the docker config or REGISTRY_AUTH_FILE), or set GITHUB_TOKEN for ghcr.io (with packages: write).`,
        ],
      )
    }
    throw failureError(
      'REGISTRY_REQUEST_FAILED',
      redact(`${method} ${url} -> ${res.status} ${res.body.toString('utf8').slice(0, 300)}`),
    )
  }

  /** The Authorization header already known for this host/scope (none before the first challenge). */
  private async authorization(host: string, scope: string): Promise<Record<string, string>> {
    const token = this.tokens.get(`${host} ${scope}`)
    if (token) return {Authorization: `Bearer ${token}`}
    if (this.basicHosts.has(host)) return basicHeader(await this.credentials.get(host))
    const challenge = this.challenges.get(host)
    if (challenge?.scheme === 'bearer') return this.answerChallenge(host, scope, challenge)
    return {}
  }

  private async answerChallenge(
    host: string,
    scope: string,
    challenge: Challenge | undefined,
  ): Promise<Record<string, string>> {
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

  /** One HTTP request with retries; statuses 429/5xx and network failures are retried, others returned. */
  private async exchange(
    method: string,
    url: string,
    headers: Record<string, string>,
    body?: Buffer,
  ): Promise<Exchange> {
    try {
      return await withRetry(
        async () => {
          this.requests++
          this.options.onRequest?.(method, url)
          const response = await httpExchange(method, url, headers, body, this.options.timeoutMs ?? 30_000)
          if (response.status === 429 || response.status >= 500) {
            throw new RegistryHttpError(
              method,
              url,
              response.status,
              response.body.toString('utf8'),
              parseRetryAfter(response.headers.get('retry-after')),
            )
          }
          return response
        },
        classifyRegistryError,
        this.policy,
      )
    } catch (error) {
      if (error instanceof RetryBudgetExhausted) {
        throw remoteError(
          'REGISTRY_UNAVAILABLE',
          redact(`${method} ${url}: ${describe(error.lastError)} (gave up after ${error.attempts} attempts)`),
          [
            'The registry kept failing (429/5xx/connection errors); rerun later: a rerun reuses what was pushed and converges.',
          ],
        )
      }
      if (error instanceof AmeideError) throw error
      throw remoteError('REGISTRY_UNREACHABLE', redact(`${method} ${url}: ${describe(error)}`), [
        'Check the registry host name and network access; loopback registries and `insecureRegistries` use plain HTTP.',
      ])
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof RegistryHttpError) return `HTTP ${error.status}`
  const e = error as {message?: string; cause?: {code?: string; message?: string}}
  return [e?.message, e?.cause?.code ?? e?.cause?.message].filter(Boolean).join(': ')
}

function basicHeader(credential: {username: string; password: string} | undefined): Record<string, string> {
  if (!credential) return {}
  const value = Buffer.from(`${credential.username}:${credential.password}`).toString('base64')
  // the encoded form is as secret as the password
  registerSecret(value)
  return {Authorization: `Basic ${value}`}
}

function mediaTypeOf(res: Exchange): string {
  const header = res.headers.get('content-type')?.split(';')[0].trim()
  if (header && header !== 'application/json' && header !== 'application/octet-stream') return header
  if (res.body.length > 0) {
    try {
      const parsed = JSON.parse(res.body.toString('utf8')) as {mediaType?: string; manifests?: unknown}
      if (parsed.mediaType) return parsed.mediaType
      return parsed.manifests ? 'application/vnd.oci.image.index.v1+json' : 'application/vnd.oci.image.manifest.v1+json'
    } catch {
      // fall through
    }
  }
  return header ?? 'application/vnd.oci.image.manifest.v1+json'
}

/** Where a repository's API calls go: the API host (Docker Hub's aliases folded) and the name inside it. */
interface Target {
  /** As the caller wrote it, for messages. */
  repository: string
  host: string
  name: string
}

function target(repository: string): Target {
  const ref = parseRepositoryName(repository)
  return {repository, host: registryApiHost(ref.registry), name: ref.path}
}
