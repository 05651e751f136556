/** `primitive-pull-policy`: a primitive custom resource leaves `spec.imagePullPolicy` to its operator. */
import {finding, type PolicyRule} from './rule.js'

export const primitivePullPolicy: PolicyRule<'primitive-pull-policy'> = {
  id: 'primitive-pull-policy',
  kind: 'policy',
  title: 'Primitive custom resource sets spec.imagePullPolicy',
  source: 'backlog/603 WP-2',
  hint: 'Remove spec.imagePullPolicy; the operators default to IfNotPresent.',
  checkFile: ({file, found}) =>
    found.primitives.flatMap((p) =>
      p.pullPolicy
        ? [
            finding(
              primitivePullPolicy,
              file,
              p.pullPolicy,
              `${p.kind}${p.name ? ` ${p.name}` : ''} sets spec.imagePullPolicy.`,
            ),
          ]
        : [],
    ),
}
