/**
 * Which objects a destination namespace reaches. Argo CD (and Helm's kube client, under Flux helm-controller) gives
 * the destination (release) namespace to every namespaced object that names none, of any group — core `v1`
 * Services and ConfigMaps as much as `apps/v1` Deployments — and to no cluster-scoped one. Offline there is no API
 * discovery, so an object's scope comes from what is known for certain: a CustomResourceDefinition rendered beside
 * it (its `spec.scope`), else one elsewhere in the revision (./crd-scopes.ts: whoever applies it), Kubernetes' own
 * API groups (the cluster-scoped kinds by name, every other kind namespaced), and well-known API groups
 * (./scope-groups.ts: OpenShift's, the common operators'); a kind named `Cluster…` is cluster-scoped. Any other
 * kind's scope is unknown: it is given no namespace (none is invented), and is marked so (`gitops diff` says it).
 */
import type {CrdScopes} from './crd-scopes.js'
import type {Doc, RenderedObject} from './objects.js'
import {KUBERNETES_GROUPS, WELL_KNOWN_GROUPS} from './scope-groups.js'

const CLUSTER_SCOPED = new Set([
  'APIService',
  'CertificateSigningRequest',
  'ClusterRole',
  'ClusterRoleBinding',
  'ComponentStatus',
  'CSIDriver',
  'CSINode',
  'CustomResourceDefinition',
  'FlowSchema',
  'IngressClass',
  'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding',
  'MutatingWebhookConfiguration',
  'Namespace',
  'Node',
  'PersistentVolume',
  'PodSecurityPolicy',
  'PriorityClass',
  'PriorityLevelConfiguration',
  'RuntimeClass',
  'StorageClass',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'ValidatingWebhookConfiguration',
  'VolumeAttachment',
  'VolumeSnapshotClass',
  'GatewayClass',
])

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)
const isDoc = (v: unknown): v is Doc => v !== null && typeof v === 'object' && !Array.isArray(v)

/** Gives `namespace` to every namespaced object of `objects` that names none (the objects' `namespace` field). */
export function applyDestinationNamespace(
  objects: RenderedObject[],
  namespace: string | undefined,
  revisionCrds: CrdScopes = new Map(),
): void {
  if (!namespace) return
  // `group/Kind` → scope, from the CustomResourceDefinitions rendered alongside.
  const crdScope = new Map<string, string>()
  for (const o of objects) {
    if (o.kind !== 'CustomResourceDefinition' || !isDoc(o.body.spec)) continue
    const spec = o.body.spec
    const kind = isDoc(spec.names) ? str(spec.names.kind) : undefined
    if (kind) crdScope.set(`${str(spec.group) ?? ''}/${kind}`, str(spec.scope) ?? 'Namespaced')
  }
  for (const o of objects) {
    if (o.namespace || !o.kind || !isDoc(o.body.metadata)) continue
    const scope = scopeOf(o.apiVersion, o.kind, crdScope, revisionCrds)
    if (scope === 'Namespaced') o.namespace = namespace
    else if (scope === undefined) o.scopeUnknown = true
  }
}

/** An object's scope as far as it is known offline (see the header); undefined: unknown. */
export function scopeOf(
  apiVersion: string,
  kind: string,
  crdScope: ReadonlyMap<string, string> = new Map(),
  revisionCrds: CrdScopes = new Map(),
): 'Cluster' | 'Namespaced' | undefined {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : ''
  const declared = crdScope.get(`${group}/${kind}`)
  if (declared) return declared === 'Cluster' ? 'Cluster' : 'Namespaced'
  // A CRD elsewhere in the revision (another deployable's, a chart's crds/): the API server's scope for the kind.
  const elsewhere = revisionCrds.get(`${group}/${kind}`)
  if (elsewhere !== undefined) return elsewhere === 'conflict' ? undefined : elsewhere
  if (KUBERNETES_GROUPS.has(group)) return CLUSTER_SCOPED.has(kind) ? 'Cluster' : 'Namespaced'
  if (/^Cluster[A-Z]/.test(kind)) return 'Cluster'
  const known = WELL_KNOWN_GROUPS.get(group) ?? (/\.toolkit\.fluxcd\.io$/.test(group) ? {cluster: []} : undefined)
  if (!known) return undefined
  if (known.cluster === 'all') return known.except?.includes(kind) ? 'Namespaced' : 'Cluster'
  return known.cluster.includes(kind) ? 'Cluster' : 'Namespaced'
}
