import {docsUrl, sarifFinding, type SarifFinding, type SarifInput, type SarifRule} from '../sarif/sarif.js'
import {CHECKS} from './checks/index.js'
import {VERIFY_RULES, verifyRuleAnchor, verifyRuleId} from './rules.js'
import {CHECK_IDS, type CheckId, type VerifyResult, verifiedTargets} from './types.js'

/** Hard-coded secrets are security alerts in code scanning (GitHub's "high": 7.0–8.9). */
const SECRET_SEVERITY = '8.0'

function rulesOf(check: CheckId): SarifRule[] {
  const summary = CHECKS.find((c) => c.id === check)?.summary
  return Object.entries(VERIFY_RULES[check]).map(([rule, r]) => ({
    id: verifyRuleId(check, rule),
    title: r.title,
    description: `${r.title}. Check ${check} of ameide primitive verify${summary ? `: ${summary}` : ''}.`,
    help: r.help,
    helpUri: docsUrl('verify.md', verifyRuleAnchor(check, rule)),
    level: r.severity,
    tags: check === 'secrets' ? [check, 'security'] : [check],
    ...(check === 'secrets' ? {securitySeverity: SECRET_SEVERITY} : {}),
  }))
}

/**
 * `primitive verify`'s result in the neutral SARIF model: the rules of the checks that ran, one finding per
 * finding, the primitives' and the shared proto module's alike. A secrets finding is fingerprinted from its (redacted) message, never from the line holding the secret.
 */
export function verifySarifInput(
  result: VerifyResult,
  checks: readonly CheckId[],
  tool: {version: string; executionSuccessful: boolean},
): Omit<SarifInput, 'lineText'> {
  const ran = CHECK_IDS.filter((id) => checks.includes(id))
  const findings: SarifFinding[] = []
  for (const target of verifiedTargets(result)) {
    for (const check of target.checks) {
      for (const f of check.findings) {
        const byMessage = check.id === 'secrets' || f.line === 0
        findings.push(sarifFinding(f, verifyRuleId(check.id, f.rule), byMessage ? 'message' : 'line'))
      }
    }
  }
  return {
    tool: {name: 'ameide', version: tool.version, automationId: 'ameide/primitive-verify/'},
    rules: ran.flatMap(rulesOf),
    findings,
    executionSuccessful: tool.executionSuccessful,
  }
}
