/** `--rule`: which rules a run reports. */
import {usageError} from '../../core/errors.js'
import {VERIFY_RULE_IDS, type RuleId} from '../rules/index.js'

/** Parses `--rule` values (repeatable, comma-separated); unknown ids are exit 2. */
export function parseRules(values: string[] | undefined): RuleId[] | undefined {
  if (!values || values.length === 0) return undefined
  const ids = values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean)
  for (const id of ids) {
    if (!(VERIFY_RULE_IDS as string[]).includes(id)) {
      throw usageError('UNKNOWN_RULE', `--rule ${JSON.stringify(id)} is not a rule of gitops verify.`, [
        `Rules: ${VERIFY_RULE_IDS.join(', ')}.`,
      ])
    }
  }
  return [...new Set(ids)] as RuleId[]
}
