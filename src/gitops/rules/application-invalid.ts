/**
 * `application-invalid` (`--render`, `gitops diff`): an Argo CD Application the API server would refuse — its
 * `metadata.name` not a DNS-1123 subdomain, its `spec.destination.namespace` not a DNS-1123 label — deploys nothing:
 * it is named, never rendered (src/gitops/argocd/application/kube-names.ts).
 */
import type {PolicyRule} from './rule.js'

export const applicationInvalid: PolicyRule<'application-invalid'> = {
  id: 'application-invalid',
  kind: 'policy',
  title: 'An Argo CD Application the Kubernetes API server would refuse (its name or destination namespace)',
  source: 'Argo CD: what the controller refuses to reconcile',
  hint: 'Name the Application as a DNS-1123 subdomain (lower-case letters, digits, "-" and ".", at most 253 characters) and its destination namespace as a DNS-1123 label (lower-case letters, digits and "-", at most 63 characters).',
}
