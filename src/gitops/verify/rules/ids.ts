/**
 * The rule ids of `ameide gitops verify`, stable and in report order (the JSON's `rules` and `counts` follow it).
 * A new rule adds its id here and its unit to `index.ts`; the index's type makes the two agree.
 */
export const RULE_IDS = [
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
] as const

export type RuleId = (typeof RULE_IDS)[number]
