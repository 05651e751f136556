import {docsUrl, sarifFinding, type SarifInput} from '../../sarif/sarif.js'
import {RULES, ruleTags} from '../rules/index.js'
import type {GitopsVerifyResult} from './verify.js'

/** `gitops verify`'s result in the neutral SARIF model: the rules it applied (with their seed source), its findings. */
export function gitopsSarifInput(result: GitopsVerifyResult, version: string): Omit<SarifInput, 'lineText'> {
  return {
    tool: {name: 'ameide', version, automationId: 'ameide/gitops-verify/'},
    rules: result.rules.map((id) => ({
      id,
      title: RULES[id].title,
      description: `${RULES[id].title}. Source: ${RULES[id].source}. Rule of ameide gitops verify.`,
      help: RULES[id].hint,
      helpUri: docsUrl('gitops-verify.md', `rule-${id}`),
      level: RULES[id].severity ?? 'error',
      tags: ruleTags(id),
    })),
    // A rendered finding names its environment: one source line can decide the image of several environments.
    findings: result.findings.map((f) =>
      sarifFinding(
        f.environment ? {...f, message: `[${f.environment}] ${f.message}`} : f,
        f.rule,
        f.line === 0 ? 'message' : 'line',
      ),
    ),
  }
}
