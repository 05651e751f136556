import type {RetryPolicy} from '../../core/retry.js'
import {redact} from '../../core/secrets.js'
import {getJson, HttpUnavailable} from '../http-json.js'

/**
 * Argo CD's REST API (`/api/v1/…`, described by Argo CD's published swagger), the one module ameide talks to Argo CD
 * through. Small on purpose: `primitive status` reads one Application by name, the ApplicationSet `clusters` generator
 * lists the registered clusters (`gitops diff`, `verify --render`, `preview`). Every request carries the bearer
 * token (ARGOCD_AUTH_TOKEN, registered as a secret by the caller), is bounded by a timeout and retried on 429/5xx and
 * network failures with `core/retry.ts`; `requests` counts every HTTP request sent.
 */
export interface ArgoCdClient {
  /** The Application, or null when Argo CD answers 404 (no such application, or the token cannot see it). */
  getApplication(name: string, appNamespace?: string): Promise<ArgoApplication | null>
  /** `GET /api/v1/clusters`: every cluster the token may `get` (Argo CD leaves the others out, silently). */
  listClusters(): Promise<ArgoCluster[]>
  readonly requests: number
}

/**
 * The part of `v1alpha1Cluster` the `clusters` generator reads. Argo CD builds it from the cluster Secret
 * (util/db/cluster.go SecretToCluster): `labels` without `argocd.argoproj.io/secret-type`, `annotations` without
 * `kubectl.kubernetes.io/last-applied-configuration` and `managed-by`, `server` without a trailing slash.
 */
export interface ArgoCluster {
  name: string
  server: string
  project: string
  labels: Record<string, string>
  annotations: Record<string, string>
  namespaces: string[]
  shard?: number
  clusterResources: boolean
}

/** The part of `v1alpha1Application` status reads. */
export interface ArgoApplication {
  name: string
  /** `status.sync.status`: Synced, OutOfSync, Unknown. */
  sync: string
  /** `status.sync.revision`. */
  revision?: string
  /** `status.health.status`: Healthy, Progressing, Degraded, Suspended, Missing, Unknown. */
  health: string
  /** `status.summary.images`: every image of the application's live resources. */
  images: string[]
}

/** Why a call failed: `unauthorized` (401/403), `unavailable` (kept failing), `failed` (another answer). */
export class ArgoCdError extends Error {
  constructor(
    readonly reason: 'unauthorized' | 'unavailable' | 'failed',
    message: string,
  ) {
    super(redact(message))
    this.name = 'ArgoCdError'
  }
}

export interface ArgoCdClientOptions {
  /** https://argocd.example.com (a bare host is taken as https). */
  server: string
  token: string
  retryPolicy?: RetryPolicy
  /** Per request, ms. Default 15 s. */
  timeoutMs?: number
  /** Injectable for tests; default the global fetch. */
  fetch?: typeof fetch
}

/** `https://host[:port]` from `--argocd-server` (a bare host gets https://; a trailing slash is dropped). */
export function argoCdBaseUrl(server: string): string {
  const withScheme = /^https?:\/\//i.test(server) ? server : `https://${server}`
  return withScheme.replace(/\/+$/, '')
}

export function createArgoCdClient(options: ArgoCdClientOptions): ArgoCdClient {
  const base = argoCdBaseUrl(options.server)
  let requests = 0

  const get = async (path: string): Promise<{status: number; body: unknown}> => {
    try {
      return await getJson(`${base}${path}`, {
        headers: {Authorization: `Bearer ${options.token}`},
        onRequest: () => requests++,
        ...(options.retryPolicy ? {retryPolicy: options.retryPolicy} : {}),
        ...(options.timeoutMs ? {timeoutMs: options.timeoutMs} : {}),
        ...(options.fetch ? {fetch: options.fetch} : {}),
      })
    } catch (error) {
      if (error instanceof HttpUnavailable) throw new ArgoCdError('unavailable', error.message)
      throw error
    }
  }

  return {
    get requests() {
      return requests
    },
    async listClusters() {
      const {status, body} = await get('/api/v1/clusters')
      if (status === 401 || status === 403)
        throw new ArgoCdError('unauthorized', `Argo CD refused the token (${status}) for the cluster list.`)
      const items = (body as {items?: unknown} | null)?.items ?? []
      // A 200 that is not a JSON object (a proxy's page) is no cluster list: never read as an empty one.
      if (status !== 200 || !body || typeof body !== 'object' || !Array.isArray(items))
        throw new ArgoCdError('failed', `GET the cluster list: Argo CD answered ${status} ${messageOf(body)}`)
      return items.map(clusterOf)
    },
    async getApplication(name, appNamespace) {
      const query = appNamespace ? `?appNamespace=${encodeURIComponent(appNamespace)}` : ''
      const {status, body} = await get(`/api/v1/applications/${encodeURIComponent(name)}${query}`)
      if (status === 404) return null
      if (status === 401)
        throw new ArgoCdError('unauthorized', `Argo CD refused the token (401) for application ${name}.`)
      // Argo CD answers 403 "permission denied" alike for an application the token may not see and for a missing one:
      // which of the two cannot be known.
      if (status === 403) {
        throw new ArgoCdError(
          'unauthorized',
          `Argo CD answered 403 for application ${name}: missing, or not visible to the token.`,
        )
      }
      if (status !== 200 || !body || typeof body !== 'object') {
        throw new ArgoCdError('failed', `GET application ${name}: Argo CD answered ${status} ${messageOf(body)}`)
      }
      const app = body as {
        metadata?: {name?: string}
        status?: {
          sync?: {status?: string; revision?: string}
          health?: {status?: string}
          summary?: {images?: string[]}
        }
      }
      return {
        name: app.metadata?.name ?? name,
        sync: app.status?.sync?.status ?? 'Unknown',
        revision: app.status?.sync?.revision,
        health: app.status?.health?.status ?? 'Unknown',
        images: app.status?.summary?.images ?? [],
      }
    },
  }
}

const strings = (v: unknown): Record<string, string> =>
  v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'))
    : {}

function clusterOf(item: unknown): ArgoCluster {
  const c = (item && typeof item === 'object' ? item : {}) as Record<string, unknown>
  const text = (v: unknown) => (typeof v === 'string' ? v : '')
  return {
    name: text(c.name),
    server: text(c.server),
    project: text(c.project),
    labels: strings(c.labels),
    annotations: strings(c.annotations),
    namespaces: Array.isArray(c.namespaces) ? c.namespaces.filter((n) => typeof n === 'string') : [],
    ...(typeof c.shard === 'number' || typeof c.shard === 'string' ? {shard: Number(c.shard)} : {}),
    clusterResources: c.clusterResources === true,
  }
}

function messageOf(body: unknown): string {
  const b = body as {message?: string; error?: string} | null
  return (b?.message ?? b?.error ?? '').slice(0, 200)
}
