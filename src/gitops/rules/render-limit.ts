/**
 * `render-limit` (`--render`, `gitops diff`): a render ran past one of the bounds of every renderer run on a revision
 * (src/effects/limits.ts: time, CPU, memory, output, objects) and was stopped. Always an error: what the deployable
 * renders is not known, and a pull request must not be able to stall or exhaust the job that reviews it.
 */
import type {PolicyRule} from './rule.js'

export const renderLimit: PolicyRule<'render-limit'> = {
  id: 'render-limit',
  kind: 'policy',
  title: 'A render reached a limit (time, CPU, memory, output or objects) and was stopped',
  source: 'confined by construction',
  hint: 'Make the chart or kustomization render within the limits of docs/security.md (60 s and 60 CPU seconds, 4 GiB, 32 MiB of output, 20,000 objects): split it, or drop the loop or value that grows without bound.',
}
