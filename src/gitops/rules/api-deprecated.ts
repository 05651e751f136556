/**
 * `api-deprecated` (`--render`, a warning): a rendered object's apiVersion is deprecated in the cluster's Kubernetes
 * minor: served still, removed in the release named.
 */
import type {PolicyRule} from './rule.js'

export const apiDeprecated: PolicyRule<'api-deprecated'> = {
  id: 'api-deprecated',
  kind: 'policy',
  title: 'A rendered object uses a deprecated API version',
  source: 'backlog/671 GitOps Gate',
  hint: 'Move the object to the replacement named before the cluster is upgraded to the release that removes it.',
  severity: 'warning',
}
