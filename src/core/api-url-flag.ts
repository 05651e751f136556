/**
 * The GitHub API URL every command that talks to GitHub defaults to, and its `--api-url` flag: one constant and one
 * description (the resolution itself is `resolveApiUrl` in src/effects/github/target.ts).
 */
import {Flags} from '@oclif/core'

/** github.com's API, when neither --api-url nor GITHUB_API_URL says otherwise. */
export const DEFAULT_API_URL = 'https://api.github.com'

/** Where the API URL comes from, in order; for a command's description. */
export const API_URL_ORDER = `--api-url, else GITHUB_API_URL, else ${DEFAULT_API_URL}`

/** `--api-url URL`, described once for every command that has it. */
export const API_URL_FLAG = Flags.string({
  description: `GitHub API URL (GitHub Enterprise Server: https://HOST/api/v3). Default: GITHUB_API_URL, else ${DEFAULT_API_URL}.`,
  helpValue: 'URL',
})
