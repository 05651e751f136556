/** `preview-namespace`: a fixed prefix plus only the PR number as namespace; no PR data in the destination (backlog/520 B). */
import {previewCheck} from './preview.js'
import type {PolicyRule} from './rule.js'

export const previewNamespace: PolicyRule<'preview-namespace'> = {
  id: 'preview-namespace',
  kind: 'policy',
  title:
    'Preview ApplicationSet: the destination namespace is not a fixed prefix plus the PR number, or the destination is templated from PR data',
  source: 'backlog/520 B',
  hint: 'Use a fixed prefix and only the PR number, e.g. namespace: pr-{{.number}} (or pr-{{number}}-web); keep destination server/name fixed.',
  checkFile: (ctx) => previewCheck(previewNamespace, ctx),
}
