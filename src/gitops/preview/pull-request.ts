/**
 * The pull request to preview: from the flags, and under GitHub Actions on a `pull_request` (or
 * `pull_request_target`) event from the event payload (GITHUB_EVENT_PATH) for whatever the flags leave out: number,
 * head sha, head and base branches, labels, title, author (the user's login) and the repository it is in (its base
 * repository's web URL: which pull-request generators list it). A payload that cannot be read as
 * JSON is INVALID_PULL_REQUEST; fields of the wrong type are ignored (then the flags, or the usage error, decide).
 */
import {readFileSync} from 'node:fs'

import {usageError} from '../../core/errors.js'
import type {PullRequest} from '../model/types.js'
import {parseRepositoryUrl} from '../argocd/applicationset/pull-request-repository.js'

/** A pull request to preview, and where the repository it is in was said (the generators: preview.ts infers it). */
export interface PreviewPullRequest extends PullRequest {
  repositoryFrom?: 'flag' | 'event' | 'generators'
}

export interface PullRequestFlags {
  pr?: number
  'head-sha'?: string
  branch?: string
  'target-branch'?: string
  label?: string[]
  title?: string
  author?: string
  repository?: string
}

const SHA = /^[0-9a-f]{40}$/

export function pullRequestOf(flags: PullRequestFlags, env: NodeJS.ProcessEnv): PreviewPullRequest {
  const event = eventPullRequest(env)
  const number = flags.pr ?? event?.number
  const headSha = flags['head-sha'] ?? event?.headSha
  if (number === undefined || headSha === undefined) {
    throw usageError(
      'INVALID_PULL_REQUEST',
      'Which pull request? --pr and --head-sha are required outside a pull_request event.',
      ['Pass --pr N --head-sha SHA (the head commit of the code repository pull request).'],
    )
  }
  if (!Number.isSafeInteger(number) || number < 1) {
    throw usageError('INVALID_PULL_REQUEST', `--pr ${String(number)} is not a pull request number.`)
  }
  if (!SHA.test(headSha)) {
    throw usageError(
      'INVALID_PULL_REQUEST',
      `--head-sha ${JSON.stringify(headSha)} is not 40 lowercase hex characters.`,
    )
  }
  const branch = flags.branch ?? event?.branch
  const targetBranch = flags['target-branch'] ?? event?.targetBranch
  // Argo CD always sets title and author (the provider's answer); without an event or the flags they stay unset,
  // and an ApplicationSet that reads one is a finding (generate.ts), never rendered with a guess.
  const title = flags.title ?? event?.title
  const author = flags.author ?? event?.author
  const repository = flags.repository ?? event?.repository
  if (repository !== undefined && !parseRepositoryUrl(repository)) {
    throw usageError(
      'INVALID_PULL_REQUEST',
      `--repository ${JSON.stringify(repository)} is not a repository's web URL (https://github.com/OWNER/REPO).`,
    )
  }
  return {
    number,
    headSha,
    ...(branch !== undefined ? {branch} : {}),
    ...(targetBranch !== undefined ? {targetBranch} : {}),
    labels: [...new Set(flags.label ?? event?.labels ?? [])].sort(),
    ...(author !== undefined ? {author} : {}),
    ...(title !== undefined ? {title} : {}),
    ...(repository !== undefined
      ? {repository, repositoryFrom: flags.repository !== undefined ? 'flag' : 'event'}
      : {}),
  }
}

/** The pull request of a GitHub Actions `pull_request` event; undefined elsewhere. */
function eventPullRequest(env: NodeJS.ProcessEnv): Partial<PullRequest> | undefined {
  if (env.GITHUB_ACTIONS !== 'true' || !/^pull_request(_target)?$/.test(env.GITHUB_EVENT_NAME ?? '')) return undefined
  if (!env.GITHUB_EVENT_PATH) return undefined
  let payload: unknown
  try {
    payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8'))
  } catch (e) {
    throw usageError('INVALID_PULL_REQUEST', `GITHUB_EVENT_PATH cannot be read as JSON: ${(e as Error).message}`)
  }
  const pr = (payload as {pull_request?: Record<string, unknown>} | null)?.pull_request
  if (!pr || typeof pr !== 'object') return undefined
  const ref = (side: unknown, key: string) => {
    const v = (side as Record<string, unknown> | undefined)?.[key]
    return typeof v === 'string' ? v : undefined
  }
  const labels = Array.isArray(pr.labels) ? pr.labels.map((l) => ref(l, 'name')).filter((l) => l !== undefined) : []
  return {
    ...(typeof pr.number === 'number' ? {number: pr.number} : {}),
    ...(ref(pr.head, 'sha') ? {headSha: ref(pr.head, 'sha')} : {}),
    ...(ref(pr.head, 'ref') ? {branch: ref(pr.head, 'ref')} : {}),
    ...(ref(pr.base, 'ref') ? {targetBranch: ref(pr.base, 'ref')} : {}),
    ...(ref(pr.user, 'login') ? {author: ref(pr.user, 'login')} : {}),
    ...(typeof pr.title === 'string' ? {title: pr.title} : {}),
    ...(ref((pr.base as Record<string, unknown> | undefined)?.repo, 'html_url')
      ? {repository: ref((pr.base as Record<string, unknown>).repo, 'html_url')}
      : {}),
    labels,
  }
}
