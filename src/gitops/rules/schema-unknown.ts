/**
 * `schema-unknown` (`--render`, a warning unless `gitopsPolicy.render.unknownKinds: fail`): a rendered object whose
 * kind has no schema anywhere — not built in, no CRD in the revision or the built-in catalog — so nothing checked it.
 */
import type {PolicyRule} from './rule.js'

export const schemaUnknown: PolicyRule<'schema-unknown'> = {
  id: 'schema-unknown',
  kind: 'policy',
  title: 'A rendered object has no schema to be checked against',
  source: 'backlog/671 GitOps Gate',
  hint: 'Add the CRD that defines the kind to the repository (or the folder gitopsPolicy.render.crds names), or fix a misspelt apiVersion or kind.',
  severity: 'warning',
}
