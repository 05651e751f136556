import {createHash} from 'node:crypto'

import {AmeideError, failureError, prerequisiteError, remoteError} from '../../core/errors.js'
import {
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  RetryBudgetExhausted,
  type RetryPolicy,
  withRetry,
} from '../../core/retry.js'
import {redact} from '../../core/secrets.js'
import {isTransientNetworkError} from '../network-errors.js'
import {parseRepository as parseRepositoryName, registryApiHost} from '../../images/reference.js'
import {Authorizer} from './authorizer.js'
import {DockerStyleCredentials, type CredentialLookup} from './credentials.js'
import {isPlainHttp} from './hosts.js'
import {httpExchange, type HttpExchange, type Transport} from './http.js'
import {MANIFEST_ACCEPT, type Manifest, type ManifestHead, type Registry} from './registry.js'

export type {Manifest, ManifestHead} from './registry.js'

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'

/** One entry of a referrers index: a manifest whose subject is the digest asked about. */
export interface Referrer {
  digest: string
  mediaType?: string
  artifactType?: string
  annotations?: Record<string, string>
}

/**
 * A small OCI distribution-spec client implementing `Registry` (`registry.ts`), in layers as go-containerregistry
 * splits them: the reference (`src/images/reference.ts`: which API host, which repository name), the credentials
 * (`credentials.ts`: a chain of sources), the authorizer (`authorizer.ts`: anonymous first, then the registry's
 * Basic or Bearer challenge, tokens per host and scope) and the transport (`http.ts`: node:http(s) with keep-alive
 * agents, injectable). This file adds the API calls, plain HTTP for loopback hosts and configured insecure ones, and
 * retries: every exchange is retried on 429/5xx/resets/timeouts (Retry-After honoured) with `core/retry.ts`;
 * `requests` counts every HTTP request sent (token requests included).
 */
export interface RegistryClientOptions {
  /** Hosts (with or without port) reached over plain HTTP besides loopback ones. */
  insecureHosts?: readonly string[]
  /** False: a loopback host is reached over HTTPS too, unless `insecureHosts` lists it (charts). Default true. */
  loopbackPlainHttp?: boolean
  credentials?: CredentialLookup
  retryPolicy?: RetryPolicy
  /** Per HTTP request, ms. Default 30 s. */
  timeoutMs?: number
  /** How requests are sent; default node:http(s) (`http.ts`). */
  transport?: Transport
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

/** Transient (worth another attempt) and the server's Retry-After, for withRetry. */
export function classifyRegistryError(error: unknown): {transient: boolean; retryAfterMs?: number} {
  if (error instanceof RegistryHttpError) return {transient: error.transient, retryAfterMs: error.retryAfterMs}
  if (error instanceof AmeideError) return {transient: false}
  return {transient: isTransientNetworkError(error)}
}

export function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

type Exchange = HttpExchange

type Access = 'pull' | 'push'

export class RegistryClient implements Registry {
  /** HTTP requests sent so far (token requests included). */
  requests = 0
  private readonly policy: RetryPolicy
  private readonly transport: Transport
  private readonly authorizer: Authorizer

  constructor(private readonly options: RegistryClientOptions = {}) {
    this.policy = options.retryPolicy ?? DEFAULT_RETRY_POLICY
    this.transport = options.transport ?? httpExchange
    this.authorizer = new Authorizer(options.credentials ?? new DockerStyleCredentials(), (method, url, headers) =>
      this.exchange(method, url, headers),
    )
  }

  /** A manifest request by tag or digest, with every manifest type accepted; a 404 is an answer, not an error. */
  private manifestRequest(method: 'GET' | 'HEAD', repository: string, reference: string) {
    return this.send(
      target(repository),
      method,
      `manifests/${reference}`,
      'pull',
      {Accept: MANIFEST_ACCEPT},
      undefined,
      [404],
    )
  }

  /** GET a manifest by tag or digest; null when the registry answers 404. The digest is checked against the bytes. */
  async getManifest(repository: string, reference: string): Promise<Manifest | null> {
    const res = await this.manifestRequest('GET', repository, reference)
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
    const res = await this.manifestRequest('HEAD', repository, reference)
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

  /**
   * The OCI 1.1 referrers of a manifest: the registry's referrers API, else the referrers tag schema's index
   * (`sha256-<hex>`, where clients such as cosign 3 and oras write them on a registry without the API); [] when
   * neither holds any.
   */
  async referrers(repository: string, digest: string): Promise<Referrer[]> {
    const api = await this.send(
      target(repository),
      'GET',
      `referrers/${digest}`,
      'pull',
      {Accept: OCI_INDEX},
      undefined,
      [400, 404, 405],
    )
    const bytes = api.status === 200 ? api.body : (await this.getManifest(repository, digest.replace(':', '-')))?.bytes
    if (!bytes) return []
    try {
      const index = JSON.parse(bytes.toString('utf8')) as {manifests?: Referrer[]}
      return Array.isArray(index.manifests) ? index.manifests.filter((m) => typeof m?.digest === 'string') : []
    } catch {
      return []
    }
  }

  private baseUrl(host: string): string {
    return `${isPlainHttp(host, this.options.insecureHosts, this.options.loopbackPlainHttp ?? true) ? 'http' : 'https'}://${host}`
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
    let res = await this.exchange(
      method,
      url,
      {...headers, ...(await this.authorizer.authorization(repo.host, scope))},
      body,
    )
    if (res.status === 401) {
      const authorization = await this.authorizer.challenged(repo.host, scope, res.headers.get('www-authenticate'))
      res = await this.exchange(method, url, {...headers, ...authorization}, body)
    }
    if ((res.status >= 200 && res.status < 300) || okStatuses.includes(res.status)) return res
    if (res.status === 401 || res.status === 403) {
      const credential = await this.authorizer.credentialFor(repo.host)
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
          const response = await this.transport(method, url, headers, body, this.options.timeoutMs ?? 30_000)
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
