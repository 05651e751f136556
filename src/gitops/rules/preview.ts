/**
 * What the seven preview units share: the preview module (src/gitops/rules/preview-checks/) runs once per file, on every
 * ApplicationSet with a pull-request generator in it (embedded ones too), and each unit keeps its own findings.
 */
import {previewFindings} from './preview-checks/file.js'
import type {PreviewFinding} from './preview-checks/applicationset.js'
import type {PreviewRuleId} from './preview-checks/rules.js'
import {finding, type FileContext, type GitopsFinding, type PolicyRule} from './rule.js'

const perFile = new WeakMap<FileContext, PreviewFinding[]>()

export function previewCheck<Id extends PreviewRuleId>(rule: PolicyRule<Id>, ctx: FileContext): GitopsFinding[] {
  let all = perFile.get(ctx)
  if (!all) {
    all = previewFindings(ctx.yaml, ctx.text, ctx.policy.preview)
    perFile.set(ctx, all)
  }
  return all.filter((f) => f.rule === rule.id).map((f) => finding(rule, ctx.file, f, f.message))
}
