/** `preview-project`: the generated Application's project is fixed, not `default`, and allowed (backlog/520 B). */
import {previewCheck} from './preview.js'
import type {PolicyRule} from './rule.js'

export const previewProject: PolicyRule<'preview-project'> = {
  id: 'preview-project',
  kind: 'policy',
  title:
    'Preview ApplicationSet: the generated Application’s project is templated, default, or outside the allowed projects',
  source: 'backlog/520 B',
  hint: 'Set template.spec.project to a fixed, restricted Argo CD project (gitopsPolicy.preview.projects), never default and never a template.',
  checkFile: (ctx) => previewCheck(previewProject, ctx),
}
