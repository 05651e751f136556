/** `preview-untrusted`: the pull-request generator restricts which PRs deploy: a labels filter (backlog/520 B). */
import {previewCheck} from './preview.js'
import type {PolicyRule} from './rule.js'

export const previewUntrusted: PolicyRule<'preview-untrusted'> = {
  id: 'preview-untrusted',
  kind: 'policy',
  title: 'Preview ApplicationSet: the pull-request generator does not restrict which pull requests deploy',
  source: 'backlog/520 B',
  hint: 'Add a labels filter (e.g. labels: [preview]) that only maintainers can set; fork PRs must not deploy on their own.',
  checkFile: (ctx) => previewCheck(previewUntrusted, ctx),
}
