/**
 * `--open-pr` and its flags, owned here so set-image and promote (and no command of another) share them: the flag
 * definitions, the PrRequest they make (checked at the door, exit 2), the error codes for the commands' help, and the
 * write run with its pull request after it.
 */
import {Flags} from '@oclif/core'

import {API_URL_FLAG} from '../../core/api-url-flag.js'
import {loadConfig} from '../../core/config.js'
import {usageError} from '../../core/errors.js'
import {testTimings} from '../../core/test-timings.js'
import {GITOPS_ROOT, resolveRoot} from '../../effects/repo-root.js'
import {resolveApiUrl, REPOSITORY_PATTERN} from '../../effects/github/target.js'
import type {WriteOptions, WriteResult} from '../write/write.js'
import type {PrRequest} from './changes-pr.js'

export const PR_FLAGS = {
  'open-pr': Flags.boolean({
    description: 'Commit the changed files onto --base through the GitHub API and open (or update) a PR.',
    default: false,
  }),
  repo: Flags.string({description: 'The GitOps repository on GitHub (with --open-pr).', helpValue: 'OWNER/NAME'}),
  base: Flags.string({description: 'The branch the PR targets; the checkout must be at its head.', default: 'main'}),
  branch: Flags.string({description: 'The PR branch. Default: deterministic from the change.', helpValue: 'NAME'}),
  title: Flags.string({description: 'The PR title.', helpValue: 'TEXT'}),
  'api-url': API_URL_FLAG,
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
  const apiUrl = resolveApiUrl(flags['api-url'])
  return {repository: flags.repo, base: flags.base, branch: flags.branch, title: flags.title, apiUrl, env: process.env}
}

/**
 * An overlay write as set-image and promote run it: the checkout (--root) and its ameide.yaml read, `write` given what
 * every write takes (the policy, --dry-run, --require-all, the lock's wait), then, with --open-pr and not a dry run,
 * the write's pull request (of the commit `sourceSha`, when known) set on the result.
 */
export async function writeWithPullRequest(
  flags: {root?: string; 'dry-run': boolean; 'require-all': boolean},
  pr: PrRequest | undefined,
  sourceSha: string | undefined,
  write: (options: WriteOptions) => Promise<{result: WriteResult}>,
): Promise<WriteResult> {
  const root = await resolveRoot(flags.root, GITOPS_ROOT)
  const {config} = await loadConfig(root)
  const {result} = await write({
    root,
    policy: config.gitopsPolicy,
    dryRun: flags['dry-run'],
    requireAll: flags['require-all'],
    lockWaitMs: testTimings().lockWaitMs,
  })
  if (pr && !flags['dry-run']) {
    const {pullRequestForWrite} = await import('./changes-pr.js')
    const pullRequest = await pullRequestForWrite(root, result, pr, sourceSha)
    if (pullRequest) result.pullRequest = pullRequest
  }
  return result
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
