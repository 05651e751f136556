import type {IncomingMessage, Server, ServerResponse} from 'node:http'

import {closeLoopback, listenLoopback} from './loopback.js'
import {Swagger2Spec, type Json, type Violation} from './swagger2-spec.js'

/**
 * A fake Argo CD API server on 127.0.0.1. Argo CD's own published swagger description (Swagger 2.0,
 * /work/shared/reference/argocd-swagger.json, copied to test/fixtures/argocd-swagger.json) is compiled with ajv, as
 * test/support/github-openapi.ts does with GitHub's: every request is matched to its operation by method and path
 * template (an unknown path, method or query parameter, or a parameter of the wrong type, is a violation) and must
 * carry the bearer token; every response body is validated against the operation's schema for its status (the
 * `default` runtimeError for errors) before it is sent. The description's objects are closed (it lists every field
 * Argo CD's protobuf messages have), so a made-up field is a violation too. A violation is recorded (assert
 * `violations` is empty) and answered 500.
 */

const SPEC_ID = 'https://argo-cd.readthedocs.io/swagger.json'
export const ARGOCD_SWAGGER = new URL('../fixtures/argocd-swagger.json', import.meta.url)

export type ArgoSpec = Swagger2Spec

let shared: ArgoSpec | undefined
export function argoSpec(): ArgoSpec {
  shared ??= new Swagger2Spec(ARGOCD_SWAGGER, SPEC_ID, {closed: true})
  return shared
}

export interface FakeApplication {
  sync: 'Synced' | 'OutOfSync' | 'Unknown'
  health: 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown'
  images: string[]
  revision?: string
  /** The token may not see it: Argo CD answers 403 "permission denied". */
  forbidden?: boolean
}

export interface ArgoRequest {
  method: string
  path: string
  operationId: string | null
}

/** A cluster Secret as the `clusters` generator reads it (`argocd.argoproj.io/secret-type: cluster` implied). */
export interface FakeClusterSecret {
  name: string
  server: string
  project?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
}

export class FakeArgoCd {
  readonly violations: Violation[] = []
  readonly requests: ArgoRequest[] = []
  readonly apps = new Map<string, FakeApplication>()
  /** What `GET /api/v1/clusters` lists, as Argo CD serves each (clusterJson, localClusterJson). */
  clusters: Json[] = []
  url = ''
  /** The next this-many requests answer 503. */
  failNext = 0
  private server: Server | undefined
  private readonly spec = argoSpec()

  constructor(readonly token: string) {}

  async start(): Promise<this> {
    ;({server: this.server, url: this.url} = await listenLoopback((req, res) => void this.handle(req, res)))
    return this
  }

  async stop(): Promise<void> {
    await closeLoopback(this.server)
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, {'content-type': 'application/json'})
    res.end(JSON.stringify(body))
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for await (const _ of req) void _
    const url = new URL(req.url ?? '/', this.url)
    const found = this.spec.find(req.method ?? 'GET', url.pathname)
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname + url.search,
      operationId: found?.op.operationId ?? null,
    })
    const where = `${req.method} ${url.pathname}`
    if (!found) {
      this.violations.push({where, problem: 'no such operation in Argo CD swagger'})
      return this.send(res, 500, {message: 'unknown operation'})
    }
    const violations = this.spec.checkQuery(found.op, url.searchParams, where)
    if (violations.length > 0) {
      this.violations.push(...violations)
      return this.send(res, 500, {message: 'request violates the swagger description'})
    }
    const answer = this.behave(found.op.operationId, found.params, req.headers.authorization)
    const schema = this.spec.responseSchema(found.op, answer.status)
    const bad = schema ? this.spec.validate(schema, answer.body, `${where} -> ${answer.status}`) : []
    if (bad.length > 0) {
      this.violations.push(...bad)
      return this.send(res, 500, {message: 'response violates the swagger description'})
    }
    this.send(res, answer.status, answer.body)
  }

  private behave(
    operationId: string,
    params: Record<string, string>,
    authorization: string | undefined,
  ): {status: number; body: unknown} {
    if (authorization !== `Bearer ${this.token}`) {
      return {status: 401, body: {code: 16, error: 'invalid session', message: 'invalid session: token is invalid'}}
    }
    if (this.failNext > 0) {
      this.failNext--
      return {status: 503, body: {code: 14, error: 'unavailable', message: 'upstream unavailable'}}
    }
    if (operationId === 'ClusterService_List') return {status: 200, body: {metadata: {}, items: this.clusters}}
    if (operationId !== 'ApplicationService_Get') {
      return {status: 501, body: {code: 12, error: 'unimplemented', message: `fake does not implement ${operationId}`}}
    }
    const app = this.apps.get(params.name)
    if (!app) {
      return {
        status: 404,
        body: {
          code: 5,
          error: `applications.argoproj.io "${params.name}" not found`,
          message: `applications.argoproj.io "${params.name}" not found`,
        },
      }
    }
    if (app.forbidden) return {status: 403, body: {code: 7, error: 'permission denied', message: 'permission denied'}}
    return {status: 200, body: applicationJson(params.name, app)}
  }
}

/** An Application as Argo CD serves it (the fields a real one carries for a synced Helm source). */
export function applicationJson(name: string, app: FakeApplication): Json {
  return {
    metadata: {
      name,
      namespace: 'argocd',
      uid: '6c1b1a9e-7f0e-4c55-9d0f-8e5e3a3c2b10',
      resourceVersion: '48213',
      generation: 12,
      creationTimestamp: '2026-11-01T10:00:00Z',
      labels: {'app.kubernetes.io/part-of': 'ameide'},
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
    },
    spec: {
      project: 'apps',
      source: {
        repoURL: 'https://github.com/ameideio/ameide-gitops.git',
        path: 'sources/charts/apps',
        targetRevision: 'main',
      },
      destination: {server: 'https://kubernetes.default.svc', namespace: name},
      syncPolicy: {automated: {prune: true, selfHeal: true}},
    },
    status: {
      sync: {
        status: app.sync,
        revision: app.revision ?? '9f2c1e0d4b3a29181716151413121110f0e0d0c0',
        comparedTo: {
          source: {
            repoURL: 'https://github.com/ameideio/ameide-gitops.git',
            path: 'sources/charts/apps',
            targetRevision: 'main',
          },
          destination: {server: 'https://kubernetes.default.svc', namespace: name},
        },
      },
      health: {status: app.health, lastTransitionTime: '2026-11-20T09:00:00Z'},
      summary: {images: app.images},
      reconciledAt: '2026-11-23T08:59:00Z',
      sourceType: 'Helm',
    },
  }
}

const connection = {status: 'Successful', attemptedAt: '2026-11-23T08:59:00Z'}
const info = {connectionState: connection, serverVersion: '1.34', applicationsCount: 3}

/**
 * A cluster Secret as Argo CD's API lists it (util/db/cluster.go SecretToCluster, then server/cluster Sanitized and
 * toAPIResponse): the secret-type label and the last-applied and managed-by annotations left out, the trailing slash
 * of the server trimmed, the config reduced to what is not a credential, the cached info added.
 */
export function clusterJson(secret: FakeClusterSecret): Json {
  const labels = {...secret.labels}
  delete labels['argocd.argoproj.io/secret-type']
  const annotations = {...secret.annotations}
  delete annotations['kubectl.kubernetes.io/last-applied-configuration']
  delete annotations['managed-by']
  return {
    server: secret.server.replace(/\/+$/, ''),
    name: secret.name,
    config: {tlsClientConfig: {insecure: false}},
    connectionState: connection,
    serverVersion: '1.34',
    info,
    ...(secret.project ? {project: secret.project} : {}),
    ...(Object.keys(labels).length > 0 ? {labels} : {}),
    ...(Object.keys(annotations).length > 0 ? {annotations} : {}),
  }
}

/** The local cluster Argo CD's API adds when no Secret names https://kubernetes.default.svc (db.ListClusters). */
export function localClusterJson(): Json {
  return {
    server: 'https://kubernetes.default.svc',
    name: 'in-cluster',
    config: {tlsClientConfig: {insecure: false}},
    connectionState: connection,
    serverVersion: '1.34',
    info,
  }
}
