import type {GitopsPreviewPolicy} from '../../../core/config.js'

/**
 * The preview-environment rules of `ameide gitops verify` (issue 22 §1, seed 001 sections A–F): they apply to an
 * ApplicationSet whose generators include a pull-request generator, at any depth of matrix/merge. Ids are stable.
 */
export const PREVIEW_RULES = {
  'preview-project': {
    title:
      'Preview ApplicationSet: the generated Application’s project is templated, default, or outside the allowed projects',
    source: 'seed 001 B',
    severity: 'error',
    hint: 'Set template.spec.project to a fixed, restricted Argo CD project (gitopsPolicy.preview.projects), never default and never a template.',
  },
  'preview-namespace': {
    title:
      'Preview ApplicationSet: the destination namespace is not a fixed prefix plus the PR number, or the destination is templated from PR data',
    source: 'seed 001 B',
    severity: 'error',
    hint: 'Use a fixed prefix and only the PR number, e.g. namespace: pr-{{.number}} (or pr-{{number}}-web); keep destination server/name fixed.',
  },
  'preview-untrusted': {
    title: 'Preview ApplicationSet: the pull-request generator does not restrict which pull requests deploy',
    source: 'seed 001 B',
    severity: 'error',
    hint: 'Add a labels filter (e.g. labels: [preview]) that only maintainers can set; fork PRs must not deploy on their own.',
  },
  'preview-template-strict': {
    title: 'Preview ApplicationSet: templates are not rendered strictly (goTemplate with missingkey=error)',
    source: 'seed 001 A',
    severity: 'error',
    hint: 'Set spec.goTemplate: true and spec.goTemplateOptions: ["missingkey=error"].',
  },
  'preview-cleanup': {
    title:
      'Preview ApplicationSet: Applications are not pruned and deleted with their resources, or Argo CD owns the namespace',
    source: 'seed 001 C, D',
    severity: 'error',
    hint: 'Set syncPolicy.automated.prune: true and the resources-finalizer.argocd.argoproj.io finalizer; drop preserveResourcesOnDeletion and CreateNamespace=true (a GitOps lane creates the Namespace).',
  },
  'preview-pr-input': {
    title:
      'Preview ApplicationSet: PR data other than the number and head sha reaches the template, the head sha selects manifests, or manifests come from another repository',
    source: 'seed 001 E, F',
    severity: 'error',
    hint: 'Use only the PR number (names, namespace) and the head sha (image tags); take manifests from the GitOps repository (gitopsPolicy.preview.repositories) at a fixed revision.',
  },
  'preview-refresh': {
    title: 'Preview ApplicationSet: the pull-request generator relies on polling',
    source: 'seed 001 A',
    severity: 'warning',
    hint: 'Enable the ApplicationSet webhook for the SCM provider and declare gitopsPolicy.preview.webhook: true, or set requeueAfterSeconds ≤ 300.',
  },
} as const satisfies Record<string, {title: string; source: string; severity: 'error' | 'warning'; hint: string}>

export type PreviewRuleId = keyof typeof PREVIEW_RULES
export const PREVIEW_RULE_IDS = Object.keys(PREVIEW_RULES) as PreviewRuleId[]

/** `gitopsPolicy.preview` in the GitOps repository's ameide.yaml (one model, in the config). */
export type PreviewPolicy = GitopsPreviewPolicy

export const DEFAULT_PREVIEW_POLICY: PreviewPolicy = {projects: [], repositories: [], webhook: false}

/** Parameters the pull-request generator provides (Argo CD), and the two a preview may use (seed 001 E). */
export const PR_PARAMS = new Set([
  'number',
  'branch',
  'branch_slug',
  'target_branch',
  'target_branch_slug',
  'head_sha',
  'head_short_sha',
  'head_short_sha_7',
  'labels',
  'author',
  'title',
])
export const HEAD_SHA_PARAMS = new Set(['head_sha', 'head_short_sha', 'head_short_sha_7'])

/** The SCM providers of Argo CD's pull-request generator, and whether each can filter by labels. */
export const PR_PROVIDERS = {
  github: {labels: true},
  gitlab: {labels: true},
  gitea: {labels: true},
  azuredevops: {labels: true},
  bitbucket: {labels: false},
  bitbucketServer: {labels: false},
} as const
export type PrProvider = keyof typeof PR_PROVIDERS
