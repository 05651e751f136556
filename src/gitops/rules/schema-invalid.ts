/**
 * `schema-invalid` (`--render`): a rendered object violates the Kubernetes API schema of the configured version — a
 * wrong type, a value the API server's decoding refuses (an int32 out of range, bytes that are not base64, a Quantity
 * or a time that does not parse), a value outside an enum, a missing required field, a field the minor's schema does
 * not have, a custom resource against its CRD.
 */
import type {PolicyRule} from './rule.js'

export const schemaInvalid: PolicyRule<'schema-invalid'> = {
  id: 'schema-invalid',
  kind: 'policy',
  title: 'A rendered object is not valid against the Kubernetes API schema',
  source: 'backlog/671 GitOps Gate',
  hint: 'Fix the field at the JSON path named (gitopsPolicy.render.kubernetesVersion sets the Kubernetes minor).',
}
