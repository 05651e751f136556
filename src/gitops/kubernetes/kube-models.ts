/**
 * The validators of the kinds most charts and overlays render, imported statically: the bundle (scripts/bundle.mjs)
 * puts them and the ≈ 250 generated schema modules they share in the one chunk the schema check loads on first use,
 * instead of Node resolving ≈ 110 modules per kind one by one. Any other kind still loads its own module
 * (schema.ts); the validators are the same either way.
 */
import {Pod} from 'kubernetes-models/v1/Pod'
import {Service} from 'kubernetes-models/v1/Service'
import {ConfigMap} from 'kubernetes-models/v1/ConfigMap'
import {Secret} from 'kubernetes-models/v1/Secret'
import {ServiceAccount} from 'kubernetes-models/v1/ServiceAccount'
import {PersistentVolumeClaim} from 'kubernetes-models/v1/PersistentVolumeClaim'
import {Namespace} from 'kubernetes-models/v1/Namespace'
import {Deployment} from 'kubernetes-models/apps/v1/Deployment'
import {StatefulSet} from 'kubernetes-models/apps/v1/StatefulSet'
import {DaemonSet} from 'kubernetes-models/apps/v1/DaemonSet'
import {ReplicaSet} from 'kubernetes-models/apps/v1/ReplicaSet'
import {Job} from 'kubernetes-models/batch/v1/Job'
import {CronJob} from 'kubernetes-models/batch/v1/CronJob'
import {Ingress} from 'kubernetes-models/networking.k8s.io/v1/Ingress'
import {NetworkPolicy} from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy'
import {PodDisruptionBudget} from 'kubernetes-models/policy/v1/PodDisruptionBudget'
import {HorizontalPodAutoscaler} from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'
import {Role} from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role'
import {RoleBinding} from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding'
import {ClusterRole} from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole'
import {ClusterRoleBinding} from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding'

/** `apiVersion/kind` → its model class. */
export const COMMON_MODELS: Record<string, unknown> = {
  'v1/Pod': Pod,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/ServiceAccount': ServiceAccount,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Namespace': Namespace,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'apps/v1/DaemonSet': DaemonSet,
  'apps/v1/ReplicaSet': ReplicaSet,
  'batch/v1/Job': Job,
  'batch/v1/CronJob': CronJob,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
}
