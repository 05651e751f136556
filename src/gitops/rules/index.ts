/**
 * The registry of `ameide gitops verify`'s rules: one unit per file, keyed by id. Help, docs, the JSON schema,
 * SARIF (tags from each rule's kind) and the default rule set (policy rules; evidence rules with `--evidence`) are
 * derived from this table. A new rule: its id in `ids.ts`, its file here, its entry below.
 */
import {applicationInvalid} from './application-invalid.js'
import {apiDeprecated} from './api-deprecated.js'
import {apiRemoved} from './api-removed.js'
import {devEnvironment} from './dev-environment.js'
import {floatingTag} from './floating-tag.js'
import {RULE_IDS, type RuleId} from './ids.js'
import {imageNotPinned} from './image-not-pinned.js'
import {invalidImageReference} from './invalid-image-reference.js'
import {lockstepSha} from './lockstep-sha.js'
import {overridePrecedence} from './override-precedence.js'
import {previewCleanup} from './preview-cleanup.js'
import {previewNamespace} from './preview-namespace.js'
import {previewPrInput} from './preview-pr-input.js'
import {previewProject} from './preview-project.js'
import {previewRefresh} from './preview-refresh.js'
import {previewTemplateStrict} from './preview-template-strict.js'
import {previewUntrusted} from './preview-untrusted.js'
import {primitivePullPolicy} from './primitive-pull-policy.js'
import {renderLimit} from './render-limit.js'
import {provenanceMissing} from './provenance-missing.js'
import {pullPolicyAlways} from './pull-policy-always.js'
import {pullPolicyImplicit} from './pull-policy-implicit.js'
import {renderFailed} from './render-failed.js'
import {renderRefused} from './render-refused.js'
import {renderUnavailable} from './render-unavailable.js'
import {
  finding,
  type EvidenceRule,
  type JudgedEvidence,
  type FileContext,
  type GitopsFinding,
  type PolicyRule,
  type RepoContext,
  type Rule,
} from './rule.js'
import {sbomInvalid} from './sbom-invalid.js'
import {sbomMissing} from './sbom-missing.js'
import {signatureMismatch} from './signature-mismatch.js'
import {signerNotAllowed} from './signer-not-allowed.js'
import {evidencePolicyMissing} from './evidence-policy-missing.js'
import {evidenceUnreadable} from './evidence-unreadable.js'
import {provenanceMismatch} from './provenance-mismatch.js'
import {schemaInvalid} from './schema-invalid.js'
import {schemaUnknown} from './schema-unknown.js'
import {splitImageFields} from './split-image-fields.js'
import {unreadableFile} from './unreadable-file.js'
import {unsigned} from './unsigned.js'
import {updateRefused} from './update-refused.js'

export {RULE_IDS, type RuleId} from './ids.js'
export {finding, type EvidenceRecord, type GitopsFinding, type JudgedEvidence, type Rule} from './rule.js'
export {unreadable} from './unreadable-file.js'

export const RULES: {[Id in RuleId]: Rule<Id>} = {
  'unreadable-file': unreadableFile,
  'invalid-image-reference': invalidImageReference,
  'image-not-pinned': imageNotPinned,
  'floating-tag': floatingTag,
  'split-image-fields': splitImageFields,
  'override-precedence': overridePrecedence,
  'lockstep-sha': lockstepSha,
  'pull-policy-always': pullPolicyAlways,
  'pull-policy-implicit': pullPolicyImplicit,
  'primitive-pull-policy': primitivePullPolicy,
  'dev-environment': devEnvironment,
  unsigned,
  'sbom-missing': sbomMissing,
  'provenance-missing': provenanceMissing,
  'signer-not-allowed': signerNotAllowed,
  'provenance-mismatch': provenanceMismatch,
  'sbom-invalid': sbomInvalid,
  'evidence-policy-missing': evidencePolicyMissing,
  'evidence-unreadable': evidenceUnreadable,
  'signature-mismatch': signatureMismatch,
  'render-failed': renderFailed,
  'render-unavailable': renderUnavailable,
  'render-refused': renderRefused,
  'render-limit': renderLimit,
  'schema-invalid': schemaInvalid,
  'schema-unknown': schemaUnknown,
  'api-removed': apiRemoved,
  'api-deprecated': apiDeprecated,
  'application-invalid': applicationInvalid,
  'update-refused': updateRefused,
  'preview-project': previewProject,
  'preview-namespace': previewNamespace,
  'preview-untrusted': previewUntrusted,
  'preview-template-strict': previewTemplateStrict,
  'preview-cleanup': previewCleanup,
  'preview-pr-input': previewPrInput,
  'preview-refresh': previewRefresh,
} satisfies Record<RuleId, Rule>

const ALL: Rule[] = RULE_IDS.map((id) => RULES[id])
const POLICY = ALL.filter((r): r is PolicyRule => r.kind === 'policy')
const EVIDENCE = ALL.filter((r): r is EvidenceRule => r.kind === 'evidence')

/** The rules run without `--evidence`. */
export const POLICY_RULE_IDS: RuleId[] = POLICY.map((r) => r.id)

/** The rules of `gitops verify` (policy and evidence): every rule but those of `gitops diff` alone. */
export const VERIFY_RULE_IDS: RuleId[] = ALL.filter((r) => r.kind !== 'diff').map((r) => r.id)

/** SARIF tags of a rule: every rule is `gitops`; evidence rules are also `supply-chain`. */
export const ruleTags = (id: RuleId): string[] => ['gitops', ...(RULES[id].kind === 'evidence' ? ['supply-chain'] : [])]

/** Every policy rule's findings in one file. */
export const checkFile = (ctx: FileContext): GitopsFinding[] => POLICY.flatMap((r) => r.checkFile?.(ctx) ?? [])

/** Every policy rule's findings about the checkout as a whole. */
export const checkRepo = (ctx: RepoContext): GitopsFinding[] => POLICY.flatMap((r) => r.checkRepo?.(ctx) ?? [])

/** Every evidence rule's findings: one per failed rule, message and use of the image. */
export function checkEvidence(judged: JudgedEvidence[]): GitopsFinding[] {
  const out: GitopsFinding[] = []
  for (const e of judged) {
    e.record.uses.forEach((use, i) => {
      for (const rule of EVIDENCE) {
        for (const message of rule.checkEvidence(e, i)) {
          out.push(finding(rule, use.file, {line: use.line, column: 1}, message))
        }
      }
    })
  }
  return out
}
