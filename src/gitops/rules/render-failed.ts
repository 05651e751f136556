/** `render-failed` (`--render`): kustomize (or helm) could not render a root; the finding carries its own message. */
import type {PolicyRule} from './rule.js'

export const renderFailed: PolicyRule<'render-failed'> = {
  id: 'render-failed',
  kind: 'policy',
  title: 'A render root does not render (kustomize build or helm template failed)',
  source: 'backlog/671 GitOps Gate',
  hint: 'Run `kustomize build <root>` locally and fix what it reports: Argo CD cannot deploy what does not render.',
}
