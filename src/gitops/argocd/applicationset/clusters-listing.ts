/**
 * The clusters registered in Argo CD, read once per command through its API (`--argocd-server`, the token from
 * ARGOCD_AUTH_TOKEN, registered as a secret: the convention of `primitive status`), for the ApplicationSet `clusters`
 * generator (src/gitops/argocd/applicationset/clusters.ts). Fails closed: no token, a refused token, a server
 * that kept failing or answered no cluster list is `unreadable` with the reason — every `clusters` generator then
 * fails as Argo CD's does when it cannot list the cluster Secrets — never an empty list, never a thrown error.
 *
 * Argo CD's API lists, besides the cluster Secrets, its built-in local cluster when no Secret names
 * `https://kubernetes.default.svc` (util/db/cluster.go ListClusters): that entry carries nothing a Secret would
 * (no labels, annotations, project, namespaces, shard), which is how it is told from a Secret here.
 */
import {retryPolicyWithTimings, testTimings} from '../../../core/test-timings.js'
import {DEFAULT_RETRY_POLICY} from '../../../core/retry.js'
import {redact, registerSecret} from '../../../core/secrets.js'
import type {ArgoCluster} from '../../../effects/argocd/argocd.js'
import type {RegisteredCluster, RegisteredClusters} from '../../model/types.js'

const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc'

/** `--argocd-server` checked (exit 2 INVALID_ARGOCD_SERVER) and its clusters read; undefined without the flag. */
export async function clustersOfFlag(flag: string | undefined, env: NodeJS.ProcessEnv) {
  if (flag === undefined) return undefined
  const {parseArgoCdServer} = await import('../../../effects/argocd/server.js')
  return readRegisteredClusters(parseArgoCdServer(flag), env)
}

export async function readRegisteredClusters(
  server: string | undefined,
  env: NodeJS.ProcessEnv,
  options: {fetch?: typeof fetch} = {},
): Promise<RegisteredClusters | undefined> {
  if (server === undefined) return undefined
  const token = env.ARGOCD_AUTH_TOKEN?.trim()
  if (!token) return {unreadable: `ARGOCD_AUTH_TOKEN is not set: the clusters of ${server} were not listed`}
  registerSecret(token)
  try {
    const {createArgoCdClient} = await import('../../../effects/argocd/argocd.js')
    const client = createArgoCdClient({
      server,
      token,
      retryPolicy: retryPolicyWithTimings(DEFAULT_RETRY_POLICY, testTimings(env)),
      ...(options.fetch ? {fetch: options.fetch} : {}),
    })
    return {clusters: (await client.listClusters()).map(registered)}
  } catch (error) {
    return {
      unreadable: redact(`Argo CD's cluster list could not be read: ${(error as Error).message ?? String(error)}`),
    }
  }
}

/** A cluster as the generator reads it: a Secret, or the built-in local cluster the API adds. */
export function registered(c: ArgoCluster): RegisteredCluster {
  const builtIn =
    c.server === IN_CLUSTER_SERVER &&
    c.name === 'in-cluster' &&
    c.project === '' &&
    Object.keys(c.labels).length === 0 &&
    Object.keys(c.annotations).length === 0 &&
    c.namespaces.length === 0 &&
    c.shard === undefined &&
    !c.clusterResources
  return {
    name: c.name,
    server: c.server,
    project: c.project,
    labels: c.labels,
    annotations: c.annotations,
    secret: !builtIn,
  }
}
