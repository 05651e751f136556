import type {GitopsPreviewPolicy} from '../../../core/config.js'

/**
 * The preview-environment rules of `ameide gitops verify` (backlog/520 sections A–F): they apply to an
 * ApplicationSet whose generators include a pull-request generator, at any depth of matrix/merge. Ids are stable;
 * each rule's title, seed source and hint live in its unit (src/gitops/rules/preview-*.ts).
 */
export const PREVIEW_RULE_IDS = [
  'preview-project',
  'preview-namespace',
  'preview-untrusted',
  'preview-template-strict',
  'preview-cleanup',
  'preview-pr-input',
  'preview-refresh',
] as const

export type PreviewRuleId = (typeof PREVIEW_RULE_IDS)[number]

/** Every preview rule is an error but the polling one (backlog/520 A asks for webhooks; polling still works). */
export const PREVIEW_SEVERITY: Record<PreviewRuleId, 'error' | 'warning'> = {
  'preview-project': 'error',
  'preview-namespace': 'error',
  'preview-untrusted': 'error',
  'preview-template-strict': 'error',
  'preview-cleanup': 'error',
  'preview-pr-input': 'error',
  'preview-refresh': 'warning',
}

/** `gitopsPolicy.preview` in the GitOps repository's ameide.yaml (one model, in the config). */
export type PreviewPolicy = GitopsPreviewPolicy

export const DEFAULT_PREVIEW_POLICY: PreviewPolicy = {projects: [], repositories: [], webhook: false}

/** Parameters the pull-request generator provides (Argo CD), and the two a preview may use (backlog/520 E). */
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
