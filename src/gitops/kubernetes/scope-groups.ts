/**
 * The API groups whose kinds' scopes are known offline (./scope.ts): Kubernetes' own (its cluster-scoped kinds are
 * listed by name there, every other kind of these groups is namespaced), and well-known groups of OpenShift and the
 * common operators, each with its cluster-scoped kinds (`all`: every kind but `except`) as their CRDs declare them.
 */

export const KUBERNETES_GROUPS: ReadonlySet<string> = new Set([
  '',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'apps',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'extensions',
  'flowcontrol.apiserver.k8s.io',
  'internal.apiserver.k8s.io',
  'networking.k8s.io',
  'node.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'resource.k8s.io',
  'scheduling.k8s.io',
  'storage.k8s.io',
  'storagemigration.k8s.io',
])

export interface GroupScope {
  /** The cluster-scoped kinds, or `all` (every kind but `except`). */
  cluster: readonly string[] | 'all'
  except?: readonly string[]
}

const namespaced: GroupScope = {cluster: []}

export const WELL_KNOWN_GROUPS: ReadonlyMap<string, GroupScope> = new Map<string, GroupScope>([
  // OpenShift (openshift/api): the cluster's configuration, users and groups, projects, security, the console.
  ['config.openshift.io', {cluster: 'all'}],
  ['user.openshift.io', {cluster: 'all'}],
  ['project.openshift.io', {cluster: 'all'}],
  ['oauth.openshift.io', {cluster: 'all'}],
  ['console.openshift.io', {cluster: 'all'}],
  ['machineconfiguration.openshift.io', {cluster: 'all', except: ['PinnedImageSet']}],
  ['operator.openshift.io', {cluster: 'all', except: ['IngressController']}],
  ['security.openshift.io', {cluster: ['SecurityContextConstraints', 'RangeAllocation']}],
  ['image.openshift.io', {cluster: ['Image', 'ImageSignature']}],
  ['template.openshift.io', {cluster: ['BrokerTemplateInstance']}],
  ['route.openshift.io', namespaced],
  ['apps.openshift.io', namespaced],
  ['build.openshift.io', namespaced],
  ['quota.openshift.io', namespaced],
  ['authorization.openshift.io', namespaced],
  // Operators and add-ons most GitOps repositories deploy.
  ['operators.coreos.com', {cluster: ['Operator']}],
  ['monitoring.coreos.com', namespaced],
  ['cert-manager.io', namespaced],
  ['acme.cert-manager.io', namespaced],
  ['argoproj.io', namespaced],
  ['networking.istio.io', namespaced],
  ['security.istio.io', namespaced],
  ['telemetry.istio.io', namespaced],
  ['gateway.networking.k8s.io', {cluster: ['GatewayClass']}],
  ['external-secrets.io', namespaced],
  ['bitnami.com', namespaced],
  ['kyverno.io', namespaced],
  ['keda.sh', namespaced],
  ['snapshot.storage.k8s.io', {cluster: ['VolumeSnapshotClass', 'VolumeSnapshotContent']}],
  ['policy.linkerd.io', namespaced],
  ['traefik.io', namespaced],
  ['traefik.containo.us', namespaced],
  ['metallb.io', namespaced],
])
