/**
 * `render-unavailable` (`--render`): a root or chart the gate cannot render here — any, without the render module; a
 * remote base or chart (never fetched). A warning; `--require-render` (or no render module) makes it an error.
 */
import type {PolicyRule} from './rule.js'

export const renderUnavailable: PolicyRule<'render-unavailable'> = {
  id: 'render-unavailable',
  kind: 'policy',
  title: 'A root or chart the gate could not render (no render module, or a remote base or chart)',
  source: 'backlog/671 GitOps Gate',
  hint: 'Build the render module (npm run build, the Go module proxy reachable) or install the release tarball; vendor remote bases into the repository (or pin them) to have them judged. --require-render fails on this.',
  severity: 'warning',
}
