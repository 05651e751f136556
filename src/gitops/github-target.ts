import {usageError} from '../core/errors.js'

/** Where a GitHub call goes: a repository, a workflow file, the API. Shared by every command that talks to GitHub. */
export const REPOSITORY_PATTERN = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/
export const WORKFLOW_PATTERN = /^[A-Za-z0-9_.-]+\.ya?ml$/

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
