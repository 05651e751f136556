/**
 * The secrets check's provider rules: one row per token format, written from the provider's documented format
 * (prefix, length, alphabet). Adding a provider is adding a row to the file of its kind (below), its examples to
 * test/verify/secrets-rules.unit.test.ts and its id to docs/commands/verify.md's rule table.
 *
 * - `keywords`: lower-case literals one of which every match contains; the scanner's one prefilter
 *   (./scan.ts) runs a rule only on a text holding one of them.
 * - `pattern`: capture group 1 is the secret (what is redacted and located).
 * - `body`: how much of the secret must look random (./random.ts) for a finding: `after-prefix` (default: the
 *   part after the rule's first keyword), `whole`, or `any` (the format alone is decisive, e.g. a PEM body).
 * - `validate`: a whole-secret test a regex cannot say, by name from ./validators.ts.
 *
 * Pure data: the rows, in three files by kind of provider (./rules-infrastructure.ts, ./rules-services.ts,
 * ./rules-platforms.ts), their shape and shared syntax in ./rule-model.ts.
 */
import {INFRASTRUCTURE_RULES} from './rules-infrastructure.js'
import {PLATFORM_RULES} from './rules-platforms.js'
import {SERVICE_RULES} from './rules-services.js'
import type {SecretRule} from './rule-model.js'

export type {SecretRule} from './rule-model.js'

export const SECRET_RULES: readonly SecretRule[] = [...INFRASTRUCTURE_RULES, ...SERVICE_RULES, ...PLATFORM_RULES]
