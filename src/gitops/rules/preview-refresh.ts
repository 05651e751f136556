/** `preview-refresh`: (warning) webhook-driven refresh, or requeueAfterSeconds ≤ 300 (backlog/520 A). */
import {previewCheck} from './preview.js'
import type {PolicyRule} from './rule.js'

export const previewRefresh: PolicyRule<'preview-refresh'> = {
  id: 'preview-refresh',
  kind: 'policy',
  severity: 'warning',
  title: 'Preview ApplicationSet: the pull-request generator relies on polling',
  source: 'backlog/520 A',
  hint: 'Enable the ApplicationSet webhook for the SCM provider and declare gitopsPolicy.preview.webhook: true, or set requeueAfterSeconds ≤ 300.',
  checkFile: (ctx) => previewCheck(previewRefresh, ctx),
}
