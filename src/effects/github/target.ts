/**
 * Where a GitHub call goes: the repository and workflow-file name rules, and the one API-URL resolution
 * (`--api-url`, else GITHUB_API_URL as GitHub Actions sets it, else https://api.github.com). Shared by every
 * command that talks to GitHub.
 */
import {usageError} from '../../core/errors.js'

export const REPOSITORY_PATTERN = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/
export const WORKFLOW_PATTERN = /^[A-Za-z0-9_.-]+\.ya?ml$/

/** github.com's API, when neither --api-url nor GITHUB_API_URL says otherwise. */
export const DEFAULT_API_URL = 'https://api.github.com'

/** The API URL of a command: `--api-url`, else GITHUB_API_URL, else DEFAULT_API_URL; checked (exit 2). */
export function resolveApiUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return parseApiUrl(flag, '--api-url')
  return parseApiUrl(env.GITHUB_API_URL ?? DEFAULT_API_URL, 'GITHUB_API_URL')
}

/** `--api-url` / GITHUB_API_URL: an http(s) URL without credentials (GitHub Enterprise Server: https://HOST/api/v3). */
export function parseApiUrl(value: string, source: string): string {
  let url: URL | null = null
  try {
    url = new URL(value)
  } catch {
    url = null
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) {
    throw usageError('INVALID_API_URL', `${source} ${JSON.stringify(value)} is not an http(s) URL.`, [
      'e.g. https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server.',
    ])
  }
  return value.replace(/\/+$/, '')
}
