/** `pull-policy-implicit`: a container of a raw manifest says `imagePullPolicy: IfNotPresent` explicitly. */
import {finding, type PolicyRule} from './rule.js'

export const pullPolicyImplicit: PolicyRule<'pull-policy-implicit'> = {
  id: 'pull-policy-implicit',
  kind: 'policy',
  title: 'Container of a raw manifest without an explicit imagePullPolicy: IfNotPresent',
  source: 'backlog/603 WP-6',
  hint: 'Add imagePullPolicy: IfNotPresent so Argo CD does not diff against the defaulted field.',
  checkFile: ({file, found}) =>
    found.containers
      .filter((c) => c.pullPolicy !== 'IfNotPresent' && c.pullPolicy !== 'Always')
      .map((c) => {
        const what = c.pullPolicy === undefined ? 'sets no imagePullPolicy' : `sets imagePullPolicy: ${c.pullPolicy}`
        return finding(pullPolicyImplicit, file, c, `The container at ${c.path} ${what}; IfNotPresent is required.`)
      }),
}
