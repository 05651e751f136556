/**
 * `render-unavailable` (`--render`): a root, chart or source the gate cannot render here — any, without the render
 * module; a remote base or chart (never fetched); another repository not mapped to a clone; a revision a source is
 * pinned to that the clone does not hold. A warning; `--require-render` (or no render module) makes it an error.
 */
import type {PolicyRule} from './rule.js'

export const renderUnavailable: PolicyRule<'render-unavailable'> = {
  id: 'render-unavailable',
  kind: 'policy',
  title:
    'A root, chart or source the gate could not render (no render module, a remote base or chart, another repository or a pinned revision this clone lacks)',
  source: 'backlog/671 GitOps Gate',
  hint: 'The message names what is missing. Build the render module (npm run build, the Go module proxy reachable) or install the release tarball; vendor remote bases into the repository (or pin them); map another repository to a local clone with --source-repo URL=PATH; fetch the ref a source is pinned to (git fetch origin REF, or fetch-depth: 0 in actions/checkout). --require-render fails on this.',
  severity: 'warning',
}
