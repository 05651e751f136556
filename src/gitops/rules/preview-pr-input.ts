/** `preview-pr-input`: only the PR number and head sha reach a preview, the sha only as an image tag, manifests from the GitOps repository (backlog/520 E, F). */
import {previewCheck} from './preview.js'
import type {PolicyRule} from './rule.js'

export const previewPrInput: PolicyRule<'preview-pr-input'> = {
  id: 'preview-pr-input',
  kind: 'policy',
  title:
    'Preview ApplicationSet: PR data other than the number and head sha reaches the template, the head sha selects manifests, or manifests come from another repository',
  source: 'backlog/520 E, F',
  hint: 'Use only the PR number (names, namespace) and the head sha (image tags); take manifests from the GitOps repository (gitopsPolicy.preview.repositories) at a fixed revision.',
  checkFile: (ctx) => previewCheck(previewPrInput, ctx),
}
