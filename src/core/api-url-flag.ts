/**
 * The `--api-url` flag of every command that talks to GitHub, described once (the default is DEFAULT_API_URL of
 * ./github-api.ts; the resolution itself is `resolveApiUrl` in src/effects/github/target.ts).
 */
import {Flags} from '@oclif/core'

import {usageError} from './errors.js'
import {DEFAULT_API_URL} from './github-api.js'

/** Where the API URL comes from, in order; for a command's description. */
export const API_URL_ORDER = `--api-url, else GITHUB_API_URL, else ${DEFAULT_API_URL}`

/** `--api-url URL`, described once for every command that has it. */
export const API_URL_FLAG = Flags.string({
  description: `GitHub API URL (GitHub Enterprise Server: https://HOST/api/v3). Default: GITHUB_API_URL, else ${DEFAULT_API_URL}.`,
  helpValue: 'URL',
})

/**
 * An API URL as given (`source`: the flag or variable it came from): http(s), no credentials in it, its trailing
 * slashes dropped; anything else is exit 2 INVALID_API_URL with `example` as the hint.
 */
export function httpApiUrl(value: string, source: string, example: string): string {
  let url: URL | null = null
  try {
    url = new URL(value)
  } catch {
    url = null
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password)
    throw usageError('INVALID_API_URL', `${source} ${JSON.stringify(value)} is not an http(s) URL.`, [
      `e.g. ${example}`,
    ])
  return value.replace(/\/+$/, '')
}
