/**
 * `schema-unknown` (`--render`, a warning unless `gitopsPolicy.render.unknownKinds: fail`): a rendered object whose
 * kind has no schema anywhere — not built in, no CRD in the revision or the built-in catalog — so nothing checked it;
 * an error when a file of the revision that may hold its CRD could not be read within ameide's limits.
 */
import type {PolicyRule} from './rule.js'

export const schemaUnknown: PolicyRule<'schema-unknown'> = {
  id: 'schema-unknown',
  kind: 'policy',
  title: 'A rendered object has no schema to be checked against',
  source: 'backlog/671 GitOps Gate',
  hint: 'Add the CRD that defines the kind to the repository (any folder: every YAML and JSON file of the revision is read for CRDs), or fix a misspelt apiVersion or kind; a CRD file ameide could not read is named in the message.',
  severity: 'warning',
}
