import {Flags} from '@oclif/core'

import {AmeideCommand, describeCommand} from '../../core/base-command.js'
import {loadConfig} from '../../core/config.js'
import {usageError} from '../../core/errors.js'
import {resolveRepoRoot} from '../../core/repo-root.js'
import {parseApiUrl, REPOSITORY_PATTERN} from '../../gitops/github-target.js'
import type {PrRequest} from '../../gitops/pr/changes-pr.js'
import type {WriteResult} from '../../gitops/write/write.js'

/** `--open-pr` and its flags, shared by set-image and promote. */
export const PR_FLAGS = {
  'open-pr': Flags.boolean({
    description: 'Commit the changed files onto --base through the GitHub API and open (or update) a PR.',
    default: false,
  }),
  repo: Flags.string({description: 'The GitOps repository on GitHub (with --open-pr).', helpValue: 'OWNER/NAME'}),
  base: Flags.string({description: 'The branch the PR targets; the checkout must be at its head.', default: 'main'}),
  branch: Flags.string({description: 'The PR branch. Default: deterministic from the change.', helpValue: 'NAME'}),
  title: Flags.string({description: 'The PR title.', helpValue: 'TEXT'}),
  'api-url': Flags.string({
    description: 'GitHub API URL. Default: GITHUB_API_URL, else https://api.github.com.',
    helpValue: 'URL',
  }),
}

/** The PR request from the flags: --repo required with --open-pr (exit 2). */
export function prRequestFrom(flags: {
  'open-pr': boolean
  repo?: string
  base: string
  branch?: string
  title?: string
  'api-url'?: string
}): PrRequest | undefined {
  if (!flags['open-pr']) return undefined
  if (!flags.repo || !REPOSITORY_PATTERN.test(flags.repo)) {
    throw usageError('INVALID_REPOSITORY', '--open-pr needs --repo OWNER/NAME (the GitOps repository on GitHub).')
  }
  if (flags.branch !== undefined && !/^[A-Za-z0-9._/-]+$/.test(flags.branch)) {
    throw usageError('INVALID_BRANCH', `--branch ${JSON.stringify(flags.branch)} is not a branch name.`)
  }
  const apiUrl = parseApiUrl(
    flags['api-url'] ?? process.env.GITHUB_API_URL ?? 'https://api.github.com',
    flags['api-url'] ? '--api-url' : 'GITHUB_API_URL',
  )
  return {repository: flags.repo, base: flags.base, branch: flags.branch, title: flags.title, apiUrl, env: process.env}
}

export const PR_ERROR_CODES = {
  INVALID_REPOSITORY: '--open-pr without --repo OWNER/NAME',
  INVALID_BRANCH: '--branch is not a branch name',
  INVALID_API_URL: '--api-url / GITHUB_API_URL is not an http(s) URL',
  GITHUB_REJECTED: 'GitHub rejected a write (422)',
  STALE_CHECKOUT: 'the checkout is not at the head of --base (nothing pushed)',
  GITHUB_TOKEN_MISSING: '--open-pr and no GH_TOKEN / GITHUB_TOKEN / gh auth token',
  GITHUB_BAD_TOKEN: 'GitHub rejected the token (401)',
  GITHUB_PERMISSION_DENIED: 'the token may not write contents or pull requests (403)',
  GITHUB_NOT_FOUND: 'the repository or --base does not exist, or the token cannot see it (404)',
  GITHUB_RATE_LIMITED: 'rate limited longer than ameide waits',
  GITHUB_UNAVAILABLE: 'GitHub kept failing (5xx, network) after retries',
  GITHUB_BAD_REQUEST: 'GitHub rejected a request (400)',
  GITHUB_ERROR: 'another unexpected GitHub answer',
}

export const WRITE_ERROR_CODES = {
  INVALID_IMAGE_REF: 'a ref is not <repository>:<tag>@sha256:<64 hex>, or carries a floating tag',
  CONFLICTING_REFS: 'two different refs for one repository',
  INVALID_ENVIRONMENT: 'the environment name is not [a-z0-9-]',
  ENVIRONMENT_NOT_FOUND: 'the environment overlay holds no YAML file',
  OVERLAY_NOT_YAML: 'a file of the overlay does not parse (nothing written)',
  AMBIGUOUS_REFERENCE: 'a reference written with escapes or as a block string (nothing written)',
  AMBIGUOUS_SOURCE: 'promote: the source overlay holds two refs for one repository',
  IMAGES_NOT_WIRED: '--require-all and an image has no reference in the environment (nothing written)',
  REWRITE_CHECK_FAILED: 'an edited file did not read back as planned (nothing written)',
  FILE_CHANGED: 'a file changed between planning and writing (nothing written)',
  UNSAFE_PATH: 'a target is a symbolic link or lies outside the repository (nothing written)',
  FILE_NOT_WRITABLE: 'a target file or its folder is not writable (nothing written)',
  REPO_ROOT_NOT_FOUND: '--root is not a directory',
  NOT_A_GIT_REPOSITORY: 'no --root and the current directory is not in a git repository',
  CONFIG_INVALID: "the GitOps repository's ameide.yaml is invalid",
}

export default class GitopsSetImage extends AmeideCommand<WriteResult> {
  static override summary = 'Write digest-pinned refs from a publish report into one environment overlay, byte-exact.'

  static override description = describeCommand(
    'Rewrites every image reference in sources/values/env/<ENV>/** (the image references gitops verify checks, also ' +
      'inside embedded manifests) whose repository equals a report image: it takes that exact ref, whatever its ' +
      "current tag or digest (so a :dev reference is migrated too). Only the scalar's bytes change: comments, key " +
      'order, quoting, indentation, line endings and a missing final newline stay. Every file is parsed and every edit ' +
      'planned before the first write; then all files are replaced atomically, or none. A second run changes nothing ' +
      '(exit 0). --dry-run prints the unified diff. Images with no reference are listed (wiring them is ' +
      '`primitive gitops scaffold`), failed components of the report are skipped and listed.',
    {
      ...WRITE_ERROR_CODES,
      ...PR_ERROR_CODES,
      INVALID_REPORT: '--report is not a publish report (schemaVersion 1)',
      INVALID_USAGE: 'neither --report nor --ref',
    },
  )

  static override examples = [
    '<%= config.bin %> <%= command.id %> --env local --report publish.json',
    '<%= config.bin %> <%= command.id %> --env local --ref ghcr.io/ameideio/primitive-domain-orders:3f9c…@sha256:… --dry-run',
  ]

  static override flags = {
    env: Flags.string({description: 'The environment overlay to write.', required: true, helpValue: 'ENV'}),
    report: Flags.string({description: 'A `primitive publish --json` report.', helpValue: 'FILE', exclusive: ['ref']}),
    ref: Flags.string({description: 'A digest-pinned ref to write (repeatable).', multiple: true, helpValue: 'REF'}),
    root: Flags.string({description: 'The GitOps checkout. Default: the git top-level.', helpValue: 'DIR'}),
    'dry-run': Flags.boolean({description: 'Print the diff; write nothing.', default: false}),
    'require-all': Flags.boolean({
      description: 'Exit 1 (IMAGES_NOT_WIRED) before any write when an image has no reference in the environment.',
      default: false,
    }),
    ...PR_FLAGS,
  }

  protected async execute(): Promise<WriteResult> {
    const {flags} = await this.parse(GitopsSetImage)
    const [{desiredFromRefs, desiredFromReport}, {setImage}, {formatWrite}] = await Promise.all([
      import('../../gitops/write/input.js'),
      import('../../gitops/write/write.js'),
      import('../../gitops/write/format.js'),
    ])
    if (!flags.report && !flags.ref) throw usageError('INVALID_USAGE', 'Pass --report FILE or --ref REF.')
    const pr = prRequestFrom(flags)
    const {sha, ...input} = flags.report
      ? await desiredFromReport(flags.report)
      : {images: desiredFromRefs(flags.ref ?? []), skipped: [], sha: undefined}
    const root = await resolveRepoRoot(flags.root ?? flags['repo-root'])
    const {config} = await loadConfig(root)
    const {result} = await setImage({
      root,
      policy: config.gitopsPolicy,
      dryRun: flags['dry-run'],
      env: flags.env,
      requireAll: flags['require-all'],
      ...input,
    })
    if (pr && !flags['dry-run']) {
      const {pullRequestForWrite} = await import('../../gitops/pr/changes-pr.js')
      const pullRequest = await pullRequestForWrite(root, result, pr, sha)
      if (pullRequest) result.pullRequest = pullRequest
    }
    if (!this.jsonEnabled()) this.log(formatWrite(result, this.style))
    return result
  }
}
