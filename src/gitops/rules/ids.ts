/**
 * The rule ids of `ameide gitops verify`, stable and in report order (the JSON's `rules` and `counts` follow it).
 * A new rule adds its id here and its unit to `index.ts`; the index's type makes the two agree.
 */
import {PREVIEW_RULE_IDS} from './preview-checks/rules.js'

export const RULE_IDS = [
  'unreadable-file',
  'invalid-image-reference',
  'image-not-pinned',
  'floating-tag',
  'split-image-fields',
  'override-precedence',
  'lockstep-sha',
  'pull-policy-always',
  'pull-policy-implicit',
  'primitive-pull-policy',
  'dev-environment',
  'unsigned',
  'sbom-missing',
  'provenance-missing',
  'signer-not-allowed',
  'provenance-mismatch',
  'sbom-invalid',
  'evidence-policy-missing',
  'evidence-unreadable',
  'signature-mismatch',
  // The rendered output (--render): render roots, charts, schemas.
  'render-failed',
  'render-unavailable',
  'render-refused',
  'render-limit',
  'schema-invalid',
  'schema-unknown',
  'api-removed',
  'api-deprecated',
  'application-invalid',
  // What a change does between two revisions (gitops diff only).
  'update-refused',
  // Preview ApplicationSets (backlog/520 A–F), declared by the preview module.
  ...PREVIEW_RULE_IDS,
] as const

export type RuleId = (typeof RULE_IDS)[number]
