/** `pull-policy-always`: no `pullPolicy`/`imagePullPolicy: Always` (a rollout comes from a new digest in Git). */
import {finding, type PolicyRule} from './rule.js'

export const pullPolicyAlways: PolicyRule<'pull-policy-always'> = {
  id: 'pull-policy-always',
  kind: 'policy',
  title: 'pullPolicy / imagePullPolicy Always',
  source: 'backlog/603 WP-6, sequencing step 4',
  hint: 'Set IfNotPresent; a rollout comes from a new digest in Git, not from a forced pull.',
  checkFile: ({file, found}) =>
    found.pullPolicies
      .filter((p) => p.value === 'Always')
      .map((p) => finding(pullPolicyAlways, file, p, `${p.path}: Always forces pulls.`)),
}
