/** `preview-cleanup`: prune, the resources finalizer, no preserveResourcesOnDeletion, no CreateNamespace=true (backlog/520 C, D). */
import {previewCheck} from './preview.js'
import type {PolicyRule} from './rule.js'

export const previewCleanup: PolicyRule<'preview-cleanup'> = {
  id: 'preview-cleanup',
  kind: 'policy',
  title:
    'Preview ApplicationSet: Applications are not pruned and deleted with their resources, or Argo CD owns the namespace',
  source: 'backlog/520 C, D',
  hint: 'Set syncPolicy.automated.prune: true and the resources-finalizer.argocd.argoproj.io finalizer; drop preserveResourcesOnDeletion and CreateNamespace=true (a GitOps lane creates the Namespace).',
  checkFile: (ctx) => previewCheck(previewCleanup, ctx),
}
