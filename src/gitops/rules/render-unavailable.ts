/**
 * `render-unavailable` (`--render`): a root or chart the gate cannot render here — a chart without helm on PATH, a
 * remote base or chart (never fetched). A warning; `--require-render` makes it an error.
 */
import type {PolicyRule} from './rule.js'

export const renderUnavailable: PolicyRule<'render-unavailable'> = {
  id: 'render-unavailable',
  kind: 'policy',
  title: 'A root or chart the gate could not render (no helm, or a remote base or chart)',
  source: 'seed 003 GitOps Gate',
  hint: 'Install helm for charts; vendor remote bases into the repository (or pin them) to have them judged. --require-render fails on this.',
  severity: 'warning',
}
