/**
 * Where a GitHub call goes: the repository and workflow-file name rules, and the one API-URL resolution
 * (`--api-url`, else GITHUB_API_URL as GitHub Actions sets it, else DEFAULT_API_URL). Shared by every command that
 * talks to GitHub.
 */
import {httpApiUrl} from '../../core/api-url-flag.js'
import {DEFAULT_API_URL} from '../../core/github-api.js'

export const REPOSITORY_PATTERN = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/
export const WORKFLOW_PATTERN = /^[A-Za-z0-9_.-]+\.ya?ml$/

/** The API URL of a command: `--api-url`, else GITHUB_API_URL, else DEFAULT_API_URL; checked (exit 2). */
export function resolveApiUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return parseApiUrl(flag, '--api-url')
  return parseApiUrl(env.GITHUB_API_URL ?? DEFAULT_API_URL, 'GITHUB_API_URL')
}

/** `--api-url` / GITHUB_API_URL: an http(s) URL without credentials (GitHub Enterprise Server: https://HOST/api/v3). */
export function parseApiUrl(value: string, source: string): string {
  return httpApiUrl(value, source, `${DEFAULT_API_URL}, or https://HOST/api/v3 for GitHub Enterprise Server.`)
}
