/**
 * Which objects a destination namespace reaches. Argo CD (and Helm's kube client, under Flux helm-controller) gives
 * the destination (release) namespace to every namespaced object that names none, of any group — core `v1`
 * Services and ConfigMaps as much as `apps/v1` Deployments — and to no cluster-scoped one. Offline there is no API
 * discovery: the cluster-scoped kinds of Kubernetes itself and of the common operators are known by name, a
 * CustomResourceDefinition rendered beside the object says its `spec.scope`, and a kind named `Cluster…` is taken
 * as cluster-scoped; every other kind is namespaced.
 */
import type {Doc, RenderedObject} from './objects.js'

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
export function applyDestinationNamespace(objects: RenderedObject[], namespace: string | undefined): void {
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
    const group = o.apiVersion.includes('/') ? o.apiVersion.slice(0, o.apiVersion.lastIndexOf('/')) : ''
    const scope = crdScope.get(`${group}/${o.kind}`)
    const cluster = scope ? scope === 'Cluster' : CLUSTER_SCOPED.has(o.kind) || /^Cluster[A-Z]/.test(o.kind)
    if (!cluster) o.namespace = namespace
  }
}
