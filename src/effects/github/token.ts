/**
 * The GitHub token: GH_TOKEN, else GITHUB_TOKEN, else `gh auth token` for the API's host, registered as a secret
 * the moment it is read so it never reaches output, logs or JSON.
 */
import {prerequisiteError} from '../../core/errors.js'
import {GITHUB_API_HOST} from '../../core/github-api.js'
import {registerSecret} from '../../core/secrets.js'

export interface ResolvedToken {
  token: string
  source: 'GH_TOKEN' | 'GITHUB_TOKEN' | 'gh auth token'
}

/**
 * The GitHub token: GH_TOKEN, else GITHUB_TOKEN, else `gh auth token` when gh is installed. Registered as
 * a secret the moment it is read. Returns null when there is none (the caller decides if that is fatal).
 */
export async function findToken(env: NodeJS.ProcessEnv, apiUrl: string): Promise<ResolvedToken | null> {
  for (const name of ['GH_TOKEN', 'GITHUB_TOKEN'] as const) {
    const value = env[name]?.trim()
    if (value) {
      registerSecret(value)
      return {token: value, source: name}
    }
  }
  const {execa} = await import('execa')
  const host = ghHost(apiUrl)
  const result = await execa('gh', ['auth', 'token', ...(host ? ['--hostname', host] : [])], {
    reject: false,
    timeout: 10_000,
    env: {GH_PROMPT_DISABLED: '1'},
    stdin: 'ignore',
  }).catch(() => null)
  const token = result && result.exitCode === 0 ? String(result.stdout).trim() : ''
  if (!token) return null
  registerSecret(token)
  return {token, source: 'gh auth token'}
}

export function missingTokenError() {
  return prerequisiteError(
    'GITHUB_TOKEN_MISSING',
    'No GitHub token: GH_TOKEN and GITHUB_TOKEN are unset and `gh auth token` gave none.',
    [
      'Export GH_TOKEN (a token with actions:write and contents:read on the GitOps repository), or run `gh auth login`.',
      'Use --dry-run to check the request without a token.',
    ],
  )
}

/** The host `gh` knows the API by: github.com for api.github.com, else the API URL's host (GitHub Enterprise Server). */
function ghHost(apiUrl: string): string | undefined {
  try {
    const {host} = new URL(apiUrl)
    return host === GITHUB_API_HOST ? 'github.com' : host
  } catch {
    return undefined
  }
}
