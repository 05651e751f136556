/**
 * The one network effect of remote charts: a Helm repository's `index.yaml` and a chart archive over HTTPS (plain
 * HTTP only to the hosts the caller lists as insecure), and an OCI chart pulled with the registry client
 * (./registry/client.ts: manifest, then the chart layer, each checked against its digest). Every request is bounded —
 * a time-out and a largest body, past which the connection is dropped — and retried on transient failures only
 * (core/retry.ts). TLS trusts Node's roots, the system's (where this Node can read them), NODE_EXTRA_CA_CERTS and
 * SSL_CERT_FILE. No credential is sent over plain HTTP charts repositories; the registry client is given only the
 * credentials of the hosts the caller allows. Nothing here decides what may be fetched: src/gitops/helm/charts/ does.
 */
import {readFileSync} from 'node:fs'
import {Agent as HttpsAgent} from 'node:https'
import tls from 'node:tls'

import {DEFAULT_RETRY_POLICY, RetryBudgetExhausted, withRetry, type RetryPolicy} from '../core/retry.js'
import {redact} from '../core/secrets.js'
import {isTransientNetworkError} from './network-errors.js'
import {RegistryClient} from './registry/client.js'
import type {CredentialLookup} from './registry/credentials.js'
import {exchangeOnce, type HttpExchange} from './registry/http.js'

export interface ChartFetchLimits {
  /** Largest chart archive (compressed), and largest OCI chart layer. */
  archiveBytes: number
  /** Largest index.yaml. */
  indexBytes: number
  /** One request, headers and body. */
  timeoutMs: number
}

/** A request that could not be answered: `limit` when a bound stopped it (a `render-limit`), else unavailable. */
export class ChartFetchError extends Error {
  constructor(
    message: string,
    readonly limit?: 'size' | 'time',
  ) {
    super(redact(message))
    this.name = 'ChartFetchError'
  }
}

/** What source-controller fails on too (an OCIRepository's layer that is not there): the release does not render. */
export class OciArtifactError extends Error {
  override name = 'OciArtifactError'
}

const OCI_CHART_LAYER = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip'

interface ManifestLayer {
  mediaType?: string
  digest?: string
  size?: number
}
type ChosenLayer = ManifestLayer & {digest: string}

/** An OCIRepository's `layerSelector.mediaType` (undefined: none set). */
export interface OciLayerSelector {
  mediaType?: string
}

/** Helm's chart layer: the one of the chart's media type. */
function helmChartLayer(layers: readonly ManifestLayer[]): ChosenLayer | string {
  const layer = layers.find((l) => l.mediaType === OCI_CHART_LAYER)
  return layer?.digest ? (layer as ChosenLayer) : 'holds no Helm chart layer'
}

/**
 * source-controller v1.9.1's selectLayer (internal/controller/ocirepository_controller.go): the first layer of the
 * selector's media type, or the first layer when it names none; its errors' words.
 */
function selectLayer(layers: readonly ManifestLayer[], selector: OciLayerSelector): ChosenLayer | string {
  if (layers.length === 0) return 'no layers found in artifact'
  const layer = selector.mediaType ? layers.find((l) => l.mediaType === selector.mediaType) : layers[0]
  if (!layer) return `failed to find layer with media type '${selector.mediaType}' in artifact`
  return layer.digest ? (layer as ChosenLayer) : 'failed to parse artifact layers: a layer without a digest'
}
const MAX_REDIRECTS = 5

export interface ChartRepositoryOptions {
  limits: ChartFetchLimits
  /**
   * Hosts (`host` or `host:port`) reached over plain HTTP: what the base's sources call insecure and ameide.yaml's
   * `gitopsPolicy.charts.insecure`. Every other host, loopback included, over HTTPS, as Helm and Flux reach it.
   */
  insecureHosts: readonly string[]
  /** Registry credentials, already narrowed to the hosts the caller allows. */
  credentials: CredentialLookup
  /**
   * The `Authorization` of a chart repository's request over HTTP(S) (the user's Helm repository credentials,
   * ./helm-repositories.ts): for its own origin only; a redirect to another origin is sent none.
   */
  basicAuth?: (url: URL) => string | undefined
  retryPolicy?: RetryPolicy
}

export class ChartRepository {
  /** HTTP requests sent (registry token requests included). */
  get requests(): number {
    return this.sent + this.registry.requests
  }
  private sent = 0
  private readonly registry: RegistryClient
  private readonly agent = new HttpsAgent({keepAlive: true, ca: trustedRoots()})

  constructor(private readonly options: ChartRepositoryOptions) {
    this.registry = new RegistryClient({
      insecureHosts: options.insecureHosts,
      loopbackPlainHttp: false,
      credentials: options.credentials,
      timeoutMs: options.limits.timeoutMs,
      transport: (method, url, headers, body, timeoutMs) =>
        this.exchange(method, url, headers, timeoutMs, options.limits.archiveBytes, body),
      ...(options.retryPolicy ? {retryPolicy: options.retryPolicy} : {}),
    })
  }

  /** A Helm repository's index.yaml (`repository`: its URL). */
  index(repository: string): Promise<Buffer> {
    return this.get(`${repository.replace(/\/+$/, '')}/index.yaml`, this.options.limits.indexBytes)
  }

  /** A chart archive by its URL. */
  archive(url: string): Promise<Buffer> {
    return this.get(url, this.options.limits.archiveBytes)
  }

  /**
   * An OCI chart (`host/path/name`) by tag or `sha256:` digest: the manifest's digest and the chart layer's bytes
   * (the registry client checks both against their digests; the layer's declared size against the limit first).
   * The chart layer is Helm's (its media type); with `layer`, source-controller's choice for an OCIRepository.
   */
  async oci(
    repository: string,
    reference: string,
    layer?: OciLayerSelector,
  ): Promise<{manifestDigest: string; archive: Buffer}> {
    try {
      const manifest = await this.registry.getManifest(repository, reference)
      if (!manifest) throw new ChartFetchError(`oci://${repository}:${reference} does not exist in the registry`)
      const parsed = JSON.parse(manifest.bytes.toString('utf8')) as {layers?: ManifestLayer[]}
      const chosen = layer ? selectLayer(parsed.layers ?? [], layer) : helmChartLayer(parsed.layers ?? [])
      if (typeof chosen === 'string')
        throw new (layer ? OciArtifactError : ChartFetchError)(`oci://${repository}@${manifest.digest}: ${chosen}`)
      if ((chosen.size ?? 0) > this.options.limits.archiveBytes)
        throw new ChartFetchError(
          `its chart layer is ${chosen.size} bytes, over the ${this.options.limits.archiveBytes}`,
          'size',
        )
      const archive = await this.registry.getBlob(repository, chosen.digest)
      return {manifestDigest: manifest.digest, archive}
    } catch (error) {
      if (error instanceof ChartFetchError || error instanceof OciArtifactError) throw error
      const limited = /over the \d+-byte limit/.test((error as Error).message)
      throw new ChartFetchError(
        `oci://${repository}:${reference}: ${(error as Error).message}`,
        limited ? 'size' : undefined,
      )
    }
  }

  private async get(url: string, maxBytes: number): Promise<Buffer> {
    try {
      const res = await withRetry(
        async () => {
          const auth = this.options.basicAuth?.(new URL(url))
          const headers: Record<string, string> = auth ? {authorization: auth} : {}
          const r = await this.exchange('GET', url, headers, this.options.limits.timeoutMs, maxBytes)
          if (r.status === 429 || r.status >= 500) throw Object.assign(new Error(`HTTP ${r.status}`), {transient: true})
          return r
        },
        (error) => ({
          transient: (error as {transient?: boolean}).transient === true || isTransientNetworkError(error),
        }),
        this.options.retryPolicy ?? DEFAULT_RETRY_POLICY,
      )
      if (res.status !== 200) throw new ChartFetchError(`GET ${url} answered HTTP ${res.status}`)
      return res.body
    } catch (error) {
      if (error instanceof ChartFetchError) throw error
      const last = error instanceof RetryBudgetExhausted ? error.lastError : error
      if (last instanceof ChartFetchError) throw last
      const timedOut = (last as {name?: string}).name === 'TimeoutError'
      throw new ChartFetchError(
        `GET ${url}: ${(last as Error).message}${error instanceof RetryBudgetExhausted ? ` (gave up after ${error.attempts} attempts)` : ''}`,
        timedOut ? 'time' : undefined,
      )
    }
  }

  /** One exchange, redirects followed (Authorization dropped across origins), bounded in time and bytes. */
  private async exchange(
    method: string,
    url: string,
    headers: Record<string, string>,
    timeoutMs: number,
    maxBytes: number,
    body?: Buffer,
  ): Promise<HttpExchange> {
    const deadline = Date.now() + timeoutMs
    let current = new URL(url)
    let sendHeaders = headers
    for (let redirects = 0; ; redirects++) {
      this.refuseInsecure(current)
      this.sent++
      const at = current
      const res = await exchangeOnce(method, at, sendHeaders, body, {
        timeoutMs: Math.max(1, deadline - Date.now()),
        ...(at.protocol === 'https:' ? {agent: this.agent} : {}),
        maxBytes,
        tooBig: () =>
          new ChartFetchError(`${method} ${at.href}: the answer is over the ${maxBytes}-byte limit`, 'size'),
      })
      const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null
      if (!location) return res
      if (redirects >= MAX_REDIRECTS) throw new ChartFetchError(`${method} ${url}: too many redirects`)
      const next = new URL(location, current)
      if (next.origin !== current.origin)
        sendHeaders = Object.fromEntries(
          Object.entries(sendHeaders).filter(([k]) => k.toLowerCase() !== 'authorization'),
        )
      current = next
    }
  }

  /** Plain HTTP only to a host listed as insecure (with or without its port). */
  private refuseInsecure(url: URL): void {
    if (url.protocol === 'https:') return
    if (url.protocol !== 'http:') throw new ChartFetchError(`${url.href}: unsupported protocol ${url.protocol}`)
    const listed = this.options.insecureHosts
    if (!listed.includes(url.host) && !listed.includes(url.hostname))
      throw new ChartFetchError(
        `${url.origin} is plain HTTP and ${url.host} is not insecure (its source does not say \`insecure\`, nor does gitopsPolicy.charts.insecure list it): it is not requested`,
      )
  }
}

/** Node's roots (with NODE_EXTRA_CA_CERTS), the system's where this Node reads them, and SSL_CERT_FILE. */
function trustedRoots(): string[] | undefined {
  const get = (tls as unknown as {getCACertificates?: (type: string) => string[]}).getCACertificates
  const roots: string[] = get ? [...get('default'), ...safe(() => get('system'))] : [...tls.rootCertificates]
  const file = process.env.SSL_CERT_FILE
  if (file) roots.push(...safe(() => [readFileSync(file, 'utf8')]))
  if (!get && process.env.NODE_EXTRA_CA_CERTS)
    roots.push(...safe(() => [readFileSync(process.env.NODE_EXTRA_CA_CERTS!, 'utf8')]))
  return roots
}

function safe(read: () => string[]): string[] {
  try {
    return read()
  } catch {
    return []
  }
}
