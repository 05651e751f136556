/** `preview-template-strict`: goTemplate with missingkey=error (backlog/520 A). */
import {previewCheck} from './preview.js'
import type {PolicyRule} from './rule.js'

export const previewTemplateStrict: PolicyRule<'preview-template-strict'> = {
  id: 'preview-template-strict',
  kind: 'policy',
  title: 'Preview ApplicationSet: templates are not rendered strictly (goTemplate with missingkey=error)',
  source: 'backlog/520 A',
  hint: 'Set spec.goTemplate: true and spec.goTemplateOptions: ["missingkey=error"].',
  checkFile: (ctx) => previewCheck(previewTemplateStrict, ctx),
}
