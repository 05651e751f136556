/**
 * `render-refused` (`--render`, `gitops diff`): a deployable that could read outside its revision — through a
 * symbolic link whose target is absolute or leaves the revision, or by naming such a path (a value file, a
 * `fileParameters` path, a source path, a kustomize base or resource, a chart's `file://` dependency) — is not
 * rendered. Always an error: a refusal is a security finding, never a pass.
 */
import type {PolicyRule} from './rule.js'

export const renderRefused: PolicyRule<'render-refused'> = {
  id: 'render-refused',
  kind: 'policy',
  title: 'A deployable that could read outside its revision is not rendered (a link or path that leaves it)',
  source: 'a pull request is data, never a key',
  hint: 'Keep every file a deployable reads inside the repository: replace a symbolic link whose target is absolute or leaves the repository with the file itself (or a relative link that stays inside), and name only paths inside the repository.',
}
