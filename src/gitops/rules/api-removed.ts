/**
 * `api-removed` (`--render`): a rendered object's apiVersion is one the cluster's Kubernetes minor does not serve (a
 * built-in API removed by then, or not yet there, or a version a CRD does not serve): its sync fails with "no matches
 * for kind".
 */
import type {PolicyRule} from './rule.js'

export const apiRemoved: PolicyRule<'api-removed'> = {
  id: 'api-removed',
  kind: 'policy',
  title: 'A rendered object uses an API version the cluster does not serve',
  source: 'backlog/671 GitOps Gate',
  hint: 'Move the object to the replacement named (the chart or manifest that renders it), or set gitopsPolicy.render.kubernetesVersion to the cluster’s minor.',
}
