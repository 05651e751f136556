/**
 * A rule of `gitops diff` alone (`update-refused`: what a change does between two revisions) is a rule with docs and a
 * SARIF help like every other, but `gitops verify`, which reads one revision, neither runs, lists nor accepts it.
 */
import {describe, expect, it} from 'vitest'

import {POLICY_RULE_IDS, RULE_IDS, RULES, VERIFY_RULE_IDS} from '../../../src/gitops/rules/index.js'
import {parseRules} from '../../../src/gitops/verify/rule-selection.js'

describe('rules of gitops diff alone', () => {
  it('update-refused is a rule (id, title, hint) of kind diff', () => {
    expect(RULE_IDS).toContain('update-refused')
    expect(RULES['update-refused']).toMatchObject({kind: 'diff', hint: expect.stringMatching(/Replace=true.*force/)})
  })

  it('gitops verify neither runs, lists nor accepts it', () => {
    expect(POLICY_RULE_IDS).not.toContain('update-refused')
    expect(VERIFY_RULE_IDS).not.toContain('update-refused')
    expect(VERIFY_RULE_IDS).toEqual(RULE_IDS.filter((id) => id !== 'update-refused'))
    expect(() => parseRules(['update-refused'])).toThrow(/not a rule of gitops verify/)
    expect(parseRules(['floating-tag'])).toEqual(['floating-tag'])
  })
})
